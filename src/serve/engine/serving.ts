/**
 * Ranking over one model snapshot: a user's combined history (training row + real-time overlay),
 * scoring (fold-in through scoreHistory when the overlay has events, scoreAll otherwise, popularity for
 * users the model cannot score), masking (hidden / out-of-stock / deleted, seen, category, served
 * items), the rule filter, new-item slots, and explanations for the items of a page.
 */
import { AffinityError } from '../../core/errors.js';
import { topK } from '../../core/topk.js';
import type { BaseRecommender } from '../../models/base.js';
import { explainList } from '../../pipeline/explain.js';
import type { CompiledRule } from '../../pipeline/rules/index.js';
import type { RequestContext } from '../../pipeline/types.js';
import type { ModelVersion } from '../../store/types.js';
import type { ItemSpace } from './items.js';
import type { UserOverlay } from './overlay.js';

/** The model the engine serves with, swapped as one reference. */
export interface Snapshot {
  model: BaseRecommender | null;
  version: ModelVersion | null;
  items: ItemSpace;
  /** Last event seq the model was trained on. */
  trainedSeq: number;
  trainedAt: number | null;
}

/** A user's history in model index space (fold-in input) and in universe space (exclusion). */
export interface UserHistory {
  modelUser: number;
  /** Fold-in history: model items with positive total value, training items first, then overlay (oldest first). */
  items: Int32Array;
  values: Float32Array;
  /** Every universe item the user touched (training and overlay, dislikes included). */
  touched: Int32Array;
  overlayEvents: number;
}

export function userHistory(s: Snapshot, userId: string, overlay: UserOverlay | undefined): UserHistory {
  const m = s.model;
  const modelUser = m ? m.users.get(userId) : -1;
  const value = new Map<number, number>();
  if (m && modelUser >= 0 && modelUser < m.seen.nRows) {
    const { indptr, indices, data } = m.seen;
    for (let p = indptr[modelUser]; p < indptr[modelUser + 1]; p++) value.set(indices[p], data[p]);
  }
  if (overlay) {
    for (let k = 0; k < overlay.items.length; k++) {
      const i = s.items.ids.get(overlay.items[k]);
      if (i < 0) continue;
      const prev = value.get(i);
      if (prev !== undefined) value.delete(i); // re-insert: most recent last
      value.set(i, (prev ?? 0) + overlay.weights[k]);
    }
  }
  const touched = Int32Array.from(value.keys());
  const hi: number[] = [];
  const hv: number[] = [];
  for (const [i, v] of value) {
    if (i < s.items.nModel && v > 0) {
      hi.push(i);
      hv.push(v);
    }
  }
  return { modelUser, items: Int32Array.from(hi), values: Float32Array.from(hv), touched, overlayEvents: overlay ? overlay.items.length : 0 };
}

export function requestContext(h: UserHistory, nowMs: number): RequestContext {
  return { user: h.modelUser, history: { items: h.items, values: h.values, times: null }, now: nowMs / 1000 };
}

/** Scores over the model's items and the source name; null scores = serve by popularity. */
export function scoreUser(s: Snapshot, h: UserHistory): { scores: Float32Array | null; source: string } {
  const m = s.model;
  if (!m) return { scores: null, source: 'popular' };
  const out = new Float32Array(s.items.nModel);
  if (h.overlayEvents > 0 || h.modelUser < 0) {
    if (h.items.length === 0) {
      if (h.modelUser < 0) return { scores: null, source: 'popular' };
    } else {
      try {
        m.scoreHistory(h.items, h.values, out);
        return { scores: out, source: m.name };
      } catch (e) {
        if (!(e instanceof AffinityError && e.code === 'E_UNSUPPORTED')) throw e;
        if (h.modelUser < 0) return { scores: null, source: 'popular' };
      }
    }
  }
  m.scoreAll(h.modelUser, out);
  return { scores: out, source: m.name };
}

export interface ListFilter {
  excludeSeen: boolean;
  touched: Int32Array | null;
  category: Uint8Array | null;
  rule: CompiledRule | null;
  req: RequestContext;
  /** Universe indices never to return (served on earlier pages). */
  deny: Int32Array | null;
}

/** A ranked list in universe indices with the source of each entry. */
export interface RankedItems {
  items: Int32Array;
  scores: Float32Array;
  sources: string[];
}

/** The eligibility mask of a filter over the universe (1 = may be returned, rule aside). */
function eligible(items: ItemSpace, f: ListFilter): Uint8Array {
  const n = items.size;
  const ok = new Uint8Array(n);
  const blocked = items.blocked;
  for (let i = 0; i < n; i++) ok[i] = blocked[i] ? 0 : 1;
  if (f.category) for (let i = 0; i < n; i++) if (!f.category[i]) ok[i] = 0;
  if (f.excludeSeen && f.touched) for (const i of f.touched) ok[i] = 0;
  if (f.deny) for (const i of f.deny) ok[i] = 0;
  return ok;
}

/** Top `n` of `scores` (over the first scores.length universe items) under the filter. */
function select(scores: Float32Array, ok: Uint8Array, f: ListFilter, n: number): { items: Int32Array; scores: Float32Array } {
  const rule = f.rule;
  const env = { req: f.req, score: 0 };
  return topK(scores, n, (i) => {
    if (!ok[i]) return true;
    if (!rule) return false;
    env.score = scores[i];
    return !rule.test(i, env);
  });
}

/**
 * The ranked list for a user: model scores (or popularity), with items the model does not know yet
 * placed every `newEvery`-th position (by live popularity, newest first on ties).
 */
export function rankForUser(s: Snapshot, scored: { scores: Float32Array | null; source: string }, f: ListFilter, n: number, newEvery: number): RankedItems {
  const ok = eligible(s.items, f);
  if (!scored.scores) return popularList(s.items, ok, f, n, 'popular');
  const main = select(scored.scores, ok, f, n);
  const nUni = s.items.size;
  const nModel = s.items.nModel;
  let fresh: { items: Int32Array; scores: Float32Array } = { items: new Int32Array(0), scores: new Float32Array(0) };
  if (nUni > nModel && newEvery > 0) {
    const pop = new Float32Array(nUni).fill(-Infinity);
    for (let i = nModel; i < nUni; i++) pop[i] = s.items.popularity[i] + (s.items.firstSeen[i] === s.items.firstSeen[i] ? s.items.firstSeen[i] * 1e-12 : 0);
    fresh = select(pop, ok, f, Math.ceil(n / newEvery));
  }
  const items: number[] = [];
  const scores: number[] = [];
  const sources: string[] = [];
  let a = 0;
  let b = 0;
  while (items.length < n && (a < main.items.length || b < fresh.items.length)) {
    const slot = (items.length + 1) % newEvery === 0;
    if ((slot && b < fresh.items.length) || a >= main.items.length) {
      items.push(fresh.items[b]);
      scores.push(a > 0 ? main.scores[a - 1] : 0);
      sources.push('new');
      b++;
    } else {
      items.push(main.items[a]);
      scores.push(main.scores[a]);
      sources.push(scored.source);
      a++;
    }
  }
  return { items: Int32Array.from(items), scores: Float32Array.from(scores), sources };
}

/** Most popular (or trending) eligible items of the universe. */
export function popularList(items: ItemSpace, ok: Uint8Array, f: ListFilter | null, n: number, source: 'popular' | 'trending'): RankedItems {
  const N = items.size;
  const base = source === 'trending' ? items.trending : items.popularity;
  const s = new Float32Array(N);
  for (let i = 0; i < N; i++) s[i] = base[i] > 0 ? base[i] : ok[i] ? 0 : -Infinity;
  const r = f ? select(s, ok, f, n) : topK(s, n, (i) => !ok[i]);
  return { items: r.items, scores: r.scores, sources: Array.from({ length: r.items.length }, () => source) };
}

/** Eligibility of the items of the universe for lists without a user (popular, trending, session). */
export function plainEligible(items: ItemSpace, category: Uint8Array | null, deny: ArrayLike<number> | null): Uint8Array {
  const ok = new Uint8Array(items.size);
  for (let i = 0; i < ok.length; i++) ok[i] = items.blocked[i] || (category && !category[i]) ? 0 : 1;
  if (deny) for (let k = 0; k < deny.length; k++) ok[deny[k]] = 0;
  return ok;
}

/**
 * The history item (model space) closest to `item` in the model's item-factor space (cosine), over the
 * `lookback` most recent history items; -1 when the model has no item factors or the history is empty.
 */
export function factorAnchor(model: BaseRecommender, item: number, history: Int32Array, lookback = 50): number {
  const y = (model as unknown as { itemFactors?: unknown }).itemFactors;
  const nItems = model.items.size;
  if (!(y instanceof Float32Array) || nItems === 0 || y.length % nItems !== 0 || item >= nItems || history.length === 0) return -1;
  const f = y.length / nItems;
  if (f === 0) return -1;
  const a = item * f;
  let na = 0;
  for (let d = 0; d < f; d++) na += y[a + d] * y[a + d];
  let best = -1;
  let bestSim = -Infinity;
  for (let h = history.length - 1; h >= 0 && h >= history.length - lookback; h--) {
    const j = history[h];
    if (j === item) continue;
    const b = j * f;
    let dot = 0;
    let nb = 0;
    for (let d = 0; d < f; d++) {
      dot += y[a + d] * y[b + d];
      nb += y[b + d] * y[b + d];
    }
    const sim = dot / Math.sqrt(na * nb || 1);
    if (sim > bestSim) {
      bestSim = sim;
      best = j;
    }
  }
  return best;
}

/** One explanation per entry (explain.ts reasons; "Because you liked X" anchors from item factors). */
export function explainItems(s: Snapshot, list: RankedItems, req: RequestContext, verb: string): string[] {
  if (list.items.length === 0) return [];
  const names: string[] = [];
  const source = new Uint8Array(list.items.length);
  const anchor = new Int32Array(list.items.length).fill(-1);
  for (let k = 0; k < list.items.length; k++) {
    let c = names.indexOf(list.sources[k]);
    if (c < 0) c = names.push(list.sources[k]) - 1;
    source[k] = c;
    const i = list.items[k];
    if (s.model && i < s.items.nModel && list.sources[k] === s.model.name) anchor[k] = factorAnchor(s.model, i, req.history.items);
  }
  return explainList({ items: list.items, scores: list.scores, source, sourceNames: names, anchor }, req, s.items.catalog(), { verb, period: 'right now' }).map((e) => e.reason);
}
