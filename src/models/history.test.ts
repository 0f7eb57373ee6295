import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AffinityError } from '../core/errors.js';
import type { BaseRecommender } from './base.js';
import { checkerboardFixture, explicitFixture } from './conformance-fixtures.js';
import { readHistory } from './history.js';
import { createModel } from './registry.js';
import type { Dataset } from '../data/dataset.js';

function historyOf(m: BaseRecommender, u: number): { items: Int32Array; values: Float32Array } {
  const { indptr, indices, data } = m.seen;
  return { items: indices.slice(indptr[u], indptr[u + 1]), values: data.slice(indptr[u], indptr[u + 1]) };
}

/** scoreHistory(training row of u) against scoreAll(u) on the items u did not rate. */
function compareUnseen(m: BaseRecommender, users: number[], relTol: number, what: string): void {
  const a = new Float32Array(m.nItems);
  const b = new Float32Array(m.nItems);
  for (const u of users) {
    const h = historyOf(m, u);
    m.scoreAll(u, a);
    m.scoreHistory(h.items, h.values, b);
    const rated = new Set(h.items);
    for (let i = 0; i < m.nItems; i++) {
      if (rated.has(i)) continue;
      if (relTol === 0) assert.equal(b[i], a[i], `${what}: user ${u} item ${i}`);
      else assert.ok(Math.abs(b[i] - a[i]) <= relTol * (1 + Math.abs(a[i])), `${what}: user ${u} item ${i}: ${b[i]} vs ${a[i]}`);
    }
  }
}

const PROBES = [0, 3, 11, 25, 42];

describe('readHistory', () => {
  it('sorts items, keeps the later value of a repeated item, fills null values with 1', () => {
    const h = readHistory('m', 10, [7, 2, 7, 0], [1, 2, 3, 4]);
    assert.deepEqual(Array.from(h.items), [0, 2, 7]);
    assert.deepEqual(Array.from(h.values), [4, 2, 3]);
    const ones = readHistory('m', 10, [3, 1], null);
    assert.deepEqual(Array.from(ones.items), [1, 3]);
    assert.deepEqual(Array.from(ones.values), [1, 1]);
  });

  it('names the field and the expectation on bad input', () => {
    assert.throws(() => readHistory('m', 10, [1, 10], null), (e: unknown) => e instanceof AffinityError && e.code === 'E_UNKNOWN_ID' && e.field === 'items' && /items\[1\]: got 10; expected an item index in 0\.\.9/.test(e.message));
    assert.throws(() => readHistory('m', 10, [1, 2], [1]), (e: unknown) => e instanceof AffinityError && e.code === 'E_PARAM' && e.field === 'values');
    assert.throws(() => readHistory('m', 10, [1], [Infinity]), (e: unknown) => e instanceof AffinityError && e.code === 'E_PARAM' && e.field === 'values');
  });
});

describe('scoreHistory of a trained user reproduces their scores', () => {
  const explicit: Dataset = explicitFixture().data;
  const implicit: Dataset = checkerboardFixture().data;

  it('baseline: b_u = Σ(r - mu - b_i) / (regU + n), hand-computed; equals the fitted user bias', async () => {
    const m = createModel('baseline');
    await m.fit(explicit);
    const st = m.toState();
    const mu = st.meta.mu as number;
    const bi = st.arrays.bi as Float64Array;
    const out = new Float32Array(m.nItems);
    m.scoreHistory([4, 0], [5, 1], out);
    const bu = (5 - mu - bi[4] + (1 - mu - bi[0])) / (15 + 2);
    for (const i of [0, 1, 4, 9, 39, 40]) assert.ok(Math.abs(out[i] - Math.fround(mu + bu + bi[i])) < 1e-6, `item ${i}: ${out[i]}`);
    // the last ALS epoch computes b_u from the final b_i with this very formula
    compareUnseen(m, PROBES, 1e-6, 'baseline');
  });

  // user-based: the history's similarities are computed on the fly; item-based: stored item-item sims
  const kinds = ['msd', 'cosine', 'pearson', 'pearson_baseline', 'adjusted_cosine', 'jaccard', 'bm25', 'tfidf'];
  for (const similarity of kinds) {
    it(`rating kNN, user-based, ${similarity}: every variant`, async () => {
      for (const variant of ['basic', 'means', 'zscore', 'baseline']) {
        const m = createModel('knn-basic', { variant, similarity, k: 5 });
        await m.fit(explicit);
        compareUnseen(m, PROBES, 1e-5, `${variant}/${similarity}`);
      }
    });
  }

  it('rating kNN, item-based: every variant', async () => {
    for (const variant of ['basic', 'means', 'zscore', 'baseline']) {
      const m = createModel('knn-basic-item', { variant, k: 5 });
      await m.fit(explicit);
      compareUnseen(m, PROBES, 0, `item-based ${variant}`);
    }
  });

  it('a new user: user-based kNN neighbours follow the history', async () => {
    // a history copying user 3's ratings of 6 items makes user 3 the only neighbour with 6 common
    // items (min support 6), at msd similarity 1
    const m = createModel('knn-basic', { k: 1, minSupport: 6 });
    await m.fit(explicit);
    const h = historyOf(m, 3);
    assert.ok(h.items.length > 8);
    const out = new Float32Array(m.nItems);
    m.scoreHistory(h.items.subarray(0, 6), h.values.subarray(0, 6), out);
    // k = 1: every other item user 3 rated is predicted as user 3's rating
    for (let k = 6; k < h.items.length; k++) assert.equal(out[h.items[k]], h.values[k], `item ${h.items[k]}`);
  });

  it('item-knn, user-knn (k beyond the user count), ease: the scores of scoreAll', async () => {
    for (const [name, params] of [
      ['item-knn', {}],
      ['item-knn', { similarity: 'bm25' }],
      ['user-knn', { k: 60 }],
      ['user-knn', { k: 60, similarity: 'tfidf' }],
      ['user-knn', { k: 60, similarity: 'jaccard' }],
      ['ease', { lambda: 5 }],
    ] as const) {
      const m = createModel(name, params);
      await m.fit(implicit);
      compareUnseen(m, [0, 5, 21, 39], name === 'user-knn' ? 1e-5 : 0, `${name} ${JSON.stringify(params)}`);
    }
  });
});
