import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { AffinityError } from '../../core/errors.js';
import { sharedData, SKIP_NO_DATA } from '../../../test/helpers/data.js';
import { checkerboardFixture } from '../conformance.js';
import { loadImplicitSplit } from '../../../test/helpers/split-eval.js';
import { createModel } from '../registry.js';
import { BprModel } from './bpr.js';

async function fit(data: Parameters<BprModel['fit']>[0], params: Record<string, unknown>): Promise<BprModel> {
  const m = createModel('bpr', params);
  assert.ok(m instanceof BprModel);
  await m.fit(data, { threads: 1 });
  return m;
}

test('bpr fold-in: starts at the mean of the positives, values filter, errors', async () => {
  const fx = checkerboardFixture();
  const m = await fit(fx.data, { factors: 8, iterations: 50, learningRate: 0.05 });
  const V = (m as unknown as { itemFactors: Float32Array }).itemFactors;
  // 0 epochs: exactly the mean of the positive items' vectors
  const mean = m.foldInUser([2, 4, 10], null, 0);
  for (let k = 0; k < 8; k++) {
    const want = (V[2 * 8 + k] + V[4 * 8 + k] + V[10 * 8 + k]) / 3;
    assert.ok(Math.abs(mean[k] - want) < 1e-6, `factor ${k}: ${mean[k]} vs ${want}`);
  }
  // items with value <= 0 do not count (as in training); order does not matter
  assert.deepEqual(m.foldInUser([10, 3, 2, 4], [1, 0, 2, -1]), m.foldInUser([2, 10]));
  assert.deepEqual(m.foldInUser([4, 2, 10]), m.foldInUser([2, 4, 10]));
  // no positives: the zero vector
  assert.deepEqual(Array.from(m.foldInUser([5], [0])), new Array(8).fill(0));
  // SGD moves the vector so that the positives outrank the other items
  const v = m.foldInUser([0, 2, 4, 6, 8]);
  const top = m.recommendVector(v, { n: 5, seen: [0, 2, 4, 6, 8] });
  for (const i of top.items) assert.equal(i % 2, 0, `item ${i} of the other parity`);
  const bad = (fn: () => unknown, code: string): void => assert.throws(fn, (e: unknown) => e instanceof AffinityError && e.code === code);
  bad(() => m.foldInUser([1, 2], [1]), 'E_PARAM');
  bad(() => m.foldInUser([1], null, -1), 'E_PARAM');
  bad(() => m.foldInUser([1000]), 'E_UNKNOWN_ID');
});

const train = sharedData('ml-100k-split/train.tsv');
test('bpr fold-in on ML-100K: reproduces the trained users\' top-10 (overlap@10 >= 7.5 of 10)', { skip: train ? false : SKIP_NO_DATA }, async () => {
  const s = await loadImplicitSplit(dirname(train!));
  const m = await fit(s.train, {});
  const { indptr, indices } = m.seen;
  let overlap = 0;
  let users = 0;
  for (let u = 0; u < s.train.nUsers; u += 5) {
    const hist = indices.subarray(indptr[u], indptr[u + 1]);
    if (hist.length === 0) continue;
    const folded = m.recommendHistory(hist, null, { n: 10 }).items;
    const trained = new Set(m.recommend(u, { n: 10 }).items);
    for (const i of folded) if (trained.has(i)) overlap++;
    users++;
  }
  // measured 8.33 over all 942 users (the former 100 epochs from a random start: 8.11)
  assert.ok(overlap / users >= 7.5, `overlap@10 ${overlap / users} over ${users} users`);
});
