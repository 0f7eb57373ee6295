import { readHistory } from '../history.js';
import { AffinityError, paramError } from '../../core/errors.js';
import { topK } from '../../core/topk.js';
import type { Dataset } from '../../data/dataset.js';
import type { SavedParts } from '../base.js';
import type { ParamSpecs } from '../params.js';
import type { AnyTypedArray, FitOptions, FitReport } from '../recommender.js';
import { CompositeRecommender, historyOf, minMaxNormalise, parseComponents } from './composite.js';

function twoSpecs(self: CompositeRecommender, text: string): { name: string; params: Record<string, string> }[] {
  const s = parseComponents(`${self.name}.models`, text);
  if (s.length !== 2) throw paramError(`${self.name}.models`, text, 'exactly two models joined by +, e.g. als+segment-popularity');
  return s;
}

export const SWITCHING_PARAMS: ParamSpecs = {
  models: { default: 'als+popularity', doc: "Two models A+B: users with fewer than `threshold` interactions get B's scores, the others A's." },
  threshold: { default: 3, min: 0, integer: true, doc: 'History length below which the second model answers.' },
};

/** Switching hybrid: model B for users with a short history (interaction count < threshold), A otherwise. */
export class SwitchingHybrid extends CompositeRecommender {
  protected componentSpecs(): { name: string; params: Record<string, string> }[] {
    return twoSpecs(this, String(this.params.models));
  }
  protected async train(data: Dataset, opts: FitOptions): Promise<Partial<FitReport>> {
    await this.fitComponents(data, opts);
    return {};
  }
  private pick(n: number): number {
    return n < Number(this.params.threshold) ? 1 : 0;
  }
  scoreAll(user: number, out: Float32Array): void {
    this.assertFitted();
    const n = this.hasHistory(user) ? this.seen.indptr[user + 1] - this.seen.indptr[user] : 0;
    this.components[this.pick(n)].scoreAll(user, out);
  }
  override scoreHistory(rawItems: ArrayLike<number>, rawValues: ArrayLike<number> | null, out: Float32Array): void {
    this.assertFitted();
    const { items, values } = readHistory(this.name, this.nItems, rawItems, rawValues);
    historyOf(this.components[this.pick(items.length)], items, values, out);
  }
}

export const CASCADE_PARAMS: ParamSpecs = {
  models: { default: 'popularity+als', doc: "Two models A+B: A's top `candidates` unseen items are re-ranked by B." },
  candidates: { default: 100, min: 1, integer: true, doc: "Number of A's candidates that B re-ranks." },
};

/**
 * Cascade: A's top-N unseen candidates re-ranked by B. Scores: candidates 2 + minmax(B) (so they
 * come first, in B's order), every other item minmax(A) in [0, 1].
 */
export class CascadeHybrid extends CompositeRecommender {
  protected componentSpecs(): { name: string; params: Record<string, string> }[] {
    return twoSpecs(this, String(this.params.models));
  }
  protected async train(data: Dataset, opts: FitOptions): Promise<Partial<FitReport>> {
    await this.fitComponents(data, opts);
    return {};
  }
  private combine(a: Float32Array, b: Float32Array, seen: ArrayLike<number>, out: Float32Array): void {
    const masked = this.buf(2);
    masked.set(a);
    for (let k = 0; k < seen.length; k++) masked[seen[k]] = -Infinity;
    const cand = topK(masked, Number(this.params.candidates)).items;
    minMaxNormalise(a);
    minMaxNormalise(b);
    out.set(a);
    for (let k = 0; k < cand.length; k++) out[cand[k]] = 2 + b[cand[k]];
  }
  scoreAll(user: number, out: Float32Array): void {
    this.assertFitted();
    const a = this.buf(0);
    const b = this.buf(1);
    this.components[0].scoreAll(user, a);
    this.components[1].scoreAll(user, b);
    const seen = this.hasHistory(user) ? this.seen.indices.subarray(this.seen.indptr[user], this.seen.indptr[user + 1]) : new Int32Array(0);
    this.combine(a, b, seen, out);
  }
  override scoreHistory(rawItems: ArrayLike<number>, rawValues: ArrayLike<number> | null, out: Float32Array): void {
    this.assertFitted();
    const { items, values } = readHistory(this.name, this.nItems, rawItems, rawValues);
    const a = this.buf(0);
    const b = this.buf(1);
    historyOf(this.components[0], items, values, a);
    historyOf(this.components[1], items, values, b);
    this.combine(a, b, items, out);
  }
}

export const META_PARAMS: ParamSpecs = {
  models: { default: 'als', doc: 'A factor model whose learned item factors become the item representation (ALS: `itemFactors`).' },
};

/**
 * Meta-level hybrid: a content-profile model over another model's learned representation. The
 * item vectors are the (L2-normalised) item factors of the component; a user's profile is the
 * value-weighted mean of their items' vectors; score = cosine(profile, item). Users without history
 * get item popularity (training counts).
 */
export class MetaHybrid extends CompositeRecommender {
  vectors: Float32Array = new Float32Array(0);
  dim = 0;
  popularity: Float32Array = new Float32Array(0);

  protected componentSpecs(): { name: string; params: Record<string, string> }[] {
    const s = parseComponents(`${this.name}.models`, String(this.params.models));
    if (s.length !== 1) throw paramError(`${this.name}.models`, this.params.models, 'one factor model, e.g. als');
    return s;
  }
  protected async train(data: Dataset, opts: FitOptions): Promise<Partial<FitReport>> {
    await this.fitComponents(data, opts);
    const f = (this.components[0] as unknown as { itemFactors?: unknown }).itemFactors;
    if (!(f instanceof Float32Array) || f.length % Math.max(1, data.nItems) !== 0) {
      throw new AffinityError('E_PARAM', `${this.name}.models: ${this.components[0].name} exposes no item factors; expected a factor model such as als`, { field: `${this.name}.models` });
    }
    this.dim = f.length / data.nItems;
    this.vectors = Float32Array.from(f);
    const d = this.dim;
    for (let i = 0; i < data.nItems; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += this.vectors[i * d + j] ** 2;
      const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
      for (let j = 0; j < d; j++) this.vectors[i * d + j] *= inv;
    }
    this.popularity = new Float32Array(data.nItems);
    const csc = data.csc();
    for (let i = 0; i < data.nItems; i++) this.popularity[i] = csc.indptr[i + 1] - csc.indptr[i];
    return {};
  }
  private profileScores(items: ArrayLike<number>, values: ArrayLike<number> | null, out: Float32Array): void {
    if (items.length === 0) {
      out.set(this.popularity);
      return;
    }
    const d = this.dim;
    const p = new Float64Array(d);
    for (let k = 0; k < items.length; k++) {
      const w = values ? values[k] : 1;
      const o = items[k] * d;
      for (let j = 0; j < d; j++) p[j] += w * this.vectors[o + j];
    }
    let norm = 0;
    for (let j = 0; j < d; j++) norm += p[j] * p[j];
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let i = 0; i < out.length; i++) {
      let s = 0;
      const o = i * d;
      for (let j = 0; j < d; j++) s += p[j] * this.vectors[o + j];
      out[i] = s * inv;
    }
  }
  scoreAll(user: number, out: Float32Array): void {
    this.assertFitted();
    if (!this.hasHistory(user)) return this.profileScores([], null, out);
    const s = this.seen.indptr[user];
    const e = this.seen.indptr[user + 1];
    this.profileScores(this.seen.indices.subarray(s, e), this.seen.data.subarray(s, e), out);
  }
  override scoreHistory(rawItems: ArrayLike<number>, rawValues: ArrayLike<number> | null, out: Float32Array): void {
    this.assertFitted();
    const { items, values } = readHistory(this.name, this.nItems, rawItems, rawValues);
    this.profileScores(items, values, out);
  }
  protected override ownParts(): { meta: Record<string, unknown>; arrays: Record<string, AnyTypedArray> } {
    return { meta: { dim: this.dim }, arrays: { vectors: this.vectors, popularity: this.popularity } };
  }
  protected override loadOwnParts(parts: SavedParts): void {
    const v = parts.arrays.vectors;
    const p = parts.arrays.popularity;
    if (!(v instanceof Float32Array) || !(p instanceof Float32Array)) throw new AffinityError('E_MODEL_FILE', `${this.name}: saved state lacks vectors/popularity`);
    this.vectors = v;
    this.popularity = p;
    this.dim = Number(parts.meta.dim);
  }
}
