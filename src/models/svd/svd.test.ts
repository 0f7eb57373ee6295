import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AffinityError } from '../../core/errors.js';
import { IdMap } from '../../core/idmap.js';
import { Rng } from '../../core/rng.js';
import { Dataset } from '../../data/dataset.js';
import { createModel, loadModel, saveModel } from '../registry.js';
import type { ProgressEvent } from '../recommender.js';
import { ratingErrors } from '../../../test/helpers/split-eval.js';
import { FactorRatingModel } from './factor-model.js';
import { SvdModel } from './svd.js';
import { SvdppModel } from './svdpp.js';

/**
 * 80 users x 60 items from a rank-3 ground truth, ~40% observed, ratings 1..5. Item 59 is in the id
 * map but has no rows; rows of user 79 are held out (`test`), so user 79 is unknown to the model.
 */
function fixture(): { train: Dataset; test: Dataset; all: Dataset } {
  const rng = new Rng(3);
  const nU = 80;
  const nI = 60;
  const k = 3;
  const U = Float64Array.from({ length: nU * k }, () => rng.normal());
  const V = Float64Array.from({ length: nI * k }, () => rng.normal());
  const users = new IdMap();
  const items = new IdMap();
  for (let u = 0; u < nU; u++) users.add(`u${u}`);
  for (let i = 0; i < nI; i++) items.add(`i${i}`);
  const uu: number[] = [];
  const ii: number[] = [];
  const vv: number[] = [];
  for (let u = 0; u < nU; u++) {
    for (let i = 0; i < nI - 1; i++) {
      if (rng.next() >= 0.4) continue;
      let s = 3 + 0.3 * (i % 5) - 0.6;
      for (let t = 0; t < k; t++) s += 0.6 * U[u * k + t] * V[i * k + t];
      uu.push(u);
      ii.push(i);
      vv.push(Math.min(5, Math.max(1, Math.round(s + 0.3 * rng.normal()))));
    }
  }
  const all = new Dataset({ users, items, user: Int32Array.from(uu), item: Int32Array.from(ii), value: Float32Array.from(vv), kind: 'explicit', ratingScale: [1, 5] });
  const trainRows: number[] = [];
  const testRows: number[] = [];
  for (let r = 0; r < all.size; r++) (all.user[r] === nU - 1 || r % 7 === 0 ? testRows : trainRows).push(r);
  return { train: all.subset(trainRows), test: all.subset(testRows), all };
}

const FX = fixture();

async function fitted(name: 'svd' | 'svdpp', params: Record<string, unknown> = {}): Promise<FactorRatingModel> {
  const m = createModel(name, { factors: 8, epochs: 40, lr_all: 0.02, ...params });
  assert.ok(m instanceof FactorRatingModel);
  await m.fit(FX.train);
  return m;
}

test('registry: svd and svdpp build with tuned defaults; the -surprise presets carry Surprise defaults', () => {
  const svd = createModel('svd');
  const pp = createModel('svdpp');
  assert.ok(svd instanceof SvdModel && pp instanceof SvdppModel);
  assert.deepEqual([svd.params.factors, svd.params.epochs, svd.params.lr_all, svd.params.reg_all], [100, 40, 0.01, 0.1]);
  assert.deepEqual([pp.params.factors, pp.params.epochs, pp.params.lr_all, pp.params.reg_all], [50, 40, 0.007, 0.1]);
  const ss = createModel('svd-surprise');
  const sp = createModel('svdpp-surprise');
  assert.ok(ss instanceof SvdModel && sp instanceof SvdppModel);
  assert.deepEqual([ss.params.factors, ss.params.epochs, ss.params.lr_all, ss.params.reg_all, ss.params.initStd], [100, 20, 0.005, 0.02, 0.1]);
  assert.deepEqual([sp.params.factors, sp.params.epochs, sp.params.lr_all, sp.params.reg_all, sp.params.initStd], [20, 20, 0.007, 0.02, 0.1]);
  assert.throws(() => createModel('svd', { lr_bu: -0.5 }), (e: unknown) => e instanceof AffinityError && e.code === 'E_PARAM' && /lr_bu/.test(e.message));
  assert.throws(() => createModel('svd', { factors: 0 }), (e: unknown) => e instanceof AffinityError && e.code === 'E_PARAM');
});

for (const name of ['svd', 'svdpp'] as const) {
  test(`${name}: learns the fixture (held-out RMSE well below the global-mean predictor), loss falls per epoch`, async () => {
    const events: ProgressEvent[] = [];
    const m = createModel(name, { factors: 8, epochs: 30, lr_all: 0.02 });
    const rep = await m.fit(FX.train, { onProgress: (e) => events.push(e) });
    assert.equal(events.length, 30);
    assert.deepEqual(events.map((e) => e.done), Array.from({ length: 30 }, (_, k) => k + 1));
    assert.ok(events.every((e) => e.phase === 'epoch' && e.total === 30 && typeof e.loss === 'number'));
    assert.ok((events[29].loss as number) < (events[0].loss as number) * 0.9, `loss ${events[0].loss} -> ${events[29].loss}`);
    assert.equal(rep.loss, events[29].loss);
    assert.equal(rep.iterationSeconds?.length, 30);
    const mu = FX.train.meanValue();
    let se = 0;
    for (let r = 0; r < FX.test.size; r++) se += (FX.test.value[r] - mu) ** 2;
    const meanRmse = Math.sqrt(se / FX.test.size);
    const { rmse } = ratingErrors(m, FX.test);
    assert.ok(rmse < meanRmse * 0.8, `${rmse} vs global mean ${meanRmse}`);
  });

  test(`${name}: deterministic for a seed, different for another seed`, async () => {
    const a = await fitted(name, { seed: 5 });
    const b = await fitted(name, { seed: 5 });
    const c = await fitted(name, { seed: 6 });
    assert.deepEqual(a.state.qi, b.state.qi);
    assert.deepEqual(a.state.pu, b.state.pu);
    assert.deepEqual(a.state.bu, b.state.bu);
    assert.notDeepEqual(a.state.qi, c.state.qi);
    for (let u = 0; u < 10; u++) for (let i = 0; i < 10; i++) assert.equal(a.predict(u, i), b.predict(u, i));
  });

  test(`${name}: Surprise's rules for unknown users and items, clipping, unclipped scores`, async () => {
    const m = await fitted(name);
    const st = m.state;
    const cold = FX.all.users.get('u79');
    const newItem = FX.all.items.get('i59');
    assert.ok(Math.abs(m.predict(cold, 3) - m.estimate(cold, 3)) < 1e-12);
    assert.ok(Math.abs(m.estimate(cold, 3) - (st.mu + st.bi[3])) < 1e-12);
    assert.ok(Math.abs(m.estimate(0, newItem) - (st.mu + st.bu[0])) < 1e-12);
    assert.ok(Math.abs(m.estimate(cold, newItem) - st.mu) < 1e-12);
    const out = new Float32Array(m.nItems);
    let clipped = 0;
    for (let u = 0; u < 79; u++) {
      m.scoreAll(u, out);
      for (let i = 0; i < m.nItems; i++) {
        const p = m.predict(u, i);
        assert.ok(p >= 1 && p <= 5);
        assert.ok(Math.abs(out[i] - m.estimate(u, i)) < 1e-4);
        if (p !== m.estimate(u, i)) clipped++;
      }
    }
    assert.ok(clipped > 0, 'some estimates leave [1, 5] and are clipped by predict');
    // a cold user ranks by item bias
    m.scoreAll(cold, out);
    for (let i = 0; i < m.nItems; i++) assert.ok(Math.abs(out[i] - (st.mu + st.bi[i])) < 1e-5);
  });

  test(`${name}: save -> load gives identical predictions, rankings and neighbours`, async () => {
    const m = await fitted(name);
    const dir = mkdtempSync(join(tmpdir(), 'affinity-svd-'));
    try {
      const path = join(dir, `${name}.aff`);
      saveModel(m, path);
      const back = loadModel(path);
      assert.ok(back instanceof FactorRatingModel);
      for (let u = 0; u < 80; u += 7) {
        for (let i = 0; i < 60; i += 3) assert.equal(back.predict(u, i), m.predict(u, i));
        assert.deepEqual(back.recommend(u, { n: 10 }), m.recommend(u, { n: 10 }));
      }
      assert.deepEqual(back.similarItems(4, 5), m.similarItems(4, 5));
      assert.deepEqual(back.similarUsers(4, 5), m.similarUsers(4, 5));
      assert.deepEqual(back.explain(2, 9, 4), m.explain(2, 9, 4));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${name}: similarItems / similarUsers are cosine in factor space`, async () => {
    const m = await fitted(name);
    const f = m.state.f;
    const q = m.state.qi;
    const cos = (a: number, b: number): number => {
      let d = 0;
      let na = 0;
      let nb = 0;
      for (let t = 0; t < f; t++) {
        d += q[a * f + t] * q[b * f + t];
        na += q[a * f + t] ** 2;
        nb += q[b * f + t] ** 2;
      }
      return d / Math.sqrt(na * nb);
    };
    const sim = m.similarItems(4, 58);
    assert.equal(sim.items.length, 58); // 60 minus the item itself minus the item without rows
    assert.ok(!sim.items.includes(4) && !sim.items.includes(59));
    for (let k = 0; k < sim.items.length; k++) {
      assert.ok(Math.abs(sim.scores[k] - cos(4, sim.items[k])) < 1e-5);
      if (k) assert.ok(sim.scores[k] <= sim.scores[k - 1]);
    }
    const su = m.similarUsers(0, 100);
    assert.equal(su.items.length, 78); // 80 minus user 0 minus the cold user 79
    assert.ok(!su.items.includes(0) && !su.items.includes(79));
    assert.throws(() => m.similarItems(60), (e: unknown) => e instanceof AffinityError && e.code === 'E_UNKNOWN_ID');
  });

  test(`${name}: folding in an existing user's ratings reproduces close predictions`, async () => {
    const m = await fitted(name);
    const { indptr, indices, data } = m.seen;
    let worst = 0;
    let sumSq = 0;
    let count = 0;
    for (const u of [0, 5, 17, 40, 63]) {
      const items = indices.subarray(indptr[u], indptr[u + 1]);
      const folded = m.foldInUser(items, data.subarray(indptr[u], indptr[u + 1]));
      assert.equal(folded.vector.length, m.state.f);
      for (let i = 0; i < 59; i++) {
        const d = m.predictFolded(folded, i) - m.predict(u, i);
        sumSq += d * d;
        count++;
        worst = Math.max(worst, Math.abs(d));
      }
      // recommendations exclude the folded user's items
      const rec = m.recommendFolded(folded, { n: 5 });
      for (const i of rec.items) assert.ok(!items.includes(i));
    }
    const rms = Math.sqrt(sumSq / count);
    assert.ok(rms < 0.1, `fold-in vs trained prediction RMS ${rms}`);
    // fold-in also works for the held-out user and predicts their ratings better than the item baseline
    const cold = FX.all.users.get('u79');
    const rows: number[] = [];
    for (let r = 0; r < FX.test.size; r++) if (FX.test.user[r] === cold) rows.push(r);
    const half = rows.length >> 1;
    const folded = m.foldInUser(rows.slice(0, half).map((r) => FX.test.item[r]), rows.slice(0, half).map((r) => FX.test.value[r]));
    let seFold = 0;
    let seCold = 0;
    for (const r of rows.slice(half)) {
      seFold += (FX.test.value[r] - m.predictFolded(folded, FX.test.item[r])) ** 2;
      seCold += (FX.test.value[r] - m.predict(cold, FX.test.item[r])) ** 2;
    }
    assert.ok(seFold < seCold, `fold-in ${seFold} vs cold ${seCold}`);
    assert.throws(() => m.foldInUser([1, 2], [3]), (e: unknown) => e instanceof AffinityError && e.code === 'E_PARAM');
  });

  test(`${name}: explain lists the user's rated items by |cos x deviation|`, async () => {
    const m = await fitted(name);
    const st = m.state;
    const u = 3;
    const ex = m.explain(u, 10, 5);
    assert.equal(ex.prediction, m.predict(u, 10));
    assert.equal(ex.items.length, 5);
    const { indptr, indices, data } = m.seen;
    for (let k = 0; k < 5; k++) {
      const j = ex.items[k];
      const p = indptr[u] + indices.subarray(indptr[u], indptr[u + 1]).indexOf(j);
      assert.ok(p >= indptr[u], 'explained items are the user rated items');
      assert.ok(Math.abs(ex.deviation[k] - (data[p] - (st.mu + st.bu[u] + st.bi[j]))) < 1e-5);
      assert.ok(Math.abs(ex.contribution[k] - ex.similarity[k] * ex.deviation[k]) < 1e-6);
      assert.ok(ex.similarity[k] >= -1 - 1e-6 && ex.similarity[k] <= 1 + 1e-6);
      if (k) assert.ok(Math.abs(ex.contribution[k]) <= Math.abs(ex.contribution[k - 1]));
    }
    // no larger contribution was left out
    const minShown = Math.abs(ex.contribution[4]);
    const all = m.explain(u, 10, 1000);
    assert.equal(all.items.length, indptr[u + 1] - indptr[u]);
    assert.ok(all.contribution.slice(5).every((c) => Math.abs(c) <= minShown));
    assert.equal(m.explain(FX.all.users.get('u79'), 10).items.length, 0);
  });

  test(`${name}: an aborted signal stops training with E_ABORTED`, async () => {
    const m = createModel(name, { factors: 4, epochs: 50 });
    const ac = new AbortController();
    await assert.rejects(
      m.fit(FX.train, { signal: ac.signal, onProgress: (e) => e.done === 3 && ac.abort() }),
      (e: unknown) => e instanceof AffinityError && e.code === 'E_ABORTED',
    );
    assert.equal(m.fitted, false);
  });
}

test('svd biased=false: r = q·p, unknown parts give the global mean', async () => {
  const m = await fitted('svd', { biased: false, epochs: 60, lr_all: 0.01 });
  const st = m.state;
  assert.ok(st.bu.every((b) => b === 0) && st.bi.every((b) => b === 0));
  let dot = 0;
  for (let t = 0; t < st.f; t++) dot += st.qi[2 * st.f + t] * st.pu[st.f + t];
  assert.ok(Math.abs(m.estimate(1, 2) - dot) < 1e-5);
  assert.equal(m.estimate(FX.all.users.get('u79'), 2), st.mu);
  assert.equal(m.estimate(1, FX.all.items.get('i59')), st.mu);
  const { rmse } = ratingErrors(m, FX.test);
  assert.ok(rmse < 1.3, `unbiased rmse ${rmse}`);
});

test('per-term rates override lr_all / reg_all (lr_bu = lr_bi = 0 freezes the biases)', async () => {
  const m = await fitted('svd', { lr_bu: 0, lr_bi: 0 });
  assert.ok(m.state.bu.every((b) => b === 0) && m.state.bi.every((b) => b === 0));
  const pp = await fitted('svdpp', { lr_yj: 0, reg_yj: 0, initStd: 0.1 });
  const fresh = createModel('svdpp', { factors: 8, epochs: 0 });
  await fresh.fit(FX.train);
  assert.ok(fresh instanceof FactorRatingModel);
  // y_j never moves with lr_yj = 0 (rows of items without training data are zeroed in both)
  assert.deepEqual(pp.state.yj, fresh.state.yj);
});
