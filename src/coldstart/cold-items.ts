import { readHistory } from '../models/history.js';
import { AffinityError, paramError } from '../core/errors.js';
import type { Dataset } from '../data/dataset.js';
import type { SavedParts } from '../models/base.js';
import { CompositeRecommender, parseComponents } from '../models/combine/composite.js';
import { defineModel, type ModelEntry } from '../models/entry.js';
import type { ParamSpecs } from '../models/params.js';
import type { AnyTypedArray, FitOptions, FitReport } from '../models/recommender.js';
import { itemFeatureMatrix, sparseRidge } from './item-matrix.js';

interface FactorModel {
  userFactors: Float32Array;
  itemFactors: Float32Array;
  foldInUser?: (items: Int32Array, values: Float32Array) => Float32Array;
}

export const COLD_ITEMS_PARAMS: ParamSpecs = {
  model: { default: 'als', doc: "The factor model (exposing userFactors/itemFactors, e.g. als; its params after ';')." },
  lambda: { default: 1, min: 0, doc: 'Ridge penalty of the regression from item features to item factors.' },
  iterations: { default: 100, min: 1, integer: true, doc: 'Conjugate-gradient steps per factor of the ridge solve.' },
  minDf: { default: 2, min: 1, integer: true, doc: 'Text tokens in fewer items than this are dropped.' },
};

/**
 * New items in the collaborative latent space: fits a factor model, learns a ridge regression from
 * item features (data.itemFeatures: one-hot categories/tags, TF-IDF text, scaled numbers) to the
 * item factors of warm items, and gives every item without training rows the predicted factors;
 * scores are user factors . item factors. Without item features cold items get the mean factors.
 */
export class ColdItems extends CompositeRecommender {
  factors: Float32Array = new Float32Array(0);
  userFactors: Float32Array = new Float32Array(0);
  dim = 0;

  protected componentSpecs(): { name: string; params: Record<string, string> }[] {
    const s = parseComponents(`${this.name}.model`, String(this.params.model));
    if (s.length !== 1) throw paramError(`${this.name}.model`, this.params.model, 'one factor model, e.g. als');
    return s;
  }

  protected async train(data: Dataset, opts: FitOptions): Promise<Partial<FitReport>> {
    await this.fitComponents(data, opts);
    const m = this.components[0] as unknown as Partial<FactorModel>;
    if (!(m.itemFactors instanceof Float32Array) || !(m.userFactors instanceof Float32Array)) {
      throw new AffinityError('E_PARAM', `${this.name}.model: ${this.components[0].name} exposes no user/item factors; expected a factor model such as als`, { field: `${this.name}.model` });
    }
    const f = (this.dim = m.itemFactors.length / data.nItems);
    this.userFactors = Float32Array.from(m.userFactors);
    this.factors = Float32Array.from(m.itemFactors);
    const counts = data.itemCounts();
    const warm: number[] = [];
    const cold: number[] = [];
    for (let i = 0; i < data.nItems; i++) (counts[i] > 0 ? warm : cold).push(i);
    if (cold.length > 0) {
      const { x } = itemFeatureMatrix(data.itemFeatures, data.items, Number(this.params.minDf));
      const w = sparseRidge(x, Int32Array.from(warm), this.factors, f, Number(this.params.lambda), Number(this.params.iterations));
      for (const i of cold) {
        const o = i * f;
        this.factors.fill(0, o, o + f);
        for (let q = x.indptr[i]; q < x.indptr[i + 1]; q++) {
          const v = x.data[q];
          const wo = x.indices[q] * f;
          for (let d = 0; d < f; d++) this.factors[o + d] += v * w[wo + d];
        }
      }
    }
    return {};
  }

  private dotAll(u: Float32Array, uo: number, out: Float32Array): void {
    const f = this.dim;
    const q = this.factors;
    for (let i = 0; i < out.length; i++) {
      let s = 0;
      const o = i * f;
      for (let d = 0; d < f; d++) s += u[uo + d] * q[o + d];
      out[i] = s;
    }
  }

  scoreAll(user: number, out: Float32Array): void {
    this.assertFitted();
    if (!this.hasHistory(user)) return this.components[0].scoreAll(user, out);
    this.dotAll(this.userFactors, user * this.dim, out);
  }

  override scoreHistory(rawItems: ArrayLike<number>, rawValues: ArrayLike<number> | null, out: Float32Array): void {
    this.assertFitted();
    const { items, values } = readHistory(this.name, this.nItems, rawItems, rawValues);
    const m = this.components[0] as unknown as Partial<FactorModel>;
    if (items.length === 0) return this.components[0].scoreAll(-1, out);
    if (typeof m.foldInUser !== 'function') throw new AffinityError('E_UNSUPPORTED', `${this.name}: ${this.components[0].name} cannot fold in a history`);
    const it = Int32Array.from(items);
    const v = m.foldInUser.call(this.components[0], it, values ? Float32Array.from(values) : new Float32Array(it.length).fill(1));
    this.dotAll(v, 0, out);
  }

  protected override ownParts(): { meta: Record<string, unknown>; arrays: Record<string, AnyTypedArray> } {
    return { meta: { dim: this.dim }, arrays: { factors: this.factors, userFactors: this.userFactors } };
  }
  protected override loadOwnParts(parts: SavedParts): void {
    const { factors, userFactors } = parts.arrays;
    if (!(factors instanceof Float32Array) || !(userFactors instanceof Float32Array)) throw new AffinityError('E_MODEL_FILE', `${this.name}: saved state lacks factors/userFactors`);
    this.factors = factors;
    this.userFactors = userFactors;
    this.dim = Number(parts.meta.dim);
  }
}

export const coldItems: ModelEntry = defineModel({
  name: 'cold-items',
  summary: 'New items placed in a factor model\'s latent space by ridge regression from item features (genres, tags, text) to the warm items\' factors.',
  task: 'ranking',
  params: COLD_ITEMS_PARAMS,
  build: (name, params) => new ColdItems(name, params),
});
