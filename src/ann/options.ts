import { AffinityError, paramError } from '../core/errors.js';
import type { AnnOptions, AnnResult, ResolvedAnnOptions } from './types.js';

function int(field: string, v: number | undefined, def: number, min: number, max: number): number {
  if (v === undefined) return def;
  if (!Number.isInteger(v) || v < min || v > max) throw paramError(field, v, `an integer in [${min}, ${max}]`);
  return v;
}

export function resolveAnnOptions(o: AnnOptions): ResolvedAnnOptions {
  const dim = int('dim', o.dim, 0, 1, 65536);
  const metric = o.metric ?? 'ip';
  if (metric !== 'ip' && metric !== 'cos') throw paramError('metric', metric, "'ip' or 'cos'");
  return {
    dim,
    metric,
    m: int('m', o.m, 16, 2, 256),
    efConstruction: int('efConstruction', o.efConstruction, 128, 1, 1 << 16),
    efSearch: int('efSearch', o.efSearch, 64, 1, 1 << 16),
    seed: int('seed', o.seed, 42, 0, 0x7fffffff),
    threads: int('threads', o.threads, 0, 0, 1024),
  };
}

export function checkEf(v: number): number {
  if (!Number.isInteger(v) || v < 1 || v > 1 << 16) throw paramError('efSearch', v, 'an integer in [1, 65536]');
  return v;
}

/** Validates add() arguments; returns the number of rows. */
export function checkAdd(dim: number, keys: ArrayLike<number>, vectors: Float32Array): number {
  const n = keys.length;
  if (vectors.length !== n * dim) {
    throw new AffinityError('E_PARAM', `vectors: got ${vectors.length} floats for ${n} keys; expected keys.length x dim = ${n * dim}`, { field: 'vectors' });
  }
  for (let i = 0; i < n; i++) {
    const key = keys[i];
    if (!Number.isInteger(key) || key < 0 || key > 0x7fffffff) throw paramError(`keys[${i}]`, key, 'a non-negative int32');
  }
  for (let i = 0; i < vectors.length; i++) {
    if (!Number.isFinite(vectors[i])) throw paramError(`vectors[${i}]`, vectors[i], 'a finite number');
  }
  return n;
}

export function checkQuery(dim: number, query: Float32Array, k: number): void {
  if (query.length !== dim) throw paramError('query', `${query.length} floats`, `${dim} floats (the index dimension)`);
  if (!Number.isInteger(k) || k < 0) throw paramError('k', k, 'a non-negative integer');
}

/** Scales row r of v (length dim) to unit length (rows of zeros stay zero). */
export function normalizeRow(v: Float32Array, off: number, dim: number): void {
  let s = 0;
  for (let j = 0; j < dim; j++) s += v[off + j] * v[off + j];
  if (s > 0) {
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < dim; j++) v[off + j] *= inv;
  }
}

export const EMPTY_RESULT: AnnResult = { items: new Int32Array(0), scores: new Float32Array(0) };
