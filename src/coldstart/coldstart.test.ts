import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IdMap } from '../core/idmap.js';
import { Dataset } from '../data/dataset.js';
import type { FeatureTable } from '../data/features.js';
import { modelConformance } from '../models/conformance.js';
import { createModel } from '../models/registry.js';
import { explorationBonus } from './history.js';
import { itemFeatureMatrix, sparseRidge, tokenize } from './item-matrix.js';
import { userSegments } from './segment.js';
import { chooseOnboardingItems, searchHistory } from './onboarding.js';

modelConformance('segment-popularity', () => createModel('segment-popularity'));
modelConformance('cold-items', () => createModel('cold-items', { model: 'als;factors=4;iterations=5' }), { checkerboard: true });

function users(): FeatureTable {
  return {
    ids: new IdMap(['a', 'b', 'c', 'd']),
    columns: [
      { kind: 'categorical', name: 'gender', codes: Int32Array.of(0, 0, 1, 1), vocab: ['F', 'M'] },
      { kind: 'numeric', name: 'age', values: Float64Array.of(20, 22, 40, Number.NaN) },
    ],
  };
}

describe('segment popularity', () => {
  it('segments by gender and age band; smoothed counts by hand', async () => {
    const data = Dataset.fromTriples([
      ['a', 'x', 1], ['b', 'x', 1], ['c', 'y', 1], ['d', 'y', 1], ['a', 'z', 1],
    ], { kind: 'implicit' }).withFeatures({ userFeatures: users() });
    const seg = userSegments(data.userFeatures, data.users, ['gender', 'age']);
    assert.deepEqual(seg.labels, ['F|band1', 'M|band3', 'M|?']);
    const m = createModel('segment-popularity', { features: 'gender,age', smoothing: 2 });
    await m.fit(data);
    // segment F|band1 = {a, b}: x 2, y 0, z 1; global shares over 4 users: x .5, y .5, z .25
    const s = m.scoreItems(0, [0, 1, 2]);
    assert.ok(Math.abs(s[0] - (2 + 2 * 0.5) / 4) < 1e-6);
    assert.ok(Math.abs(s[1] - (0 + 2 * 0.5) / 4) < 1e-6);
    assert.ok(Math.abs(s[2] - (1 + 2 * 0.25) / 4) < 1e-6);
    const g = m.scoreItems(-1, [0, 1, 2]);
    assert.deepEqual([...g], [0.5, 0.5, 0.25]);
  });
});

describe('cold-start helpers', () => {
  it('UCB bonus: c * sqrt(ln N / (1 + n_i))', () => {
    const s = explorationBonus(Float32Array.of(1, 1, 1), [0, 3, 7], 2);
    const l = Math.log(10);
    assert.ok(Math.abs(s[0] - (1 + 2 * Math.sqrt(l))) < 1e-5);
    assert.ok(Math.abs(s[1] - (1 + 2 * Math.sqrt(l / 4))) < 1e-5);
    assert.ok(Math.abs(s[2] - (1 + 2 * Math.sqrt(l / 8))) < 1e-5);
    assert.throws(() => explorationBonus(new Float32Array(2), [1], 1), /impressions/);
  });

  it('tokenize is Unicode-aware and keeps years only', () => {
    assert.deepEqual(tokenize('Amélie (2001) à 3 Köln-Bonn 42'), ['amélie', '2001', 'köln', 'bonn']);
  });

  it('ridge recovers an exact linear map from one-hot features', () => {
    const items = new IdMap(['i0', 'i1', 'i2', 'i3']);
    const table: FeatureTable = { ids: items, columns: [{ kind: 'multi', name: 'g', indptr: Int32Array.of(0, 1, 2, 4, 5), codes: Int32Array.of(0, 1, 0, 1, 0), vocab: ['A', 'B'] }] };
    const { x, names } = itemFeatureMatrix(table, items, 1);
    assert.deepEqual(names, ['g=A', 'g=B', '(bias)']);
    // targets: y = 1*A + 3*B + 0.5 (bias), one factor
    const y = Float32Array.of(1.5, 3.5, 4.5, 1.5);
    const w = sparseRidge(x, Int32Array.of(0, 1, 2), y, 1, 1e-9, 50);
    // item 3 (A only) is predicted from the fitted map
    let p = 0;
    for (let q = x.indptr[3]; q < x.indptr[4]; q++) p += x.data[q] * w[x.indices[q]];
    assert.ok(Math.abs(p - 1.5) < 1e-3, `prediction ${p}`);
  });

  it('onboarding picks distinct categories first; search bootstraps a history', () => {
    const rows: [string, string, number][] = [];
    for (let u = 0; u < 30; u++) for (let i = 0; i < 6; i++) if ((u + i) % 3 !== 0 || i < 2) rows.push([`u${u}`, `m${i}`, 1 + ((u * 7 + i) % 5)]);
    const items = new IdMap(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    const table: FeatureTable = {
      ids: items,
      columns: [
        { kind: 'multi', name: 'genres', indptr: Int32Array.of(0, 1, 2, 3, 4, 5, 6), codes: Int32Array.of(0, 0, 1, 1, 2, 2), vocab: ['Drama', 'Comedy', 'War'] },
        { kind: 'text', name: 'title', values: ['Amélie', 'Heat', 'Casablanca', 'Alien', 'Aliens', 'Fargo'] },
      ],
    };
    const data = Dataset.fromTriples(rows).withFeatures({ itemFeatures: table });
    const pick = chooseOnboardingItems(data, { n: 3, category: 'genres' });
    const genreOf = [0, 0, 1, 1, 2, 2];
    const cats = new Set(Array.from(pick, (i) => genreOf[Number(data.items.id(i).slice(1))]));
    assert.equal(pick.length, 3);
    assert.equal(cats.size, 3, `categories of ${[...pick]}`);
    const h = searchHistory(data, 'aliens', 2);
    assert.equal(data.items.id(h[0]), 'm4');
  });
});
