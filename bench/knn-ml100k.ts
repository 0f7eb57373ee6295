/**
 * kNN accuracy and speed on MovieLens 100K, against the peer figures in shared/peers.md:
 * - 5-fold CV (kFoldSplits, seed 0; seed=N to change) RMSE/MAE, fit and predict seconds per fold, for the Surprise-style
 *   rating models (Surprise: KNNBaseline item pearson_baseline 0.9176, fit 0.77 s + predict 2.15 s per fold);
 * - the ml-100k-split implicit protocol for item-knn cosine / bm25 (implicit: NDCG@10 0.2606 / 0.2559).
 *
 *   AFFINITY_DATA=../shared/data node --import tsx bench/knn-ml100k.ts [models=knn-means,knn-baseline-item] [threads=1]
 */
import { join } from 'node:path';
import { loadInteractions, loadTrainTest } from '../src/data/load.js';
import { applySplit } from '../src/data/split.js';
import { createModel } from '../src/models/registry.js';
import { binaryImplicit, kFoldSplits, topNFigures, ratingErrors } from '../test/helpers/split-eval.js';

const root = process.env.AFFINITY_DATA ?? join(process.cwd(), '..', 'shared', 'data');
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=') as [string, string]));
const models = (args.models ?? 'knn-basic,knn-means,knn-zscore,knn-baseline,knn-basic-item,knn-means-item,knn-baseline-item').split(',');
const threads = Number(args.threads ?? 1);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const { dataset } = await loadInteractions(join(root, 'ml-100k', 'u.data'));
const folds = kFoldSplits(dataset, 5, Number(args.seed ?? 0));
console.log(`ML-100K 5-fold CV, ${dataset.size} ratings, threads=${threads}`);
for (const name of models) {
  const rmse: number[] = [];
  const mae: number[] = [];
  const fit: number[] = [];
  const pred: number[] = [];
  for (const { train, test } of folds) {
    const m = createModel(name, { threads });
    const r = await m.fit(train);
    const t0 = performance.now();
    const e = ratingErrors(m, test);
    pred.push((performance.now() - t0) / 1000);
    fit.push(r.fitSeconds);
    rmse.push(e.rmse);
    mae.push(e.mae);
  }
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(mean(rmse.map((x) => (x - mean(rmse)) ** 2)));
  console.log(
    `${name.padEnd(18)} RMSE ${mean(rmse).toFixed(5)} ± ${sd.toFixed(4)}  MAE ${mean(mae).toFixed(4)}  fit ${median(fit).toFixed(2)} s  predict ${median(pred).toFixed(2)} s (median per fold, ${folds[0].test.size} predictions)`,
  );
}

const { data, fold } = await loadTrainTest(join(root, 'ml-100k-split', 'train.tsv'), join(root, 'ml-100k-split', 'test.tsv'));
const { train, test } = applySplit(data, fold);
const bin = binaryImplicit(train);
for (const [label, params] of [
  ['item-knn cosine K=20', {}],
  ['item-knn bm25 K=20', { similarity: 'bm25' }],
  ['item-knn tfidf K=20', { similarity: 'tfidf' }],
  ['user-knn cosine k=50', {}],
] as const) {
  const name = label.startsWith('user') ? 'user-knn' : 'item-knn';
  const fits: number[] = [];
  let figs = null;
  for (let rep = 0; rep < 5; rep++) {
    const m = createModel(name, { ...params, threads });
    fits.push((await m.fit(bin)).fitSeconds);
    if (rep === 0) figs = topNFigures(m, test);
  }
  const f = figs!;
  console.log(`${label.padEnd(22)} P@10 ${f.precision.toFixed(4)} R@10 ${f.recall.toFixed(4)} NDCG@10 ${f.ndcg.toFixed(4)} MAP@10 ${f.map.toFixed(4)}  fit ${median(fits).toFixed(3)} s (median of 5)`);
}
