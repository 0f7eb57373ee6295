/**
 * Fold-in of a new user (one exact least-squares solve against the trained item factors) and
 * explanations of implicit-ALS scores (as the `implicit` library's ALS.explain).
 */
import { AffinityError } from '../../core/errors.js';
import { tsKernels, type RowJob } from '../../kernels/index.js';
import type { ScoredItems } from '../recommender.js';
import type { AlsRecommender } from './als.js';

export interface Explanation {
  /** The score rebuilt from the contributions (close to x_u . y_i; CG training is inexact). */
  score: number;
  /** The user's items with the largest contributions, largest first. */
  contributions: ScoredItems;
}

function checkInteractions(m: AlsRecommender, items: Int32Array, values: Float32Array): void {
  if (items.length !== values.length) throw new AffinityError('E_PARAM', `values: got length ${values.length}; expected ${items.length} (one per item)`, { field: 'values' });
  for (let k = 0; k < items.length; k++) {
    const i = items[k];
    if (!(i >= 0 && i < m.nItems)) throw new AffinityError('E_UNKNOWN_ID', `items[${k}]: index ${i} out of range 0..${m.nItems - 1}`, { field: 'items' });
    if (!Number.isFinite(values[k])) throw new AffinityError('E_PARAM', `values[${k}]: got ${values[k]}; expected a finite number`, { field: 'values' });
  }
}

export function foldIn(m: AlsRecommender, items: Int32Array, values: Float32Array): Float32Array {
  checkInteractions(m, items, values);
  const k = m.kernels;
  const f = m.factors;
  const cfg = m.config();
  const n = items.length;
  const indptr = k.arena.i32(2);
  indptr[1] = n;
  const idx = k.arena.i32(Math.max(1, n));
  idx.set(items);
  const data = k.arena.f32(Math.max(1, n));
  if (cfg.implicit && cfg.binary) data.fill(1, 0, n);
  else data.set(values);
  const x = k.arena.f32(f);
  try {
    const csr = { indptr, indices: idx.subarray(0, n), data: data.subarray(0, n) };
    const job: RowJob = cfg.implicit
      ? { op: 'chol', csr, y: m.itemFactors, x, g: m.itemGram(), f, alpha: cfg.alpha, binary: cfg.binary }
      : { op: 'explicit', csr, y: m.itemFactors, x, f, lambda: cfg.regularization, offset: m.mean };
    if (k.rows(job, 0, 1) > 0) throw new AffinityError('E_PARAM', 'foldInUser: the least-squares system is not positive definite (raise regularization)');
    return Float32Array.from(x);
  } finally {
    for (const a of [indptr, idx, data, x]) k.arena.free(a);
  }
}

export function explainScore(m: AlsRecommender, user: number, item: number, n: number): Explanation {
  const cfg = m.config();
  const f = m.factors;
  const y = m.itemFactors;
  const { indptr, indices, data } = m.seen;
  const lo = indptr[user];
  const hi = indptr[user + 1];
  const w = new Float64Array(f * f);
  const g = cfg.implicit ? m.itemGram() : null;
  if (g) for (let k = 0; k < f * f; k++) w[k] = g[k];
  const weight = new Float64Array(hi - lo); // c p (implicit) or r - mean (explicit)
  for (let q = lo; q < hi; q++) {
    const v = cfg.implicit && cfg.binary ? 1 : data[q];
    const yo = indices[q] * f;
    const cm1 = cfg.implicit ? cfg.alpha * Math.abs(v) : 1;
    weight[q - lo] = cfg.implicit ? (v > 0 ? cm1 + 1 : 0) : v - m.mean;
    for (let a = 0; a < f; a++) {
      const c = cm1 * y[yo + a];
      for (let b = 0; b < f; b++) w[a * f + b] += c * y[yo + b];
    }
  }
  if (!cfg.implicit) for (let a = 0; a < f; a++) w[a * f + a] += cfg.regularization * (hi - lo);
  if (!tsKernels.cholesky64(f, w, 0)) throw new AffinityError('E_PARAM', 'explain: the user system is not positive definite (raise regularization)');
  const z = new Float64Array(f);
  for (let a = 0; a < f; a++) z[a] = y[item * f + a];
  tsKernels.cholSolve64(f, w, 0, z, 0);
  const contrib = new Float32Array(hi - lo);
  let score = 0;
  for (let q = lo; q < hi; q++) {
    let s = 0;
    for (let a = 0; a < f; a++) s += y[indices[q] * f + a] * z[a];
    contrib[q - lo] = weight[q - lo] * s;
    score += contrib[q - lo];
  }
  // rank by contribution; map positions back to item indices
  const order = Array.from(contrib.keys()).sort((a, b) => contrib[b] - contrib[a] || indices[lo + a] - indices[lo + b]).slice(0, n);
  return {
    score,
    contributions: { items: Int32Array.from(order, (p) => indices[lo + p]), scores: Float32Array.from(order, (p) => contrib[p]) },
  };
}
