/**
 * The `npm start` demo (`affinity serve --demo`): startServer({ demo: true }) on an empty temporary
 * SQLite file, once on MovieLens 100K (found through AFFINITY_DATA, as .ci/run sets it; skipped on a
 * machine without the shared data, failing under CI=true) and once on the synthetic fallback
 * (AFFINITY_DEMO_DATA=synthetic). Over real HTTP with the read key the start-up lines print: items have
 * readable names, recommendations come with explanations, the dashboard is served, and the demo
 * experiment runs. Small ALS settings and in-process training keep each start to a few seconds (the
 * worker-thread path of training is covered by retrain-schedule.test.ts and ab-engine.test.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startServer, type RunningServer } from '../../src/serve/server.js';
import { sharedData, SKIP_NO_DATA } from '../helpers/data.js';

interface Item {
  id: string;
  title: string | null;
  categories: string[];
}
interface Rec {
  id: string;
  title?: string;
  explanation: string;
  source: string;
}

const ml = sharedData('ml-100k/u.data');
const mlSkip = ml || process.env.CI === 'true' ? false : SKIP_NO_DATA;

/** Starts the demo on a fresh SQLite file; returns the server, its printed lines and the printed read key. */
async function demo(dir: string): Promise<{ server: RunningServer; lines: string[]; key: string }> {
  const lines: string[] = [];
  const server = await startServer({
    demo: true,
    port: 0,
    host: '127.0.0.1',
    dbUrl: `sqlite://${join(dir, 'demo.db')}`,
    logger: false,
    out: (l) => lines.push(l),
    engineOptions: { params: { factors: 8, iterations: 4 }, holdout: 0, worker: false },
  });
  const printed = lines.map((l) => /^API keys \(shown once\): read (\S+)$/.exec(l)).find((m) => m !== null);
  assert.ok(printed, `no read key printed:\n${lines.join('\n')}`);
  const key = printed[1];
  assert.equal(key, server.demoKeys?.read);
  assert.ok(lines.includes(`dashboard: ${server.url}/dashboard#key=${key}`), lines.join('\n'));
  return { server, lines, key };
}

/** What both demos must show over HTTP; returns the first page of items. */
async function checkServes(server: RunningServer, key: string, user: string): Promise<{ items: Item[]; recs: Rec[] }> {
  const get = async (path: string, k: string | null = key): Promise<{ status: number; body: unknown; type: string }> => {
    const r = await fetch(`${server.url}${path}`, { headers: k ? { authorization: `Bearer ${k}` } : {}, redirect: 'manual' });
    const type = r.headers.get('content-type') ?? '';
    return { status: r.status, type, body: type.includes('json') ? await r.json() : await r.text() };
  };
  // the key is needed, and it is a read key
  assert.equal((await get(`/v1/users/${user}/recommendations`, null)).status, 401);
  const w = await fetch(`${server.url}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events: [{ user, item: 'x', type: 'view' }] }),
  });
  assert.equal(w.status, 403);

  const items = (await get('/v1/items?limit=50')).body as { items: Item[] };
  assert.equal(items.items.length, 50);

  const r = await get(`/v1/users/${encodeURIComponent(user)}/recommendations?n=10`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const body = r.body as { items: Rec[]; modelVersion: number; experiment?: { id: string; variant: string } };
  assert.equal(body.items.length, 10);
  assert.equal(body.modelVersion, 1);
  assert.equal(body.experiment?.id, 'demo-recs');
  for (const rec of body.items) {
    assert.ok(rec.title && rec.title.length > 2, `item ${rec.id} has no title`);
    assert.ok(rec.explanation.length > 5, `item ${rec.id} has no explanation`);
  }
  const ex = (await get(`/v1/users/${encodeURIComponent(user)}/explain/${encodeURIComponent(body.items[0].id)}`)).body as { reasons: string[] };
  assert.ok(ex.reasons.length > 0);

  const dash = await get('/dashboard/');
  assert.equal(dash.status, 200);
  assert.ok(dash.type.startsWith('text/html'));
  assert.match(dash.body as string, /<html/i);
  assert.equal((await get('/dashboard', null)).status, 302);

  const exps = (await get('/v1/experiments')).body as { experiments: Array<{ id: string; status: string; variants: Array<{ name: string }> }> };
  assert.deepEqual(
    exps.experiments.map((e) => [e.id, e.status, e.variants.map((v) => v.name)]),
    [['demo-recs', 'running', ['als', 'item-knn']]],
  );
  assert.equal((await get('/v1/experiments/demo-recs/results')).status, 200);

  // the demo's variant answers the other reads too when named (Engine pipeline argument)
  const e = server.engine;
  const item = body.items[0].id;
  assert.ok((await e.similarItems(item, 5)).every((r) => r.source === 'als'));
  assert.ok((await e.similarItems(item, 5, 'item-knn')).every((r) => r.source === 'item-knn'));
  const viewed = items.items.slice(0, 3).map((i) => i.id);
  const ses = await e.session(viewed, 5, 'item-knn');
  assert.equal(ses.length, 5);
  assert.ok(ses.every((r) => r.source === 'item-knn' && !viewed.includes(r.id)));
  assert.ok((await e.session(viewed, 5)).every((r) => r.source === 'als'));
  const rows = await e.rows(user, 'item-knn');
  assert.equal(rows[0].title, 'Top picks for you');
  assert.ok(rows[0].items.every((r) => r.source === 'item-knn' || r.source === 'new'));
  assert.ok((await e.explain(user, item, 'item-knn')).reasons.length > 0);
  assert.equal((await e.group([user, user], 5, 'average', 'item-knn')).length, 5);
  await assert.rejects(e.similarItems(item, 5, 'nope'), (err: unknown) => (err as { code?: string; field?: string }).code === 'E_PARAM' && (err as { field?: string }).field === 'pipeline');
  return { items: items.items, recs: body.items };
}

test('npm start demo on MovieLens 100K (AFFINITY_DATA)', { skip: mlSkip }, async () => {
  assert.ok(ml, 'CI=true: AFFINITY_DATA must name the shared data (ml-100k/u.data)');
  const dir = mkdtempSync(join(tmpdir(), 'affinity-demo-'));
  const saved = process.env.AFFINITY_DEMO_DATA;
  delete process.env.AFFINITY_DEMO_DATA;
  try {
    const { server, lines, key } = await demo(dir);
    try {
      assert.ok(lines.some((l) => /^demo data: MovieLens 100K \(.*ml-100k\): 100000 events, 943 users, 1682 items/.test(l)), lines.join('\n'));
      assert.ok(lines.some((l) => l.startsWith('engine: model als v1 on 943 users x 1682 items')), lines.join('\n'));
      const { items, recs } = await checkServes(server, key, '1');
      const toy = items.find((i) => i.id === '1');
      assert.equal(toy?.title, 'Toy Story (1995)');
      assert.deepEqual(toy?.categories, ['Animation', "Children's", 'Comedy']);
      for (const i of items) assert.match(i.title ?? '', /^.+ \(\d{4}\)$|unknown/i, `item ${i.id}`);
      // user 1 rated Toy Story; an ALS explanation names a film the user rated
      assert.ok(recs.some((r) => /^Because you liked .+/.test(r.explanation)), recs.map((r) => r.explanation).join(' | '));
      const v = server.engine.status().variants;
      assert.deepEqual(v?.map((x) => [x.name, x.model, x.modelVersion]), [['item-knn', 'item-knn', 1]]);
    } finally {
      await server.close();
    }
  } finally {
    if (saved === undefined) delete process.env.AFFINITY_DEMO_DATA;
    else process.env.AFFINITY_DEMO_DATA = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('npm start demo on the synthetic fallback (AFFINITY_DEMO_DATA=synthetic)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'affinity-demo-'));
  const saved = process.env.AFFINITY_DEMO_DATA;
  process.env.AFFINITY_DEMO_DATA = 'synthetic';
  try {
    const { server, lines, key } = await demo(dir);
    try {
      assert.ok(lines.some((l) => /^demo data: synthetic catalogue \(seed 7\): \d+ events, 2000 users, 1500 items/.test(l)), lines.join('\n'));
      assert.ok(!lines.some((l) => l.includes('MovieLens')), 'the MovieLens lookup is skipped');
      const users = (await (await fetch(`${server.url}/v1/users?limit=1`, { headers: { authorization: `Bearer ${key}` } })).json()) as { users: Array<{ id: string }> };
      const { items } = await checkServes(server, key, users.users[0].id);
      // readable names ("Crimson River Lantern") and a category each
      for (const i of items) {
        assert.match(i.title ?? '', /^[A-Z][a-z]+ [A-Z][a-z]+ [A-Z][a-z]+$/, `item ${i.id}: ${i.title}`);
        assert.equal(i.categories.length, 1);
      }
    } finally {
      await server.close();
    }
  } finally {
    if (saved === undefined) delete process.env.AFFINITY_DEMO_DATA;
    else process.env.AFFINITY_DEMO_DATA = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});
