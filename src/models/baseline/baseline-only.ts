import { AffinityError } from '../../core/errors.js';
import type { Dataset } from '../../data/dataset.js';
import { BaseRecommender, type SavedParts } from '../base.js';
import { defineModel, presetOf, type ModelEntry } from '../entry.js';
import { readHistory } from '../history.js';
import type { ParamSpecs } from '../params.js';
import type { FitOptions, FitReport, ModelCapabilities, Params } from '../recommender.js';
import { baselineRmse, fitBaselines } from './baselines.js';

export const BASELINE_PARAMS: ParamSpecs = {
  method: { default: 'als', choices: ['als', 'sgd'], doc: "How the biases are estimated: 'als' (alternating least squares) or 'sgd'. Default 'als'." },
  epochs: { default: 10, integer: true, min: 0, max: 100000, doc: 'Passes over the data (Surprise n_epochs: 10 for ALS, 20 for SGD). Default 10.' },
  regU: { default: 15, min: 0, doc: 'ALS: regularisation of the user biases (Surprise reg_u). Default 15.' },
  regI: { default: 10, min: 0, doc: 'ALS: regularisation of the item biases (Surprise reg_i). Default 10.' },
  learningRate: { default: 0.005, min: 1e-12, doc: 'SGD: learning rate (Surprise learning_rate). Default 0.005.' },
  reg: { default: 0.02, min: 0, doc: 'SGD: regularisation of both biases (Surprise reg). Default 0.02.' },
};

/**
 * BaselineOnly (Koren 2010; Surprise's BaselineOnly): r_ui = mu + b_u + b_i. Unknown users or items
 * contribute no bias. Predictions are clipped to the rating scale (the data's, else the observed
 * [min, max] of the training values); ranking scores are the unclipped estimates.
 */
export class BaselineOnly extends BaseRecommender {
  readonly capabilities: ModelCapabilities = { rating: true, similarItems: false, similarUsers: false };
  mu = 0;
  bu: Float64Array = new Float64Array(0);
  bi: Float64Array = new Float64Array(0);
  scale: [number, number] = [0, 0];

  protected train(data: Dataset, opts: FitOptions): Partial<FitReport> {
    const b = fitBaselines(data, {
      method: this.params.method as 'als' | 'sgd',
      epochs: this.params.epochs as number,
      regU: this.params.regU as number,
      regI: this.params.regI as number,
      learningRate: this.params.learningRate as number,
      reg: this.params.reg as number,
      signal: opts.signal,
      onProgress: opts.onProgress,
    });
    this.mu = b.mu;
    this.bu = b.bu;
    this.bi = b.bi;
    this.scale = data.ratingScale ?? observedRange(data.value);
    const R = data.csr();
    return { loss: baselineRmse(R.indptr, R.indices, R.data, b) };
  }

  scoreAll(user: number, out: Float32Array): void {
    this.assertFitted();
    const base = this.mu + (user >= 0 && user < this.bu.length ? this.bu[user] : 0);
    const bi = this.bi;
    for (let i = 0; i < out.length; i++) out[i] = base + bi[i];
  }

  /**
   * mu + b_u + b_i with the user bias of the history's ratings, b_u = Σ(r - mu - b_i) / (regU + n)
   * (the ALS user update against the trained item biases; 0 for an empty history).
   */
  override scoreHistory(items: ArrayLike<number>, values: ArrayLike<number> | null, out: Float32Array): void {
    this.assertFitted();
    const h = readHistory(this.name, this.nItems, items, values);
    const base = this.mu + historyUserBias(h.items, h.values, this.mu, this.bi, this.params.regU as number);
    const bi = this.bi;
    for (let i = 0; i < out.length; i++) out[i] = base + bi[i];
  }

  /** mu + b_u + b_i clipped to the rating scale; an unknown user or item adds no bias. */
  override predict(user: number, item: number): number {
    this.assertFitted();
    let r = this.mu;
    if (user >= 0 && user < this.bu.length) r += this.bu[user];
    if (item >= 0 && item < this.bi.length) r += this.bi[item];
    return this.clip(r, this.scale);
  }

  protected saveParts(): SavedParts {
    return { stateVersion: 1, meta: { mu: this.mu, scale: this.scale }, arrays: { bu: this.bu, bi: this.bi } };
  }

  protected loadParts(parts: SavedParts): void {
    const { bu, bi } = parts.arrays;
    const { mu, scale } = parts.meta;
    if (!(bu instanceof Float64Array) || !(bi instanceof Float64Array) || typeof mu !== 'number' || !isScale(scale)) {
      throw new AffinityError('E_MODEL_FILE', `${this.name}: saved state lacks bu/bi (float64), mu or scale`);
    }
    if (bi.length !== this.nItems || bu.length !== this.nUsers) {
      throw new AffinityError('E_MODEL_FILE', `${this.name}: saved biases have ${bu.length} users / ${bi.length} items; expected ${this.nUsers} / ${this.nItems}`);
    }
    this.bu = bu;
    this.bi = bi;
    this.mu = mu;
    this.scale = scale;
  }
}

/** b_u = Σ(r - mu - b_i) / (reg + n) over a history (0 when it is empty and reg is 0). */
export function historyUserBias(items: Int32Array, values: Float32Array, mu: number, bi: Float64Array, reg: number): number {
  let dev = 0;
  for (let k = 0; k < items.length; k++) dev += values[k] - mu - bi[items[k]];
  const d = reg + items.length;
  return d > 0 ? dev / d : 0;
}

function observedRange(v: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < v.length; k++) {
    if (v[k] < lo) lo = v[k];
    if (v[k] > hi) hi = v[k];
  }
  return [lo, hi];
}

function isScale(s: unknown): s is [number, number] {
  return Array.isArray(s) && s.length === 2 && typeof s[0] === 'number' && typeof s[1] === 'number';
}

const baselineEntry = defineModel({
  name: 'baseline',
  summary: 'BaselineOnly: global mean + user bias + item bias, fitted by ALS (Surprise defaults)',
  task: 'rating',
  params: BASELINE_PARAMS,
  build: (name: string, params: Params) => new BaselineOnly(name, params),
});

export const baselineEntries: ModelEntry[] = [
  baselineEntry,
  presetOf(baselineEntry, 'baseline-sgd', 'BaselineOnly fitted by SGD (Surprise defaults: 20 epochs, lr 0.005, reg 0.02)', { method: 'sgd', epochs: 20 }),
];
