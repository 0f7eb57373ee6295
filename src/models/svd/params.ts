import { paramError } from '../../core/errors.js';
import type { ParamSpecs } from '../params.js';
import type { Params } from '../recommender.js';
import type { SgdRates } from './sgd.js';

/** Parameters shared by SVD and SVD++ (names follow Surprise's where Surprise has them). */
function commonSpecs(d: { factors: number; epochs: number; lr: number; reg: number }, withYj: boolean): ParamSpecs {
  const lrDoc = (t: string): string => `learning rate of ${t} (default -1 = use lr_all)`;
  const regDoc = (t: string): string => `regularisation of ${t} (default -1 = use reg_all)`;
  const specs: ParamSpecs = {
    factors: { default: d.factors, doc: `number of latent factors (default ${d.factors})`, min: 1, max: 4096, integer: true },
    epochs: { default: d.epochs, doc: `number of SGD passes over the training ratings (default ${d.epochs})`, min: 0, max: 100000, integer: true },
    initMean: { default: 0, doc: 'mean of the normal distribution the factors start from (default 0)' },
    initStd: { default: 0.1, doc: 'standard deviation of the normal distribution the factors start from (default 0.1)', min: 0 },
    lr_all: { default: d.lr, doc: `learning rate of every term without its own (default ${d.lr})`, min: 0 },
    reg_all: { default: d.reg, doc: `regularisation of every term without its own (default ${d.reg})`, min: 0 },
    lr_bu: { default: -1, doc: lrDoc('the user biases b_u'), min: -1 },
    lr_bi: { default: -1, doc: lrDoc('the item biases b_i'), min: -1 },
    lr_pu: { default: -1, doc: lrDoc('the user factors p_u'), min: -1 },
    lr_qi: { default: -1, doc: lrDoc('the item factors q_i'), min: -1 },
    reg_bu: { default: -1, doc: regDoc('the user biases b_u'), min: -1 },
    reg_bi: { default: -1, doc: regDoc('the item biases b_i'), min: -1 },
    reg_pu: { default: -1, doc: regDoc('the user factors p_u'), min: -1 },
    reg_qi: { default: -1, doc: regDoc('the item factors q_i'), min: -1 },
  };
  if (withYj) {
    specs.lr_yj = { default: -1, doc: lrDoc('the implicit item factors y_j'), min: -1 };
    specs.reg_yj = { default: -1, doc: regDoc('the implicit item factors y_j'), min: -1 };
  }
  specs.seed = { default: 42, doc: 'seed of the factor initialisation and of the rating order (default 42)', integer: true };
  return specs;
}

/**
 * Surprise's defaults (SVD: 100 factors, 20 epochs, lr 0.005, reg 0.02; SVDpp: 20 factors, 20 epochs,
 * lr 0.007, reg 0.02): the 'svd-surprise' and 'svdpp-surprise' presets, for like-for-like comparison.
 */
export const SURPRISE_SVD = { factors: 100, epochs: 20, lr_all: 0.005, reg_all: 0.02 };
export const SURPRISE_SVDPP = { factors: 20, epochs: 20, lr_all: 0.007, reg_all: 0.02 };

/**
 * SVD (Funk SVD with biases, Surprise's `SVD`). Defaults tuned on a validation split that the ML-100K
 * 5-fold CV test folds never see (u1.base split 80/20 at random, seed 1: bench/mf-svd-tune.ts):
 * 100 factors, 40 epochs, lr 0.01, reg 0.1 (validation RMSE 0.9224 vs 0.9472 with Surprise's defaults).
 */
export const SVD_PARAMS: ParamSpecs = {
  ...commonSpecs({ factors: 100, epochs: 40, lr: 0.01, reg: 0.1 }, false),
  biased: { default: true, doc: 'learn the baselines mu + b_u + b_i (default true); false learns r ≈ q_i·p_u only' },
};

/**
 * SVD++ (Koren 2008, Surprise's `SVDpp`). Defaults tuned as SVD's: 50 factors, 40 epochs, lr 0.007,
 * reg 0.1 (validation RMSE 0.9215 vs 0.9308 with Surprise's defaults).
 */
export const SVDPP_PARAMS: ParamSpecs = commonSpecs({ factors: 50, epochs: 40, lr: 0.007, reg: 0.1 }, true);

function pick(p: Params, key: string, fallback: number): number {
  const v = p[key];
  if (v === undefined || v === -1) return fallback;
  if (typeof v !== 'number' || !(v >= 0)) throw paramError(key, v, 'a number >= 0, or -1 for the lr_all / reg_all value');
  return v;
}

/** Resolves the per-term rates: a term's own value when given (not -1), else lr_all / reg_all. */
export function resolveRates(p: Params): SgdRates {
  const lr = Number(p.lr_all);
  const reg = Number(p.reg_all);
  return {
    lrBu: pick(p, 'lr_bu', lr),
    lrBi: pick(p, 'lr_bi', lr),
    lrPu: pick(p, 'lr_pu', lr),
    lrQi: pick(p, 'lr_qi', lr),
    lrYj: pick(p, 'lr_yj', lr),
    regBu: pick(p, 'reg_bu', reg),
    regBi: pick(p, 'reg_bi', reg),
    regPu: pick(p, 'reg_pu', reg),
    regQi: pick(p, 'reg_qi', reg),
    regYj: pick(p, 'reg_yj', reg),
  };
}
