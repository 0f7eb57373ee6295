import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.js';
import { cooToCsr } from '../core/csr.js';
import { getKernels, tsKernels, wasmKernels } from './index.js';
import type { CsrArrays, Kernels, RowJob } from './types.js';

const wk = wasmKernels();
const rng = new Rng(7);

function rand(k: Kernels, n: number, scale = 1): Float32Array {
  const a = k.arena.f32(n);
  for (let i = 0; i < n; i++) a[i] = (rng.next() * 2 - 1) * scale;
  return a;
}
function copyTo(k: Kernels, a: Float32Array): Float32Array {
  const b = k.arena.f32(a.length);
  b.set(a);
  return b;
}
function close(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (got[i] === want[i]) continue;
    const d = Math.abs(got[i] - want[i]);
    assert.ok(d <= tol * (1 + Math.abs(want[i])), `${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}
function csrIn(k: Kernels, s: CsrArrays): CsrArrays {
  const indptr = k.arena.i32(s.indptr.length);
  indptr.set(s.indptr);
  const indices = k.arena.i32(s.indices.length);
  indices.set(s.indices);
  return { indptr, indices, data: copyTo(k, s.data) };
}
function randomCsr(nRows: number, nCols: number, density: number, values: () => number): CsrArrays {
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < nRows; i++) for (let j = 0; j < nCols; j++) if (rng.next() < density) (r.push(i), c.push(j), v.push(values()));
  return cooToCsr(nRows, nCols, Int32Array.from(r), Int32Array.from(c), Float32Array.from(v));
}

test('the loader picks WASM SIMD on Node 20', () => {
  assert.ok(wk, 'WebAssembly SIMD + shared memory should be available');
  assert.equal(getKernels().kind, process.env.AFFINITY_KERNELS === 'ts' ? 'ts' : 'wasm');
});

test('hand-computed values (TS reference)', () => {
  const x = Float32Array.from([1, 2, 3]);
  const y = Float32Array.from([4, 5, 6]);
  assert.equal(tsKernels.dot(3, x, 0, y, 0), 32);
  const a = Float64Array.from([4, 2, 2, 3]); // [[4,2],[2,3]] = L L^T, L = [[2,0],[1,sqrt2]]
  assert.ok(tsKernels.cholesky64(2, a, 0));
  assert.equal(a[0], 2);
  assert.equal(a[2], 1);
  assert.ok(Math.abs(a[3] - Math.SQRT2) < 1e-12);
  const b = Float64Array.from([8, 7]); // solution of [[4,2],[2,3]] x = [8,7]: x = [1.25, 1.5]
  tsKernels.cholSolve64(2, a, 0, b, 0);
  assert.ok(Math.abs(b[0] - 1.25) < 1e-12 && Math.abs(b[1] - 1.5) < 1e-12);
  assert.equal(tsKernels.cholesky64(2, Float64Array.from([1, 2, 2, 1]), 0), false);
});

test('WASM BLAS kernels match the TS references, odd lengths included', { skip: !wk }, () => {
  const k = wk!;
  for (const n of [0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 33, 64, 101]) {
    const x = rand(k, n + 3);
    const y = rand(k, n + 3);
    close([k.dot(n, x, 1, y, 2)], [tsKernels.dot(n, x, 1, y, 2)], 1e-5, `dot n=${n}`);
    const y1 = copyTo(k, y);
    const y2 = Float32Array.from(y);
    k.axpy(n, 0.7, x, 3, y1, 1);
    tsKernels.axpy(n, 0.7, x, 3, y2, 1);
    close(y1, y2, 1e-6, `axpy n=${n}`);
    k.scal(n, -1.5, y1, 2);
    tsKernels.scal(n, -1.5, y2, 2);
    close(y1, y2, 1e-6, `scal n=${n}`);
  }
  for (const f of [1, 3, 4, 7, 16, 17, 64]) {
    const nRows = 13;
    const m = rand(k, nRows * f + 2);
    const v = rand(k, f + 1);
    const o1 = k.arena.f32(nRows + 1);
    const o2 = new Float32Array(nRows + 1);
    k.scoreRows(nRows, f, m, 2, v, 1, o1, 1);
    tsKernels.scoreRows(nRows, f, m, 2, v, 1, o2, 1);
    close(o1, o2, 1e-5, `scoreRows f=${f}`);
    const nU = 5;
    const nI = 301; // crosses the 256-item tile
    const u = rand(k, nU * f);
    const yy = rand(k, nI * f);
    const b1 = k.arena.f32(nU * nI);
    const b2 = new Float32Array(nU * nI);
    k.scoreBlock(nU, u, 0, nI, yy, 0, f, b1, 0);
    tsKernels.scoreBlock(nU, u, 0, nI, yy, 0, f, b2, 0);
    close(b1, b2, 1e-5, `scoreBlock f=${f}`);
    for (const kk of [1, 6, 9]) {
      const xx = rand(k, kk * f);
      const g1 = rand(k, f * f);
      const g2 = Float32Array.from(g1);
      k.syrk(kk, f, 0.3, xx, 0, g1, 0);
      tsKernels.syrk(kk, f, 0.3, xx, 0, g2, 0);
      close(g1, g2, 1e-5, `syrk k=${kk} f=${f}`);
      k.gram(kk, f, xx, 0, g1, 0);
      tsKernels.gram(kk, f, xx, 0, g2, 0);
      close(g1, g2, 1e-5, `gram k=${kk} f=${f}`);
    }
  }
});

test('WASM Cholesky (f64 and f32) matches the TS reference and solves the system', { skip: !wk }, () => {
  const k = wk!;
  for (const f of [1, 2, 3, 5, 8, 17, 64]) {
    const x = rand(k, (f + 3) * f);
    const g = k.arena.f32(f * f);
    k.gram(f + 3, f, x, 0, g, 0);
    for (let i = 0; i < f; i++) g[i * f + i] += 0.5;
    const a64 = k.arena.f64(f * f);
    for (let i = 0; i < f * f; i++) a64[i] = g[i];
    const r64 = Float64Array.from(a64);
    assert.ok(k.cholesky64(f, a64, 0));
    assert.ok(tsKernels.cholesky64(f, r64, 0));
    const lower = (a: ArrayLike<number>): number[] => Array.from({ length: f * f }, (_, i) => (i % f <= Math.floor(i / f) ? a[i] : 0));
    close(lower(a64), lower(r64), 1e-10, `cholesky64 f=${f}`);
    const b = k.arena.f64(f);
    for (let i = 0; i < f; i++) b[i] = rng.next();
    const b0 = Float64Array.from(b);
    const rb = Float64Array.from(b);
    k.cholSolve64(f, a64, 0, b, 0);
    tsKernels.cholSolve64(f, r64, 0, rb, 0);
    close(b, rb, 1e-9, `cholSolve64 f=${f}`);
    // residual of the original system
    for (let i = 0; i < f; i++) {
      let s = 0;
      for (let j = 0; j < f; j++) s += g[i * f + j] * b[j];
      assert.ok(Math.abs(s - b0[i]) < 1e-4 * (1 + Math.abs(b0[i])), `residual f=${f}`);
    }
    const a32 = copyTo(k, g);
    const r32 = Float32Array.from(g);
    assert.ok(k.cholesky32(f, a32, 0));
    assert.ok(tsKernels.cholesky32(f, r32, 0));
    close(lower(a32), lower(r32), 1e-4, `cholesky32 f=${f}`);
    const c = k.arena.f32(f);
    for (let i = 0; i < f; i++) c[i] = b0[i];
    const rc = Float32Array.from(c);
    k.cholSolve32(f, a32, 0, c, 0);
    tsKernels.cholSolve32(f, r32, 0, rc, 0);
    close(c, rc, 1e-3, `cholSolve32 f=${f}`);
  }
  assert.equal(k.cholesky64(2, k.arena.f64(4), 0), false);
});

test('WASM CSR x dense matches the TS reference', { skip: !wk }, () => {
  const k = wk!;
  for (const f of [1, 5, 8, 13]) {
    const s = randomCsr(17, 23, 0.2, () => rng.next() * 3);
    const b = rand(k, 23 * f);
    const o1 = k.arena.f32(17 * f);
    const o2 = new Float32Array(17 * f);
    k.csrDense(17, csrIn(k, s), b, f, o1);
    tsKernels.csrDense(17, s, b, f, o2);
    close(o1, o2, 1e-5, `csrDense f=${f}`);
  }
});

test('WASM ALS row solvers match the TS references (cg, chol, explicit, loss; 1 and 2 threads)', { skip: !wk }, async () => {
  const k = wk!;
  for (const f of [3, 8, 13]) {
    const nU = 41;
    const nI = 29;
    const s = randomCsr(nU, nI, 0.25, () => (rng.next() < 0.1 ? -1 : 1 + Math.floor(rng.next() * 4)));
    const sw = csrIn(k, s);
    const y = rand(k, nI * f, 0.3);
    const g = k.arena.f32(f * f);
    k.gram(nI, f, y, 0, g, 0);
    for (let i = 0; i < f; i++) g[i * f + i] += 0.1;
    const x0 = rand(k, nU * f, 0.3);
    for (const binary of [false, true]) {
      const jobs: Exclude<RowJob, { op: 'recommend' }>[] = [
        { op: 'cg', csr: sw, y, x: copyTo(k, x0), g, f, alpha: 2, steps: 3, binary },
        { op: 'chol', csr: sw, y, x: copyTo(k, x0), g, f, alpha: 2, binary },
        { op: 'explicit', csr: sw, y, x: copyTo(k, x0), f, lambda: 0.1, offset: 1.5 },
        { op: 'loss', csr: sw, y, x: copyTo(k, x0), g, f, alpha: 2, binary },
      ];
      for (const job of jobs) {
        const ref = { ...job, csr: s, x: Float32Array.from(job.x) };
        const rr = tsKernels.rows(ref, 0, nU);
        const par = { ...job, x: copyTo(k, job.x) };
        const rw = k.rows(job, 0, nU);
        const rp = await k.rowsParallel(par, nU, 2);
        close([rw], [rr], 1e-3, `${job.op} result f=${f}`);
        close([rp], [rr], 1e-3, `${job.op} parallel result f=${f}`);
        close(job.x, ref.x, 2e-3, `${job.op} binary=${binary} f=${f}`);
        close(par.x, job.x, 0, `${job.op} threads give identical rows f=${f}`);
      }
    }
  }
});

test('arena: allocations are zeroed, aligned, reused after free', { skip: !wk }, () => {
  const a = wk!.arena;
  const before = a.bytesInUse;
  const x = a.f32(5);
  x.fill(3);
  assert.equal(x.byteOffset % 16, 0);
  a.free(x);
  const y = a.f32(5);
  assert.equal(y.byteOffset, x.byteOffset);
  assert.deepEqual(Array.from(y), [0, 0, 0, 0, 0]);
  a.free(y);
  assert.equal(a.bytesInUse, before);
  assert.throws(() => a.free(y), /not allocated/);
});

test('arena: views stay valid when the memory grows', { skip: !wk }, () => {
  const a = wk!.arena;
  const x = a.f32(8);
  x.set([1, 2, 3, 4, 5, 6, 7, 8]);
  const big = a.f32(4 << 20); // 16 MiB: forces a grow
  big[big.length - 1] = 9;
  assert.equal(wk!.dot(8, x, 0, x, 0), 204);
  assert.equal(big[big.length - 1], 9);
  a.free(big);
  a.free(x);
});

test('WASM packed scoring and top-K selection match the TS references (odd sizes, ties, -Infinity, NaN)', { skip: !wk }, () => {
  const k = wk!;
  for (const [nU, nI, f] of [[1, 1, 1], [3, 7, 5], [5, 9, 8], [9, 301, 13], [6, 513, 64]]) {
    const y = rand(k, nI * f);
    const u = rand(k, nU * f);
    const p1 = k.arena.f32(k.packedSize(nI, f));
    const p2 = new Float32Array(tsKernels.packedSize(nI, f));
    k.packItems(nI, f, y, 0, p1);
    tsKernels.packItems(nI, f, y, 0, p2);
    close(p1, p2, 0, `packItems ${nI}x${f}`);
    const o1 = k.arena.f32(nU * nI);
    const o2 = new Float32Array(nU * nI);
    const o3 = new Float32Array(nU * nI);
    k.scorePacked(nU, u, 0, nI, p1, f, o1, 0);
    tsKernels.scorePacked(nU, u, 0, nI, p2, f, o2, 0);
    tsKernels.scoreBlock(nU, u, 0, nI, y, 0, f, o3, 0);
    close(o1, o2, 1e-5, `scorePacked ${nU}x${nI}x${f}`);
    close(o2, o3, 1e-5, `scorePacked = scoreBlock ${nU}x${nI}x${f}`);
  }
  for (const n of [0, 1, 3, 5, 17, 100, 1001]) {
    const s = k.arena.f32(n + 2);
    for (let i = 0; i < s.length; i++) {
      const r = rng.next();
      s[i] = r < 0.1 ? -Infinity : r < 0.15 ? NaN : Math.round(rng.next() * 20) / 4; // many ties
    }
    for (const kk of [0, 1, 3, 10, 2000]) {
      const it1 = k.arena.i32(Math.max(1, kk));
      const sc1 = k.arena.f32(Math.max(1, kk));
      const it2 = new Int32Array(Math.max(1, kk));
      const sc2 = new Float32Array(Math.max(1, kk));
      const c1 = k.selectTop(n, s, 2, kk, it1, 0, sc1, 0);
      const c2 = tsKernels.selectTop(n, s, 2, kk, it2, 0, sc2, 0);
      assert.equal(c1, c2, `selectTop count n=${n} k=${kk}`);
      assert.deepEqual(Array.from(it1.subarray(0, c1)), Array.from(it2.subarray(0, c2)), `selectTop items n=${n} k=${kk}`);
      assert.deepEqual(Array.from(sc1.subarray(0, c1)), Array.from(sc2.subarray(0, c2)), `selectTop scores n=${n} k=${kk}`);
    }
  }
});

test('WASM recommend rows match the TS reference (seen excluded, fallback, padding; 1 and 2 threads)', { skip: !wk }, async () => {
  const k = wk!;
  const nU = 37;
  const nI = 45;
  const f = 7;
  const s2 = randomCsr(nU, nI, 0.3, () => 1);
  // make user 5 have no history: drop its entries
  const keep: number[] = [];
  for (let p = 0; p < s2.indices.length; p++) if (!(p >= s2.indptr[5] && p < s2.indptr[6])) keep.push(p);
  const indptr = Int32Array.from(s2.indptr, (v, r) => (r <= 5 ? v : v - (s2.indptr[6] - s2.indptr[5])));
  const sw = csrIn(k, { indptr, indices: Int32Array.from(keep, (p) => s2.indices[p]), data: new Float32Array(keep.length).fill(1) });
  const u = rand(k, nU * f);
  const y = rand(k, nI * f);
  const packed = k.arena.f32(k.packedSize(nI, f));
  k.packItems(nI, f, y, 0, packed);
  const fallback = k.arena.f32(nI);
  for (let i = 0; i < nI; i++) fallback[i] = nI - i;
  for (const kk of [5, 44, 60]) {
    const mk = () => ({ op: 'recommend' as const, u, f, packed, nItems: nI, seen: sw, fallback, k: kk, outItems: k.arena.i32(nU * kk), outScores: k.arena.f32(nU * kk) });
    const a = mk();
    const b = mk();
    const ref = { ...mk(), outItems: new Int32Array(nU * kk), outScores: new Float32Array(nU * kk), u: Float32Array.from(u), packed: Float32Array.from(packed) };
    k.rows(a, 0, nU);
    await k.rowsParallel(b, nU, 2);
    tsKernels.rows(ref, 0, nU);
    assert.deepEqual(Array.from(a.outItems), Array.from(ref.outItems), `items k=${kk}`);
    close(a.outScores, ref.outScores, 1e-5, `scores k=${kk}`);
    assert.deepEqual(Array.from(b.outItems), Array.from(a.outItems), `threads k=${kk}`);
    // user 5 (no history) gets the fallback order 0, 1, 2, ...
    assert.deepEqual(Array.from(a.outItems.subarray(5 * kk, 5 * kk + 3)), [0, 1, 2]);
    // no seen item is recommended
    for (let v = 0; v < nU; v++) {
      const st = new Set(sw.indices.subarray(sw.indptr[v], sw.indptr[v + 1]));
      for (const i of a.outItems.subarray(v * kk, v * kk + kk)) assert.ok(i === -1 || !st.has(i));
    }
  }
});
