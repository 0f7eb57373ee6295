/**
 * A/B tests through the real engine: named variants (popularity as the default, item-knn as the variant
 * 'knn'), experiments served per user by deterministic bucketing, impressions logged per served list,
 * clicks and conversions from POST /v1/events, results with intervals, unknown pipelines, the demo
 * experiment of `affinity serve --demo`. sqlite::memory: (the demo part: a temporary SQLite file).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AffinityError } from '../../src/core/errors.js';
import { buildApp } from '../../src/serve/app.js';
import { createEngine, type AffinityEngine } from '../../src/serve/engine/engine-api.js';
import { assignVariant } from '../../src/serve/experiments.js';
import { startServer } from '../../src/serve/server.js';
import { openStore } from '../../src/store/index.js';
import { seedGenres } from '../helpers/genre-catalogue.js';
import type { Experiment, Store } from '../../src/store/types.js';

/** 60 items in 3 genres, 40 users each mostly in one genre (as in engine.test.ts). */
const seed = (store: Store): Promise<void> => seedGenres(store);

const USERS = Array.from({ length: 40 }, (_, u) => `u${u}`);
const ids = (r: { id: string }[]): string[] => r.map((x) => x.id);

describe('A/B experiments in the engine', () => {
  let store: Store;
  let engine: AffinityEngine;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let write: string;
  let read: string;
  const served = new Map<string, { variant: string; items: string[] }>();
  let exp: Experiment;

  before(async () => {
    store = await openStore('sqlite::memory:');
    await seed(store);
    // one training worker run per pipeline (the default, then the variant)
    engine = createEngine(store, { model: 'popularity', variants: { knn: { model: 'item-knn', params: { k: 20 } } }, holdout: 0.2, experimentFlushMs: 60_000 });
    await engine.start();
    write = (await store.createApiKey({ name: 'w', scopes: ['read', 'write'] })).secret;
    read = (await store.createApiKey({ name: 'r', scopes: ['read'] })).secret;
    app = await buildApp({ store, engine });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await engine.stop();
    await store.close();
  });

  const get = async (url: string, key = read): Promise<{ status: number; body: Record<string, unknown> }> => {
    const r = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
    return { status: r.statusCode, body: r.json() };
  };
  const post = async (url: string, payload: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const r = await app.inject({ method: 'POST', url, payload: payload as Record<string, unknown>, headers: { authorization: `Bearer ${write}` } });
    return { status: r.statusCode, body: r.json() };
  };

  it('trains the default and the variant, each versioned under its own registry name', async () => {
    const st = engine.status();
    assert.equal(st.ready, true);
    assert.equal(st.modelName, 'popularity');
    assert.deepEqual(
      st.variants?.map((v) => [v.name, v.model, v.modelVersion, v.ready]),
      [['knn', 'item-knn', 1, true]],
    );
    const pop = await store.listModels('popularity');
    const knn = await store.listModels('knn');
    assert.equal(pop.length, 1);
    assert.equal(knn.length, 1);
    assert.equal(knn[0].params.model, 'item-knn');
    assert.equal((knn[0].params.params as Record<string, unknown>).k, 20);
    assert.equal(typeof knn[0].metrics['ndcg@10'], 'number');
    assert.deepEqual(engine.pipelines(), ['default', 'popularity', 'knn']);
  });

  it('a named pipeline serves that variant; the default and the variant give different lists', async () => {
    const a = await engine.recommend({ userId: 'u0', n: 10, pipeline: 'default' });
    const b = await engine.recommend({ userId: 'u0', n: 10, pipeline: 'knn' });
    const c = await engine.recommend({ userId: 'u0', n: 10, pipeline: 'item-knn' }); // by the variant's model name
    assert.equal(a.experiment, undefined);
    assert.ok(a.items.every((r) => r.source === 'popularity'));
    assert.ok(b.items.every((r) => r.source === 'item-knn'), JSON.stringify(b.items.map((r) => r.source)));
    assert.deepEqual(ids(c.items), ids(b.items));
    assert.notDeepEqual(ids(a.items), ids(b.items));
    assert.ok(b.items.every((r) => r.explanation.length > 0));
    // no seen item, in either
    const seen = new Set((await store.recentEvents('u0', 100)).map((e) => e.item));
    for (const r of [...a.items, ...b.items]) assert.ok(!seen.has(r.id), r.id);
  });

  it('an unknown pipeline is E_PARAM naming the field and listing the known ones', async () => {
    await assert.rejects(engine.recommend({ userId: 'u0', n: 5, pipeline: 'nope' }), (e: unknown) => {
      assert.ok(e instanceof AffinityError);
      assert.equal(e.code, 'E_PARAM');
      assert.equal(e.field, 'pipeline');
      assert.match(e.message, /^pipeline: got "nope"; expected one of 'default', 'popularity', 'knn'$/);
      return true;
    });
    const r = await get('/v1/users/u0/recommendations?pipeline=nope');
    assert.equal(r.status, 400);
    const err = r.body.error as { code: string; field: string; message: string };
    assert.equal(err.code, 'E_PARAM');
    assert.equal(err.field, 'querystring/pipeline');
    assert.match(err.message, /'knn'/);
  });

  it('a variant retrains and rolls back on its own', async () => {
    const v2 = await engine.retrain({ pipeline: 'knn', reason: 'test' });
    assert.equal(v2.name, 'knn');
    assert.equal(v2.version, 2);
    assert.equal(engine.status().variants?.[0].modelVersion, 2);
    assert.equal(engine.status().modelVersion, 1);
    const v1 = (await store.listModels('knn')).find((v) => v.version === 1);
    assert.ok(v1);
    const back = await engine.rollback(v1.id);
    assert.equal(back.name, 'knn');
    assert.equal(engine.status().variants?.[0].modelVersion, 1);
    assert.equal(engine.status().modelVersion, 1);
    assert.equal((await engine.recommend({ userId: 'u1', n: 3, pipeline: 'knn' })).modelVersion, 1);
  });

  it('a running 50/50 experiment: users are bucketed deterministically and served their variant', async () => {
    // no experiment yet: the default, untagged
    assert.equal((await engine.recommend({ userId: 'u0', n: 5 })).experiment, undefined);
    const created = await post('/v1/experiments', {
      id: 'recs-ab',
      name: 'popularity vs item-knn',
      status: 'running',
      variants: [
        { name: 'pop', weight: 1, config: { pipeline: 'default' } },
        { name: 'knn', weight: 1, config: { pipeline: 'knn' } },
      ],
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    exp = created.body as unknown as Experiment;
    for (const u of USERS) {
      const r = await get(`/v1/users/${u}/recommendations?n=5`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const want = assignVariant(exp, u).name;
      assert.deepEqual(r.body.experiment, { id: 'recs-ab', variant: want });
      const items = r.body.items as { id: string; source: string }[];
      const direct = await engine.recommend({ userId: u, n: 5, pipeline: want === 'pop' ? 'default' : 'knn' });
      assert.deepEqual(ids(items), ids(direct.items), `${u} in ${want}`);
      served.set(u, { variant: want, items: ids(items) });
      // the same user again: the same variant and list (from the cache)
      const again = await engine.recommend({ userId: u, n: 5 });
      assert.deepEqual(again.experiment, { id: 'recs-ab', variant: want });
      assert.deepEqual(ids(again.items), ids(items));
      assert.equal(again.cached, true);
    }
    const byVariant = { pop: 0, knn: 0 };
    for (const s of served.values()) byVariant[s.variant as 'pop' | 'knn']++;
    assert.ok(byVariant.pop >= 10 && byVariant.knn >= 10, JSON.stringify(byVariant));
    // the two variants really serve different lists to the same user
    let differ = 0;
    for (const u of USERS) {
      const a = await engine.recommend({ userId: u, n: 5, pipeline: 'default' });
      const b = await engine.recommend({ userId: u, n: 5, pipeline: 'knn' });
      if (ids(a.items).join() !== ids(b.items).join()) differ++;
    }
    assert.ok(differ >= 35, `${differ} of 40 users get different lists`);
  });

  it('impressions are logged per variant: one per served list (2 per user above)', async () => {
    await engine.flushExperimentLog();
    const stats = await store.experimentStats('recs-ab');
    const by = new Map(stats.map((s) => [s.variant, s]));
    for (const v of ['pop', 'knn']) {
      const users = [...served.values()].filter((s) => s.variant === v).length;
      assert.equal(by.get(v)?.impressions, 2 * users, v);
      assert.equal(by.get(v)?.exposedUsers, users, v);
      assert.equal(by.get(v)?.clicks, 0);
    }
    const st = engine.status().experiments;
    assert.deepEqual(st?.serving, ['recs-ab']);
    assert.equal(st?.impressions, 80);
    assert.equal(st?.logged, 80);
    assert.equal(st?.dropped, 0);
  });

  it('events on served items count as clicks and conversions of the user\'s variant; others do not', async () => {
    const pops = USERS.filter((u) => served.get(u)?.variant === 'pop');
    const knns = USERS.filter((u) => served.get(u)?.variant === 'knn');
    const item = (u: string, k: number): string => (served.get(u) as { items: string[] }).items[k];
    const events = [
      // pop: 2 clicks (one 'click', one 'view'), the repeat of a click does not count again
      { user: pops[0], item: item(pops[0], 0), type: 'click' },
      { user: pops[0], item: item(pops[0], 0), type: 'click' },
      { user: pops[1], item: item(pops[1], 2), type: 'view' },
      // knn: 4 clicks by 3 users, 1 purchase (conversion with its value)
      { user: knns[0], item: item(knns[0], 0), type: 'click' },
      { user: knns[0], item: item(knns[0], 1), type: 'view' },
      { user: knns[1], item: item(knns[1], 4), type: 'click' },
      { user: knns[2], item: item(knns[2], 3), type: 'click' },
      { user: knns[2], item: item(knns[2], 3), type: 'purchase', value: 12.5 },
      // not counted: an item never served to that user, a type without an outcome, an unknown user
      { user: knns[3], item: 'i59', type: 'click' },
      { user: knns[3], item: item(knns[3], 0), type: 'cart' },
      { user: 'stranger', item: 'i1', type: 'click' },
    ].filter((e) => e.item !== undefined);
    assert.equal(events.length, 11);
    const r = await post('/v1/events', { events });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await engine.flushExperimentLog();
    const res = await get('/v1/experiments/recs-ab/results');
    assert.equal(res.status, 200);
    const variants = res.body.variants as Array<{ variant: string; impressions: number; clicks: number; conversions: number; conversionValue: number; ctr: { rate: number; low: number; high: number; successes: number; trials: number }; conversion: { successes: number; trials: number }; vsControl: unknown }>;
    const pop = variants.find((v) => v.variant === 'pop');
    const knn = variants.find((v) => v.variant === 'knn');
    assert.ok(pop && knn);
    assert.equal(pop.clicks, 2);
    assert.equal(knn.clicks, 4);
    assert.equal(pop.conversions, 0);
    assert.equal(knn.conversions, 1);
    assert.equal(knn.conversionValue, 12.5);
    for (const v of [pop, knn]) {
      assert.equal(v.ctr.trials, v.impressions);
      assert.equal(v.ctr.successes, v.clicks);
      assert.ok(Math.abs(v.ctr.rate - v.clicks / v.impressions) < 1e-12);
      assert.ok(v.ctr.low < v.ctr.rate && v.ctr.rate < v.ctr.high, JSON.stringify(v.ctr));
    }
    // Wilson interval of 4 clicks in knn's impressions, by hand: centre (p + z²/2n)/(1 + z²/n)
    const n = knn.impressions;
    const z = 1.959963984540054;
    const p = 4 / n;
    const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
    const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
    assert.ok(Math.abs(knn.ctr.low - (centre - half)) < 1e-12 && Math.abs(knn.ctr.high - (centre + half)) < 1e-12);
    assert.equal(knn.conversion.successes, 1);
    assert.equal(pop.vsControl, null);
    assert.ok(knn.vsControl !== null);
    // the real-time path still ran: the clicked item left that user's next list
    const next = await engine.recommend({ userId: knns[0], n: 5 });
    assert.ok(!ids(next.items).includes(item(knns[0], 0)));
  });

  it('a stopped experiment is no longer served and its variants get no more outcomes', async () => {
    await engine.flushExperimentLog(); // the impression of the last list served above
    const before = (await store.experimentStats('recs-ab')).reduce((a, s) => a + s.impressions + s.clicks, 0);
    const r = await post('/v1/experiments/recs-ab/status', { status: 'stopped' });
    assert.equal(r.status, 200);
    const u = USERS.find((x) => served.get(x)?.variant === 'knn') as string;
    const rec = await get(`/v1/users/${u}/recommendations?n=5`);
    assert.equal(rec.body.experiment, undefined);
    assert.ok((rec.body.items as { source: string }[]).every((x) => x.source === 'popularity' || x.source === 'new'));
    await post('/v1/events', { events: [{ user: u, item: (served.get(u) as { items: string[] }).items[4], type: 'click' }] });
    await engine.flushExperimentLog();
    const after = (await store.experimentStats('recs-ab')).reduce((a, s) => a + s.impressions + s.clicks, 0);
    assert.equal(after, before);
  });

  it('an experiment whose variants the engine cannot serve is left alone', async () => {
    await post('/v1/experiments', { id: 'other', status: 'running', variants: [{ name: 'a', config: { model: 'ease' } }, { name: 'b', config: { pipeline: 'default' } }] });
    const r = await engine.recommend({ userId: 'u3', n: 5 });
    assert.equal(r.experiment, undefined);
    assert.deepEqual(engine.status().experiments?.serving, []);
  });
});

describe('variant options', () => {
  it('bad variants are E_PARAM errors naming the field', async () => {
    const store = await openStore('sqlite::memory:');
    try {
      const bad = (variants: Record<string, { model: string; params?: Record<string, unknown> }>, field: string, re: RegExp): void =>
        assert.throws(() => createEngine(store, { model: 'als', variants }), (e: unknown) => e instanceof AffinityError && e.code === 'E_PARAM' && e.field === field && re.test(e.message));
      bad({ als: { model: 'item-knn' } }, 'variants.als', /expected a name other than 'default', 'als'/);
      bad({ default: { model: 'item-knn' } }, 'variants.default', /those name the default/);
      bad({ knn: { model: 'nope' } }, 'variants.knn.model', /registry model name/);
      bad({ knn: { model: 'item-knn', params: { neighbors: 3 } } }, 'variants.knn.params', /neighbors/);
      bad({ knn: { model: 'item-knn', params: { k: [1] } } }, 'variants.knn.params.k', /a string, number or boolean/);
      bad({ 'a b': { model: 'item-knn' } }, 'variants', /variant names of letters/);
      assert.throws(() => createEngine(store, { experimentOutcomes: { view: 'like' as 'click' } }), /experimentOutcomes\.view: got "like"/);
    } finally {
      await store.close();
    }
  });
});

describe('demo experiment (affinity serve --demo)', () => {
  it('serves the default model and item-knn as a running 50/50 experiment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'affinity-ab-'));
    const url = `sqlite://${join(dir, 'demo.db')}`;
    const seeded = await openStore(url);
    await seed(seeded); // events present: the demo import is skipped
    await seeded.close();
    const lines: string[] = [];
    const server = await startServer({ dbUrl: url, port: 0, host: '127.0.0.1', demo: true, out: (l) => lines.push(l), engineOptions: { params: { factors: 8, iterations: 4 }, holdout: 0 } });
    try {
      const key = server.demoKeys?.read as string;
      assert.ok(lines.some((l) => l.startsWith('demo experiment: demo-recs')), lines.join('\n'));
      const list = await server.app.inject({ method: 'GET', url: '/v1/experiments', headers: { authorization: `Bearer ${key}` } });
      const exps = (list.json() as { experiments: Experiment[] }).experiments;
      assert.deepEqual(
        exps.map((e) => [e.id, e.status, e.variants.map((v) => v.name)]),
        [['demo-recs', 'running', ['als', 'item-knn']]],
      );
      assert.deepEqual(
        server.engine.status().variants?.map((v) => [v.name, v.model, v.modelVersion]),
        [['item-knn', 'item-knn', 1]],
      );
      const seen = new Set<string>();
      for (const u of USERS.slice(0, 12)) {
        const r = await server.app.inject({ method: 'GET', url: `/v1/users/${u}/recommendations?n=3`, headers: { authorization: `Bearer ${key}` } });
        const body = r.json() as { experiment?: { id: string; variant: string }; items: { source: string }[] };
        assert.equal(body.experiment?.id, 'demo-recs');
        assert.equal(body.experiment?.variant, assignVariant(exps[0], u).name);
        seen.add(body.experiment.variant);
      }
      assert.equal(seen.size, 2);
      const res = await server.app.inject({ method: 'GET', url: '/v1/experiments/demo-recs/results', headers: { authorization: `Bearer ${key}` } });
      assert.equal(res.statusCode, 200);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
