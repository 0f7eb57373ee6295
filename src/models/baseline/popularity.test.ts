import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dataset } from '../../data/dataset.js';
import { loadInteractions } from '../../data/load.js';
import { sharedData, SKIP_NO_DATA } from '../../../test/helpers/data.js';
import { AffinityError } from '../../core/errors.js';
import { modelConformance } from '../conformance.js';
import { createModel } from '../registry.js';
import { popularityScores, type Popularity } from './popularity.js';

modelConformance('popularity', () => createModel('popularity'));
modelConformance('trending', () => createModel('trending', { halfLifeDays: 10 }));

const DAY = 86_400;
// items: a seen by 3 users, b by 2, c by 1; values differ so 'weighted' orders them otherwise
const tiny = Dataset.fromTriples(
  [
    ['u1', 'a', 1, 0],
    ['u2', 'a', 1, 10 * DAY],
    ['u3', 'a', 2, 20 * DAY],
    ['u1', 'b', 5, 30 * DAY],
    ['u2', 'b', 4, 28 * DAY],
    ['u3', 'c', 3, 30 * DAY],
  ],
  { kind: 'implicit' },
);

test('count: number of users per item; same ranking for every user; seen excluded', async () => {
  assert.deepEqual(Array.from(popularityScores(tiny, { mode: 'count' }).scores), [3, 2, 1]);
  const m = createModel('popularity');
  await m.fit(tiny);
  assert.deepEqual(Array.from(m.recommend(0, { n: 3, excludeSeen: false }).items), [0, 1, 2]);
  assert.deepEqual(Array.from(m.recommend(0, { n: 3, excludeSeen: false }).scores), [3, 2, 1]);
  assert.deepEqual(Array.from(m.recommend(0, { n: 3 }).items), [2]); // u1 saw a and b
  assert.deepEqual(Array.from(m.recommend(-1, { n: 2 }).items), [0, 1]);
  assert.deepEqual(m.recommendFor('nobody', { n: 1 }), [{ id: 'a', score: 3 }]);
});

test('weighted: sum of values', () => {
  assert.deepEqual(Array.from(popularityScores(tiny, { mode: 'weighted' }).scores), [4, 9, 3]);
});

test('trending: 2^(-age / halfLife) with now = latest timestamp', async () => {
  // now = 30 days, half-life 10 days: a = 2^-3 + 2^-2 + 2^-1 = 0.875; b = 1 + 2^-0.2; c = 1
  const { scores, now } = popularityScores(tiny, { mode: 'trending', halfLifeDays: 10 });
  assert.equal(now, 30 * DAY);
  assert.ok(Math.abs(scores[0] - 0.875) < 1e-12);
  assert.ok(Math.abs(scores[1] - (1 + Math.pow(2, -0.2))) < 1e-12);
  assert.ok(Math.abs(scores[2] - 1) < 1e-12);
  const m = createModel('trending', { halfLifeDays: 10 }) as Popularity;
  await m.fit(tiny);
  assert.equal(m.referenceTime, 30 * DAY);
  assert.deepEqual(Array.from(m.recommend(-1, { n: 3 }).items), [1, 2, 0]); // recency beats the count
});

test('trending: explicit now, later interactions ignored, value weights', () => {
  // now = 20 days, half-life 10: a = 2^-2 + 2^-1 + 1 = 1.75; b and c are in the future of now: 0
  const r = popularityScores(tiny, { mode: 'trending', halfLifeDays: 10, now: 20 * DAY });
  assert.deepEqual(Array.from(r.scores), [1.75, 0, 0]);
  // values as weights: 1 * 2^-2 + 1 * 2^-1 + 2 * 1 = 2.75
  assert.equal(popularityScores(tiny, { mode: 'trending', halfLifeDays: 10, now: 20 * DAY, useValues: true }).scores[0], 2.75);
  // a long half-life tends to the plain count
  const flat = popularityScores(tiny, { mode: 'trending', halfLifeDays: 1e9 }).scores;
  assert.ok(Math.abs(flat[0] - 3) < 1e-6 && Math.abs(flat[1] - 2) < 1e-6);
});

test('trending without timestamps is a parameter error naming mode', async () => {
  const noTime = Dataset.fromTriples([['u', 'i', 1]]);
  await assert.rejects(createModel('trending').fit(noTime), (e: unknown) => e instanceof AffinityError && e.code === 'E_PARAM' && e.field === 'mode');
  assert.throws(() => createModel('popularity', { mode: 'hot' }), (e: unknown) => e instanceof AffinityError && e.field === 'popularity.mode');
});

const splitDir = sharedData('ml-100k-split/train.tsv');
test('ML-100K implicit split: popularity P@10 and NDCG@10 match peers.md (0.1125 / 0.1517)', { skip: splitDir ? false : SKIP_NO_DATA }, async () => {
  const train = (await loadInteractions(splitDir as string)).dataset.toImplicit(0);
  const te = (await loadInteractions((splitDir as string).replace('train.tsv', 'test.tsv'), { users: train.users.clone(), items: train.items.clone() })).dataset;
  assert.equal(te.nItems, train.nItems); // no cold items in the test file
  const relevant = new Map<number, Set<number>>();
  for (let k = 0; k < te.user.length; k++) {
    const s = relevant.get(te.user[k]) ?? new Set<number>();
    s.add(te.item[k]);
    relevant.set(te.user[k], s);
  }
  const m = createModel('popularity');
  await m.fit(train);
  let p = 0;
  let ndcg = 0;
  for (const [u, rel] of relevant) {
    const top = m.recommend(u, { n: 10 }).items;
    let dcg = 0;
    let idcg = 0;
    top.forEach((i, r) => {
      if (rel.has(i)) {
        p += 0.1;
        dcg += 1 / Math.log2(r + 2);
      }
    });
    for (let r = 0; r < Math.min(10, rel.size); r++) idcg += 1 / Math.log2(r + 2);
    ndcg += dcg / idcg;
  }
  assert.equal(relevant.size, 942);
  const P = p / relevant.size;
  const N = ndcg / relevant.size;
  console.log(`ml-100k-split popularity: P@10 ${P.toFixed(4)}, NDCG@10 ${N.toFixed(4)}`);
  assert.ok(Math.abs(P - 0.1125) < 0.002, `P@10 ${P}`);
  assert.ok(Math.abs(N - 0.1517) < 0.003, `NDCG@10 ${N}`);
});
