import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildApp } from '../../src/serve/app.js';
import { createEngine } from '../../src/serve/engine/index.js';
import { startServer } from '../../src/serve/server.js';
import { openStore } from '../../src/store/index.js';
import { TestEngine } from './http-fixture.js';

test('graceful shutdown: in-flight requests finish, every acknowledged event is stored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'affinity-http-'));
  const dbUrl = `sqlite://${join(dir, 'a.db')}`;
  const admin = 'test-admin-key-0123456789abcdef';
  let engine: TestEngine | null = null;
  try {
    const server = await startServer({
      port: 0,
      host: '127.0.0.1',
      dbUrl,
      adminKey: admin,
      engine: (s) => (engine = new TestEngine(s)),
      out: () => undefined,
    });
    const post = (k: number) =>
      fetch(`${server.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
        body: JSON.stringify({ events: Array.from({ length: 20 }, (_, j) => ({ user: `u${k}`, item: `i${j}`, type: 'view', key: `b${k}-${j}` })) }),
      }).then(
        async (r) => ({ k, status: r.status, body: (await r.json()) as { inserted?: number } }),
        () => ({ k, status: 0, body: {} }),
      );
    const first = await Promise.all([0, 1, 2].map(post));
    assert.deepEqual(first.map((r) => r.status), [200, 200, 200]);
    const inflight = Array.from({ length: 40 }, (_, k) => post(k + 3));
    await new Promise((r) => setTimeout(r, 5));
    await server.close();
    const results = [...first, ...(await Promise.all(inflight))];
    const acked = results.filter((r) => r.status === 200);
    assert.ok(acked.length >= 3);
    for (const r of results) assert.ok([0, 200, 503].includes(r.status), `status ${r.status}`);
    assert.equal((engine as TestEngine | null)?.stopped, true);
    const store = await openStore(dbUrl);
    try {
      for (const r of acked) assert.equal((await store.recentEvents(`u${r.k}`, 100)).length, 20, `batch ${r.k} acknowledged but missing`);
      assert.equal((await store.counts()).events, acked.length * 20);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('real engine: a new event changes the user\'s next recommendations at once', async () => {
  const store = await openStore('sqlite::memory:');
  const events = [];
  // Two taste groups: users 0-19 like items a0-a9, users 20-39 like b0-b9; each user saw 6 of their 10.
  for (let u = 0; u < 40; u++) {
    const g = u < 20 ? 'a' : 'b';
    for (let j = 0; j < 6; j++) events.push({ user: `u${u}`, item: `${g}${(u + j) % 10}`, type: 'view', timestamp: 1_700_000_000_000 + u * 100 + j });
  }
  await store.insertEvents(events);
  const key = (await store.createApiKey({ name: 'w', scopes: ['write'] })).secret;
  const engine = createEngine(store, { model: 'item-knn', worker: false, holdout: 0 });
  await engine.start();
  const app = await buildApp({ store, engine });
  try {
    const recs = async () => (await app.inject({ url: '/v1/users/u0/recommendations?n=4', headers: { 'x-api-key': key } })).json() as { items: Array<{ id: string }> };
    const before = await recs();
    assert.equal(before.items.length, 4);
    const top = before.items[0].id;
    const r = await app.inject({ method: 'POST', url: '/v1/events', headers: { 'x-api-key': key }, payload: { events: [{ user: 'u0', item: top, type: 'purchase' }] } });
    assert.equal(r.statusCode, 200);
    const after = await recs();
    assert.ok(!after.items.some((i) => i.id === top), `${top} was just purchased and must drop out: ${JSON.stringify(after.items.map((i) => i.id))}`);
    assert.notDeepEqual(after.items.map((i) => i.id), before.items.map((i) => i.id));
  } finally {
    await app.close();
    await engine.stop();
    await store.close();
  }
});
