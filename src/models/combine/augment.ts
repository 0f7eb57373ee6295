/**
 * 'augmented': feature augmentation ("one model's output as another's input features").
 *
 * Model A (`models`, a CF registry model, default ALS) is fitted on the training data. Model B is
 * the per-user ridge of 'content-ridge' (r_ui ≈ w_u · x'_ui + b_u, solved by `solveUserRidge`)
 * over an augmented feature vector per (user, item):
 *
 *   x'_ui = [ x_i (L2-normalised item side data, as content-ridge)
 *           | factorWeight · q_i / |q_i|   (A's item factors, when A exposes `itemFactors`, e.g. ALS;
 *                                           0 for items without training rows)
 *           | scoreWeight · z_ui ]          (A's score of (u, i), z-scored over all items per user)
 *
 * The score feature is out-of-fold on the training data: user u's rows (items ascending) are dealt
 * into `folds` folds by position (t mod folds); for the items of fold k, z_ui comes from A's scores
 * for the history made of u's other folds (A.scoreHistory: ALS folds that history in against its
 * item factors), so the user side of A never saw the row it scores. A's item side (item factors,
 * neighbourhoods) was fitted on all training rows, the row included: that leak is small and
 * accepted. When scoring, z_ui is A's score from all of u's rows (scoreAll for a trained user,
 * scoreHistory for an ad-hoc history). Implicit data (every value alike) gets `negatives` sampled
 * unseen items per row with target 0 (seeded by the history), each dealt into a fold like a row.
 *
 * Users without history get B's fallback: mean value + popularityWeight · popularity.
 */
import { cooToCsr, transpose, type Csr } from '../../core/csr.js';
import { AffinityError, paramError, throwIfAborted } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { Dataset } from '../../data/dataset.js';
import { historyHash, readHistory } from '../history.js';
import type { SavedParts } from '../base.js';
import { itemMatrix, itemMatrixArrays, popularityBase, savedItemMatrix, scoreDense, FEATURE_PARAMS, type FeatureParams } from '../content/features.js';
import { solveUserRidge } from '../content/ridge.js';
import type { ParamSpecs } from '../params.js';
import type { AnyTypedArray, FitOptions, FitReport, ModelCapabilities, Params } from '../recommender.js';
import { CompositeRecommender, historyOf, parseComponents, zNormalise } from './composite.js';

export const AUGMENTED_PARAMS: ParamSpecs = {
  ...FEATURE_PARAMS,
  models: { default: 'als', doc: "Model A (CF), one registry spec, params after ';' (e.g. als;factors=16 or item-knn). Its item factors (if any) and its scores become features of the per-user ridge." },
  factorWeight: { default: 1, min: 0, doc: "Weight of A's L2-normalised item factors appended to each item's features (0 = off; ignored when A has no item factors)." },
  scoreWeight: { default: 1, min: 0, doc: "Weight of A's per-user z-scored score as one extra feature (0 = off); out-of-fold on the training rows." },
  folds: { default: 5, min: 2, max: 50, integer: true, doc: "Folds over each user's rows for the out-of-fold score feature." },
  lambda: { default: 1, min: 1e-9, doc: 'Ridge penalty λ on w_u (the intercept is not penalised).' },
  cgSteps: { default: 50, min: 1, integer: true, doc: 'Conjugate-gradient steps per user at most.' },
  negatives: { default: 1, min: 0, max: 20, integer: true, doc: 'Implicit data only: sampled unseen items per row, target 0 (all-equal targets leave nothing to regress).' },
  popularityWeight: { default: 0.001, min: 0, doc: 'Weight of item popularity (count / largest) added to every score: tie-breaker and the fallback of users without history.' },
  seed: { default: 42, integer: true, doc: 'Seed of the negative sampling (implicit data).' },
};

interface AugmentParams extends FeatureParams {
  [key: string]: string | number | boolean;
}

interface UserFit {
  cols: Int32Array;
  w: Float32Array;
  wz: number;
  b: number;
}

export class AugmentedRecommender extends CompositeRecommender {
  override readonly capabilities: ModelCapabilities = { rating: true, similarItems: false, similarUsers: false };
  /** items x (content features + factor features). */
  x: Csr | null = null;
  private xt: Csr | null = null;
  private nContent = 0;
  private implicit = false;
  private mu = 0;
  private scale: [number, number] | null = null;
  private base: Float32Array = new Float32Array(0);
  private wPtr: Int32Array = new Int32Array(1);
  private wCols: Int32Array = new Int32Array(0);
  private wData: Float32Array = new Float32Array(0);
  private wz: Float32Array = new Float32Array(0);
  private bias: Float32Array = new Float32Array(0);
  private dense = new Float64Array(0);
  private zCache = new Float32Array(0);
  private zUser = -2;

  protected componentSpecs(): { name: string; params: Record<string, string> }[] {
    const s = parseComponents(`${this.name}.models`, String(this.params.models));
    if (s.length !== 1) throw paramError(`${this.name}.models`, this.params.models, 'one CF model, e.g. als or item-knn');
    return s;
  }

  protected async train(data: Dataset, opts: FitOptions): Promise<Partial<FitReport>> {
    throwIfAborted(opts.signal);
    const content = itemMatrix(this.name, data, this.params as AugmentParams & Params).csr;
    await this.fitComponents(data, opts);
    throwIfAborted(opts.signal);
    this.zUser = -2;
    this.x = this.augmentItems(content, data.itemCounts());
    this.xt = transpose(this.x);
    this.nContent = content.nCols;
    this.dense = new Float64Array(this.x.nCols);
    this.implicit = data.kind === 'implicit';
    this.mu = data.meanValue();
    this.scale = data.ratingScale;
    this.base = popularityBase(data, Number(this.params.popularityWeight));
    const seen = this.seen;
    const nU = seen.nRows;
    const fits: UserFit[] = [];
    for (let u = 0; u < nU; u++) {
      if ((u & 63) === 0) {
        throwIfAborted(opts.signal);
        opts.onProgress?.({ phase: 'users', done: u, total: nU });
      }
      const s = seen.indptr[u];
      const e = seen.indptr[u + 1];
      fits.push(this.solveUser(seen.indices.subarray(s, e), seen.data.subarray(s, e)));
    }
    this.packFits(fits);
    return {};
  }

  /**
   * Content columns, then factorWeight · normalised item factors of A (when it has them). Items
   * without training rows get no factor features (their factors are A's untrained initial values).
   */
  private augmentItems(content: Csr, counts: Int32Array): Csr {
    const nItems = counts.length;
    const fw = Number(this.params.factorWeight);
    const q = (this.components[0] as unknown as { itemFactors?: unknown }).itemFactors;
    const f = fw > 0 && q instanceof Float32Array && nItems > 0 && q.length % nItems === 0 ? q.length / nItems : 0;
    if (f === 0) return content;
    const rows: number[] = [];
    const cols: number[] = [];
    const vals: number[] = [];
    for (let i = 0; i < nItems; i++) {
      for (let p = content.indptr[i]; p < content.indptr[i + 1]; p++) (rows.push(i), cols.push(content.indices[p]), vals.push(content.data[p]));
      let n2 = 0;
      for (let d = 0; d < f; d++) n2 += (q as Float32Array)[i * f + d] ** 2;
      const inv = n2 > 0 && counts[i] > 0 ? fw / Math.sqrt(n2) : 0;
      if (inv === 0) continue;
      for (let d = 0; d < f; d++) (rows.push(i), cols.push(content.nCols + d), vals.push((q as Float32Array)[i * f + d] * inv));
    }
    return cooToCsr(nItems, content.nCols + f, Int32Array.from(rows), Int32Array.from(cols), Float32Array.from(vals));
  }

  /** A's scores for a history, z-scored over all items (into `out`). */
  private scoresOfA(items: ArrayLike<number>, values: ArrayLike<number> | null, out: Float32Array): void {
    historyOf(this.components[0], items, values, out);
    zNormalise(out);
  }

  /**
   * The ridge of one user (items ascending, distinct): rows with out-of-fold score features (and
   * sampled negatives on implicit data), solved by solveUserRidge over a local design matrix.
   */
  private solveUser(items: Int32Array, values: Float32Array): UserFit {
    const n = items.length;
    const x = this.x as Csr;
    if (n === 0) return { cols: new Int32Array(0), w: new Float32Array(0), wz: 0, b: this.mu };
    // rows: the user's items, then negatives (target 0)
    const rowItems: number[] = Array.from(items);
    const targets: number[] = Array.from(values);
    if (this.implicit) {
      const negs = Number(this.params.negatives) * n;
      const mine = new Set(rowItems);
      const rng = new Rng((Number(this.params.seed) ^ historyHash(items)) >>> 0);
      const free = this.nItems - n;
      for (let t = 0; t < negs && free > 0 && t < free; t++) {
        let j = rng.int(this.nItems);
        while (mine.has(j)) j = rng.int(this.nItems);
        mine.add(j);
        rowItems.push(j);
        targets.push(0);
      }
    }
    const m = rowItems.length;
    const sw = Number(this.params.scoreWeight);
    const z = new Float64Array(m);
    if (sw > 0) {
      const k = Math.min(Number(this.params.folds), Math.max(1, n));
      const s = this.buf(0);
      for (let fold = 0; fold < k; fold++) {
        const hi: number[] = [];
        const hv: number[] = [];
        for (let t = 0; t < n; t++) if (t % k !== fold) (hi.push(items[t]), hv.push(values[t]));
        this.scoresOfA(hi, hv, s);
        for (let r = fold; r < m; r += k) z[r] = sw * s[rowItems[r]];
      }
    }
    const zc = x.nCols;
    const indptr = new Int32Array(m + 1);
    for (let r = 0; r < m; r++) indptr[r + 1] = indptr[r] + x.indptr[rowItems[r] + 1] - x.indptr[rowItems[r]] + (sw > 0 ? 1 : 0);
    const indices = new Int32Array(indptr[m]);
    const data = new Float32Array(indptr[m]);
    for (let r = 0; r < m; r++) {
      const i = rowItems[r];
      let p = indptr[r];
      for (let q = x.indptr[i]; q < x.indptr[i + 1]; q++, p++) {
        indices[p] = x.indices[q];
        data[p] = x.data[q];
      }
      if (sw > 0) {
        indices[p] = zc;
        data[p] = z[r];
      }
    }
    const local: Csr = { nRows: m, nCols: zc + 1, indptr, indices, data };
    const rows = new Int32Array(m);
    for (let r = 0; r < m; r++) rows[r] = r;
    const fit = solveUserRidge(local, rows, targets, Number(this.params.lambda), Number(this.params.cgSteps));
    let len = fit.cols.length;
    let wz = 0;
    if (len > 0 && fit.cols[len - 1] === zc) wz = fit.w[--len];
    return { cols: fit.cols.slice(0, len), w: fit.w.slice(0, len), wz, b: fit.b };
  }

  private packFits(fits: UserFit[]): void {
    const nU = fits.length;
    this.wPtr = new Int32Array(nU + 1);
    for (let u = 0; u < nU; u++) this.wPtr[u + 1] = this.wPtr[u] + fits[u].cols.length;
    this.wCols = new Int32Array(this.wPtr[nU]);
    this.wData = new Float32Array(this.wPtr[nU]);
    this.wz = new Float32Array(nU);
    this.bias = new Float32Array(nU);
    for (let u = 0; u < nU; u++) {
      this.wCols.set(fits[u].cols, this.wPtr[u]);
      this.wData.set(fits[u].w, this.wPtr[u]);
      this.wz[u] = fits[u].wz;
      this.bias[u] = fits[u].b;
    }
  }

  /** out = X' w + b + base, plus wz · (A's z-scored scores) when wz != 0. */
  private scoreWith(f: UserFit, zOf: ((out: Float32Array) => void) | null, out: Float32Array): void {
    const v = this.dense;
    for (let k = 0; k < f.cols.length; k++) v[f.cols[k]] = f.w[k];
    scoreDense(this.xt as Csr, v, 1, out, this.base);
    for (let k = 0; k < f.cols.length; k++) v[f.cols[k]] = 0;
    for (let i = 0; i < out.length; i++) out[i] += f.b;
    if (f.wz !== 0 && zOf) {
      const s = this.buf(1);
      zOf(s);
      const c = f.wz * Number(this.params.scoreWeight);
      for (let i = 0; i < out.length; i++) out[i] += c * s[i];
    }
  }

  private fitOf(user: number): UserFit {
    if (!this.hasHistory(user)) return { cols: new Int32Array(0), w: new Float32Array(0), wz: 0, b: this.mu };
    const s = this.wPtr[user];
    const e = this.wPtr[user + 1];
    return { cols: this.wCols.subarray(s, e), w: this.wData.subarray(s, e), wz: this.wz[user], b: this.bias[user] };
  }

  scoreAll(user: number, out: Float32Array): void {
    this.assertFitted();
    const a = this.components[0];
    this.scoreWith(this.fitOf(user), (s) => (a.scoreAll(user, s), zNormalise(s)), out);
  }

  override scoreHistory(rawItems: ArrayLike<number>, rawValues: ArrayLike<number> | null, out: Float32Array): void {
    this.assertFitted();
    const { items, values } = readHistory(this.name, this.nItems, rawItems, rawValues);
    const fit = this.solveUser(items, values);
    this.scoreWith(fit, (s) => this.scoresOfA(items, values, s), out);
  }

  /** The same sum as scoreAll for one item, without the popularity term, clipped to the rating scale. */
  override predict(user: number, item: number): number {
    this.assertFitted();
    if (!(Number.isInteger(item) && item >= 0 && item < this.nItems)) throw new AffinityError('E_UNKNOWN_ID', `${this.name}: item index ${item} out of range 0..${this.nItems - 1}`, { field: 'item' });
    const f = this.fitOf(user);
    const x = this.x as Csr;
    let s = 0;
    let a = 0;
    let q = x.indptr[item];
    const qe = x.indptr[item + 1];
    while (a < f.cols.length && q < qe) {
      if (f.cols[a] === x.indices[q]) s += f.w[a++] * x.data[q++];
      else if (f.cols[a] < x.indices[q]) a++;
      else q++;
    }
    s += f.b;
    if (f.wz !== 0) s += f.wz * Number(this.params.scoreWeight) * this.zOfUser(user)[item];
    return this.clip(s, this.scale);
  }

  /** A's z-scored scores of a trained user, kept for the last user asked (predict runs user by user). */
  private zOfUser(user: number): Float32Array {
    if (this.zUser !== user || this.zCache.length !== this.nItems) {
      if (this.zCache.length !== this.nItems) this.zCache = new Float32Array(this.nItems);
      this.components[0].scoreAll(user, this.zCache);
      zNormalise(this.zCache);
      this.zUser = user;
    }
    return this.zCache;
  }

  /** The learned weight of A's score feature for a user (0 for users without history). */
  scoreFeatureWeight(user: number): number {
    return this.fitOf(user).wz * Number(this.params.scoreWeight);
  }

  protected override ownParts(): { meta: Record<string, unknown>; arrays: Record<string, AnyTypedArray> } {
    const x = this.x as Csr;
    return {
      meta: { nFeatures: x.nCols, nContent: this.nContent, implicit: this.implicit, mu: this.mu, scale: this.scale },
      arrays: { ...itemMatrixArrays(x), wPtr: this.wPtr, wCols: this.wCols, wData: this.wData, wz: this.wz, bias: this.bias, base: this.base },
    };
  }

  protected override loadOwnParts(parts: SavedParts): void {
    const a = parts.arrays;
    const m = parts.meta;
    const ok = a.xIndptr instanceof Int32Array && a.xIndices instanceof Int32Array && a.xData instanceof Float32Array && a.wPtr instanceof Int32Array && a.wCols instanceof Int32Array && a.wData instanceof Float32Array && a.wz instanceof Float32Array && a.bias instanceof Float32Array && a.base instanceof Float32Array;
    if (!ok || typeof m.nFeatures !== 'number' || typeof m.mu !== 'number') throw new AffinityError('E_MODEL_FILE', `${this.name}: saved state lacks its ridge weights or item matrix`);
    ({ x: this.x, xt: this.xt } = savedItemMatrix(this.items.size, m.nFeatures, a));
    this.nContent = Number(m.nContent);
    this.implicit = m.implicit === true;
    this.mu = m.mu;
    this.scale = Array.isArray(m.scale) && m.scale.length === 2 ? [Number(m.scale[0]), Number(m.scale[1])] : null;
    this.wPtr = a.wPtr as Int32Array;
    this.wCols = a.wCols as Int32Array;
    this.wData = a.wData as Float32Array;
    this.wz = a.wz as Float32Array;
    this.bias = a.bias as Float32Array;
    this.base = a.base as Float32Array;
    this.dense = new Float64Array(m.nFeatures);
    this.zUser = -2;
  }
}
