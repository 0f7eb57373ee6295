/**
 * Group recommendations: one list for several users at once. Each member's scores come from any
 * Recommender (scoreAll for a user known to the model without extra history, else scoreHistory of
 * the member's history), normalised per member (min-max to [0, 1] over the eligible items by
 * default), then aggregated:
 *   average        mean of the members' scores
 *   least-misery   minimum (nobody hates it)
 *   most-pleasure  maximum (somebody loves it)
 *   fair           greedy proportional: each next item maximises the minimum cumulative satisfaction
 *                  of the members (ties: higher mean, then smaller index)
 * Seen items of any member are excluded unless `excludeSeen` is false.
 */
import { paramError } from '../core/errors.js';
import { topK } from '../core/topk.js';
import type { Recommender } from '../models/recommender.js';
import type { RequestContext } from './types.js';

export type GroupStrategy = 'average' | 'least-misery' | 'most-pleasure' | 'fair';
export const GROUP_STRATEGIES: readonly GroupStrategy[] = ['average', 'least-misery', 'most-pleasure', 'fair'];

export interface GroupOptions {
  strategy?: GroupStrategy;
  /** List length (default 10). */
  n?: number;
  /** Leave out items any member has seen (default true). */
  excludeSeen?: boolean;
  /** Per-member normalisation: 'minmax' (default), 'rank' (1 - rank / eligible) or 'none'. */
  normalize?: 'minmax' | 'rank' | 'none';
}

export interface GroupResult {
  items: Int32Array;
  /** The group score of each item under the strategy (fair: the minimum cumulative satisfaction after it). */
  scores: Float32Array;
  /** Normalised score of each item for each member: member m, position k at [m * n + k]. */
  memberScores: Float32Array;
  /** Sum of each member's normalised scores over the list. */
  satisfaction: Float64Array;
}

/** Raw scores of every item for one member. */
export function memberRawScores(model: Recommender, member: RequestContext, out: Float32Array): void {
  const known = member.user >= 0 && member.user < model.seen.nRows;
  if (known && member.history.items.length === 0) model.scoreAll(member.user, out);
  else model.scoreHistory(member.history.items, member.history.values, out);
}

/** In place: rescales the eligible scores (eligible[i] != 0, finite) of one member; others become NaN. */
export function normalizeScores(s: Float32Array, eligible: Uint8Array, how: 'minmax' | 'rank' | 'none'): void {
  let lo = Infinity;
  let hi = -Infinity;
  let m = 0;
  for (let i = 0; i < s.length; i++) {
    if (!eligible[i] || !Number.isFinite(s[i])) {
      s[i] = NaN;
      continue;
    }
    m++;
    if (s[i] < lo) lo = s[i];
    if (s[i] > hi) hi = s[i];
  }
  if (how === 'none') return;
  if (how === 'minmax') {
    const span = hi - lo;
    for (let i = 0; i < s.length; i++) if (s[i] === s[i]) s[i] = span > 0 ? (s[i] - lo) / span : 1;
    return;
  }
  const idx: number[] = [];
  for (let i = 0; i < s.length; i++) if (s[i] === s[i]) idx.push(i);
  idx.sort((a, b) => s[b] - s[a] || a - b);
  for (let r = 0; r < idx.length; r++) s[idx[r]] = m > 1 ? 1 - r / (m - 1) : 1;
}

/**
 * Aggregates normalised member scores (`scores[m]`, length nItems each; NaN = not eligible) into a
 * group list of up to n items.
 */
export function aggregateGroup(scores: readonly Float32Array[], strategy: GroupStrategy, n: number): GroupResult {
  if (!GROUP_STRATEGIES.includes(strategy)) throw paramError('strategy', strategy, `one of ${GROUP_STRATEGIES.join(', ')}`);
  if (!Number.isInteger(n) || n < 0) throw paramError('n', n, 'a non-negative integer');
  const M = scores.length;
  if (M === 0) throw paramError('members', 0, 'at least one group member');
  const N = scores[0].length;
  const mean = new Float64Array(N);
  const agg = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let sum = 0;
    let mn = Infinity;
    let mx = -Infinity;
    for (let m = 0; m < M; m++) {
      const v = scores[m][i];
      sum += v;
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
    mean[i] = sum / M; // NaN when any member cannot get the item
    agg[i] = mean[i] !== mean[i] ? -Infinity : strategy === 'least-misery' ? mn : strategy === 'most-pleasure' ? mx : mean[i];
  }
  let items: Int32Array;
  let out: Float32Array;
  if (strategy !== 'fair') {
    const r = topK(agg, n);
    items = r.items;
    out = r.scores;
  } else {
    const cum = new Float64Array(M);
    const taken = new Uint8Array(N);
    const it: number[] = [];
    const sc: number[] = [];
    for (let k = 0; k < n; k++) {
      let best = -1;
      let bestMin = -Infinity;
      let bestMean = -Infinity;
      for (let i = 0; i < N; i++) {
        if (taken[i] || agg[i] === -Infinity) continue;
        let mn = Infinity;
        for (let m = 0; m < M; m++) {
          const v = cum[m] + scores[m][i];
          if (v < mn) mn = v;
        }
        if (mn > bestMin || (mn === bestMin && mean[i] > bestMean)) {
          best = i;
          bestMin = mn;
          bestMean = mean[i];
        }
      }
      if (best < 0) break;
      taken[best] = 1;
      for (let m = 0; m < M; m++) cum[m] += scores[m][best];
      it.push(best);
      sc.push(bestMin);
    }
    items = Int32Array.from(it);
    out = Float32Array.from(sc);
  }
  const k = items.length;
  const memberScores = new Float32Array(M * k);
  const satisfaction = new Float64Array(M);
  for (let m = 0; m < M; m++) {
    for (let p = 0; p < k; p++) {
      const v = scores[m][items[p]];
      memberScores[m * k + p] = v;
      satisfaction[m] += v;
    }
  }
  return { items, scores: out, memberScores, satisfaction };
}

/** Recommends one list for a group of members with any model. */
export function recommendGroup(model: Recommender, members: readonly RequestContext[], opts: GroupOptions = {}): GroupResult {
  const strategy = opts.strategy ?? 'average';
  const n = opts.n ?? 10;
  const how = opts.normalize ?? 'minmax';
  if (how !== 'minmax' && how !== 'rank' && how !== 'none') throw paramError('normalize', how, "'minmax', 'rank' or 'none'");
  if (members.length === 0) throw paramError('members', 0, 'at least one group member');
  const N = model.items.size;
  const eligible = new Uint8Array(N).fill(1);
  if (opts.excludeSeen ?? true) {
    const seen = model.seen;
    for (const mem of members) {
      if (mem.user >= 0 && mem.user < seen.nRows) for (let p = seen.indptr[mem.user]; p < seen.indptr[mem.user + 1]; p++) eligible[seen.indices[p]] = 0;
      for (const it of mem.history.items) if (it >= 0 && it < N) eligible[it] = 0;
    }
  }
  const scores = members.map((mem) => {
    const s = new Float32Array(N);
    memberRawScores(model, mem, s);
    normalizeScores(s, eligible, how);
    return s;
  });
  return aggregateGroup(scores, strategy, n);
}
