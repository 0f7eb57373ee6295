/**
 * Tuning of the hybrid model's defaults on a validation split carved from the ML-100K split's
 * train.tsv (per-user 10% of each user's train rows, seed 1): test.tsv is never read unless --test is
 * given (the final confirmation of the chosen defaults). Genre features (u.item), implicit, top-10,
 * train items removed, as bench/hybrid-ml100k.ts.
 *
 *   node --import tsx bench/hybrid-tune.ts [--data DIR] [--seeds 1,2,3] [--test] "key=v;key=v" ["..."]
 *
 * Each quoted argument is one configuration (params separated by ';', e.g. "epochs=20;learningRate=0.07";
 * itemFeatures defaults to genres). Prints, per configuration, NDCG@10 / P@10 per seed, the mean and
 * the mean fit seconds (wall and main-thread CPU).
 */
import { join } from 'node:path';
import { loadInteractions } from '../src/data/load.js';
import { loadItemFeatures } from '../src/data/side.js';
import { applySplit, splitDataset } from '../src/data/split.js';
import { createModel } from '../src/models/registry.js';
import type { Dataset } from '../src/data/dataset.js';
import { topNFigures, untrainedItems } from '../test/helpers/split-eval.js';

const argv = process.argv.slice(2);
let dir = '../shared/data';
let seeds = [1, 2, 3];
let onTest = false;
const configs: string[] = [];
for (let a = 0; a < argv.length; a++) {
  if (argv[a] === '--data') dir = argv[++a];
  else if (argv[a] === '--seeds') seeds = argv[++a].split(',').map(Number);
  else if (argv[a] === '--test') onTest = true;
  else configs.push(argv[a]);
}
if (configs.length === 0) configs.push('');

const split = join(dir, 'ml-100k-split');
const rawTrain = (await loadInteractions(join(split, 'train.tsv'))).dataset;
const items = await loadItemFeatures(join(dir, 'ml-100k/u.item'));
const full = rawTrain.derive({ kind: 'implicit', value: new Float32Array(rawTrain.size).fill(1), ratingScale: null }).withFeatures({ itemFeatures: items });
let train: Dataset;
let evalSet: Dataset;
if (onTest) {
  train = full;
  evalSet = (await loadInteractions(join(split, 'test.tsv'), { users: rawTrain.users, items: rawTrain.items })).dataset;
} else {
  const fold = splitDataset(full, { kind: 'user-ratio', testFraction: 0.1, minTrain: 1 }, 1)[0];
  ({ train, test: evalSet } = applySplit(full, fold));
}
console.log(`${onTest ? 'TEST split' : 'validation (per-user 10% of train.tsv, seed 1)'}: ${train.size} train rows, ${evalSet.size} eval rows`);

for (const cfg of configs) {
  const params: Record<string, string> = { itemFeatures: 'genres' };
  for (const kv of cfg.split(';').filter((s) => s.trim() !== '')) {
    const eq = kv.indexOf('=');
    params[kv.slice(0, eq).trim()] = kv.slice(eq + 1).trim();
  }
  const nd: number[] = [];
  const pr: number[] = [];
  let wall = 0;
  let cpu = 0;
  for (const seed of seeds) {
    const model = createModel('hybrid', { ...params, seed: String(seed) });
    const c0 = process.cpuUsage();
    const rep = await model.fit(train);
    const c = process.cpuUsage(c0);
    wall += rep.fitSeconds;
    cpu += (c.user + c.system) / 1e6;
    const m = topNFigures(model, evalSet, 10, { deny: untrainedItems(train) });
    nd.push(m.ndcg);
    pr.push(m.precision);
  }
  const mean = (x: number[]): number => x.reduce((s, v) => s + v, 0) / x.length;
  console.log(
    `${JSON.stringify(params)}  NDCG@10 mean ${mean(nd).toFixed(4)} [${nd.map((x) => x.toFixed(4)).join(' ')}]  P@10 mean ${mean(pr).toFixed(4)}  fit ${(wall / seeds.length).toFixed(2)} s wall, ${(cpu / seeds.length).toFixed(2)} s CPU`,
  );
}
