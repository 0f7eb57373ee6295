import { AffinityError, paramError, throwIfAborted } from '../../core/errors.js';
import { transpose, type Csr } from '../../core/csr.js';
import type { Dataset } from '../../data/dataset.js';
import { fitBaselines, type Baselines } from '../baseline/baselines.js';
import { BaseRecommender, type SavedParts } from '../base.js';
import { historyUserBias } from '../baseline/baseline-only.js';
import { readHistory } from '../history.js';
import type { FitOptions, FitReport, ModelCapabilities, Params, ScoredItems } from '../recommender.js';
import { baselinesOfCsr, HistorySimilarity, neighbourSums } from './history.js';
import type { SimMatrix } from './parallel.js';
import { computeSimilarity, type SimilarityKind } from './similarity.js';

export type KnnVariant = 'basic' | 'means' | 'zscore' | 'baseline';

/** Parameters of the rating kNN models (Surprise's KNNBasic / WithMeans / WithZScore / Baseline). */
export interface RatingKnnParams extends Params {
  variant: KnnVariant;
  userBased: boolean;
  similarity: SimilarityKind;
  k: number;
  minK: number;
  minSupport: number;
  shrinkage: number;
  maxNeighbours: number;
  threads: number;
  bslMethod: 'als' | 'sgd';
  bslEpochs: number;
  bslRegU: number;
  bslRegI: number;
  bslLearningRate: number;
  bslReg: number;
}

const STATE_VERSION = 1;
/** Above this many users/items, maxNeighbours = 0 (keep every similarity) is refused as too large. */
export const FULL_SIMILARITY_LIMIT = 20000;

/**
 * Neighbourhood rating prediction as Surprise's KNNBasic, KNNWithMeans, KNNWithZScore and
 * KNNBaseline. With x the compared entity (the user when user-based, else the item) and y the other:
 *
 *   est(x, y) = off[x] + off'[y] + div[x] * sum_k sim(x, nb) (r(nb, y) - off[nb] - off'[y]) / div[nb] / sum_k sim(x, nb)
 *
 * over the k most similar nb among those who rated y with sim > 0, where (off, off', div) are
 * (0, 0, 1) for basic, (mean, 0, 1) for means, (mean, 0, sigma) for zscore and (mu + b_x, b_y, 1) for
 * baseline. Fewer than minK neighbours: the global mean (basic) or off[x] + off'[y] (others); unknown
 * user or item: the global mean (basic, means, zscore) or the baseline of the known parts. Clipped
 * to the rating scale.
 *
 * Similarities are kept sparse (positive ones only, best first per row). With maxNeighbours = 0 every
 * positive similarity is kept and predictions are exactly Surprise's (which keeps the dense matrix);
 * a budget maxNeighbours < n trades memory for exactness: the k neighbours are then picked among the
 * maxNeighbours most similar, so rarely rated targets find fewer of them.
 */
export class RatingKnn extends BaseRecommender<RatingKnnParams> {
  readonly capabilities: ModelCapabilities;
  private sim: SimMatrix = { n: 0, ptr: new Int32Array(1), idx: new Int32Array(0), val: new Float64Array(0) };
  /** y -> (x, r): the raters of each y. */
  private yx: Csr = { nRows: 0, nCols: 0, indptr: new Int32Array(1), indices: new Int32Array(0), data: new Float32Array(0) };
  private offX: Float64Array = new Float64Array(0);
  private offY: Float64Array = new Float64Array(0);
  private divX: Float64Array = new Float64Array(0);
  private mu = 0;
  private bu: Float64Array = new Float64Array(0);
  private bi: Float64Array = new Float64Array(0);
  private scale: [number, number] | null = null;
  // prediction scratch
  private mark = new Int32Array(0);
  private rating = new Float32Array(0);
  private stamp = 0;
  /** 1 for items with training rows (Surprise's knows_item). */
  private itemKnown = new Uint8Array(0);
  /** scoreHistory's user-based similarity input and baselines, built on first use. */
  private historySim: HistorySimilarity | null = null;
  private historyBsl: Baselines | null = null;

  constructor(name: string, params: RatingKnnParams) {
    super(name, params);
    const ub = params.userBased;
    this.capabilities = { rating: true, similarItems: !ub, similarUsers: ub };
    if (!Number.isInteger(params.k) || params.k < 1) throw paramError(`${name}.k`, params.k, 'an integer >= 1');
    if (!Number.isInteger(params.minK) || params.minK < 0) throw paramError(`${name}.minK`, params.minK, 'an integer >= 0');
  }

  protected async train(data: Dataset, opts: FitOptions): Promise<Partial<FitReport>> {
    throwIfAborted(opts.signal);
    const p = this.params;
    const ub = p.userBased;
    const ui = this.seen;
    const iu = transpose(ui);
    const xy = ub ? ui : iu;
    this.yx = ub ? iu : ui;
    const nX = xy.nRows;
    const nY = this.yx.nRows;
    if (p.maxNeighbours === 0 && nX > FULL_SIMILARITY_LIMIT) {
      throw new AffinityError(
        'E_TOO_LARGE',
        `${this.name}: ${nX} ${ub ? 'users' : 'items'} is too many to keep every similarity (up to n^2 entries, limit ${FULL_SIMILARITY_LIMIT}); set maxNeighbours (e.g. 200)`,
        { field: `${this.name}.maxNeighbours` },
      );
    }
    this.mu = data.meanValue();
    this.scale = data.ratingScale ?? observedScale(data);
    let bsl: Baselines | undefined;
    if (p.variant === 'baseline' || p.similarity === 'pearson_baseline') {
      bsl = fitBaselines(data, {
        method: p.bslMethod,
        epochs: p.bslEpochs,
        regU: p.bslRegU,
        regI: p.bslRegI,
        learningRate: p.bslLearningRate,
        reg: p.bslReg,
        signal: opts.signal,
      });
    }
    this.offX = new Float64Array(nX);
    this.offY = new Float64Array(nY);
    this.divX = new Float64Array(nX).fill(1);
    if (p.variant === 'means' || p.variant === 'zscore') {
      let overall = 0;
      if (p.variant === 'zscore') overall = stdOf(data.value, 0, data.value.length, this.mu);
      for (let x = 0; x < nX; x++) {
        const s = xy.indptr[x];
        const e = xy.indptr[x + 1];
        if (e === s) continue;
        let sum = 0;
        for (let q = s; q < e; q++) sum += xy.data[q];
        const mean = sum / (e - s);
        this.offX[x] = mean;
        if (p.variant === 'zscore') {
          const sd = stdOf(xy.data, s, e, mean);
          this.divX[x] = sd === 0 ? overall : sd;
        }
      }
    } else if (p.variant === 'baseline' && bsl) {
      this.bu = bsl.bu;
      this.bi = bsl.bi;
      const bx = ub ? bsl.bu : bsl.bi;
      const by = ub ? bsl.bi : bsl.bu;
      for (let x = 0; x < nX; x++) this.offX[x] = bsl.mu + bx[x];
      for (let y = 0; y < nY; y++) this.offY[y] = by[y];
    }
    this.sim = await computeSimilarity(
      ui,
      { kind: p.similarity, userBased: ub, minSupport: p.minSupport, shrinkage: p.shrinkage, maxNeighbours: p.maxNeighbours, baselines: bsl },
      { threads: opts.threads ?? p.threads, signal: opts.signal, onProgress: opts.onProgress },
    );
    this.resetScratch();
    return {};
  }

  private resetScratch(): void {
    this.itemKnown = new Uint8Array(this.nItems);
    const { indptr, indices } = this.seen;
    for (let p = 0; p < indptr[this.seen.nRows]; p++) this.itemKnown[indices[p]] = 1;
    this.mark = new Int32Array(this.sim.n);
    this.rating = new Float32Array(this.sim.n);
    this.stamp = 0;
    this.historySim = null;
    this.historyBsl = null;
  }

  private knowsUser(u: number): boolean {
    return this.hasHistory(u);
  }
  private knowsItem(i: number): boolean {
    return i >= 0 && i < this.itemKnown.length && this.itemKnown[i] === 1;
  }

  /** Estimate when the user or the item is unknown. */
  private fallbackUnknown(u: number, i: number): number {
    if (this.params.variant !== 'baseline') return this.mu;
    let est = this.mu;
    if (this.knowsUser(u)) est += this.bu[u];
    if (this.knowsItem(i)) est += this.bi[i];
    return est;
  }

  /** Marks the raters of y (x -> rating) for `estimateMarked`. */
  private markRaters(y: number): void {
    if (++this.stamp === 0x7fffffff) {
      this.mark.fill(0);
      this.stamp = 1;
    }
    const st = this.stamp;
    const { indptr, indices, data } = this.yx;
    for (let q = indptr[y]; q < indptr[y + 1]; q++) {
      this.mark[indices[q]] = st;
      this.rating[indices[q]] = data[q];
    }
  }

  /** The estimate for (x, y) once the raters of y are marked (both known). */
  private estimateMarked(x: number, y: number): number {
    return this.estimateWith(x, this.offY[y]);
  }

  /** The estimate for x once the raters of the other side are marked, that side's offset being oy. */
  private estimateWith(x: number, oy: number): number {
    const { ptr, idx, val } = this.sim;
    const { mark, rating, offX, divX } = this;
    const st = this.stamp;
    const k = this.params.k;
    let sumSim = 0;
    let sumR = 0;
    let n = 0;
    for (let p = ptr[x], e = ptr[x + 1]; p < e && n < k; p++) {
      const nb = idx[p];
      if (mark[nb] !== st) continue;
      const s = val[p];
      sumSim += s;
      sumR += (s * (rating[nb] - offX[nb] - oy)) / divX[nb];
      n++;
    }
    return this.finishWith(offX[x], oy, divX[x], sumSim, sumR, n);
  }

  private finish(x: number, y: number, sumSim: number, sumR: number, n: number): number {
    return this.finishWith(this.offX[x], this.offY[y], this.divX[x], sumSim, sumR, n);
  }

  /** The clipped estimate from the neighbour sums, with the offsets (ox, oy) and divisor dx of the pair. */
  private finishWith(ox: number, oy: number, dx: number, sumSim: number, sumR: number, n: number): number {
    let est: number;
    if (this.params.variant === 'basic') {
      est = n < this.params.minK || !(sumSim > 0) ? this.mu : sumR / sumSim;
    } else {
      est = ox + oy;
      if (n >= this.params.minK && sumSim > 0) est += (dx * sumR) / sumSim;
    }
    return this.clip(est, this.scale);
  }

  override predict(user: number, item: number): number {
    this.assertFitted();
    if (!(this.knowsUser(user) && this.knowsItem(item))) return this.clip(this.fallbackUnknown(user, item), this.scale);
    const ub = this.params.userBased;
    const x = ub ? user : item;
    const y = ub ? item : user;
    this.markRaters(y);
    return this.estimateMarked(x, y);
  }

  scoreAll(user: number, out: Float32Array): void {
    this.assertFitted();
    const nI = this.nItems;
    if (!this.knowsUser(user)) {
      for (let i = 0; i < nI; i++) out[i] = this.clip(this.fallbackUnknown(user, i), this.scale);
      return;
    }
    if (!this.params.userBased) {
      // y = user: mark the user's items once, then each item x walks its own neighbour list
      this.markRaters(user);
      for (let i = 0; i < nI; i++) out[i] = this.knowsItem(i) ? this.estimateMarked(i, user) : this.clip(this.fallbackUnknown(user, i), this.scale);
      return;
    }
    // user-based: walk the user's neighbours best first; each item takes its first k raters among them
    const k = this.params.k;
    const cnt = new Int32Array(nI);
    const sSim = new Float64Array(nI);
    const sR = new Float64Array(nI);
    const { ptr, idx, val } = this.sim;
    const { indptr, indices, data } = this.seen;
    for (let p = ptr[user]; p < ptr[user + 1]; p++) {
      const nb = idx[p];
      const s = val[p];
      const o = this.offX[nb];
      const dv = this.divX[nb];
      for (let q = indptr[nb]; q < indptr[nb + 1]; q++) {
        const j = indices[q];
        if (cnt[j] >= k) continue;
        cnt[j]++;
        sSim[j] += s;
        sR[j] += (s * (data[q] - o - this.offY[j])) / dv;
      }
    }
    for (let j = 0; j < nI; j++) out[j] = this.knowsItem(j) ? this.finish(user, j, sSim[j], sR[j], cnt[j]) : this.clip(this.fallbackUnknown(user, j), this.scale);
  }

  /**
   * Estimates of every item for a user given by their ratings. User-based: the similarities of the
   * history to the training users are computed on the fly with the training measure and parameters
   * (a known user's own training row is then a neighbour too; it rated only the history's items, so
   * the other items' estimates equal scoreAll's). Item-based: the history's items play the user's
   * rated items in the stored item-item neighbourhoods. The history user's offsets: their mean
   * (means), mean and deviation (zscore) or mu + b_u with b_u = Σ(r - mu - b_i)/(bslRegU + n)
   * (baseline). The empty history gets an unknown user's estimates.
   */
  override scoreHistory(items: ArrayLike<number>, values: ArrayLike<number> | null, out: Float32Array): void {
    this.assertFitted();
    const h = readHistory(this.name, this.nItems, items, values);
    if (h.items.length === 0) {
      this.scoreAll(-1, out);
      return;
    }
    const p = this.params;
    const nI = this.nItems;
    let bsl: Baselines | undefined;
    if (p.variant === 'baseline' || p.similarity === 'pearson_baseline') {
      this.historyBsl ??= this.bu.length === this.nUsers ? { mu: this.mu, bu: this.bu, bi: this.bi } : baselinesOfCsr(this.seen, this.users, this.items, p);
      bsl = this.historyBsl;
    }
    const bu = bsl ? historyUserBias(h.items, h.values, bsl.mu, bsl.bi, p.bslRegU) : 0;
    const unknown = this.clip(p.variant === 'baseline' ? this.mu + bu : this.mu, this.scale);
    if (!p.userBased) {
      if (++this.stamp === 0x7fffffff) {
        this.mark.fill(0);
        this.stamp = 1;
      }
      for (let k = 0; k < h.items.length; k++) {
        this.mark[h.items[k]] = this.stamp;
        this.rating[h.items[k]] = h.values[k];
      }
      const oy = p.variant === 'baseline' ? bu : 0;
      for (let i = 0; i < nI; i++) out[i] = this.knowsItem(i) ? this.estimateWith(i, oy) : unknown;
      return;
    }
    this.historySim ??= new HistorySimilarity(this.seen, { kind: p.similarity, userBased: true, minSupport: p.minSupport, shrinkage: p.shrinkage, maxNeighbours: p.maxNeighbours, baselines: bsl });
    const nb = this.historySim.neighbours(h.items, this.historySim.weights(h, bsl, bu));
    // the history user's offset and divisor
    let ox = 0;
    let dx = 1;
    if (p.variant === 'means' || p.variant === 'zscore') {
      let sum = 0;
      for (let k = 0; k < h.values.length; k++) sum += h.values[k];
      ox = sum / h.values.length;
      if (p.variant === 'zscore') {
        const sd = stdOf(h.values, 0, h.values.length, ox);
        dx = sd === 0 ? stdOf(this.seen.data, 0, this.seen.data.length, this.mu) : sd;
      }
    } else if (p.variant === 'baseline' && bsl) ox = bsl.mu + bu;
    const { cnt, sSim, sR } = neighbourSums(nb, this.seen, this.offX, this.divX, this.offY, p.k);
    for (let j = 0; j < nI; j++) out[j] = this.knowsItem(j) ? this.finishWith(ox, this.offY[j], dx, sSim[j], sR[j], cnt[j]) : unknown;
  }

  override similarItems(item: number, n = 10): ScoredItems {
    this.assertFitted();
    if (this.params.userBased) return super.similarItems(item, n);
    return this.neighbours(item, n, 'item');
  }

  override similarUsers(user: number, n = 10): ScoredItems {
    this.assertFitted();
    if (!this.params.userBased) return super.similarUsers(user, n);
    return this.neighbours(user, n, 'user');
  }

  private neighbours(x: number, n: number, what: string): ScoredItems {
    if (!(Number.isInteger(x) && x >= 0 && x < this.sim.n)) throw new AffinityError('E_UNKNOWN_ID', `${what} index ${x} out of range 0..${this.sim.n - 1}`, { field: what });
    const s = this.sim.ptr[x];
    const e = Math.min(this.sim.ptr[x + 1], s + n);
    return { items: this.sim.idx.slice(s, e), scores: Float32Array.from(this.sim.val.subarray(s, e)) };
  }

  protected saveParts(): SavedParts {
    return {
      stateVersion: STATE_VERSION,
      meta: { mu: this.mu, scale: this.scale },
      arrays: {
        simPtr: this.sim.ptr,
        simIdx: this.sim.idx,
        simVal: this.sim.val,
        offX: this.offX,
        offY: this.offY,
        divX: this.divX,
        bu: this.bu,
        bi: this.bi,
      },
    };
  }

  protected loadParts(parts: SavedParts): void {
    if (parts.stateVersion !== STATE_VERSION) throw new AffinityError('E_MODEL_FILE', `${this.name}: unsupported state version ${parts.stateVersion}; expected ${STATE_VERSION}`);
    const a = parts.arrays;
    const ptr = a.simPtr as Int32Array;
    this.sim = { n: ptr.length - 1, ptr, idx: a.simIdx as Int32Array, val: a.simVal as Float64Array };
    this.offX = a.offX as Float64Array;
    this.offY = a.offY as Float64Array;
    this.divX = a.divX as Float64Array;
    this.bu = a.bu as Float64Array;
    this.bi = a.bi as Float64Array;
    this.mu = parts.meta.mu as number;
    this.scale = (parts.meta.scale as [number, number] | null) ?? null;
    this.yx = this.params.userBased ? transpose(this.seen) : this.seen;
    this.resetScratch();
  }
}

/** Population standard deviation of a[s..e) around `mean` (numpy's np.std). */
function stdOf(a: Float32Array, s: number, e: number, mean: number): number {
  if (e <= s) return 0;
  let ss = 0;
  for (let q = s; q < e; q++) ss += (a[q] - mean) * (a[q] - mean);
  return Math.sqrt(ss / (e - s));
}

function observedScale(data: Dataset): [number, number] | null {
  if (data.size === 0) return null;
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < data.size; k++) {
    const v = data.value[k];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

