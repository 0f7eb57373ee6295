import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { modelConformance, checkerboardFixture } from '../conformance.js';
import { createModel } from '../registry.js';
import { minMaxNormalise, zNormalise } from './composite.js';
import { simplexGrid, type WeightedHybrid } from './weighted.js';

const small = 'als;factors=4;iterations=5';
modelConformance('weighted', () => createModel('weighted', { models: `${small}+popularity`, weights: '0.7+0.3' }), { checkerboard: true });
modelConformance('weighted', () => createModel('weighted', { models: `popularity+${small}`, mode: 'history', pivot: 3 }));
modelConformance('weighted', () => createModel('weighted', { models: `${small}+popularity`, mode: 'learned', normalise: 'z' }));
modelConformance('switching', () => createModel('switching', { models: `${small}+popularity`, threshold: 3 }));
modelConformance('cascade', () => createModel('cascade', { models: `popularity+${small}`, candidates: 8 }));
modelConformance('meta', () => createModel('meta', { models: small }), { checkerboard: true });

describe('combinator helpers', () => {
  it('min-max and z normalisation', () => {
    const a = Float32Array.of(1, 3, 5, -Infinity);
    minMaxNormalise(a);
    assert.deepEqual([...a], [0, 0.5, 1, 0]);
    const z = Float32Array.of(1, 3, 5);
    zNormalise(z);
    const sd = Math.sqrt(8 / 3);
    assert.ok(Math.abs(z[0] + 2 / sd) < 1e-6 && Math.abs(z[1]) < 1e-6 && Math.abs(z[2] - 2 / sd) < 1e-6);
  });

  it('simplex grid: 66 points for 3 components at step 0.1, each summing to 1', () => {
    const g = simplexGrid(3, 10);
    assert.equal(g.length, 66);
    for (const w of g) assert.ok(Math.abs(w[0] + w[1] + w[2] - 1) < 1e-9);
    assert.equal(simplexGrid(2, 10).length, 11);
  });

  it('fixed weights: the score is the weighted sum of min-max normalised component scores', async () => {
    const fx = checkerboardFixture();
    const m = createModel('weighted', { models: 'popularity+random', weights: '0.25+0.75' });
    await m.fit(fx.data);
    const [p, r] = (m as WeightedHybrid).components;
    const a = new Float32Array(m.nItems);
    const b = new Float32Array(m.nItems);
    p.scoreAll(3, a);
    r.scoreAll(3, b);
    minMaxNormalise(a);
    minMaxNormalise(b);
    const got = m.scoreItems(3, [0, 5, 9]);
    [0, 5, 9].forEach((i, k) => assert.ok(Math.abs(got[k] - (0.25 * a[i] + 0.75 * b[i])) < 1e-6));
  });

  it('history mode: CF weight is 1/2 at the pivot and grows with history', () => {
    const m = createModel('weighted', { models: 'popularity+als', mode: 'history', pivot: 5, steepness: 1 }) as WeightedHybrid;
    assert.deepEqual([...m.weightsFor(5)], [0.5, 0.5]);
    assert.ok(m.weightsFor(10)[1] > 0.99 && m.weightsFor(0)[1] < 0.01);
  });

  it('learned weights pick the model that ranks well over one that does not', async () => {
    const fx = checkerboardFixture();
    const w = createModel('weighted', { models: `${small}+random`, mode: 'learned', seed: 3 }) as WeightedHybrid;
    await w.fit(fx.data);
    assert.ok(w.weights[0] > w.weights[1], `weights ${[...w.weights]}`);
  });
});
