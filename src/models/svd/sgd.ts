/**
 * SGD kernels of SVD and SVD++ (Funk / Koren), written as plain loops over typed arrays so they
 * can be tested step by step. Factors are row-major: `pu[u * f + t]`, `qi[i * f + t]`, `yj[j * f + t]`.
 * The update rules are Surprise's (surprise/prediction_algorithms/matrix_factorization.pyx).
 */

/** Per-term learning rates and regularisation (Surprise's lr_bu ... reg_yj, resolved from lr_all / reg_all). */
export interface SgdRates {
  lrBu: number;
  lrBi: number;
  lrPu: number;
  lrQi: number;
  regBu: number;
  regBi: number;
  regPu: number;
  regQi: number;
  /** SVD++ only. */
  lrYj: number;
  regYj: number;
}

/** The ratings to learn from, as a CSR (users x items) plus the row of each stored entry. */
export interface RatingsCsr {
  indptr: Int32Array;
  indices: Int32Array;
  data: Float32Array;
  /** rowOf[p] = the user of stored entry p. */
  rowOf: Int32Array;
}

/** rowOf for a CSR: the row index of every stored entry. */
export function rowsOfCsr(indptr: Int32Array): Int32Array {
  const nRows = indptr.length - 1;
  const out = new Int32Array(indptr[nRows]);
  for (let r = 0; r < nRows; r++) out.fill(r, indptr[r], indptr[r + 1]);
  return out;
}

/**
 * One SVD epoch over the ratings in `order` (positions into the CSR), exactly Surprise's update per rating:
 *   e = r - (mu + bu + bi + q_i·p_u)
 *   bu += lrBu (e - regBu bu);  bi += lrBi (e - regBi bi)          (only when `biased`)
 *   p_u += lrPu (e q_i - regPu p_u);  q_i += lrQi (e p_u - regQi q_i)  (both with the old values)
 * With `biased` false, pass mu = 0 (Surprise then learns r ≈ q_i·p_u). Returns the sum of squared
 * errors seen during the pass (each error before its update).
 */
export function svdEpoch(
  R: RatingsCsr,
  order: Int32Array,
  mu: number,
  bu: Float64Array,
  bi: Float64Array,
  pu: Float32Array,
  qi: Float32Array,
  f: number,
  biased: boolean,
  rates: SgdRates,
): number {
  const { indices, data, rowOf } = R;
  const lrBu = rates.lrBu;
  const lrBi = rates.lrBi;
  const lrPu = rates.lrPu;
  const lrQi = rates.lrQi;
  const regBu = rates.regBu;
  const regBi = rates.regBi;
  const regPu = rates.regPu;
  const regQi = rates.regQi;
  const n = order.length;
  let sse = 0;
  for (let k = 0; k < n; k++) {
    const p = order[k];
    const u = rowOf[p];
    const i = indices[p];
    const ou = u * f;
    const oi = i * f;
    let dot = 0;
    for (let t = 0; t < f; t++) dot += qi[oi + t] * pu[ou + t];
    const bU = bu[u];
    const bI = bi[i];
    const err = data[p] - (mu + bU + bI + dot);
    sse += err * err;
    if (biased) {
      bu[u] = bU + lrBu * (err - regBu * bU);
      bi[i] = bI + lrBi * (err - regBi * bI);
    }
    for (let t = 0; t < f; t++) {
      const puf = pu[ou + t];
      const qif = qi[oi + t];
      pu[ou + t] = puf + lrPu * (err * qif - regPu * puf);
      qi[oi + t] = qif + lrQi * (err * puf - regQi * qif);
    }
  }
  return sse;
}

/** Scratch space of svdppEpoch (length f each), reused across epochs. */
export interface SvdppScratch {
  z: Float64Array;
  b: Float64Array;
}

export function svdppScratch(f: number): SvdppScratch {
  return { z: new Float64Array(f), b: new Float64Array(f) };
}

/**
 * One SVD++ epoch. Users are visited in `userOrder`; each user's ratings are visited consecutively in
 * the order of `order[indptr[u] .. indptr[u+1])` (a permutation of that user's CSR positions).
 *
 * The update of every rating is Surprise's SVDpp update, with N(u) = the user's rated items and
 * z = |N(u)|^-1/2 Σ_{j∈N(u)} y_j:
 *   e = r - (mu + bu + bi + q_i·(p_u + z))
 *   bu += lrBu (e - regBu bu);  bi += lrBi (e - regBi bi)
 *   p_u += lrPu (e q_i - regPu p_u);  q_i += lrQi (e (p_u + z) - regQi q_i)
 *   for every j in N(u):  y_j += lrYj (e q_i / sqrt|N(u)| - regYj y_j)
 * Surprise recomputes z and touches every y_j for every rating (O(|N(u)|·f) per rating). Here the same
 * result is computed in O(f) per rating: within one user's run of ratings every y_j, j∈N(u), receives
 * the same affine map y ← c·y + g (c = 1 - lrYj·regYj, g = lrYj·e·q_i/sqrt|N(u)|), so
 *   - z follows exactly: z ← c·z + lrYj·e·q_i;
 *   - the composed map y ← a·y + b (a = c^|R(u)|, b accumulated) is applied to each y_j once, at
 *     the end of the user's run.
 * This is algebraically identical to the per-rating update of all y_j (only float rounding differs),
 * not an approximation. Returns the sum of squared errors seen during the pass.
 */
export function svdppEpoch(
  R: RatingsCsr,
  userOrder: Int32Array,
  order: Int32Array,
  mu: number,
  bu: Float64Array,
  bi: Float64Array,
  pu: Float32Array,
  qi: Float32Array,
  yj: Float32Array,
  f: number,
  rates: SgdRates,
  scratch: SvdppScratch,
): number {
  const { indptr, indices, data } = R;
  const lrBu = rates.lrBu;
  const lrBi = rates.lrBi;
  const lrPu = rates.lrPu;
  const lrQi = rates.lrQi;
  const lrYj = rates.lrYj;
  const regBu = rates.regBu;
  const regBi = rates.regBi;
  const regPu = rates.regPu;
  const regQi = rates.regQi;
  const c = 1 - lrYj * rates.regYj;
  const z = scratch.z;
  const b = scratch.b;
  let sse = 0;
  for (let k = 0; k < userOrder.length; k++) {
    const u = userOrder[k];
    const s = indptr[u];
    const e = indptr[u + 1];
    const n = e - s;
    if (n === 0) continue;
    const inv = 1 / Math.sqrt(n);
    const ou = u * f;
    // implicit sum z = |N(u)|^-1/2 Σ y_j
    for (let t = 0; t < f; t++) {
      z[t] = 0;
      b[t] = 0;
    }
    for (let p = s; p < e; p++) {
      const oj = indices[p] * f;
      for (let t = 0; t < f; t++) z[t] += yj[oj + t];
    }
    for (let t = 0; t < f; t++) z[t] *= inv;
    let a = 1;
    let bU = bu[u];
    for (let q = s; q < e; q++) {
      const p = order[q];
      const i = indices[p];
      const oi = i * f;
      let dot = 0;
      for (let t = 0; t < f; t++) dot += qi[oi + t] * (pu[ou + t] + z[t]);
      const bI = bi[i];
      const err = data[p] - (mu + bU + bI + dot);
      sse += err * err;
      bU = bU + lrBu * (err - regBu * bU);
      bi[i] = bI + lrBi * (err - regBi * bI);
      const gy = lrYj * err * inv;
      const gz = lrYj * err;
      for (let t = 0; t < f; t++) {
        const puf = pu[ou + t];
        const qif = qi[oi + t];
        const zf = z[t];
        pu[ou + t] = puf + lrPu * (err * qif - regPu * puf);
        qi[oi + t] = qif + lrQi * (err * (puf + zf) - regQi * qif);
        b[t] = c * b[t] + gy * qif;
        z[t] = c * zf + gz * qif;
      }
      a *= c;
    }
    bu[u] = bU;
    // apply the composed update y_j ← a·y_j + b to every j in N(u)
    for (let p = s; p < e; p++) {
      const oj = indices[p] * f;
      for (let t = 0; t < f; t++) yj[oj + t] = a * yj[oj + t] + b[t];
    }
  }
  return sse;
}

/**
 * |N(u)|^-1/2 Σ_{j∈items} y_j added to `base` (length f), written into out[off .. off+f).
 * With no items the result is `base` unchanged.
 */
export function addImplicit(
  items: ArrayLike<number>,
  yj: Float32Array,
  f: number,
  base: Float32Array,
  baseOff: number,
  out: Float32Array,
  off: number,
): void {
  const n = items.length;
  const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
  const acc = new Float64Array(f);
  for (let k = 0; k < n; k++) {
    const oj = items[k] * f;
    for (let t = 0; t < f; t++) acc[t] += yj[oj + t];
  }
  for (let t = 0; t < f; t++) out[off + t] = base[baseOff + t] + acc[t] * inv;
}
