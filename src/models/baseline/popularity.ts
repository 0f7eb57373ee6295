import { AffinityError, throwIfAborted } from '../../core/errors.js';
import type { Dataset } from '../../data/dataset.js';
import { BaseRecommender, type SavedParts } from '../base.js';
import { defineModel, presetOf, type ModelEntry } from '../entry.js';
import { readHistory } from '../history.js';
import type { ParamSpecs } from '../params.js';
import type { FitOptions, FitReport, ModelCapabilities, Params } from '../recommender.js';

export type PopularityMode = 'count' | 'weighted' | 'trending';

export const POPULARITY_PARAMS: ParamSpecs = {
  mode: {
    default: 'count',
    choices: ['count', 'weighted', 'trending'],
    doc: "Item score: 'count' = number of users who interacted; 'weighted' = sum of the interaction values; 'trending' = sum of time-decayed weights w * 2^(-(now - t) / halfLife). Default 'count'.",
  },
  halfLifeDays: {
    default: 7,
    min: 1e-6,
    doc: "'trending': half-life of an interaction's weight, in days (an interaction halfLifeDays old counts half). Default 7.",
  },
  now: {
    default: 0,
    min: 0,
    doc: "'trending': the reference time in unix seconds; 0 = the latest timestamp of the training data. Interactions after `now` are ignored. Default 0.",
  },
  useValues: {
    default: false,
    doc: "'trending': weight each interaction by its value instead of 1. Default false.",
  },
};

const SECONDS_PER_DAY = 86_400;

/**
 * Item popularity computed in one pass over the interactions. The same scores for every user (so a
 * user without history gets the same list); seen items are excluded as usual.
 */
export class Popularity extends BaseRecommender {
  readonly capabilities: ModelCapabilities = { rating: false, similarItems: false, similarUsers: false };
  private itemScores: Float32Array = new Float32Array(0);
  /** The `now` used by 'trending' (unix seconds), for reports. */
  referenceTime = 0;

  protected train(data: Dataset, opts: FitOptions): Partial<FitReport> {
    throwIfAborted(opts.signal);
    const { scores, now } = popularityScores(data, {
      mode: this.params.mode as PopularityMode,
      halfLifeDays: this.params.halfLifeDays as number,
      now: this.params.now as number,
      useValues: this.params.useValues as boolean,
    });
    this.itemScores = Float32Array.from(scores);
    this.referenceTime = now;
    throwIfAborted(opts.signal);
    return {};
  }

  scoreAll(_user: number, out: Float32Array): void {
    this.assertFitted();
    out.set(this.itemScores);
  }

  /** The same popularity list for any history (the history's items are only excluded by recommendHistory). */
  override scoreHistory(items: ArrayLike<number>, values: ArrayLike<number> | null, out: Float32Array): void {
    this.assertFitted();
    readHistory(this.name, this.nItems, items, values);
    out.set(this.itemScores);
  }

  protected saveParts(): SavedParts {
    return { stateVersion: 1, meta: { referenceTime: this.referenceTime }, arrays: { scores: this.itemScores } };
  }

  protected loadParts(parts: SavedParts): void {
    const s = parts.arrays.scores;
    if (!(s instanceof Float32Array) || s.length !== this.nItems) {
      throw new AffinityError('E_MODEL_FILE', `${this.name}: saved state lacks a Float32Array 'scores' of length ${this.nItems}`);
    }
    this.itemScores = s;
    this.referenceTime = typeof parts.meta.referenceTime === 'number' ? parts.meta.referenceTime : 0;
  }
}

/**
 * Popularity of every item of `data` (length nItems, in float64) and the reference time used.
 * 'trending' needs timestamps (E_PARAM otherwise).
 */
export function popularityScores(
  data: Dataset,
  o: { mode: PopularityMode; halfLifeDays?: number; now?: number; useValues?: boolean },
): { scores: Float64Array; now: number } {
  const out = new Float64Array(data.nItems);
  const { item, value } = data;
  const n = data.size;
  if (o.mode === 'count') {
    for (let k = 0; k < n; k++) out[item[k]] += 1;
    return { scores: out, now: 0 };
  }
  if (o.mode === 'weighted') {
    for (let k = 0; k < n; k++) out[item[k]] += value[k];
    return { scores: out, now: 0 };
  }
  const time = data.time;
  if (!time) throw new AffinityError('E_PARAM', "mode: got \"trending\"; expected data with timestamps (this dataset has none); use mode 'count'", { field: 'mode' });
  let now = o.now ?? 0;
  if (!(now > 0)) {
    now = -Infinity;
    for (let k = 0; k < n; k++) if (time[k] > now) now = time[k];
  }
  const halfLife = (o.halfLifeDays ?? 7) * SECONDS_PER_DAY;
  const useValues = o.useValues ?? false;
  for (let k = 0; k < n; k++) {
    const age = now - time[k];
    if (age < 0) continue;
    out[item[k]] += (useValues ? value[k] : 1) * Math.pow(2, -age / halfLife);
  }
  return { scores: out, now };
}

const popularityEntry = defineModel({
  name: 'popularity',
  summary: 'Most popular items (number of users), the same list for everyone',
  task: 'ranking',
  params: POPULARITY_PARAMS,
  build: (name: string, params: Params) => new Popularity(name, params),
});

export const popularityEntries: ModelEntry[] = [
  popularityEntry,
  presetOf(popularityEntry, 'trending', 'Trending items: popularity with exponential time decay (half-life 7 days)', { mode: 'trending' }),
];
