import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dataset } from '../data/dataset.js';
import { createModel } from '../models/registry.js';
import { modelCandidates } from './candidates.js';
import { FeatureBuilder } from './features.js';
import { buildImpressionTrainingSet, buildTrainingSet, concatTrainingSets, holdout, userHistories } from './training.js';

function fixture(): Dataset {
  return Dataset.fromTriples(
    [
      ['u1', 'a', 1, 100],
      ['u1', 'c', 1, 300],
      ['u1', 'b', 1, 200],
      ['u2', 'a', 1, 50],
      ['u2', 'd', 1, 400],
      ['u3', 'a', 1, 500],
      ['u3', 'e', 1, 600],
      ['u2', 'e', 1, 700],
    ],
    { kind: 'implicit' },
  );
}

test('user histories are time-ordered; holdout keeps the last interaction of each user', () => {
  const data = fixture();
  const h = userHistories(data);
  const u1 = data.users.require('u1');
  assert.deepEqual(Array.from(h.items.subarray(h.indptr[u1], h.indptr[u1 + 1]), (i) => data.items.id(i)), ['a', 'b', 'c']);
  const { early, heldOut } = holdout(data, { nHoldout: 1, minHistory: 1 });
  const pairs = (d: Dataset) => Array.from({ length: d.size }, (_, k) => `${d.users.id(d.user[k])}:${d.items.id(d.item[k])}`).sort();
  assert.deepEqual(pairs(heldOut), ['u1:c', 'u2:e', 'u3:e']);
  assert.equal(early.size, 5);
  // minHistory 2: u3 (2 interactions) keeps both
  assert.deepEqual(pairs(holdout(data, { nHoldout: 1, minHistory: 2 }).heldOut), ['u1:c', 'u2:e']);
  const r = holdout(data, { mode: 'random', seed: 3, minHistory: 1 });
  assert.equal(r.heldOut.size, 3);
  // fraction 0.5 of 3 rounds to 2 (u1, u2: 3 each -> 2 held out, 1 left); u3 (2) -> 1 held out
  assert.equal(holdout(data, { fraction: 0.5, minHistory: 1 }).heldOut.size, 5);
  assert.throws(() => holdout(data.derive({ time: null }), {}), /mode: got "last"; expected 'random' for data without timestamps/);
});

test('holdout training set: held-out items are the positives among the candidates of the earlier history', async () => {
  const data = fixture();
  const { early, heldOut } = holdout(data, { nHoldout: 1, minHistory: 1 });
  const pop = createModel('popularity');
  await pop.fit(early);
  const gen = modelCandidates([{ name: 'pop', model: pop, quota: 1 }]);
  const fb = FeatureBuilder.fit({ data: early, sourceNames: ['pop'], models: [{ name: 'pop', model: pop }] });
  const ts = buildTrainingSet(early, heldOut, { builder: fb, generate: gen, nCandidates: 3 });
  // u1 (early a, b): candidates d, c, e; u2 (early a, d): b, c, e; u3 (early a): b, d (count 1), then c
  // (count 0, the lower index before e): no positive, so u3's query is dropped unless kept on request
  assert.equal(ts.groupPtr.length - 1, 2);
  assert.equal(buildTrainingSet(early, heldOut, { builder: fb, generate: gen, nCandidates: 3, keepEmptyQueries: true }).groupPtr.length - 1, 3);
  const lab = new Map<string, number>();
  for (let r = 0; r < ts.nRows; r++) lab.set(`${data.users.id(ts.users[r])}:${data.items.id(ts.items[r])}`, ts.labels[r]);
  assert.equal(lab.get('u1:c'), 1);
  assert.equal(lab.get('u1:d'), 0);
  assert.equal(lab.get('u2:e'), 1);
  assert.equal(lab.get('u1:a'), undefined); // history never a candidate
  let pos = 0;
  for (const l of ts.labels) pos += l;
  assert.equal(pos, 2);
  assert.equal(ts.nRows, 6);
  const two = concatTrainingSets([ts, ts]);
  assert.deepEqual(Array.from(two.groupPtr), [0, 3, 6, 9, 12]);
  assert.deepEqual(two.features.subarray(6 * ts.nCols), ts.features);
  assert.deepEqual(Array.from(two.labels.subarray(6)), Array.from(ts.labels));
  // the popularity source score of d for u1 = its early count (1: u2)
  const r = Array.from(ts.items).findIndex((i, k) => data.items.id(i) === 'd' && data.users.id(ts.users[k]) === 'u1');
  assert.equal(ts.features[r * ts.nCols], 1);
  assert.equal(ts.features[r * ts.nCols + 1], 1);
});

test('impression training set: one query per (user, time), history before the request', () => {
  const data = fixture();
  const I = (id: string) => data.items.require(id);
  const u1 = data.users.require('u1');
  const fb = FeatureBuilder.fit({ data, sourceNames: ['logged'] });
  const ts = buildImpressionTrainingSet(
    data,
    { user: Int32Array.of(u1, u1, u1), item: Int32Array.of(I('c'), I('d'), I('b')), clicked: Uint8Array.of(1, 0, 0), time: Float64Array.of(250, 250, 150), sourceScore: Float32Array.of(0.3, 0.2, 0.1) },
    fb,
  );
  assert.deepEqual(Array.from(ts.groupPtr), [0, 1, 3]);
  assert.deepEqual(Array.from(ts.labels), [0, 1, 0]);
  const act = fb.schema.names.indexOf('user:logActivity');
  assert.equal(ts.features[act], Math.fround(Math.log1p(1))); // at t=150 the history is [a]
  assert.equal(ts.features[ts.nCols + act], Math.fround(Math.log1p(2))); // at t=250: [a, b]
  assert.equal(ts.features[ts.nCols], Math.fround(0.3));
  assert.throws(() => buildImpressionTrainingSet(data, { user: Int32Array.of(0), item: Int32Array.of(0, 1), clicked: Uint8Array.of(1), time: Float64Array.of(1) }, fb), /impressions.item: got 2/);
});
