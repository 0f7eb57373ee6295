import { topK } from '../../core/topk.js';
import type { ScoredItems } from '../recommender.js';
import type { FactorState } from './factor-model.js';

/** A user folded into a trained model (see FactorRatingModel.foldInUser). */
export interface FoldedUser {
  /** b_u (0 for unbiased models). */
  bias: number;
  /** The vector q_i is multiplied with: p_u (SVD) or p_u + implicit term (SVD++); length f. */
  vector: Float32Array;
  /** The items the vector was learned from (excluded from recommendations by default). */
  items: Int32Array;
  /** Training RMSE over the given ratings after the last step. */
  rmse: number;
}

/** Why a prediction is what it is, in terms of the user's own ratings. */
export interface Explanation {
  user: number;
  item: number;
  /** The clipped prediction. */
  prediction: number;
  /** The user's rated items, largest |contribution| first (at most n). */
  items: Int32Array;
  /** cos(q_item, q_j) of each listed item. */
  similarity: Float32Array;
  /** r_uj - baseline_uj: baseline = mu + b_u + b_j (biased), the user's mean rating (unbiased). */
  deviation: Float32Array;
  /** similarity x deviation. */
  contribution: Float32Array;
}

/** Top-n rows of `m` by cosine with row `row` (which is excluded, as are zero rows). */
export function cosineTop(m: Float32Array, norms: Float32Array, f: number, row: number, n: number): ScoredItems {
  const rows = norms.length;
  const scores = new Float32Array(rows);
  const o = row * f;
  const nr = norms[row];
  for (let r = 0; r < rows; r++) {
    const nn = norms[r];
    if (r === row || nn === 0 || nr === 0) {
      scores[r] = -Infinity;
      continue;
    }
    const or = r * f;
    let s = 0;
    for (let t = 0; t < f; t++) s += m[o + t] * m[or + t];
    scores[r] = s / (nr * nn);
  }
  return topK(scores, n);
}

/**
 * Explanation of the prediction for (user, item) by the user's rated items j:
 *   similarity_j   = cos(q_item, q_j)   (item factors; 0 when either vector is 0)
 *   deviation_j    = r_uj - (mu + b_u + b_j) for biased models, r_uj - mean(r_u·) for unbiased ones
 *   contribution_j = similarity_j x deviation_j
 * A rated item that resembles the target in factor space and was rated above its baseline pushes
 * the prediction up; one rated below its baseline pushes it down. Sorted by |contribution|,
 * largest first, ties by item index.
 */
export function explainPrediction(
  st: FactorState,
  itemNorms: Float32Array,
  user: number,
  item: number,
  rated: Int32Array,
  values: Float32Array,
  prediction: number,
  n: number,
): Explanation {
  const f = st.f;
  const q = st.qi;
  const m = rated.length;
  let userMean = 0;
  for (let k = 0; k < m; k++) userMean += values[k];
  userMean = m ? userMean / m : 0;
  const sim = new Float32Array(m);
  const dev = new Float32Array(m);
  const con = new Float32Array(m);
  const mag = new Float32Array(m);
  const ni = itemNorms[item];
  const oi = item * f;
  for (let k = 0; k < m; k++) {
    const j = rated[k];
    const nj = itemNorms[j];
    let s = 0;
    if (ni > 0 && nj > 0) {
      const oj = j * f;
      for (let t = 0; t < f; t++) s += q[oi + t] * q[oj + t];
      s /= ni * nj;
    }
    const base = st.biased ? st.mu + st.bu[user] + st.bi[j] : userMean;
    sim[k] = s;
    dev[k] = values[k] - base;
    con[k] = sim[k] * dev[k];
    mag[k] = Math.abs(con[k]);
  }
  const top = topK(mag, Math.max(0, Math.min(n, m)));
  const c = top.items.length;
  const out: Explanation = {
    user,
    item,
    prediction,
    items: new Int32Array(c),
    similarity: new Float32Array(c),
    deviation: new Float32Array(c),
    contribution: new Float32Array(c),
  };
  for (let r = 0; r < c; r++) {
    const k = top.items[r];
    out.items[r] = rated[k];
    out.similarity[r] = sim[k];
    out.deviation[r] = dev[k];
    out.contribution[r] = con[k];
  }
  return out;
}
