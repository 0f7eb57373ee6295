import { defineModel, type ModelEntry } from '../entry.js';
import { SVD_PARAMS, SVDPP_PARAMS } from './params.js';
import { SvdModel } from './svd.js';
import { SvdppModel } from './svdpp.js';

export { SvdModel } from './svd.js';
export { SvdppModel } from './svdpp.js';
export { FactorRatingModel, type FactorState, type Explanation, type FoldedUser } from './factor-model.js';
export { SVD_PARAMS, SVDPP_PARAMS, resolveRates } from './params.js';

/** Registry entries of this family. */
export const svdModels: ModelEntry[] = [
  defineModel({
    name: 'svd',
    summary: "SVD (Funk SVD with biases, as Surprise's SVD): r = mu + b_u + b_i + q_i·p_u, trained by SGD",
    task: 'rating',
    params: SVD_PARAMS,
    build: (name, params) => new SvdModel(name, params),
  }),
  defineModel({
    name: 'svdpp',
    summary: "SVD++ (Koren 2008, as Surprise's SVDpp): SVD plus the implicit feedback of the user's rated items",
    task: 'rating',
    params: SVDPP_PARAMS,
    build: (name, params) => new SvdppModel(name, params),
  }),
];
