import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelConformance, explicitFixture } from '../conformance.js';
import { createModel } from '../registry.js';

modelConformance('random', () => createModel('random', { seed: 3 }), {
  historyOverlap: { min: 0, why: 'random scores: a history is seeded by its items, a user by their index, so the two lists are independent draws' },
});

function scoresOf(m: ReturnType<typeof createModel>, u: number): number[] {
  const out = new Float32Array(m.nItems);
  m.scoreAll(u, out);
  return Array.from(out);
}

test('random: scores in [0, 1), deterministic per (seed, user), different across users and seeds', async () => {
  const { data } = explicitFixture();
  const a = createModel('random', { seed: 1 });
  const b = createModel('random', { seed: 1 });
  const c = createModel('random', { seed: 2 });
  await a.fit(data);
  await b.fit(data.subset([0, 1, 2])); // the training rows do not matter
  await c.fit(data);
  for (const s of scoresOf(a, 0)) assert.ok(s >= 0 && s < 1);
  assert.deepEqual(scoresOf(a, 4), scoresOf(b, 4));
  assert.deepEqual(scoresOf(a, 4), scoresOf(a, 4));
  assert.notDeepEqual(scoresOf(a, 4), scoresOf(a, 5));
  assert.notDeepEqual(scoresOf(a, 4), scoresOf(c, 4));
  // roughly uniform: the mean over all users and items is near 1/2
  let sum = 0;
  let n = 0;
  for (let u = 0; u < data.nUsers; u++) {
    for (const s of scoresOf(a, u)) {
      sum += s;
      n++;
    }
  }
  assert.ok(Math.abs(sum / n - 0.5) < 0.03, `mean ${sum / n}`);
});
