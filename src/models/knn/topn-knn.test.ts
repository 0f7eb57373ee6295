import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadTrainTest } from '../../data/load.js';
import { Dataset } from '../../data/dataset.js';
import { applySplit } from '../../data/split.js';
import { sharedData, SKIP_NO_DATA } from '../../../test/helpers/data.js';
import { modelConformance } from '../conformance.js';
import { createModel } from '../registry.js';
import { binaryImplicit, topNFigures } from '../../../test/helpers/split-eval.js';

/**
 * Binary version of the 3 x 4 matrix of similarity.test.ts:
 *   u0: i0 i1 i2;  u1: i0 i1 i2 i3;  u2: i0 i2 i3
 * Item cosines: (i0,i2) = 1, (i0,i1) = (i1,i2) = 2/sqrt(6), (i0,i3) = (i2,i3) = 2/sqrt(6), (i1,i3) = 1/2.
 */
function small(): Dataset {
  return Dataset.fromTriples(
    [['u0', 'i0', 1], ['u0', 'i1', 1], ['u0', 'i2', 1], ['u1', 'i0', 1], ['u1', 'i1', 1], ['u1', 'i2', 1], ['u1', 'i3', 1], ['u2', 'i0', 1], ['u2', 'i2', 1], ['u2', 'i3', 1]],
    { kind: 'implicit' },
  );
}
const close = (a: number, b: number, msg: string): void => assert.ok(Math.abs(a - b) < 1e-6, `${msg}: ${a} vs ${b}`);

describe('item-knn / user-knn scores (hand-computed)', () => {
  it('item-knn: sum of the user\'s items\' similarities; the item itself counts among its K', async () => {
    const m = createModel('item-knn');
    await m.fit(small());
    const c = 2 / Math.sqrt(6);
    close(m.scoreItems(0, [3])[0], c + 0.5 + c, 'K = 20: every neighbour kept');
    // self similarity is in the lists: score of a seen item includes it
    close(m.scoreItems(0, [0])[0], 1 + c + 1, 'u0 item i0: self 1 + i1 + i2');
    // K = 2 keeps the item and its single best other item: i0 -> i2, i1 -> i0 (tie with i2, smaller index), i2 -> i0
    const m2 = createModel('item-knn', { k: 2 });
    await m2.fit(small());
    close(m2.scoreItems(0, [3])[0], 0, 'i3 is in no pruned list of u0\'s items');
    assert.deepEqual(Array.from(m2.similarItems(1, 5).items), [0]);
    assert.deepEqual(Array.from(m.similarItems(3, 5).items), [0, 2, 1]);
  });

  it('user-knn: similarity-weighted votes of the k most similar users', async () => {
    const m = createModel('user-knn');
    await m.fit(small());
    // cos(u0,u1) = 3/sqrt(12), cos(u0,u2) = 2/3
    close(m.scoreItems(0, [3])[0], 3 / Math.sqrt(12) + 2 / 3, 'k = 50');
    const m1 = createModel('user-knn', { k: 1 });
    await m1.fit(small());
    close(m1.scoreItems(0, [3])[0], 3 / Math.sqrt(12), 'k = 1');
    assert.deepEqual(Array.from(m.similarUsers(0, 5).items), [1, 2]);
  });

  it('users without history get item popularity', async () => {
    const m = createModel('item-knn');
    await m.fit(small());
    assert.deepEqual(Array.from(m.scoreItems(-1, [0, 1, 2, 3])), [3, 2, 3, 2]);
  });
});

const trainPath = sharedData('ml-100k-split/train.tsv');
const testPath = sharedData('ml-100k-split/test.tsv');
describe('ML-100K implicit split (peers: implicit cosine NDCG@10 0.2606, BM25 0.2559)', { skip: trainPath && testPath ? false : SKIP_NO_DATA }, () => {
  it('item-knn cosine and bm25, K = 20', async () => {
    const { data, fold } = await loadTrainTest(trainPath!, testPath!);
    const { train, test } = applySplit(data, fold);
    const bin = binaryImplicit(train);
    assert.equal(bin.size, 44296);
    const cos = createModel('item-knn');
    await cos.fit(bin);
    const fc = topNFigures(cos, test);
    assert.equal(fc.users, 942);
    assert.ok(fc.ndcg >= 0.2606 - 0.005, `cosine NDCG@10 ${fc.ndcg}`);
    const bm = createModel('item-knn', { similarity: 'bm25' });
    await bm.fit(bin);
    const fb = topNFigures(bm, test);
    assert.ok(Math.abs(fb.ndcg - 0.2559) <= 0.01 || fb.ndcg > 0.2559, `bm25 NDCG@10 ${fb.ndcg}`);
    console.log(`# item-knn cosine ${JSON.stringify(fc)}\n# item-knn bm25 ${JSON.stringify(fb)}`);
  });
});

modelConformance('item-knn', () => createModel('item-knn'), { checkerboard: true });
modelConformance('item-knn', () => createModel('item-knn', { similarity: 'bm25', threads: 2 }));
modelConformance('user-knn', () => createModel('user-knn'), { checkerboard: true });
