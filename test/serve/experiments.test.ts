import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { assignVariant, bucketOf, erfc, normalCdf, results, twoProportionZ, variantAt, wilson } from '../../src/serve/experiments.js';
import { buildApp } from '../../src/serve/app.js';
import { openStore } from '../../src/store/index.js';
import type { Experiment } from '../../src/store/types.js';
import { TestEngine } from './http-fixture.js';

const close = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('bucketOf: the first 48 bits of SHA-256(experiment \\0 user), stable and in [0, 1)', () => {
  const h = createHash('sha256').update('exp-1\0user-42').digest();
  assert.equal(bucketOf('exp-1', 'user-42'), h.readUIntBE(0, 6) / 2 ** 48);
  assert.equal(bucketOf('exp-1', 'user-42'), bucketOf('exp-1', 'user-42'));
  assert.notEqual(bucketOf('exp-1', 'user-42'), bucketOf('exp-2', 'user-42'));
  // no concatenation ambiguity: ("ab", "c") and ("a", "bc") differ
  assert.notEqual(bucketOf('ab', 'c'), bucketOf('a', 'bc'));
});

test('variantAt: cumulative normalised weights', () => {
  const vs = [{ name: 'a', weight: 1 }, { name: 'b', weight: 3 }];
  assert.equal(variantAt(vs, 0).name, 'a');
  assert.equal(variantAt(vs, 0.2499).name, 'a');
  assert.equal(variantAt(vs, 0.25).name, 'b');
  assert.equal(variantAt(vs, 0.999999).name, 'b');
  assert.throws(() => variantAt([], 0.5), /variants: empty/);
  assert.throws(() => variantAt([{ name: 'x', weight: 0 }], 0.5), /variants\[0\]\.weight/);
});

test('assignVariant: deterministic and proportional to the weights (20000 users, 1:2:1)', () => {
  const exp = { id: 'split-test', variants: [{ name: 'A', weight: 1, config: {} }, { name: 'B', weight: 2, config: {} }, { name: 'C', weight: 1, config: {} }] };
  const n = 20000;
  const count = new Map<string, number>();
  for (let u = 0; u < n; u++) {
    const v = assignVariant(exp, `u${u}`).name;
    count.set(v, (count.get(v) ?? 0) + 1);
    if (u % 997 === 0) assert.equal(assignVariant(exp, `u${u}`).name, v);
  }
  // Binomial sd for p=0.25 over 20000 is 61; 0.5 -> 71. Allow 4 sd.
  close(count.get('A') ?? 0, 5000, 250, 'A');
  close(count.get('B') ?? 0, 10000, 290, 'B');
  close(count.get('C') ?? 0, 5000, 250, 'C');
});

test('wilson: hand-computed intervals', () => {
  // 8/10: centre (0.8 + 1.92/10)/(1 + 3.8415/10) = 0.71674, half 0.22657 -> [0.4902, 0.9433]
  const a = wilson(8, 10);
  assert.equal(a.rate, 0.8);
  close(a.low, 0.4902, 1e-4, 'low 8/10');
  close(a.high, 0.9433, 1e-4, 'high 8/10');
  // 0/20: [0, z^2/(n + z^2)] = [0, 3.8415/23.8415] = [0, 0.16113]
  const b = wilson(0, 20);
  assert.equal(b.low, 0);
  close(b.high, 3.841458820694124 / (20 + 3.841458820694124), 1e-12, 'high 0/20');
  // 50/100: symmetric around 0.5: 0.5 -/+ 0.0962 -> [0.4038, 0.5962]
  const c = wilson(50, 100);
  close(c.low, 0.4038, 1e-4, 'low 50/100');
  close(c.high, 0.5962, 1e-4, 'high 50/100');
  assert.deepEqual(wilson(0, 0), { rate: 0, low: 0, high: 1, successes: 0, trials: 0 });
  // successes capped at trials
  assert.equal(wilson(12, 10).rate, 1);
});

test('erfc / normalCdf against tabulated values', () => {
  close(normalCdf(1.959963984540054), 0.975, 1e-6, 'Phi(1.96)');
  close(normalCdf(0), 0.5, 1e-7, 'Phi(0)');
  close(normalCdf(-1), 0.158655254, 1e-7, 'Phi(-1)');
  close(erfc(1), 0.157299207, 1e-7, 'erfc(1)');
  close(erfc(-0.5), 1.520499878, 1e-7, 'erfc(-0.5)');
});

test('twoProportionZ: hand-computed pooled z-test', () => {
  // 200/1000 vs 250/1000: p = 0.225, se = sqrt(0.225 * 0.775 * 0.002) = 0.0186748, z = 0.05 / se = 2.67743,
  // two-sided p = 2 (1 - Phi(2.67743)) = 0.007419
  const t = twoProportionZ(200, 1000, 250, 1000);
  close(t.diff, 0.05, 1e-12, 'diff');
  close(t.lift ?? NaN, 0.25, 1e-12, 'lift');
  close(t.z, 0.05 / Math.sqrt(0.225 * 0.775 * 0.002), 1e-9, 'z');
  close(t.z, 2.67743, 1e-4, 'z value');
  close(t.pValue, 0.007419, 2e-5, 'p');
  // symmetric; no difference -> z = 0, p = 1
  close(twoProportionZ(250, 1000, 200, 1000).z, -t.z, 1e-12, 'antisymmetric');
  const same = twoProportionZ(30, 100, 60, 200);
  assert.equal(same.z, 0);
  close(same.pValue, 1, 1e-7, 'p same');
  // degenerate: no trials or all-zero rates
  assert.deepEqual(twoProportionZ(0, 0, 5, 10), { diff: 0.5, lift: null, z: 0, pValue: 1 });
  assert.equal(twoProportionZ(0, 10, 0, 10).pValue, 1);
});

test('results: rates, intervals and Bonferroni-adjusted tests per variant', () => {
  const exp: Experiment = {
    id: 'e', name: 'E', status: 'running', createdAt: 0, updatedAt: 0,
    variants: [{ name: 'control', weight: 1, config: {} }, { name: 'b', weight: 1, config: {} }, { name: 'c', weight: 1, config: {} }],
  };
  const base = { conversions: 0, clickUsers: 0, conversionValue: 0 };
  const r = results(exp, [
    { variant: 'control', impressions: 1000, clicks: 200, exposedUsers: 500, convertedUsers: 50, ...base },
    { variant: 'b', impressions: 1000, clicks: 250, exposedUsers: 500, convertedUsers: 50, ...base },
  ]);
  assert.equal(r.control, 'control');
  assert.equal(r.variants.length, 3);
  assert.equal(r.variants[0].vsControl, null);
  const b = r.variants[1].vsControl;
  assert.ok(b);
  close(b.ctr.pValue, 0.007419, 2e-5, 'p b');
  close(b.ctr.pAdjusted, 2 * b.ctr.pValue, 1e-12, 'bonferroni x2');
  assert.equal(b.ctr.significant, true);
  assert.equal(b.conversion.z, 0);
  assert.equal(b.conversion.significant, false);
  // a variant with no log rows gets zero counts and the [0, 1] interval
  assert.equal(r.variants[2].impressions, 0);
  assert.deepEqual([r.variants[2].ctr.low, r.variants[2].ctr.high], [0, 1]);
  close(r.variants[1].ctr.low, wilson(250, 1000).low, 0, 'ctr interval');
});

test('HTTP: create, assign, log (variant derived by bucketing), results, errors name the field', async () => {
  const store = await openStore('sqlite::memory:');
  const engine = new TestEngine(store);
  await engine.start();
  const app = await buildApp({ store, engine, auth: 'off' });
  const write = (await store.createApiKey({ name: 'w', scopes: ['read', 'write'] })).secret;
  const auth = { authorization: `Bearer ${write}` };
  try {
    let r = await app.inject({ method: 'POST', url: '/v1/experiments', headers: auth, payload: { id: 'ab1', name: 'ALS vs popular', variants: [{ name: 'als', config: { model: 'als' } }, { name: 'pop', weight: 1, config: { model: 'popularity' } }], status: 'running' } });
    assert.equal(r.statusCode, 200, r.body);
    // no write without a write key
    r = await app.inject({ method: 'POST', url: '/v1/experiments/ab1/log', payload: { entries: [{ user: 'u1', kind: 'impression' }] } });
    assert.equal(r.statusCode, 401);
    r = await app.inject({ method: 'GET', url: '/v1/experiments' });
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json().experiments.map((e: Experiment) => e.id), ['ab1']);
    r = await app.inject({ method: 'GET', url: '/v1/experiments/ab1/assignment?user=u7' });
    assert.equal(r.json().variant, assignVariant((await store.getExperiment('ab1')) as Experiment, 'u7').name);
    close(r.json().bucket, bucketOf('ab1', 'u7'), 0, 'bucket');
    // 40 users, each one impression; users 0..9 click; variant from bucketing
    const entries: Array<{ user: string; kind: string }> = [];
    for (let u = 0; u < 40; u++) entries.push({ user: `u${u}`, kind: 'impression' });
    for (let u = 0; u < 10; u++) entries.push({ user: `u${u}`, kind: 'click' });
    r = await app.inject({ method: 'POST', url: '/v1/experiments/ab1/log', headers: auth, payload: { entries } });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().logged, 50);
    r = await app.inject({ method: 'GET', url: '/v1/experiments/ab1/results' });
    assert.equal(r.statusCode, 200, r.body);
    const res = r.json();
    const exp = (await store.getExperiment('ab1')) as Experiment;
    const expectImp = new Map<string, number>();
    const expectClk = new Map<string, number>();
    for (let u = 0; u < 40; u++) {
      const v = assignVariant(exp, `u${u}`).name;
      expectImp.set(v, (expectImp.get(v) ?? 0) + 1);
      if (u < 10) expectClk.set(v, (expectClk.get(v) ?? 0) + 1);
    }
    for (const v of res.variants) {
      assert.equal(v.impressions, expectImp.get(v.variant) ?? 0);
      assert.equal(v.clicks, expectClk.get(v.variant) ?? 0);
      close(v.ctr.low, wilson(v.clicks, v.impressions).low, 1e-12, 'ctr low');
    }
    assert.equal(res.variants.reduce((s: number, v: { impressions: number }) => s + v.impressions, 0), 40);
    // errors
    r = await app.inject({ method: 'POST', url: '/v1/experiments/ab1/log', headers: auth, payload: { entries: [{ user: 'u1', kind: 'impression', variant: 'nope' }] } });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().error.field, 'body/entries/0/variant');
    r = await app.inject({ method: 'POST', url: '/v1/experiments/ab1/log', headers: auth, payload: { entries: [{ user: 'u1', kind: 'view' }] } });
    assert.equal(r.statusCode, 400);
    assert.match(r.json().error.message, /^body\/entries\/0\/kind/);
    r = await app.inject({ method: 'GET', url: '/v1/experiments/missing/results' });
    assert.equal(r.statusCode, 404);
    assert.equal(r.json().error.field, 'params/id');
    r = await app.inject({ method: 'POST', url: '/v1/experiments', headers: auth, payload: { id: 'ab2', variants: [{ name: 'x' }, { name: 'x' }] } });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().error.field, 'body/variants/1/name');
    r = await app.inject({ method: 'POST', url: '/v1/experiments/ab1/status', headers: auth, payload: { status: 'stopped' } });
    assert.equal(r.json().status, 'stopped');
  } finally {
    await app.close();
    await store.close();
  }
});
