import type { Csr } from '../core/csr.js';
import type { IdMap } from '../core/idmap.js';
import type { Dataset } from '../data/dataset.js';

/** A hyper-parameter value. Parameters are flat, typed plain data with documented defaults. */
export type ParamValue = number | string | boolean;
export type Params = Record<string, ParamValue>;

/** Reported by long-running work: one event per step (epoch, batch of rows, ...). */
export interface ProgressEvent {
  /** What is running, e.g. 'similarities', 'epoch'. */
  phase: string;
  done: number;
  total: number;
  /** Training loss after this step, where the model has one. */
  loss?: number;
  /** Any other figures worth showing (validation metrics, ...). */
  metrics?: Record<string, number>;
}
export type ProgressFn = (e: ProgressEvent) => void;

export interface FitOptions {
  onProgress?: ProgressFn;
  /** Cancels training; fit() then rejects with AffinityError E_ABORTED. */
  signal?: AbortSignal;
  /** Worker threads to use where the model is parallel (default: the model's `threads` parameter, else 1). */
  threads?: number;
}

export interface FitReport {
  fitSeconds: number;
  /** Seconds per iteration or epoch, for iterative models. */
  iterationSeconds?: number[];
  /** Final training loss, where the model has one. */
  loss?: number;
}

export interface RecommendOptions {
  /** Number of items to return (default 10). */
  n?: number;
  /** Leave out items the user interacted with in training (default true). */
  excludeSeen?: boolean;
  /** Replaces the user's seen items (e.g. with fresher events from the service). */
  seen?: ArrayLike<number>;
  /** Only these items may be returned. */
  allow?: ArrayLike<number>;
  /** These items are never returned. */
  deny?: ArrayLike<number>;
}

/** Items (internal indices) with their scores, best first. */
export interface ScoredItems {
  items: Int32Array;
  scores: Float32Array;
}

export interface ModelCapabilities {
  /** predict() gives a rating on the data's scale. */
  readonly rating: boolean;
  readonly similarItems: boolean;
  readonly similarUsers: boolean;
}

/**
 * The one interface every model implements. Users and items are internal indices of the id maps of
 * the dataset the model was fitted on (`users`, `items`); `BaseRecommender` adds helpers that take
 * external ids. A user index with no training rows is valid and gets the model's fallback scores.
 */
export interface Recommender<P extends Params = Params> {
  /** Registry name, e.g. 'item-knn'. */
  readonly name: string;
  /** Hyper-parameters with defaults filled in. */
  readonly params: Readonly<P>;
  readonly capabilities: ModelCapabilities;
  readonly fitted: boolean;
  readonly users: IdMap;
  readonly items: IdMap;
  /** The training interactions (users x items), used to exclude seen items. */
  readonly seen: Csr;

  fit(data: Dataset, opts?: FitOptions): Promise<FitReport>;
  /** Writes a score for every item into `out` (length nItems); higher is better. */
  scoreAll(user: number, out: Float32Array): void;
  /** Scores of the given items for the user. */
  scoreItems(user: number, items: ArrayLike<number>): Float32Array;
  recommend(user: number, opts?: RecommendOptions): ScoredItems;
  /**
   * Scores every item for a user given only by an interaction history (item indices with values;
   * null values = 1): a new or anonymous user, or a known user with fresher events than the model.
   * Factor models fold the history in without retraining; neighbourhood models use it directly.
   */
  scoreHistory(items: ArrayLike<number>, values: ArrayLike<number> | null, out: Float32Array): void;
  /** Top-n for a history (its items are excluded unless excludeSeen is false). */
  recommendHistory(items: ArrayLike<number>, values: ArrayLike<number> | null, opts?: RecommendOptions): ScoredItems;
  recommendBatch(users: ArrayLike<number>, opts?: RecommendOptions): ScoredItems[];
  similarItems(item: number, n?: number): ScoredItems;
  similarUsers(user: number, n?: number): ScoredItems;
  /** Predicted rating, clipped to the rating scale (rating models only; E_UNSUPPORTED otherwise). */
  predict(user: number, item: number): number;
  /** Serialisable state; `loadModel` rebuilds the model from it through the registry. */
  toState(): ModelState;
}

export type AnyTypedArray = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array | Int8Array | Int16Array | Uint16Array;

/** What a model saves: parameters, JSON metadata and named typed arrays. */
export interface ModelState {
  name: string;
  /** The model's own state layout version; bump when the arrays or meta change meaning. */
  stateVersion: number;
  params: Params;
  meta: Record<string, unknown>;
  arrays: Record<string, AnyTypedArray>;
  users: IdMap;
  items: IdMap;
  seen: Csr;
}
