import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Dataset } from '../data/dataset.js';
import { knnModels } from '../models/knn/index.js';
import { resolveParams } from '../models/params.js';
import type { BaseRecommender } from '../models/base.js';
import { ItemCatalog } from './catalog.js';
import { explainList, explainReasons } from './explain.js';
import { aggregateGroup, normalizeScores, recommendGroup } from './groups.js';
import { buildRows } from './rows.js';
import type { RankedList } from './rerank/types.js';
import type { RequestContext } from './types.js';

const DAY = 86_400;
const ctxOf = (user: number, items: number[] = [], values?: number[]): RequestContext => ({
  user,
  history: { items: Int32Array.from(items), values: Float32Array.from(values ?? items.map(() => 5)), times: null },
  now: 1000 * DAY,
});

test('groups: hand-computed 3-user example, every strategy', () => {
  // u0, u1 love item 0 and like 2; u2 loves item 1
  const s = [Float32Array.from([1, 0, 0.9]), Float32Array.from([1, 0, 0.9]), Float32Array.from([0.2, 1, 0.1])];
  const avg = aggregateGroup(s, 'average', 3);
  assert.deepEqual(Array.from(avg.items), [0, 2, 1]);
  assert.ok(Math.abs(avg.scores[0] - 2.2 / 3) < 1e-6 && Math.abs(avg.scores[1] - 1.9 / 3) < 1e-6);
  assert.deepEqual(Array.from(aggregateGroup(s, 'least-misery', 3).items), [0, 2, 1]); // min .2, .1, 0
  assert.deepEqual(Array.from(aggregateGroup(s, 'most-pleasure', 2).items), [0, 1]); // max 1, 1 (tie -> index)
  // fair: step 1 maximises min(.2, 0, .1) -> 0 (cum 1,1,.2); step 2: item 1 min(1,1,1.2)=1 beats item 2 min(1.9,1.9,.3)
  const fair = aggregateGroup(s, 'fair', 2);
  assert.deepEqual(Array.from(fair.items), [0, 1]);
  assert.deepEqual(Array.from(fair.scores), [Math.fround(0.2), 1]);
  assert.ok(Math.abs(fair.satisfaction[2] - 1.2) < 1e-6 && Math.abs(avg.satisfaction[2] - 1.3) < 1e-6);
  // the fair list's least satisfied member is better off than under average's top 2 (min 0.3)
  assert.ok(Math.min(...fair.satisfaction) > Math.min(...aggregateGroup(s, 'average', 2).satisfaction));
  // NaN (seen by someone) is never recommended
  const t = [Float32Array.from([NaN, 0.5]), Float32Array.from([1, 0.1])];
  assert.deepEqual(Array.from(aggregateGroup(t, 'most-pleasure', 2).items), [1]);
});

test('groups: normalisation', () => {
  const a = Float32Array.from([2, 4, 6, 100]);
  normalizeScores(a, Uint8Array.from([1, 1, 1, 0]), 'minmax');
  assert.deepEqual(Array.from(a), [0, 0.5, 1, NaN]);
  const b = Float32Array.from([3, 9, 6]);
  normalizeScores(b, Uint8Array.from([1, 1, 1]), 'rank');
  assert.deepEqual(Array.from(b), [0, 1, 0.5]);
});

// 4 users x 6 items: items 0-2 one taste, 3-5 another
const data = Dataset.fromTriples(
  [
    ['a', 'i0', 5, 1 * DAY], ['a', 'i1', 5, 2 * DAY], ['b', 'i0', 4, 3 * DAY], ['b', 'i2', 5, 4 * DAY], ['b', 'i1', 4, 5 * DAY],
    ['c', 'i3', 5, 6 * DAY], ['c', 'i4', 5, 7 * DAY], ['d', 'i3', 5, 8 * DAY], ['d', 'i5', 4, 9 * DAY], ['d', 'i4', 3, 990 * DAY],
    ['a', 'i2', 1, 10 * DAY],
  ],
  { kind: 'explicit' },
);
async function itemKnn(): Promise<BaseRecommender> {
  const e = knnModels.find((m) => m.name === 'item-knn');
  assert.ok(e);
  const m = e.build(e.name, resolveParams(e.name, e.params, {}));
  await m.fit(data);
  return m;
}

test('groups: with a real model, seen items of every member excluded', async () => {
  const m = await itemKnn();
  const u = (id: string): number => data.users.get(id);
  const r = recommendGroup(m, [ctxOf(u('a')), ctxOf(u('c'))], { strategy: 'fair', n: 6 });
  // a saw i0 i1 i2, c saw i3 i4: only i5 is left
  assert.deepEqual(Array.from(r.items).map((i) => data.items.id(i)), ['i5']);
  const all = recommendGroup(m, [ctxOf(u('a')), ctxOf(u('c'))], { strategy: 'average', n: 6, excludeSeen: false });
  assert.equal(all.items.length, 6);
});

test('rows: top picks, because-you-watched, trending, new; no item repeated', async () => {
  const m = await itemKnn();
  const catalog = ItemCatalog.fromDataset(data, { now: 1000 * DAY });
  // an anonymous user who rated i0 (5) and i3 (5), then i5 (2)
  const req = ctxOf(-1, [data.items.get('i0'), data.items.get('i3'), data.items.get('i5')], [5, 5, 2]);
  const rows = buildRows(m, req, catalog, { perRow: 2, becauseRows: 3 });
  const seenAll = new Set<number>();
  for (const r of rows) {
    for (const it of r.items) {
      assert.ok(!seenAll.has(it), `item ${it} repeated`);
      assert.ok(!req.history.items.includes(it));
      seenAll.add(it);
    }
  }
  assert.equal(rows[0].title, 'Top picks for you');
  const because = rows.filter((r) => r.kind === 'because').map((r) => r.title);
  // anchors: recent highly rated (>= 4), most recent first: i3 then i0 (i5 rated 2 is not an anchor)
  assert.ok(because.every((t) => t === 'Because you watched i3' || t === 'Because you watched i0'));
  assert.ok(rows.length >= 2);
  assert.equal(seenAll.size, 3); // only 3 unseen items exist
  // new releases alone: unseen items newest first (i5, first seen day 9, is in the history)
  const only = buildRows(m, req, catalog, { order: ['new'], perRow: 3 });
  assert.deepEqual(Array.from(only[0].items).map((i) => data.items.id(i)), ['i4', 'i2', 'i1']);
  const tr = buildRows(m, req, catalog, { order: ['trending'], perRow: 1 });
  assert.equal(data.items.id(tr[0].items[0]), 'i4'); // rated on day 990, 10 days before now
});

test('explanations for every source', () => {
  const catalog = new ItemCatalog({
    nItems: 6,
    titles: ['Toy Story (1995)', 'Alien (1979)', 'Heat (1995)', 'Up (2009)', 'Brave (2012)', 'Tron (1982)'],
    categories: { indptr: Int32Array.from([0, 1, 2, 3, 4, 5, 6]), codes: Int32Array.from([0, 1, 2, 0, 0, 1]), names: ['Animation', 'Sci-Fi', 'Crime'] },
    firstSeen: Float64Array.from([0, 0, 0, 0, 995 * DAY, 0]),
  });
  const list: RankedList = {
    items: Int32Array.from([3, 5, 2, 4, 1, 0, 3]),
    scores: new Float32Array(7),
    source: Uint8Array.from([0, 1, 2, 3, 4, 5, 6]),
    sourceNames: ['item2item', 'popular', 'explore', 'als', 'sponsored', 'new', 'content'],
    anchor: Int32Array.from([0, -1, -1, -1, -1, -1, -1]),
  };
  const req = ctxOf(0, [0, 2]);
  assert.deepEqual(explainReasons(list, req, catalog), [
    'Because you watched Toy Story (1995)',
    'Popular in Sci-Fi this week',
    'Exploring something different',
    'New release', // als, but first seen 5 days ago
    'Sponsored',
    'New release',
    'Because you watched Toy Story (1995)', // content without anchor: history item sharing Animation
  ]);
  const ex = explainList(list, req, catalog, { verb: 'listened to', newDays: 0 });
  assert.equal(ex[0].reason, 'Because you listened to Toy Story (1995)');
  assert.equal(ex[0].anchor, 0);
  assert.equal(ex[3].reason, 'Top pick for you');
  assert.equal(ex[3].source, 'als');
});
