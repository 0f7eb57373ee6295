import { defineModel, presetOf, type ModelEntry } from '../entry.js';
import type { ParamSpecs } from '../params.js';
import { RatingKnn, type RatingKnnParams } from './rating-knn.js';
import { SIMILARITY_KINDS } from './similarity.js';
import { ItemKnn, TOPN_SIMILARITIES, UserKnn, type TopNKnnParams } from './topn-knn.js';

export { RatingKnn, type KnnVariant, type RatingKnnParams } from './rating-knn.js';
export { ItemKnn, UserKnn, type TopNKnnParams, type TopNSimilarity } from './topn-knn.js';
export { computeSimilarity, similarityInput, bm25Weight, tfidfWeight, type SimilarityKind, type SimilarityOptions, type SimMatrix } from './similarity.js';

const THREADS = { default: 1, min: 0, integer: true, doc: 'worker threads for the similarity computation (0 = one per core); results do not depend on it' } as const;

const RATING_PARAMS: ParamSpecs = {
  variant: {
    default: 'basic',
    choices: ['basic', 'means', 'zscore', 'baseline'],
    doc: "Surprise's KNNBasic ('basic'), KNNWithMeans ('means'), KNNWithZScore ('zscore') or KNNBaseline ('baseline')",
  },
  userBased: { default: true, doc: 'compare users (true) or items (false), as Surprise sim_options.user_based' },
  similarity: { default: 'msd', choices: SIMILARITY_KINDS, doc: "similarity measure (Surprise's default msd; pearson_baseline is recommended with variant baseline)" },
  k: { default: 40, min: 1, integer: true, doc: 'maximum number of neighbours in a prediction (Surprise k)' },
  minK: { default: 1, min: 0, integer: true, doc: 'minimum number of neighbours, else the mean/baseline fallback (Surprise min_k)' },
  minSupport: { default: 1, min: 0, integer: true, doc: 'minimum number of common raters for a similarity (Surprise min_support; pearson_baseline uses at least 2)' },
  shrinkage: { default: -1, doc: 'similarity shrinkage lambda; -1 = the measure default (100 for pearson_baseline, else 0)' },
  maxNeighbours: {
    default: 0,
    min: 0,
    integer: true,
    doc: 'similarities kept per user/item; 0 = all positive ones (exactly Surprise; refused above 20000 users/items); a budget such as 200 bounds memory on large catalogues, at some accuracy',
  },
  threads: THREADS,
  bslMethod: { default: 'als', choices: ['als', 'sgd'], doc: 'baseline estimation method for variant baseline / pearson_baseline (Surprise bsl_options.method)' },
  bslEpochs: { default: 10, min: 1, integer: true, doc: 'baseline epochs (Surprise: 10 for als, 20 for sgd)' },
  bslRegU: { default: 15, min: 0, doc: 'ALS baseline regularisation of user biases (Surprise reg_u)' },
  bslRegI: { default: 10, min: 0, doc: 'ALS baseline regularisation of item biases (Surprise reg_i)' },
  bslLearningRate: { default: 0.005, min: 0, doc: 'SGD baseline learning rate (Surprise learning_rate)' },
  bslReg: { default: 0.02, min: 0, doc: 'SGD baseline regularisation (Surprise reg)' },
};

const TOPN_PARAMS: ParamSpecs = {
  similarity: { default: 'cosine', choices: TOPN_SIMILARITIES, doc: "similarity: cosine, bm25 or tfidf (as implicit's recommenders), or jaccard" },
  k: { default: 20, min: 1, integer: true, doc: 'neighbours kept per item (item-knn: the item itself counts, as in implicit) or per user (user-knn)' },
  K1: { default: 1.2, min: 0, doc: 'BM25 K1 (implicit BM25Recommender default)' },
  B: { default: 0.75, min: 0, max: 1, doc: 'BM25 B (implicit BM25Recommender default)' },
  shrinkage: { default: 0, min: 0, doc: 'similarity shrinkage lambda: sim * n / (n + lambda), n = common users/items' },
  minSupport: { default: 1, min: 0, integer: true, doc: 'minimum number of common users/items for a similarity' },
  threads: THREADS,
};

const knnRating = defineModel({
  name: 'knn-basic',
  summary: "user-based kNN rating prediction, MSD similarity, k = 40 (Surprise's KNNBasic defaults)",
  task: 'rating',
  params: RATING_PARAMS,
  build: (name, params) => new RatingKnn(name, params as RatingKnnParams),
});

const itemKnn = defineModel({
  name: 'item-knn',
  summary: "item-kNN top-N for implicit data: cosine, K = 20 neighbours (implicit's CosineRecommender)",
  task: 'ranking',
  params: TOPN_PARAMS,
  build: (name, params) => new ItemKnn(name, params as TopNKnnParams),
});

const userKnn = defineModel({
  name: 'user-knn',
  summary: 'user-kNN top-N for implicit data: cosine, the 50 most similar users',
  task: 'ranking',
  params: TOPN_PARAMS,
  build: (name, params) => new UserKnn(name, params as TopNKnnParams),
});

/** Registry entries of this family. */
export const knnModels: ModelEntry[] = [
  itemKnn,
  presetOf(userKnn, 'user-knn', userKnn.summary, { k: 50 }),
  knnRating,
  presetOf(knnRating, 'knn-means', "user-based kNN with means (Surprise's KNNWithMeans), MSD, k = 40", { variant: 'means' }),
  presetOf(knnRating, 'knn-zscore', "user-based kNN with z-scores (Surprise's KNNWithZScore), MSD, k = 40", { variant: 'zscore' }),
  presetOf(knnRating, 'knn-baseline', "user-based kNN on baselines (Surprise's KNNBaseline), MSD, k = 40", { variant: 'baseline' }),
  presetOf(knnRating, 'knn-basic-item', 'item-based KNNBasic, MSD, k = 40', { userBased: false }),
  presetOf(knnRating, 'knn-means-item', 'item-based KNNWithMeans, MSD, k = 40', { userBased: false, variant: 'means' }),
  presetOf(knnRating, 'knn-baseline-item', 'item-based KNNBaseline with pearson_baseline similarity (shrinkage 100), k = 40, as Surprise recommends', {
    userBased: false,
    variant: 'baseline',
    similarity: 'pearson_baseline',
  }),
];
