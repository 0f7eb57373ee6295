import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildApp } from '../../src/serve/app.js';
import { DriftMonitor, jsDivergence, jsDivergenceOfCounts } from '../../src/serve/drift.js';
import { openStore } from '../../src/store/index.js';
import { TestEngine } from './http-fixture.js';

const close = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('jsDivergence: hand-computed values, symmetric, in [0, 1]', () => {
  assert.equal(jsDivergence([1, 0], [0, 1]), 1); // disjoint supports: 1 bit
  assert.equal(jsDivergence([2, 2], [5, 5]), 0); // same shares
  // P = (1/2, 1/2), Q = (1, 0): M = (3/4, 1/4); KL(P||M) = 0.5 log2(2/3) + 0.5 log2(2) = 0.2075;
  // KL(Q||M) = log2(4/3) = 0.41504; JSD = (0.2075 + 0.41504) / 2 = 0.31128
  close(jsDivergence([1, 1], [1, 0]), 0.311278, 1e-6, 'jsd');
  close(jsDivergence([1, 0], [1, 1]), 0.311278, 1e-6, 'symmetric');
  close(jsDivergenceOfCounts(new Map([['a', 1], ['b', 1]]), new Map([['a', 7]])), 0.311278, 1e-6, 'maps');
});

test('DriftMonitor: reference cut, recent window, unknown items and new users', async () => {
  const store = await openStore('sqlite::memory:');
  try {
    // reference: 4 views of i1, 4 views of i2 by u1/u2 (seq 1..8)
    const ev = [];
    for (let k = 0; k < 8; k++) ev.push({ user: k % 2 ? 'u1' : 'u2', item: k < 4 ? 'i1' : 'i2', type: 'view', timestamp: 1000 + k });
    await store.insertEvents(ev);
    const d = new DriftMonitor(store, { window: 4 });
    let r = await d.refresh(8);
    assert.equal(r.referenceEvents, 8);
    assert.equal(r.recentEvents, 0);
    assert.equal(r.itemJsd, 0);
    // recent: i1 view, i3 purchase (unknown item), i3 purchase by u9 (new user), i1 view by u1 ...
    await store.insertEvents([
      { user: 'u1', item: 'i1', type: 'view', timestamp: 2000 },
      { user: 'u2', item: 'i3', type: 'purchase', timestamp: 2001 },
      { user: 'u9', item: 'i3', type: 'purchase', timestamp: 2002 },
      { user: 'u1', item: 'i1', type: 'view', timestamp: 2003 },
    ]);
    r = await d.refresh(8);
    assert.equal(r.recentEvents, 4);
    assert.equal(r.unknownItemShare, 0.5);
    assert.equal(r.newUserShare, 0.25);
    // types: reference view 1.0; recent view 0.5 / purchase 0.5: M = (0.75, 0.25) -> JSD 0.311278 (as above)
    close(r.eventTypeJsd, 0.311278, 1e-6, 'type jsd');
    // items: reference (i1 .5, i2 .5, i3 0), recent (i1 .5, i2 0, i3 .5): JSD = 0.5 exactly
    close(r.itemJsd, 0.5, 1e-12, 'item jsd');
    assert.deepEqual(r.risingItems[0], { item: 'i3', reference: 0, recent: 0.5 });
    // the window slides: 4 more i2 views push the first four out
    await store.insertEvents([0, 1, 2, 3].map((k) => ({ user: 'u1', item: 'i2', type: 'view', timestamp: 3000 + k })));
    r = await d.refresh(8);
    assert.equal(r.recentEvents, 4);
    assert.equal(r.unknownItemShare, 0);
    assert.equal(r.eventTypeJsd, 0);
    // a new reference cut (retraining on everything) rebuilds: nothing recent
    r = await d.refresh(16);
    assert.equal(r.referenceEvents, 16);
    assert.equal(r.recentEvents, 0);
  } finally {
    await store.close();
  }
});

test('GET /metrics exposes the named series after some requests', async () => {
  const store = await openStore('sqlite::memory:');
  const engine = new TestEngine(store);
  await engine.start();
  const app = await buildApp({ store, engine, auth: 'off' });
  const write = (await store.createApiKey({ name: 'w', scopes: ['read', 'write'] })).secret;
  try {
    let r = await app.inject({
      method: 'POST', url: '/v1/events', headers: { authorization: `Bearer ${write}` },
      payload: { events: [{ user: 'u1', item: 'i1', type: 'view' }, { user: 'u1', item: 'i2', type: 'purchase' }, { user: 'u2', item: 'i1', type: 'view' }] },
    });
    assert.equal(r.statusCode, 200, r.body);
    for (let k = 0; k < 3; k++) assert.equal((await app.inject({ method: 'GET', url: '/v1/users/u1/recommendations?n=2' })).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/v1/users/nobody' })).statusCode, 404);
    r = await app.inject({ method: 'GET', url: '/v1/stats' });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json().counts, { users: 2, items: 2, events: 3, models: 0, experiments: 0 });
    assert.deepEqual(r.json().eventsByType, [{ type: 'purchase', count: 1 }, { type: 'view', count: 2 }]);
    assert.equal(r.json().histogram.buckets.reduce((s: number, b: { count: number }) => s + b.count, 0), 3);
    r = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-type']), /^text\/plain/);
    const text = r.body;
    const line = (re: RegExp): string => {
      const m = text.split('\n').find((l) => re.test(l));
      assert.ok(m, `no line ${re} in\n${text.slice(0, 3000)}`);
      return m;
    };
    assert.match(line(/^affinity_http_request_duration_seconds_count\{method="GET",route="\/v1\/users\/:id\/recommendations",status="200"\}/), / 3$/);
    assert.match(line(/^affinity_http_requests_total\{method="GET",route="\/v1\/users\/:id",status="404"\}/), / 1$/);
    assert.match(line(/^affinity_http_requests_total\{method="POST",route="\/v1\/events",status="200"\}/), / 1$/);
    assert.match(line(/^affinity_events_ingested_total\{type="view"\}/), / 2$/);
    assert.match(line(/^affinity_events_ingested_total\{type="purchase"\}/), / 1$/);
    assert.match(line(/^affinity_store_events\{type="view"\}/), / 2$/);
    assert.match(line(/^affinity_store_users /), / 2$/);
    line(/^affinity_model_ready /);
    line(/^affinity_cache_hit_ratio /);
    line(/^# TYPE affinity_retrain_duration_seconds histogram/);
    line(/^# TYPE affinity_model_version gauge/);
    line(/^affinity_drift_item_jsd /);
    assert.match(line(/^affinity_drift_unknown_item_share /), / 0$/);
    line(/^affinity_process_cpu_seconds_total /);
    r = await app.inject({ method: 'GET', url: '/v1/stats/drift' });
    assert.equal(r.statusCode, 200, r.body);
    // no model: the reference is the whole log
    assert.equal(r.json().referenceEvents, 3);
  } finally {
    await app.close();
    await store.close();
  }
});

test('dashboard: static files of web/ at /dashboard/, no path escapes', async () => {
  const store = await openStore('sqlite::memory:');
  const engine = new TestEngine(store);
  await engine.start();
  const app = await buildApp({ store, engine });
  try {
    let r = await app.inject({ method: 'GET', url: '/dashboard' });
    assert.equal(r.statusCode, 302);
    assert.equal(r.headers.location, '/dashboard/');
    r = await app.inject({ method: 'GET', url: '/dashboard/' });
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-type']), /text\/html/);
    assert.match(r.body, /<title>Affinity dashboard<\/title>/);
    r = await app.inject({ method: 'GET', url: '/dashboard/js/app.js' });
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-type']), /javascript/);
    for (const bad of ['/dashboard/../package.json', '/dashboard/%2e%2e/package.json', '/dashboard/nope.js', '/dashboard/js/../../src/index.ts']) {
      r = await app.inject({ method: 'GET', url: bad });
      assert.equal(r.statusCode, 404, bad);
      assert.equal(r.json().error.code, 'E_NOT_FOUND');
    }
  } finally {
    await app.close();
    await store.close();
  }
});
