import type { ModelEntry } from '../entry.js';
import { baselineEntries } from './baseline-only.js';
import { popularityEntries } from './popularity.js';
import { randomEntries } from './random.js';

export { fitBaselines, baselineRmse, BASELINE_DEFAULTS, type BaselineOptions, type Baselines } from './baselines.js';
export { Popularity, popularityScores, type PopularityMode } from './popularity.js';
export { RandomRecommender } from './random.js';
export { BaselineOnly } from './baseline-only.js';

/** Registry entries of this family: popularity, trending, random, baseline, baseline-sgd. */
export const baselineModels: ModelEntry[] = [...popularityEntries, ...randomEntries, ...baselineEntries];
