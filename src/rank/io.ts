/** Saving and loading rankers as versioned JSON, with the feature schema checked at load. */
import { readFileSync, writeFileSync } from 'node:fs';
import { AffinityError } from '../core/errors.js';
import { CoarseRanker } from './coarse.js';
import { Gbdt } from './gbdt/gbdt.js';
import { checkSchema, type FeatureSchema, type Ranker, type RankerState } from './types.js';

export const RANKER_FORMAT_VERSION = 1;

export function saveRanker(ranker: Ranker, path: string): void {
  try {
    writeFileSync(path, JSON.stringify(ranker.toJSON()));
  } catch (e) {
    throw new AffinityError('E_IO', `${path}: could not write the ranker (${(e as Error).message})`, { file: path });
  }
}

/** Rebuilds a ranker from its state; with `expect`, a different feature schema is an error. */
export function rankerFromState(s: unknown, where: string, expect?: FeatureSchema): Ranker {
  const st = s as Partial<RankerState> | null;
  if (!st || typeof st !== 'object' || st.format !== 'affinity-ranker') throw new AffinityError('E_MODEL_FILE', `${where}: not a ranker file; expected format "affinity-ranker"`, { file: where });
  if (st.formatVersion !== RANKER_FORMAT_VERSION) throw new AffinityError('E_MODEL_FILE', `${where}: ranker format version ${String(st.formatVersion)}; expected ${RANKER_FORMAT_VERSION}`, { file: where });
  const sc = st.schema;
  if (!sc || typeof sc.version !== 'number' || !Array.isArray(sc.names) || sc.names.some((n) => typeof n !== 'string')) throw new AffinityError('E_MODEL_FILE', `${where}: schema: expected { version: number, names: string[] }`, { file: where });
  if (expect) checkSchema(sc, expect, where);
  const full = st as RankerState;
  if (st.kind === 'gbdt') return Gbdt.fromJSON(full, where);
  if (st.kind === 'coarse') return CoarseRanker.fromJSON(full, where);
  throw new AffinityError('E_MODEL_FILE', `${where}: ranker kind ${JSON.stringify(st.kind)}; expected "gbdt" or "coarse"`, { file: where });
}

export function loadRanker(path: string, expect?: FeatureSchema): Ranker {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new AffinityError('E_IO', `${path}: could not read the ranker (${(e as Error).message})`, { file: path });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new AffinityError('E_MODEL_FILE', `${path}: invalid JSON (${(e as Error).message}); expected a ranker saved by saveRanker`, { file: path });
  }
  return rankerFromState(json, path, expect);
}
