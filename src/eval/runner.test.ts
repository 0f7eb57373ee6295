import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AffinityError } from '../core/errors.js';
import { IdMap } from '../core/idmap.js';
import { Dataset } from '../data/dataset.js';
import type { SplitFold } from '../data/split-types.js';
import { BaseRecommender, type SavedParts } from '../models/base.js';
import type { ModelCapabilities, Params } from '../models/recommender.js';
import { ItemVectors } from './beyond.js';
import { prepareFold } from './fold.js';
import { DEFAULT_PROTOCOL, type Protocol } from './protocol.js';
import { evaluateModels, type EvalProgress, type ModelFactory } from './runner.js';
import { sampledHit, sampledNdcg, sampledRank } from './metrics.js';

const close = (a: number | undefined, b: number, eps = 1e-9): void => assert.ok(a !== undefined && Math.abs(a - b) <= eps, `${a} != ${b}`);

/** Test-only model: score(item i) = 100 - i (smaller index first); predicts a constant rating of 3. */
class ByIndex extends BaseRecommender<Params> {
  readonly capabilities: ModelCapabilities = { rating: true, similarItems: false, similarUsers: false };
  protected train(): Record<string, never> {
    return {};
  }
  scoreAll(_user: number, out: Float32Array): void {
    for (let i = 0; i < out.length; i++) out[i] = 100 - i;
  }
  override predict(): number {
    return 3;
  }
  protected saveParts(): SavedParts {
    return { stateVersion: 1, meta: {}, arrays: {} };
  }
  protected loadParts(): void {}
}
const ranking: ModelFactory = { name: 'by-index', task: 'ranking', create: () => new ByIndex('by-index', { alpha: 1 }) };
const rating: ModelFactory = { name: 'const-3', task: 'rating', create: () => new ByIndex('const-3', {}) };

// users u0..u2, items i0..i5 (indices in order of first appearance). Rows 0-5 train, 6-11 test.
const data = Dataset.fromTriples([
  ['u0', 'i0', 5], ['u0', 'i1', 4], ['u1', 'i0', 3], ['u1', 'i2', 5], ['u2', 'i1', 5], ['u2', 'i3', 2],
  ['u0', 'i2', 5], ['u0', 'i4', 2], ['u1', 'i3', 4], ['u1', 'i5', 5], ['u2', 'i0', 4], ['u2', 'i2', 1],
]);
const fold0: SplitFold = { fold: 0, trainRows: Int32Array.from([0, 1, 2, 3, 4, 5]), testRows: Int32Array.from([6, 7, 8, 9, 10, 11]) };
const proto = (p: Partial<Protocol>): Protocol => ({ ...DEFAULT_PROTOCOL, k: [2], relevanceThreshold: 4, ...p });

// Candidates (train items) {0,1,2,3}; seen excluded, the lists are u0 [2,3], u1 [1,3], u2 [0,2];
// relevant (>= 4): u0 {2}, u1 {3,5}, u2 {0}.
test('full ranking on a known model: exact P/R/NDCG/MAP/coverage/MRR/HR/AUC', async () => {
  const metrics = ['p@2', 'recall@2', 'ndcg@2', 'map@2', 'coverage@2', 'coverage@1', 'mrr@2', 'hr@1', 'f1@2', 'auc'];
  const r = await evaluateModels({ data, folds: [fold0], protocol: proto({ metrics }), models: [ranking], dataLabel: 'toy' });
  const m = r.results[0].metrics;
  close(m['precision@2'], 0.5);
  close(m['recall@2'], (1 + 0.5 + 1) / 3);
  close(m['ndcg@2'], (1 + 1 / Math.log2(3) / (1 + 1 / Math.log2(3)) + 1) / 3);
  close(m['map@2'], (1 + 0.25 + 1) / 3);
  close(m['coverage@2'], 1);
  close(m['coverage@1'], 3 / 4);
  close(m['mrr@2'], (1 + 0.5 + 1) / 3);
  close(m['hit@1'], 2 / 3);
  close(m['f1@2'], (2 * 0.5 * 1 / 1.5 + 0.5 + 2 * 0.5 * 1 / 1.5) / 3);
  close(m.auc, 2 / 3); // u0: 8 > 7; u1: 7 < 9 (item 5 is no candidate); u2: 10 > 8
  assert.equal(m.rmse, undefined);
  assert.deepEqual(r.results[0].params, { alpha: 1 });
  assert.equal(r.protocol.data, 'toy');
  assert.deepEqual(r.protocol.metrics, ['precision@2', 'recall@2', 'ndcg@2', 'map@2', 'coverage@2', 'coverage@1', 'mrr@2', 'hit@1', 'f1@2', 'auc']);
  assert.equal(r.protocol.trainRows, 6);
  assert.equal(r.results[0].std['precision@2'], 0);
});

test('rating metrics only for rating models; defaults for explicit data with only rating models', async () => {
  const r = await evaluateModels({ data, folds: [fold0], protocol: proto({}), models: [rating] });
  assert.deepEqual(Object.keys(r.results[0].metrics), ['rmse', 'mae']);
  close(r.results[0].metrics.rmse, Math.sqrt(15 / 6)); // errors 2,-1,1,2,1,-2
  close(r.results[0].metrics.mae, 9 / 6);
  const both = await evaluateModels({ data, folds: [fold0], protocol: proto({ metrics: ['rmse', 'p@2'] }), models: [rating, ranking] });
  close(both.results[0].metrics.rmse, Math.sqrt(15 / 6));
  close(both.results[0].metrics['precision@2'], 0.5);
  assert.equal(both.results[1].metrics.rmse, undefined);
  const dflt = await evaluateModels({ data, folds: [fold0], protocol: proto({}), models: [rating, ranking] });
  assert.deepEqual(dflt.protocol.metrics, ['precision@2', 'recall@2', 'ndcg@2', 'map@2', 'coverage@2']);
});

test('implicit protocol: low-rated training rows are dropped for fitting but still excluded from rankings', async () => {
  let fitted: Dataset | null = null;
  const spy: ModelFactory = {
    name: 'spy',
    task: 'ranking',
    create: () => {
      const m = new ByIndex('spy', {});
      const fit = m.fit.bind(m);
      m.fit = (d, o) => ((fitted = d), fit(d, o));
      return m;
    },
  };
  const r = await evaluateModels({ data, folds: [fold0], protocol: proto({ implicit: true, metrics: ['p@2', 'map@2'] }), models: [spy] });
  assert.equal(fitted!.size, 4); // rows >= 4: u0 i0, u0 i1, u1 i2, u2 i1
  assert.equal(fitted!.kind, 'implicit');
  close(r.results[0].metrics['precision@2'], 0.5);
  close(r.results[0].metrics['map@2'], 0.75);
});

test('per-user values, k-fold mean and population std, progress events', async () => {
  const fold1: SplitFold = { fold: 1, trainRows: fold0.trainRows, testRows: Int32Array.from([6, 7]) }; // only u0
  const events: EvalProgress[] = [];
  const r = await evaluateModels({
    data,
    folds: [fold0, fold1],
    protocol: proto({ metrics: ['recall@2', 'map@2'] }),
    models: [ranking],
    perUser: true,
    onProgress: (e) => events.push(e),
  });
  const res = r.results[0];
  close(res.metrics['recall@2'], (2.5 / 3 + 1) / 2);
  close(res.std['recall@2'], (1 - 2.5 / 3) / 2);
  close(res.metrics['map@2'], (0.75 + 1) / 2);
  close(res.std['map@2'], 0.125);
  assert.equal(res.folds!.length, 2);
  close(res.folds![1].metrics['map@2'], 1);
  assert.deepEqual(res.perUser, [
    { user: 'u0', metrics: { 'recall@2': 1, 'map@2': 1 } },
    { user: 'u1', metrics: { 'recall@2': 0.5, 'map@2': 0.25 } },
    { user: 'u2', metrics: { 'recall@2': 1, 'map@2': 1 } },
  ]);
  assert.ok(events.some((e) => e.phase === 'fit' && e.fold === 1 && e.folds === 2 && e.model === 'by-index'));
  assert.deepEqual(events.filter((e) => e.phase === 'predict' && e.fold === 0).at(-1), { model: 'by-index', fold: 0, folds: 2, phase: 'predict', done: 3, total: 3 });
});

test('beyond-accuracy through the runner and group gaps', async () => {
  const emb = ItemVectors.fromEmbeddings(Float32Array.from([1, 0, 0, 1, 1, 0, 1, 1, 1, 0, 1, 0]), 6, 2);
  const withUsers = data.withFeatures({
    userFeatures: { ids: new IdMap(['u0', 'u1', 'u2']), columns: [{ kind: 'categorical', name: 'gender', codes: Int32Array.from([0, 1, 0]), vocab: ['F', 'M'] }] },
  });
  const metrics = ['diversity@2', 'novelty@2', 'popularity@2', 'gini@2', 'serendipity@2', 'ndcg@2'];
  const r = await evaluateModels({ data: withUsers, folds: [fold0], protocol: proto({ metrics }), models: [ranking], itemVectors: emb, groupBy: 'gender' });
  const m = r.results[0].metrics;
  close(m['diversity@2'], (2 * (1 - Math.SQRT1_2)) / 3, 1e-6); // [2,3], [1,3], [0,2]
  const l3 = Math.log2(3);
  close(m['novelty@2'], (l3 + 2 * ((Math.log2(1.5) + l3) / 2)) / 3); // pop i0=i1=2, i2=i3=1; 3 train users
  close(m['popularity@2'], (1 + 1.5 + 1.5) / 3);
  close(m['gini@2'], 4 / 24); // exposures [1,1,2,2]
  close(m['serendipity@2'], 0); // this model recommends exactly the popularity baseline
  const ndcgU1 = 1 / Math.log2(3) / (1 + 1 / Math.log2(3));
  close(m['ndcg@2.gap'], 1 - ndcgU1);
  assert.deepEqual(Object.keys(r.results[0].groups!['ndcg@2']), ['F', 'M']);
  close(r.results[0].groups!['ndcg@2'].M, ndcgU1);
  assert.equal(r.protocol.groupBy, 'gender');
  const act = await evaluateModels({ data, folds: [fold0], protocol: proto({ metrics: ['p@2'] }), models: [ranking], groupBy: 'activity' });
  close(act.results[0].metrics['precision@2.gap'], 0); // every user has P@2 = 0.5
});

test('sampled ranking: seeded negatives outside the user items; HR/NDCG from the ranks', async () => {
  // user A trains on items 0..4 and has test item 20; user B trains on items 0..29 (all candidates)
  const rows: [string, string, number][] = [];
  for (let i = 0; i < 30; i++) rows.push(['B', `i${i}`, 1]);
  for (let i = 0; i < 5; i++) rows.push(['A', `i${i}`, 1]);
  rows.push(['A', 'i20', 1]);
  const d = Dataset.fromTriples(rows, { kind: 'implicit' });
  const fold: SplitFold = { fold: 0, trainRows: Int32Array.from({ length: 35 }, (_, j) => j), testRows: Int32Array.from([35]) };
  const protocol = proto({ relevanceThreshold: null, k: [5], ranking: { kind: 'sampled', negatives: 10, sampler: 'uniform' }, seed: 7 });
  const fd = prepareFold(d, fold, protocol);
  const s = fd.sampled!;
  const negs = [...s.negItems];
  assert.equal(negs.length, 10);
  assert.equal(new Set(negs).size, 10);
  for (const i of negs) assert.ok(i >= 5 && i < 30 && i !== 20);
  assert.deepEqual([...prepareFold(d, fold, protocol).sampled!.negItems], negs); // same seed, same draw
  assert.notDeepEqual([...prepareFold(d, fold, { ...protocol, seed: 8 }).sampled!.negItems], negs);
  const rank = sampledRank(100 - 20, Float32Array.from(negs, (i) => 100 - i));
  assert.equal(rank, 1 + negs.filter((i) => i < 20).length);
  const r = await evaluateModels({ data: d, folds: [fold], protocol: { ...protocol, metrics: [] }, models: [ranking] });
  assert.deepEqual(r.protocol.metrics, ['hit@5', 'ndcg@5', 'mrr@5']);
  close(r.results[0].metrics['hit@5'], sampledHit(rank, 5));
  close(r.results[0].metrics['ndcg@5'], sampledNdcg(rank, 5));
  // popularity sampler never draws items without training users
  const pop = prepareFold(d, fold, { ...protocol, ranking: { kind: 'sampled', negatives: 10, sampler: 'popularity' } });
  assert.equal(pop.sampled!.negItems.length, 10);
  await assert.rejects(
    evaluateModels({ data: d, folds: [fold], protocol: { ...protocol, metrics: ['map@5'] }, models: [ranking] }),
    (e: unknown) => e instanceof AffinityError && e.field === '--metrics',
  );
});

test('errors: unknown metric names, no folds, abort', async () => {
  await assert.rejects(
    evaluateModels({ data, folds: [fold0], protocol: proto({ metrics: ['ndcg@10', 'precison@10'] }), models: [ranking] }),
    (e: unknown) => e instanceof AffinityError && e.code === 'E_PARAM' && /--metrics/.test(e.message) && /serendipity@K/.test(e.message),
  );
  await assert.rejects(evaluateModels({ data, folds: [], protocol: proto({}), models: [ranking] }), (e: unknown) => e instanceof AffinityError && e.field === 'folds');
  await assert.rejects(
    evaluateModels({ data, folds: [fold0], protocol: proto({ metrics: ['diversity@2'] }), models: [ranking] }),
    (e: unknown) => e instanceof AffinityError && /item vectors/.test(e.message),
  );
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(
    evaluateModels({ data, folds: [fold0], protocol: proto({ metrics: ['p@2'] }), models: [ranking], signal: ac.signal }),
    (e: unknown) => e instanceof AffinityError && e.code === 'E_ABORTED',
  );
});
