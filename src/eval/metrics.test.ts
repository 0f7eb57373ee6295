import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  apAt,
  auc,
  f1At,
  hitRateAt,
  hitsAt,
  mae,
  mrrAt,
  ndcgAt,
  precisionAt,
  recallAt,
  relevantSet,
  rmse,
  sampledAuc,
  sampledMrr,
  sampledNdcg,
  sampledRank,
} from './metrics.js';
import { AffinityError } from '../core/errors.js';

const close = (a: number, b: number, eps = 1e-9): void => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

test('rmse and mae by hand', () => {
  // errors 1, -2, 0, 1 -> squared 1, 4, 0, 1 (mean 1.5); absolute mean 1
  close(rmse([3, 2, 5, 4], [2, 4, 5, 3]), Math.sqrt(1.5));
  close(mae([3, 2, 5, 4], [2, 4, 5, 3]), 1);
  assert.throws(() => rmse([1, 2], [1]), (e: unknown) => e instanceof AffinityError && e.code === 'E_PARAM');
  assert.throws(() => mae([], []), (e: unknown) => e instanceof AffinityError && e.code === 'E_EMPTY');
});

test('AP@5 of [rel, rel, non, rel, non] with 3 relevant = 0.917', () => {
  const rel = relevantSet([10, 11, 13]);
  const ranked = Int32Array.from([10, 11, 12, 13, 14]);
  close(apAt(ranked, rel, 5), (1 + 1 + 3 / 4) / 3);
  assert.equal(apAt(ranked, rel, 5).toFixed(3), '0.917');
});

test('graded NDCG@5 of true ratings [5,4,3,2,1] ranked as [5,3,4,2,1]: linear gain, log2(rank+1)', () => {
  // items 0..4 have true ratings 5,4,3,2,1; the model ranks them 0,2,1,3,4 (ratings 5,3,4,2,1)
  const rel = relevantSet([0, 1, 2, 3, 4], [5, 4, 3, 2, 1]);
  const v = ndcgAt(Int32Array.from([0, 2, 1, 3, 4]), rel, 5);
  const dcg = 5 + 3 / Math.log2(3) + 4 / 2 + 2 / Math.log2(5) + 1 / Math.log2(6);
  const idcg = 5 + 4 / Math.log2(3) + 3 / 2 + 2 / Math.log2(5) + 1 / Math.log2(6);
  close(v, dcg / idcg);
  assert.equal(v.toFixed(4), '0.9873');
  // the ideal order gives 1
  close(ndcgAt(Int32Array.from([0, 1, 2, 3, 4]), rel, 5), 1);
});

test('P/R/F1/HR/MRR/AP/NDCG on one list by hand', () => {
  const rel = relevantSet([8, 4, 1]); // unsorted input is sorted
  const ranked = Int32Array.from([3, 7, 1, 9, 4]); // hits at ranks 3 and 5
  assert.equal(hitsAt(ranked, rel, 5), 2);
  close(precisionAt(ranked, rel, 5), 0.4);
  close(recallAt(ranked, rel, 5), 2 / 3);
  close(f1At(ranked, rel, 5), 0.5); // 2*0.4*(2/3) / (0.4 + 2/3)
  assert.equal(hitRateAt(ranked, rel, 5), 1);
  close(mrrAt(ranked, rel, 5), 1 / 3);
  close(apAt(ranked, rel, 5), (1 / 3 + 2 / 5) / 3);
  close(ndcgAt(ranked, rel, 5), (1 / 2 + 1 / Math.log2(6)) / (1 + 1 / Math.log2(3) + 1 / 2));
  // cut at 2: no hit
  assert.equal(precisionAt(ranked, rel, 2), 0);
  assert.equal(hitRateAt(ranked, rel, 2), 0);
  assert.equal(mrrAt(ranked, rel, 2), 0);
  assert.equal(f1At(ranked, rel, 2), 0);
  // K larger than the list: precision still divides by K; AP normalises by min(K, |rel|) = 3
  close(precisionAt(ranked, rel, 10), 0.2);
  close(apAt(ranked, rel, 10), (1 / 3 + 2 / 5) / 3);
  // IDCG over min(K, |rel|): with K = 2 the ideal is two hits
  close(ndcgAt(Int32Array.from([4, 0]), rel, 2), 1 / (1 + 1 / Math.log2(3)));
});

test('empty relevant set: undefined metrics are NaN, others 0', () => {
  const rel = relevantSet([]);
  const ranked = Int32Array.from([1, 2]);
  assert.ok(Number.isNaN(recallAt(ranked, rel, 2)));
  assert.ok(Number.isNaN(ndcgAt(ranked, rel, 2)));
  assert.ok(Number.isNaN(apAt(ranked, rel, 2)));
  assert.equal(precisionAt(ranked, rel, 2), 0);
  assert.throws(() => precisionAt(ranked, rel, 0), (e: unknown) => e instanceof AffinityError && e.field === 'k');
  assert.throws(() => relevantSet([1, 1]), (e: unknown) => e instanceof AffinityError && e.code === 'E_PARAM');
});

test('AUC: pair counting with ties as 1/2, candidate mask', () => {
  const scores = Float32Array.from([0.9, 0.1, 0.5, 0.5, 0.3, 0.8]);
  const rel = relevantSet([2, 4]);
  // positives 0.5, 0.3; negatives 0.9, 0.1, 0.5, 0.8: (1 + 0.5) + 1 = 2.5 of 8 pairs
  close(auc(scores, rel), 2.5 / 8);
  const mask = Uint8Array.from([0, 1, 1, 1, 1, 1]); // item 0 is not a candidate
  close(auc(scores, rel, mask), 2.5 / 6);
  // perfect and reversed orders
  close(auc(Float32Array.from([1, 2, 3, 4]), relevantSet([2, 3])), 1);
  close(auc(Float32Array.from([4, 3, 2, 1]), relevantSet([2, 3])), 0);
  assert.ok(Number.isNaN(auc(Float32Array.from([1, 2]), relevantSet([0, 1]))));
});

test('sampled rank is pessimistic on ties; HR/NDCG/MRR/AUC of one rank', () => {
  const neg = Float32Array.from([0.2, 0.7, 0.5, 0.9]);
  assert.equal(sampledRank(0.5, neg), 4); // 0.7, 0.9 above, 0.5 tied -> counted against
  assert.equal(sampledRank(1, neg), 1);
  assert.equal(sampledRank(0.5, new Float32Array(3).fill(0.5)), 4); // constant model: last
  close(sampledNdcg(3, 10), 0.5);
  assert.equal(sampledNdcg(11, 10), 0);
  close(sampledMrr(4, 10), 0.25);
  close(sampledAuc(0.5, neg), 1.5 / 4);
});
