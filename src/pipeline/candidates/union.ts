/**
 * The union of candidate sources: per-source quotas, de-duplication (an item belongs to the first
 * source, in the given order, that admits it within its quota; every source that returned it is
 * remembered in `memberOf`), and fallbacks (a source that returns fewer than its quota passes the
 * unfilled part on to the next sources; what is still missing after the last source is asked of
 * all sources again, in order).
 */
import { paramError } from '../../core/errors.js';
import type { CandidateSet, CandidateSource, RequestContext } from '../types.js';

export interface CandidateUnion extends CandidateSet {
  /** Bit s set when source s returned the item (up to 32 sources). */
  memberOf: Uint32Array;
  /** Per source: how many items it contributed (was the owner of). */
  contributed: Int32Array;
}

/**
 * Up to n unique candidates. quotas[s] is the number of items source s may contribute in the first
 * pass (their sum may differ from n: the first pass stops at n; a shortfall is filled by fallback).
 * `exclude[item] != 0` items are never returned.
 */
export function unionCandidates(
  sources: readonly CandidateSource[],
  quotas: ArrayLike<number>,
  req: RequestContext,
  n: number,
  exclude: Uint8Array | null,
): CandidateUnion {
  if (sources.length > 32) throw paramError('sources', sources.length, 'at most 32 candidate sources');
  if (quotas.length !== sources.length) throw paramError('quotas', `${quotas.length} quotas`, `one quota per source (${sources.length})`);
  for (let s = 0; s < quotas.length; s++) {
    if (!Number.isInteger(quotas[s]) || quotas[s] < 0) throw paramError(`quotas[${s}]`, quotas[s], 'a non-negative integer');
  }
  if (!Number.isInteger(n) || n < 0) throw paramError('n', n, 'a non-negative integer');
  const items = new Int32Array(n);
  const score = new Float32Array(n);
  const source = new Uint8Array(n);
  const contributed = new Int32Array(sources.length);
  // item -> position in the output (+1), only for items seen in this call
  const pos = new Map<number, number>();
  const member = new Map<number, number>();
  let total = 0;

  /** Asks source s for `want` new items; returns how many it added. */
  const take = (s: number, want: number): number => {
    if (want <= 0 || total >= n) return 0;
    want = Math.min(want, n - total);
    // duplicates of items already taken do not count, so ask for as many more as could collide
    const r = sources[s].generate(req, want + total, exclude);
    let added = 0;
    const bit = 1 << s;
    for (let i = 0; i < r.items.length; i++) {
      const it = r.items[i];
      if (exclude && it < exclude.length && exclude[it] !== 0) continue;
      member.set(it, (member.get(it) ?? 0) | bit);
      if (pos.has(it) || added >= want) continue;
      pos.set(it, total + 1);
      items[total] = it;
      score[total] = r.scores[i];
      source[total] = s;
      total++;
      added++;
    }
    contributed[s] += added;
    return added;
  };

  let carry = 0;
  for (let s = 0; s < sources.length && total < n; s++) {
    const want = quotas[s] + carry;
    carry = want - take(s, want);
  }
  // fallback: whatever is still missing, from every source again in order (beyond its quota)
  for (let s = 0; s < sources.length && total < n; s++) take(s, n - total);

  const memberOf = new Uint32Array(total);
  for (let k = 0; k < total; k++) memberOf[k] = (member.get(items[k]) ?? 0) >>> 0;
  return {
    items: items.slice(0, total),
    sourceScore: score.slice(0, total),
    source: source.slice(0, total),
    sourceNames: sources.map((s) => s.name),
    memberOf,
    contributed,
  };
}

/** Integer quotas from shares (any positive weights) of n, largest remainders first; sums to n. */
export function quotasFromShares(shares: ArrayLike<number>, n: number): Int32Array {
  let sum = 0;
  for (let s = 0; s < shares.length; s++) {
    if (!(shares[s] >= 0) || !Number.isFinite(shares[s])) throw paramError(`shares[${s}]`, shares[s], 'a non-negative finite number');
    sum += shares[s];
  }
  const q = new Int32Array(shares.length);
  if (sum === 0 || n <= 0) return q;
  const rem = new Float64Array(shares.length);
  let used = 0;
  for (let s = 0; s < shares.length; s++) {
    const exact = (shares[s] / sum) * n;
    q[s] = Math.floor(exact);
    rem[s] = exact - q[s];
    used += q[s];
  }
  const order = Array.from(rem.keys()).sort((a, b) => rem[b] - rem[a] || a - b);
  for (let i = 0; used < n; i++, used++) q[order[i % order.length]]++;
  return q;
}
