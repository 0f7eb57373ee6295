// Baseline models on ML-100K: BaselineOnly (ALS, SGD) 5-fold RMSE / MAE on Surprise's own folds
// (KFold(5, shuffle=True, random_state=0)) with median fit seconds, against shared/peers.md
// (Surprise BaselineOnly: RMSE 0.9440 +- 0.0059, MAE 0.7484, 0.17 s per fold), plus popularity fit time.
// Usage: node --import tsx bench/baseline-ml100k.ts [dataDir]
import { join } from 'node:path';
import { loadInteractions } from '../src/data/load.js';
import { applySplit } from '../src/data/split.js';
import { surpriseKFold } from '../src/data/numpy-kfold.js';
import { createModel } from '../src/models/registry.js';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]): number => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));

async function main(): Promise<void> {
  const root = process.argv[2] ?? process.env.AFFINITY_DATA ?? '../shared/data';
  const data = (await loadInteractions(join(root, 'ml-100k', 'u.data'))).dataset;
  const folds = surpriseKFold(data.size, 5, 0);
  console.log('model\tRMSE\tstd\tMAE\tfit_s_median\tpredict_s_median');
  for (const name of ['baseline', 'baseline-sgd']) {
    const rmse: number[] = [];
    const mae: number[] = [];
    const fit: number[] = [];
    const pred: number[] = [];
    for (const fold of folds) {
      const { train, test } = applySplit(data, fold);
      for (let rep = 0; rep < 3; rep++) {
        const m = createModel(name);
        fit.push((await m.fit(train)).fitSeconds);
        const t0 = performance.now();
        let se = 0;
        let ae = 0;
        for (let k = 0; k < test.size; k++) {
          const e = m.predict(test.user[k], test.item[k]) - test.value[k];
          se += e * e;
          ae += Math.abs(e);
        }
        pred.push((performance.now() - t0) / 1000);
        if (rep === 0) {
          rmse.push(Math.sqrt(se / test.size));
          mae.push(ae / test.size);
        }
      }
    }
    console.log([name, mean(rmse).toFixed(4), std(rmse).toFixed(4), mean(mae).toFixed(4), median(fit).toFixed(4), median(pred).toFixed(4)].join('\t'));
    console.log(JSON.stringify({ bench: 'baseline-ml100k', model: name, rmse: mean(rmse), rmseStd: std(rmse), mae: mean(mae), fitSeconds: median(fit), predictSeconds: median(pred) }));
  }
  const fits: number[] = [];
  for (let rep = 0; rep < 5; rep++) fits.push((await createModel('popularity').fit(data)).fitSeconds);
  console.log(JSON.stringify({ bench: 'baseline-ml100k', model: 'popularity', fitSeconds: median(fits) }));
}

await main();
