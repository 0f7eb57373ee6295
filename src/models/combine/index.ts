import { coldItems } from '../../coldstart/cold-items.js';
import { segmentPopularity } from '../../coldstart/segment.js';
import { defineModel, type ModelEntry } from '../entry.js';
import { CASCADE_PARAMS, CascadeHybrid, META_PARAMS, MetaHybrid, SWITCHING_PARAMS, SwitchingHybrid } from './others.js';
import { WEIGHTED_PARAMS, WeightedHybrid } from './weighted.js';
import { AUGMENTED_PARAMS, AugmentedRecommender } from './augment.js';

export { CompositeRecommender, minMaxNormalise, zNormalise, parseComponents } from './composite.js';
export { WeightedHybrid, simplexGrid } from './weighted.js';
export { SwitchingHybrid, CascadeHybrid, MetaHybrid } from './others.js';
export { AugmentedRecommender, AUGMENTED_PARAMS } from './augment.js';

/** Registry entries of this family (combinators and the cold-start models). */
export const combineModels: ModelEntry[] = [
  defineModel({
    name: 'weighted',
    summary: "Weighted hybrid of registry models (models=a+b): fixed weights, weights learned on a validation split (NDCG@10), or a per-user blend by history length.",
    task: 'ranking',
    params: WEIGHTED_PARAMS,
    build: (name, params) => new WeightedHybrid(name, params),
  }),
  defineModel({
    name: 'switching',
    summary: 'Switching hybrid (models=a+b): b for users with fewer than `threshold` interactions, a otherwise.',
    task: 'ranking',
    params: SWITCHING_PARAMS,
    build: (name, params) => new SwitchingHybrid(name, params),
  }),
  defineModel({
    name: 'cascade',
    summary: "Cascade hybrid (models=a+b): a's top-N candidates re-ranked by b.",
    task: 'ranking',
    params: CASCADE_PARAMS,
    build: (name, params) => new CascadeHybrid(name, params),
  }),
  defineModel({
    name: 'meta',
    summary: 'Meta-level hybrid: a content-profile model (cosine to the mean liked vector) over a factor model\'s learned item factors.',
    task: 'ranking',
    params: META_PARAMS,
    build: (name, params) => new MetaHybrid(name, params),
  }),
  defineModel({
    name: 'augmented',
    summary: "Feature augmentation: model A's (CF, default als) item factors and out-of-fold scores become extra features of a per-user ridge on item features (content-ridge); needs --items.",
    task: 'rating',
    params: AUGMENTED_PARAMS,
    build: (name, params) => new AugmentedRecommender(name, params),
  }),
  segmentPopularity,
  coldItems,
];
