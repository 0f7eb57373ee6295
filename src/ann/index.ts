/**
 * Approximate nearest-neighbour indexes behind one interface (AnnIndex), chosen by name:
 * 'usearch' (default: native HNSW, fastest build and search), 'hnsw' (pure TypeScript + WASM, no
 * native code) and 'exact' (brute force, the reference).
 */
import { AffinityError, paramError } from '../core/errors.js';
import { readAnnFile } from './container.js';
import { ExactIndex } from './exact.js';
import { HnswIndex } from './hnsw.js';
import { resolveAnnOptions } from './options.js';
import { ANN_BACKENDS, type AnnBackend, type AnnIndex, type AnnOptions } from './types.js';
import { UsearchIndex } from './usearch.js';

export type { AnnBackend, AnnIndex, AnnMetric, AnnOptions, AnnResult } from './types.js';
export { ANN_BACKENDS } from './types.js';
export { ExactIndex } from './exact.js';
export { HnswIndex } from './hnsw.js';
export { UsearchIndex } from './usearch.js';

export const DEFAULT_ANN_BACKEND: AnnBackend = 'usearch';

/** An empty index of the named backend. */
export function createAnnIndex(backend: string, opts: AnnOptions): AnnIndex {
  const o = resolveAnnOptions(opts);
  switch (backend) {
    case 'exact':
      return new ExactIndex(o);
    case 'hnsw':
      return new HnswIndex(o);
    case 'usearch':
      return new UsearchIndex(o);
    default:
      throw paramError('backend', backend, `one of ${ANN_BACKENDS.join(', ')}`);
  }
}

/** Builds an index over rows 0..n-1 of `vectors` (n x dim), keyed by row number. */
export function buildAnnIndex(backend: string, vectors: Float32Array, opts: AnnOptions): AnnIndex {
  const idx = createAnnIndex(backend, opts);
  const n = Math.floor(vectors.length / opts.dim);
  const keys = new Int32Array(n);
  for (let i = 0; i < n; i++) keys[i] = i;
  idx.add(keys, vectors.subarray(0, n * opts.dim));
  return idx;
}

/** Reads an index written by AnnIndex.save. */
export function loadAnnIndex(path: string): AnnIndex {
  const f = readAnnFile(path);
  switch (f.backend) {
    case 'exact':
      return ExactIndex.fromFile(f);
    case 'hnsw':
      return HnswIndex.fromFile(f);
    case 'usearch':
      return UsearchIndex.fromFile(f);
    default:
      throw new AffinityError('E_MODEL_FILE', `${path}: unknown ANN backend ${JSON.stringify(f.backend)}; expected one of ${ANN_BACKENDS.join(', ')}`);
  }
}
