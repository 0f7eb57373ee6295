import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdMap } from '../../core/idmap.js';
import { Dataset } from '../../data/dataset.js';
import { generateSynthetic } from '../../data/synthetic.js';
import { createModel } from '../../models/registry.js';
import { buildAnnIndex } from '../../ann/index.js';
import type { CandidateSource, RequestContext } from '../types.js';
import {
  contentSource, factorSource, itemToItemSource, ItemToItemSource, modelSource, newItemsSource, popularSource,
  quotasFromShares, RankedListSource, unionCandidates,
} from './index.js';

function req(user: number, items: number[] = []): RequestContext {
  return { user, history: { items: Int32Array.from(items), values: new Float32Array(items.length).fill(1), times: null }, now: 0 };
}

/** A hand-made source returning a fixed list (scores 100, 99, ...), honouring n and exclude. */
function fixed(name: string, items: number[]): CandidateSource & { calls: number[] } {
  const calls: number[] = [];
  return {
    name,
    calls,
    generate(_r, n, exclude) {
      calls.push(n);
      const out = items.filter((i) => !exclude || !exclude[i]).slice(0, n);
      return { items: Int32Array.from(out), scores: Float32Array.from(out, (_, k) => 100 - k) };
    },
  };
}

test('union: quotas, de-duplication with membership, tags and scores', () => {
  const a = fixed('a', [1, 2, 3, 4, 5]);
  const b = fixed('b', [2, 6, 7, 8]);
  const c = fixed('c', [9, 1, 10]);
  const u = unionCandidates([a, b, c], [2, 2, 2], req(0), 6, null);
  assert.deepEqual([...u.items], [1, 2, 6, 7, 9, 10]);
  assert.deepEqual([...u.source], [0, 0, 1, 1, 2, 2]);
  assert.deepEqual([...u.sourceScore], [100, 99, 99, 98, 100, 98]);
  assert.deepEqual(u.sourceNames, ['a', 'b', 'c']);
  // item 1 came from a and c, item 2 from a and b
  assert.deepEqual([...u.memberOf], [0b101, 0b011, 0b010, 0b010, 0b100, 0b100]);
  assert.deepEqual([...u.contributed], [2, 2, 2]);
});

test('union: a short source passes its unfilled quota to the next, then fallback fills the rest', () => {
  const a = fixed('a', [1]); // quota 3, only 1 item
  const b = fixed('b', [2, 3, 4, 5, 6]); // quota 2 + 2 carried
  const c = fixed('c', [7]); // quota 2, 1 item -> 1 missing
  const u = unionCandidates([a, b, c], [3, 2, 2], req(0), 7, null);
  assert.deepEqual([...u.items], [1, 2, 3, 4, 5, 7, 6]);
  assert.deepEqual([...u.source], [0, 1, 1, 1, 1, 2, 1]);
  assert.deepEqual([...u.contributed], [1, 5, 1]);
  // exclusion applies to every source; the catalogue running out gives fewer than n
  const ex = new Uint8Array(10);
  ex[2] = ex[7] = 1;
  const v = unionCandidates([a, b, c], [3, 2, 2], req(0), 10, ex);
  assert.deepEqual([...v.items], [1, 3, 4, 5, 6]);
  assert.throws(() => unionCandidates([a], [1, 2], req(0), 3, null), /quotas/);
  assert.throws(() => unionCandidates([a], [-1], req(0), 3, null), /quotas\[0\]/);
});

test('quotasFromShares: largest remainders, sums to n', () => {
  assert.deepEqual([...quotasFromShares([1, 1, 1], 10)], [4, 3, 3]);
  assert.deepEqual([...quotasFromShares([0.5, 0.3, 0.2], 7)], [4, 2, 1]);
  assert.deepEqual([...quotasFromShares([0, 0], 5)], [0, 0]);
});

test('item-to-item: decayed sum over recent anchors, strongest anchor remembered', () => {
  // similar lists by hand: 0 -> (5: 1.0, 6: 0.5); 1 -> (6: 1.0, 7: 0.2)
  const lists: Record<number, [number[], number[]]> = { 0: [[5, 6], [1, 0.5]], 1: [[6, 7], [1, 0.2]] };
  const src = new ItemToItemSource({ nItems: 8, decay: 0.5, similar: (i) => ({ items: Int32Array.from(lists[i]?.[0] ?? []), scores: Float32Array.from(lists[i]?.[1] ?? []) }) });
  // history oldest first: 0 then 1 -> anchor 1 weight 1, anchor 0 weight 0.5
  const r = src.generate(req(-1, [0, 1]), 10, null);
  assert.deepEqual([...r.items], [6, 5, 7]);
  assert.deepEqual([...r.scores], [1.25, 0.5, Math.fround(0.2)]);
  assert.deepEqual([...src.lastAnchors], [1, 0, 1]);
  const ex = new Uint8Array(8);
  ex[6] = 1;
  assert.deepEqual([...src.generate(req(-1, [0, 1]), 1, ex).items], [5]);
});

test('popular, trending and new items on a hand-made dataset', () => {
  const users = new IdMap(['u0', 'u1', 'u2']);
  const items = new IdMap(['i0', 'i1', 'i2', 'i3']);
  const day = 86_400;
  const data = new Dataset({
    users, items, kind: 'implicit',
    user: Int32Array.of(0, 1, 2, 0, 1, 2),
    item: Int32Array.of(0, 0, 0, 1, 1, 2),
    value: new Float32Array(6).fill(1),
    time: Float64Array.of(0, day, 2 * day, 9 * day, 10 * day, 10 * day),
  });
  const pop = popularSource(data);
  assert.equal(pop.name, 'popular');
  const p = pop.generate(req(0), 10, null);
  assert.deepEqual([...p.items], [0, 1, 2, 3]);
  assert.deepEqual([...p.scores], [3, 2, 1, 0]);
  // trending with a 1-day half-life at day 10: i1 = 0.5 + 1, i2 = 1, i0 ~ 2^-8 + 2^-9 + 2^-10
  const tr = popularSource(data, { mode: 'trending', halfLifeDays: 1 }).generate(req(0), 3, null);
  assert.equal(tr.items[0], 1);
  assert.ok(Math.abs(tr.scores[0] - 1.5) < 1e-6);
  assert.deepEqual([...tr.items], [1, 2, 0]);
  const nw = newItemsSource(data, { maxAgeDays: 5 });
  const n = nw.generate(req(0), 10, null);
  assert.deepEqual([...n.items], [2, 1]); // i3 never seen, i0 first seen 10 days ago
  assert.deepEqual([...n.scores], [10 * day, 9 * day]);
  assert.throws(() => newItemsSource(new Dataset({ users, items, kind: 'implicit', user: Int32Array.of(0), item: Int32Array.of(0), value: Float32Array.of(1) })), /timestamps/);
});

const synth = generateSynthetic({ users: 150, items: 120, interactions: 3000, seed: 3, text: false });

test('factor source via ANN returns the model\'s own top items, for known and folded-in users', async () => {
  const als = createModel('als', { factors: 8, iterations: 5, threads: 1 });
  await als.fit(synth);
  const src = factorSource(als, { backend: 'exact' });
  assert.equal(src.name, 'als-ann');
  const seen = als.seen;
  for (const u of [0, 7, 42]) {
    const ex = new Uint8Array(synth.nItems);
    for (let k = seen.indptr[u]; k < seen.indptr[u + 1]; k++) ex[seen.indices[k]] = 1;
    const r = src.generate(req(u), 10, ex);
    const want = als.recommend(u, { n: 10 });
    assert.deepEqual([...r.items], [...want.items]);
    const s = als.scoreItems(u, r.items);
    r.scores.forEach((x, i) => assert.ok(Math.abs(x - s[i]) < 1e-3));
  }
  // an anonymous user with a history: the ALS fold-in, as recommendHistory does
  const h = [3, 9, 27, 50];
  const r = src.generate(req(-1, h), 10, Uint8Array.from({ length: synth.nItems }, (_, i) => (h.includes(i) ? 1 : 0)));
  assert.deepEqual([...r.items], [...als.recommendHistory(Int32Array.from(h), null, { n: 10 }).items]);
  // the usearch backend finds the same top-10 on this small catalogue
  const fast = factorSource(als, { backend: 'usearch', efSearch: 200, threads: 1 });
  assert.deepEqual(new Set(fast.generate(req(7), 10, null).items), new Set(src.generate(req(7), 10, null).items));
  assert.equal(src.generate(req(-1), 10, null).items.length, 0);
});

test('item-to-item from a model\'s similarItems, content source, model source; union of them all', async () => {
  const knn = createModel('item-knn', { k: 20 });
  await knn.fit(synth);
  const i2i = itemToItemSource(knn);
  const hist = [4, 8, 15];
  const r = i2i.generate(req(-1, hist), 10, null);
  assert.ok(r.items.length === 10);
  const sim8 = new Set(knn.similarItems(15, 50).items); // 15 is the most recent anchor
  assert.ok(sim8.has(r.items[0]) || new Set(knn.similarItems(8, 50).items).has(r.items[0]));
  for (let i = 1; i < r.scores.length; i++) assert.ok(r.scores[i - 1] >= r.scores[i]);

  // content: one-hot categories -> the profile of items in category 0 finds category-0 items first
  const dim = 4;
  const vec = new Float32Array(synth.nItems * dim);
  for (let i = 0; i < synth.nItems; i++) vec[i * dim + (i % dim)] = 1;
  const content = contentSource(vec, dim);
  const c = content.generate(req(-1, [0, 4, 8]), 5, null);
  assert.equal(c.items.length, 5);
  for (const it of c.items) assert.equal(it % dim, 0);
  assert.ok(Math.abs(c.scores[0] - 1) < 1e-6);

  const ms = modelSource(knn);
  assert.equal(ms.name, 'item-knn');
  const want = knn.recommend(5, { n: 8 });
  assert.deepEqual([...ms.generate(req(5), 8, null).items], [...want.items]);
  const exclude = new Uint8Array(synth.nItems);
  exclude[want.items[0]] = 1;
  assert.ok(!ms.generate(req(5), 8, exclude).items.includes(want.items[0]));

  const pop = new RankedListSource('popular', Float32Array.from({ length: synth.nItems }, (_, i) => synth.nItems - i));
  const u = unionCandidates([i2i, content, pop], quotasFromShares([2, 1, 1], 40), req(-1, hist), 40, null);
  assert.equal(u.items.length, 40);
  assert.equal(new Set(u.items).size, 40);
  assert.deepEqual([...u.contributed], [20, 10, 10]);
  const ann = buildAnnIndex('exact', vec, { dim, metric: 'cos' });
  assert.equal(ann.size, synth.nItems);
});
