/**
 * Gradients and hessians of the boosting objectives, written into typed arrays.
 * - 'squared': 1/2 (s - y)^2.
 * - 'logistic': log-loss of sigmoid(s) against y in {0, 1} (y > 0 counts as 1).
 * - 'lambdarank': LambdaMART (Burges 2010; LightGBM's lambdarank): for every pair of documents of a
 *   query with label_i > label_j, rho = 1 / (1 + exp(sigma (s_i - s_j))) and
 *   lambda_ij = sigma * rho * |dNDCG_ij|, where |dNDCG_ij| is the change of the query's NDCG (gains
 *   2^label - 1, discounts 1 / log2(2 + rank) under the current scores) when i and j swap.
 *   g_i -= lambda_ij, g_j += lambda_ij; h += sigma^2 rho (1 - rho) |dNDCG_ij| on both. Pairs whose
 *   both documents rank below `truncation` are skipped; with `norm`, a query's gradients are scaled by
 *   log2(1 + sum lambda) / sum lambda, as LightGBM does.
 */
export type ObjectiveName = 'squared' | 'logistic' | 'lambdarank';

export interface LambdaOptions {
  sigma: number;
  truncation: number;
  norm: boolean;
}

export function initialScore(obj: ObjectiveName, labels: Float32Array): number {
  if (obj === 'lambdarank' || labels.length === 0) return 0;
  let s = 0;
  for (let k = 0; k < labels.length; k++) s += obj === 'logistic' ? (labels[k] > 0 ? 1 : 0) : labels[k];
  const mean = s / labels.length;
  if (obj === 'squared') return mean;
  const p = Math.min(1 - 1e-6, Math.max(1e-6, mean));
  return Math.log(p / (1 - p));
}

export function pointGradients(obj: 'squared' | 'logistic', labels: Float32Array, scores: Float64Array, grad: Float32Array, hess: Float32Array): number {
  let loss = 0;
  const n = labels.length;
  if (obj === 'squared') {
    for (let k = 0; k < n; k++) {
      const d = scores[k] - labels[k];
      grad[k] = d;
      hess[k] = 1;
      loss += 0.5 * d * d;
    }
  } else {
    for (let k = 0; k < n; k++) {
      const y = labels[k] > 0 ? 1 : 0;
      const s = scores[k];
      const p = 1 / (1 + Math.exp(-s));
      grad[k] = p - y;
      hess[k] = Math.max(p * (1 - p), 1e-12);
      loss += s > 0 ? (1 - y) * s + Math.log1p(Math.exp(-s)) : -y * s + Math.log1p(Math.exp(s));
    }
  }
  return loss / Math.max(1, n);
}

/** Max DCG of a query's labels (gains 2^l - 1) cut at k. */
export function maxDcg(labels: Float32Array, start: number, end: number, k: number): number {
  const g = Array.from(labels.subarray(start, end)).sort((a, b) => b - a);
  let s = 0;
  for (let r = 0; r < Math.min(k, g.length); r++) s += (2 ** g[r] - 1) / Math.log2(r + 2);
  return s;
}

/** LambdaRank gradients over query groups [groupPtr[q], groupPtr[q+1]). Returns the mean NDCG@truncation over queries with a relevant document. */
export function lambdaGradients(
  labels: Float32Array,
  scores: Float64Array,
  groupPtr: Int32Array,
  grad: Float32Array,
  hess: Float32Array,
  o: LambdaOptions,
  invMaxDcg: Float64Array,
): number {
  grad.fill(0);
  hess.fill(0);
  const nq = groupPtr.length - 1;
  let ndcgSum = 0;
  let counted = 0;
  let order = new Int32Array(0);
  let rankOf = new Int32Array(0);
  let key = new Float64Array(0);
  let disc = new Float64Array(0);
  for (let q = 0; q < nq; q++) {
    const s0 = groupPtr[q];
    const n = groupPtr[q + 1] - s0;
    const inv = invMaxDcg[q];
    if (inv === 0) continue;
    counted++;
    if (n < 2) {
      ndcgSum += 1;
      continue;
    }
    if (order.length < n) {
      order = new Int32Array(n);
      rankOf = new Int32Array(n);
      key = new Float64Array(n);
      disc = Float64Array.from({ length: n }, (_, r) => 1 / Math.log2(r + 2));
    }
    const ord = order.subarray(0, n);
    for (let k = 0; k < n; k++) {
      ord[k] = k;
      key[k] = scores[s0 + k];
    }
    ord.sort((a, b) => key[b] - key[a] || a - b);
    for (let r = 0; r < n; r++) rankOf[ord[r]] = r;
    let dcg = 0;
    for (let r = 0; r < Math.min(o.truncation, n); r++) dcg += (2 ** labels[s0 + ord[r]] - 1) * disc[r];
    ndcgSum += dcg * inv;
    let minLabel = Infinity;
    for (let k = 0; k < n; k++) if (labels[s0 + k] < minLabel) minLabel = labels[s0 + k];
    let sumLambda = 0;
    const cut = o.truncation;
    // every pair (hi, lo) with label_hi > label_lo, visited from hi; kept when either ranks above the cut
    for (let a = 0; a < n; a++) {
      const la = labels[s0 + a];
      if (la <= minLabel) continue;
      const hi = s0 + a;
      const ra = rankOf[a];
      const ga = 2 ** la;
      for (let b = 0; b < n; b++) {
        const lb = labels[s0 + b];
        if (lb >= la) continue;
        const rb = rankOf[b];
        if (ra >= cut && rb >= cut) continue;
        const lo = s0 + b;
        const delta = Math.abs((ga - 2 ** lb) * (disc[ra] - disc[rb])) * inv;
        const rho = 1 / (1 + Math.exp(o.sigma * (scores[hi] - scores[lo])));
        const lam = o.sigma * rho * delta;
        const h = o.sigma * o.sigma * rho * (1 - rho) * delta;
        grad[hi] -= lam;
        grad[lo] += lam;
        hess[hi] += h;
        hess[lo] += h;
        sumLambda += 2 * lam;
      }
    }
    if (o.norm && sumLambda > 0) {
      const f = Math.log2(1 + sumLambda) / sumLambda;
      for (let k = s0; k < s0 + n; k++) {
        grad[k] *= f;
        hess[k] *= f;
      }
    }
  }
  return counted > 0 ? ndcgSum / counted : 0;
}
