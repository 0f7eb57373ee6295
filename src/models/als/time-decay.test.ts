import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AffinityError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { Dataset } from '../../data/dataset.js';
import { createModel } from '../registry.js';
import { AlsRecommender, decayedValues } from './als.js';

const DAY = 86400;

test('ALS halfLifeDays: hand-computed decayed values (counts and binary)', () => {
  const data = Dataset.fromTriples([['a', 'x', 2, 0], ['a', 'y', 2, 10 * DAY], ['b', 'x', 3, 20 * DAY]], { kind: 'implicit' });
  const cfg = (createModel('als', { halfLifeDays: 10 }) as AlsRecommender).config();
  const d = decayedValues(data, cfg, 10, 'als.halfLifeDays');
  assert.ok(d);
  // ages 20, 10, 0 days with a 10-day half-life: weights 0.25, 0.5, 1
  assert.deepEqual(Array.from(d.value), [0.5, 1, 3]);
  const b = decayedValues(data, { ...cfg, binary: true }, 10, 'als.halfLifeDays');
  assert.deepEqual(Array.from(b!.value), [0.25, 0.5, 1]);
  assert.equal(decayedValues(data, cfg, 0, 'als.halfLifeDays'), null);
});

/** Two item clusters (A = 0..9, B = 10..19) liked by two user groups; user 60 liked A long ago, B lately. */
function clusters(): Dataset {
  const rng = new Rng(7);
  const rows: Array<[string, string, number, number]> = [];
  for (let u = 0; u < 60; u++) {
    const base = u < 30 ? 0 : 10;
    for (let i = 0; i < 10; i++) if (rng.next() < 0.6) rows.push([`u${u}`, `i${base + i}`, 1, rng.int(100) * DAY]);
  }
  for (let i = 0; i < 5; i++) rows.push(['u60', `i${i}`, 1, 0]);
  for (let i = 10; i < 15; i++) rows.push(['u60', `i${i}`, 1, 100 * DAY]);
  return Dataset.fromTriples(rows, { kind: 'implicit' });
}

test('ALS halfLifeDays: equals training on the decayed values, and tilts a user towards recent tastes', async () => {
  const data = clusters();
  const params = { factors: 4, iterations: 10, alpha: 20, regularization: 0.1, threads: 1 };
  const decayed = createModel('als', { ...params, halfLifeDays: 5 }) as AlsRecommender;
  await decayed.fit(data);
  const w = decayedValues(data, decayed.config(), 5, 'als.halfLifeDays')!;
  const manual = createModel('als', params) as AlsRecommender;
  await manual.fit(w);
  assert.deepEqual(decayed.userFactors, manual.userFactors);
  const plain = createModel('als', params) as AlsRecommender;
  await plain.fit(data);
  assert.notDeepEqual(plain.userFactors, decayed.userFactors);

  const u = data.users.get('u60');
  const gap = (m: AlsRecommender): number => {
    const s = m.scoreItems(u, [5, 6, 7, 8, 9, 15, 16, 17, 18, 19].map((k) => data.items.get(`i${k}`)));
    let a = 0;
    let b = 0;
    for (let k = 0; k < 5; k++) {
      a += s[k];
      b += s[k + 5];
    }
    return (b - a) / 5;
  };
  // the old A items fade: unseen B items score well above unseen A items, far more than without decay
  assert.ok(gap(decayed) > 0.2, `decayed gap ${gap(decayed)}`);
  assert.ok(gap(decayed) > gap(plain) + 0.2, `decayed ${gap(decayed)} vs plain ${gap(plain)}`);
  const top = decayed.recommend(u, { n: 5 }).items;
  const ids = Array.from(top, (k) => Number(data.items.id(k).slice(1)));
  assert.ok(ids.every((k) => k >= 15 && k < 20), `top-5 of u60: ${ids}`);
});

test('ALS halfLifeDays: clear errors without timestamps and on explicit ALS', async () => {
  const noTime = Dataset.fromTriples([['a', 'x', 1], ['b', 'y', 1]], { kind: 'implicit' });
  await assert.rejects(createModel('als', { factors: 2, halfLifeDays: 3 }).fit(noTime), (e: unknown) => e instanceof AffinityError && e.code === 'E_PARAM' && /no timestamps/.test(e.message));
  const rated = Dataset.fromTriples([['a', 'x', 4, 0], ['b', 'y', 3, 0]], { kind: 'explicit', ratingScale: [1, 5] });
  await assert.rejects(createModel('als-explicit', { factors: 2, halfLifeDays: 3 }).fit(rated), (e: unknown) => e instanceof AffinityError && e.code === 'E_PARAM' && /explicit ALS/.test(e.message));
});
