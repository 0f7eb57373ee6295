// Learning-to-rank on the ML-100K implicit split (shared/data/ml-100k-split): candidates from item-knn +
// popularity (top 200), ranked by LambdaMART (and a coarse logistic ranker) on the rank/features.ts
// features, against the best single candidate model and EASE. Training data: a random holdout of 20% of
// each user's train interactions; models for the features are fitted on the rest, then refitted on the
// whole train split for serving. Prints NDCG@10 / R@10, training time and per-request prediction time.
// Usage: node --import tsx bench/rank-ml100k.ts [dataDir] [nTrees] [--no-ease] [--fraction=0.2] [--rounds=1]
import { join } from 'node:path';
import { loadItemFeatures } from '../src/data/side.js';
import type { Dataset } from '../src/data/dataset.js';
import { ndcgAt, recallAt, relevantSet } from '../src/eval/metrics.js';
import { buildFeatureMatrix } from '../src/features/matrix.js';
import { loadImplicitSplit } from '../test/helpers/split-eval.js';
import { createModel } from '../src/models/registry.js';
import type { Recommender } from '../src/models/recommender.js';
import { modelCandidates, type CandidateGenerator } from '../src/rank/candidates.js';
import { CoarseRanker } from '../src/rank/coarse.js';
import { categoriesFromTable, FeatureBuilder } from '../src/rank/features.js';
import { Gbdt } from '../src/rank/gbdt/gbdt.js';
import { buildTrainingSet, concatTrainingSets, holdout, requestFor, userHistories, type TrainingSet } from '../src/rank/training.js';
import type { Ranker } from '../src/rank/types.js';
import { topK } from '../src/core/topk.js';

const root = process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : (process.env.AFFINITY_DATA ?? '../shared/data');
const nTrees = Number(process.argv.find((a, k) => k > 2 && /^\d+$/.test(a)) ?? 300);
const useEase = !process.argv.includes('--no-ease');
const fracArg = process.argv.find((a) => a.startsWith('--fraction='));
const FRACTION = fracArg ? Number(fracArg.slice(11)) : 0.2;
const roundsArg = process.argv.find((a) => a.startsWith('--rounds='));
const ROUNDS = roundsArg ? Number(roundsArg.slice(9)) : 1;
const N_CAND = 200;
// regularised: few training queries (one per user), so small trees, big leaves, L2 10, bagging; NDCG over the whole list
const LAMBDAMART = { objective: 'lambdarank' as const, nTrees, learningRate: 0.05, maxLeaves: 15, minSamplesLeaf: 300, lambda: 10, subsample: 0.7, featureFraction: 0.7, truncation: N_CAND, seed: 1 };

interface Stage {
  models: { name: string; model: Recommender }[];
  generate: CandidateGenerator;
  builder: FeatureBuilder;
}

async function stage(data: Dataset, table: Awaited<ReturnType<typeof loadItemFeatures>>): Promise<Stage> {
  const knn = createModel('item-knn');
  await knn.fit(data);
  const pop = createModel('popularity');
  await pop.fit(data);
  const models = [{ name: 'item-knn', model: knn as Recommender }];
  if (useEase) {
    const ease = createModel('ease', { lambda: 500 });
    await ease.fit(data);
    models.push({ name: 'ease', model: ease });
  }
  const generate = modelCandidates([
    { name: 'item-knn', model: knn, quota: 150 },
    { name: 'popularity', model: pop, quota: 50 },
  ]);
  const builder = FeatureBuilder.fit({
    data,
    sourceNames: ['item-knn', 'popularity'],
    models,
    itemContent: buildFeatureMatrix(table, data.items, { columns: ['genres'] }).csr,
    itemCategories: categoriesFromTable(table, data, 'genres'),
  });
  return { models, generate, builder };
}

function median(a: number[]): number {
  const s = a.slice().sort((x, y) => x - y);
  return s[s.length >> 1];
}

async function main(): Promise<void> {
  const split = await loadImplicitSplit(join(root, 'ml-100k-split'));
  const train = split.train;
  const table = await loadItemFeatures(join(root, 'ml-100k/u.item'));
  console.log(`train ${train.size} rows, ${train.nUsers} users, ${train.nItems} items; ${nTrees} trees; EASE feature: ${useEase}; holdout share ${FRACTION} x ${ROUNDS} rounds`);

  // 1. training set from a holdout of train
  let t0 = performance.now();
  // ROUNDS holdouts with different seeds, stacked (more queries against over-fitting)
  const sets: TrainingSet[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const { early, heldOut } = holdout(train, { fraction: FRACTION, mode: 'random', minHistory: 2, seed: 42 + round });
    const st0 = await stage(early, table);
    sets.push(buildTrainingSet(early, heldOut, { builder: st0.builder, generate: st0.generate, nCandidates: N_CAND }));
  }
  const ts = concatTrainingSets(sets);
  const buildS = (performance.now() - t0) / 1000;
  let pos = 0;
  for (const l of ts.labels) pos += l;
  console.log(`training set: ${ts.groupPtr.length - 1} queries, ${ts.nRows} rows x ${ts.nCols} features, ${pos} positives; built in ${buildS.toFixed(2)} s`);

  // 2. rankers
  t0 = performance.now();
  const c0 = process.cpuUsage();
  const gbdt = Gbdt.train(ts, LAMBDAMART);
  const gbdtS = (performance.now() - t0) / 1000;
  const gbdtCpu = process.cpuUsage(c0).user / 1e6;
  t0 = performance.now();
  const coarse = CoarseRanker.train(ts, { epochs: 3, learningRate: 0.05, negPerPos: 20 });
  const coarseS = (performance.now() - t0) / 1000;
  console.log(`LambdaMART train ${gbdtS.toFixed(2)} s wall, ${gbdtCpu.toFixed(2)} s CPU; coarse (logistic) train ${coarseS.toFixed(2)} s`);
  console.log('top features by gain:', gbdt.featureImportance().slice(0, 8).map((f) => `${f.name} ${f.gain.toFixed(1)}`).join(', '));

  // 3. serving: models refitted on all of train; one request per test user
  t0 = performance.now();
  const st = await stage(train, table);
  console.log(`serving models fitted in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  const h = userHistories(train);
  let now = 0;
  for (const t of train.time ?? []) now = Math.max(now, t);
  const rankers: [string, Ranker][] = [['lambdamart', gbdt], ['coarse-logistic', coarse]];
  const sums = new Map<string, { ndcg: number; recall: number }>();
  const add = (k: string, ranked: Int32Array, rel: ReturnType<typeof relevantSet>) => {
    const s = sums.get(k) ?? { ndcg: 0, recall: 0 };
    s.ndcg += ndcgAt(ranked, rel, 10);
    s.recall += recallAt(ranked, rel, 10);
    sums.set(k, s);
  };
  const tCand: number[] = [];
  const tFeat: number[] = [];
  const tScore: Map<string, number[]> = new Map(rankers.map(([n]) => [n, []]));
  let users = 0;
  let candRecall = 0;
  for (let u = 0; u < train.nUsers; u++) {
    const test = split.test[u];
    if (!test || test.length === 0) continue;
    users++;
    const rel = relevantSet(test);
    const req = requestFor(h, u, now);
    let a = performance.now();
    const cands = st.generate(req, N_CAND);
    tCand.push(performance.now() - a);
    candRecall += recallAt(cands.items, rel, N_CAND);
    a = performance.now();
    const x = st.builder.build(req, cands);
    tFeat.push(performance.now() - a);
    for (const [name, r] of rankers) {
      a = performance.now();
      const s = r.score(x, cands.items.length, st.builder.nCols);
      const top = topK(s, 10).items;
      tScore.get(name)!.push(performance.now() - a);
      add(name, Int32Array.from(top, (k) => cands.items[k]), rel);
    }
    for (const m of st.models) add(`${m.name} (full catalogue)`, m.model.recommend(u, { n: 10 }).items, rel);
    // the candidate set re-ordered by each CF model alone
    for (const m of st.models) {
      const s = m.model.scoreItems(u, cands.items);
      add(`${m.name} (re-ranks the 200 candidates)`, Int32Array.from(topK(s, 10).items, (k) => cands.items[k]), rel);
    }
  }
  console.log(`\n${users} test users; candidate recall@${N_CAND} = ${(candRecall / users).toFixed(4)}`);
  console.log('ranking\tNDCG@10\tR@10');
  for (const [k, s] of sums) console.log(`${k}\t${(s.ndcg / users).toFixed(4)}\t${(s.recall / users).toFixed(4)}`);
  console.log(`\nper request (median ms): candidates ${median(tCand).toFixed(3)}, features ${median(tFeat).toFixed(3)}, ` + rankers.map(([n]) => `${n} score+top10 ${median(tScore.get(n)!).toFixed(3)}`).join(', '));
}

await main();
