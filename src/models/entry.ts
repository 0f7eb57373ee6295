import type { BaseRecommender } from './base.js';
import type { ParamSpecs } from './params.js';
import type { Params } from './recommender.js';

/** One registered model: its name, what it is, its documented parameters and a factory. */
export interface ModelEntry {
  readonly name: string;
  readonly summary: string;
  /** 'rating' models predict ratings (and rank); 'ranking' models only rank. */
  readonly task: 'rating' | 'ranking';
  readonly params: ParamSpecs;
  /** Builds an unfitted model from fully resolved parameters. */
  readonly build: (name: string, params: Params) => BaseRecommender;
}

/** Defines a model entry (keeps literal types at the call site). */
export function defineModel(e: ModelEntry): ModelEntry {
  return e;
}

/** A preset of another entry: same model, other defaults (e.g. 'knn-means' = user-kNN, MSD, k=40). */
export function presetOf(base: ModelEntry, name: string, summary: string, defaults: Params): ModelEntry {
  const params: ParamSpecs = {};
  for (const [k, s] of Object.entries(base.params)) params[k] = k in defaults ? { ...s, default: defaults[k] } : s;
  return { ...base, name, summary, params };
}
