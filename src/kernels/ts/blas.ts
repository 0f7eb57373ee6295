/**
 * Plain TypeScript reference kernels (BLAS style: typed arrays, explicit element offsets, row-major).
 * They define what the WASM SIMD kernels compute; src/kernels/kernels.test.ts holds the two together.
 */
import { topK } from '../../core/topk.js';
import type { CsrArrays } from '../types.js';

export function dot(n: number, x: Float32Array, xo: number, y: Float32Array, yo: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[xo + i] * y[yo + i];
  return s;
}

export function axpy(n: number, a: number, x: Float32Array, xo: number, y: Float32Array, yo: number): void {
  for (let i = 0; i < n; i++) y[yo + i] += a * x[xo + i];
}

export function scal(n: number, a: number, x: Float32Array, xo: number): void {
  for (let i = 0; i < n; i++) x[xo + i] *= a;
}

export function scoreRows(nRows: number, f: number, m: Float32Array, mo: number, v: Float32Array, vo: number, out: Float32Array, oo: number): void {
  for (let r = 0; r < nRows; r++) {
    const b = mo + r * f;
    let s = 0;
    for (let k = 0; k < f; k++) s += m[b + k] * v[vo + k];
    out[oo + r] = s;
  }
}

export function scoreBlock(nUsers: number, u: Float32Array, uo: number, nItems: number, y: Float32Array, yo: number, f: number, out: Float32Array, oo: number): void {
  for (let j = 0; j < nUsers; j++) scoreRows(nItems, f, y, yo, u, uo + j * f, out, oo + j * nItems);
}

export function syrk(k: number, f: number, alpha: number, x: Float32Array, xo: number, a: Float32Array, ao: number): void {
  for (let r = 0; r < k; r++) {
    const b = xo + r * f;
    for (let j = 0; j < f; j++) {
      const c = alpha * x[b + j];
      if (c === 0) continue;
      const row = ao + j * f;
      for (let i = 0; i < f; i++) a[row + i] += c * x[b + i];
    }
  }
}

export function gram(k: number, f: number, x: Float32Array, xo: number, g: Float32Array, go: number): void {
  g.fill(0, go, go + f * f);
  syrk(k, f, 1, x, xo, g, go);
}

export function cholesky64(f: number, a: Float64Array, ao: number): boolean {
  return choleskyAny(f, a, ao, Math.sqrt);
}
export function cholesky32(f: number, a: Float32Array, ao: number): boolean {
  return choleskyAny(f, a, ao, Math.sqrt);
}

function choleskyAny(f: number, a: Float32Array | Float64Array, ao: number, sqrt: (v: number) => number): boolean {
  for (let j = 0; j < f; j++) {
    const rj = ao + j * f;
    let d = a[rj + j];
    for (let k = 0; k < j; k++) d -= a[rj + k] * a[rj + k];
    if (!(d > 0)) return false;
    const l = sqrt(d);
    a[rj + j] = l;
    for (let i = j + 1; i < f; i++) {
      const ri = ao + i * f;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= a[ri + k] * a[rj + k];
      a[ri + j] = s / l;
    }
  }
  return true;
}

export function cholSolve64(f: number, l: Float64Array, lo: number, b: Float64Array, bo: number): void {
  cholSolveAny(f, l, lo, b, bo);
}
export function cholSolve32(f: number, l: Float32Array, lo: number, b: Float32Array, bo: number): void {
  cholSolveAny(f, l, lo, b, bo);
}

function cholSolveAny(f: number, l: Float32Array | Float64Array, lo: number, b: Float32Array | Float64Array, bo: number): void {
  for (let i = 0; i < f; i++) {
    const ri = lo + i * f;
    let s = b[bo + i];
    for (let k = 0; k < i; k++) s -= l[ri + k] * b[bo + k];
    b[bo + i] = s / l[ri + i];
  }
  for (let i = f - 1; i >= 0; i--) {
    const ri = lo + i * f;
    const xi = b[bo + i] / l[ri + i];
    b[bo + i] = xi;
    for (let k = 0; k < i; k++) b[bo + k] -= l[ri + k] * xi;
  }
}

export function csrDense(nRows: number, s: CsrArrays, b: Float32Array, f: number, out: Float32Array): void {
  const { indptr, indices, data } = s;
  for (let r = 0; r < nRows; r++) {
    const o = r * f;
    out.fill(0, o, o + f);
    for (let p = indptr[r]; p < indptr[r + 1]; p++) {
      const w = data[p];
      const bb = indices[p] * f;
      for (let k = 0; k < f; k++) out[o + k] += w * b[bb + k];
    }
  }
}

export function packedSize(nItems: number, f: number): number {
  return Math.ceil(nItems / 8) * 8 * f;
}

export function packItems(nItems: number, f: number, y: Float32Array, yo: number, p: Float32Array): void {
  p.fill(0, 0, packedSize(nItems, f));
  for (let i = 0; i < nItems; i++) {
    const base = (i >> 3) * f * 8 + (i & 7);
    for (let k = 0; k < f; k++) p[base + k * 8] = y[yo + i * f + k];
  }
}

export function scorePacked(nUsers: number, u: Float32Array, uo: number, nItems: number, p: Float32Array, f: number, out: Float32Array, oo: number): void {
  for (let j = 0; j < nUsers; j++) {
    for (let i = 0; i < nItems; i++) {
      const base = (i >> 3) * f * 8 + (i & 7);
      let s = 0;
      for (let k = 0; k < f; k++) s += u[uo + j * f + k] * p[base + k * 8];
      out[oo + j * nItems + i] = s;
    }
  }
}

export function selectTop(n: number, scores: Float32Array, so: number, k: number, items: Int32Array, io: number, out: Float32Array, oo: number): number {
  const r = topK(scores.subarray(so, so + n), k);
  items.set(r.items, io);
  out.set(r.scores, oo);
  return r.items.length;
}

/** SGD fold-in passes of one user vector (see Kernels.foldSgd); f64 dot, f32 vector as the WASM kernel. */
export function foldSgd(
  n: number,
  f: number,
  x: Float32Array,
  xo: number,
  y: Float64Array,
  yo: number,
  p: Float32Array,
  po: number,
  passes: number,
  bu: number,
  lrB: number,
  regB: number,
  lrP: number,
  regP: number,
): number {
  const decay = 1 - lrP * regP;
  for (let s = 0; s < passes; s++) {
    for (let k = 0; k < n; k++) {
      const xr = xo + k * f;
      let dot = 0;
      for (let t = 0; t < f; t++) dot += x[xr + t] * p[po + t];
      const e = y[yo + k] - bu - dot;
      bu += lrB * (e - regB * bu);
      const le = lrP * e;
      for (let t = 0; t < f; t++) p[po + t] = decay * p[po + t] + le * x[xr + t];
    }
  }
  return bu;
}
