/**
 * Affinity's library API. Import from 'affinity-recsys'.
 *
 *   const { dataset } = await loadInteractions('ratings.csv');
 *   const model = createModel('item-knn', { k: 50 });
 *   await model.fit(dataset.toImplicit(4));
 *   model.recommendFor('196', { n: 10 });
 */
// core
export { AffinityError, type ErrorCode } from './core/errors.js';
export { IdMap } from './core/idmap.js';
export { Rng } from './core/rng.js';
export { cooToCsr, transpose, type Csr, type DuplicatePolicy } from './core/csr.js';
export { topK } from './core/topk.js';
// data
export { Dataset, type DatasetInit, type FeedbackKind } from './data/dataset.js';
export { alignRows, findColumn, type FeatureColumn, type FeatureTable } from './data/features.js';
export { loadInteractions, loadTrainTest, type LoadOptions, type LoadResult, type InteractionFormat, type SkipReport } from './data/load.js';
export { loadItemFeatures, loadUserFeatures, loadMovieLensDir, type SideOptions } from './data/side.js';
export { splitDataset, applySplit, parseSplit } from './data/split.js';
export type { SplitSpec, SplitFold } from './data/split-types.js';
export { kCore } from './data/kcore.js';
export { generateSynthetic, generateSyntheticWithTruth, writeSyntheticTsv, type SyntheticOptions } from './data/synthetic.js';
export { fetchDataset, resolveDataset, registerLocalDir, listDatasets, DATASETS } from './data/fetch.js';
// models
export type {
  Recommender,
  RecommendOptions,
  ScoredItems,
  FitOptions,
  FitReport,
  ProgressEvent,
  Params,
  ParamValue,
  ModelState,
  ModelCapabilities,
} from './models/recommender.js';
export { BaseRecommender, type Recommendation } from './models/base.js';
export { createModel, getModelEntry, modelNames, saveModel, loadModel, type ModelEntry } from './models/registry.js';
export type { ParamSpec, ParamSpecs } from './models/params.js';
// evaluation
export { evaluate, evaluateModels, type EvalInput, type EvalModelSpec, type EvalProgress } from './eval/evaluate.js';
export { DEFAULT_PROTOCOL, type Protocol, type EvaluationReport, type ModelResult } from './eval/protocol.js';
export * as metrics from './eval/metrics.js';
export * as beyondAccuracy from './eval/beyond.js';
export { formatTable, toJson } from './eval/report.js';
