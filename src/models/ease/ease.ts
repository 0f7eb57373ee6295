import { cooToCsr, type Csr } from '../../core/csr.js';
import { AffinityError, throwIfAborted } from '../../core/errors.js';
import { topK } from '../../core/topk.js';
import type { Dataset } from '../../data/dataset.js';
import { BaseRecommender, type SavedParts } from '../base.js';
import { readHistory } from '../history.js';
import type { FitOptions, FitReport, ModelCapabilities, Params, ScoredItems } from '../recommender.js';
import { choleskyLower, factorInverseProduct, gramLower, invertFactorTransposed, symmetrizeFromLower } from './linalg.js';
import { recencyWeights } from './time-decay.js';

export interface EaseParams extends Params {
  lambda: number;
  maxItems: number;
  halfLifeDays: number;
  binary: boolean;
}

/** Bytes of memory the solve needs for `m` items: the f64 Gram/inverse plus the f32 weights. */
export function easeMemoryBytes(m: number): number {
  return m * m * 12;
}

/**
 * EASE (Steck 2019, "Embarrassingly Shallow Autoencoders"): item-item weights in closed form,
 * B = I - P·diag(1/diag(P)) with P = (XᵀX + λI)⁻¹, so diag(B) = 0 and B[i][j] = -P[i][j]/P[j][j].
 * A user's score for item j is Σ_i x_ui·B[i][j] (the sum of the rows of B of the user's items).
 *
 * Only items with training rows take part (an item without rows has a zero row and column of B in
 * the exact solution, so leaving it out changes nothing); they score 0. X holds the data's values
 * (1 with `binary`), times the recency weight 0.5^(age/halfLifeDays) when `halfLifeDays` > 0; the
 * same weighted history is used at scoring time. Users without history get item popularity.
 */
export class EaseModel extends BaseRecommender<EaseParams> {
  readonly capabilities: ModelCapabilities = { rating: false, similarItems: true, similarUsers: false };
  /** Number of items in the solve. */
  private m = 0;
  /** Solve index -> item index. */
  private active: Int32Array = new Int32Array(0);
  /** Item index -> solve index, or -1. */
  private pos: Int32Array = new Int32Array(0);
  /** m x m row-major: B[r*m + c] = weight of item active[r] towards item active[c]. */
  private weights: Float32Array = new Float32Array(0);
  /** Users with training rows over the item (number of them), the cold-start scores. */
  private popularity: Float32Array = new Float32Array(0);
  /** Values of X aligned with `seen` when they differ from seen.data (binary or decayed), else null. */
  private xData: Float32Array | null = null;
  private acc: Float32Array = new Float32Array(0);

  protected train(data: Dataset, opts: FitOptions): Partial<FitReport> {
    const p = this.params;
    const decay = recencyWeights(data, p.halfLifeDays, `${this.name}.halfLifeDays`);
    let x: Csr = this.seen;
    this.xData = null;
    if (decay || p.binary) {
      const vals = new Float32Array(data.size);
      for (let k = 0; k < data.size; k++) vals[k] = (p.binary ? 1 : data.value[k]) * (decay ? decay[k] : 1);
      x = cooToCsr(data.nUsers, data.nItems, data.user, data.item, vals, 'last');
      this.xData = x.data;
    }
    const nItems = x.nCols;
    const counts = new Int32Array(nItems);
    for (let q = 0; q < x.indices.length; q++) if (x.data[q] !== 0) counts[x.indices[q]]++;
    const pos = new Int32Array(nItems).fill(-1);
    let m = 0;
    for (let i = 0; i < nItems; i++) if (counts[i] > 0) pos[i] = m++;
    if (m > p.maxItems) throw tooLarge(this.name, m, p.maxItems);
    const active = new Int32Array(m);
    for (let i = 0; i < nItems; i++) if (pos[i] >= 0) active[pos[i]] = i;

    const report = (phase: string, done: number): void => opts.onProgress?.({ phase, done, total: 4 });
    const a = gramLower(x, pos, m, p.lambda);
    report('gram', 1);
    throwIfAborted(opts.signal);
    const vd = new Float64Array(m);
    const pd = new Float64Array(m);
    choleskyLower(a, m);
    report('cholesky', 2);
    throwIfAborted(opts.signal);
    invertFactorTransposed(a, m, vd);
    factorInverseProduct(a, m, vd, pd);
    symmetrizeFromLower(a, m, pd);
    report('inverse', 3);
    throwIfAborted(opts.signal);
    const w = new Float32Array(m * m);
    for (let r = 0; r < m; r++) {
      const rr = r * m;
      for (let c = 0; c < m; c++) w[rr + c] = c === r ? 0 : -a[rr + c] / pd[c];
    }
    report('weights', 4);
    this.m = m;
    this.active = active;
    this.pos = pos;
    this.weights = w;
    this.popularity = Float32Array.from(counts);
    this.acc = new Float32Array(m);
    return {};
  }

  scoreAll(user: number, out: Float32Array): void {
    this.assertFitted();
    if (!this.hasHistory(user)) {
      out.set(this.popularity);
      return;
    }
    const { indptr, indices } = this.seen;
    const vals = this.xData ?? this.seen.data;
    const s = indptr[user];
    const e = indptr[user + 1];
    this.scoreRows(indices.subarray(s, e), vals.subarray(s, e), out);
  }

  /** out = x·B for the history items[k] with value values[k] (1 when values is null); items outside the solve add nothing. */
  private scoreRows(items: ArrayLike<number>, values: ArrayLike<number> | null, out: Float32Array): void {
    const m = this.m;
    const acc = this.acc;
    const w = this.weights;
    acc.fill(0);
    for (let k = 0; k < items.length; k++) {
      const r = this.pos[items[k]];
      const x = values ? values[k] : 1;
      if (r < 0 || x === 0) continue;
      const rr = r * m;
      for (let c = 0; c < m; c++) acc[c] += x * w[rr + c];
    }
    out.fill(0);
    const active = this.active;
    for (let c = 0; c < m; c++) out[active[c]] = acc[c];
  }

  /**
   * x·B for a history x (its values, 1 with `binary`; no time decay: the events are taken as fresh);
   * the empty history gets item popularity. Items outside the solve add nothing and score 0.
   */
  override scoreHistory(items: ArrayLike<number>, values: ArrayLike<number> | null, out: Float32Array): void {
    this.assertFitted();
    const h = readHistory(this.name, this.nItems, items, values);
    if (h.items.length === 0) {
      out.set(this.popularity);
      return;
    }
    this.scoreRows(h.items, this.params.binary ? null : h.values, out);
  }

  /** The weight B[from][to] (0 for items outside the solve). */
  weight(from: number, to: number): number {
    this.assertFitted();
    const r = this.pos[from];
    const c = this.pos[to];
    return r < 0 || c < 0 ? 0 : this.weights[r * this.m + c];
  }

  /** Items whose presence in a history most raises `item`'s score: the largest entries of B's column `item`. */
  override similarItems(item: number, n = 10): ScoredItems {
    this.assertFitted();
    if (!(item >= 0 && item < this.nItems)) throw new AffinityError('E_UNKNOWN_ID', `item index ${item} out of range 0..${this.nItems - 1}`, { field: 'item' });
    const scores = new Float32Array(this.nItems).fill(-Infinity);
    const c = this.pos[item];
    if (c < 0) return { items: new Int32Array(0), scores: new Float32Array(0) };
    const m = this.m;
    for (let r = 0; r < m; r++) if (r !== c) scores[this.active[r]] = this.weights[r * m + c];
    return topK(scores, n);
  }

  protected saveParts(): SavedParts {
    const arrays: SavedParts['arrays'] = { weights: this.weights, active: this.active, popularity: this.popularity };
    if (this.xData) arrays.xData = this.xData;
    return { stateVersion: 1, meta: { solveItems: this.m }, arrays };
  }

  protected loadParts(parts: SavedParts): void {
    if (parts.stateVersion !== 1) throw new AffinityError('E_MODEL_FILE', `${this.name}: saved state version ${parts.stateVersion} is not supported; expected 1`);
    const { weights, active, popularity, xData } = parts.arrays;
    if (!(weights instanceof Float32Array) || !(active instanceof Int32Array) || !(popularity instanceof Float32Array)) {
      throw new AffinityError('E_MODEL_FILE', `${this.name}: saved state lacks weights (f32), active (i32) or popularity (f32)`);
    }
    const m = active.length;
    if (weights.length !== m * m) throw new AffinityError('E_MODEL_FILE', `${this.name}: weights has ${weights.length} entries; expected ${m}² = ${m * m}`);
    this.m = m;
    this.active = active;
    this.weights = weights;
    this.popularity = popularity;
    this.xData = xData instanceof Float32Array ? xData : null;
    this.pos = new Int32Array(this.seen.nCols).fill(-1);
    for (let r = 0; r < m; r++) this.pos[active[r]] = r;
    this.acc = new Float32Array(m);
  }
}

function tooLarge(model: string, m: number, maxItems: number): AffinityError {
  const gb = (easeMemoryBytes(m) / 1e9).toFixed(1);
  const tflop = (m ** 3 / 1e12).toFixed(2);
  return new AffinityError(
    'E_TOO_LARGE',
    `${model}: ${m} items have training rows, more than maxItems=${maxItems}; the dense item-item solve would need about ${gb} GB of memory ` +
      `(n² × 12 bytes) and ${tflop} TFLOP. Prune items first (k-core filtering or a minimum interaction count per item), ` +
      `use item-knn or als for catalogues this large, or raise ${model}.maxItems if the memory is there`,
    { field: `${model}.maxItems` },
  );
}
