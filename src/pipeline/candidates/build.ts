/** Builders of the candidate sources from fitted models and datasets. */
import { paramError } from '../../core/errors.js';
import { buildAnnIndex, DEFAULT_ANN_BACKEND } from '../../ann/index.js';
import type { AnnOptions } from '../../ann/types.js';
import type { Dataset } from '../../data/dataset.js';
import { popularityScores, type PopularityMode } from '../../models/baseline/popularity.js';
import type { Recommender } from '../../models/recommender.js';
import { ContentSource, FactorAnnSource, ItemToItemSource, ModelSource, RankedListSource, modelFactors } from './sources.js';

export type AnnBuildOptions = Omit<AnnOptions, 'dim' | 'metric'> & { backend?: string };

interface FoldInModel {
  foldInUser(items: Int32Array, values: Float32Array): Float32Array;
}
function hasFoldIn(m: unknown): m is FoldInModel {
  return typeof (m as Partial<FoldInModel>).foldInUser === 'function';
}

/**
 * Factor model via ANN: an inner-product index over the model's item factors; known users query with
 * their factor vector, others with the model's fold-in of their history (ALS) or the mean of their
 * items' vectors.
 */
export function factorSource(model: Recommender, o: AnnBuildOptions & { name?: string } = {}): FactorAnnSource {
  const f = modelFactors(model);
  const index = buildAnnIndex(o.backend ?? DEFAULT_ANN_BACKEND, f.itemFactors, { ...o, dim: f.dim, metric: 'ip' });
  return new FactorAnnSource({
    name: o.name ?? `${model.name}-ann`,
    index,
    userFactors: f.userFactors,
    itemFactors: f.itemFactors,
    ...(hasFoldIn(model) ? { foldIn: (items: Int32Array, values: Float32Array) => model.foldInUser(items, values) } : {}),
  });
}

/** Item-to-item from the user's recent items through any model's similarItems. */
export function itemToItemSource(model: Recommender, o: { name?: string; recent?: number; decay?: number } = {}): ItemToItemSource {
  if (!model.capabilities.similarItems) throw paramError('model', model.name, 'a model with similarItems (item-knn, als, bpr, ease, ...)');
  return new ItemToItemSource({ name: o.name ?? 'item2item', similar: (i, n) => model.similarItems(i, n), recent: o.recent, decay: o.decay, nItems: model.items.size });
}

/** Content similarity over dense item content vectors (nItems x dim), through a cosine ANN index. */
export function contentSource(vectors: Float32Array, dim: number, o: AnnBuildOptions & { name?: string; recent?: number } = {}): ContentSource {
  const index = buildAnnIndex(o.backend ?? 'exact', vectors, { ...o, dim, metric: 'cos' });
  return new ContentSource({ name: o.name ?? 'content', index, vectors, recent: o.recent });
}

/** Popular ('count') or trending (time-decayed, mode 'trending') items, from the baseline popularity scores. */
export function popularSource(
  data: Dataset,
  o: { name?: string; mode?: PopularityMode; halfLifeDays?: number; now?: number } = {},
): RankedListSource {
  const mode = o.mode ?? 'count';
  const { scores } = popularityScores(data, { mode, halfLifeDays: o.halfLifeDays, now: o.now });
  return new RankedListSource(o.name ?? (mode === 'trending' ? 'trending' : 'popular'), scores);
}

/**
 * New items: newest first by the time each item was first seen in the data (score = that time,
 * unix seconds). With maxAgeDays, items first seen longer ago than that before `now` (default: the
 * latest timestamp) are left out.
 */
export function newItemsSource(data: Dataset, o: { name?: string; maxAgeDays?: number; now?: number } = {}): RankedListSource {
  const time = data.time;
  if (!time) throw paramError('data', data.source, 'interactions with timestamps for a new-items source');
  const first = new Float64Array(data.nItems).fill(Infinity);
  let latest = -Infinity;
  for (let k = 0; k < data.size; k++) {
    const it = data.item[k];
    if (time[k] < first[it]) first[it] = time[k];
    if (time[k] > latest) latest = time[k];
  }
  const now = o.now ?? latest;
  const minTime = o.maxAgeDays !== undefined ? now - o.maxAgeDays * 86_400 : -Infinity;
  const scores = new Float64Array(data.nItems);
  for (let i = 0; i < scores.length; i++) scores[i] = first[i] < Infinity && first[i] >= minTime && first[i] <= now ? first[i] : -Infinity;
  return new RankedListSource(o.name ?? 'new', scores);
}

/** A generic source wrapping any model's recommend / recommendHistory. */
export function modelSource(model: Recommender, name?: string): ModelSource {
  return new ModelSource(model, name);
}
