import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bearer, buildTestApp, type TestApp } from './http-fixture.js';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(async () => t.close());

async function call(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown, key: string = t.write) {
  const res = await t.app.inject({ method, url, headers: bearer(key), ...(payload === undefined ? {} : { payload: payload as object }) });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> & { error?: { code: string; message: string; field?: string } } };
}

describe('fixed points', () => {
  test('health, ready, openapi, docs, unknown route', async () => {
    assert.equal((await t.app.inject({ url: '/health' })).json().status, 'ok');
    const ready = (await t.app.inject({ url: '/ready' })).json();
    assert.deepEqual([ready.ready, ready.users, ready.items], [true, 4, 6]);
    const spec = (await t.app.inject({ url: '/openapi.json' })).json();
    assert.equal(spec.openapi, '3.0.3');
    for (const p of ['/v1/events', '/v1/users/{id}/recommendations', '/v1/items/{id}/similar', '/v1/users/{id}/similar', '/v1/users/{id}/explain/{itemId}', '/v1/sessions/recommendations', '/v1/groups/recommendations', '/v1/popular', '/v1/trending', '/v1/users/{id}/rows', '/v1/models', '/v1/models/retrain', '/v1/models/{version}/activate', '/health', '/ready'])
      assert.ok(spec.paths[p], `OpenAPI lists ${p}`);
    assert.equal(spec.paths['/v1/events'].post.requestBody.content['application/json'].schema.properties.events.type, 'array');
    assert.match(spec.info.description, /E_UNKNOWN_ID/);
    const docs = await t.app.inject({ url: '/docs' });
    assert.equal(docs.statusCode, 200);
    assert.match(docs.body, /Swagger UI/);
    const nf = await t.app.inject({ url: '/v2/nothing' });
    assert.equal(nf.statusCode, 404);
    assert.deepEqual(nf.json(), { error: { code: 'E_NOT_FOUND', message: 'no route GET /v2/nothing', field: 'url' } });
  });
});

describe('recommendations', () => {
  test('exact scores, exclude seen, category, paging without duplicates', async () => {
    // u1 saw i1, i2. Co-occurrence: i3 with u2 (i1) + u3 (i2) = 2, i4 with u3 = 1; i5 none; i6 hidden.
    let r = await call('GET', '/v1/users/u1/recommendations?n=2', undefined, t.read);
    assert.equal(r.status, 200);
    const items = r.body.items as Array<{ id: string; score: number }>;
    assert.deepEqual(items.map((i) => i.id), ['i3', 'i4']);
    assert.ok(Math.abs(items[0].score - (2 + 2 / 1000)) < 1e-9); // + popularity 2 / 1000
    const seenAll = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/v1/users/u1/recommendations?n=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await call('GET', url, undefined, t.read);
      for (const it of page.body.items as Array<{ id: string }>) {
        assert.ok(!seenAll.has(it.id), `page ${pages} repeats ${it.id}`);
        seenAll.add(it.id);
      }
      cursor = page.body.nextCursor as string | null;
      pages++;
    } while (cursor && pages < 20);
    assert.ok(!seenAll.has('i1') && !seenAll.has('i2') && !seenAll.has('i6'));
    assert.ok(seenAll.has('i3') && seenAll.has('i4') && seenAll.has('i5'));
    r = await call('GET', '/v1/users/u1/recommendations?n=5&category=a', undefined, t.read);
    assert.deepEqual((r.body.items as Array<{ id: string }>).map((i) => i.id), ['i5']);
    r = await call('GET', '/v1/users/u1/recommendations?n=1&excludeSeen=false', undefined, t.read);
    assert.equal((r.body.items as Array<{ id: string }>)[0].id, 'i1');
    r = await call('GET', '/v1/users/u1/recommendations?n=1&cursor=%21%21', undefined, t.read);
    assert.equal(r.status, 400);
    assert.equal(r.body.error?.field, 'querystring/cursor');
    r = await call('GET', '/v1/users/u1/recommendations?filter=price%3C3', undefined, t.read);
    assert.equal(r.status, 501);
    assert.deepEqual([r.body.error?.code, r.body.error?.field], ['E_UNSUPPORTED', 'querystring/filter']);
    r = await call('GET', '/v1/users/u1/recommendations?n=0', undefined, t.read);
    assert.deepEqual([r.status, r.body.error?.field], [400, 'querystring/n']);
  });

  test('similar items and users, explain, session, group, popular, trending, rows', async () => {
    let r = await call('GET', '/v1/items/i3/similar?n=2', undefined, t.read);
    assert.equal(r.status, 200);
    assert.equal((r.body.items as unknown[]).length, 2);
    r = await call('GET', '/v1/items/zzz/similar', undefined, t.read);
    assert.deepEqual([r.status, r.body.error?.code, r.body.error?.field], [404, 'E_UNKNOWN_ID', 'params/id']);
    r = await call('GET', '/v1/users/u1/similar?n=5', undefined, t.read);
    assert.deepEqual((r.body.users as Array<{ id: string; score: number }>).slice(0, 2), [
      { id: 'u2', score: 1 },
      { id: 'u3', score: 1 },
    ]);
    r = await call('GET', '/v1/users/u1/explain/i3', undefined, t.read);
    assert.deepEqual([r.body.user, r.body.item, r.body.reasons], ['u1', 'i3', ['you interacted with i1', 'you interacted with i2']]);
    r = await call('GET', '/v1/users/u1/explain/nope', undefined, t.read);
    assert.deepEqual([r.status, r.body.error?.field], [404, 'params/itemId']);
    r = await call('POST', '/v1/sessions/recommendations', { recentItems: ['i4'], n: 2 }, t.read);
    assert.equal(r.status, 200);
    assert.ok(!(r.body.items as Array<{ id: string }>).some((i) => i.id === 'i4'));
    r = await call('POST', '/v1/sessions/recommendations', { recentItems: [] }, t.read);
    assert.deepEqual([r.status, r.body.error?.field], [400, 'body/recentItems']);
    r = await call('POST', '/v1/groups/recommendations', { users: ['u1', 'u2'], strategy: 'least-misery', n: 2 }, t.read);
    assert.equal((r.body.items as Array<{ source: string }>)[0].source, 'group-least-misery');
    r = await call('POST', '/v1/groups/recommendations', { users: ['u1'], strategy: 'loudest' }, t.read);
    assert.deepEqual([r.status, r.body.error?.field], [400, 'body/strategy']);
    r = await call('GET', '/v1/popular?n=3&category=b', undefined, t.read);
    assert.ok((r.body.items as Array<{ id: string }>).every((i) => ['i3', 'i4', 'i5', 'i7'].includes(i.id)));
    r = await call('GET', '/v1/trending?n=2', undefined, t.read);
    assert.equal((r.body.items as unknown[]).length, 2);
    r = await call('GET', '/v1/users/u1/rows', undefined, t.read);
    assert.equal((r.body.rows as Array<{ title: string }>)[0].title, 'Top picks for you');
  });

  test('a new event changes the next recommendations', async () => {
    const first = await call('GET', '/v1/users/u2/recommendations?n=3', undefined, t.read);
    const top = (first.body.items as Array<{ id: string }>)[0].id;
    await call('POST', '/v1/events', { events: [{ user: 'u2', item: top, type: 'view' }] });
    const next = await call('GET', '/v1/users/u2/recommendations?n=3', undefined, t.read);
    assert.ok(!(next.body.items as Array<{ id: string }>).some((i) => i.id === top));
  });
});

describe('users and items', () => {
  test('create, read, update (merge), list, delete', async () => {
    let r = await call('PUT', '/v1/users/alice', { features: { age: 31 }, labels: ['vip'] });
    assert.equal(r.status, 200);
    assert.deepEqual([r.body.id, r.body.features, r.body.labels, r.body.deleted], ['alice', { age: 31 }, ['vip'], false]);
    r = await call('PATCH', '/v1/users/alice', { labels: ['new'] });
    assert.deepEqual([r.body.features, r.body.labels], [{ age: 31 }, ['new']]);
    r = await call('GET', '/v1/users/alice', undefined, t.read);
    assert.deepEqual(r.body.labels, ['new']);
    r = await call('POST', '/v1/users', { users: [{ id: 'bob' }, { id: 'carol', features: { city: 'Oslo' } }] });
    assert.deepEqual((r.body.users as Array<{ id: string }>).map((u) => u.id), ['bob', 'carol']);
    r = await call('GET', '/v1/users?limit=2', undefined, t.read);
    assert.deepEqual((r.body.users as Array<{ id: string }>).map((u) => u.id), ['alice', 'bob']);
    assert.equal(r.body.next, 'bob');
    r = await call('GET', '/v1/users?limit=2&after=bob', undefined, t.read);
    assert.deepEqual((r.body.users as Array<{ id: string }>).map((u) => u.id), ['carol', 'u1']);
    r = await call('DELETE', '/v1/users/bob');
    assert.deepEqual(r.body, { id: 'bob', deleted: true });
    r = await call('GET', '/v1/users/bob', undefined, t.read);
    assert.equal(r.status, 404);
    assert.equal(r.body.error?.field, 'params/id');
    r = await call('DELETE', '/v1/users/bob');
    assert.equal(r.status, 404);
    assert.ok(t.engine.catalogChanges.some((c) => c.kind === 'user' && c.ids.includes('carol')));
  });

  test('items with categories, timestamps, hidden and out-of-stock flags', async () => {
    let r = await call('PUT', '/v1/items/i7', { title: 'Seven', categories: ['b'], timestamp: 1_600_000_000_000, features: { price: 9.5 } });
    assert.equal(r.status, 200);
    assert.deepEqual([r.body.title, r.body.categories, r.body.timestamp, r.body.hidden, r.body.outOfStock], ['Seven', ['b'], 1_600_000_000_000, false, false]);
    r = await call('PATCH', '/v1/items/i7', { outOfStock: true });
    assert.deepEqual([r.body.title, r.body.outOfStock, r.body.features], ['Seven', true, { price: 9.5 }]);
    r = await call('POST', '/v1/items', { items: [{ id: 'i8', hidden: true }, { id: 'i9', title: 'Nine', timestamp: null }] });
    assert.equal((r.body.items as unknown[]).length, 2);
    r = await call('GET', '/v1/items?limit=3&after=i6', undefined, t.read);
    assert.deepEqual((r.body.items as Array<{ id: string }>).map((u) => u.id), ['i7', 'i8', 'i9']);
    r = await call('DELETE', '/v1/items/i9');
    assert.equal(r.status, 200);
    assert.equal((await call('GET', '/v1/items/i9', undefined, t.read)).status, 404);
    r = await call('PUT', '/v1/items/i7', { timestamp: -5 });
    assert.equal(r.status, 400);
    assert.equal(r.body.error?.field, 'body/timestamp');
    let deep: Record<string, unknown> = { r: 1 };
    for (const k of 'qponmlkjihgfedcba') deep = { [k]: deep };
    r = await call('PUT', '/v1/items/i7', { features: deep });
    assert.equal(r.status, 400);
    assert.equal(r.body.error?.code, 'E_PARAM');
    assert.match(r.body.error?.field ?? '', /^body\/features\/a\/b/);
  });
});

describe('events', () => {
  test('batch insert, idempotency keys, dislikes, then the engine sees them', async () => {
    const before = t.engine.eventsSeen.length;
    let r = await call('POST', '/v1/events', {
      events: [
        { user: 'u9', item: 'i1', type: 'purchase', key: 'order-1', timestamp: 1_700_000_100_000 },
        { user: 'u9', item: 'i2', type: 'dislike' },
        { user: 'u9', item: 'i3', type: 'rating', value: 4.5, weight: 2 },
        { user: 'u9', item: 'i1', type: 'purchase', key: 'order-1' },
      ],
    });
    assert.equal(r.status, 200);
    assert.deepEqual([r.body.inserted, r.body.duplicates, r.body.createdUsers], [3, 1, 1]);
    const results = r.body.results as Array<{ seq: number; duplicate: boolean }>;
    assert.equal(results[3].seq, results[0].seq);
    assert.equal(results[3].duplicate, true);
    const fed = t.engine.eventsSeen.slice(before);
    assert.deepEqual(fed.map((e) => [e.item, e.type, e.value, e.weight, e.key]), [
      ['i1', 'purchase', null, null, 'order-1'],
      ['i2', 'dislike', null, null, null],
      ['i3', 'rating', 4.5, 2, null],
    ]);
    assert.equal(fed[0].timestamp, 1_700_000_100_000);
    r = await call('POST', '/v1/events', { events: [{ user: 'u9', item: 'i1', type: 'purchase', key: 'order-1' }] });
    assert.deepEqual([r.body.inserted, r.body.duplicates], [0, 1]);
    assert.equal(t.engine.eventsSeen.length, before + 3);
    r = await call('GET', '/v1/users/u9/events?n=2', undefined, t.read);
    assert.equal((r.body.events as unknown[]).length, 2);
    r = await call('POST', '/v1/events', { events: [{ user: 'u9', item: 'nope', type: 'view' }], autoCreate: false });
    assert.equal(r.status, 404);
    assert.equal(r.body.error?.code, 'E_UNKNOWN_ID');
  });

  test('errors name the field', async () => {
    const bad: Array<[unknown, string]> = [
      [{ events: [{ user: 'a', item: 'b', type: 'view' }, { user: 'a', item: 'b', type: 'view' }, { user: 'a', item: 'b', type: 'view' }, { user: 'a', item: 3, type: 'view' }] }, 'body/events/3/item'],
      [{ events: [{ user: 'a', type: 'view' }] }, 'body/events/0/item'],
      [{ events: [{ user: 'a', item: 'b', type: 'View!' }] }, 'body/events/0/type'],
      [{ events: [{ user: 'a', item: 'b', type: 'view', extra: 1 }] }, 'body/events/0/extra'],
      [{ events: [] }, 'body/events'],
      [{}, 'body/events'],
    ];
    for (const [payload, field] of bad) {
      const r = await call('POST', '/v1/events', payload);
      assert.equal(r.status, 400, JSON.stringify(payload));
      assert.equal(r.body.error?.code, 'E_VALIDATION');
      assert.equal(r.body.error?.field, field);
      assert.ok(r.body.error?.message.startsWith(`${field}: `), r.body.error?.message);
      assert.doesNotMatch(JSON.stringify(r.body), /at .*\.ts:\d+/);
    }
  });
});

describe('models', () => {
  test('retrain, list, activate (rollback), unknown version', async () => {
    let r = await call('POST', '/v1/models/retrain', { reason: 'first' });
    assert.deepEqual([r.status, r.body.version, r.body.active], [200, 1, true]);
    r = await call('POST', '/v1/models/retrain');
    assert.equal(r.body.version, 2);
    r = await call('GET', '/v1/models', undefined, t.read);
    const models = r.body.models as Array<{ id: number; version: number; active: boolean; metrics: unknown }>;
    assert.deepEqual(models.map((m) => [m.version, m.active]), [[2, true], [1, false]]);
    assert.deepEqual(models[0].metrics, { ndcg10: 0.5 });
    r = await call('POST', `/v1/models/${models[1].id}/activate`);
    assert.deepEqual([r.status, r.body.version, r.body.active], [200, 1, true]);
    assert.equal((await call('GET', '/v1/models', undefined, t.read)).body.engine && t.engine.status().modelVersion, 1);
    r = await call('POST', '/v1/models/999/activate');
    assert.deepEqual([r.status, r.body.error?.field], [404, 'params/version']);
    r = await call('POST', '/v1/models/abc/activate');
    assert.deepEqual([r.status, r.body.error?.field], [400, 'params/version']);
  });
});
