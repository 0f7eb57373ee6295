import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdMap } from '../../core/idmap.js';
import { Dataset } from '../../data/dataset.js';
import type { FeatureTable } from '../../data/features.js';
import { buildFeatureMatrix } from '../../features/matrix.js';
import { modelConformance } from '../conformance.js';
import { createModel } from '../registry.js';
import { ContentModel } from './profile.js';
import { ContentRidgeModel, solveUserRidge } from './ridge.js';

modelConformance('content', () => createModel('content', { weights: 'group=2' }), { itemFeatures: true, checkerboard: true });
modelConformance('content-ridge', () => createModel('content-ridge'), { itemFeatures: true, scoreTolerance: 1e-5 });

// toy catalogue: 6 items, genres; 'new' is a comedy nobody has seen
const genres = ['comedy', 'drama', 'horror'];
const itemGenres: Record<string, number[]> = { c1: [0], c2: [0], d1: [1], d2: [1], h1: [2], cd: [0, 1], new: [0] };
function toyTable(): FeatureTable {
  const ids = new IdMap(Object.keys(itemGenres));
  const indptr = [0];
  const codes: number[] = [];
  for (const id of ids.toArray()) {
    codes.push(...itemGenres[id]);
    indptr.push(codes.length);
  }
  return { ids, columns: [{ kind: 'multi', name: 'genres', indptr: Int32Array.from(indptr), codes: Int32Array.from(codes), vocab: genres }] };
}
function toyData(): Dataset {
  const d = Dataset.fromTriples(
    [
      ['fan', 'c1', 1, 100],
      ['fan', 'h1', -1, 200], // a dislike
      ['other', 'd1', 1, 100],
      ['other', 'd2', 1, 300],
      ['other', 'h1', 1, 300],
      ['x', 'cd', 1, 1],
      ['x', 'c2', 1, 1],
    ],
    { kind: 'implicit' },
  );
  d.items.add('new');
  return d.withFeatures({ itemFeatures: toyTable() });
}

test('content: a comedy fan gets comedies first, the unseen cold comedy included; dislikes push horror down', async () => {
  const data = toyData();
  const m = createModel('content', { popularityWeight: 0 }) as ContentModel;
  await m.fit(data);
  const fan = data.users.get('fan');
  const ids = (r: { items: Int32Array }): string[] => Array.from(r.items, (i) => data.items.id(i));
  // profile = (x_c1 - x_h1) / 2 -> comedy +0.5, horror -0.5; cos with c2/new = 1/sqrt2, cd = 0.5, d* = 0
  const r = m.recommend(fan, { n: 5 });
  assert.deepEqual(ids(r).slice(0, 3), ['c2', 'new', 'cd']);
  assert.ok(Math.abs(r.scores[0] - Math.SQRT1_2) < 1e-6);
  assert.ok(Math.abs(r.scores[2] - 0.5) < 1e-6);
  const all = new Float32Array(m.nItems);
  m.scoreAll(fan, all);
  assert.ok(Math.abs(all[data.items.get('h1')] + Math.SQRT1_2) < 1e-6);
  // more like this, by content: c1 -> c2, new (comedy), then cd
  assert.deepEqual(ids(m.similarItems(data.items.get('c1'), 3)), ['c2', 'new', 'cd']);
  // explanation: the matched feature
  const ex = m.explain(fan, data.items.get('cd'));
  assert.equal(ex[0].feature, 'genres=comedy');
  assert.ok(Math.abs(ex[0].contribution - 0.5) < 1e-6);
  // a history given ad hoc: a horror watcher
  const h = m.recommendHistory([data.items.get('h1')], null, { n: 1 });
  assert.equal(ids(h).length, 0 + 1);
  assert.equal(h.scores[0], 0); // nothing else is horror
});

test('content: recency weighting favours the latest taste', async () => {
  const data = toyData();
  const m = createModel('content', { popularityWeight: 0, halfLifeDays: 1 / 86400 }) as ContentModel;
  await m.fit(data);
  // 'other': d1 at t=100 is 200 half-lives older than d2, h1 at t=300 -> profile ~ drama + horror of the latest
  const all = new Float32Array(m.nItems);
  m.scoreAll(data.users.get('other'), all);
  assert.ok(all[data.items.get('h1')] > 0.7);
  const noTime = data.derive({ time: null });
  await assert.rejects(createModel('content', { halfLifeDays: 2 }).fit(noTime), /timestamps/);
});

test('content models need item features', async () => {
  const plain = Dataset.fromTriples([['u', 'i', 1]]);
  await assert.rejects(createModel('content').fit(plain), (e: Error & { code?: string }) => e.code === 'E_PARAM' && /--items/.test(e.message));
  await assert.rejects(createModel('content-ridge').fit(plain), /--items/);
  await assert.rejects(createModel('content', { columns: 'nope' }).fit(toyData()), /nope/);
});

test('ridge: closed form by hand and predictions', async () => {
  // one feature per item (one-hot on 3 items), ratings 5, 3, 1, λ = 1:
  // centred: rc = (2, 0, -2), Xc = I - 1/3; (XcᵀXc + I) w = Xcᵀ rc -> w = rc / 2 = (1, 0, -1), b = 3 - w·(1/3) = 3
  const ids = new IdMap(['a', 'b', 'c']);
  const t: FeatureTable = { ids, columns: [{ kind: 'categorical', name: 'k', codes: Int32Array.from([0, 1, 2]), vocab: ['a', 'b', 'c'] }] };
  const x = buildFeatureMatrix(t, ids).csr;
  const fit = solveUserRidge(x, [0, 1, 2], [5, 3, 1], 1, 50);
  assert.deepEqual(Array.from(fit.cols), [0, 1, 2]);
  assert.ok(Math.abs(fit.w[0] - 1) < 1e-6 && Math.abs(fit.w[1]) < 1e-6 && Math.abs(fit.w[2] + 1) < 1e-6, `${Array.from(fit.w)}`);
  assert.ok(Math.abs(fit.b - 3) < 1e-9);

  const data = Dataset.fromTriples(
    [
      ['u', 'a', 5],
      ['u', 'b', 3],
      ['u', 'c', 1],
      ['v', 'a', 2],
    ],
    { ratingScale: [1, 5] },
  ).withFeatures({ itemFeatures: t });
  const m = createModel('content-ridge', { lambda: 1 }) as ContentRidgeModel;
  await m.fit(data);
  assert.ok(Math.abs(m.predict(0, 0) - 4) < 1e-5); // b + w_a = 3 + 1
  assert.ok(Math.abs(m.predict(0, 2) - 2) < 1e-5);
  assert.ok(Math.abs(m.predict(1, 0) - 2) < 1e-5); // one rating: w = 0, b = 2
  assert.ok(Math.abs(m.predict(-1, 1) - 2.75) < 1e-6); // global mean
  const ex = m.explain(0, 2);
  assert.equal(ex[0].feature, 'k=c');
  assert.ok(Math.abs(ex[0].contribution + 1) < 1e-5);
});
