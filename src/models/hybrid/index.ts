import { defineModel, type ModelEntry } from '../entry.js';
import { HybridModel, type HybridParams } from './hybrid.js';
import { LOSSES } from './sgd.js';

export { HybridModel, type HybridParams } from './hybrid.js';
export type { FeatureContribution, HybridExplanation } from './serve.js';

/** Registry entries of this family. */
export const hybridModels: ModelEntry[] = [
  defineModel({
    name: 'hybrid',
    summary: 'LightFM-style feature-aware factorisation: users and items are sums of feature embeddings (identity + side features); WARP/BPR/logistic, AdaGrad, Hogwild',
    task: 'ranking',
    params: {
      components: { default: 64, min: 1, integer: true, doc: 'embedding dimension of every feature (default 64)' },
      loss: {
        default: 'warp',
        choices: LOSSES,
        doc: "'warp' (negatives drawn until one violates the margin, update weighted by log⌊(N-1)/trials⌋), 'warp-kos' (the k-th best of n sampled positives per user), 'bpr', or 'logistic' (one sampled negative per positive) (default warp)",
      },
      k: { default: 5, min: 1, integer: true, doc: 'warp-kos: the k-th best of the sampled positives is trained (default 5)' },
      n: { default: 10, min: 1, integer: true, doc: 'warp-kos: positives sampled per user (default 10)' },
      learningRate: { default: 0.05, min: 0, doc: 'AdaGrad initial step size (default 0.05; unused by adadelta)' },
      schedule: { default: 'adagrad', choices: ['adagrad', 'adadelta'], doc: 'per-parameter learning rates: adagrad or adadelta (default adagrad)' },
      rho: { default: 0.95, min: 0, max: 1, doc: 'adadelta: decay of the running averages (default 0.95)' },
      epsilon: { default: 1e-6, min: 0, doc: 'adadelta: conditioning constant (default 1e-6)' },
      itemAlpha: { default: 0, min: 0, doc: 'L2 penalty on item feature embeddings and biases, applied per step (default 0, as LightFM)' },
      userAlpha: { default: 0, min: 0, doc: 'L2 penalty on user feature embeddings and biases (default 0)' },
      maxSampled: { default: 100, min: 1, integer: true, doc: 'warp: negatives drawn per positive before giving up (default 100; LightFM uses 10: tuned on a validation split of ML-100K)' },
      epochs: { default: 15, min: 0, integer: true, doc: 'passes over the positive interactions (default 15: on a validation seed of the cold-items protocol, ML-latest-small warm NDCG@10 0.326 vs 0.318 at 20 and 0.271 at 40 (overfitting of rare items), ML-100K level)' },
      itemFeatures: { default: 'all', doc: "item side-data columns: 'all', 'none' or a comma-separated list, e.g. 'genres' (default all; needs --items)" },
      userFeatures: { default: 'all', doc: "user side-data columns: 'all', 'none' or a list (default all; needs --users)" },
      identity: { default: true, doc: 'one identity feature per user and item with training rows (default true: with no side data this is pure CF)' },
      normalize: {
        default: 'l2',
        choices: ['l1', 'l2', 'none'],
        doc: "row normalisation of the feature matrices: 'l2' (default: on ML-100K cold-items, warm NDCG@10 0.39 vs 0.29 for l1 with genres), 'l1' (weights sum to 1, LightFM's Dataset) or 'none'",
      },
      featureWeight: {
        default: 1,
        min: 0,
        doc: 'weight of every side feature relative to the identity feature (1), applied before the row normalisation (default 1)',
      },
      identityShrink: {
        default: 0,
        min: 0,
        doc: 'identity feature of an entity with n training rows weighs n / (n + identityShrink) before the row normalisation: rare items lean on their side features (default 0: weight 1)',
      },
      foldInEpochs: { default: 20, min: 0, integer: true, doc: 'scoreHistory: BPR passes over the history to fold a new user in (default 20)' },
      validation: {
        default: 0,
        min: 0,
        max: 0.9,
        doc: 'early stopping: fraction of each user\'s positive rows held out inside fit; after each epoch NDCG@10 on them (up to 1000 seeded users) picks the best epoch count, at most `epochs` (default 0 = off: with 0.1 and epochs=30 it tied on ML-latest-small validation seeds, lost 0.004 NDCG@10 on ML-100K\'s split and took ~3x the fit time; docs/bench/hybrid.md)',
      },
      patience: { default: 3, min: 1, integer: true, doc: 'early stopping: epochs without a better holdout NDCG@10 before the inner run stops (default 3)' },
      validationRefit: {
        default: true,
        doc: 'early stopping: true = refit on all rows for the best epoch count (default); false = keep the best epoch\'s parameters of the inner run (faster, trained on fewer rows)',
      },
      seed: { default: 42, integer: true, doc: 'random seed of initialisation and sampling (default 42)' },
      threads: { default: 1, min: 0, integer: true, doc: 'training threads (default 1: deterministic); >1 runs Hogwild SGD in worker_threads; 0 = all cores' },
    },
    build: (name, params) => new HybridModel(name, params as HybridParams),
  }),
];
