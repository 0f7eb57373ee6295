/**
 * The ALS training loop over the numeric kernels: alternating row solves of users (on the CSR) and
 * items (on the CSC), each half-step split across threads. Factor matrices live in the kernel arena.
 */
import type { Csr } from '../../core/csr.js';
import { throwIfAborted } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { CsrArrays, Kernels, RowJob } from '../../kernels/index.js';
import type { FitOptions } from '../recommender.js';

export interface AlsConfig {
  factors: number;
  regularization: number;
  alpha: number;
  iterations: number;
  cgSteps: number;
  solver: 'cg' | 'cholesky';
  implicit: boolean;
  binary: boolean;
  calculateLoss: boolean;
  seed: number;
  threads: number;
}

export interface AlsFactors {
  x: Float32Array;
  y: Float32Array;
  /** Global mean subtracted from ratings (explicit ALS; 0 for implicit). */
  mean: number;
  iterationSeconds: number[];
  loss?: number;
}

/** Copies a CSR matrix's arrays into the arena (views the kernels can address). */
export function csrInArena(k: Kernels, m: Csr, binary: boolean): CsrArrays {
  const indptr = k.arena.i32(m.indptr.length);
  indptr.set(m.indptr);
  const indices = k.arena.i32(Math.max(1, m.indices.length)).subarray(0, m.indices.length);
  indices.set(m.indices);
  const data = k.arena.f32(Math.max(1, m.data.length)).subarray(0, m.data.length);
  if (binary) data.fill(1);
  else data.set(m.data);
  return { indptr, indices, data };
}

function freeCsr(k: Kernels, s: CsrArrays): void {
  k.arena.free(s.indptr);
  // indices/data may be subarrays of length-0 views: free the blocks through their first element
  k.arena.free(new Int32Array(s.indices.buffer, s.indices.byteOffset, Math.max(1, s.indices.length)));
  k.arena.free(new Float32Array(s.data.buffer, s.data.byteOffset, Math.max(1, s.data.length)));
}

/** G = M^T M + reg I (f x f), in `g`. */
export function gramReg(k: Kernels, nRows: number, f: number, m: Float32Array, reg: number, g: Float32Array): void {
  k.gram(nRows, f, m, 0, g, 0);
  for (let i = 0; i < f; i++) g[i * f + i] += reg;
}

export async function trainAls(k: Kernels, csr: Csr, csc: Csr, cfg: AlsConfig, x: Float32Array, y: Float32Array, opts: FitOptions): Promise<AlsFactors> {
  const f = cfg.factors;
  const nU = csr.nRows;
  const nI = csr.nCols;
  const rng = new Rng(cfg.seed);
  for (let i = 0; i < x.length; i++) x[i] = rng.next() * 0.01;
  for (let i = 0; i < y.length; i++) y[i] = rng.next() * 0.01;
  let mean = 0;
  if (!cfg.implicit) {
    let s = 0;
    for (let p = 0; p < csr.data.length; p++) s += csr.data[p];
    mean = csr.data.length ? s / csr.data.length : 0;
  }
  const binary = cfg.implicit && cfg.binary;
  const ui = csrInArena(k, csr, binary);
  const iu = csrInArena(k, csc, binary);
  const g = k.arena.f32(f * f);
  const times: number[] = [];
  let loss: number | undefined;
  const threads = cfg.threads;
  const half = (rows: CsrArrays, n: number, other: Float32Array, nOther: number, out: Float32Array): Promise<number> => {
    let job: RowJob;
    if (!cfg.implicit) {
      job = { op: 'explicit', csr: rows, y: other, x: out, f, lambda: cfg.regularization, offset: mean };
    } else {
      gramReg(k, nOther, f, other, cfg.regularization, g);
      job = cfg.solver === 'cg'
        ? { op: 'cg', csr: rows, y: other, x: out, g, f, alpha: cfg.alpha, steps: cfg.cgSteps, binary }
        : { op: 'chol', csr: rows, y: other, x: out, g, f, alpha: cfg.alpha, binary };
    }
    return k.rowsParallel(job, n, threads);
  };
  try {
    for (let it = 0; it < cfg.iterations; it++) {
      throwIfAborted(opts.signal);
      const t0 = performance.now();
      await half(ui, nU, y, nI, x);
      await half(iu, nI, x, nU, y);
      times.push((performance.now() - t0) / 1000);
      if (cfg.calculateLoss) loss = await computeLoss(k, cfg, ui, x, y, nU, nI, mean, g);
      opts.onProgress?.({ phase: 'iteration', done: it + 1, total: cfg.iterations, ...(loss !== undefined ? { loss } : {}) });
    }
    throwIfAborted(opts.signal);
  } finally {
    freeCsr(k, ui);
    freeCsr(k, iu);
    k.arena.free(g);
  }
  return { x, y, mean, iterationSeconds: times, ...(loss !== undefined ? { loss } : {}) };
}

/**
 * Training loss. Implicit: sum c (p - x.y)^2 over all cells + reg (|X|^2 + |Y|^2), divided by the total
 * confidence (sum of c over stored cells + the unstored cells), as the `implicit` library reports it.
 * Explicit: sum (r - mean - x.y)^2 + lambda (sum n_u |x_u|^2 + sum n_i |y_i|^2), divided by the ratings.
 */
async function computeLoss(k: Kernels, cfg: AlsConfig, ui: CsrArrays, x: Float32Array, y: Float32Array, nU: number, nI: number, mean: number, g: Float32Array): Promise<number> {
  const f = cfg.factors;
  const nnz = ui.indices.length;
  const sq = (m: Float32Array, rows: number, w: (r: number) => number): number => {
    let s = 0;
    for (let r = 0; r < rows; r++) s += w(r) * k.dot(f, m, r * f, m, r * f);
    return s;
  };
  if (cfg.implicit) {
    const binary = cfg.binary;
    k.gram(nI, f, y, 0, g, 0);
    const data = await k.rowsParallel({ op: 'loss', csr: ui, y, x, g, f, alpha: cfg.alpha, binary }, nU, cfg.threads);
    let conf = 0;
    for (let p = 0; p < nnz; p++) conf += 1 + (binary ? (ui.data[p] !== 0 ? cfg.alpha : 0) : cfg.alpha * Math.abs(ui.data[p]));
    const reg = cfg.regularization * (sq(x, nU, () => 1) + sq(y, nI, () => 1));
    return (data + reg) / (conf + nU * nI - nnz);
  }
  const { indptr, indices, data } = ui;
  const itemCount = new Float64Array(nI);
  let err = 0;
  for (let u = 0; u < nU; u++) {
    for (let p = indptr[u]; p < indptr[u + 1]; p++) {
      const e = data[p] - mean - k.dot(f, x, u * f, y, indices[p] * f);
      err += e * e;
      itemCount[indices[p]]++;
    }
  }
  const reg = cfg.regularization * (sq(x, nU, (u) => indptr[u + 1] - indptr[u]) + sq(y, nI, (i) => itemCount[i]));
  return (err + reg) / Math.max(1, nnz);
}
