import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Dataset } from '../../data/dataset.js';
import { modelConformance } from '../conformance.js';
import { createModel } from '../registry.js';
import type { RatingKnn } from './rating-knn.js';

/**
 * 3 users x 4 items (see similarity.test.ts). User-based MSD similarities: sim(u0,u1) = 0.2,
 * sim(u0,u2) = 0.5, sim(u1,u2) = 1/3. u0 has not rated i3; i3 is rated by u1 (3) and u2 (5).
 */
function small(): Dataset {
  return Dataset.fromTriples(
    [
      ['u0', 'i0', 5], ['u0', 'i1', 3], ['u0', 'i2', 4],
      ['u1', 'i0', 3], ['u1', 'i1', 1], ['u1', 'i2', 2], ['u1', 'i3', 3],
      ['u2', 'i0', 4], ['u2', 'i2', 3], ['u2', 'i3', 5],
    ],
    { ratingScale: [1, 5] },
  );
}

async function fitted(name: string, params: Record<string, unknown> = {}): Promise<RatingKnn> {
  const m = createModel(name, params) as RatingKnn;
  await m.fit(small());
  return m;
}

const close = (a: number, b: number, msg: string): void => assert.ok(Math.abs(a - b) < 1e-6, `${msg}: ${a} vs ${b}`);

describe('rating kNN predictions (hand-computed, Surprise formulas)', () => {
  it('KNNBasic: weighted mean of the neighbours ratings; k limits them', async () => {
    const m = await fitted('knn-basic');
    close(m.predict(0, 3), (0.2 * 3 + 0.5 * 5) / 0.7, 'k = 40');
    const m1 = await fitted('knn-basic', { k: 1 });
    close(m1.predict(0, 3), 5, 'k = 1 keeps u2 (sim 0.5)');
    // min_k = 3 > 2 neighbours: Surprise raises PredictionImpossible -> global mean 33 / 10
    const m3 = await fitted('knn-basic', { minK: 3 });
    close(m3.predict(0, 3), 3.3, 'min_k fallback');
  });

  it('KNNWithMeans: user mean plus weighted mean-centred deviations', async () => {
    const m = await fitted('knn-means');
    // means: u0 4, u1 2.25, u2 4
    close(m.predict(0, 3), 4 + (0.2 * (3 - 2.25) + 0.5 * (5 - 4)) / 0.7, 'means');
    const m3 = await fitted('knn-means', { minK: 3 });
    close(m3.predict(0, 3), 4, 'min_k fallback is the user mean');
  });

  it('KNNWithZScore: z-scores with population standard deviations', async () => {
    const m = await fitted('knn-zscore');
    const s0 = Math.sqrt(2 / 3); // u0 (5,3,4)
    const s1 = Math.sqrt(2.75 / 4); // u1 (3,1,2,3), mean 2.25
    const s2 = Math.sqrt(2 / 3); // u2 (4,3,5)
    close(m.predict(0, 3), 4 + (s0 * (0.2 * (0.75 / s1) + 0.5 * (1 / s2))) / 0.7, 'zscore');
  });

  it('item-based KNNBasic uses item similarities over the user\'s rated items', async () => {
    const m = await fitted('knn-basic-item');
    // target (u0, i3): neighbours i0 (r 5), i1 (r 3), i2 (r 4) of i3 by MSD over common users
    // i3-i0: users u1 (3 vs 3), u2 (5 vs 4) -> msd 0.5 -> 1/1.5; i3-i1: u1 (3 vs 1) -> 4 -> 1/5;
    // i3-i2: u1 (3 vs 2), u2 (5 vs 3) -> (1 + 4)/2 -> 1/3.5
    const s = [1 / 1.5, 1 / 5, 1 / 3.5];
    close(m.predict(0, 3), (s[0] * 5 + s[1] * 3 + s[2] * 4) / (s[0] + s[1] + s[2]), 'item-based');
    assert.equal(m.capabilities.similarItems, true);
    assert.deepEqual(Array.from(m.similarItems(3, 3).items), [0, 2, 1]);
  });

  it('KNNBaseline: baseline plus weighted residuals; unknown users get the baseline', async () => {
    const m = await fitted('knn-baseline');
    const st = m.toState();
    const bu = st.arrays.bu as Float64Array;
    const bi = st.arrays.bi as Float64Array;
    const mu = 3.3;
    const b = (u: number, i: number): number => mu + bu[u] + bi[i];
    const want = b(0, 3) + (0.2 * (3 - b(1, 3)) + 0.5 * (5 - b(2, 3))) / 0.7;
    close(m.predict(0, 3), want, 'baseline');
    close(m.predict(-1, 3), mu + bi[3], 'unknown user: mu + bi');
  });

  it('predictions are clipped; scoreAll equals predict for every item (both orientations)', async () => {
    for (const name of ['knn-basic', 'knn-means', 'knn-zscore', 'knn-baseline', 'knn-basic-item', 'knn-means-item', 'knn-baseline-item']) {
      const m = await fitted(name, { k: 2 });
      for (let u = -1; u < 3; u++) {
        const all = new Float32Array(4);
        m.scoreAll(u, all);
        for (let i = 0; i < 4; i++) {
          const p = m.predict(u, i);
          assert.ok(p >= 1 && p <= 5, `${name} predict(${u},${i}) = ${p}`);
          assert.equal(all[i], Math.fround(p), `${name} scoreAll(${u})[${i}]`);
        }
      }
    }
  });
});

for (const name of ['knn-basic', 'knn-means', 'knn-zscore', 'knn-baseline', 'knn-basic-item', 'knn-means-item', 'knn-baseline-item']) {
  modelConformance(name, () => createModel(name));
}
modelConformance('knn-means', () => createModel('knn-means', { threads: 2, maxNeighbours: 10 }));

describe('rating kNN limits', () => {
  it('maxNeighbours = 0 is refused above the full-similarity limit; a budget works', async () => {
    const n = 20001;
    const rows: [number, number, number][] = [];
    for (let u = 0; u < n; u++) rows.push([u, u % 7, 1 + (u % 5)]);
    const d = Dataset.fromTriples(rows, { ratingScale: [1, 5] });
    await assert.rejects(createModel('knn-basic').fit(d), (e: unknown) => (e as { code?: string }).code === 'E_TOO_LARGE');
    const m = createModel('knn-basic-item', { maxNeighbours: 3 });
    await m.fit(d);
    assert.ok(m.predict(0, 1) >= 1);
  });
});
