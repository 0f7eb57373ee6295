import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdMap } from '../core/idmap.js';
import { AffinityError } from '../core/errors.js';
import type { FeatureTable } from '../data/features.js';
import { relevantSet } from './metrics.js';
import {
  ItemVectors,
  averagePopularity,
  catalogCoverage,
  exposureCounts,
  featureGroups,
  gini,
  groupGap,
  intraListDiversity,
  novelty,
  serendipity,
  tercileGroups,
} from './beyond.js';

const close = (a: number, b: number, eps = 1e-9): void => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);
const I = (...x: number[]): Int32Array => Int32Array.from(x);

test('coverage, exposure and Gini by hand', () => {
  const lists = [I(0, 1, 2), I(1, 3, 4)];
  close(catalogCoverage(lists, 2, 10), 3 / 10); // {0, 1, 3}
  close(catalogCoverage(lists, 3, 10), 5 / 10);
  assert.deepEqual([...exposureCounts(lists, 2, 5)], [1, 2, 0, 1, 0]);
  close(gini([0, 0, 0, 4]), 0.75); // (2*4-4-1)*4 / (4*4)
  close(gini([1, 1, 1, 1]), 0);
  close(gini([3, 1, 2]), 4 / 18); // sorted 1,2,3: (-2*1 + 0*2 + 2*3) / (3*6)
  close(gini([0, 0]), 0);
});

test('novelty and average popularity by hand', () => {
  const pop = I(4, 2, 1, 0);
  // -log2(4/4)=0, -log2(2/4)=1, -log2(1/4)=2, pop 0 counted as 1 -> 2
  close(novelty(I(0, 1, 2, 3), 4, pop, 4), 1.25);
  close(novelty(I(0, 1, 2, 3), 2, pop, 4), 0.5);
  close(averagePopularity(I(0, 1, 2), 2, pop), 3);
  assert.ok(Number.isNaN(averagePopularity(I(), 2, pop)));
});

test('serendipity: relevant and not in the expected (popular) list, over K', () => {
  const rel = relevantSet([6, 7, 9]);
  close(serendipity(I(5, 6, 7, 8), 4, rel, I(5, 7)), 1 / 4); // only 6
  close(serendipity(I(5, 6, 7, 8), 2, rel, I(5, 7)), 1 / 2);
  close(serendipity(I(5, 6, 7, 8), 4, rel, I()), 2 / 4);
});

test('intra-list diversity from one-hot features and from embeddings', () => {
  const table: FeatureTable = {
    ids: new IdMap(['a', 'b', 'c']),
    columns: [
      { kind: 'categorical', name: 'genre', codes: I(0, 0, 1), vocab: ['x', 'y'] },
      { kind: 'multi', name: 'tags', indptr: I(0, 2, 3, 4), codes: I(0, 1, 1, 2), vocab: ['t1', 't2', 't3'] },
      { kind: 'numeric', name: 'year', values: Float64Array.from([1990, 2000, 2010]) },
    ],
  };
  // dataset order differs from the table's; 'z' has no features
  const items = new IdMap(['c', 'a', 'b', 'z']);
  const v = ItemVectors.fromFeatures(table, items);
  // a = {x, t1, t2}, b = {x, t2}: cos = 2 / (sqrt3 sqrt2); c = {y, t3} shares nothing
  close(v.cosine(1, 2), 2 / Math.sqrt(6));
  close(v.cosine(0, 1), 0);
  close(v.cosine(3, 1), 0);
  close(intraListDiversity(I(1, 2, 0), 3, v), (3 - 2 / Math.sqrt(6)) / 3);
  close(intraListDiversity(I(1, 2, 0), 2, v), 1 - 2 / Math.sqrt(6));
  assert.ok(Number.isNaN(intraListDiversity(I(1), 3, v)));
  // only the genre column: a and b identical
  const g = ItemVectors.fromFeatures(table, items, ['genre']);
  close(intraListDiversity(I(1, 2), 2, g), 0);
  assert.throws(() => ItemVectors.fromFeatures(table, items, ['year']), (e: unknown) => e instanceof AffinityError && e.code === 'E_PARAM');
  const e = ItemVectors.fromEmbeddings(Float32Array.from([1, 0, 0, 1, 1, 1]), 3, 2);
  close(e.cosine(0, 1), 0);
  close(e.cosine(0, 2), 1 / Math.sqrt(2));
  close(intraListDiversity(I(0, 1, 2), 3, e), (1 + 2 * (1 - 1 / Math.sqrt(2))) / 3);
});

test('groups: activity terciles, categorical feature, per-group means and gap', () => {
  const t = tercileGroups('activity', [5, 1, 3, 3, 9, 0]);
  // sorted: u5(0) u1(1) u2(3) u3(3) u0(5) u4(9) -> low low mid mid high high
  assert.deepEqual([...t.group], [2, 0, 1, 1, 2, 0]);
  const r = groupGap([0.5, 0.1, 0.2, NaN, 0.9, 0.3], t);
  close(r.means.low, 0.2);
  close(r.means.mid, 0.2);
  close(r.means.high, 0.7);
  assert.deepEqual(r.counts, { low: 2, mid: 1, high: 2 });
  close(r.gap, 0.5);
  const table: FeatureTable = {
    ids: new IdMap(['u1', 'u2', 'u3']),
    columns: [
      { kind: 'categorical', name: 'gender', codes: I(0, 1, 1), vocab: ['F', 'M'] },
      { kind: 'text', name: 'zip', values: ['a', '', 'b'] },
    ],
  };
  const users = new IdMap(['u3', 'u1', 'u2', 'u9']);
  const gg = featureGroups(table, users, 'gender');
  assert.deepEqual([...gg.group], [1, 0, 1, -1]);
  const m = groupGap([0.4, 0.1, 0.2, 0.9], gg);
  close(m.means.F, 0.1);
  close(m.means.M, 0.3);
  close(m.gap, 0.2);
  assert.deepEqual([...featureGroups(table, users, 'zip').group], [0, 1, -1, -1]);
  assert.ok(Number.isNaN(groupGap([1, 1, 1, 1], { by: 'x', names: ['a'], group: I(0, 0, 0, 0) }).gap));
  assert.throws(() => featureGroups(table, users, 'age'), (e: unknown) => e instanceof AffinityError && e.field === 'groupBy');
});
