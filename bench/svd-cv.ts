/**
 * SVD and SVD++ on MovieLens 100K, 5-fold CV (k-fold split, seed 0): the tuned defaults, and Surprise's
 * defaults through the 'svd-surprise' / 'svdpp-surprise' presets (--models svd,svdpp,svd-surprise,svdpp-surprise).
 * Prints per-fold RMSE / MAE / fit seconds (wall, and CPU seconds of this process: the machine is
 * shared) and mean ± std per model, then one JSON line.
 *
 *   node --import tsx bench/svd-cv.ts [path/to/u.data] [--models svd,svdpp] [--seed 42] [--split-seed 0]
 *
 * Surprise 1.1.4 on this machine kind (shared/peers.md): SVD 0.9344 ± 0.0064, 0.86 s/fold;
 * SVD++ 0.9187 ± 0.0053, 12.82 s/fold.
 */
import { loadInteractions } from '../src/data/load.js';
import { applySplit, splitDataset } from '../src/data/split.js';
import { createModel } from '../src/models/registry.js';
import { ratingErrors } from '../test/helpers/split-eval.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const k = args.indexOf(name);
  return k >= 0 && k + 1 < args.length ? args[k + 1] : def;
};
const path = args[0] && !args[0].startsWith('--') ? args[0] : `${process.env.AFFINITY_DATA ?? '../shared/data'}/ml-100k/u.data`;
const models = opt('--models', 'svd,svdpp').split(',');
const seed = Number(opt('--seed', '42'));
const splitSeed = Number(opt('--split-seed', '0'));

const { dataset: data } = await loadInteractions(path);
const folds = splitDataset(data, { kind: 'kfold', k: 5 }, splitSeed);
const mean = (a: number[]): number => a.reduce((s, x) => s + x, 0) / a.length;
const std = (a: number[]): number => Math.sqrt(mean(a.map((x) => (x - mean(a)) ** 2)));
const summary: Record<string, unknown> = { data: path, rows: data.size, split: { kind: 'kfold', k: 5, seed: splitSeed }, seed };

for (const name of models) {
  const rmse: number[] = [];
  const mae: number[] = [];
  const fit: number[] = [];
  const cpu: number[] = [];
  for (const fold of folds) {
    const { train, test } = applySplit(data, fold);
    const model = createModel(name, { seed });
    const c0 = process.cpuUsage();
    const rep = await model.fit(train);
    const c1 = process.cpuUsage(c0);
    cpu.push((c1.user + c1.system) / 1e6);
    const e = ratingErrors(model, test);
    rmse.push(e.rmse);
    mae.push(e.mae);
    fit.push(rep.fitSeconds);
    console.log(`${name} fold ${fold.fold}: rmse ${e.rmse.toFixed(4)}  mae ${e.mae.toFixed(4)}  fit ${rep.fitSeconds.toFixed(3)} s (cpu ${cpu[cpu.length - 1].toFixed(3)} s)`);
  }
  console.log(
    `${name}: rmse ${mean(rmse).toFixed(4)} ± ${std(rmse).toFixed(4)}  mae ${mean(mae).toFixed(4)} ± ${std(mae).toFixed(4)}  fit ${mean(fit).toFixed(3)} ± ${std(fit).toFixed(3)} s/fold (cpu ${mean(cpu).toFixed(3)} s)`,
  );
  summary[name] = { rmse: mean(rmse), rmseStd: std(rmse), mae: mean(mae), fitSeconds: mean(fit), fitCpuSeconds: mean(cpu), folds: rmse };
}
console.log(JSON.stringify(summary));
