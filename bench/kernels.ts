// TS reference vs WASM SIMD timings of each kernel (median of repeated runs), with the ratio.
// Run: node --import tsx bench/kernels.ts
import { Rng } from '../src/core/rng.js';
import { cooToCsr } from '../src/core/csr.js';
import { tsKernels, wasmKernels, type Kernels, type RowJob, type CsrArrays } from '../src/kernels/index.js';

const wk = wasmKernels();
if (!wk) throw new Error('WebAssembly SIMD is not available here');
const rng = new Rng(1);
const A = wk.arena;
const f32 = (n: number, s = 1): Float32Array => {
  const a = A.f32(n);
  for (let i = 0; i < n; i++) a[i] = (rng.next() * 2 - 1) * s;
  return a;
};
function time(fn: () => void, minMs = 300): number {
  fn();
  const t: number[] = [];
  const start = performance.now();
  while (performance.now() - start < minMs || t.length < 3) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[t.length >> 1];
}
const rows: string[][] = [];
function bench(name: string, flops: number, run: (k: Kernels) => void): void {
  const ts = time(() => run(tsKernels));
  const wa = time(() => run(wk!));
  rows.push([name, ts.toFixed(3), wa.toFixed(3), (ts / wa).toFixed(1), ((flops / wa) * 1e-6).toFixed(1)]);
}

const f = 64;
const n = 1 << 20;
const x = f32(n);
const y = f32(n);
bench('dot 1M', 2 * n, (k) => void k.dot(n, x, 0, y, 0));
bench('axpy 1M', 2 * n, (k) => k.axpy(n, 1e-6, x, 0, y, 0));
const nI = 100_000;
const items = f32(nI * f);
const out = A.f32(nI);
bench('scoreRows 100k x 64', 2 * nI * f, (k) => k.scoreRows(nI, f, items, 0, x, 0, out, 0));
const nU = 64;
const nI2 = 20_000;
const blockOut = A.f32(nU * nI2);
bench('scoreBlock 64 users x 20k x 64', 2 * nU * nI2 * f, (k) => k.scoreBlock(nU, x, 0, nI2, items, 0, f, blockOut, 0));
const packed = A.f32(wk.packedSize(nI2, f));
wk.packItems(nI2, f, items, 0, packed);
bench('scorePacked 64 users x 20k x 64', 2 * nU * nI2 * f, (k) => k.scorePacked(nU, x, 0, nI2, packed, f, blockOut, 0));
const topI = A.i32(10);
const topS = A.f32(10);
bench('selectTop 10 of 20k (x64 rows)', 0, (k) => {
  for (let j = 0; j < nU; j++) k.selectTop(nI2, blockOut, j * nI2, 10, topI, 0, topS, 0);
});
const g = A.f32(f * f);
bench('gram 20k x 64', 2 * nI2 * f * f, (k) => k.gram(nI2, f, items, 0, g, 0));
for (let i = 0; i < f; i++) g[i * f + i] += 1;
const a64 = A.f64(f * f);
const b64 = A.f64(f);
bench('cholesky64 + solve 64', (f * f * f) / 3 + 2 * f * f, (k) => {
  for (let i = 0; i < f * f; i++) a64[i] = g[i];
  b64.fill(1);
  k.cholesky64(f, a64, 0);
  k.cholSolve64(f, a64, 0, b64, 0);
});
const a32 = A.f32(f * f);
const b32 = A.f32(f);
bench('cholesky32 + solve 64', (f * f * f) / 3 + 2 * f * f, (k) => {
  a32.set(g);
  b32.fill(1);
  k.cholesky32(f, a32, 0);
  k.cholSolve32(f, a32, 0, b32, 0);
});
// sparse: 20k rows x 20k cols, 1M non-zeros
const nR = 20_000;
const nnz = 1_000_000;
const r = new Int32Array(nnz);
const c = new Int32Array(nnz);
for (let p = 0; p < nnz; p++) (r[p] = rng.int(nR)), (c[p] = rng.int(nI2));
const m = cooToCsr(nR, nI2, r, c, null, 'sum');
const s: CsrArrays = { indptr: A.i32(m.indptr.length), indices: A.i32(m.indices.length), data: A.f32(m.data.length) };
s.indptr.set(m.indptr);
s.indices.set(m.indices);
s.data.set(m.data);
const dense = A.f32(nR * f);
bench(`csrDense ${(m.indices.length / 1e6).toFixed(2)}M nnz x 64`, 2 * m.indices.length * f, (k) => k.csrDense(nR, s, items, f, dense));
const xs = f32(nR * f, 0.01);
const ys = items;
for (let i = 0; i < ys.length; i++) ys[i] *= 0.01;
const gy = A.f32(f * f);
wk.gram(nI2, f, ys, 0, gy, 0);
for (let i = 0; i < f; i++) gy[i * f + i] += 0.05;
const nnzR = m.indices.length;
const cgJob: RowJob = { op: 'cg', csr: s, y: ys, x: xs, g: gy, f, alpha: 1, steps: 3, binary: false };
bench('ALS cg rows (20k rows, 3 steps)', 4 * (2 * nR * f * f + 4 * nnzR * f), (k) => void k.rows(cgJob, 0, nR));
const chJob: RowJob = { op: 'chol', csr: s, y: ys, x: xs, g: gy, f, alpha: 1, binary: false };
bench('ALS cholesky rows (2k rows)', 2000 * (f * f * f / 3) + 2 * (nnzR / 10) * f * f, (k) => void k.rows(chJob, 0, 2000));

const w = [34, 11, 11, 7, 9];
console.log(['kernel', 'TS ms', 'WASM ms', 'TS/WASM', 'WASM GFLOP/s'].map((h, i) => h.padEnd(w[i])).join(''));
for (const row of rows) console.log(row.map((v, i) => v.padEnd(w[i])).join(''));
