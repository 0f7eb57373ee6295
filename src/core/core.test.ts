import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cooToCsr, transpose, findInRow, rowIndices } from './csr.js';
import { topK } from './topk.js';
import { Rng } from './rng.js';
import { IdMap } from './idmap.js';
import { AffinityError, parseError } from './errors.js';

test('cooToCsr sorts rows and merges duplicates by policy', () => {
  const rows = Int32Array.from([1, 0, 1, 1, 0]);
  const cols = Int32Array.from([2, 1, 0, 2, 1]);
  const vals = Float32Array.from([5, 1, 3, 4, 2]);
  const last = cooToCsr(2, 3, rows, cols, vals, 'last');
  assert.deepEqual([...last.indptr], [0, 1, 3]);
  assert.deepEqual([...last.indices], [1, 0, 2]);
  assert.deepEqual([...last.data], [2, 3, 4]);
  assert.deepEqual([...cooToCsr(2, 3, rows, cols, vals, 'sum').data], [3, 3, 9]);
  assert.deepEqual([...cooToCsr(2, 3, rows, cols, vals, 'max').data], [2, 3, 5]);
  assert.deepEqual([...cooToCsr(2, 3, rows, cols, vals, 'first').data], [1, 3, 5]);
  assert.equal(findInRow(last, 1, 2), 2);
  assert.equal(findInRow(last, 1, 1), -1);
});

test('transpose is an involution and keeps values', () => {
  const rng = new Rng(3);
  const n = 200;
  const rows = new Int32Array(n);
  const cols = new Int32Array(n);
  const vals = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    rows[k] = rng.int(17);
    cols[k] = rng.int(23);
    vals[k] = rng.next();
  }
  const m = cooToCsr(17, 23, rows, cols, vals, 'sum');
  const t = transpose(m);
  assert.equal(t.nRows, 23);
  const back = transpose(t);
  assert.deepEqual(back, m);
  for (let c = 0; c < 23; c++) {
    const idx = rowIndices(t, c);
    for (let k = 1; k < idx.length; k++) assert.ok(idx[k] > idx[k - 1]);
  }
});

test('topK returns the best k in order with ties by index, skipping NaN/-Infinity', () => {
  const s = Float32Array.from([0.5, 2, NaN, 2, -Infinity, 1, 3, 0]);
  const r = topK(s, 4);
  assert.deepEqual([...r.items], [6, 1, 3, 5]);
  assert.deepEqual([...r.scores], [3, 2, 2, 1]);
  assert.deepEqual([...topK(s, 100).items], [6, 1, 3, 5, 0, 7]);
  assert.deepEqual([...topK(s, 0).items], []);
  assert.deepEqual([...topK(s, 3, (i) => i === 1).items], [6, 3, 5]);
});

test('topK agrees with a full sort on random data', () => {
  const rng = new Rng(11);
  for (let trial = 0; trial < 20; trial++) {
    const n = 1 + rng.int(500);
    const s = new Float32Array(n);
    for (let i = 0; i < n; i++) s[i] = Math.round(rng.next() * 50) / 10; // many ties
    const k = rng.int(n + 3);
    const ref = [...s.keys()].sort((a, b) => s[b] - s[a] || a - b).slice(0, k);
    assert.deepEqual([...topK(s, k).items], ref);
  }
});

test('Rng is deterministic and uniform enough', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const xs = Array.from({ length: 5 }, () => a.nextU32());
  assert.deepEqual(xs, Array.from({ length: 5 }, () => b.nextU32()));
  assert.notDeepEqual(xs, Array.from({ length: 5 }, () => new Rng(43).nextU32()));
  const r = new Rng(1);
  let sum = 0;
  const N = 100000;
  for (let i = 0; i < N; i++) sum += r.next();
  assert.ok(Math.abs(sum / N - 0.5) < 0.01);
  const p = new Rng(5).permutation(100);
  assert.deepEqual([...p].sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i));
});

test('IdMap maps both ways and reports unknown ids', () => {
  const m = new IdMap(['a', 'b']);
  assert.equal(m.add('c'), 2);
  assert.equal(m.add('a'), 0);
  assert.equal(m.get('zz'), -1);
  assert.equal(m.id(1), 'b');
  assert.throws(() => m.require('zz', 'user'), (e: unknown) => e instanceof AffinityError && e.code === 'E_UNKNOWN_ID' && /unknown user "zz"/.test(e.message));
});

test('parseError formats file:line: problem; expected', () => {
  const e = parseError('u.data', 7, '3 fields', '4 fields');
  assert.equal(e.message, 'u.data:7: 3 fields; expected 4 fields');
  assert.equal(e.line, 7);
});
