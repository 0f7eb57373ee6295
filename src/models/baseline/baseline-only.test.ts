import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dataset } from '../../data/dataset.js';
import type { SplitFold } from '../../data/split-types.js';
import { loadInteractions } from '../../data/load.js';
import { applySplit, splitDataset } from '../../data/split.js';
import { sharedData, SKIP_NO_DATA } from '../../../test/helpers/data.js';
import { tinyRatings } from '../../../test/helpers/tiny-ratings.js';
import { modelConformance } from '../conformance.js';
import { createModel } from '../registry.js';
import type { BaselineOnly } from './baseline-only.js';
import { surpriseKFold } from '../../data/numpy-kfold.js';

modelConformance('baseline', () => createModel('baseline'));
modelConformance('baseline-sgd', () => createModel('baseline-sgd'));

// the 3 x 3 example of baselines.test.ts: mu = 3; after one ALS epoch with reg 1:
// bi = [1, -1/3, -2/3], bu = [4/9, -4/9, 0]
const tiny = tinyRatings();

test('baseline: predictions and ranking from hand-computed biases', async () => {
  const m = createModel('baseline', { epochs: 1, regU: 1, regI: 1 }) as BaselineOnly;
  const r = await m.fit(tiny);
  const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);
  close(m.predict(0, 0), 3 + 4 / 9 + 1); // A, x
  close(m.predict(1, 2), 3 - 4 / 9 - 2 / 3); // B, z
  close(m.predict(2, 1), 3 - 1 / 3); // C, y
  close(m.predict(-1, 0), 4); // unknown user: mu + b_x
  close(m.predict(0, -1), 3 + 4 / 9); // unknown item: mu + b_A
  close(m.predict(-1, -1), 3);
  assert.ok(r.loss !== undefined && r.loss > 0 && r.loss < 1.5);
  // ranking for everyone is by b_i: x, y, z
  assert.deepEqual(Array.from(m.recommend(-1, { n: 3 }).items), [0, 1, 2]);
  assert.deepEqual(Array.from(m.recommend(2, { n: 3 }).items), [0]);
  const s = m.scoreItems(0, [0, 1, 2]);
  close(s[0], Math.fround(3 + 4 / 9 + 1));
  assert.deepEqual(m.recommendFor('C', { n: 1 }).map((x) => x.id), ['x']);
});

test('baseline: predictions are clipped to the scale', async () => {
  const skew = Dataset.fromTriples(
    [
      ['A', 'x', 5],
      ['A', 'y', 5],
      ['B', 'x', 5],
      ['B', 'y', 4],
    ],
    { ratingScale: [1, 5] },
  );
  const m = createModel('baseline', { regU: 0, regI: 0, epochs: 30 });
  await m.fit(skew);
  // unregularised: estimates approach the ratings; A-x would exceed 5 without the clip
  for (let u = 0; u < 2; u++) for (let i = 0; i < 2; i++) assert.ok(m.predict(u, i) <= 5 && m.predict(u, i) >= 1);
  const out = new Float32Array(2);
  m.scoreAll(0, out);
  assert.ok(out[0] >= out[1]);
});

function rmseOn(m: ReturnType<typeof createModel>, test: Dataset): number {
  let se = 0;
  for (let k = 0; k < test.size; k++) {
    const e = m.predict(test.user[k], test.item[k]) - test.value[k];
    se += e * e;
  }
  return Math.sqrt(se / test.size);
}

const udata = sharedData('ml-100k/u.data');
const mean = (xs: number[]): number => xs.reduce((x, y) => x + y, 0) / xs.length;

async function crossValidate(data: Dataset, folds: SplitFold[], model: string): Promise<number[]> {
  const out: number[] = [];
  for (const fold of folds) {
    const { train, test: held } = applySplit(data, fold);
    const m = createModel(model);
    await m.fit(train);
    out.push(rmseOn(m, held));
  }
  return out;
}

// Surprise's own folds (KFold(5, shuffle=True, random_state=0) over u.data in file order), where
// peers.md reports BaselineOnly 0.9440 +- 0.0059. Per-fold reference values from a numpy
// re-implementation of Surprise's optimize_baselines.pyx on the same folds (mean 0.943969, std 0.005918).
const SURPRISE_ALS_FOLDS = [0.944651, 0.94014, 0.938329, 0.941672, 0.955054];

test('ML-100K, Surprise folds: BaselineOnly ALS RMSE 0.9440 per fold; SGD close', { skip: udata ? false : SKIP_NO_DATA }, async () => {
  const data = (await loadInteractions(udata as string)).dataset;
  assert.equal(data.size, 100000);
  const folds = surpriseKFold(data.size, 5, 0);
  const als = await crossValidate(data, folds, 'baseline');
  als.forEach((r, f) => assert.ok(Math.abs(r - SURPRISE_ALS_FOLDS[f]) < 2e-5, `fold ${f}: ${r} vs ${SURPRISE_ALS_FOLDS[f]}`));
  assert.ok(mean(als) <= 0.944, `ALS 5-fold RMSE ${mean(als)}`);
  // SGD visits ratings in CSR order, Surprise in train-set order: not bit-equal; reference mean 0.94119
  const sgd = await crossValidate(data, folds, 'baseline-sgd');
  assert.ok(Math.abs(mean(sgd) - 0.94119) < 0.002, `SGD 5-fold RMSE ${mean(sgd)}`);
  console.log(`ml-100k Surprise folds RMSE: ALS ${mean(als).toFixed(4)} [${als.map((x) => x.toFixed(4))}], SGD ${mean(sgd).toFixed(4)}`);
});

test('ML-100K, Affinity k-fold (seed 0): BaselineOnly ALS within the fold noise of 0.944', { skip: udata ? false : SKIP_NO_DATA }, async () => {
  const data = (await loadInteractions(udata as string)).dataset;
  const als = await crossValidate(data, splitDataset(data, { kind: 'kfold', k: 5 }, 0), 'baseline');
  // the std of a 5-fold mean is about 0.006 / sqrt(5) = 0.0027
  assert.ok(Math.abs(mean(als) - 0.944) < 0.003, `ALS 5-fold RMSE ${mean(als)}`);
  for (const r of als) assert.ok(r > 0.925 && r < 0.965, `fold RMSE ${r}`);
  console.log(`ml-100k Affinity kfold RMSE: ALS ${mean(als).toFixed(4)} [${als.map((x) => x.toFixed(4))}]`);
});
