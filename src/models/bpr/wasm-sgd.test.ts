import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../core/rng.js';
import { wasmKernels } from '../../kernels/index.js';
import { buildAlias } from './sampling.js';
import { bprEpoch, bprSteps, chunkSeed, type BprArrays } from './sgd.js';
import { WasmBprTrainer } from './wasm-train.js';

const wk = wasmKernels();
const skip = !wk || !wk.hasExport('bprSteps') || process.env.AFFINITY_KERNELS === 'ts';

/** Random positives (sorted rows; user 0 likes all items but one, so some samples find no negative). */
function fixture(nU: number, nI: number, f: number, weighted: boolean, seed: number): BprArrays {
  const rng = new Rng(seed);
  const indptr = new Int32Array(nU + 1);
  const cols: number[] = [];
  for (let u = 0; u < nU; u++) {
    for (let i = 0; i < nI; i++) if (u === 0 ? i !== 3 : rng.next() < 0.2) cols.push(i);
    indptr[u + 1] = cols.length;
  }
  const indices = Int32Array.from(cols);
  const rowUser = new Int32Array(indices.length);
  for (let u = 0; u < nU; u++) rowUser.fill(u, indptr[u], indptr[u + 1]);
  const U = new Float32Array(nU * f).map(() => (rng.next() - 0.5) / 4);
  const V = new Float32Array(nI * f).map(() => (rng.next() - 0.5) / 4);
  const B = new Float32Array(nI).map(() => rng.next() - 0.5);
  const pos = weighted ? buildAlias(Float64Array.from(indices, (_, p) => 1 + (p % 7)), false) : null;
  const neg = weighted ? buildAlias(Float64Array.from({ length: nI }, (_, i) => 1 + (i % 5)), false) : null;
  return {
    userFactors: U, itemFactors: V, itemBias: B, indptr, indices, rowUser,
    posProb: pos?.prob ?? null, posAlias: pos?.alias ?? null, negProb: neg?.prob ?? null, negAlias: neg?.alias ?? null,
    nItems: nI, factors: f,
  };
}

function copy(a: BprArrays): BprArrays {
  return { ...a, userFactors: a.userFactors.slice(), itemFactors: a.itemFactors.slice(), itemBias: a.itemBias.slice() };
}

function maxDiff(x: Float32Array, y: Float32Array): number {
  let m = 0;
  for (let k = 0; k < x.length; k++) m = Math.max(m, Math.abs(x[k] - y[k]));
  return m;
}

test('chunk seeding: bprSteps from 0 is bprEpoch; other starts draw other streams', () => {
  const a = fixture(30, 20, 5, false, 1);
  const b = copy(a);
  const ra = bprEpoch(a, 0.05, 0.01, 500, 77);
  const rb = bprSteps(b, 0.05, 0.01, 77, 0, 500);
  assert.deepEqual(ra, rb);
  assert.deepEqual(a.userFactors, b.userFactors);
  assert.equal(chunkSeed(77, 0), 77);
  assert.notEqual(chunkSeed(77, 100), 77);
});

for (const [f, weighted] of [[13, false], [64, false], [64, true], [3, true]] as const) {
  test(`WASM bprSteps matches the TS reference (f=${f}${weighted ? ', alias sampling' : ''}, 1 thread)`, { skip }, async () => {
    const host = fixture(40, 29, f, weighted, 5 + f);
    const ref = copy(host);
    const want = bprSteps(ref, 0.05, 0.01, 12345, 0, 3000);
    const tr = WasmBprTrainer.create(host, 0.05, 0.01, 1);
    assert.ok(tr);
    try {
      const got = await tr.epoch(3000, 12345);
      assert.ok(want.skipped > 0, 'the fixture has samples without a negative');
      assert.equal(got.skipped, want.skipped);
      assert.ok(Math.abs(got.correct - want.correct) <= 3, `correct ${got.correct} vs ${want.correct}`);
      tr.copyBack();
    } finally {
      tr.close();
    }
    // same triples, same updates: only f32 SIMD rounding differs from the f64 reference
    assert.ok(maxDiff(host.userFactors, ref.userFactors) < 2e-4, `U differs by ${maxDiff(host.userFactors, ref.userFactors)}`);
    assert.ok(maxDiff(host.itemFactors, ref.itemFactors) < 2e-4, `V differs by ${maxDiff(host.itemFactors, ref.itemFactors)}`);
    assert.ok(maxDiff(host.itemBias, ref.itemBias) < 2e-4, `B differs by ${maxDiff(host.itemBias, ref.itemBias)}`);
    assert.notDeepEqual(host.itemBias, fixture(40, 29, f, weighted, 5 + f).itemBias, 'training moved the biases');
  });
}

test('WASM bprSteps over 2 threads (Hogwild chunks): the same triples, factors close to the sequential run', { skip }, async () => {
  const host = fixture(200, 60, 16, false, 9);
  const seq = copy(host);
  const n = 20000;
  const tr = WasmBprTrainer.create(host, 0.02, 0.01, 2);
  assert.ok(tr);
  let got;
  try {
    got = await tr.epoch(n, 99);
    tr.copyBack();
  } finally {
    tr.close();
  }
  // the pool's chunks: max(8, ceil(n / (threads * 24))) steps, each seeded by its start
  const chunk = Math.max(8, Math.ceil(n / 48));
  let skipped = 0;
  for (let s = 0; s < n; s += chunk) skipped += bprSteps(seq, 0.02, 0.01, 99, s, Math.min(n, s + chunk)).skipped;
  assert.equal(got.skipped, skipped);
  for (const x of host.userFactors) assert.ok(Number.isFinite(x));
  assert.ok(maxDiff(host.itemBias, seq.itemBias) < 0.05, `biases differ by ${maxDiff(host.itemBias, seq.itemBias)}`);
});
