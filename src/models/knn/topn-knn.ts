import { AffinityError, paramError, throwIfAborted } from '../../core/errors.js';
import type { Dataset } from '../../data/dataset.js';
import { BaseRecommender, type SavedParts } from '../base.js';
import { readHistory, type History } from '../history.js';
import type { FitOptions, FitReport, ModelCapabilities, Params, ScoredItems } from '../recommender.js';
import { HistorySimilarity } from './history.js';
import type { SimMatrix } from './parallel.js';
import { computeSimilarity, type SimilarityKind } from './similarity.js';

/** Similarities offered by the top-N kNN models (implicit data). */
export type TopNSimilarity = Extract<SimilarityKind, 'cosine' | 'bm25' | 'tfidf' | 'jaccard'>;
export const TOPN_SIMILARITIES: readonly TopNSimilarity[] = ['cosine', 'bm25', 'tfidf', 'jaccard'];

export interface TopNKnnParams extends Params {
  similarity: TopNSimilarity;
  k: number;
  K1: number;
  B: number;
  shrinkage: number;
  minSupport: number;
  threads: number;
}

const STATE_VERSION = 1;
const EMPTY_SIM: SimMatrix = { n: 0, ptr: new Int32Array(1), idx: new Int32Array(0), val: new Float64Array(0) };

/** Shared parts of item-kNN and user-kNN top-N: similarity fit, popularity fallback, save/load. */
abstract class TopNKnn extends BaseRecommender<TopNKnnParams> {
  protected sim: SimMatrix = EMPTY_SIM;
  /** Number of training rows per item: the ranking of users without history. */
  protected popularity: Float32Array = new Float32Array(0);
  protected abstract readonly userBased: boolean;
  protected abstract readonly includeSelf: boolean;

  constructor(name: string, params: TopNKnnParams) {
    super(name, params);
    if (!Number.isInteger(params.k) || params.k < 1) throw paramError(`${name}.k`, params.k, 'an integer >= 1');
  }

  protected async train(_data: Dataset, opts: FitOptions): Promise<Partial<FitReport>> {
    throwIfAborted(opts.signal);
    const p = this.params;
    this.popularity = new Float32Array(this.nItems);
    const { indptr, indices } = this.seen;
    for (let q = 0; q < indptr[this.seen.nRows]; q++) this.popularity[indices[q]]++;
    this.sim = await computeSimilarity(
      this.seen,
      {
        kind: p.similarity,
        userBased: this.userBased,
        fullNorms: true,
        minSupport: p.minSupport,
        shrinkage: p.shrinkage,
        maxNeighbours: p.k,
        includeSelf: this.includeSelf,
        K1: p.K1,
        B: p.B,
      },
      { threads: opts.threads ?? p.threads, signal: opts.signal, onProgress: opts.onProgress },
    );
    return {};
  }

  /** The validated history, or null after writing the cold-start scores (item popularity) when it is empty. */
  protected historyOrCold(items: ArrayLike<number>, values: ArrayLike<number> | null, out: Float32Array): History | null {
    this.assertFitted();
    const h = readHistory(this.name, this.nItems, items, values);
    if (h.items.length > 0) return h;
    out.set(this.popularity);
    return null;
  }

  /** Row x of the similarity matrix without x itself, best first, at most n. */
  protected neighbours(x: number, n: number, what: string): ScoredItems {
    this.assertFitted();
    if (!(Number.isInteger(x) && x >= 0 && x < this.sim.n)) throw new AffinityError('E_UNKNOWN_ID', `${what} index ${x} out of range 0..${this.sim.n - 1}`, { field: what });
    const items: number[] = [];
    const scores: number[] = [];
    for (let p = this.sim.ptr[x]; p < this.sim.ptr[x + 1] && items.length < n; p++) {
      if (this.sim.idx[p] === x) continue;
      items.push(this.sim.idx[p]);
      scores.push(this.sim.val[p]);
    }
    return { items: Int32Array.from(items), scores: Float32Array.from(scores) };
  }

  protected saveParts(): SavedParts {
    return { stateVersion: STATE_VERSION, meta: {}, arrays: { simPtr: this.sim.ptr, simIdx: this.sim.idx, simVal: this.sim.val, popularity: this.popularity } };
  }

  protected loadParts(parts: SavedParts): void {
    if (parts.stateVersion !== STATE_VERSION) throw new AffinityError('E_MODEL_FILE', `${this.name}: unsupported state version ${parts.stateVersion}; expected ${STATE_VERSION}`);
    const a = parts.arrays;
    const ptr = a.simPtr as Int32Array;
    this.sim = { n: ptr.length - 1, ptr, idx: a.simIdx as Int32Array, val: a.simVal as Float64Array };
    this.popularity = a.popularity as Float32Array;
  }
}

/**
 * Item-kNN for implicit data, as implicit's ItemItemRecommender (CosineRecommender,
 * BM25Recommender, TFIDFRecommender): each item keeps its K most similar items, itself included
 * (as implicit does, so K = 20 means the item and 19 others), and
 *   score(u, j) = sum over the user's items i of value(u, i) * sim(i, j)
 * over those pruned lists. Users without history get item popularity.
 */
export class ItemKnn extends TopNKnn {
  readonly capabilities: ModelCapabilities = { rating: false, similarItems: true, similarUsers: false };
  protected readonly userBased = false;
  protected readonly includeSelf = true;

  scoreAll(user: number, out: Float32Array): void {
    this.assertFitted();
    if (!this.hasHistory(user)) {
      out.set(this.popularity);
      return;
    }
    out.fill(0);
    const { ptr, idx, val } = this.sim;
    const { indptr, indices, data } = this.seen;
    for (let q = indptr[user]; q < indptr[user + 1]; q++) {
      const i = indices[q];
      const w = data[q];
      for (let p = ptr[i]; p < ptr[i + 1]; p++) out[idx[p]] += w * val[p];
    }
  }

  /** score(j) = Σ over the history's items i of value_i · sim(i, j), as scoreAll; the empty history gets popularity. */
  override scoreHistory(items: ArrayLike<number>, values: ArrayLike<number> | null, out: Float32Array): void {
    const h = this.historyOrCold(items, values, out);
    if (!h) return;
    out.fill(0);
    const { ptr, idx, val } = this.sim;
    for (let k = 0; k < h.items.length; k++) {
      const i = h.items[k];
      const w = h.values[k];
      for (let p = ptr[i]; p < ptr[i + 1]; p++) out[idx[p]] += w * val[p];
    }
  }

  override similarItems(item: number, n = 10): ScoredItems {
    return this.neighbours(item, n, 'item');
  }
}

/**
 * User-kNN for implicit data: each user keeps the k most similar other users, and
 *   score(u, j) = sum over those users v of sim(u, v) * value(v, j).
 * Users without history get item popularity.
 */
export class UserKnn extends TopNKnn {
  readonly capabilities: ModelCapabilities = { rating: false, similarItems: false, similarUsers: true };
  protected readonly userBased = true;
  protected readonly includeSelf = false;
  private historySim: HistorySimilarity | null = null;

  protected override async train(data: Dataset, opts: FitOptions): Promise<Partial<FitReport>> {
    this.historySim = null;
    return super.train(data, opts);
  }

  protected override loadParts(parts: SavedParts): void {
    this.historySim = null;
    super.loadParts(parts);
  }

  scoreAll(user: number, out: Float32Array): void {
    this.assertFitted();
    if (!this.hasHistory(user)) {
      out.set(this.popularity);
      return;
    }
    out.fill(0);
    const { ptr, idx, val } = this.sim;
    const { indptr, indices, data } = this.seen;
    for (let p = ptr[user]; p < ptr[user + 1]; p++) {
      const v = idx[p];
      const s = val[p];
      for (let q = indptr[v]; q < indptr[v + 1]; q++) out[indices[q]] += s * data[q];
    }
  }

  /**
   * The history's k most similar training users, computed on the fly with the training measure
   * (cosine of whole vectors, BM25, TF-IDF or Jaccard, same shrinkage and support), then
   * score(j) = Σ sim(h, v) · value(v, j) as scoreAll. A known user's own training row counts as a
   * neighbour (it takes one of the k places). The empty history gets popularity.
   */
  override scoreHistory(items: ArrayLike<number>, values: ArrayLike<number> | null, out: Float32Array): void {
    const h = this.historyOrCold(items, values, out);
    if (!h) return;
    const p = this.params;
    this.historySim ??= new HistorySimilarity(this.seen, {
      kind: p.similarity,
      userBased: true,
      fullNorms: true,
      minSupport: p.minSupport,
      shrinkage: p.shrinkage,
      maxNeighbours: p.k,
      K1: p.K1,
      B: p.B,
    });
    const nb = this.historySim.neighbours(h.items, this.historySim.weights(h, undefined, 0));
    out.fill(0);
    const { indptr, indices, data } = this.seen;
    for (let t = 0; t < nb.idx.length; t++) {
      const v = nb.idx[t];
      const s = nb.val[t];
      for (let q = indptr[v]; q < indptr[v + 1]; q++) out[indices[q]] += s * data[q];
    }
  }

  override similarUsers(user: number, n = 10): ScoredItems {
    return this.neighbours(user, n, 'user');
  }
}
