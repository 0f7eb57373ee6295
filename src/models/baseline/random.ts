import { throwIfAborted } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { Dataset } from '../../data/dataset.js';
import { BaseRecommender, type SavedParts } from '../base.js';
import { defineModel, type ModelEntry } from '../entry.js';
import { historyHash, readHistory } from '../history.js';
import type { ParamSpecs } from '../params.js';
import type { FitOptions, FitReport, ModelCapabilities, Params } from '../recommender.js';

export const RANDOM_PARAMS: ParamSpecs = {
  seed: { default: 42, integer: true, min: 0, max: 4294967295, doc: 'Seed of the random scores; a user always gets the same scores for the same seed. Default 42.' },
};

/**
 * Uniform random scores in [0, 1), drawn from an Rng seeded by (seed, user): deterministic per
 * user, independent across users. The floor every model must beat.
 */
export class RandomRecommender extends BaseRecommender {
  readonly capabilities: ModelCapabilities = { rating: false, similarItems: false, similarUsers: false };

  protected train(_data: Dataset, opts: FitOptions): Partial<FitReport> {
    throwIfAborted(opts.signal);
    return {};
  }

  scoreAll(user: number, out: Float32Array): void {
    this.assertFitted();
    const rng = new Rng(userSeed(this.params.seed as number, user));
    for (let i = 0; i < out.length; i++) out[i] = rng.next();
  }

  /**
   * Random scores seeded by (seed, the history's items): the same history always gets the same
   * scores; the empty history gets those of an unknown user (scoreAll(-1)).
   */
  override scoreHistory(items: ArrayLike<number>, values: ArrayLike<number> | null, out: Float32Array): void {
    this.assertFitted();
    const h = readHistory(this.name, this.nItems, items, values);
    const seed = this.params.seed as number;
    const rng = new Rng(userSeed(h.items.length ? (seed ^ historyHash(h.items)) >>> 0 : seed, -1));
    for (let i = 0; i < out.length; i++) out[i] = rng.next();
  }

  protected saveParts(): SavedParts {
    return { stateVersion: 1, meta: {}, arrays: {} };
  }

  protected loadParts(_parts: SavedParts): void {
    // the scores depend on the seed parameter only
  }
}

/** Mixes (seed, user) into one 32-bit seed (murmur3 finaliser). */
export function userSeed(seed: number, user: number): number {
  let h = (seed ^ Math.imul(user + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

export const randomEntries: ModelEntry[] = [
  defineModel({
    name: 'random',
    summary: 'Random scores (seeded per user): the floor every model must beat',
    task: 'ranking',
    params: RANDOM_PARAMS,
    build: (name: string, params: Params) => new RandomRecommender(name, params),
  }),
];
