/**
 * Plain TypeScript reference of the ALS row solvers (see kernels.as for the WASM twins):
 * implicit ALS by conjugate gradient or Cholesky (Hu, Koren, Volinsky 2008; CG as in Takacs et al. 2011
 * and the `implicit` library), explicit ALS with weighted-lambda regularisation (Zhou et al. 2008), and
 * the implicit loss. Confidence c = 1 + alpha |v| (binary: 1 + alpha on every stored cell), preference
 * p = 1 when v > 0, else 0. `g` = Y^T Y + reg I (for 'loss': Y^T Y).
 */
import type { RowJob } from '../types.js';
import { axpy, cholesky64, cholSolve64, dot, scal, scorePacked, selectTop } from './blas.js';

function confM1(v: number, alpha: number, binary: boolean): number {
  if (binary) return v !== 0 ? alpha : 0;
  return alpha * Math.abs(v);
}

/** out = G v (G symmetric f x f). */
function symv(f: number, g: Float32Array, v: Float32Array, vo: number, out: Float32Array): void {
  out.fill(0, 0, f);
  for (let k = 0; k < f; k++) axpy(f, v[vo + k], g, k * f, out, 0);
}

interface Scratch {
  r: Float32Array;
  p: Float32Array;
  ap: Float32Array;
  a: Float64Array;
  b: Float64Array;
}
function scratch(f: number): Scratch {
  return { r: new Float32Array(f), p: new Float32Array(f), ap: new Float32Array(f), a: new Float64Array(f * f), b: new Float64Array(f) };
}

function recommendTs(job: Extract<RowJob, { op: 'recommend' }>, start: number, end: number): void {
  const { nItems, k, seen } = job;
  const sc = new Float32Array(nItems);
  for (let v = start; v < end; v++) {
    const lo = seen.indptr[v];
    const hi = seen.indptr[v + 1];
    if (hi === lo) sc.set(job.fallback);
    else {
      scorePacked(1, job.u, v * job.f, nItems, job.packed, job.f, sc, 0);
      for (let q = lo; q < hi; q++) sc[seen.indices[q]] = -Infinity;
    }
    const c = selectTop(nItems, sc, 0, k, job.outItems, v * k, job.outScores, v * k);
    job.outItems.fill(-1, v * k + c, v * k + k);
    job.outScores.fill(-Infinity, v * k + c, v * k + k);
  }
}

export function rowsTs(job: RowJob, start: number, end: number): number {
  if (job.op === 'recommend') {
    recommendTs(job, start, end);
    return 0;
  }
  const { indptr, indices, data } = job.csr;
  const { f, y, x } = job;
  const s = scratch(f);
  let acc = 0;
  for (let u = start; u < end; u++) {
    const lo = indptr[u];
    const hi = indptr[u + 1];
    const xo = u * f;
    if (job.op === 'cg') {
      const { r, p, ap } = s;
      symv(f, job.g, x, xo, r);
      scal(f, -1, r, 0);
      for (let q = lo; q < hi; q++) {
        const v = data[q];
        const cm1 = confM1(v, job.alpha, job.binary);
        const yo = indices[q] * f;
        const pref = v > 0 ? cm1 + 1 : 0;
        axpy(f, pref - cm1 * dot(f, y, yo, x, xo), y, yo, r, 0);
      }
      p.set(r);
      let rs = dot(f, r, 0, r, 0);
      for (let it = 0; it < job.steps; it++) {
        if (rs < 1e-20) break;
        symv(f, job.g, p, 0, ap);
        for (let q = lo; q < hi; q++) {
          const cm1 = confM1(data[q], job.alpha, job.binary);
          if (cm1 === 0) continue;
          const yo = indices[q] * f;
          axpy(f, cm1 * dot(f, y, yo, p, 0), y, yo, ap, 0);
        }
        const a = rs / dot(f, p, 0, ap, 0);
        axpy(f, a, p, 0, x, xo);
        axpy(f, -a, ap, 0, r, 0);
        const rsNew = dot(f, r, 0, r, 0);
        const beta = rsNew / rs;
        for (let k = 0; k < f; k++) p[k] = r[k] + beta * p[k];
        rs = rsNew;
      }
    } else if (job.op === 'chol' || job.op === 'explicit') {
      const { a, b } = s;
      if (job.op === 'explicit' && hi === lo) {
        x.fill(0, xo, xo + f);
        continue;
      }
      if (job.op === 'chol') for (let k = 0; k < f * f; k++) a[k] = job.g[k];
      else a.fill(0);
      b.fill(0);
      for (let q = lo; q < hi; q++) {
        const v = data[q];
        const yo = indices[q] * f;
        // weight of y y^T and of y in b
        let w: number;
        let c: number;
        if (job.op === 'chol') {
          w = confM1(v, job.alpha, job.binary);
          c = v > 0 ? w + 1 : 0;
        } else {
          w = 1;
          c = v - job.offset;
        }
        if (w !== 0) {
          for (let j = 0; j < f; j++) {
            const cj = w * y[yo + j];
            for (let i = 0; i < f; i++) a[j * f + i] += cj * y[yo + i];
          }
        }
        if (c !== 0) for (let k = 0; k < f; k++) b[k] += c * y[yo + k];
      }
      if (job.op === 'explicit') {
        const lam = job.lambda * (hi - lo);
        for (let k = 0; k < f; k++) a[k * f + k] += lam;
      }
      if (!cholesky64(f, a, 0)) {
        acc++;
        continue;
      }
      cholSolve64(f, a, 0, b, 0);
      for (let k = 0; k < f; k++) x[xo + k] = b[k];
    } else {
      const gx = s.r;
      symv(f, job.g, x, xo, gx);
      acc += dot(f, x, xo, gx, 0);
      for (let q = lo; q < hi; q++) {
        const v = data[q];
        const c = confM1(v, job.alpha, job.binary) + 1;
        const sc = dot(f, x, xo, y, indices[q] * f);
        const pref = v > 0 ? 1 : 0;
        acc += c * (pref - sc) * (pref - sc) - sc * sc;
      }
    }
  }
  return acc;
}
