/**
 * A cheap coarse ranker for large candidate sets: logistic regression, optionally with an order-2
 * factorization machine term (Rendle 2010), trained by AdaGrad on the log-loss of (label > 0).
 * Features are standardised with the training means / deviations (saved with the model); NaN -> 0
 * after standardisation (the mean). Score = w0 + sum_i w_i x_i + 1/2 sum_f [(sum_i v_if x_i)^2 - sum_i v_if^2 x_i^2].
 */
import { AffinityError, paramError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { checkShape, type FeatureSchema, type Ranker, type RankerState, type RankingData } from './types.js';

export interface CoarseParams {
  /** FM factors; 0 = plain logistic regression. */
  factors: number;
  epochs: number;
  learningRate: number;
  /** L2 on weights and factors. */
  l2: number;
  /** Negatives kept per positive (random subsample, 0 = all rows). */
  negPerPos: number;
  initStd: number;
  seed: number;
}

export const COARSE_DEFAULTS: CoarseParams = { factors: 0, epochs: 5, learningRate: 0.1, l2: 1e-5, negPerPos: 0, initStd: 0.01, seed: 1 };

export class CoarseRanker implements Ranker {
  readonly kind = 'coarse';
  private constructor(
    readonly params: CoarseParams,
    readonly schema: FeatureSchema,
    private readonly mean: Float64Array,
    private readonly scale: Float64Array,
    private readonly w0: number,
    readonly weights: Float32Array,
    /** nCols x factors, row-major. */
    private readonly v: Float32Array,
  ) {}

  static train(data: RankingData, params: Partial<CoarseParams> = {}, onEpoch?: (epoch: number, loss: number) => void): CoarseRanker {
    const p: CoarseParams = { ...COARSE_DEFAULTS, ...params };
    for (const k of ['factors', 'epochs', 'negPerPos'] as const) if (!(Number.isInteger(p[k]) && p[k] >= (k === 'epochs' ? 1 : 0))) throw paramError(k, p[k], k === 'epochs' ? 'an integer >= 1' : 'an integer >= 0');
    if (!(p.learningRate > 0)) throw paramError('learningRate', p.learningRate, 'a positive number');
    if (!(p.l2 >= 0)) throw paramError('l2', p.l2, 'a number >= 0');
    const { features: x, nRows, nCols, labels } = data;
    checkShape(data.schema, x, nRows, nCols, 'CoarseRanker.train');
    if (nRows === 0) throw new AffinityError('E_EMPTY', 'CoarseRanker.train: no training rows');
    // standardisation
    const mean = new Float64Array(nCols);
    const sq = new Float64Array(nCols);
    const cnt = new Float64Array(nCols);
    for (let r = 0; r < nRows; r++) {
      for (let c = 0; c < nCols; c++) {
        const val = x[r * nCols + c];
        if (val === val) {
          mean[c] += val;
          sq[c] += val * val;
          cnt[c]++;
        }
      }
    }
    const scale = new Float64Array(nCols);
    for (let c = 0; c < nCols; c++) {
      const m = cnt[c] ? mean[c] / cnt[c] : 0;
      const sd = cnt[c] ? Math.sqrt(Math.max(0, sq[c] / cnt[c] - m * m)) : 0;
      mean[c] = m;
      scale[c] = sd > 1e-12 ? 1 / sd : 0;
    }
    // rows to train on: all positives, negatives subsampled
    const rng = new Rng(p.seed);
    const pos: number[] = [];
    const neg: number[] = [];
    for (let r = 0; r < nRows; r++) (labels[r] > 0 ? pos : neg).push(r);
    let rows: Int32Array;
    if (p.negPerPos > 0 && neg.length > p.negPerPos * pos.length) {
      const keep = rng.permutation(neg.length).subarray(0, p.negPerPos * pos.length);
      rows = Int32Array.from([...pos, ...Array.from(keep, (k) => neg[k])]);
    } else rows = Int32Array.from({ length: nRows }, (_, k) => k);
    const K = p.factors;
    const w = new Float32Array(nCols);
    const v = new Float32Array(nCols * K);
    for (let k = 0; k < v.length; k++) v[k] = rng.normal() * p.initStd;
    let w0 = 0;
    const gw0 = { s: 1e-8 };
    const gw = new Float64Array(nCols).fill(1e-8);
    const gv = new Float64Array(nCols * K).fill(1e-8);
    const z = new Float64Array(nCols);
    const sumV = new Float64Array(K);
    const lr = p.learningRate;
    for (let e = 0; e < p.epochs; e++) {
      rng.shuffle(rows);
      let loss = 0;
      for (let t = 0; t < rows.length; t++) {
        const r = rows[t];
        const y = labels[r] > 0 ? 1 : 0;
        let s = w0;
        for (let c = 0; c < nCols; c++) {
          const val = x[r * nCols + c];
          const zc = val === val ? (val - mean[c]) * scale[c] : 0;
          z[c] = zc;
          s += w[c] * zc;
        }
        if (K > 0) {
          sumV.fill(0);
          let sq2 = 0;
          for (let c = 0; c < nCols; c++) {
            const zc = z[c];
            if (zc === 0) continue;
            const o = c * K;
            for (let f = 0; f < K; f++) {
              const a = v[o + f] * zc;
              sumV[f] += a;
              sq2 += a * a;
            }
          }
          let inter = 0;
          for (let f = 0; f < K; f++) inter += sumV[f] * sumV[f];
          s += 0.5 * (inter - sq2);
        }
        const pr = 1 / (1 + Math.exp(-s));
        loss += s > 0 ? (1 - y) * s + Math.log1p(Math.exp(-s)) : -y * s + Math.log1p(Math.exp(s));
        const g = pr - y;
        gw0.s += g * g;
        w0 -= (lr * g) / Math.sqrt(gw0.s);
        for (let c = 0; c < nCols; c++) {
          const zc = z[c];
          if (zc === 0) continue;
          const gc = g * zc + p.l2 * w[c];
          gw[c] += gc * gc;
          w[c] -= (lr * gc) / Math.sqrt(gw[c]);
          const o = c * K;
          for (let f = 0; f < K; f++) {
            const gf = g * zc * (sumV[f] - v[o + f] * zc) + p.l2 * v[o + f];
            gv[o + f] += gf * gf;
            v[o + f] -= (lr * gf) / Math.sqrt(gv[o + f]);
          }
        }
      }
      onEpoch?.(e, loss / rows.length);
    }
    return new CoarseRanker(p, data.schema, mean, scale, w0, w, v);
  }

  score(features: Float32Array, nRows: number, nCols: number): Float32Array {
    checkShape(this.schema, features, nRows, nCols, 'CoarseRanker.score');
    const K = this.params.factors;
    const { mean, scale, weights: w, v } = this;
    const out = new Float32Array(nRows);
    const sumV = new Float64Array(K);
    for (let r = 0; r < nRows; r++) {
      let s = this.w0;
      sumV.fill(0);
      let sq2 = 0;
      for (let c = 0; c < nCols; c++) {
        const val = features[r * nCols + c];
        if (val !== val) continue;
        const zc = (val - mean[c]) * scale[c];
        s += w[c] * zc;
        const o = c * K;
        for (let f = 0; f < K; f++) {
          const a = v[o + f] * zc;
          sumV[f] += a;
          sq2 += a * a;
        }
      }
      let inter = 0;
      for (let f = 0; f < K; f++) inter += sumV[f] * sumV[f];
      out[r] = s + 0.5 * (inter - sq2);
    }
    return out;
  }

  toJSON(): RankerState {
    return {
      format: 'affinity-ranker',
      formatVersion: 1,
      kind: this.kind,
      schema: this.schema,
      params: this.params,
      mean: Array.from(this.mean),
      scale: Array.from(this.scale),
      w0: this.w0,
      weights: Array.from(this.weights),
      factors: Array.from(this.v),
    };
  }

  static fromJSON(s: RankerState, where = 'ranker'): CoarseRanker {
    const n = s.schema.names.length;
    const arr = (k: string, len: number): number[] => {
      const a = s[k];
      if (!Array.isArray(a) || a.length !== len || a.some((e) => typeof e !== 'number')) throw new AffinityError('E_MODEL_FILE', `${where}: ${k}: expected ${len} numbers in a coarse ranker state`, { file: where });
      return a as number[];
    };
    const p: CoarseParams = { ...COARSE_DEFAULTS, ...(s.params as Partial<CoarseParams>) };
    if (typeof s.w0 !== 'number') throw new AffinityError('E_MODEL_FILE', `${where}: w0: expected a number in a coarse ranker state`, { file: where });
    return new CoarseRanker(p, s.schema, Float64Array.from(arr('mean', n)), Float64Array.from(arr('scale', n)), s.w0, Float32Array.from(arr('weights', n)), Float32Array.from(arr('factors', n * p.factors)));
  }
}
