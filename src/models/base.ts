import { emptyCsr, type Csr } from '../core/csr.js';
import { AffinityError } from '../core/errors.js';
import { IdMap } from '../core/idmap.js';
import { topK } from '../core/topk.js';
import type { Dataset } from '../data/dataset.js';
import type {
  AnyTypedArray,
  FitOptions,
  FitReport,
  ModelCapabilities,
  ModelState,
  Params,
  RecommendOptions,
  Recommender,
  ScoredItems,
} from './recommender.js';

/** What a subclass saves beyond params, id maps and the seen matrix. */
export interface SavedParts {
  stateVersion: number;
  meta: Record<string, unknown>;
  arrays: Record<string, AnyTypedArray>;
}

/** A recommendation with external ids, for application code. */
export interface Recommendation {
  id: string;
  score: number;
}

/**
 * Shared machinery of every model: fit bookkeeping, seen-item exclusion, allow/deny lists, top-K,
 * batches, external-id helpers and save/load plumbing. A model implements `train`, `scoreAll`,
 * `saveParts` and `loadParts` (and optionally `predict`, `similarItems`, `similarUsers`,
 * `scoreItems` and `recommendBatch` for speed).
 */
export abstract class BaseRecommender<P extends Params = Params> implements Recommender<P> {
  readonly name: string;
  readonly params: Readonly<P>;
  abstract readonly capabilities: ModelCapabilities;
  fitted = false;
  users: IdMap = new IdMap();
  items: IdMap = new IdMap();
  seen: Csr = emptyCsr(0, 0);
  private scratch: Float32Array | null = null;

  constructor(name: string, params: P) {
    this.name = name;
    this.params = Object.freeze({ ...params });
  }

  /** Number of items the model scores. */
  get nItems(): number {
    return this.seen.nCols;
  }
  /** Number of users known at fit time. */
  get nUsers(): number {
    return this.seen.nRows;
  }

  /** Trains on `data`; `seen`, `users` and `items` are already set when it runs. */
  protected abstract train(data: Dataset, opts: FitOptions): Promise<Partial<FitReport>> | Partial<FitReport>;
  abstract scoreAll(user: number, out: Float32Array): void;
  protected abstract saveParts(): SavedParts;
  protected abstract loadParts(parts: SavedParts): void;

  async fit(data: Dataset, opts: FitOptions = {}): Promise<FitReport> {
    if (data.size === 0) throw new AffinityError('E_EMPTY', `${this.name}: the training data has no interactions`);
    const t0 = performance.now();
    this.users = data.users;
    this.items = data.items;
    this.seen = data.csr();
    this.fitted = false;
    const r = await this.train(data, opts);
    this.fitted = true;
    return { ...r, fitSeconds: (performance.now() - t0) / 1000 };
  }

  protected assertFitted(): void {
    if (!this.fitted) throw new AffinityError('E_NOT_FITTED', `${this.name}: call fit() (or load a saved model) first`);
  }

  /** True when the user had training rows. */
  protected hasHistory(user: number): boolean {
    return user >= 0 && user < this.seen.nRows && this.seen.indptr[user + 1] > this.seen.indptr[user];
  }

  scoreItems(user: number, items: ArrayLike<number>): Float32Array {
    this.assertFitted();
    const all = this.buffer();
    this.scoreAll(user, all);
    const out = new Float32Array(items.length);
    for (let k = 0; k < items.length; k++) out[k] = all[items[k]];
    return out;
  }

  recommend(user: number, opts: RecommendOptions = {}): ScoredItems {
    this.assertFitted();
    const scores = this.buffer();
    this.scoreAll(user, scores);
    return this.select(user, scores, opts);
  }

  scoreHistory(_items: ArrayLike<number>, _values: ArrayLike<number> | null, _out: Float32Array): void {
    throw new AffinityError('E_UNSUPPORTED', `${this.name} cannot score an ad-hoc interaction history`);
  }

  recommendHistory(items: ArrayLike<number>, values: ArrayLike<number> | null, opts: RecommendOptions = {}): ScoredItems {
    this.assertFitted();
    const scores = this.buffer();
    this.scoreHistory(items, values, scores);
    return this.select(-1, scores, { ...opts, seen: opts.seen ?? items });
  }

  recommendBatch(users: ArrayLike<number>, opts: RecommendOptions = {}): ScoredItems[] {
    const out: ScoredItems[] = [];
    for (let k = 0; k < users.length; k++) out.push(this.recommend(users[k], opts));
    return out;
  }

  /** Sets -Infinity on `scores` for the user's seen items (unless excludeSeen is false) and the deny-list. */
  protected maskExcluded(user: number, scores: Float32Array, opts: RecommendOptions): void {
    if (opts.excludeSeen ?? true) {
      if (opts.seen) {
        for (let k = 0; k < opts.seen.length; k++) scores[opts.seen[k]] = -Infinity;
      } else if (user >= 0 && user < this.seen.nRows) {
        const { indptr, indices } = this.seen;
        for (let p = indptr[user]; p < indptr[user + 1]; p++) scores[indices[p]] = -Infinity;
      }
    }
    if (opts.deny) for (let k = 0; k < opts.deny.length; k++) scores[opts.deny[k]] = -Infinity;
  }

  /**
   * Top-n of `scores` (which it may modify) for `user` under the options: seen items, deny-list and
   * items outside the allow-list get -Infinity before selection.
   */
  protected select(user: number, scores: Float32Array, opts: RecommendOptions): ScoredItems {
    const n = opts.n ?? 10;
    if (!(Number.isInteger(n) && n >= 0)) throw new AffinityError('E_PARAM', `n: got ${n}; expected a non-negative integer`, { field: 'n' });
    this.maskExcluded(user, scores, opts);
    if (opts.allow) {
      const allowed = new Float32Array(scores.length).fill(-Infinity);
      for (let k = 0; k < opts.allow.length; k++) {
        const i = opts.allow[k];
        if (i >= 0 && i < scores.length) allowed[i] = scores[i];
      }
      return topK(allowed, n);
    }
    return topK(scores, n);
  }

  similarItems(_item: number, _n = 10): ScoredItems {
    throw new AffinityError('E_UNSUPPORTED', `${this.name} does not compute similar items`);
  }

  similarUsers(_user: number, _n = 10): ScoredItems {
    throw new AffinityError('E_UNSUPPORTED', `${this.name} does not compute similar users`);
  }

  predict(_user: number, _item: number): number {
    throw new AffinityError('E_UNSUPPORTED', `${this.name} is not a rating model; use recommend() or scoreItems()`);
  }

  /** Clips a rating to the training data's scale (no-op when the data had none). */
  protected clip(r: number, scale: [number, number] | null): number {
    if (!scale) return r;
    return r < scale[0] ? scale[0] : r > scale[1] ? scale[1] : r;
  }

  // ---- external-id helpers -------------------------------------------------------------------

  /** Top-n for an external user id; an unknown user gets the model's fallback (cold-start) list. */
  recommendFor(userId: string, opts: RecommendOptions = {}): Recommendation[] {
    return this.toExternal(this.recommend(this.users.get(userId), opts));
  }

  /** Items most similar to an external item id. */
  similarTo(itemId: string, n = 10): Recommendation[] {
    return this.toExternal(this.similarItems(this.items.require(itemId, 'item'), n));
  }

  protected toExternal(r: ScoredItems): Recommendation[] {
    const out: Recommendation[] = [];
    for (let k = 0; k < r.items.length; k++) out.push({ id: this.items.id(r.items[k]), score: r.scores[k] });
    return out;
  }

  // ---- persistence ---------------------------------------------------------------------------

  toState(): ModelState {
    this.assertFitted();
    const parts = this.saveParts();
    return { name: this.name, params: { ...this.params }, users: this.users, items: this.items, seen: this.seen, ...parts };
  }

  /** Restores a fitted model from a saved state (called by `loadModel`). */
  restore(state: ModelState): this {
    this.users = state.users;
    this.items = state.items;
    this.seen = state.seen;
    this.loadParts({ stateVersion: state.stateVersion, meta: state.meta, arrays: state.arrays });
    this.fitted = true;
    return this;
  }

  /** A reusable score buffer of length nItems. */
  protected buffer(): Float32Array {
    if (!this.scratch || this.scratch.length !== this.nItems) this.scratch = new Float32Array(this.nItems);
    return this.scratch;
  }
}
