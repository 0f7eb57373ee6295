/**
 * Saving and loading a Pipeline: one file in the model container format (src/models/io.ts) holding
 * the configuration, the training interactions, every model's own saved state, the ANN indexes, the
 * rankers (JSON) and the item catalogue. The 'pipeline' registry model stores the same parts, so a
 * pipeline file is also a model file (`loadModel` reads it).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AffinityError } from '../core/errors.js';
import type { IdMap } from '../core/idmap.js';
import { loadAnnIndex, type AnnIndex } from '../ann/index.js';
import { Dataset, type FeedbackKind } from '../data/dataset.js';
import type { BaseRecommender } from '../models/base.js';
import { decodeState, encodeState } from '../models/io.js';
import { resolveParams } from '../models/params.js';
import type { AnyTypedArray } from '../models/recommender.js';
import { getModelEntry } from '../models/registry.js';
import { rankerFromState } from '../rank/io.js';
import { ItemCatalog, type ItemCatalogInit, type StringAttribute } from './catalog.js';
import { validatePipelineConfig } from './config.js';
import { buildSources } from './pipeline-build.js';
import { Pipeline } from './pipeline.js';

export const PIPELINE_STATE_VERSION = 1;

export interface PipelineParts {
  meta: Record<string, unknown>;
  arrays: Record<string, AnyTypedArray>;
}

function annBytes(index: AnnIndex): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'affinity-ann-'));
  try {
    const p = join(dir, 'index.ann');
    index.save(p);
    return new Uint8Array(readFileSync(p));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function annFromBytes(bytes: Uint8Array): AnnIndex {
  const dir = mkdtempSync(join(tmpdir(), 'affinity-ann-'));
  try {
    const p = join(dir, 'index.ann');
    writeFileSync(p, bytes);
    return loadAnnIndex(p);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Everything a pipeline needs to serve, as JSON metadata and typed arrays. */
export function pipelineParts(p: Pipeline): PipelineParts {
  const d = p.data;
  const arrays: Record<string, AnyTypedArray> = { 'data.user': d.user, 'data.item': d.item, 'data.value': d.value };
  if (d.time) arrays['data.time'] = d.time;
  for (const [name, m] of p.models) arrays[`model.${name}`] = new Uint8Array(encodeState(m.toState()));
  for (const s of p.sources) if (s.ann) arrays[`ann.${s.index}`] = annBytes(s.ann);
  const c = p.catalog;
  Object.assign(arrays, {
    'cat.indptr': c.catIndptr,
    'cat.codes': c.catCodes,
    'cat.group': c.group,
    'cat.firstSeen': c.firstSeen,
    'cat.year': c.year,
    'cat.popularity': c.popularity,
    'cat.trending': c.trending,
    'cat.hidden': c.hidden,
    'cat.outOfStock': c.outOfStock,
    'cat.minAge': c.minAge,
  });
  const strVocab: Record<string, string[]> = {};
  for (const [k, v] of c.numeric) arrays[`cat.num.${k}`] = v;
  for (const [k, v] of c.strings) {
    arrays[`cat.str.${k}.indptr`] = v.indptr;
    arrays[`cat.str.${k}.codes`] = v.codes;
    strVocab[k] = v.vocab;
  }
  const meta: Record<string, unknown> = {
    config: p.config,
    data: { kind: d.kind, ratingScale: d.ratingScale, source: d.source },
    catalog: { categoryNames: c.categoryNames, groupNames: c.groupNames, titles: c.titles, strings: strVocab, numeric: [...c.numeric.keys()] },
    fine: p.fine ? p.fine.toJSON() : null,
    coarse: p.coarse ? p.coarse.toJSON() : null,
  };
  return { meta, arrays };
}

/** Rebuilds a pipeline from its parts over the given id maps (those of the saved training data). */
export function pipelineFromParts(parts: PipelineParts, users: IdMap, items: IdMap, where = '<pipeline>'): Pipeline {
  const { meta, arrays } = parts;
  const need = <T extends AnyTypedArray>(name: string, ctor: new (...a: never[]) => T): T => {
    const a = arrays[name];
    if (!(a instanceof ctor)) throw new AffinityError('E_MODEL_FILE', `${where}: missing or mistyped array ${JSON.stringify(name)}; expected a pipeline saved by this version`, { file: where });
    return a;
  };
  const config = validatePipelineConfig(meta.config, `${where} (saved configuration)`);
  const dm = meta.data as { kind: FeedbackKind; ratingScale: [number, number] | null; source: string };
  const data = new Dataset({
    users,
    items,
    user: need('data.user', Int32Array),
    item: need('data.item', Int32Array),
    value: need('data.value', Float32Array),
    time: arrays['data.time'] instanceof Float64Array ? arrays['data.time'] : null,
    kind: dm.kind,
    ratingScale: dm.ratingScale,
    source: dm.source,
  });
  const models = new Map<string, BaseRecommender>();
  for (const decl of config.models) {
    const bytes = need(`model.${decl.name}`, Uint8Array);
    const state = decodeState(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), `${where} (model ${decl.name})`);
    const e = getModelEntry(state.name);
    models.set(decl.name, e.build(e.name, resolveParams(e.name, e.params, state.params)).restore(state));
  }
  const cm = meta.catalog as { categoryNames: string[]; groupNames: string[]; titles: string[]; strings: Record<string, string[]>; numeric: string[] };
  const numeric: Record<string, Float64Array> = {};
  for (const k of cm.numeric) numeric[k] = need(`cat.num.${k}`, Float64Array);
  const strings: Record<string, StringAttribute> = {};
  for (const [k, vocab] of Object.entries(cm.strings)) strings[k] = { indptr: need(`cat.str.${k}.indptr`, Int32Array), codes: need(`cat.str.${k}.codes`, Int32Array), vocab };
  const init: ItemCatalogInit = {
    nItems: items.size,
    ids: items,
    titles: cm.titles.length ? cm.titles : undefined,
    categories: { indptr: need('cat.indptr', Int32Array), codes: need('cat.codes', Int32Array), names: cm.categoryNames },
    group: { codes: need('cat.group', Int32Array), names: cm.groupNames },
    firstSeen: need('cat.firstSeen', Float64Array),
    year: need('cat.year', Float64Array),
    popularity: need('cat.popularity', Float32Array),
    trending: need('cat.trending', Float32Array),
    hidden: need('cat.hidden', Uint8Array),
    outOfStock: need('cat.outOfStock', Uint8Array),
    minAge: need('cat.minAge', Float32Array),
    numeric,
    strings,
  };
  const catalog = new ItemCatalog(init);
  const sources = buildSources(config, data, models, (k) => {
    const a = arrays[`ann.${k}`];
    return a instanceof Uint8Array ? annFromBytes(a) : null;
  });
  const fine = meta.fine ? rankerFromState(meta.fine, `${where} (ranker)`) : null;
  const coarse = meta.coarse ? rankerFromState(meta.coarse, `${where} (coarse ranker)`) : null;
  return new Pipeline({ config, data, models, sources, catalog, fine, coarse });
}

/** Writes a pipeline to one file (the model container format, model name 'pipeline'). */
export function savePipeline(p: Pipeline, path: string): void {
  const parts = pipelineParts(p);
  const buf = encodeState({
    name: 'pipeline',
    stateVersion: PIPELINE_STATE_VERSION,
    params: { config: '' },
    meta: parts.meta,
    arrays: parts.arrays,
    users: p.data.users,
    items: p.data.items,
    seen: p.data.csr(),
  });
  try {
    writeFileSync(path, buf);
  } catch (e) {
    throw new AffinityError('E_IO', `${path}: could not write the pipeline (${(e as Error).message})`, { file: path });
  }
}

/** Reads a pipeline written by `savePipeline` (or a saved 'pipeline' model). */
export function loadPipeline(path: string): Pipeline {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new AffinityError('E_IO', `${path}: could not read the pipeline (${(e as Error).message})`, { file: path });
  }
  const state = decodeState(buf, path);
  if (state.name !== 'pipeline') throw new AffinityError('E_MODEL_FILE', `${path}: holds model ${JSON.stringify(state.name)}; expected a saved pipeline`, { file: path });
  if (state.stateVersion !== PIPELINE_STATE_VERSION) throw new AffinityError('E_MODEL_FILE', `${path}: pipeline state version ${state.stateVersion}; expected ${PIPELINE_STATE_VERSION}`, { file: path });
  return pipelineFromParts({ meta: state.meta, arrays: state.arrays }, state.users, state.items, path);
}
