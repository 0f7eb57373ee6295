import { AffinityError, paramError } from '../core/errors.js';

/**
 * Accuracy metrics as pure functions over typed arrays.
 *
 * Conventions shared by every ranking metric below:
 * - `ranked` is one user's recommendation list, best first, without duplicates (as `recommend` returns it).
 *   Only its first `k` entries count; a list shorter than `k` is scored as if padded with misses.
 * - Ranks are 1-based: the first item has rank 1.
 * - Ties between scores are never broken here: the order of `ranked` is the model's order. (Affinity's
 *   `topK` breaks score ties by the smaller item index, so a list is deterministic.)
 * - The relevant set is a `RelevantSet`; metrics that divide by |rel| return NaN when it is empty (the
 *   evaluation runner only averages users with at least one relevant item).
 *
 * These are exactly the definitions of `shared/data/ml-100k-split/README.md`, used by the peer figures:
 * P@10 = hits/10; R@10 = hits/|test_u|; NDCG@10 with binary gains and IDCG over min(10, |test_u|);
 * MAP@10 = sum over hit ranks r of (hits so far / r) / min(10, |test_u|).
 */

/** One user's relevant items: ascending, unique indices, with optional graded gains aligned to `items`. */
export interface RelevantSet {
  readonly items: Int32Array;
  /** Graded relevance of `items[j]` (e.g. the test rating); absent = binary relevance (every gain 1). */
  readonly gains?: Float32Array | Float64Array | null;
}

/** Builds a RelevantSet from any item list (sorted here); duplicates are an E_PARAM error. */
export function relevantSet(items: ArrayLike<number>, gains?: ArrayLike<number>): RelevantSet {
  const n = items.length;
  if (gains && gains.length !== n) throw paramError('gains', gains.length, `${n} gains, one per relevant item`);
  const order = Array.from({ length: n }, (_, j) => j).sort((a, b) => items[a] - items[b]);
  const out = new Int32Array(n);
  const g = gains ? new Float64Array(n) : null;
  for (let j = 0; j < n; j++) {
    out[j] = items[order[j]];
    if (g && gains) g[j] = gains[order[j]];
    if (j > 0 && out[j] === out[j - 1]) throw paramError('relevant', out[j], 'unique item indices');
  }
  return { items: out, gains: g };
}

/** Position of `item` in `rel.items` (binary search), or -1. */
export function relevantIndex(rel: RelevantSet, item: number): number {
  const a = rel.items;
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = a[mid];
    if (v === item) return mid;
    if (v < item) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function checkK(k: number): void {
  if (!(Number.isInteger(k) && k > 0)) throw paramError('k', k, 'a positive integer cut-off');
}

// ---- rating metrics ---------------------------------------------------------------------------

function checkPairs(actual: ArrayLike<number>, predicted: ArrayLike<number>): void {
  if (actual.length !== predicted.length) throw paramError('predicted', predicted.length, `${actual.length} predictions, one per actual value`);
  if (actual.length === 0) throw new AffinityError('E_EMPTY', 'rating metrics: no (actual, predicted) pairs to score');
}

/** Root mean squared error: sqrt( (1/n) * sum_j (actual_j - predicted_j)^2 ). */
export function rmse(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkPairs(actual, predicted);
  let s = 0;
  for (let j = 0; j < actual.length; j++) {
    const d = actual[j] - predicted[j];
    s += d * d;
  }
  return Math.sqrt(s / actual.length);
}

/** Mean absolute error: (1/n) * sum_j |actual_j - predicted_j|. */
export function mae(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkPairs(actual, predicted);
  let s = 0;
  for (let j = 0; j < actual.length; j++) s += Math.abs(actual[j] - predicted[j]);
  return s / actual.length;
}

// ---- ranking metrics at K ---------------------------------------------------------------------

/** Number of relevant items among the first k of `ranked`. */
export function hitsAt(ranked: Int32Array, rel: RelevantSet, k: number): number {
  checkK(k);
  const n = Math.min(k, ranked.length);
  let h = 0;
  for (let r = 0; r < n; r++) if (relevantIndex(rel, ranked[r]) >= 0) h++;
  return h;
}

/** Precision@K = hits@K / K (K, not the list length, is the denominator). */
export function precisionAt(ranked: Int32Array, rel: RelevantSet, k: number): number {
  return hitsAt(ranked, rel, k) / k;
}

/** Recall@K = hits@K / |rel| (NaN when rel is empty). */
export function recallAt(ranked: Int32Array, rel: RelevantSet, k: number): number {
  const h = hitsAt(ranked, rel, k);
  return rel.items.length ? h / rel.items.length : NaN;
}

/** F1@K = 2 P R / (P + R), with P = precision@K and R = recall@K; 0 when P + R = 0 (NaN when rel is empty). */
export function f1At(ranked: Int32Array, rel: RelevantSet, k: number): number {
  const p = precisionAt(ranked, rel, k);
  const r = recallAt(ranked, rel, k);
  if (Number.isNaN(r)) return NaN;
  return p + r > 0 ? (2 * p * r) / (p + r) : 0;
}

/**
 * NDCG@K = DCG@K / IDCG@K with DCG@K = sum over ranks r <= K of gain(item_r) / log2(r + 1).
 * Binary (no `rel.gains`): gain = 1 for a relevant item, 0 otherwise; IDCG = sum_{r=1}^{min(K,|rel|)} 1/log2(r+1).
 * Graded (`rel.gains`): gain = the item's relevance value itself (linear gain, not 2^rel - 1); IDCG is the
 * DCG of the relevant items sorted by gain, descending, cut at K. Example: true ratings [5,4,3,2,1]
 * ranked as [5,3,4,2,1] gives NDCG@5 = 10.1410 / 10.2719 = 0.9873 (2^rel - 1 gains would give 0.9771).
 * NaN when rel is empty or IDCG is 0.
 */
export function ndcgAt(ranked: Int32Array, rel: RelevantSet, k: number): number {
  checkK(k);
  const nRel = rel.items.length;
  if (nRel === 0) return NaN;
  const gains = rel.gains ?? null;
  const n = Math.min(k, ranked.length);
  let dcg = 0;
  for (let r = 0; r < n; r++) {
    const j = relevantIndex(rel, ranked[r]);
    if (j >= 0) dcg += (gains ? gains[j] : 1) / Math.log2(r + 2);
  }
  let idcg = 0;
  const m = Math.min(k, nRel);
  if (gains) {
    const sorted = Float64Array.from(gains).sort().reverse();
    for (let r = 0; r < m; r++) idcg += sorted[r] / Math.log2(r + 2);
  } else {
    for (let r = 0; r < m; r++) idcg += 1 / Math.log2(r + 2);
  }
  return idcg > 0 ? dcg / idcg : NaN;
}

/**
 * Average precision AP@K = (1 / min(K, |rel|)) * sum over ranks r <= K holding a relevant item of
 * (hits among ranks 1..r) / r. MAP@K is its mean over users. Example: [rel, rel, non, rel, non] with 3
 * relevant items: (1/1 + 2/2 + 3/4) / 3 = 0.9167. NaN when rel is empty.
 */
export function apAt(ranked: Int32Array, rel: RelevantSet, k: number): number {
  checkK(k);
  const nRel = rel.items.length;
  if (nRel === 0) return NaN;
  const n = Math.min(k, ranked.length);
  let hits = 0;
  let s = 0;
  for (let r = 0; r < n; r++) {
    if (relevantIndex(rel, ranked[r]) >= 0) {
      hits++;
      s += hits / (r + 1);
    }
  }
  return s / Math.min(k, nRel);
}

/** HitRate@K = 1 when at least one of the first K items is relevant, else 0. */
export function hitRateAt(ranked: Int32Array, rel: RelevantSet, k: number): number {
  return hitsAt(ranked, rel, k) > 0 ? 1 : 0;
}

/** MRR@K (reciprocal rank) = 1 / (rank of the first relevant item) when that rank is <= K, else 0. */
export function mrrAt(ranked: Int32Array, rel: RelevantSet, k: number): number {
  checkK(k);
  const n = Math.min(k, ranked.length);
  for (let r = 0; r < n; r++) if (relevantIndex(rel, ranked[r]) >= 0) return 1 / (r + 1);
  return 0;
}

/**
 * AUC over a candidate set, from full scores: the fraction of (relevant, non-relevant) candidate pairs
 * where the relevant item scores higher; a tie counts 1/2 (the Mann-Whitney statistic). `scores` has one
 * entry per item; `candidates[i] = 1` marks the items taking part (null: every item). Relevant items
 * outside the candidates are ignored. NaN scores count as -Infinity. NaN when there is no pair.
 */
export function auc(scores: Float32Array | Float64Array, rel: RelevantSet, candidates: Uint8Array | null = null): number {
  const nItems = scores.length;
  const neg = new Float64Array(nItems);
  let nNeg = 0;
  const pos = new Float64Array(rel.items.length);
  let nPos = 0;
  let j = 0; // walks rel.items in step with i (both ascending)
  const relItems = rel.items;
  for (let i = 0; i < nItems; i++) {
    while (j < relItems.length && relItems[j] < i) j++;
    if (candidates && !candidates[i]) continue;
    const s = Number.isNaN(scores[i]) ? -Infinity : scores[i];
    if (j < relItems.length && relItems[j] === i) pos[nPos++] = s;
    else neg[nNeg++] = s;
  }
  if (nPos === 0 || nNeg === 0) return NaN;
  const sorted = neg.subarray(0, nNeg).sort();
  let correct = 0;
  for (let p = 0; p < nPos; p++) {
    const s = pos[p];
    const below = lowerBound(sorted, s);
    const notAbove = upperBound(sorted, s);
    correct += below + (notAbove - below) / 2;
  }
  return correct / (nPos * nNeg);
}

/** First index whose value is >= x. */
export function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose value is > x. */
export function upperBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---- sampled ranking: one positive among sampled negatives --------------------------------------

/**
 * Rank of a positive among sampled negatives, 1-based. Ties count against the positive (pessimistic):
 * rank = 1 + #{negatives with score >= the positive's}, so a constant model never looks good.
 * NaN scores count as -Infinity.
 */
export function sampledRank(posScore: number, negScores: Float32Array | Float64Array): number {
  const p = Number.isNaN(posScore) ? -Infinity : posScore;
  let r = 1;
  for (let j = 0; j < negScores.length; j++) {
    const s = Number.isNaN(negScores[j]) ? -Infinity : negScores[j];
    if (s >= p) r++;
  }
  return r;
}

/** HR@K of one sampled rank: 1 if rank <= K. */
export function sampledHit(rank: number, k: number): number {
  return rank <= k ? 1 : 0;
}
/** NDCG@K of one sampled rank (a single relevant item): 1 / log2(rank + 1) if rank <= K, else 0. */
export function sampledNdcg(rank: number, k: number): number {
  return rank <= k ? 1 / Math.log2(rank + 1) : 0;
}
/** MRR@K of one sampled rank: 1 / rank if rank <= K, else 0. */
export function sampledMrr(rank: number, k: number): number {
  return rank <= k ? 1 / rank : 0;
}
/** AUC of one positive against its negatives: (#negatives below + #ties / 2) / #negatives. */
export function sampledAuc(posScore: number, negScores: Float32Array | Float64Array): number {
  if (negScores.length === 0) return NaN;
  const p = Number.isNaN(posScore) ? -Infinity : posScore;
  let c = 0;
  for (let j = 0; j < negScores.length; j++) {
    const s = Number.isNaN(negScores[j]) ? -Infinity : negScores[j];
    if (s < p) c += 1;
    else if (s === p) c += 0.5;
  }
  return c / negScores.length;
}
