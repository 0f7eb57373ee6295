import { defineModel, presetOf, type ModelEntry } from '../entry.js';
import { SURPRISE_SVD, SURPRISE_SVDPP, SVD_PARAMS, SVDPP_PARAMS } from './params.js';
import { SvdModel } from './svd.js';
import { SvdppModel } from './svdpp.js';

export { SvdModel } from './svd.js';
export { SvdppModel } from './svdpp.js';
export { FactorRatingModel, type FactorState, type Explanation, type FoldedUser, type FoldInMethod, type FoldInOptions } from './factor-model.js';
export { SURPRISE_SVD, SURPRISE_SVDPP, SVD_PARAMS, SVDPP_PARAMS, resolveRates } from './params.js';

const svd = defineModel({
  name: 'svd',
  summary: "SVD (Funk SVD with biases, as Surprise's SVD): r = mu + b_u + b_i + q_i·p_u, trained by SGD",
  task: 'rating',
  params: SVD_PARAMS,
  build: (name, params) => new SvdModel(name, params),
});
const svdpp = defineModel({
  name: 'svdpp',
  summary: "SVD++ (Koren 2008, as Surprise's SVDpp): SVD plus the implicit feedback of the user's rated items",
  task: 'rating',
  params: SVDPP_PARAMS,
  build: (name, params) => new SvdppModel(name, params),
});

/** Registry entries of this family. */
export const svdModels: ModelEntry[] = [
  svd,
  svdpp,
  presetOf(svd, 'svd-surprise', "SVD with Surprise's defaults (100 factors, 20 epochs, lr 0.005, reg 0.02)", SURPRISE_SVD),
  presetOf(svdpp, 'svdpp-surprise', "SVD++ with Surprise's defaults (20 factors, 20 epochs, lr 0.007, reg 0.02)", SURPRISE_SVDPP),
];
