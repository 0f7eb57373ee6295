/**
 * Hyper-parameter search for SVD / SVD++ on a validation split that never touches the ML-100K 5-fold
 * CV test folds' protocol: ML-100K u1.base (80,000 ratings) split 80/20 at random (seed 1) into
 * train / validation. Prints validation RMSE and fit seconds for each configuration.
 *
 *   node --import tsx bench/mf-svd-tune.ts --model svd --grid '{"epochs":[20,40],"reg_all":[0.02,0.05]}'
 *
 * (--base path/to/u1.base, --split-seed 1, --seed 42.) The chosen defaults are in src/models/svd/params.ts.
 */
import { loadInteractions } from '../src/data/load.js';
import { applySplit, splitDataset } from '../src/data/split.js';
import { resolveParams } from '../src/models/params.js';
import { svdModels } from '../src/models/svd/index.js';
import type { Params } from '../src/models/recommender.js';
import { ratingErrors } from '../test/helpers/split-eval.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const k = args.indexOf(name);
  return k >= 0 && k + 1 < args.length ? args[k + 1] : def;
};
const base = opt('--base', `${process.env.AFFINITY_DATA ?? '../shared/data'}/ml-100k/u1.base`);
const model = opt('--model', 'svd');
const grid = JSON.parse(opt('--grid', '{}')) as Record<string, Array<number | boolean>>;
const seed = Number(opt('--seed', '42'));
const splitSeed = Number(opt('--split-seed', '1'));

const { dataset: data } = await loadInteractions(base);
const [fold] = splitDataset(data, { kind: 'random', testFraction: 0.2 }, splitSeed);
const { train, test } = applySplit(data, fold);

/** Cartesian product of the grid's value lists. */
function configs(g: Record<string, Array<number | boolean>>): Params[] {
  let out: Params[] = [{}];
  for (const [k, vs] of Object.entries(g)) out = out.flatMap((c) => vs.map((v) => ({ ...c, [k]: v })));
  return out;
}

/** The family's own entries (not the whole registry: tuning needs only these models). */
function createModel(name: string, given: Params) {
  const entry = svdModels.find((e) => e.name === name);
  if (!entry) throw new Error(`--model: got ${name}; expected one of ${svdModels.map((e) => e.name).join(', ')}`);
  return entry.build(name, resolveParams(name, entry.params, given));
}

const results: Array<{ params: Params; rmse: number; mae: number; fitSeconds: number }> = [];
for (const params of configs(grid)) {
  const m = createModel(model, { ...params, seed });
  const rep = await m.fit(train);
  const e = ratingErrors(m, test);
  results.push({ params, rmse: e.rmse, mae: e.mae, fitSeconds: rep.fitSeconds });
  console.log(`${model} ${JSON.stringify(params)}  val rmse ${e.rmse.toFixed(4)}  mae ${e.mae.toFixed(4)}  fit ${rep.fitSeconds.toFixed(2)} s`);
}
results.sort((a, b) => a.rmse - b.rmse);
console.log(JSON.stringify({ model, base, train: train.size, validation: test.size, best: results.slice(0, 5) }));
