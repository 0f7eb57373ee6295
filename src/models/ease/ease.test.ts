import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { AffinityError } from '../../core/errors.js';
import { Dataset } from '../../data/dataset.js';
import { sharedData, SKIP_NO_DATA } from '../../../test/helpers/data.js';
import { modelConformance } from '../conformance.js';
import { createModel } from '../registry.js';
import { decodeState, encodeState } from '../io.js';
import { EaseModel } from './ease.js';
import { spdInverse } from './linalg.js';
import { loadImplicitSplit, topNFigures } from '../../../test/helpers/split-eval.js';

// u0 {a,b}, u1 {b,c}, u2 {a,b,c}, u3 {a}: XᵀX + I = [[4,2,1],[2,4,2],[1,2,3]], det 24,
// P = [[8,-4,0],[-4,11,-6],[0,-6,12]] / 24, B[i][j] = -P[i][j] / P[j][j].
const tiny = (): Dataset =>
  Dataset.fromTriples(
    [['u0', 'a', 1], ['u0', 'b', 1], ['u1', 'b', 1], ['u1', 'c', 1], ['u2', 'a', 1], ['u2', 'b', 1], ['u2', 'c', 1], ['u3', 'a', 1]],
    { kind: 'implicit' },
  );

async function fitEase(data: Dataset, params: Record<string, unknown>): Promise<EaseModel> {
  const m = createModel('ease', params);
  await m.fit(data);
  assert.ok(m instanceof EaseModel);
  return m;
}

describe('ease', () => {
  it('matches the hand-computed inverse on a 3-item example', async () => {
    const m = await fitEase(tiny(), { lambda: 1 });
    const expected = [
      [0, 4 / 11, 0],
      [0.5, 0, 0.5],
      [0, 6 / 11, 0],
    ];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) assert.ok(Math.abs(m.weight(i, j) - expected[i][j]) < 1e-6, `B[${i}][${j}] = ${m.weight(i, j)}`);
    // u3 has only a: scores are row a of B
    const s3 = m.scoreItems(3, [0, 1, 2]);
    [0, 4 / 11, 0].forEach((v, k) => assert.ok(Math.abs(s3[k] - v) < 1e-6, `score ${k} = ${s3[k]}`));
    const r = m.recommend(3, { n: 2 });
    assert.deepEqual(Array.from(r.items), [1, 2]);
    // similar items of b: column b = (B[a][b], B[c][b]) = (4/11, 6/11)
    assert.deepEqual(Array.from(m.similarItems(1, 5).items), [2, 0]);
  });

  it('spdInverse inverts random SPD matrices of odd and even sizes', () => {
    let s = 12345;
    const rnd = (): number => ((s = (s * 16807) % 2147483647) / 2147483647) - 0.5;
    for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 13, 37]) {
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rnd();
      for (let i = 0; i < n; i++) a[i * n + i] += n;
      const orig = a.slice();
      spdInverse(a, n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let d = 0;
          for (let k = 0; k < n; k++) d += orig[i * n + k] * a[k * n + j];
          assert.ok(Math.abs(d - (i === j ? 1 : 0)) < 1e-12, `n=${n} (A·A⁻¹)[${i}][${j}] = ${d}`);
          assert.equal(a[i * n + j], a[j * n + i]);
        }
      }
    }
  });

  it('has a zero diagonal and leaves items without rows out', async () => {
    const d = tiny();
    d.items.add('never');
    const m = await fitEase(d, { lambda: 2 });
    for (let i = 0; i < d.nItems; i++) assert.equal(m.weight(i, i), 0);
    assert.equal(m.scoreItems(0, [3])[0], 0);
    assert.equal(m.similarItems(3).items.length, 0);
  });

  it('refuses too many items with E_TOO_LARGE and a way out', async () => {
    await assert.rejects(fitEase(tiny(), { maxItems: 2 }), (e: unknown) => {
      assert.ok(e instanceof AffinityError);
      assert.equal(e.code, 'E_TOO_LARGE');
      assert.match(e.message, /3 items .* maxItems=2/);
      assert.match(e.message, /GB of memory/);
      assert.match(e.message, /k-core/);
      assert.match(e.message, /item-knn or als/);
      return true;
    });
  });

  it('time decay equals fitting on explicitly decayed values', async () => {
    const day = 86400;
    const rows: [string, string, number, number][] = [
      ['u0', 'a', 1, 0], ['u0', 'b', 1, 10 * day], ['u1', 'b', 1, 20 * day], ['u1', 'c', 1, 30 * day],
      ['u2', 'a', 1, 5 * day], ['u2', 'c', 1, 30 * day], ['u3', 'a', 1, 25 * day], ['u3', 'b', 1, 15 * day],
    ];
    const decayed = await fitEase(Dataset.fromTriples(rows, { kind: 'implicit' }), { lambda: 1, halfLifeDays: 10 });
    const manual = await fitEase(
      Dataset.fromTriples(rows.map(([u, i, , t]) => [u, i, 0.5 ** ((30 * day - t) / (10 * day))] as const), { kind: 'implicit' }),
      { lambda: 1 },
    );
    const plain = await fitEase(Dataset.fromTriples(rows, { kind: 'implicit' }), { lambda: 1 });
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) assert.ok(Math.abs(decayed.weight(i, j) - manual.weight(i, j)) < 1e-6);
    }
    for (let u = 0; u < 4; u++) {
      const a = decayed.scoreItems(u, [0, 1, 2]);
      const b = manual.scoreItems(u, [0, 1, 2]);
      for (let k = 0; k < 3; k++) assert.ok(Math.abs(a[k] - b[k]) < 1e-6);
    }
    assert.ok(Math.abs(plain.weight(0, 1) - decayed.weight(0, 1)) > 1e-3, 'decay changes the weights');
    await assert.rejects(fitEase(tiny(), { halfLifeDays: 7 }), (e: unknown) => e instanceof AffinityError && e.code === 'E_PARAM' && /no timestamps/.test(e.message));
  });

  it('save/load keeps weights and the decayed history', async () => {
    const d = Dataset.fromTriples([['u0', 'a', 1, 0], ['u0', 'b', 1, 86400], ['u1', 'b', 1, 3 * 86400], ['u1', 'c', 1, 0], ['u2', 'a', 1, 0]], { kind: 'implicit' });
    const m = await fitEase(d, { lambda: 0.5, halfLifeDays: 2 });
    const state = decodeState(encodeState(m.toState()));
    const loaded = new EaseModel('ease', m.params).restore(state);
    for (let u = 0; u < 3; u++) assert.deepEqual(loaded.scoreItems(u, [0, 1, 2]), m.scoreItems(u, [0, 1, 2]));
  });

  const train = sharedData('ml-100k-split/train.tsv');
  it('ML-100K implicit split: NDCG@10 of the dense reference (0.3253 at λ=500)', { skip: train ? false : SKIP_NO_DATA }, async () => {
    const s = await loadImplicitSplit(dirname(train!));
    const m = await fitEase(s.train, {});
    const r = topNFigures(m, s.test, 10);
    assert.equal(r.users, 942);
    assert.ok(r.ndcg >= 0.32, `NDCG@10 ${r.ndcg}`);
    assert.ok(Math.abs(r.ndcg - 0.3253) < 0.001, `NDCG@10 ${r.ndcg} vs the reference 0.3253`);
    assert.ok(Math.abs(r.precision - 0.2255) < 0.001, `P@10 ${r.precision} vs the reference 0.2255`);
  });
});

modelConformance('ease', () => createModel('ease', { lambda: 5 }), { checkerboard: true });
