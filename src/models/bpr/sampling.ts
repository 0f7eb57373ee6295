import type { Rng } from '../../core/rng.js';

/**
 * Walker/Vose alias table: O(1) draws from a discrete distribution given by non-negative weights.
 * `prob[k]` is the chance to keep bucket k, else `alias[k]` is taken. Arrays may live in shared
 * memory (`shared`), so worker threads read the same table.
 */
export interface AliasTable {
  readonly prob: Float64Array;
  readonly alias: Int32Array;
}

export function buildAlias(weights: ArrayLike<number>, shared = false): AliasTable {
  const n = weights.length;
  const prob = shared ? new Float64Array(new SharedArrayBuffer(n * 8)) : new Float64Array(n);
  const alias = shared ? new Int32Array(new SharedArrayBuffer(n * 4)) : new Int32Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) total += weights[k];
  if (!(total > 0)) {
    // degenerate: uniform
    prob.fill(1);
    for (let k = 0; k < n; k++) alias[k] = k;
    return { prob, alias };
  }
  const scaled = new Float64Array(n);
  const small = new Int32Array(n);
  const large = new Int32Array(n);
  let ns = 0;
  let nl = 0;
  for (let k = 0; k < n; k++) {
    scaled[k] = (weights[k] * n) / total;
    if (scaled[k] < 1) small[ns++] = k;
    else large[nl++] = k;
  }
  while (ns > 0 && nl > 0) {
    const s = small[--ns];
    const l = large[--nl];
    prob[s] = scaled[s];
    alias[s] = l;
    scaled[l] = scaled[l] + scaled[s] - 1;
    if (scaled[l] < 1) small[ns++] = l;
    else large[nl++] = l;
  }
  while (nl > 0) {
    const l = large[--nl];
    prob[l] = 1;
    alias[l] = l;
  }
  while (ns > 0) {
    const s = small[--ns]; // only left by rounding
    prob[s] = 1;
    alias[s] = s;
  }
  return { prob, alias };
}

/** One draw from the table. */
export function drawAlias(prob: Float64Array, alias: Int32Array, rng: Rng): number {
  const k = rng.int(prob.length);
  return rng.next() < prob[k] ? k : alias[k];
}
