/**
 * Re-ranking: pure functions over a ranked list. A list's order is its ranking; `scores[k]` is the
 * (possibly boosted) score of items[k] and need not be sorted after order-changing re-rankers such as
 * MMR or pinned slots. `source[k]` indexes `sourceNames`; `anchor[k]` is the history item that
 * produced the candidate (-1 if none).
 */
import { Rng } from '../../core/rng.js';
import type { ItemCatalog, ItemStats } from '../catalog.js';
import type { CandidateSet, RequestContext } from '../types.js';

export interface RankedList {
  items: Int32Array;
  scores: Float32Array;
  source: Uint8Array;
  sourceNames: string[];
  anchor?: Int32Array;
}

/** What re-rankers may read besides the list and the request. */
export interface RerankContext {
  catalog: ItemCatalog;
  /** Impressions and clicks (fatigue, exploration). */
  stats?: ItemStats | null;
  /** Length of the list that will be shown (exploration slots and caps work within it; default 10). */
  n?: number;
  /** Seed of the stochastic re-rankers (default 0); combined with the user and request time. */
  seed?: number;
  /** Item vectors for similarity (MMR) when a re-ranker asks for 'vectors': row i = item i. */
  vectors?: { data: Float32Array; dim: number } | null;
}

export interface Reranker {
  readonly name: string;
  apply(list: RankedList, req: RequestContext, ctx: RerankContext): RankedList;
}

/** A ranked list from a candidate set (in the set's order; scores = source scores). */
export function fromCandidates(c: CandidateSet, scores?: Float32Array): RankedList {
  const out: RankedList = { items: c.items, scores: scores ?? c.sourceScore, source: c.source, sourceNames: c.sourceNames };
  if (c.anchor) out.anchor = c.anchor;
  return out;
}

/** The entries at positions `order` (in that order), as a new list. */
export function pick(list: RankedList, order: ArrayLike<number>, scores?: ArrayLike<number>): RankedList {
  const m = order.length;
  const items = new Int32Array(m);
  const sc = new Float32Array(m);
  const source = new Uint8Array(m);
  const anchor = list.anchor ? new Int32Array(m) : undefined;
  for (let k = 0; k < m; k++) {
    const p = order[k];
    items[k] = list.items[p];
    sc[k] = scores ? scores[p] : list.scores[p];
    source[k] = list.source[p];
    if (anchor && list.anchor) anchor[k] = list.anchor[p];
  }
  const out: RankedList = { items, scores: sc, source, sourceNames: list.sourceNames };
  if (anchor) out.anchor = anchor;
  return out;
}

/** Positions 0..n-1 sorted by descending score (stable: ties keep their order). */
export function orderByScore(scores: ArrayLike<number>): Int32Array {
  const idx = Array.from({ length: scores.length }, (_, i) => i);
  idx.sort((a, b) => scores[b] - scores[a] || a - b);
  return Int32Array.from(idx);
}

/** The list re-sorted by `scores` (stable). */
export function resort(list: RankedList, scores: Float32Array): RankedList {
  return pick(list, orderByScore(scores), scores);
}

/**
 * Multiplies a score by factor f > 0 in the direction of "better": s*f for s >= 0, s/f for s < 0,
 * so boosting by f > 1 always raises an item relative to unboosted items, whatever the score's sign.
 */
export function boost(s: number, f: number): number {
  return s >= 0 ? s * f : s / f;
}

/** Index of `name` in the list's source names, adding it (a new array) when missing. */
export function withSource(list: RankedList, name: string): { names: string[]; code: number } {
  const i = list.sourceNames.indexOf(name);
  if (i >= 0) return { names: list.sourceNames, code: i };
  return { names: [...list.sourceNames, name], code: list.sourceNames.length };
}

/** A generator seeded by (seed, user, request time): the same request re-ranks the same way. */
export function requestRng(seed: number, req: RequestContext): Rng {
  let h = (seed ^ 0x2545f491) >>> 0;
  h = Math.imul(h ^ (req.user + 1), 0x9e3779b1) >>> 0;
  h = Math.imul(h ^ (Math.floor(req.now) >>> 0), 0x85ebca6b) >>> 0;
  return new Rng(h ^ (h >>> 15));
}

/** Runs re-rankers in order. */
export function applyAll(rerankers: readonly Reranker[], list: RankedList, req: RequestContext, ctx: RerankContext): RankedList {
  let l = list;
  for (const r of rerankers) l = r.apply(l, req, ctx);
  return l;
}
