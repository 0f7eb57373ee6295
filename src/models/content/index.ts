import { defineModel, type ModelEntry } from '../entry.js';
import { FEATURE_PARAMS } from './features.js';
import { ContentModel, type ContentParams } from './profile.js';
import { ContentRidgeModel, type ContentRidgeParams } from './ridge.js';

export { ContentModel, type ContentParams } from './profile.js';
export { ContentRidgeModel, solveUserRidge, type ContentRidgeParams } from './ridge.js';
export { FEATURE_PARAMS, type Contribution, type FeatureParams } from './features.js';

const POP = {
  default: 0.001,
  min: 0,
  doc: 'weight of item popularity (count / largest count) added to every score: a tie-breaker among items with the same features and the fallback of users without history (default 0.001)',
};

/** Registry entries of this family. */
export const contentModels: ModelEntry[] = [
  defineModel({
    name: 'content',
    summary: 'content-based: cosine between item features and the user profile (recency-weighted mean of liked items, dislikes subtract); needs --items',
    task: 'ranking',
    params: {
      ...FEATURE_PARAMS,
      threshold: { default: 0, doc: 'interactions with value (after centring) >= threshold count as likes; negative values subtract; in between are ignored (default 0)' },
      weighting: { default: 'value', choices: ['value', 'binary'], doc: 'weight of a like/dislike: its value, or +1/-1 (default value)' },
      centered: { default: false, doc: "subtract the user's mean value first, so ratings below their mean subtract (explicit ratings; default false)" },
      halfLifeDays: { default: 0, min: 0, doc: "recency weighting: an interaction weighs 0.5^(age/halfLifeDays), age from the user's latest interaction; 0 = off (default 0; needs timestamps)" },
      popularityWeight: POP,
    },
    build: (name, params) => new ContentModel(name, params as ContentParams),
  }),
  defineModel({
    name: 'content-ridge',
    summary: 'content-based: per-user ridge regression of ratings on item features (r = w_u·x_i + b_u, CG on the user\'s features); needs --items',
    task: 'rating',
    params: {
      ...FEATURE_PARAMS,
      lambda: { default: 1, min: 1e-9, doc: 'ridge penalty λ on w_u (default 1; the intercept is not penalised)' },
      cgSteps: { default: 50, min: 1, integer: true, doc: 'conjugate-gradient steps per user at most (exact after as many steps as the user has features; default 50)' },
      popularityWeight: POP,
    },
    build: (name, params) => new ContentRidgeModel(name, params as ContentRidgeParams),
  }),
];
