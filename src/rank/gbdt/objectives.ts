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

/** LambdaRank gradients over query groups [groupPtr[q], groupPtr[q+1]). Returns the mean NDCG@truncation. */
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
  let order = new Int32Array(0);
  for (let q = 0; q < nq; q++) {
    const s0 = groupPtr[q];
    const n = groupPtr[q + 1] - s0;
    const inv = invMaxDcg[q];
    if (n < 2 || inv === 0) continue;
    if (order.length < n) order = new Int32Array(n);
    for (let k = 0; k < n; k++) order[k] = k;
    const ord = order.subarray(0, n);
    ord.sort((a, b) => scores[s0 + b] - scores[s0 + a] || a - b);
    let dcg = 0;
    for (let r = 0; r < Math.min(o.truncation, n); r++) dcg += (2 ** labels[s0 + ord[r]] - 1) / Math.log2(r + 2);
    ndcgSum += dcg * inv;
    let sumLambda = 0;
    const cut = Math.min(o.truncation, n);
    for (let ri = 0; ri < cut; ri++) {
      const i = s0 + ord[ri];
      for (let rj = ri + 1; rj < n; rj++) {
        const j = s0 + ord[rj];
        const li = labels[i];
        const lj = labels[j];
        if (li === lj) continue;
        const hi = li > lj ? i : j;
        const lo = li > lj ? j : i;
        const dGain = 2 ** labels[hi] - 2 ** labels[lo];
        const dDisc = 1 / Math.log2(ri + 2) - 1 / Math.log2(rj + 2);
        const delta = Math.abs(dGain * dDisc) * inv;
        const ds = scores[hi] - scores[lo];
        const rho = 1 / (1 + Math.exp(o.sigma * ds));
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
  return nq > 0 ? ndcgSum / nq : 0;
}
