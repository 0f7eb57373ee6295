import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cooToCsr } from '../../core/csr.js';
import { Rng } from '../../core/rng.js';
import { rowsOfCsr, svdEpoch, svdppEpoch, svdppScratch, type RatingsCsr, type SgdRates } from './sgd.js';

function rates(lr: number, reg: number): SgdRates {
  return { lrBu: lr, lrBi: lr, lrPu: lr, lrQi: lr, lrYj: lr, regBu: reg, regBi: reg, regPu: reg, regQi: reg, regYj: reg };
}

function ratings(nU: number, nI: number, triples: [number, number, number][]): RatingsCsr {
  const m = cooToCsr(
    nU,
    nI,
    Int32Array.from(triples.map((t) => t[0])),
    Int32Array.from(triples.map((t) => t[1])),
    Float32Array.from(triples.map((t) => t[2])),
  );
  return { indptr: m.indptr, indices: m.indices, data: m.data, rowOf: rowsOfCsr(m.indptr) };
}

function close(actual: ArrayLike<number>, expected: number[], tol = 1e-6): void {
  assert.equal(actual.length, expected.length);
  for (let k = 0; k < expected.length; k++) {
    assert.ok(Math.abs(actual[k] - expected[k]) <= tol, `[${k}] ${actual[k]} vs ${expected[k]}`);
  }
}

test('SVD: two hand-computed SGD steps on a 2x2 example (f = 2)', () => {
  // ratings: (u0,i0)=4, (u1,i0)=2 ; CSR positions 0 and 1
  const R = ratings(2, 2, [
    [0, 0, 4],
    [1, 0, 2],
  ]);
  const bu = new Float64Array(2);
  const bi = new Float64Array(2);
  const pu = Float32Array.from([0.1, 0.2, 0.5, -0.2]);
  const qi = Float32Array.from([0.3, -0.1, 0.7, 0.7]);
  const r = rates(0.01, 0.1);
  // step 1, (u0, i0, 4): dot = 0.1*0.3 + 0.2*-0.1 = 0.01; err = 4 - (3.5 + 0.01) = 0.49
  let sse = svdEpoch(R, Int32Array.from([0]), 3.5, bu, bi, pu, qi, 2, true, r);
  close([sse], [0.2401], 1e-6);
  close(bu, [0.0049, 0], 1e-7); // 0.01 * 0.49
  close(bi, [0.0049, 0], 1e-7);
  // p0 = 0.1 + 0.01(0.49*0.3 - 0.1*0.1) = 0.10137 ; 0.2 + 0.01(0.49*-0.1 - 0.1*0.2) = 0.19931
  // q0 = 0.3 + 0.01(0.49*0.1 - 0.1*0.3) = 0.30019 ; -0.1 + 0.01(0.49*0.2 + 0.1*0.1) = -0.09892
  close(pu, [0.10137, 0.19931, 0.5, -0.2]);
  close(qi, [0.30019, -0.09892, 0.7, 0.7]);
  // step 2, (u1, i0, 2): dot = 0.30019*0.5 + -0.09892*-0.2 = 0.169879
  // err = 2 - (3.5 + 0 + 0.0049 + 0.169879) = -1.674779
  sse = svdEpoch(R, Int32Array.from([1]), 3.5, bu, bi, pu, qi, 2, true, r);
  close([sse], [1.674779 ** 2], 1e-6);
  close(bu, [0.0049, -0.01674779], 1e-7);
  close(bi, [0.0049 + 0.01 * (-1.674779 - 0.1 * 0.0049), 0], 1e-7); // -0.01185269
  // p1 = 0.5 + 0.01(-1.674779*0.30019 - 0.05) = 0.494473 ; -0.2 + 0.01(-1.674779*-0.09892 + 0.02) = -0.198143
  // q0 = 0.30019 + 0.01(-1.674779*0.5 - 0.030019) = 0.291516 ; -0.09892 + 0.01(-1.674779*-0.2 + 0.009892) = -0.095471
  close(pu, [0.10137, 0.19931, 0.4944725, -0.1981434], 2e-6);
  close(qi, [0.2915159, -0.0954715, 0.7, 0.7], 2e-6);
});

test('SVD unbiased: biases stay 0 and the offset is not used', () => {
  const R = ratings(1, 1, [[0, 0, 2]]);
  const bu = new Float64Array(1);
  const bi = new Float64Array(1);
  const pu = Float32Array.from([1]);
  const qi = Float32Array.from([1]);
  // err = 2 - 1 = 1 ; p = 1 + 0.1(1*1 - 0) = 1.1 ; q = 1 + 0.1(1*1) = 1.1
  svdEpoch(R, Int32Array.from([0]), 0, bu, bi, pu, qi, 1, false, rates(0.1, 0));
  close(bu, [0]);
  close(bi, [0]);
  close(pu, [1.1]);
  close(qi, [1.1]);
});

test('SVD++: one hand-computed step (user with one rating, f = 1)', () => {
  const R = ratings(1, 1, [[0, 0, 4]]);
  const bu = new Float64Array(1);
  const bi = new Float64Array(1);
  const pu = Float32Array.from([0.1]);
  const qi = Float32Array.from([0.5]);
  const yj = Float32Array.from([0.2]);
  // z = 0.2 ; dot = 0.5 * (0.1 + 0.2) = 0.15 ; err = 4 - 3.15 = 0.85
  const sse = svdppEpoch(R, Int32Array.from([0]), Int32Array.from([0]), 3, bu, bi, pu, qi, yj, 1, rates(0.1, 0.5), svdppScratch(1));
  close([sse], [0.7225], 1e-6);
  close(bu, [0.085], 1e-7); // 0.1 * (0.85 - 0)
  close(bi, [0.085], 1e-7);
  close(pu, [0.1375]); // 0.1 + 0.1(0.85*0.5 - 0.5*0.1)
  close(qi, [0.5005]); // 0.5 + 0.1(0.85*0.3 - 0.5*0.5)
  close(yj, [0.2325]); // 0.2 + 0.1(0.85*0.5/1 - 0.5*0.2)
});

/** Surprise's SVDpp loop, transcribed literally (f64; every y_j updated for every rating). */
function surpriseSvdpp(
  indptr: Int32Array,
  indices: Int32Array,
  data: Float32Array,
  userOrder: Int32Array,
  order: Int32Array,
  mu: number,
  bu: Float64Array,
  bi: Float64Array,
  pu: Float64Array,
  qi: Float64Array,
  yj: Float64Array,
  f: number,
  r: SgdRates,
): void {
  for (const u of userOrder) {
    const Iu = Array.from(indices.subarray(indptr[u], indptr[u + 1]));
    const sq = Math.sqrt(Iu.length);
    for (let q = indptr[u]; q < indptr[u + 1]; q++) {
      const p = order[q];
      const i = indices[p];
      const impl = new Float64Array(f);
      for (const j of Iu) for (let t = 0; t < f; t++) impl[t] += yj[j * f + t] / sq;
      let dot = 0;
      for (let t = 0; t < f; t++) dot += qi[i * f + t] * (pu[u * f + t] + impl[t]);
      const err = data[p] - (mu + bu[u] + bi[i] + dot);
      bu[u] += r.lrBu * (err - r.regBu * bu[u]);
      bi[i] += r.lrBi * (err - r.regBi * bi[i]);
      for (let t = 0; t < f; t++) {
        const puf = pu[u * f + t];
        const qif = qi[i * f + t];
        pu[u * f + t] += r.lrPu * (err * qif - r.regPu * puf);
        qi[i * f + t] += r.lrQi * (err * (puf + impl[t]) - r.regQi * qif);
        for (const j of Iu) yj[j * f + t] += r.lrYj * (err * qif / sq - r.regYj * yj[j * f + t]);
      }
    }
  }
}

test("SVD++: the O(f)-per-rating kernel equals Surprise's per-rating update of every y_j", () => {
  const rng = new Rng(7);
  const nU = 12;
  const nI = 9;
  const f = 4;
  const triples: [number, number, number][] = [];
  for (let u = 0; u < nU; u++) for (let i = 0; i < nI; i++) if (rng.next() < 0.55) triples.push([u, i, 1 + rng.int(5)]);
  const R = ratings(nU, nI, triples);
  const init = (n: number): Float64Array => Float64Array.from({ length: n }, () => 0.1 * rng.normal());
  const pu0 = init(nU * f);
  const qi0 = init(nI * f);
  const yj0 = init(nI * f);
  const r = rates(0.05, 0.1);
  const mu = 3;
  const ours = { bu: new Float64Array(nU), bi: new Float64Array(nI), pu: Float32Array.from(pu0), qi: Float32Array.from(qi0), yj: Float32Array.from(yj0) };
  const ref = { bu: new Float64Array(nU), bi: new Float64Array(nI), pu: Float64Array.from(ours.pu), qi: Float64Array.from(ours.qi), yj: Float64Array.from(ours.yj) };
  const scratch = svdppScratch(f);
  for (let epoch = 0; epoch < 3; epoch++) {
    const userOrder = rng.permutation(nU);
    const order = new Int32Array(R.indices.length);
    for (let u = 0; u < nU; u++) {
      const perm = rng.permutation(R.indptr[u + 1] - R.indptr[u]);
      for (let k = 0; k < perm.length; k++) order[R.indptr[u] + k] = R.indptr[u] + perm[k];
    }
    svdppEpoch(R, userOrder, order, mu, ours.bu, ours.bi, ours.pu, ours.qi, ours.yj, f, r, scratch);
    surpriseSvdpp(R.indptr, R.indices, R.data, userOrder, order, mu, ref.bu, ref.bi, ref.pu, ref.qi, ref.yj, f, r);
  }
  close(ours.bu, Array.from(ref.bu), 1e-5);
  close(ours.bi, Array.from(ref.bi), 1e-5);
  close(ours.pu, Array.from(ref.pu), 1e-5);
  close(ours.qi, Array.from(ref.qi), 1e-5);
  close(ours.yj, Array.from(ref.yj), 1e-5);
  // and the run really moved the parameters
  assert.ok(Math.abs(ref.yj[0] - yj0[0]) > 1e-3);
});
