import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IdMap } from '../../core/idmap.js';
import { Rng } from '../../core/rng.js';
import { Dataset } from '../../data/dataset.js';
import type { FeatureTable } from '../../data/features.js';
import { explicitFixture, modelConformance } from '../conformance.js';
import { withSyntheticItemFeatures } from '../conformance-fixtures.js';
import { createModel } from '../registry.js';
import type { AugmentedRecommender } from './augment.js';

const small = 'als;factors=4;iterations=5';
modelConformance('augmented', () => createModel('augmented', { models: small }), { itemFeatures: true });
modelConformance('augmented', () => createModel('augmented', { models: small, folds: 3 }), { itemFeatures: true, fixture: 'implicit', checkerboard: true });

/**
 * Two taste groups of users and two hidden groups of items; a user rates mostly items of their own
 * group (12 of 16), 4.5 +- noise there and 1.5 +- noise elsewhere. The item side data (a colour drawn
 * at random) says nothing about the groups: only collaborative signal can tell them apart.
 */
function twoGroups(seed = 5): { train: Dataset; test: { u: number; i: number; r: number }[] } {
  const nU = 80;
  const nI = 60;
  const rng = new Rng(seed);
  const users = new IdMap();
  const items = new IdMap();
  for (let u = 0; u < nU; u++) users.add(`u${u}`);
  for (let i = 0; i < nI; i++) items.add(`i${i}`);
  const rows: { u: number; i: number; r: number }[] = [];
  for (let u = 0; u < nU; u++) {
    const g = u % 2;
    const own = rng.permutation(nI / 2);
    const other = rng.permutation(nI / 2);
    const pick = [...Array.from(own.subarray(0, 12), (k) => 2 * k + g), ...Array.from(other.subarray(0, 4), (k) => 2 * k + 1 - g)];
    for (const i of pick) rows.push({ u, i, r: Math.min(5, Math.max(1, Math.round((i % 2 === g ? 4.5 : 1.5) + 0.5 * rng.normal()))) });
  }
  // hold out 1 own-group and 1 other-group row per user
  const test: typeof rows = [];
  const keep: typeof rows = [];
  for (let u = 0; u < nU; u++) {
    const mine = rows.filter((x) => x.u === u);
    test.push(mine[0], mine[12]);
    keep.push(...mine.filter((_, k) => k !== 0 && k !== 12));
  }
  const colour = new Int32Array(nI);
  for (let i = 0; i < nI; i++) colour[i] = rng.int(4);
  const features: FeatureTable = { ids: items.clone(), columns: [{ kind: 'categorical', name: 'colour', codes: colour, vocab: ['red', 'green', 'blue', 'grey'] }] };
  const train = new Dataset({
    users,
    items,
    user: Int32Array.from(keep, (x) => x.u),
    item: Int32Array.from(keep, (x) => x.i),
    value: Float32Array.from(keep, (x) => x.r),
    kind: 'explicit',
    ratingScale: [1, 5],
    itemFeatures: features,
  });
  return { train, test };
}

function rmse(m: { predict(u: number, i: number): number }, test: { u: number; i: number; r: number }[]): number {
  let s = 0;
  for (const t of test) s += (m.predict(t.u, t.i) - t.r) ** 2;
  return Math.sqrt(s / test.length);
}

describe('augmented (feature augmentation)', () => {
  it('beats content-ridge alone where only collaborative signal tells items apart', async () => {
    const { train, test } = twoGroups();
    const ridge = createModel('content-ridge');
    await ridge.fit(train);
    const aug = createModel('augmented', { models: 'als;factors=4;iterations=10' }) as AugmentedRecommender;
    await aug.fit(train);
    const a = rmse(aug, test);
    const b = rmse(ridge, test);
    // content-ridge can only predict about the user's mean (3.75) for every item: RMSE ~1.5
    assert.ok(b > 1.2, `content-ridge RMSE ${b}`);
    assert.ok(a < 0.8 * b, `augmented RMSE ${a} vs content-ridge ${b}`);
    // the own-group held-out item ranks above the other-group one for most users
    let right = 0;
    for (let k = 0; k < test.length; k += 2) if (aug.predict(test[k].u, test[k].i) > aug.predict(test[k + 1].u, test[k + 1].i)) right++;
    assert.ok(right >= 0.9 * (test.length / 2), `${right} of ${test.length / 2} pairs ordered`);
  });

  it('the out-of-fold score feature gets positive weight; only-score and only-factor variants both beat content alone', async () => {
    const { train, test } = twoGroups(9);
    const ridge = createModel('content-ridge');
    await ridge.fit(train);
    const b = rmse(ridge, test);
    const onlyScore = createModel('augmented', { models: 'als;factors=4;iterations=10', factorWeight: 0 }) as AugmentedRecommender;
    await onlyScore.fit(train);
    let positive = 0;
    for (let u = 0; u < train.nUsers; u++) if (onlyScore.scoreFeatureWeight(u) > 0) positive++;
    assert.ok(positive >= 0.9 * train.nUsers, `${positive} users weigh A's score positively`);
    assert.ok(rmse(onlyScore, test) < b, 'score feature only');
    const onlyFactors = createModel('augmented', { models: 'als;factors=4;iterations=10', scoreWeight: 0 });
    await onlyFactors.fit(train);
    assert.ok(rmse(onlyFactors, test) < b, 'factor features only');
  });

  it('with both CF features off it is exactly content-ridge', async () => {
    const data = withSyntheticItemFeatures(explicitFixture().data);
    const ridge = createModel('content-ridge', { lambda: 2 });
    const aug = createModel('augmented', { models: small, factorWeight: 0, scoreWeight: 0, lambda: 2 });
    await ridge.fit(data);
    await aug.fit(data);
    for (const u of [0, 3, 17, -1]) {
      const a = new Float32Array(data.nItems);
      const r = new Float32Array(data.nItems);
      aug.scoreAll(u, a);
      ridge.scoreAll(u, r);
      assert.deepEqual(a, r, `user ${u}`);
      assert.ok(Math.abs(aug.predict(u, 5) - ridge.predict(u, 5)) < 1e-5, `predict user ${u}`); // f32 scores vs f64 sum
    }
  });

  it('needs item features and exactly one component', async () => {
    const fx = explicitFixture();
    await assert.rejects(createModel('augmented', { models: small }).fit(fx.data), (e: Error & { field?: string }) => e.field === 'itemFeatures');
    await assert.rejects(createModel('augmented', { models: `${small}+popularity` }).fit(withSyntheticItemFeatures(fx.data)), (e: Error & { field?: string }) => e.field === 'augmented.models');
  });
});
