/**
 * Scheduled retraining through the service as `affinity serve --retrain-every <minutes> --variant ...`
 * sets it up (serveOptions -> startServer -> engine retrainEvery): no retraining while no event
 * arrives; after new events the next tick retrains the default and the variant in the worker, records
 * version 2 of each and swaps it in, while requests keep being answered (over HTTP, during the swap).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { serveOptions } from '../../src/cli/serve.js';
import { Rng } from '../../src/core/rng.js';
import { startServer } from '../../src/serve/server.js';
import { openStore } from '../../src/store/index.js';
import type { EventInput } from '../../src/store/types.js';

const ADMIN = 'test-admin-key-retrain-0123456789';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** 40 items in 2 genres, 30 users mostly in one genre. */
async function seed(url: string): Promise<void> {
  const store = await openStore(url);
  try {
    await store.upsertItems(Array.from({ length: 40 }, (_, i) => ({ id: `i${i}`, title: `Item ${i}`, categories: [i % 2 ? 'odd' : 'even'] })));
    const rng = new Rng(3);
    const events: EventInput[] = [];
    for (let u = 0; u < 30; u++) {
      for (let k = 0; k < 10; k++) {
        const g = rng.next() < 0.9 ? u % 2 : 1 - (u % 2);
        events.push({ user: `u${u}`, item: `i${rng.int(20) * 2 + g}`, type: 'view', timestamp: 1_700_000_000_000 + u * 100 + k });
      }
    }
    await store.insertEvents(events);
  } finally {
    await store.close();
  }
}

test('--retrain-every: retrains after new events, serves the new version, requests keep succeeding', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'affinity-retrain-'));
  const db = `sqlite://${join(dir, 'r.db')}`;
  await seed(db);
  // 0.02 minutes = 1.2 s between ticks
  const opts = serveOptions({ auth: 'on', port: '0', host: '127.0.0.1', db, model: 'item-knn:k=10', variant: ['pop=popularity'], retrainEvery: '0.02', quiet: true }, {});
  assert.equal(opts.engineOptions?.retrainEvery, 1200);
  const server = await startServer({ ...opts, adminKey: ADMIN, engineOptions: { ...opts.engineOptions, holdout: 0 }, out: () => undefined });
  const auth = { authorization: `Bearer ${ADMIN}` };
  try {
    const versions = (): [number | null, number | null | undefined] => {
      const s = server.engine.status();
      return [s.modelVersion, s.variants?.find((v) => v.name === 'pop')?.modelVersion];
    };
    assert.deepEqual(versions(), [1, 1]);
    const similar = async (): Promise<{ items: Array<{ source: string }> }> => {
      const r = await fetch(`${server.url}/v1/items/new1/similar?n=3`, { headers: auth });
      assert.equal(r.status, 200);
      return (await r.json()) as { items: Array<{ source: string }> };
    };

    // no new events: ticks pass without retraining
    await sleep(2600);
    assert.deepEqual(versions(), [1, 1]);

    // requests over HTTP all along: before, during and after the swap
    let stop = false;
    const seen: Array<{ status: number; version: number | null; training: boolean }> = [];
    const load = (async () => {
      for (let k = 0; !stop; k++) {
        const training = server.engine.status().training;
        const r = await fetch(`${server.url}/v1/users/u${k % 30}/recommendations?n=5&pipeline=default`, { headers: auth });
        const body = (await r.json()) as { modelVersion: number | null; items: unknown[] };
        seen.push({ status: r.status, version: body.modelVersion, training: training || server.engine.status().training });
        if (r.status === 200) assert.equal(body.items.length, 5);
        await sleep(5);
      }
    })();

    // a new item that many users view
    const events = Array.from({ length: 20 }, (_, u) => ({ user: `u${u}`, item: 'new1', type: 'view', key: `new1-${u}` }));
    const posted = await fetch(`${server.url}/v1/events`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
    assert.equal(posted.status, 200);
    // before the retrain the model does not know new1: similar items fall back to popularity
    if (versions()[0] === 1) assert.ok((await similar()).items.every((i) => i.source === 'popular'));

    const t0 = Date.now();
    while ((versions()[0] !== 2 || versions()[1] !== 2) && Date.now() - t0 < 20_000) await sleep(100);
    await sleep(300);
    stop = true;
    await load;
    assert.deepEqual(versions(), [2, 2], 'the default and the variant are retrained by the schedule');

    assert.ok(seen.filter((s) => s.training).length > 0, `${seen.length} requests, none while training`);
    assert.deepEqual([...new Set(seen.map((s) => s.status))], [200], 'every request during the swap succeeded');
    const vs = seen.map((s) => s.version);
    assert.equal(vs[0], 1);
    assert.equal(vs[vs.length - 1], 2);
    for (let k = 1; k < vs.length; k++) assert.ok((vs[k] ?? 0) >= (vs[k - 1] ?? 0), `versions never go back: ${vs.join(',')}`);

    // the new version was trained on the new events: new1 is a model item now
    assert.ok((await similar()).items.every((i) => i.source === 'item-knn'));
    const models = (await (await fetch(`${server.url}/v1/models?name=item-knn`, { headers: auth })).json()) as {
      models: Array<{ version: number; active: boolean; params: { reason?: string; events?: number } }>;
    };
    const v2 = models.models.find((m) => m.version === 2);
    assert.ok(v2 && v2.active);
    assert.equal(v2.params.reason, 'schedule');
    assert.equal(v2.params.events, 300 + 20);

    // quiet again: no further version
    await sleep(1500);
    assert.deepEqual(versions(), [2, 2]);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
