/**
 * 'content': content-based filtering by user profiles. A user's profile is the weighted mean of the
 * (L2-normalised) feature vectors of the items in their history:
 *
 *   v_k     = value of the interaction, minus the user's mean value with `centered`
 *   w_k     = v_k when v_k >= threshold (liked) or v_k < 0 (disliked: subtracts), else 0;
 *             sign(v_k) with `weighting: 'binary'`; times 0.5^(age_k / halfLifeDays) where age_k is
 *             the time from the interaction to the user's latest interaction (`halfLifeDays` > 0)
 *   p_u     = sum_k w_k x_{i_k} / sum_k |w_k|
 *   score   = cos(p_u, x_i) + popularityWeight * pop_i      (pop_i = item count / largest count)
 *
 * Only item features are needed to score an item, so items without interactions (cold items) are
 * ranked like any other. Users without history (and empty profiles) get popularity.
 */
import { type Csr, findInRow } from '../../core/csr.js';
import { AffinityError, throwIfAborted } from '../../core/errors.js';
import type { Dataset } from '../../data/dataset.js';
import { BaseRecommender, type SavedParts } from '../base.js';
import type { FitOptions, FitReport, ModelCapabilities, ScoredItems } from '../recommender.js';
import { checkHistory, contentItems, contributions, itemMatrixArrays, savedItemMatrix, scoreDense, similarByContent, type Contribution, type FeatureParams } from './features.js';

export interface ContentParams extends FeatureParams {
  [key: string]: string | number | boolean;
  threshold: number;
  weighting: 'value' | 'binary';
  centered: boolean;
  halfLifeDays: number;
  popularityWeight: number;
}

const DAY = 86400;

export class ContentModel extends BaseRecommender<ContentParams> {
  readonly capabilities: ModelCapabilities = { rating: false, similarItems: true, similarUsers: false };
  /** Item x feature matrix (rows L2-normalised). */
  x: Csr | null = null;
  names: string[] = [];
  private xt: Csr | null = null;
  /** Profile weight of each training interaction, aligned to `seen`. */
  private rowWeight: Float32Array = new Float32Array(0);
  private base: Float32Array = new Float32Array(0);
  private profile = new Float64Array(0);

  protected train(data: Dataset, opts: FitOptions): Partial<FitReport> {
    throwIfAborted(opts.signal);
    const p = this.params;
    const ci = contentItems(this.name, data, p, p.popularityWeight);
    ({ x: this.x, xt: this.xt, names: this.names, base: this.base } = ci);
    this.profile = new Float64Array(ci.x.nCols);
    if (p.halfLifeDays > 0 && !data.time) {
      throw new AffinityError('E_PARAM', `${this.name}.halfLifeDays: got ${p.halfLifeDays}; the training data has no timestamps, so expected 0 (no recency weighting)`, { field: `${this.name}.halfLifeDays` });
    }
    // per-user mean value and latest time, then each row's weight at its position in `seen`
    const nU = data.nUsers;
    const sum = new Float64Array(nU);
    const cnt = new Int32Array(nU);
    const tMax = new Float64Array(nU).fill(-Infinity);
    for (let k = 0; k < data.size; k++) {
      const u = data.user[k];
      sum[u] += data.value[k];
      cnt[u]++;
      if (data.time && data.time[k] > tMax[u]) tMax[u] = data.time[k];
    }
    const seen = this.seen;
    const w = new Float32Array(seen.indptr[seen.nRows]);
    const rate = p.halfLifeDays > 0 ? Math.LN2 / (p.halfLifeDays * DAY) : 0;
    for (let k = 0; k < data.size; k++) {
      const u = data.user[k];
      const pos = findInRow(seen, u, data.item[k]);
      if (pos < 0 || seen.data[pos] !== data.value[k]) continue; // a duplicate pair: the kept row only
      let wk = this.weightOf(data.value[k], p.centered ? sum[u] / cnt[u] : 0);
      if (rate > 0 && data.time) wk *= Math.exp(-(tMax[u] - data.time[k]) * rate);
      w[pos] = wk;
    }
    this.rowWeight = w;
    return {};
  }

  private weightOf(value: number, mean: number): number {
    const v = value - mean;
    if (!(v >= this.params.threshold || v < 0)) return 0;
    return this.params.weighting === 'binary' ? Math.sign(v) : v;
  }

  /** Fills `this.profile` from (item, weight) pairs; returns its L2 norm (0 = empty profile). */
  private buildProfile(items: ArrayLike<number>, weights: ArrayLike<number>): number {
    const x = this.x as Csr;
    const prof = this.profile;
    prof.fill(0);
    let total = 0;
    for (let k = 0; k < items.length; k++) {
      const wk = weights[k];
      if (wk === 0) continue;
      total += Math.abs(wk);
      const i = items[k];
      for (let q = x.indptr[i]; q < x.indptr[i + 1]; q++) prof[x.indices[q]] += wk * x.data[q];
    }
    if (total === 0) return 0;
    let ss = 0;
    for (let j = 0; j < prof.length; j++) {
      prof[j] /= total;
      ss += prof[j] * prof[j];
    }
    return Math.sqrt(ss);
  }

  private scoreProfile(norm: number, out: Float32Array): void {
    if (norm > 0) scoreDense(this.xt as Csr, this.profile, 1 / norm, out, this.base);
    else out.set(this.base);
  }

  private userProfile(user: number): number {
    if (!this.hasHistory(user)) {
      this.profile.fill(0);
      return 0;
    }
    const s = this.seen.indptr[user];
    const e = this.seen.indptr[user + 1];
    return this.buildProfile(this.seen.indices.subarray(s, e), this.rowWeight.subarray(s, e));
  }

  scoreAll(user: number, out: Float32Array): void {
    this.assertFitted();
    this.scoreProfile(this.userProfile(user), out);
  }

  override scoreHistory(items: ArrayLike<number>, values: ArrayLike<number> | null, out: Float32Array): void {
    this.assertFitted();
    checkHistory(this.nItems, items, values);
    let mean = 0;
    if (this.params.centered && values && values.length > 0) {
      for (let k = 0; k < values.length; k++) mean += values[k];
      mean /= values.length;
    }
    const w = new Float64Array(items.length);
    for (let k = 0; k < items.length; k++) w[k] = values ? this.weightOf(values[k], mean) : this.weightOf(1, this.params.centered ? 1 : 0);
    this.scoreProfile(this.buildProfile(items, w), out);
  }

  override similarItems(item: number, n = 10): ScoredItems {
    this.assertFitted();
    return similarByContent(this.x as Csr, this.xt as Csr, item, n, this.base);
  }

  /** The features of `item` that matched the user's profile most (cosine contributions), largest first. */
  explain(user: number, item: number, n = 10): Contribution[] {
    this.assertFitted();
    const norm = this.userProfile(user);
    if (norm === 0) return [];
    return contributions(this.x as Csr, this.names, item, this.profile, 1 / norm, n);
  }

  protected saveParts(): SavedParts {
    const x = this.x as Csr;
    return {
      stateVersion: 1,
      meta: { names: this.names, nFeatures: x.nCols },
      arrays: { ...itemMatrixArrays(x), rowWeight: this.rowWeight, base: this.base },
    };
  }

  protected loadParts(parts: SavedParts): void {
    const a = parts.arrays;
    const names = parts.meta.names;
    const nF = parts.meta.nFeatures;
    if (parts.stateVersion !== 1 || !Array.isArray(names) || typeof nF !== 'number') throw new AffinityError('E_MODEL_FILE', `${this.name}: unsupported saved state (version ${parts.stateVersion})`);
    ({ x: this.x, xt: this.xt } = savedItemMatrix(this.items.size, nF, a));
    this.names = names.map(String);
    this.rowWeight = a.rowWeight as Float32Array;
    this.base = a.base as Float32Array;
    this.profile = new Float64Array(nF);
  }
}
