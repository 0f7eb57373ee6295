import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdMap } from '../core/idmap.js';
import { Dataset } from './dataset.js';
import { alignRows, type FeatureTable } from './features.js';

/**
 * The running example (users a, b, c -> 0, 1, 2; items x, y, z -> 0, 1, 2):
 *
 *        x  y  z
 *   a    5  3  .
 *   b    4  .  2
 *   c    .  .  1
 */
const ROWS = [
  ['a', 'x', 5, 100],
  ['a', 'y', 3, 200],
  ['b', 'x', 4, 300],
  ['c', 'z', 1, 400],
  ['b', 'z', 2, 500],
] as const;

function example(): Dataset {
  return Dataset.fromTriples(ROWS, { ratingScale: [1, 5] });
}

const f32 = (xs: number[]): Float32Array => Float32Array.from(xs);
const i32 = (xs: number[]): Int32Array => Int32Array.from(xs);

test('fromTriples: ids in order of first appearance, typed columns, time, kind and scale', () => {
  const d = example();
  assert.deepEqual(d.users.toArray(), ['a', 'b', 'c']);
  assert.deepEqual(d.items.toArray(), ['x', 'y', 'z']);
  assert.deepEqual(d.user, i32([0, 0, 1, 2, 1]));
  assert.deepEqual(d.item, i32([0, 1, 0, 2, 2]));
  assert.deepEqual(d.value, f32([5, 3, 4, 1, 2]));
  assert.deepEqual(d.time, Float64Array.from([100, 200, 300, 400, 500]));
  assert.equal(d.size, 5);
  assert.equal(d.nUsers, 3);
  assert.equal(d.nItems, 3);
  assert.equal(d.kind, 'explicit');
  assert.deepEqual(d.ratingScale, [1, 5]);
  assert.equal(d.userFeatures, null);
  assert.equal(d.source, '');
  assert.equal(d.meanValue(), 3); // (5 + 3 + 4 + 1 + 2) / 5

  // numeric ids become their decimal text; no time column when no row has one; kind given
  const n = Dataset.fromTriples([[7, 70, 1], [8, 70, 1], [7, 71, 2]], { kind: 'implicit' });
  assert.deepEqual(n.users.toArray(), ['7', '8']);
  assert.deepEqual(n.items.toArray(), ['70', '71']);
  assert.equal(n.time, null);
  assert.equal(n.kind, 'implicit');
  assert.equal(n.ratingScale, null);
  assert.equal(n.users.get('7'), 0);

  // a time on some rows only: the others get 0
  const t = Dataset.fromTriples([['u', 'i', 1, 50], ['u', 'j', 1]]);
  assert.deepEqual(t.time, Float64Array.from([50, 0]));

  const empty = Dataset.fromTriples([]);
  assert.equal(empty.size, 0);
  assert.equal(empty.meanValue(), 0);
  assert.deepEqual(empty.csr().indptr, i32([0]));
});

test('csr (users x items) and csc (items x users): shapes, sorted indices and values, cached', () => {
  const d = example();
  const m = d.csr();
  assert.equal(m.nRows, 3);
  assert.equal(m.nCols, 3);
  assert.deepEqual(m.indptr, i32([0, 2, 4, 5]));
  assert.deepEqual(m.indices, i32([0, 1, 0, 2, 2]));
  assert.deepEqual(m.data, f32([5, 3, 4, 2, 1]));
  const c = d.csc();
  assert.equal(c.nRows, 3);
  assert.equal(c.nCols, 3);
  assert.deepEqual(c.indptr, i32([0, 2, 3, 5])); // x: a, b; y: a; z: b, c
  assert.deepEqual(c.indices, i32([0, 1, 0, 1, 2]));
  assert.deepEqual(c.data, f32([5, 4, 3, 2, 1]));
  assert.equal(d.csr(), m, 'csr is cached');
  assert.equal(d.csc(), c, 'csc is cached');

  // a non-square shape: 2 users x 4 items, and the transpose 4 x 2
  const w = Dataset.fromTriples([['u', 'p', 1], ['u', 's', 2], ['v', 'q', 3], ['v', 'r', 4], ['v', 'p', 5]]);
  assert.deepEqual([w.csr().nRows, w.csr().nCols, w.csc().nRows, w.csc().nCols], [2, 4, 4, 2]);
  assert.deepEqual(w.csr().indptr, i32([0, 2, 5]));
  assert.deepEqual(w.csr().indices, i32([0, 1, 0, 2, 3])); // p=0 s=1 q=2 r=3; v's row sorted: p, q, r
  assert.deepEqual(w.csr().data, f32([1, 2, 5, 3, 4]));
  assert.deepEqual(w.csc().indptr, i32([0, 2, 3, 4, 5]));
  assert.deepEqual(w.csc().data, f32([1, 5, 2, 3, 4]));

  // a repeated pair (fromTriples does not merge): the matrix keeps the later value
  const dup = Dataset.fromTriples([['u', 'i', 1], ['u', 'i', 4]]);
  assert.equal(dup.size, 2);
  assert.deepEqual(dup.csr().indptr, i32([0, 1]));
  assert.deepEqual(dup.csr().data, f32([4]));
});

test('userCounts and itemCounts count rows per index', () => {
  const d = example();
  assert.deepEqual(d.userCounts(), i32([2, 2, 1]));
  assert.deepEqual(d.itemCounts(), i32([2, 1, 2]));
  // every index of the maps has a slot, rows or not
  const s = d.subset([3]);
  assert.deepEqual(s.userCounts(), i32([0, 0, 1]));
  assert.deepEqual(s.itemCounts(), i32([0, 0, 1]));
});

test('toImplicit: threshold keeps value >= t; binary gives 1s, binary=false keeps the values', () => {
  const d = example();
  const b = d.toImplicit(3);
  assert.equal(b.kind, 'implicit');
  assert.equal(b.ratingScale, null);
  assert.deepEqual(b.user, i32([0, 0, 1])); // rows 5, 3, 4 kept (3 >= 3); 1 and 2 dropped
  assert.deepEqual(b.item, i32([0, 1, 0]));
  assert.deepEqual(b.value, f32([1, 1, 1]));
  assert.deepEqual(b.time, Float64Array.from([100, 200, 300]));
  assert.equal(b.users, d.users, 'same id maps');
  assert.equal(b.items, d.items);
  assert.equal(b.nUsers, 3); // c has no row left but keeps its index
  assert.deepEqual(b.userCounts(), i32([2, 1, 0]));
  assert.deepEqual(b.csr().indptr, i32([0, 2, 3, 3]));

  const v = d.toImplicit(4, false);
  assert.deepEqual(v.value, f32([5, 4]));
  assert.deepEqual(v.item, i32([0, 0]));
  assert.equal(v.kind, 'implicit');

  // a fractional threshold between half stars; a threshold above every value keeps nothing
  const half = Dataset.fromTriples([['u', 'i', 3.5], ['u', 'j', 3.4], ['u', 'k', 4.5]]).toImplicit(3.5);
  assert.deepEqual(half.item, i32([0, 2]));
  const none = d.toImplicit(6);
  assert.equal(none.size, 0);
  assert.deepEqual(none.csr().indptr, i32([0, 0, 0, 0]));

  // the parent is untouched
  assert.equal(d.kind, 'explicit');
  assert.deepEqual(d.value, f32([5, 3, 4, 1, 2]));
  v.value[0] = 99;
  assert.equal(d.value[0], 5, 'toImplicit(…, false) copies the values');
});

test('subset: the rows at the given positions, in that order, over the same id maps and side data', () => {
  const items: FeatureTable = {
    ids: new IdMap(['z', 'x']),
    columns: [{ kind: 'numeric', name: 'year', values: Float64Array.from([1999, 2001]) }],
  };
  const d = example().withFeatures({ itemFeatures: items });
  assert.equal(d.itemFeatures, items);
  const s = d.subset([4, 0]);
  assert.deepEqual(s.user, i32([1, 0]));
  assert.deepEqual(s.item, i32([2, 0]));
  assert.deepEqual(s.value, f32([2, 5]));
  assert.deepEqual(s.time, Float64Array.from([500, 100]));
  assert.equal(s.users, d.users);
  assert.equal(s.items, d.items);
  assert.equal(s.users.id(s.user[0]), 'b');
  assert.equal(s.items.id(s.item[0]), 'z');
  assert.equal(s.itemFeatures, items);
  assert.deepEqual(alignRows(s.itemFeatures!, s.items), i32([1, -1, 0])); // x -> row 1, y missing, z -> row 0
  assert.equal(s.kind, 'explicit');
  assert.deepEqual(s.ratingScale, [1, 5]);
  // shape of the subset's matrix is the full id space
  const m = s.csr();
  assert.deepEqual([m.nRows, m.nCols], [3, 3]);
  assert.deepEqual(m.indptr, i32([0, 1, 2, 2]));
  assert.deepEqual(m.indices, i32([0, 2]));
  assert.deepEqual(m.data, f32([5, 2]));
  // a typed-array index list; no time column stays without one
  const nt = Dataset.fromTriples([['u', 'i', 1], ['v', 'j', 2]]).subset(Int32Array.from([1]));
  assert.equal(nt.time, null);
  assert.deepEqual(nt.value, f32([2]));
  // the subset owns its columns
  s.value[0] = 0;
  assert.equal(d.value[4], 2);
});

test('derive and withFeatures replace only what they are given', () => {
  const d = example();
  const r = d.derive({ value: f32([1, 1, 1, 1, 1]), time: null });
  assert.equal(r.time, null);
  assert.equal(r.user, d.user);
  assert.equal(r.kind, 'explicit');
  assert.deepEqual(r.ratingScale, [1, 5]);
  const k = d.derive({ kind: 'implicit', ratingScale: null });
  assert.equal(k.value, d.value);
  assert.equal(k.time, d.time);
  assert.equal(k.ratingScale, null);
  const users: FeatureTable = { ids: new IdMap(['a']), columns: [] };
  const f = d.withFeatures({ userFeatures: users });
  assert.equal(f.userFeatures, users);
  assert.equal(f.itemFeatures, null);
  assert.equal(f.withFeatures({ itemFeatures: null }).userFeatures, users, 'undefined keeps, null clears');
  assert.equal(f.withFeatures({ userFeatures: null }).userFeatures, null);
  assert.equal(f.value, d.value);
});
