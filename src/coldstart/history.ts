import { AffinityError } from '../core/errors.js';
import type { BaseRecommender } from '../models/base.js';

/** A model that folds a new user's history into a factor vector (ALS). */
interface FoldsIn {
  foldInUser(items: Int32Array, values: Float32Array): Float32Array;
  itemFactors: Float32Array;
}
function foldsIn(m: object): m is FoldsIn {
  const x = m as Partial<FoldsIn>;
  return typeof x.foldInUser === 'function' && x.itemFactors instanceof Float32Array;
}

/**
 * Scores every item for a user given only by a history, for any model: the model's own
 * scoreHistory when it has one; otherwise factor models with `foldInUser` (ALS) fold the history in
 * and score it against the item factors, and an empty history gets the model's cold-user scores
 * (scoreAll(-1)). Other models raise E_UNSUPPORTED.
 */
export function scoreFromHistory(m: BaseRecommender, items: ArrayLike<number>, values: ArrayLike<number> | null, out: Float32Array): void {
  try {
    m.scoreHistory(items, values, out);
    return;
  } catch (e) {
    if (!(e instanceof AffinityError) || e.code !== 'E_UNSUPPORTED') throw e;
  }
  if (items.length === 0) {
    m.scoreAll(-1, out);
    return;
  }
  if (foldsIn(m)) {
    const it = Int32Array.from(items);
    const vals = values ? Float32Array.from(values) : new Float32Array(it.length).fill(1);
    const v = m.foldInUser(it, vals);
    const f = v.length;
    const q = m.itemFactors;
    const n = out.length;
    for (let i = 0; i < n; i++) {
      let s = 0;
      const o = i * f;
      for (let d = 0; d < f; d++) s += v[d] * q[o + d];
      out[i] = s;
    }
    return;
  }
  // popularity-like models score every user alike
  if (m.name === 'popularity' || m.name.startsWith('popularity')) {
    m.scoreAll(-1, out);
    return;
  }
  throw new AffinityError('E_UNSUPPORTED', `${m.name} cannot score an ad-hoc interaction history`);
}

/**
 * UCB exploration bonus on impressions, in place: score_i += c * sqrt(ln N / (1 + n_i)), N = total
 * impressions (at least 1), n_i = impressions of item i. New items (n_i = 0) get the largest bonus,
 * so they gather feedback; the bonus fades as an item is shown.
 */
export function explorationBonus(scores: Float32Array, impressions: ArrayLike<number>, c: number, total?: number): Float32Array {
  if (impressions.length !== scores.length) throw new AffinityError('E_PARAM', `impressions: got length ${impressions.length}; expected ${scores.length} (one per item)`, { field: 'impressions' });
  if (!(c >= 0)) throw new AffinityError('E_PARAM', `c: got ${c}; expected a non-negative number`, { field: 'c' });
  let n = total ?? 0;
  if (total === undefined) for (let i = 0; i < impressions.length; i++) n += impressions[i];
  const lnN = Math.log(Math.max(1, n));
  for (let i = 0; i < scores.length; i++) scores[i] += c * Math.sqrt(lnN / (1 + impressions[i]));
  return scores;
}

/** A model that uses both a (new) user's features and a history (segment popularity, hybrids). */
export interface UserHistoryScorer {
  scoreUserHistory(user: number, items: ArrayLike<number>, values: ArrayLike<number> | null, out: Float32Array): void;
}
export function isUserHistoryScorer(m: object): m is UserHistoryScorer {
  return typeof (m as Partial<UserHistoryScorer>).scoreUserHistory === 'function';
}

/**
 * Scores for a user known to the id maps (maybe with features) but without training rows, who has
 * now given `items`: the model's scoreUserHistory when it has one; else its cold-user scores
 * (scoreAll(user)) for an empty history, and scoreFromHistory otherwise.
 */
export function scoreKnownUser(m: BaseRecommender, user: number, items: ArrayLike<number>, values: ArrayLike<number> | null, out: Float32Array): void {
  if (isUserHistoryScorer(m)) m.scoreUserHistory(user, items, values, out);
  else if (items.length === 0) m.scoreAll(user, out);
  else scoreFromHistory(m, items, values, out);
}
