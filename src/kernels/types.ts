/**
 * The one typed interface of the numeric kernels. Every kernel takes typed arrays with explicit element
 * offsets (the caller owns the memory; matrices are row-major). Two implementations: plain TypeScript
 * references (src/kernels/ts/) and WebAssembly SIMD (src/kernels/wasm/), picked by src/kernels/index.ts.
 * The WASM kernels work on arrays allocated from `arena` (views into the WASM memory); given other
 * arrays they fall back to the TypeScript reference for that call.
 */
export interface CsrArrays {
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly data: Float32Array;
}

/** Allocates typed arrays where the kernels work fastest (inside the WASM memory for 'wasm'). */
export interface Arena {
  /** Zero-filled. `owner`: when it is garbage-collected the block is freed (if not freed before). */
  f32(n: number, owner?: object): Float32Array;
  f64(n: number, owner?: object): Float64Array;
  i32(n: number, owner?: object): Int32Array;
  /** Returns a block from f32/f64/i32 (not a subarray of one); later use of the view is an error. */
  free(a: Float32Array | Float64Array | Int32Array): void;
  /** Bytes in use (allocated, not freed). */
  readonly bytesInUse: number;
}

/** A range of ALS row solves (or loss terms) over the rows of `csr`: x_u for u in [start, end). */
export type RowJob =
  | { op: 'cg'; csr: CsrArrays; y: Float32Array; x: Float32Array; g: Float32Array; f: number; alpha: number; steps: number; binary: boolean }
  | { op: 'chol'; csr: CsrArrays; y: Float32Array; x: Float32Array; g: Float32Array; f: number; alpha: number; binary: boolean }
  | { op: 'explicit'; csr: CsrArrays; y: Float32Array; x: Float32Array; f: number; lambda: number; offset: number }
  | { op: 'loss'; csr: CsrArrays; y: Float32Array; x: Float32Array; g: Float32Array; f: number; alpha: number; binary: boolean }
  /**
   * Top-k of rows of `u` (users x f) against packed items, excluding each row's stored items in `seen`
   * (rows without any get `fallback`); row v of outItems/outScores (k each) padded with -1 / -Infinity.
   */
  | { op: 'recommend'; u: Float32Array; f: number; packed: Float32Array; nItems: number; seen: CsrArrays; fallback: Float32Array; k: number; outItems: Int32Array; outScores: Float32Array };

export interface Kernels {
  readonly kind: 'wasm' | 'ts';
  readonly arena: Arena;
  /** x[xo..xo+n) . y[yo..yo+n) */
  dot(n: number, x: Float32Array, xo: number, y: Float32Array, yo: number): number;
  /** y += a x */
  axpy(n: number, a: number, x: Float32Array, xo: number, y: Float32Array, yo: number): void;
  /** x *= a */
  scal(n: number, a: number, x: Float32Array, xo: number): void;
  /** out[oo + r] = M[r,:] . v for the nRows x f matrix M at mo (one user against all item rows). */
  scoreRows(nRows: number, f: number, m: Float32Array, mo: number, v: Float32Array, vo: number, out: Float32Array, oo: number): void;
  /** out[oo + u * nItems + i] = U[u,:] . Y[i,:] (a block of users against all items). */
  scoreBlock(nUsers: number, u: Float32Array, uo: number, nItems: number, y: Float32Array, yo: number, f: number, out: Float32Array, oo: number): void;
  /** Floats needed by packItems for nItems items of f factors. */
  packedSize(nItems: number, f: number): number;
  /**
   * Packs Y (nItems x f) into panels of 8 items for scorePacked: P[(p * f + k) * 8 + j] = Y[8p + j, k],
   * zero past the last item.
   */
  packItems(nItems: number, f: number, y: Float32Array, yo: number, p: Float32Array): void;
  /** As scoreBlock, with the items packed by packItems (the fast path of batch recommendation). */
  scorePacked(nUsers: number, u: Float32Array, uo: number, nItems: number, p: Float32Array, f: number, out: Float32Array, oo: number): void;
  /**
   * The k best of scores[so..so+n) (src/core/topk.ts semantics: ties to the smaller index, NaN and
   * -Infinity never selected), best first, into items/out at io/oo; returns how many were written.
   */
  selectTop(n: number, scores: Float32Array, so: number, k: number, items: Int32Array, io: number, out: Float32Array, oo: number): number;
  /** A (f x f, full) += alpha X^T X for the k x f matrix X (symmetric rank-k update). */
  syrk(k: number, f: number, alpha: number, x: Float32Array, xo: number, a: Float32Array, ao: number): void;
  /** G = X^T X (f x f) for the k x f matrix X. */
  gram(k: number, f: number, x: Float32Array, xo: number, g: Float32Array, go: number): void;
  /** In-place lower Cholesky factor of the f x f SPD matrix at ao; false when not positive definite. */
  cholesky64(f: number, a: Float64Array, ao: number): boolean;
  /** Solves L L^T x = b in place in b (L from cholesky64). */
  cholSolve64(f: number, l: Float64Array, lo: number, b: Float64Array, bo: number): void;
  cholesky32(f: number, a: Float32Array, ao: number): boolean;
  cholSolve32(f: number, l: Float32Array, lo: number, b: Float32Array, bo: number): void;
  /**
   * SGD fold-in of one user vector (SVD fold-in): `passes` passes over rows k = 0..n-1 of X (n x f at
   * xo; the user's item factors) with targets y[yo + k]: e = y_k - bu - X_k·p;
   * bu += lrB (e - regB bu); p = (1 - lrP regP) p + lrP e X_k (p: f floats at po, in place).
   * Returns the final bu (lrB = 0 keeps the start value).
   */
  foldSgd(n: number, f: number, x: Float32Array, xo: number, y: Float64Array, yo: number, p: Float32Array, po: number, passes: number, bu: number, lrB: number, regB: number, lrP: number, regP: number): number;
  /** out (nRows x f) = S B for the CSR matrix S (nRows rows) and the dense matrix B (rows of f). */
  csrDense(nRows: number, s: CsrArrays, b: Float32Array, f: number, out: Float32Array): void;
  /**
   * Runs an ALS row job over rows [start, end) on this thread. Returns the number of rows whose system
   * could not be solved ('chol', 'explicit'; 0 for 'cg') or the loss sum ('loss').
   */
  rows(job: RowJob, start: number, end: number): number;
  /** As `rows` over [0, n), split across `threads` threads where the implementation can (sum of results). */
  rowsParallel(job: RowJob, n: number, threads: number): Promise<number>;
}
