/**
 * Named pipelines on every recommendation route over HTTP: similar items, explanations and rows take a
 * `pipeline` query parameter, sessions and groups a `pipeline` body field. The real engine with
 * popularity as the default and item-knn as the variant 'knn' (as in ab-engine.test.ts) over the genre
 * catalogue; each answer equals the engine's own for that pipeline, the variants differ, and an unknown
 * name is a 400 naming `querystring/pipeline` or `body/pipeline`. sqlite::memory:.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../../src/serve/app.js';
import { createEngine, type AffinityEngine } from '../../src/serve/engine/engine-api.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { seedGenres } from '../helpers/genre-catalogue.js';

interface Res {
  status: number;
  body: Record<string, unknown>;
}
interface Item {
  id: string;
  score: number;
  source: string;
  explanation: string;
}
const ids = (r: unknown): string[] => (r as Item[]).map((x) => x.id);
const sources = (r: unknown): Set<string> => new Set((r as Item[]).map((x) => x.source));

describe('named pipelines on the recommendation routes', () => {
  let store: Store;
  let engine: AffinityEngine;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let read: string;

  before(async () => {
    store = await openStore('sqlite::memory:');
    await seedGenres(store);
    engine = createEngine(store, { model: 'popularity', variants: { knn: { model: 'item-knn', params: { k: 20 } } }, holdout: 0.2, experimentFlushMs: 60_000 });
    await engine.start();
    read = (await store.createApiKey({ name: 'r', scopes: ['read'] })).secret;
    app = await buildApp({ store, engine });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await engine.stop();
    await store.close();
  });

  const get = async (url: string): Promise<Res> => {
    const r = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${read}` } });
    return { status: r.statusCode, body: r.json() };
  };
  const post = async (url: string, payload: Record<string, unknown>): Promise<Res> => {
    const r = await app.inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${read}` } });
    return { status: r.statusCode, body: r.json() };
  };
  const badPipeline = (r: Res, field: string): void => {
    assert.equal(r.status, 400, JSON.stringify(r.body));
    const err = r.body.error as { code: string; field: string; message: string };
    assert.equal(err.code, 'E_PARAM');
    assert.equal(err.field, field);
    assert.equal(err.message, `${field}: got "nope"; expected one of 'default', 'popularity', 'knn'`);
    assert.equal(JSON.stringify(r.body).includes('    at '), false); // no stack trace
  };

  it('GET /v1/items/{id}/similar?pipeline=', async () => {
    const def = await get('/v1/items/i0/similar?n=5&pipeline=default');
    const knn = await get('/v1/items/i0/similar?n=5&pipeline=knn');
    const plain = await get('/v1/items/i0/similar?n=5');
    assert.equal(def.status, 200, JSON.stringify(def.body));
    assert.equal(knn.status, 200, JSON.stringify(knn.body));
    assert.deepEqual(plain.body, def.body); // absent: the default model
    assert.deepEqual(knn.body.items, await engine.similarItems('i0', 5, 'knn'));
    assert.deepEqual(def.body.items, await engine.similarItems('i0', 5, 'default'));
    assert.equal((knn.body.items as Item[]).length, 5);
    assert.deepEqual(sources(knn.body.items), new Set(['item-knn']));
    assert.ok(!sources(def.body.items).has('item-knn'));
    assert.notDeepEqual(def.body.items, knn.body.items);
    // by the variant's model name, too
    assert.deepEqual((await get('/v1/items/i0/similar?n=5&pipeline=item-knn')).body, knn.body);
    badPipeline(await get('/v1/items/i0/similar?pipeline=nope'), 'querystring/pipeline');
  });

  it('GET /v1/users/{id}/explain/{itemId}?pipeline=', async () => {
    const seen = new Set((await store.recentEvents('u0', 100)).map((e) => e.item));
    const item = Array.from({ length: 60 }, (_, i) => `i${i}`).find((i) => !seen.has(i) && i !== 'i0');
    assert.ok(item);
    const def = await get(`/v1/users/u0/explain/${item}?pipeline=default`);
    const knn = await get(`/v1/users/u0/explain/${item}?pipeline=knn`);
    assert.equal(def.status, 200, JSON.stringify(def.body));
    assert.equal(knn.status, 200, JSON.stringify(knn.body));
    assert.deepEqual((await get(`/v1/users/u0/explain/${item}`)).body, def.body);
    const e1 = await engine.explain('u0', item, 'knn');
    assert.deepEqual(knn.body, { user: 'u0', item, score: e1.score, reasons: e1.reasons });
    const e0 = await engine.explain('u0', item, 'default');
    assert.equal(def.body.score, e0.score);
    assert.notEqual(def.body.score, knn.body.score);
    badPipeline(await get(`/v1/users/u0/explain/${item}?pipeline=nope`), 'querystring/pipeline');
  });

  it('GET /v1/users/{id}/rows?pipeline=', async () => {
    const def = await get('/v1/users/u0/rows?pipeline=default');
    const knn = await get('/v1/users/u0/rows?pipeline=knn');
    assert.equal(def.status, 200, JSON.stringify(def.body));
    assert.equal(knn.status, 200, JSON.stringify(knn.body));
    assert.deepEqual((await get('/v1/users/u0/rows')).body, def.body);
    assert.deepEqual(knn.body.rows, await engine.rows('u0', 'knn'));
    const top = (r: Res): Item[] => (r.body.rows as { title: string; items: Item[] }[]).find((x) => x.title === 'Top picks for you')?.items ?? [];
    assert.equal(top(def).length, 10);
    assert.deepEqual(sources(top(def)), new Set(['popularity']));
    assert.deepEqual(sources(top(knn)), new Set(['item-knn']));
    assert.notDeepEqual(ids(top(def)), ids(top(knn)));
    badPipeline(await get('/v1/users/u0/rows?pipeline=nope'), 'querystring/pipeline');
  });

  it('POST /v1/sessions/recommendations with body pipeline', async () => {
    const recentItems = ['i0', 'i3', 'i6'];
    const def = await post('/v1/sessions/recommendations', { recentItems, n: 6, pipeline: 'default' });
    const knn = await post('/v1/sessions/recommendations', { recentItems, n: 6, pipeline: 'knn' });
    assert.equal(def.status, 200, JSON.stringify(def.body));
    assert.equal(knn.status, 200, JSON.stringify(knn.body));
    assert.deepEqual((await post('/v1/sessions/recommendations', { recentItems, n: 6 })).body, def.body);
    assert.deepEqual(knn.body.items, await engine.session(recentItems, 6, 'knn'));
    assert.equal((knn.body.items as Item[]).length, 6);
    for (const r of [...(def.body.items as Item[]), ...(knn.body.items as Item[])]) assert.ok(!recentItems.includes(r.id), r.id);
    assert.notDeepEqual(ids(def.body.items), ids(knn.body.items));
    badPipeline(await post('/v1/sessions/recommendations', { recentItems, pipeline: 'nope' }), 'body/pipeline');
  });

  it('POST /v1/groups/recommendations with body pipeline', async () => {
    const users = ['u0', 'u3'];
    const def = await post('/v1/groups/recommendations', { users, n: 6, pipeline: 'default' });
    const knn = await post('/v1/groups/recommendations', { users, n: 6, pipeline: 'knn' });
    assert.equal(def.status, 200, JSON.stringify(def.body));
    assert.equal(knn.status, 200, JSON.stringify(knn.body));
    assert.deepEqual((await post('/v1/groups/recommendations', { users, n: 6 })).body, def.body);
    assert.deepEqual(knn.body.items, await engine.group(users, 6, 'average', 'knn'));
    assert.equal((knn.body.items as Item[]).length, 6);
    assert.notDeepEqual(def.body.items, knn.body.items);
    badPipeline(await post('/v1/groups/recommendations', { users, pipeline: 'nope' }), 'body/pipeline');
  });

  it('an empty or overlong name fails the schema, naming the field', async () => {
    for (const [r, field] of [
      [await get('/v1/items/i0/similar?pipeline='), 'querystring/pipeline'],
      [await get(`/v1/users/u0/rows?pipeline=${'x'.repeat(257)}`), 'querystring/pipeline'],
      [await post('/v1/sessions/recommendations', { recentItems: ['i0'], pipeline: 7 }), 'body/pipeline'],
      [await post('/v1/groups/recommendations', { users: ['u0'], pipeline: '' }), 'body/pipeline'],
    ] as const) {
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal((r.body.error as { field: string }).field, field, JSON.stringify(r.body));
    }
  });

  it('the OpenAPI document shows pipeline on each route', async () => {
    const spec = (await app.inject({ url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { parameters?: { in: string; name: string; required?: boolean }[]; requestBody?: { content: Record<string, { schema: { properties: Record<string, { type: string }> } }> } }>>;
    };
    for (const [path, method] of [
      ['/v1/users/{id}/recommendations', 'get'],
      ['/v1/items/{id}/similar', 'get'],
      ['/v1/users/{id}/explain/{itemId}', 'get'],
      ['/v1/users/{id}/rows', 'get'],
    ]) {
      const p = spec.paths[path][method].parameters?.find((x) => x.in === 'query' && x.name === 'pipeline');
      assert.ok(p, `${path}: no pipeline parameter`);
      assert.equal(p.required, false);
    }
    for (const path of ['/v1/sessions/recommendations', '/v1/groups/recommendations']) {
      const props = spec.paths[path].post.requestBody?.content['application/json'].schema.properties;
      assert.equal(props?.pipeline.type, 'string', path);
    }
  });
});
