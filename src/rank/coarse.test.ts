import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../core/rng.js';
import { CoarseRanker } from './coarse.js';
import { Gbdt } from './gbdt/gbdt.js';
import { loadRanker, rankerFromState, saveRanker } from './io.js';
import type { RankingData } from './types.js';

const schema = { version: 3, names: ['a', 'b', 'noise'] };

/** Labels from a linear rule (+ an a*b interaction when `inter`). */
function make(n: number, inter: boolean, seed: number): RankingData {
  const rng = new Rng(seed);
  const x = new Float32Array(n * 3);
  const y = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    const a = rng.normal();
    const b = rng.normal();
    x[r * 3] = a * 10 + 50; // unscaled: standardisation must cope
    x[r * 3 + 1] = b;
    x[r * 3 + 2] = rng.normal();
    const s = inter ? a * b : 2 * a - b;
    y[r] = s > 0 ? 1 : 0;
  }
  return { features: x, nRows: n, nCols: 3, labels: y, groupPtr: Int32Array.of(0, n), schema };
}

function accuracy(s: Float32Array, y: Float32Array): number {
  let ok = 0;
  for (let r = 0; r < y.length; r++) if ((s[r] > 0 ? 1 : 0) === y[r]) ok++;
  return ok / y.length;
}

test('logistic regression learns a linear rule; weights have the rule signs', () => {
  const d = make(3000, false, 1);
  const m = CoarseRanker.train(d, { epochs: 5, learningRate: 0.5 });
  assert.ok(accuracy(m.score(d.features, d.nRows, 3), d.labels) > 0.96);
  assert.ok(m.weights[0] > 0 && m.weights[1] < 0 && Math.abs(m.weights[2]) < 0.25 * m.weights[0]);
});

test('a factorization machine learns the a*b interaction that logistic regression cannot', () => {
  const d = make(4000, true, 2);
  const lr = CoarseRanker.train(d, { epochs: 5 });
  const fm = CoarseRanker.train(d, { factors: 4, epochs: 15, learningRate: 0.1, initStd: 0.1 });
  assert.ok(accuracy(lr.score(d.features, d.nRows, 3), d.labels) < 0.6);
  assert.ok(accuracy(fm.score(d.features, d.nRows, 3), d.labels) > 0.9);
  // deterministic
  assert.deepEqual(CoarseRanker.train(d, { factors: 4, epochs: 2, initStd: 0.1 }).weights, CoarseRanker.train(d, { factors: 4, epochs: 2, initStd: 0.1 }).weights);
});

test('save/load of both rankers; schema mismatch and bad files detected', () => {
  const d = make(500, false, 3);
  const dir = mkdtempSync(join(tmpdir(), 'rank-'));
  const fm = CoarseRanker.train(d, { factors: 2, epochs: 2 });
  const gb = Gbdt.train(d, { objective: 'logistic', nTrees: 5 });
  for (const m of [fm, gb]) {
    const p = join(dir, `${m.kind}.json`);
    saveRanker(m, p);
    const back = loadRanker(p, schema);
    assert.equal(back.kind, m.kind);
    assert.deepEqual(back.score(d.features, d.nRows, 3), m.score(d.features, d.nRows, 3));
    assert.throws(() => loadRanker(p, { version: 3, names: ['a', 'c', 'noise'] }), /feature schema mismatch.*first difference at "b"/);
    assert.throws(() => loadRanker(p, { version: 4, names: schema.names }), /schema mismatch/);
  }
  assert.throws(() => rankerFromState({ format: 'other' }, 'x.json'), /x.json: not a ranker file/);
  assert.throws(() => rankerFromState({ ...fm.toJSON(), weights: [1] }, 'y.json'), /y.json: weights: expected 3 numbers/);
});
