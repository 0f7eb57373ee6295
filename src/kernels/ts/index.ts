/** The plain TypeScript kernel set (always available; the fallback when WASM SIMD is not). */
import type { Arena, Kernels, RowJob } from '../types.js';
import * as blas from './blas.js';
import { rowsTs } from './als.js';

/** Ordinary JS memory: allocation is `new`, free is a no-op (the GC owns it). */
export const tsArena: Arena = {
  f32: (n) => new Float32Array(n),
  f64: (n) => new Float64Array(n),
  i32: (n) => new Int32Array(n),
  free: () => undefined,
  bytesInUse: 0,
};

export const tsKernels: Kernels = {
  kind: 'ts',
  arena: tsArena,
  dot: blas.dot,
  axpy: blas.axpy,
  scal: blas.scal,
  scoreRows: blas.scoreRows,
  scoreBlock: blas.scoreBlock,
  packedSize: blas.packedSize,
  packItems: blas.packItems,
  scorePacked: blas.scorePacked,
  selectTop: blas.selectTop,
  syrk: blas.syrk,
  gram: blas.gram,
  cholesky64: blas.cholesky64,
  cholSolve64: blas.cholSolve64,
  cholesky32: blas.cholesky32,
  cholSolve32: blas.cholSolve32,
  csrDense: blas.csrDense,
  foldSgd: blas.foldSgd,
  rows: rowsTs,
  rowsParallel: (job: RowJob, n: number) => Promise.resolve(rowsTs(job, 0, n)),
};
