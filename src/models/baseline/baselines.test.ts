import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AffinityError } from '../../core/errors.js';
import { BASELINE_DEFAULTS, baselineRmse, fitBaselines } from './baselines.js';
import { tinyRatings } from '../../../test/helpers/tiny-ratings.js';

// 3 users x 3 items, mu = 18 / 6 = 3.
const tiny = tinyRatings();

function close(a: number, b: number, tol = 1e-12): void {
  assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);
}

test('ALS, one epoch, reg 1: hand-computed biases', () => {
  const b = fitBaselines(tiny, { ...BASELINE_DEFAULTS.als, epochs: 1, regU: 1, regI: 1 });
  close(b.mu, 3);
  // items first (bu = 0): bi_x = (2 + 1) / 3, bi_y = (0 - 1) / 3, bi_z = (-2 + 0) / 3
  close(b.bi[0], 1);
  close(b.bi[1], -1 / 3);
  close(b.bi[2], -2 / 3);
  // then users: bu_A = ((5-3-1) + (3-3+1/3)) / 3, bu_B = ((4-3-1) + (1-3+2/3)) / 3, bu_C = ((2-3+1/3) + (3-3+2/3)) / 3
  close(b.bu[0], 4 / 9);
  close(b.bu[1], -4 / 9);
  close(b.bu[2], 0);
});

test('ALS, two epochs: second item pass uses the first epoch user biases', () => {
  const b = fitBaselines(tiny, { ...BASELINE_DEFAULTS.als, epochs: 2, regU: 1, regI: 1 });
  // bi_x = ((2 - 4/9) + (1 + 4/9)) / 3 = 1; bi_y = ((0 - 4/9) + (-1 - 0)) / 3 = -13/27; bi_z = ((-2 + 4/9) + 0) / 3 = -14/27
  close(b.bi[0], 1);
  close(b.bi[1], -13 / 27);
  close(b.bi[2], -14 / 27);
  // bu_A = ((2 - 1) + (0 + 13/27)) / 3 = 40/81; bu_B = ((1 - 1) + (-2 + 14/27)) / 3 = -40/81; bu_C = ((-1 + 13/27) + (0 + 14/27)) / 3 = 0
  close(b.bu[0], 40 / 81);
  close(b.bu[1], -40 / 81);
  close(b.bu[2], 0);
});

test('SGD, one epoch: hand-computed updates in user-then-item order', () => {
  const b = fitBaselines(tiny, { ...BASELINE_DEFAULTS.sgd, epochs: 1, learningRate: 0.1, reg: 0 });
  // A-x: e = 2 -> bu_A = .2, bi_x = .2; A-y: e = 3 - 3.2 = -.2 -> bu_A = .18, bi_y = -.02
  // B-x: e = 4 - 3.2 = .8 -> bu_B = .08, bi_x = .28; B-z: e = 1 - 3.08 = -2.08 -> bu_B = -.128, bi_z = -.208
  // C-y: e = 2 - 2.98 = -.98 -> bu_C = -.098, bi_y = -.118; C-z: e = 3 - (3 - .098 - .208) = .306 -> bu_C = -.0674, bi_z = -.1774
  close(b.bu[0], 0.18, 1e-12);
  close(b.bu[1], -0.128, 1e-12);
  close(b.bu[2], -0.0674, 1e-12);
  close(b.bi[0], 0.28, 1e-12);
  close(b.bi[1], -0.118, 1e-12);
  close(b.bi[2], -0.1774, 1e-12);
});

test('ALS converges: training RMSE decreases with epochs and is below the mean-only RMSE', () => {
  const R = tiny.csr();
  const r0 = baselineRmse(R.indptr, R.indices, R.data, { mu: 3, bu: new Float64Array(3), bi: new Float64Array(3) });
  const r1 = baselineRmse(R.indptr, R.indices, R.data, fitBaselines(tiny, { ...BASELINE_DEFAULTS.als, epochs: 1, regU: 1, regI: 1 }));
  const r5 = baselineRmse(R.indptr, R.indices, R.data, fitBaselines(tiny, { ...BASELINE_DEFAULTS.als, epochs: 5, regU: 1, regI: 1 }));
  assert.ok(r1 < r0 && r5 <= r1 + 1e-12, `${r0} ${r1} ${r5}`);
});

test('users and items without rows keep a zero bias (shared id maps of a subset)', () => {
  const s2 = tiny.subset([0, 2]); // A-x, B-x: user C and items y, z have no rows
  const b = fitBaselines(s2, { ...BASELINE_DEFAULTS.als, regU: 0, regI: 0 });
  assert.equal(b.bu.length, 3);
  assert.equal(b.bi.length, 3);
  assert.equal(b.bu[2], 0);
  assert.equal(b.bi[1], 0);
  assert.equal(b.bi[2], 0);
  assert.ok(Number.isFinite(b.bu[0]) && Number.isFinite(b.bi[0]));
});

test('progress, abort and bad options', () => {
  const seen: number[] = [];
  fitBaselines(tiny, { ...BASELINE_DEFAULTS.als, epochs: 3, onProgress: (e) => seen.push(e.done) });
  assert.deepEqual(seen, [1, 2, 3]);
  const ac = new AbortController();
  ac.abort();
  assert.throws(() => fitBaselines(tiny, { ...BASELINE_DEFAULTS.als, signal: ac.signal }), (e: unknown) => e instanceof AffinityError && e.code === 'E_ABORTED');
  assert.throws(() => fitBaselines(tiny, { ...BASELINE_DEFAULTS.als, epochs: -1 }), (e: unknown) => e instanceof AffinityError && e.code === 'E_PARAM' && e.field === 'epochs');
  assert.throws(() => fitBaselines(tiny, { ...BASELINE_DEFAULTS.sgd, learningRate: 0 }), (e: unknown) => e instanceof AffinityError && e.field === 'learningRate');
});
