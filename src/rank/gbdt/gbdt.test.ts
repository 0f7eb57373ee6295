import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../core/rng.js';
import type { RankingData } from '../types.js';
import { binOf, fitBins } from './binning.js';
import { Gbdt } from './gbdt.js';
import { lambdaGradients } from './objectives.js';

const schema = (n: number) => ({ version: 1, names: Array.from({ length: n }, (_, k) => `f${k}`) });

function data(x: number[], nCols: number, y: number[], groupPtr?: number[]): RankingData {
  return { features: Float32Array.from(x), nRows: y.length, nCols, labels: Float32Array.from(y), groupPtr: Int32Array.from(groupPtr ?? [0, y.length]), schema: schema(nCols) };
}

test('bins: NaN in bin 0, cuts between distinct values', () => {
  const b = fitBins(Float32Array.from([1, 2, 2, 3, NaN]), 5, 1, 16);
  assert.deepEqual(Array.from(b.edges[0]), [1.5, 2.5]);
  assert.equal(binOf(b.edges[0], NaN), 0);
  assert.equal(binOf(b.edges[0], 1), 1);
  assert.equal(binOf(b.edges[0], 2), 2);
  assert.equal(binOf(b.edges[0], 9), 3);
  const q = fitBins(Float32Array.from({ length: 1000 }, (_, k) => k), 1000, 1, 6);
  assert.equal(q.edges[0].length, 4); // maxBins - 2 cuts at the quintiles
  assert.deepEqual(Array.from(q.edges[0]), [199.5, 399.5, 599.5, 799.5]);
});

test('one tree on a step function: y = 1 for x < 5, 3 for x >= 5 (hand-computed leaves)', () => {
  const x: number[] = [];
  const y: number[] = [];
  for (let k = 0; k < 10; k++) {
    x.push(k);
    y.push(k < 5 ? 1 : 3);
  }
  // learningRate 1, lambda 0: root init = mean = 2; leaves = -(sum of (2 - y)) / n = -1 and +1
  const m = Gbdt.train(data(x, 1, y), { objective: 'squared', nTrees: 1, learningRate: 1, lambda: 0, minSamplesLeaf: 1, maxLeaves: 2 });
  assert.equal(m.initScore, 2);
  assert.equal(m.trees[0].threshold[0], 4.5);
  assert.deepEqual(Array.from(m.score(Float32Array.from([0, 4, 4.5, 5, 9, NaN]), 6, 1)), [1, 1, 1, 3, 3, 1]);
  // L2 on leaves: lambda = 5 -> leaf = -G / (H + 5) = -(5) / (5 + 5) = -0.5 and +0.5
  const r = Gbdt.train(data(x, 1, y), { objective: 'squared', nTrees: 1, learningRate: 1, lambda: 5, minSamplesLeaf: 1, maxLeaves: 2 });
  assert.deepEqual(Array.from(r.score(Float32Array.from([0, 9]), 2, 1)), [1.5, 2.5]);
  // gain importance: 0.5 * (5^2/5 + 5^2/5 - 0) = 5 at lambda 0
  assert.equal(m.importance[0], 5);
});

test('squared error fits a 2-D function; deterministic; save/load round trip', () => {
  const rng = new Rng(3);
  const n = 2000;
  const x = new Float32Array(n * 3);
  const y = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    const a = rng.next() * 4 - 2;
    const b = rng.next() * 4 - 2;
    x[r * 3] = a;
    x[r * 3 + 1] = b;
    x[r * 3 + 2] = rng.next(); // noise feature
    y[r] = Math.sin(a) + (b > 0 ? 1 : 0) * a;
  }
  const d: RankingData = { features: x, nRows: n, nCols: 3, labels: y, groupPtr: Int32Array.of(0, n), schema: schema(3) };
  const p = { objective: 'squared' as const, nTrees: 80, learningRate: 0.2, subsample: 0.8, featureFraction: 1, seed: 7 };
  const m = Gbdt.train(d, p);
  const pred = m.score(x, n, 3);
  let mse = 0;
  let varY = 0;
  let mean = 0;
  for (let r = 0; r < n; r++) mean += y[r] / n;
  for (let r = 0; r < n; r++) {
    mse += (pred[r] - y[r]) ** 2 / n;
    varY += (y[r] - mean) ** 2 / n;
  }
  assert.ok(mse < 0.03 * varY, `mse ${mse} vs variance ${varY}`);
  const imp = m.featureImportance();
  assert.equal(imp[2].name, 'f2'); // the noise feature matters least
  const again = Gbdt.train(d, p);
  assert.deepEqual(again.score(x, n, 3), pred);
  const back = Gbdt.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
  assert.deepEqual(back.score(x, n, 3), pred);
});

test('logistic objective separates classes', () => {
  const rng = new Rng(5);
  const n = 1000;
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    x[r * 2] = rng.next();
    x[r * 2 + 1] = rng.next();
    y[r] = x[r * 2] + 0.3 * x[r * 2 + 1] > 0.65 ? 1 : 0;
  }
  const m = Gbdt.train({ features: x, nRows: n, nCols: 2, labels: y, groupPtr: Int32Array.of(0, n), schema: schema(2) }, { objective: 'logistic', nTrees: 50 });
  const s = m.score(x, n, 2);
  let correct = 0;
  for (let r = 0; r < n; r++) if ((s[r] > 0 ? 1 : 0) === y[r]) correct++;
  assert.ok(correct / n > 0.97, `accuracy ${correct / n}`);
});

test('LambdaMART raises NDCG where a known feature decides relevance', () => {
  // 200 queries x 20 docs; relevance 0..3 = floor(4 * f1) (f0, f2 noise); a distractor f3 correlates weakly
  const rng = new Rng(11);
  const nq = 200;
  const per = 20;
  const n = nq * per;
  const x = new Float32Array(n * 4);
  const y = new Float32Array(n);
  const gp = new Int32Array(nq + 1);
  for (let q = 0; q < nq; q++) {
    gp[q + 1] = (q + 1) * per;
    for (let k = 0; k < per; k++) {
      const r = q * per + k;
      const f1 = rng.next();
      y[r] = Math.min(3, Math.floor(4 * f1 ** 3));
      x[r * 4] = rng.next();
      x[r * 4 + 1] = f1;
      x[r * 4 + 2] = rng.normal();
      x[r * 4 + 3] = f1 * 0.2 + rng.next();
    }
  }
  const d: RankingData = { features: x, nRows: n, nCols: 4, labels: y, groupPtr: gp, schema: schema(4) };
  const ndcg = (scores: Float32Array): number => {
    let sum = 0;
    for (let q = 0; q < nq; q++) {
      const idx = Array.from({ length: per }, (_, k) => q * per + k);
      const byScore = idx.slice().sort((a, b) => scores[b] - scores[a] || a - b);
      const ideal = idx.slice().sort((a, b) => y[b] - y[a]);
      const dcg = (o: number[]) => o.slice(0, 10).reduce((s, r, i) => s + (2 ** y[r] - 1) / Math.log2(i + 2), 0);
      const id = dcg(ideal);
      sum += id > 0 ? dcg(byScore) / id : 1;
    }
    return sum / nq;
  };
  const before = ndcg(x.filter((_, k) => k % 4 === 3)); // ranking by the distractor
  const metrics: number[] = [];
  const m = Gbdt.train(d, { objective: 'lambdarank', nTrees: 30, truncation: 10, minSamplesLeaf: 5 }, { onTree: (_t, v) => metrics.push(v) });
  const after = ndcg(m.score(x, n, 4));
  assert.ok(before < 0.7, `distractor ${before}`);
  assert.ok(after > 0.97, `LambdaMART NDCG@10 ${after}`);
  assert.ok(metrics[metrics.length - 1] > metrics[0]);
  assert.equal(m.featureImportance()[0].name, 'f1');
});

test('bad input is refused with the field named', () => {
  assert.throws(() => Gbdt.train(data([1, 2], 1, [1, 2]), { nTrees: 0 }), /nTrees: got 0; expected an integer >= 1/);
  assert.throws(() => Gbdt.train(data([1, 2], 1, [1, 2], [0, 1]), {}), /groupPtr/);
  const m = Gbdt.train(data([1, 2, 3], 1, [1, 2, 3]), { objective: 'squared', nTrees: 1, minSamplesLeaf: 1 });
  assert.throws(() => m.score(new Float32Array(4), 2, 2), /nCols: got 2; expected 1/);
});

test('LambdaRank gradients of a two-document query, by hand', () => {
  // labels [1, 0], equal scores: ranks 0, 1; |dNDCG| = (2^1 - 2^0) * (1 - 1/log2 3) / maxDCG(= 1); rho = 1/2
  const grad = new Float32Array(3);
  const hess = new Float32Array(3);
  const delta = 1 - 1 / Math.log2(3);
  const ndcg = lambdaGradients(Float32Array.of(1, 0, 0), Float64Array.of(0, 0, 5), Int32Array.of(0, 2, 3), grad, hess, { sigma: 1, truncation: 10, norm: false }, Float64Array.of(1, 0));
  assert.ok(Math.abs(grad[0] + 0.5 * delta) < 1e-7 && Math.abs(grad[1] - 0.5 * delta) < 1e-7);
  assert.ok(Math.abs(hess[0] - 0.25 * delta) < 1e-7 && Math.abs(hess[1] - 0.25 * delta) < 1e-7);
  assert.equal(grad[2], 0); // a one-document query has no pairs
  assert.equal(ndcg, 1); // query 0 ranks its relevant document first (ties keep input order); query 1 has none
});
