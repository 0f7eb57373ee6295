import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AffinityError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { ItemCatalog, MemoryItemStats } from '../catalog.js';
import type { RequestContext } from '../types.js';
import {
  AvailabilityFilter,
  CapReranker,
  ExploreReranker,
  FatigueReranker,
  FreshnessBoost,
  MmrReranker,
  NoAdjacentReranker,
  NoveltyBoost,
  PinReranker,
  RuleBoost,
  RuleFilter,
  betaSample,
  buildRerankers,
  intraListDiversity,
  type RankedList,
} from './index.js';

const DAY = 86_400;
// categories: 0:A 1:A 2:B 3:A 4:C ; group = first category
const catalog = new ItemCatalog({
  nItems: 5,
  titles: ['i0', 'i1', 'i2', 'i3', 'i4'],
  categories: { indptr: Int32Array.from([0, 1, 2, 3, 4, 5]), codes: Int32Array.from([0, 0, 1, 0, 2]), names: ['A', 'B', 'C'] },
  firstSeen: Float64Array.from([0, 0, 0, 100 * DAY, 0]),
  popularity: Float32Array.from([100, 50, 10, 10, 1]),
  numeric: { price: Float64Array.from([10, 60, 20, 30, 5]) },
  outOfStock: Uint8Array.from([0, 0, 1, 0, 0]),
  minAge: Float32Array.from([0, 0, 0, 0, 18]),
});
const req = (over: Partial<RequestContext> = {}): RequestContext => ({ user: 0, history: { items: new Int32Array(0), values: new Float32Array(0), times: null }, now: 100 * DAY, ...over });
const list = (): RankedList => ({ items: Int32Array.from([0, 1, 2, 3, 4]), scores: Float32Array.from([5, 4, 3, 2, 1]), source: new Uint8Array(5), sourceNames: ['model'] });
const ctx = { catalog };
const items = (l: RankedList): number[] => Array.from(l.items);

test('MMR: lambda 1 keeps relevance order, lambda 0 maximises diversity', () => {
  assert.deepEqual(items(new MmrReranker({ lambda: 1 }).apply(list(), req(), ctx)), [0, 1, 2, 3, 4]);
  const div = new MmrReranker({ lambda: 0 }).apply(list(), req(), ctx);
  assert.deepEqual(items(div), [0, 2, 4, 1, 3]);
  assert.deepEqual(Array.from(div.scores), [5, 3, 1, 4, 2]); // scores travel with their items
  assert.ok(intraListDiversity(catalog, div.items, 3) > intraListDiversity(catalog, list().items, 3));
  assert.equal(intraListDiversity(catalog, div.items, 3), 1);
  assert.ok(Math.abs(intraListDiversity(catalog, list().items, 3) - 2 / 3) < 1e-12);
  // depth 2: only the first two positions by MMR
  assert.deepEqual(items(new MmrReranker({ lambda: 0, depth: 2 }).apply(list(), req(), ctx)), [0, 2, 1, 3, 4]);
  // vectors: items 0 and 1 identical, 2 orthogonal
  const vectors = { data: Float32Array.from([1, 0, 1, 0, 0, 1, 1, 1, 1, -1]), dim: 2 };
  assert.deepEqual(items(new MmrReranker({ lambda: 0.3, similarity: 'vectors' }).apply(list(), req(), { catalog, vectors })).slice(0, 2), [0, 2]);
  assert.throws(() => new MmrReranker({ lambda: 1.5 }), AffinityError);
});

test('caps per category and group; no two of a group adjacent', () => {
  assert.deepEqual(items(new CapReranker({ by: 'category', max: 1 }).apply(list(), req(), ctx)), [0, 2, 4, 1, 3]);
  assert.deepEqual(items(new CapReranker({ by: 'group', max: 2, mode: 'drop' }).apply(list(), req(), ctx)), [0, 1, 2, 4]);
  const adj = new NoAdjacentReranker().apply(list(), req(), ctx);
  assert.deepEqual(items(adj), [0, 2, 1, 4, 3]);
  for (let k = 1; k < adj.items.length; k++) assert.notEqual(catalog.group[adj.items[k]], catalog.group[adj.items[k - 1]]);
});

test('freshness and novelty boosts', () => {
  // item 3 is new (age 0): 2 * (1 + 1) = 4 ties item 1 (4) and keeps its later position; weight 2 makes 6
  const f = new FreshnessBoost({ weight: 2, halfLifeDays: 10 }).apply(list(), req(), ctx);
  assert.deepEqual(items(f), [3, 0, 1, 2, 4]);
  assert.equal(f.scores[0], 6);
  assert.ok(Math.abs(f.scores[1] - 5 * (1 + 2 * Math.pow(2, -10))) < 1e-4);
  // novelty: -log2(pop/171) / log2(171); item 4 (pop 1) gains the most
  const nv = new NoveltyBoost({ weight: 4 }).apply(list(), req(), ctx);
  const expect = (i: number, s: number): number => s * (1 + (4 * -Math.log2(catalog.popularity[i] / 171)) / Math.log2(171));
  for (let k = 0; k < 5; k++) assert.ok(Math.abs(nv.scores[k] - expect(nv.items[k], [5, 4, 3, 2, 1][nv.items[k]])) < 1e-4);
  assert.deepEqual(items(nv), [2, 1, 0, 3, 4]); // 9.63, 7.83, 7.09, 6.42, 5
});

test('business rules: filter, boost, availability and age', () => {
  assert.deepEqual(items(new RuleFilter({ expr: 'price < 50 && category != "B" && !outOfStock' }).apply(list(), req(), ctx)), [0, 3, 4]);
  const b = new RuleBoost({ when: 'category == "C"', factor: 10 }).apply(list(), req(), ctx);
  assert.deepEqual(items(b), [4, 0, 1, 2, 3]);
  assert.equal(b.scores[0], 10);
  // factor as an expression; negative scores are divided
  const neg: RankedList = { ...list(), scores: Float32Array.from([-1, -2, -3, -4, -5]) };
  assert.deepEqual(items(new RuleBoost({ when: 'price <= 5', factor: 'price * 2' }).apply(neg, req(), ctx)), [4, 0, 1, 2, 3]);
  assert.deepEqual(items(new AvailabilityFilter().apply(list(), req({ context: { userAge: 16 } }), ctx)), [0, 1, 3]);
  assert.deepEqual(items(new AvailabilityFilter().apply(list(), req({ context: { userAge: 30 } }), ctx)), [0, 1, 3, 4]);
  assert.deepEqual(items(new AvailabilityFilter().apply(list(), req(), ctx)), [0, 1, 3]);
  assert.deepEqual(items(new AvailabilityFilter({ unknownAge: 'allow' }).apply(list(), req(), ctx)), [0, 1, 3, 4]);
});

test('pinned and sponsored slots', () => {
  const p = new PinReranker({ pins: [{ item: 4, position: 0, sponsored: true }, { item: 3, position: 2 }] }).apply(list(), req(), ctx);
  assert.deepEqual(items(p), [4, 0, 3, 1, 2]);
  assert.deepEqual([...p.source].map((s) => p.sourceNames[s]), ['sponsored', 'model', 'pinned', 'model', 'model']);
  // out of stock (2) and seen (0) pins are skipped; a position past the end appends
  const q = new PinReranker({ pins: [{ item: 2, position: 0 }, { item: 0, position: 1 }, { item: 1, position: 99 }] }).apply(list(), req({ history: { items: Int32Array.from([0]), values: Float32Array.from([1]), times: null } }), ctx);
  assert.deepEqual(items(q), [0, 2, 3, 4, 1]);
});

test('fatigue demotes items shown N times to this user', () => {
  const stats = new MemoryItemStats();
  stats.recordImpression(0, 0, 3);
  stats.recordImpression(0, 2, 1);
  stats.recordImpression(1, 1, 5); // another user
  const c = { catalog, stats };
  assert.deepEqual(items(new FatigueReranker({ maxShown: 2 }).apply(list(), req(), c)), [1, 2, 3, 4, 0]);
  assert.deepEqual(items(new FatigueReranker({ maxShown: 1, penalty: 'drop' }).apply(list(), req(), c)), [1, 3, 4]);
  const f = new FatigueReranker({ maxShown: 2, penalty: 10 }).apply(list(), req(), c);
  assert.deepEqual(items(f), [1, 2, 3, 4, 0]);
  assert.equal(f.scores[4], 0.5);
});

test('exploration: slot budget respected, seeded, strategies', () => {
  const big: RankedList = { items: Int32Array.from({ length: 20 }, (_, i) => i), scores: Float32Array.from({ length: 20 }, (_, i) => 20 - i), source: new Uint8Array(20), sourceNames: ['model'] };
  const cat20 = new ItemCatalog({ nItems: 20 });
  let total = 0;
  for (let u = 0; u < 200; u++) {
    const r = new ExploreReranker({ strategy: 'epsilon', slots: 2, epsilon: 0.3 }).apply(big, req({ user: u }), { catalog: cat20, n: 5, seed: 7 });
    const explore = r.sourceNames.indexOf('explore');
    let inTop = 0;
    for (let k = 0; k < 5; k++) if (r.source[k] === explore) {
      inTop++;
      assert.ok(r.items[k] >= 5); // from the pool
    }
    assert.ok(inTop <= 2);
    total += inTop;
    assert.equal(new Set(r.items).size, 20);
  }
  // expected explored per list: E[min(2, Binomial(5, 0.3))] = 2 - 2 P(0) - P(1) = 2 - 2*0.16807 - 0.36015 = 1.3037
  assert.ok(Math.abs(total / 200 - 1.3037) < 0.15, `mean ${total / 200}`);
  const a = new ExploreReranker({ strategy: 'epsilon', slots: 3, epsilon: 0.5, seed: 1 });
  assert.deepEqual(items(a.apply(big, req(), { catalog: cat20, n: 5 })), items(a.apply(big, req(), { catalog: cat20, n: 5 })));
  // Thompson: item 12 has 90 clicks of 100 impressions, the others 0 of 100
  const stats = new MemoryItemStats(20);
  for (let i = 0; i < 20; i++) stats.recordImpression(9, i, 100);
  stats.recordClick(9, 12, 90);
  const t = new ExploreReranker({ strategy: 'thompson', slots: 1 }).apply(big, req(), { catalog: cat20, n: 5, stats });
  assert.deepEqual(items(t).slice(0, 5), [0, 1, 2, 3, 12]);
  // UCB: the never-shown item 17 has the largest bonus, the clicked 12 next
  stats.recordImpression(9, 17, 0);
  const st2 = new MemoryItemStats(20);
  for (let i = 0; i < 20; i++) if (i !== 17) st2.recordImpression(9, i, 100);
  st2.recordClick(9, 12, 90);
  const u = new ExploreReranker({ strategy: 'ucb', slots: 2, positions: [0, 3] }).apply(big, req(), { catalog: cat20, n: 5, stats: st2 });
  assert.deepEqual(items(u).slice(0, 5), [17, 0, 1, 12, 2]);
});

test('Beta sampler mean and variance', () => {
  const rng = new Rng(3);
  let s = 0;
  let s2 = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) {
    const x = betaSample(rng, 3, 7);
    s += x;
    s2 += x * x;
  }
  const mean = s / n;
  assert.ok(Math.abs(mean - 0.3) < 0.005, `mean ${mean}`);
  assert.ok(Math.abs(s2 / n - mean * mean - (3 * 7) / (100 * 11)) < 0.001);
});

test('re-rankers from plain data, with path errors', () => {
  const rs = buildRerankers(
    [
      { type: 'filter', expr: 'price < 50' },
      { type: 'mmr', lambda: 0 },
      { type: 'cap', by: 'group', max: 1, mode: 'drop' },
    ],
    'rerank',
    catalog,
  );
  let l = list();
  for (const r of rs) l = r.apply(l, req(), ctx);
  assert.deepEqual(items(l), [0, 2, 4]);
  const bad = (spec: unknown, re: RegExp): void => assert.throws(() => buildRerankers(spec, 'rerank', catalog), (e: unknown) => e instanceof AffinityError && re.test(e.message));
  bad([{ type: 'mmr', lambda: 2 }], /^rerank\[0\]\.lambda: got 2; expected a number in \[0, 1\]/);
  bad([{ type: 'nope' }], /^rerank\[0\]\.type: got "nope"; expected one of mmr, cap/);
  bad([{ type: 'mmr', lambda: 1, lamda: 1 }], /^rerank\[0\]\.lamda: .*no such option for 'mmr'/);
  bad([{}, {}], /^rerank\[0\]\.type/);
  bad([{ type: 'filter', expr: 'price <' }], /^rerank\[0\]\.expr:1: column 8/);
  bad([{ type: 'filter', expr: 'colour == 1' }], /^rerank\[0\]\.expr: column 1: unknown name "colour"/);
  bad({ type: 'mmr' }, /^rerank: .*expected a list/);
});
