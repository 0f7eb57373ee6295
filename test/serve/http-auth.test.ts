import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { ensureAdminKey } from '../../src/serve/auth.js';
import { bearer, buildTestApp } from './http-fixture.js';

const EVENT = { events: [{ user: 'u1', item: 'i5', type: 'view' }] };

test('scopes: no write without a write key; reads need a key unless auth is off', async () => {
  const t = await buildTestApp();
  try {
    const post = (headers: Record<string, string>) => t.app.inject({ method: 'POST', url: '/v1/events', headers, payload: EVENT });
    let r = await post({});
    assert.deepEqual([r.statusCode, r.json().error.code, r.json().error.field], [401, 'E_UNAUTHORIZED', 'headers/authorization']);
    r = await post(bearer('not-a-key-at-all'));
    assert.equal(r.statusCode, 401);
    r = await post({ authorization: 'Basic abc' });
    assert.deepEqual([r.statusCode, r.json().error.field], [401, 'headers/authorization']);
    r = await post(bearer(t.read));
    assert.deepEqual([r.statusCode, r.json().error.code], [403, 'E_FORBIDDEN']);
    for (const m of ['PUT', 'DELETE'] as const) {
      r = await t.app.inject({ method: m, url: '/v1/items/i1', headers: bearer(t.read), ...(m === 'PUT' ? { payload: { hidden: true } } : {}) });
      assert.equal(r.statusCode, 403, m);
    }
    assert.equal((await t.store.getItem('i1'))?.hidden, false);
    r = await post({ 'x-api-key': t.write });
    assert.equal(r.statusCode, 200);
    r = await t.app.inject({ url: '/v1/popular' });
    assert.equal(r.statusCode, 401);
    r = await t.app.inject({ url: '/v1/popular', headers: { 'x-api-key': t.read } });
    assert.equal(r.statusCode, 200);
    r = await t.app.inject({ url: '/v1/popular', headers: bearer(t.write) });
    assert.equal(r.statusCode, 200);
    // POST routes that only read accept a read key.
    r = await t.app.inject({ method: 'POST', url: '/v1/sessions/recommendations', headers: bearer(t.read), payload: { recentItems: ['i1'] } });
    assert.equal(r.statusCode, 200);
    // Revoked keys stop working (after the verification cache's few seconds; a fresh app has none cached).
    const k = await t.store.createApiKey({ name: 'temp', scopes: ['write'] });
    await t.store.revokeApiKey(k.record.id);
    assert.equal((await post(bearer(k.secret))).statusCode, 401);
  } finally {
    await t.close();
  }
  const open = await buildTestApp({ auth: 'off' });
  try {
    assert.equal((await open.app.inject({ url: '/v1/popular' })).statusCode, 200);
    assert.equal((await open.app.inject({ method: 'POST', url: '/v1/events', payload: EVENT })).statusCode, 401);
    assert.equal((await open.app.inject({ method: 'POST', url: '/v1/events', headers: bearer(open.read), payload: EVENT })).statusCode, 403);
    assert.equal((await open.app.inject({ method: 'POST', url: '/v1/events', headers: bearer(open.write), payload: EVENT })).statusCode, 200);
  } finally {
    await open.close();
  }
});

test('admin bootstrap key is accepted as given and registered once', async () => {
  const t = await buildTestApp();
  try {
    const secret = 'operator-secret-0123456789';
    const a = await ensureAdminKey(t.store, secret);
    const b = await ensureAdminKey(t.store, secret);
    assert.equal(a.id, b.id);
    assert.deepEqual(a.scopes, ['read', 'write']);
    const r = await t.app.inject({ method: 'POST', url: '/v1/events', headers: bearer(secret), payload: EVENT });
    assert.equal(r.statusCode, 200);
  } finally {
    await t.close();
  }
});

test('413 for large bodies and 429 past the rate limit, as JSON errors', async () => {
  const t = await buildTestApp({ limits: { bodyBytes: 1000, rateMax: 3, rateWindowMs: 60_000 } });
  try {
    const big = { events: Array.from({ length: 50 }, (_, i) => ({ user: 'u1', item: `i${i}`, type: 'view' })) };
    let r = await t.app.inject({ method: 'POST', url: '/v1/events', headers: bearer(t.write), payload: big });
    assert.equal(r.statusCode, 413);
    assert.deepEqual(r.json(), { error: { code: 'E_BODY_TOO_LARGE', message: 'body: the request body exceeds the size limit', field: 'body' } });
    // The 413 request was not counted (rejected before the limiter); 3 pass, then 429.
    for (let i = 0; i < 3; i++) assert.equal((await t.app.inject({ url: "/v1/popular", headers: bearer(t.read) })).statusCode, 200);
    r = await t.app.inject({ url: '/v1/popular', headers: bearer(t.read) });
    assert.equal(r.statusCode, 429);
    assert.equal(r.json().error.code, 'E_RATE_LIMIT');
    assert.ok(r.headers['retry-after']);
    // Another key has its own bucket; health is never limited.
    assert.equal((await t.app.inject({ url: '/v1/popular', headers: bearer(t.write) })).statusCode, 200);
    for (let i = 0; i < 5; i++) assert.equal((await t.app.inject({ url: '/health' })).statusCode, 200);
  } finally {
    await t.close();
  }
});

test('secrets never appear in the logs; internal errors have no stack trace in the response', async () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const t = await buildTestApp({ logger: { level: 'trace', stream } });
  try {
    await t.app.inject({ method: 'POST', url: '/v1/events', headers: bearer(t.write), payload: EVENT });
    await t.app.inject({ url: '/v1/popular', headers: { 'x-api-key': t.read } });
    t.engine.popular = async () => {
      throw new Error('boom at secret place');
    };
    const r = await t.app.inject({ url: '/v1/popular', headers: bearer(t.read) });
    assert.equal(r.statusCode, 500);
    assert.deepEqual(r.json(), { error: { code: 'E_INTERNAL', message: 'internal error (logged on the server)' } });
    const log = lines.join('');
    assert.ok(log.length > 0);
    assert.ok(!log.includes(t.write) && !log.includes(t.read), 'keys are not logged');
    assert.match(log, /boom at secret place/);
  } finally {
    await t.close();
  }
});
