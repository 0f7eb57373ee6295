import { defineModel, presetOf, type ModelEntry } from '../entry.js';
import type { ParamSpecs } from '../params.js';
import { AlsRecommender } from './als.js';

export { AlsRecommender, type Explanation } from './als.js';

/**
 * Parameters of ALS. Iterations (15), CG steps (3) and the solver follow the `implicit` library;
 * factors 32, alpha 2 and regularization 5 were tuned on the ML-100K implicit split (NDCG@10 0.297
 * there vs 0.243 with 64 factors, alpha 2, reg 0.05, and implicit's published 0.2298). For large
 * catalogues raise factors (64 is the speed benchmark setting).
 */
export const ALS_PARAMS: ParamSpecs = {
  factors: { default: 32, min: 1, max: 1024, integer: true, doc: 'Number of latent factors.' },
  regularization: { default: 5, min: 0, doc: 'L2 regularisation (implicit: reg * I; explicit: weighted-lambda, lambda * n_u * I).' },
  alpha: { default: 2.0, min: 0, doc: 'Implicit confidence slope: c = 1 + alpha * value on stored cells.' },
  iterations: { default: 15, min: 0, max: 10000, integer: true, doc: 'Alternating sweeps (users, then items).' },
  cgSteps: { default: 3, min: 1, max: 1000, integer: true, doc: "Conjugate-gradient steps per row and sweep (solver 'cg')." },
  solver: { default: 'cg', choices: ['cg', 'cholesky'], doc: "'cg': warm-started conjugate gradient (fast); 'cholesky': exact solve per row." },
  implicit: { default: true, doc: 'true: implicit feedback (Hu et al. 2008); false: explicit ratings (ALS-WR, Zhou et al. 2008).' },
  binary: { default: false, doc: 'Implicit only: treat every stored value as 1 (confidence 1 + alpha).' },
  calculateLoss: { default: false, doc: 'Compute the training loss after each iteration (reported through onProgress and the fit report).' },
  halfLifeDays: {
    default: 0,
    min: 0,
    doc: 'Implicit only, time decay: each value is multiplied by 0.5^(age/halfLifeDays), age in days before the latest timestamp, so c = 1 + alpha * weight * value; 0 = off (default 0; needs timestamps).',
  },
  seed: { default: 42, integer: true, doc: 'Seed of the factor initialisation (uniform in [0, 0.01)).' },
  threads: { default: 1, min: 0, max: 256, integer: true, doc: 'Worker threads (0 = all cores). Results do not depend on it.' },
};

const als = defineModel({
  name: 'als',
  summary: 'Implicit-feedback matrix factorization by alternating least squares (Hu, Koren, Volinsky 2008), CG or Cholesky solver.',
  task: 'ranking',
  params: ALS_PARAMS,
  build: (name, params) => new AlsRecommender(name, params),
});

const alsExplicit = {
  ...presetOf(als, 'als-explicit', 'Explicit-rating ALS with weighted-lambda regularisation (Zhou et al. 2008); predicts ratings.', {
    implicit: false,
    regularization: 0.1,
    factors: 20,
  }),
  task: 'rating' as const,
};

/** Registry entries of this family. */
export const alsModels: ModelEntry[] = [als, alsExplicit];
