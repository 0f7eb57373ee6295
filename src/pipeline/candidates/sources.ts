/**
 * Named candidate sources (CandidateSource): factor model via ANN, item-to-item from recent items,
 * content similarity, popular / trending, new items, and any model's recommendHistory.
 */
import { AffinityError, paramError } from '../../core/errors.js';
import type { AnnIndex } from '../../ann/types.js';
import type { Recommender, ScoredItems } from '../../models/recommender.js';
import type { CandidateSource, RequestContext } from '../types.js';
import { filterTop, orderByScore, recentItems } from './common.js';

/** Searches `index` with `query`, widening past excluded items (the index handles exclusion). */
function annTop(index: AnnIndex, query: Float32Array, n: number, exclude: Uint8Array | null): ScoredItems {
  if (n <= 0) return { items: new Int32Array(0), scores: new Float32Array(0) };
  const r = index.search(query, n, exclude);
  return { items: r.items, scores: r.scores };
}

export interface FactorSourceOptions {
  name?: string;
  /** Item vectors indexed by item index (metric 'ip' for scores equal to the model's). */
  index: AnnIndex;
  /** User factors, row-major nUsers x dim. */
  userFactors: Float32Array;
  /**
   * Vector of a user known only by a history (anonymous, or fresher events): e.g. ALS foldInUser.
   * When absent, the mean of the history items' vectors is used (needs itemFactors).
   */
  foldIn?: (items: Int32Array, values: Float32Array) => Float32Array;
  itemFactors?: Float32Array;
}

/** Factor model via ANN: the user's factor vector (or a fold-in of the history) against the item index. */
export class FactorAnnSource implements CandidateSource {
  readonly name: string;
  private readonly o: FactorSourceOptions;
  private readonly nUsers: number;
  constructor(o: FactorSourceOptions) {
    this.name = o.name ?? 'factor-ann';
    this.o = o;
    this.nUsers = Math.floor(o.userFactors.length / o.index.dim);
  }

  /** The query vector for a request, or null when nothing is known of the user. */
  userVector(req: RequestContext): Float32Array | null {
    const d = this.o.index.dim;
    const h = req.history;
    if (req.user >= 0 && req.user < this.nUsers) return this.o.userFactors.subarray(req.user * d, (req.user + 1) * d);
    if (h.items.length === 0) return null;
    if (this.o.foldIn) return this.o.foldIn(h.items, h.values);
    const y = this.o.itemFactors;
    if (!y) return null;
    const v = new Float32Array(d);
    for (let i = 0; i < h.items.length; i++) for (let j = 0; j < d; j++) v[j] += y[h.items[i] * d + j];
    for (let j = 0; j < d; j++) v[j] /= h.items.length;
    return v;
  }

  generate(req: RequestContext, n: number, exclude: Uint8Array | null): ScoredItems {
    const v = this.userVector(req);
    if (!v) return { items: new Int32Array(0), scores: new Float32Array(0) };
    return annTop(this.o.index, v, n, exclude);
  }
}

/** The user and item factor matrices of a fitted factor model (ALS, BPR, ...), from its saved state. */
export function modelFactors(model: Recommender): { userFactors: Float32Array; itemFactors: Float32Array; dim: number } {
  const a = model.toState().arrays;
  const u = a.userFactors;
  const y = a.itemFactors;
  if (!(u instanceof Float32Array) || !(y instanceof Float32Array) || model.items.size === 0) {
    throw new AffinityError('E_UNSUPPORTED', `model ${model.name}: no userFactors/itemFactors arrays; expected a fitted factor model (als, bpr)`);
  }
  const dim = y.length / model.items.size;
  if (!Number.isInteger(dim) || dim < 1) throw new AffinityError('E_UNSUPPORTED', `model ${model.name}: itemFactors length ${y.length} is not a multiple of ${model.items.size} items`);
  return { userFactors: u, itemFactors: y, dim };
}

export interface ItemToItemOptions {
  name?: string;
  /** Similar items of one item, best first (any model's similarItems, an item-kNN list, ...). */
  similar: (item: number, n: number) => ScoredItems;
  /** Anchors: the user's most recent distinct items. Default 5. */
  recent?: number;
  /** Weight of the i-th most recent anchor: decay^i. Default 0.8. */
  decay?: number;
  nItems: number;
}

/**
 * Item-to-item: neighbours of the user's recent items, each scored by the sum over anchors of
 * decay^rank x similarity. The anchor that contributed most is kept (`lastAnchors`) for explanations.
 */
export class ItemToItemSource implements CandidateSource {
  readonly name: string;
  private readonly o: Required<Omit<ItemToItemOptions, 'name'>>;
  private readonly acc: Float32Array;
  private readonly best: Float32Array;
  /** After generate(): the strongest anchor item of each returned item. */
  lastAnchors: Int32Array = new Int32Array(0);
  private readonly anchorOf: Int32Array;
  private readonly mark: Uint8Array;

  constructor(o: ItemToItemOptions) {
    this.name = o.name ?? 'item2item';
    const recent = o.recent ?? 5;
    const decay = o.decay ?? 0.8;
    if (!Number.isInteger(recent) || recent < 1) throw paramError('recent', recent, 'an integer >= 1');
    if (!(decay > 0 && decay <= 1)) throw paramError('decay', decay, 'a number in (0, 1]');
    this.o = { similar: o.similar, recent, decay, nItems: o.nItems };
    this.acc = new Float32Array(o.nItems);
    this.best = new Float32Array(o.nItems);
    this.anchorOf = new Int32Array(o.nItems);
    this.mark = new Uint8Array(o.nItems);
  }

  generate(req: RequestContext, n: number, exclude: Uint8Array | null): ScoredItems {
    const anchors = recentItems(req.history.items, this.o.recent);
    const touched: number[] = [];
    const { acc, best, anchorOf, mark } = this;
    const el = exclude ? exclude.length : 0;
    let w = 1;
    for (const a of anchors) {
      const r = this.o.similar(a, n + anchors.length);
      for (let i = 0; i < r.items.length; i++) {
        const it = r.items[i];
        if ((exclude && it < el && exclude[it] !== 0) || it === a) continue;
        const s = w * r.scores[i];
        if (mark[it] === 0) {
          mark[it] = 1;
          touched.push(it);
          best[it] = -Infinity;
        }
        acc[it] += s;
        if (s > best[it]) {
          best[it] = s;
          anchorOf[it] = a;
        }
      }
      w *= this.o.decay;
    }
    touched.sort((x, y) => acc[y] - acc[x] || x - y);
    const m = Math.min(n, touched.length);
    const items = new Int32Array(m);
    const scores = new Float32Array(m);
    this.lastAnchors = new Int32Array(m);
    for (let k = 0; k < m; k++) {
      items[k] = touched[k];
      scores[k] = acc[touched[k]];
      this.lastAnchors[k] = anchorOf[touched[k]];
    }
    for (const it of touched) {
      acc[it] = 0;
      mark[it] = 0;
    }
    return { items, scores };
  }
}

export interface ContentSourceOptions {
  name?: string;
  /** Cosine index over item content vectors (rows of a feature matrix), metric 'cos'. */
  index: AnnIndex;
  /** Item content vectors, row-major nItems x index.dim (to build the user's profile). */
  vectors: Float32Array;
  /** Profile: the normalised sum of the user's most recent `recent` distinct items. Default 10. */
  recent?: number;
}

/** Content similarity: cosine between the user's content profile and every item's content vector. */
export class ContentSource implements CandidateSource {
  readonly name: string;
  private readonly o: ContentSourceOptions;
  constructor(o: ContentSourceOptions) {
    if (o.index.metric !== 'cos') throw paramError('index.metric', o.index.metric, "'cos' for a content source");
    this.name = o.name ?? 'content';
    this.o = o;
  }

  generate(req: RequestContext, n: number, exclude: Uint8Array | null): ScoredItems {
    const d = this.o.index.dim;
    const anchors = recentItems(req.history.items, this.o.recent ?? 10);
    if (anchors.length === 0) return { items: new Int32Array(0), scores: new Float32Array(0) };
    const p = new Float32Array(d);
    const v = this.o.vectors;
    for (const a of anchors) {
      let s = 0;
      for (let j = 0; j < d; j++) s += v[a * d + j] * v[a * d + j];
      const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
      for (let j = 0; j < d; j++) p[j] += v[a * d + j] * inv;
    }
    return annTop(this.o.index, p, n, exclude);
  }
}

/** A fixed ranking for everyone (popular, trending, new items): items best first with their scores. */
export class RankedListSource implements CandidateSource {
  readonly name: string;
  readonly items: Int32Array;
  readonly scores: Float32Array;
  constructor(name: string, scores: ArrayLike<number>) {
    this.name = name;
    this.items = orderByScore(scores);
    this.scores = Float32Array.from(this.items, (i) => scores[i]);
  }
  generate(_req: RequestContext, n: number, exclude: Uint8Array | null): ScoredItems {
    return filterTop(this.items, this.scores, n, exclude);
  }
}

/** Any model's top-n for the request: recommend() for a known user without history, else recommendHistory(). */
export class ModelSource implements CandidateSource {
  readonly name: string;
  constructor(private readonly model: Recommender, name?: string) {
    this.name = name ?? model.name;
  }
  generate(req: RequestContext, n: number, exclude: Uint8Array | null): ScoredItems {
    const deny: number[] = [];
    if (exclude) for (let i = 0; i < exclude.length; i++) if (exclude[i] !== 0) deny.push(i);
    const h = req.history;
    if (h.items.length === 0 && req.user >= 0 && req.user < this.model.users.size) return this.model.recommend(req.user, { n, deny });
    return this.model.recommendHistory(h.items, h.values, { n, deny });
  }
}
