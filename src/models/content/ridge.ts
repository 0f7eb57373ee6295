/**
 * 'content-ridge': a ridge regression per user on item features, for explicit ratings:
 *
 *   r_ui ≈ w_u · x_i + b_u,   w_u = argmin sum_{i in R(u)} (r_ui - w·x_i - b_u)² + λ |w|²,  b_u unpenalised
 *
 * Solved in closed form on centred data: b_u = mean(r) - w_u · mean(x), and w_u from
 * (Xcᵀ Xc + λ I) w = Xcᵀ rc by conjugate gradient restricted to the features the user's items have
 * (w is exactly 0 elsewhere), so wide sparse text features cost O(nnz) per step. predict() clips to
 * the rating scale; ranking scores are the unclipped predictions (+ popularityWeight · pop_i).
 * Users without history get the global mean.
 */
import type { Csr } from '../../core/csr.js';
import { AffinityError, throwIfAborted } from '../../core/errors.js';
import type { Dataset } from '../../data/dataset.js';
import { BaseRecommender, type SavedParts } from '../base.js';
import type { FitOptions, FitReport, ModelCapabilities, ScoredItems } from '../recommender.js';
import { checkHistory, contentItems, contributions, itemMatrixArrays, savedItemMatrix, scoreDense, similarByContent, type Contribution, type FeatureParams } from './features.js';

export interface ContentRidgeParams extends FeatureParams {
  [key: string]: string | number | boolean;
  lambda: number;
  cgSteps: number;
  popularityWeight: number;
}

/** A user's solution: sparse weights over feature columns and the intercept. */
interface Fit {
  cols: Int32Array;
  w: Float32Array;
  b: number;
}

/**
 * Solves one user's ridge problem by CG over the features present in their items.
 * Exported for tests.
 */
export function solveUserRidge(x: Csr, items: ArrayLike<number>, r: ArrayLike<number>, lambda: number, maxSteps: number): Fit {
  const n = items.length;
  if (n === 0) return { cols: new Int32Array(0), w: new Float32Array(0), b: 0 };
  // local feature numbering
  const local = new Map<number, number>();
  const rowPtr = new Int32Array(n + 1);
  for (let k = 0; k < n; k++) {
    const i = items[k];
    for (let q = x.indptr[i]; q < x.indptr[i + 1]; q++) if (!local.has(x.indices[q])) local.set(x.indices[q], local.size);
    rowPtr[k + 1] = rowPtr[k] + x.indptr[i + 1] - x.indptr[i];
  }
  const f = local.size;
  const li = new Int32Array(rowPtr[n]);
  const lv = new Float64Array(rowPtr[n]);
  let rMean = 0;
  for (let k = 0; k < n; k++) rMean += r[k];
  rMean /= n;
  const mx = new Float64Array(f);
  for (let k = 0; k < n; k++) {
    const i = items[k];
    let p = rowPtr[k];
    for (let q = x.indptr[i]; q < x.indptr[i + 1]; q++, p++) {
      li[p] = local.get(x.indices[q]) as number;
      lv[p] = x.data[q];
      mx[li[p]] += x.data[q] / n;
    }
  }
  const tmp = new Float64Array(n);
  // A v = Xᵀ(X v) - n mx (mx·v) + λ v
  const apply = (v: Float64Array, out: Float64Array): void => {
    let mv = 0;
    for (let j = 0; j < f; j++) mv += mx[j] * v[j];
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let p = rowPtr[k]; p < rowPtr[k + 1]; p++) s += lv[p] * v[li[p]];
      tmp[k] = s;
    }
    for (let j = 0; j < f; j++) out[j] = lambda * v[j] - n * mx[j] * mv;
    for (let k = 0; k < n; k++) for (let p = rowPtr[k]; p < rowPtr[k + 1]; p++) out[li[p]] += lv[p] * tmp[k];
  };
  const w = new Float64Array(f);
  const res = new Float64Array(f); // residual = Xᵀ rc - A w (w = 0)
  for (let k = 0; k < n; k++) {
    const rc = r[k] - rMean;
    for (let p = rowPtr[k]; p < rowPtr[k + 1]; p++) res[li[p]] += lv[p] * rc;
  }
  const dir = res.slice();
  const ad = new Float64Array(f);
  let rr = 0;
  for (let j = 0; j < f; j++) rr += res[j] * res[j];
  const stop = rr * 1e-16;
  for (let step = 0; step < Math.min(maxSteps, f) && rr > stop && rr > 0; step++) {
    apply(dir, ad);
    let dAd = 0;
    for (let j = 0; j < f; j++) dAd += dir[j] * ad[j];
    if (!(dAd > 0)) break;
    const alpha = rr / dAd;
    let rrNew = 0;
    for (let j = 0; j < f; j++) {
      w[j] += alpha * dir[j];
      res[j] -= alpha * ad[j];
      rrNew += res[j] * res[j];
    }
    const beta = rrNew / rr;
    for (let j = 0; j < f; j++) dir[j] = res[j] + beta * dir[j];
    rr = rrNew;
  }
  let b = rMean;
  for (let j = 0; j < f; j++) b -= w[j] * mx[j];
  // columns ascending
  const cols = Int32Array.from(local.keys());
  const order = Array.from(cols.keys()).sort((a, c) => cols[a] - cols[c]);
  return { cols: Int32Array.from(order, (o) => cols[o]), w: Float32Array.from(order, (o) => w[o]), b };
}

export class ContentRidgeModel extends BaseRecommender<ContentRidgeParams> {
  readonly capabilities: ModelCapabilities = { rating: true, similarItems: true, similarUsers: false };
  x: Csr | null = null;
  names: string[] = [];
  private xt: Csr | null = null;
  /** users x features weights (sparse) and per-user intercepts. */
  private wPtr: Int32Array = new Int32Array(1);
  private wCols: Int32Array = new Int32Array(0);
  private wData: Float32Array = new Float32Array(0);
  private bias: Float32Array = new Float32Array(0);
  private mu = 0;
  private scale: [number, number] | null = null;
  private base: Float32Array = new Float32Array(0);
  private dense = new Float64Array(0);

  protected train(data: Dataset, opts: FitOptions): Partial<FitReport> {
    throwIfAborted(opts.signal);
    const p = this.params;
    const ci = contentItems(this.name, data, p, p.popularityWeight);
    ({ x: this.x, xt: this.xt, names: this.names, base: this.base } = ci);
    this.dense = new Float64Array(ci.x.nCols);
    this.mu = data.meanValue();
    this.scale = data.ratingScale;
    const seen = this.seen;
    const nU = seen.nRows;
    const ptr = new Int32Array(nU + 1);
    const cols: Int32Array[] = [];
    const ws: Float32Array[] = [];
    this.bias = new Float32Array(nU);
    for (let u = 0; u < nU; u++) {
      if ((u & 255) === 0) throwIfAborted(opts.signal);
      const s = seen.indptr[u];
      const e = seen.indptr[u + 1];
      const fit = solveUserRidge(ci.x, seen.indices.subarray(s, e), seen.data.subarray(s, e), p.lambda, p.cgSteps);
      cols.push(fit.cols);
      ws.push(fit.w);
      this.bias[u] = e > s ? fit.b : this.mu;
      ptr[u + 1] = ptr[u] + fit.cols.length;
      if ((u & 63) === 0) opts.onProgress?.({ phase: 'users', done: u, total: nU });
    }
    this.wPtr = ptr;
    this.wCols = new Int32Array(ptr[nU]);
    this.wData = new Float32Array(ptr[nU]);
    for (let u = 0; u < nU; u++) {
      this.wCols.set(cols[u], ptr[u]);
      this.wData.set(ws[u], ptr[u]);
    }
    return {};
  }

  private scoreWith(cols: ArrayLike<number>, w: ArrayLike<number>, b: number, out: Float32Array): void {
    const v = this.dense;
    for (let k = 0; k < cols.length; k++) v[cols[k]] = w[k];
    scoreDense(this.xt as Csr, v, 1, out, this.base);
    for (let k = 0; k < cols.length; k++) v[cols[k]] = 0;
    for (let i = 0; i < out.length; i++) out[i] += b;
  }

  private userWeights(user: number): { cols: Int32Array; w: Float32Array; b: number } {
    if (user < 0 || user >= this.wPtr.length - 1) return { cols: new Int32Array(0), w: new Float32Array(0), b: this.mu };
    const s = this.wPtr[user];
    const e = this.wPtr[user + 1];
    return { cols: this.wCols.subarray(s, e), w: this.wData.subarray(s, e), b: this.bias[user] };
  }

  scoreAll(user: number, out: Float32Array): void {
    this.assertFitted();
    const f = this.userWeights(user);
    this.scoreWith(f.cols, f.w, f.b, out);
  }

  override scoreHistory(items: ArrayLike<number>, values: ArrayLike<number> | null, out: Float32Array): void {
    this.assertFitted();
    checkHistory(this.nItems, items, values);
    if (items.length === 0) {
      this.scoreWith([], [], this.mu, out);
      return;
    }
    const r = values ?? new Float32Array(items.length).fill(1);
    const fit = solveUserRidge(this.x as Csr, items, r, this.params.lambda, this.params.cgSteps);
    this.scoreWith(fit.cols, fit.w, fit.b, out);
  }

  override predict(user: number, item: number): number {
    this.assertFitted();
    const f = this.userWeights(user);
    const x = this.x as Csr;
    let s = f.b;
    if (item >= 0 && item < x.nRows) {
      // both index lists ascending: merge
      let a = 0;
      let q = x.indptr[item];
      const qe = x.indptr[item + 1];
      while (a < f.cols.length && q < qe) {
        if (f.cols[a] === x.indices[q]) s += f.w[a++] * x.data[q++];
        else if (f.cols[a] < x.indices[q]) a++;
        else q++;
      }
    }
    return this.clip(s, this.scale);
  }

  override similarItems(item: number, n = 10): ScoredItems {
    this.assertFitted();
    return similarByContent(this.x as Csr, this.xt as Csr, item, n, this.base);
  }

  /** The user's weights on the item's features (w_uj x_ij), largest |contribution| first, then the intercept. */
  explain(user: number, item: number, n = 10): Contribution[] {
    this.assertFitted();
    const f = this.userWeights(user);
    const v = new Float64Array((this.x as Csr).nCols);
    for (let k = 0; k < f.cols.length; k++) v[f.cols[k]] = f.w[k];
    return [...contributions(this.x as Csr, this.names, item, v, 1, n), { feature: '(user intercept)', contribution: f.b }];
  }

  protected saveParts(): SavedParts {
    const x = this.x as Csr;
    return {
      stateVersion: 1,
      meta: { names: this.names, nFeatures: x.nCols, mu: this.mu, scale: this.scale },
      arrays: { ...itemMatrixArrays(x), wPtr: this.wPtr, wCols: this.wCols, wData: this.wData, bias: this.bias, base: this.base },
    };
  }

  protected loadParts(parts: SavedParts): void {
    const a = parts.arrays;
    const m = parts.meta;
    if (parts.stateVersion !== 1 || !Array.isArray(m.names) || typeof m.nFeatures !== 'number' || typeof m.mu !== 'number') {
      throw new AffinityError('E_MODEL_FILE', `${this.name}: unsupported saved state (version ${parts.stateVersion})`);
    }
    ({ x: this.x, xt: this.xt } = savedItemMatrix(this.items.size, m.nFeatures, a));
    this.names = m.names.map(String);
    this.mu = m.mu;
    this.scale = Array.isArray(m.scale) && m.scale.length === 2 ? [Number(m.scale[0]), Number(m.scale[1])] : null;
    this.wPtr = a.wPtr as Int32Array;
    this.wCols = a.wCols as Int32Array;
    this.wData = a.wData as Float32Array;
    this.bias = a.bias as Float32Array;
    this.base = a.base as Float32Array;
    this.dense = new Float64Array(m.nFeatures);
  }
}
