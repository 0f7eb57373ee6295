import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mt19937, numpyPermutation, surpriseKFold } from './numpy-kfold.js';

test('Mt19937 matches the reference output of init_genrand(5489)', () => {
  const r = new Mt19937(5489);
  assert.deepEqual([r.nextU32(), r.nextU32(), r.nextU32()], [3499211612, 581869302, 3890346734]);
  const s = new Mt19937(5489);
  for (let k = 0; k < 9999; k++) s.nextU32();
  assert.equal(s.nextU32(), 4123659995); // the 10000th output (C++ std::mt19937 conformance value)
});

test('numpyPermutation equals np.random.RandomState(0).shuffle(np.arange(n))', () => {
  assert.deepEqual(Array.from(numpyPermutation(10, 0)), [2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);
  const p = numpyPermutation(100000, 0);
  assert.deepEqual(Array.from(p.subarray(0, 8)), [3582, 60498, 53227, 21333, 3885, 51521, 84261, 10685]);
  assert.deepEqual(Array.from(p.subarray(99992)), [41993, 97639, 95939, 21243, 45891, 42613, 43567, 68268]);
});

test('surpriseKFold: consecutive blocks of the permutation, first n % k one longer, a partition', () => {
  const folds = surpriseKFold(10, 3, 0);
  assert.deepEqual(folds.map((f) => Array.from(f.testRows)), [[2, 8, 4, 9], [1, 6, 7], [3, 0, 5]]);
  assert.deepEqual(Array.from(folds[1].trainRows), [2, 8, 4, 9, 3, 0, 5]);
  const seen = new Int32Array(10);
  for (const f of folds) for (const r of f.testRows) seen[r]++;
  assert.deepEqual(Array.from(seen), new Array(10).fill(1));
  assert.throws(() => surpriseKFold(10, 1, 0), /k: got 1/);
});
