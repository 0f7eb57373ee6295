import { paramError, throwIfAborted } from '../../core/errors.js';
import type { Dataset } from '../../data/dataset.js';
import type { ProgressFn } from '../recommender.js';

/** Options of the baseline estimation, named after Surprise's `bsl_options`. */
export interface BaselineOptions {
  /** 'als' (alternating closed-form updates) or 'sgd'. */
  method: 'als' | 'sgd';
  /** Number of passes (Surprise: 10 for ALS, 20 for SGD). */
  epochs: number;
  /** ALS: regularisation of the user biases (Surprise reg_u = 15). */
  regU: number;
  /** ALS: regularisation of the item biases (Surprise reg_i = 10). */
  regI: number;
  /** SGD: step size (Surprise learning_rate = 0.005). */
  learningRate: number;
  /** SGD: regularisation of both biases (Surprise reg = 0.02). */
  reg: number;
  /** Checked between epochs; an aborted signal throws E_ABORTED. */
  signal?: AbortSignal;
  /** Called after every epoch with the training RMSE as `loss`. */
  onProgress?: ProgressFn;
}

/** Fitted baselines: the estimate of r(u, i) is mu + bu[u] + bi[i]. */
export interface Baselines {
  /** Global mean of the training ratings. */
  mu: number;
  /** User biases, length nUsers (0 for users without training rows). */
  bu: Float64Array;
  /** Item biases, length nItems (0 for items without training rows). */
  bi: Float64Array;
}

/** Surprise's default options for each method. */
export const BASELINE_DEFAULTS: { als: BaselineOptions; sgd: BaselineOptions } = {
  als: { method: 'als', epochs: 10, regU: 15, regI: 10, learningRate: 0.005, reg: 0.02 },
  sgd: { method: 'sgd', epochs: 20, regU: 15, regI: 10, learningRate: 0.005, reg: 0.02 },
};

/**
 * Estimates the baselines mu + b_u + b_i of Koren (2010), exactly as Surprise's
 * `optimize_baselines.pyx` does:
 *  - ALS, each epoch: b_i = sum_{u in U_i}(r_ui - mu - b_u) / (regI + |U_i|) for every item, then
 *    b_u = sum_{i in I_u}(r_ui - mu - b_i) / (regU + |I_u|) for every user (biases start at 0).
 *  - SGD, each epoch over all ratings (user by user, items ascending): e = r - (mu + b_u + b_i);
 *    b_u += lr (e - reg b_u); b_i += lr (e - reg b_i).
 * Indices are those of `data`'s id maps; users or items without rows keep a bias of 0.
 */
export function fitBaselines(data: Dataset, opts: BaselineOptions): Baselines {
  validate(opts);
  const R = data.csr();
  const nU = R.nRows;
  const nI = R.nCols;
  const { indptr, indices, data: val } = R;
  const nnz = indptr[nU];
  let sum = 0;
  for (let p = 0; p < nnz; p++) sum += val[p];
  const mu = nnz ? sum / nnz : 0;
  const bu = new Float64Array(nU);
  const bi = new Float64Array(nI);
  if (opts.method === 'als') {
    const C = data.csc();
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      throwIfAborted(opts.signal);
      for (let i = 0; i < nI; i++) {
        const s = C.indptr[i];
        const e = C.indptr[i + 1];
        let dev = 0;
        for (let p = s; p < e; p++) dev += C.data[p] - mu - bu[C.indices[p]];
        const d = opts.regI + (e - s);
        bi[i] = d > 0 ? dev / d : 0;
      }
      for (let u = 0; u < nU; u++) {
        const s = indptr[u];
        const e = indptr[u + 1];
        let dev = 0;
        for (let p = s; p < e; p++) dev += val[p] - mu - bi[indices[p]];
        const d = opts.regU + (e - s);
        bu[u] = d > 0 ? dev / d : 0;
      }
      report(opts, epoch, R.indptr, indices, val, mu, bu, bi);
    }
  } else {
    const lr = opts.learningRate;
    const reg = opts.reg;
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      throwIfAborted(opts.signal);
      for (let u = 0; u < nU; u++) {
        for (let p = indptr[u]; p < indptr[u + 1]; p++) {
          const i = indices[p];
          const err = val[p] - (mu + bu[u] + bi[i]);
          bu[u] += lr * (err - reg * bu[u]);
          bi[i] += lr * (err - reg * bi[i]);
        }
      }
      report(opts, epoch, R.indptr, indices, val, mu, bu, bi);
    }
  }
  throwIfAborted(opts.signal);
  return { mu, bu, bi };
}

/** Root mean squared error of mu + bu + bi on the rows of a users x items CSR. */
export function baselineRmse(
  indptr: Int32Array,
  indices: Int32Array,
  val: Float32Array,
  b: Baselines,
): number {
  const nU = indptr.length - 1;
  let se = 0;
  for (let u = 0; u < nU; u++) {
    for (let p = indptr[u]; p < indptr[u + 1]; p++) {
      const e = val[p] - (b.mu + b.bu[u] + b.bi[indices[p]]);
      se += e * e;
    }
  }
  const n = indptr[nU];
  return n ? Math.sqrt(se / n) : 0;
}

function report(
  opts: BaselineOptions,
  epoch: number,
  indptr: Int32Array,
  indices: Int32Array,
  val: Float32Array,
  mu: number,
  bu: Float64Array,
  bi: Float64Array,
): void {
  if (!opts.onProgress) return;
  opts.onProgress({ phase: 'epoch', done: epoch + 1, total: opts.epochs, loss: baselineRmse(indptr, indices, val, { mu, bu, bi }) });
}

function validate(o: BaselineOptions): void {
  if (o.method !== 'als' && o.method !== 'sgd') throw paramError('method', o.method, "'als' or 'sgd'");
  if (!(Number.isInteger(o.epochs) && o.epochs >= 0)) throw paramError('epochs', o.epochs, 'a non-negative integer');
  for (const k of ['regU', 'regI', 'reg'] as const) {
    if (!(Number.isFinite(o[k]) && o[k] >= 0)) throw paramError(k, o[k], 'a finite number >= 0');
  }
  if (!(Number.isFinite(o.learningRate) && o.learningRate > 0)) throw paramError('learningRate', o.learningRate, 'a finite number > 0');
}
