/**
 * Shapes of the ranking stage: a Ranker scores feature rows; a FeatureSchema names the columns and
 * is saved with the ranker so that a ranker is never fed features it was not trained on.
 */
import { AffinityError } from '../core/errors.js';

/** The named columns of a feature matrix and the version of the builder that computes them. */
export interface FeatureSchema {
  version: number;
  names: string[];
}

/** Scores rows of a row-major feature matrix (nRows x nCols); higher is better. */
export interface Ranker {
  readonly kind: string;
  readonly schema: FeatureSchema;
  score(features: Float32Array, nRows: number, nCols: number): Float32Array;
  /** Plain JSON state (`loadRanker` in io.ts rebuilds the ranker from it). */
  toJSON(): RankerState;
}

export interface RankerState {
  format: 'affinity-ranker';
  formatVersion: number;
  kind: string;
  schema: FeatureSchema;
  [key: string]: unknown;
}

/** Training data for a ranker: rows grouped by query (rows of query q are groupPtr[q]..groupPtr[q+1]). */
export interface RankingData {
  features: Float32Array;
  nRows: number;
  nCols: number;
  labels: Float32Array;
  /** Query boundaries (length nQueries + 1); a single group [0, nRows] when there are no queries. */
  groupPtr: Int32Array;
  schema: FeatureSchema;
}

/** Throws E_MODEL_FILE / E_PARAM when `got` is not the schema `want`. */
export function checkSchema(want: FeatureSchema, got: FeatureSchema, where: string): void {
  if (want.version !== got.version || want.names.length !== got.names.length || want.names.some((n, k) => n !== got.names[k])) {
    const diff = want.names.find((n, k) => n !== got.names[k]);
    throw new AffinityError(
      'E_PARAM',
      `${where}: feature schema mismatch (ranker v${want.version}, ${want.names.length} features; features v${got.version}, ${got.names.length} features` +
        (diff !== undefined ? `; first difference at ${JSON.stringify(diff)}` : '') +
        '); expected the features the ranker was trained on',
      { field: 'schema' },
    );
  }
}

/** Checks the matrix shape against nRows x nCols and the ranker's schema. */
export function checkShape(schema: FeatureSchema, features: Float32Array, nRows: number, nCols: number, who: string): void {
  if (nCols !== schema.names.length) throw new AffinityError('E_PARAM', `${who}: nCols: got ${nCols}; expected ${schema.names.length} (the ranker's features)`, { field: 'nCols' });
  if (features.length !== nRows * nCols) throw new AffinityError('E_PARAM', `${who}: features: got ${features.length} values; expected nRows * nCols = ${nRows * nCols}`, { field: 'features' });
}
