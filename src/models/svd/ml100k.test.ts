import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SKIP_NO_DATA, sharedData } from '../../../test/helpers/data.js';
import { loadInteractions } from '../../data/load.js';
import { applySplit, splitDataset } from '../../data/split.js';
import { createModel } from '../registry.js';
import { ratingErrors } from '../../../test/helpers/split-eval.js';

/**
 * MovieLens 100K, the 5-fold CV of the Surprise protocol (the k-fold split with seed 0 reproduces
 * Surprise's KFold(5, shuffle=True, random_state=0) folds), default (tuned) parameters. Issue 3's
 * targets: SVD RMSE <= 0.934 and SVD++ RMSE <= 0.919 (Surprise 1.1.4 with its defaults: 0.9344 and
 * 0.9187, MAE 0.7367 and 0.7206; shared/peers.md). Measured here: SVD 0.9107, SVD++ 0.9102 (folds
 * 0.904-0.921). About 2.5 s of CPU per fold for both models together.
 */
const path = sharedData('ml-100k/u.data');

test('ML-100K 5-fold CV (Surprise folds): SVD and SVD++ reach issue 3 RMSE targets', { skip: path ? false : SKIP_NO_DATA }, async () => {
  const { dataset: data } = await loadInteractions(path as string);
  assert.equal(data.size, 100000);
  const folds = splitDataset(data, { kind: 'kfold', k: 5 }, 0);
  assert.equal(folds.length, 5);
  const rmse: Record<string, number[]> = { svd: [], svdpp: [] };
  const mae: Record<string, number[]> = { svd: [], svdpp: [] };
  for (const fold of folds) {
    const { train, test } = applySplit(data, fold);
    assert.equal(test.size, 20000);
    for (const name of ['svd', 'svdpp']) {
      const m = createModel(name);
      await m.fit(train);
      const e = ratingErrors(m, test);
      rmse[name].push(e.rmse);
      mae[name].push(e.mae);
    }
  }
  const mean = (x: number[]): number => x.reduce((s, v) => s + v, 0) / x.length;
  assert.ok(mean(rmse.svd) <= 0.934, `SVD RMSE ${rmse.svd.join(', ')}`);
  assert.ok(mean(rmse.svdpp) <= 0.919, `SVD++ RMSE ${rmse.svdpp.join(', ')}`);
  assert.ok(mean(mae.svd) <= 0.7367, `SVD MAE ${mae.svd.join(', ')}`);
  assert.ok(mean(mae.svdpp) <= 0.7206, `SVD++ MAE ${mae.svdpp.join(', ')}`);
  // every fold: better than Surprise's 5-fold mean for SVD, and far below the global-mean predictor (about 1.126)
  for (const name of ['svd', 'svdpp']) for (const r of rmse[name]) assert.ok(r > 0.85 && r < 0.934, `${name} fold RMSE ${r}`);
});
