import { AffinityError } from '../../core/errors.js';
import type { Csr } from '../../core/csr.js';

/**
 * Dense f64 linear algebra for EASE: the item-item Gram matrix and the in-place inverse of a
 * symmetric positive definite matrix through its Cholesky factor (LAPACK's potrf + potri in
 * plain TypeScript). Matrices are row-major n x n Float64Arrays. Every inner loop runs over a
 * dot product over contiguous memory that serves four outputs per pass.
 */

/**
 * Lower triangle of XᵀX + lambda·I for the users x items matrix `x` whose item (column) indices
 * are remapped through `colMap` (-1 = column left out). Sparse accumulation over each user's
 * pairs of items; only entries (i, j) with i >= j are written.
 */
export function gramLower(x: Csr, colMap: Int32Array, n: number, lambda: number): Float64Array {
  const g = new Float64Array(n * n);
  const { indptr, indices, data } = x;
  const cols = new Int32Array(x.nCols);
  const vals = new Float64Array(x.nCols);
  for (let u = 0; u < x.nRows; u++) {
    let m = 0;
    for (let p = indptr[u]; p < indptr[u + 1]; p++) {
      const c = colMap[indices[p]];
      if (c < 0 || data[p] === 0) continue;
      cols[m] = c;
      vals[m] = data[p];
      m++;
    }
    // colMap is monotone, so cols[] ascends: (a, b) with b <= a is in the lower triangle
    for (let a = 0; a < m; a++) {
      const ra = cols[a] * n;
      const va = vals[a];
      for (let b = 0; b <= a; b++) g[ra + cols[b]] += va * vals[b];
    }
  }
  for (let i = 0; i < n; i++) g[i * n + i] += lambda;
  return g;
}

/** In place: the lower triangle of `a` becomes L with L·Lᵀ = a. Throws E_PARAM if `a` is not positive definite. */
export function choleskyLower(a: Float64Array, n: number): void {
  let i = 0;
  // four rows at a time: each pass over row j serves four dot products
  for (; i + 3 < n; i += 4) {
    const r0 = i * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    for (let j = 0; j < i; j++) {
      const rj = j * n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = 0; k < j; k++) {
        const w = a[rj + k];
        s0 += a[r0 + k] * w;
        s1 += a[r1 + k] * w;
        s2 += a[r2 + k] * w;
        s3 += a[r3 + k] * w;
      }
      const d = a[rj + j];
      a[r0 + j] = (a[r0 + j] - s0) / d;
      a[r1 + j] = (a[r1 + j] - s1) / d;
      a[r2 + j] = (a[r2 + j] - s2) / d;
      a[r3 + j] = (a[r3 + j] - s3) / d;
    }
    for (let m = 0; m < 4; m++) choleskyRowTail(a, n, i + m, i);
  }
  for (; i < n; i++) choleskyRowTail(a, n, i, 0);
}

/** Columns from..i of row i of the Cholesky factor (rows < i done, columns < from of row i done). */
function choleskyRowTail(a: Float64Array, n: number, i: number, from: number): void {
  const ri = i * n;
  for (let j = from; j <= i; j++) {
    const rj = j * n;
    let s0 = 0;
    let s1 = 0;
    let k = 0;
    for (; k + 1 < j; k += 2) {
      s0 += a[ri + k] * a[rj + k];
      s1 += a[ri + k + 1] * a[rj + k + 1];
    }
    if (k < j) s0 += a[ri + k] * a[rj + k];
    const s = a[ri + j] - (s0 + s1);
    if (j < i) a[ri + j] = s / a[rj + j];
    else {
      if (!(s > 0)) throw new AffinityError('E_PARAM', `matrix is not positive definite (pivot ${i} is ${s}); expected a larger regularisation (lambda > 0)`, { field: 'lambda' });
      a[ri + i] = Math.sqrt(s);
    }
  }
}

/**
 * Inverse of the Cholesky factor, transposed: with L in the lower triangle of `a`, writes
 * V = L⁻ᵀ (upper triangular) into the strict upper triangle of `a` and V's diagonal into `vd`;
 * L stays intact. Column c of L⁻¹ (row c of V) solves L·w = e_c by forward substitution, four
 * columns at a time, so every inner loop is a dot product over contiguous memory.
 */
export function invertFactorTransposed(a: Float64Array, n: number, vd: Float64Array): void {
  for (let j = 0; j < n; j += 4) {
    const cols = Math.min(4, n - j);
    const kShared = j + cols; // from here on, every V[j+m][k] is in the strict upper triangle
    const v0 = j * n;
    const v1 = v0 + n;
    const v2 = v1 + n;
    const v3 = v2 + n;
    for (let i = j; i < n; i++) {
      const ri = i * n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      if (cols === 4) {
        for (let k = kShared; k < i; k++) {
          const l = a[ri + k];
          s0 += l * a[v0 + k];
          s1 += l * a[v1 + k];
          s2 += l * a[v2 + k];
          s3 += l * a[v3 + k];
        }
      } else {
        for (let k = kShared; k < i; k++) {
          const l = a[ri + k];
          s0 += l * a[v0 + k];
          if (cols > 1) s1 += l * a[v1 + k];
          if (cols > 2) s2 += l * a[v2 + k];
        }
      }
      const diag = a[ri + i];
      for (let m = 0; m < cols && j + m <= i; m++) {
        const c = j + m;
        const rc = c * n;
        let s = m === 0 ? s0 : m === 1 ? s1 : m === 2 ? s2 : s3;
        const kEnd = Math.min(i, kShared);
        for (let k = c; k < kEnd; k++) s += a[ri + k] * (k === c ? vd[c] : a[rc + k]);
        if (i === c) vd[c] = (1 - s) / diag;
        else a[rc + i] = -s / diag;
      }
    }
  }
}

/**
 * With V = L⁻ᵀ as left by `invertFactorTransposed`, writes P = V·Vᵀ = (L·Lᵀ)⁻¹: its strict lower
 * triangle into `a` (over L, no longer needed) and its diagonal into `pd`. P[r][b] (b <= r) is
 * Σ_{k>=r} V[r][k]·V[b][k], four b at a time.
 */
export function factorInverseProduct(a: Float64Array, n: number, vd: Float64Array, pd: Float64Array): void {
  for (let r = 0; r < n; r++) {
    const rr = r * n;
    const vrr = vd[r];
    let b = 0;
    for (; b + 3 < r; b += 4) {
      const b0 = b * n;
      const b1 = b0 + n;
      const b2 = b1 + n;
      const b3 = b2 + n;
      let s0 = vrr * a[b0 + r];
      let s1 = vrr * a[b1 + r];
      let s2 = vrr * a[b2 + r];
      let s3 = vrr * a[b3 + r];
      for (let k = r + 1; k < n; k++) {
        const w = a[rr + k];
        s0 += w * a[b0 + k];
        s1 += w * a[b1 + k];
        s2 += w * a[b2 + k];
        s3 += w * a[b3 + k];
      }
      a[rr + b] = s0;
      a[rr + b + 1] = s1;
      a[rr + b + 2] = s2;
      a[rr + b + 3] = s3;
    }
    for (; b <= r; b++) {
      const bb = b * n;
      let s = vrr * (b === r ? vrr : a[bb + r]);
      for (let k = r + 1; k < n; k++) s += a[rr + k] * a[bb + k];
      if (b === r) pd[r] = s;
      else a[rr + b] = s;
    }
  }
}

/** Copies the strict lower triangle onto the upper one and sets the diagonal from `diag`. */
export function symmetrizeFromLower(a: Float64Array, n: number, diag: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j < i; j++) a[j * n + i] = a[ri + j];
    a[ri + i] = diag[i];
  }
}

/**
 * In place: `a` (symmetric positive definite, lower triangle read) becomes its full inverse.
 * About n³/2 multiply-adds (Cholesky n³/6, triangular inverse n³/6, V·Vᵀ n³/6).
 */
export function spdInverse(a: Float64Array, n: number): void {
  const vd = new Float64Array(n);
  const pd = new Float64Array(n);
  choleskyLower(a, n);
  invertFactorTransposed(a, n, vd);
  factorInverseProduct(a, n, vd, pd);
  symmetrizeFromLower(a, n, pd);
}
