import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../core/rng.js';
import { AffinityError } from '../core/errors.js';
import { ANN_BACKENDS, buildAnnIndex, createAnnIndex, loadAnnIndex, type AnnIndex } from './index.js';

function randomVectors(n: number, dim: number, seed: number): Float32Array {
  const r = new Rng(seed);
  const v = new Float32Array(n * dim);
  for (let i = 0; i < v.length; i++) v[i] = r.normal();
  return v;
}

function recallAt(idx: AnnIndex, ref: AnnIndex, queries: Float32Array, dim: number, k: number): number {
  let hit = 0;
  const nq = queries.length / dim;
  for (let q = 0; q < nq; q++) {
    const qv = queries.subarray(q * dim, (q + 1) * dim);
    const truth = new Set(ref.search(qv, k).items);
    for (const it of idx.search(qv, k).items) if (truth.has(it)) hit++;
  }
  return hit / (nq * k);
}

const N = 3000;
const DIM = 16;
const data = randomVectors(N, DIM, 1);
const queries = randomVectors(50, DIM, 2);

test('exact backend: hand-computed inner products and cosines, best first', () => {
  const v = Float32Array.of(1, 0, 0, 2, 3, 3);
  const ip = buildAnnIndex('exact', v, { dim: 2, metric: 'ip' });
  const r = ip.search(Float32Array.of(1, 1), 3);
  assert.deepEqual([...r.items], [2, 1, 0]);
  assert.deepEqual([...r.scores], [6, 2, 1]);
  const cos = buildAnnIndex('exact', v, { dim: 2, metric: 'cos' });
  const c = cos.search(Float32Array.of(1, 1), 3);
  assert.equal(c.items[0], 2);
  assert.ok(Math.abs(c.scores[0] - 1) < 1e-6);
  assert.ok(Math.abs(c.scores[1] - Math.SQRT1_2) < 1e-6);
  assert.deepEqual([...ip.search(Float32Array.of(1, 1), 3, Uint8Array.of(0, 0, 1)).items], [1, 0]);
});

for (const metric of ['ip', 'cos'] as const) {
  const ref = buildAnnIndex('exact', data, { dim: DIM, metric });
  for (const backend of ['hnsw', 'usearch'] as const) {
    test(`${backend} ${metric}: recall@10 against exact search >= 0.95`, () => {
      const idx = buildAnnIndex(backend, data, { dim: DIM, metric, m: 16, efConstruction: 100, efSearch: 100, threads: 1 });
      assert.equal(idx.size, N);
      const rec = recallAt(idx, ref, queries, DIM, 10);
      assert.ok(rec >= 0.95, `recall ${rec}`);
      // scores are the true similarities of the returned keys
      const qv = queries.subarray(0, DIM);
      const r = idx.search(qv, 5);
      const e = ref.search(qv, N);
      const exactScore = new Map<number, number>();
      e.items.forEach((it, i) => exactScore.set(it, e.scores[i]));
      r.items.forEach((it, i) => assert.ok(Math.abs(r.scores[i] - (exactScore.get(it) as number)) < 1e-4));
      for (let i = 1; i < r.scores.length; i++) assert.ok(r.scores[i - 1] >= r.scores[i]);
    });
  }
}

for (const backend of ANN_BACKENDS) {
  test(`${backend}: add, replace, remove, exclude, efSearch, save and load`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'ann-test-'));
    try {
      const idx = createAnnIndex(backend, { dim: DIM, metric: 'ip', efSearch: 50, threads: 1 });
      const keys = Int32Array.from({ length: 1000 }, (_, i) => i * 3); // sparse keys
      idx.add(keys, data.subarray(0, 1000 * DIM));
      assert.equal(idx.size, 1000);
      assert.ok(idx.has(3) && !idx.has(4));
      const q = data.subarray(7 * DIM, 8 * DIM); // vector of key 21
      // a vector scaled up is its own best inner-product match
      const big = Float32Array.from(q, (x) => x * 10);
      idx.add([5000], big);
      assert.equal(idx.search(q, 1).items[0], 5000);
      assert.equal(idx.remove([5000, 4, 21]), 2);
      assert.equal(idx.size, 999);
      assert.ok(!idx.has(21));
      const r = idx.search(q, 10);
      assert.ok(!r.items.includes(5000) && !r.items.includes(21));
      // replacing a key's vector
      idx.add([3], big);
      assert.equal(idx.size, 999);
      assert.equal(idx.search(q, 1).items[0], 3);
      // exclusion widens the search
      const ex = new Uint8Array(6000);
      ex[3] = 1;
      const first = idx.search(q, 20).items;
      for (const it of first.subarray(1, 10)) ex[it] = 1;
      const rx = idx.search(q, 10, ex);
      assert.equal(rx.items.length, 10);
      for (const it of rx.items) assert.equal(ex[it], 0);
      idx.efSearch = 80;
      assert.equal(idx.efSearch, 80);
      const before = idx.search(q, 10);
      const path = join(dir, 'i.ann');
      idx.save(path);
      const back = loadAnnIndex(path);
      assert.equal(back.backend, backend);
      assert.equal(back.size, 999);
      assert.equal(back.efSearch, 80);
      const after = back.search(q, 10);
      assert.deepEqual([...after.items], [...before.items]);
      assert.ok(back.memoryBytes() > 999 * DIM * 4 * 0.9);
      back.add([7777], Float32Array.from(big, (x) => x * 2));
      assert.equal(back.search(q, 1).items[0], 7777);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('bad input: coded errors naming the field', () => {
  assert.throws(() => createAnnIndex('faiss', { dim: 4 }), (e: unknown) => e instanceof AffinityError && /backend.*exact, hnsw, usearch/.test(e.message));
  assert.throws(() => createAnnIndex('exact', { dim: 0 }), /dim: got 0/);
  const idx = createAnnIndex('hnsw', { dim: 2 });
  assert.throws(() => idx.add([1, 2], new Float32Array(3)), /vectors: got 3 floats for 2 keys/);
  assert.throws(() => idx.add([-1], new Float32Array(2)), /keys\[0\]/);
  assert.throws(() => idx.search(new Float32Array(3), 1), /query/);
  const dir = mkdtempSync(join(tmpdir(), 'ann-test-'));
  try {
    const p = join(dir, 'x.ann');
    writeFileSync(p, 'hello world, not an index');
    assert.throws(() => loadAnnIndex(p), (e: unknown) => e instanceof AffinityError && e.code === 'E_MODEL_FILE');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
