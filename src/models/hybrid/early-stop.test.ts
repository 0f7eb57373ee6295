import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Csr } from '../../core/csr.js';
import { Rng } from '../../core/rng.js';
import { Dataset } from '../../data/dataset.js';
import { createModel } from '../registry.js';
import { HoldoutScorer, innerSplit, trainEarlyStopped } from './early-stop.js';
import { entityFeatures } from './features.js';
import type { HybridModel } from './hybrid.js';
import { trainHybrid, type TrainInput } from './train.js';

function csr(rows: number[][], nCols: number, values?: number[][]): Csr {
  const indptr = new Int32Array(rows.length + 1);
  rows.forEach((r, u) => (indptr[u + 1] = indptr[u] + r.length));
  return { nRows: rows.length, nCols, indptr, indices: Int32Array.from(rows.flat()), data: Float32Array.from(values ? values.flat() : rows.flat().map(() => 1)) };
}

/** 60 users in 3 taste clusters over 45 items (15 per cluster): each user has 8 in-cluster items and 1 random one. */
function clusterData(): Dataset {
  const rng = new Rng(5);
  const rows: Array<[string, string, number]> = [];
  for (let u = 0; u < 60; u++) {
    const c = u % 3;
    const own = rng.shuffle(Array.from({ length: 15 }, (_, k) => c * 15 + k)).slice(0, 8);
    own.push(rng.int(45));
    for (const i of new Set(own)) rows.push([`u${u}`, `i${i}`, 1]);
  }
  return Dataset.fromTriples(rows, { kind: 'implicit' });
}

function input(d: Dataset, epochs: number): TrainInput {
  const seen = d.csr();
  const uf = entityFeatures(null, d.users, new Uint8Array(d.nUsers).fill(1), 'all', true, 'l2').csr;
  const itf = entityFeatures(null, d.items, new Uint8Array(d.nItems).fill(1), 'all', true, 'l2').csr;
  const hyper = { loss: 'warp' as const, learningRate: 0.05, adadelta: false, rho: 0.95, epsilon: 1e-6, itemAlpha: 0, userAlpha: 0, maxSampled: 100, k: 5, n: 10 };
  return { seen, userFeatures: uf, itemFeatures: itf, f: 8, epochs, seed: 11, threads: 1, hyper, name: 'hybrid', wasm: false };
}

describe('hybrid early stopping', () => {
  it('innerSplit: round(fraction x positives) per user, >= 1 kept, single-positive users and negatives stay in train', () => {
    const seen = csr([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [3], [1, 2, 4]], 10, [[1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [1], [1, -1, 1]]);
    const s = innerSplit(seen, 0.2, 3);
    assert.deepEqual(Array.from(s.holdout.indptr), [0, 2, 2, 3]);
    assert.deepEqual(Array.from(s.train.indptr), [0, 8, 9, 11]);
    assert.deepEqual(Array.from(s.users), [0, 2]);
    // user 2's only other positive is held out by the minimum of 1; its negative (item 2) stays
    assert.deepEqual(Array.from(s.train.indices.subarray(9, 11)).sort(), s.holdout.indices[2] === 1 ? [2, 4] : [1, 2]);
    const u0 = [...Array.from(s.train.indices.subarray(0, 8)), ...Array.from(s.holdout.indices.subarray(0, 2))].sort((a, b) => a - b);
    assert.deepEqual(u0, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(innerSplit(seen, 0.2, 3), s);
  });

  it('HoldoutScorer: hand-computed NDCG@10 with inner-train items skipped', () => {
    // one user, three items, identity features, f = 1 (rows padded to fp = 4): scores 3, 2, 1 (+ biases 0)
    const split = { train: csr([[0]], 3), holdout: csr([[2]], 3), users: Int32Array.of(0) };
    const sc = new HoldoutScorer(split, split.users, csr([[0]], 1), csr([[0], [1], [2]], 3), 1);
    const view = { uEmb: Float32Array.of(1, 0, 0, 0), uBias: new Float32Array(1), iEmb: Float32Array.of(3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0), iBias: new Float32Array(3), f: 1, fp: 4 };
    // item 0 is skipped: ranking item 1, item 2 -> the held-out item at rank 2: 1 / log2(3)
    assert.ok(Math.abs(sc.ndcg(view) - 1 / Math.log2(3)) < 1e-9);
    view.iBias[2] = 5; // now first: NDCG 1
    assert.ok(Math.abs(sc.ndcg(view) - 1) < 1e-9);
  });

  it('stops after `patience` epochs without improvement and keeps the best epoch (snapshot or refit), deterministically', async () => {
    const d = clusterData();
    const inp = input(d, 40);
    const es = { validation: 0.25, patience: 3, refit: false, maxUsers: 1000 };
    const a = await trainEarlyStopped(inp, {}, es);
    const best = a.curve.indexOf(Math.max(...a.curve)) + 1;
    assert.equal(a.bestEpochs, best);
    assert.ok(a.curve.length < 40, `ran ${a.curve.length} epochs`);
    assert.equal(a.curve.length, best + es.patience);
    assert.ok(a.curve[best - 1] > a.curve[0], `curve ${a.curve}`);
    // the snapshot is the inner run after `best` epochs
    const inner = await trainHybrid({ ...inp, seen: innerSplit(inp.seen, 0.25, inp.seed).train, epochs: best }, {});
    assert.deepEqual(a.iEmb, inner.iEmb);
    assert.deepEqual(a.uBias, inner.uBias);
    // deterministic for threads = 1
    const again = await trainEarlyStopped(inp, {}, es);
    assert.deepEqual({ ...again, iterationSeconds: [] }, { ...a, iterationSeconds: [] });
    // refit: all rows for the best epoch count
    const r = await trainEarlyStopped(inp, {}, { ...es, refit: true });
    assert.deepEqual(r.curve, a.curve);
    const full = await trainHybrid({ ...inp, epochs: best }, {});
    assert.deepEqual(r.iEmb, full.iEmb);
    assert.deepEqual(r.uEmb, full.uEmb);
  });

  it('as model params: validation / patience / validationRefit; bestEpochs and the curve are exposed', async () => {
    const d = clusterData();
    const m = createModel('hybrid', { components: 8, epochs: 40, validation: 0.25, patience: 2 }) as HybridModel;
    await m.fit(d);
    assert.ok(m.bestEpochs >= 1 && m.bestEpochs <= 40);
    assert.equal(m.validationCurve.length, Math.min(40, m.bestEpochs + 2));
    const again = createModel('hybrid', { components: 8, epochs: 40, validation: 0.25, patience: 2 }) as HybridModel;
    await again.fit(d);
    assert.deepEqual(again.recommend(0, { n: 5 }), m.recommend(0, { n: 5 }));
    const off = createModel('hybrid', { components: 8, epochs: 7 }) as HybridModel;
    await off.fit(d);
    assert.equal(off.bestEpochs, 7);
    assert.deepEqual(off.validationCurve, []);
    assert.throws(() => createModel('hybrid', { validation: 1 }), /hybrid\.validation/);
  });
});
