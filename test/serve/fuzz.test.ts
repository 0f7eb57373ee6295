/**
 * Bounded fuzz of every write route (and the POST reads) with malformed bodies: wrong types, missing
 * fields, huge strings, deep nesting, invalid JSON, wrong content types. Seeded: the same 400 requests
 * each run. Every answer must be a 4xx JSON error naming the field (never a 5xx, never a stack trace),
 * or a 2xx when the mutation happened to produce a valid body.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/core/rng.js';
import { bearer, buildTestApp } from './http-fixture.js';

type Route = { method: 'POST' | 'PUT' | 'PATCH'; url: string; valid: () => unknown };
const ROUTES: Route[] = [
  { method: 'POST', url: '/v1/events', valid: () => ({ events: [{ user: 'u1', item: 'i1', type: 'view', value: 1, weight: 1, timestamp: 1_700_000_000_000, key: 'k' }] }) },
  { method: 'POST', url: '/v1/users', valid: () => ({ users: [{ id: 'fz', features: { a: 1 }, labels: ['x'] }] }) },
  { method: 'PUT', url: '/v1/users/fz', valid: () => ({ features: { a: 1 }, labels: ['x'] }) },
  { method: 'PATCH', url: '/v1/users/fz', valid: () => ({ labels: ['y'] }) },
  { method: 'POST', url: '/v1/items', valid: () => ({ items: [{ id: 'fi', title: 't', categories: ['c'], timestamp: 1, hidden: false, outOfStock: false, features: {} }] }) },
  { method: 'PUT', url: '/v1/items/fi', valid: () => ({ title: 't', categories: ['c'], hidden: true }) },
  { method: 'PATCH', url: '/v1/items/fi', valid: () => ({ outOfStock: true }) },
  { method: 'POST', url: '/v1/sessions/recommendations', valid: () => ({ recentItems: ['i1'], n: 3 }) },
  { method: 'POST', url: '/v1/groups/recommendations', valid: () => ({ users: ['u1', 'u2'], strategy: 'fair', n: 3 }) },
  { method: 'POST', url: '/v1/models/retrain', valid: () => ({ reason: 'fuzz' }) },
];

function deep(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

const WEIRD: Array<(rng: Rng) => unknown> = [
  () => null,
  () => 42,
  () => -1.5e308,
  () => true,
  () => '',
  () => 'x'.repeat(300),
  (rng) => 'y'.repeat(1000 + rng.int(200_000)),
  () => [],
  () => [1, 'a', null],
  () => ({}),
  () => ({ __proto__: { polluted: 1 } }),
  (rng) => deep(5 + rng.int(3000)),
  () => '\u0000\ud800',
  () => 1_000_000_000_000_000_000,
];

/** Replaces, deletes or adds one value somewhere in a valid body. */
function mutate(v: unknown, rng: Rng): unknown {
  const weird = WEIRD[rng.int(WEIRD.length)](rng);
  if (v === null || typeof v !== 'object' || rng.next() < 0.15) return weird;
  if (Array.isArray(v)) {
    const out = [...v];
    if (out.length === 0 || rng.next() < 0.2) out.push(weird);
    else {
      const k = rng.int(out.length);
      out[k] = mutate(out[k], rng);
    }
    return out;
  }
  const o = { ...(v as Record<string, unknown>) };
  const keys = Object.keys(o);
  const p = rng.next();
  if (keys.length === 0 || p < 0.15) o[rng.next() < 0.5 ? 'extra' : 'id'] = weird;
  else if (p < 0.3) delete o[keys[rng.int(keys.length)]];
  else {
    const k = keys[rng.int(keys.length)];
    o[k] = mutate(o[k], rng);
  }
  return o;
}

const RAW: Array<(rng: Rng) => { payload: string; type: string }> = [
  () => ({ payload: '{"events": [', type: 'application/json' }),
  () => ({ payload: '', type: 'application/json' }),
  () => ({ payload: 'not json', type: 'application/json' }),
  () => ({ payload: '{"__proto__": {"x": 1}}', type: 'application/json' }),
  () => ({ payload: '{"a":1}', type: 'text/plain' }),
  () => ({ payload: '<xml/>', type: 'application/xml' }),
  () => ({ payload: 'a=1&b=2', type: 'application/x-www-form-urlencoded' }),
  (rng) => ({ payload: '['.repeat(10 + rng.int(100_000)), type: 'application/json' }),
  (rng) => ({ payload: JSON.stringify({ events: 'z'.repeat(1_100_000 + rng.int(10)) }), type: 'application/json' }),
];

test('fuzz: malformed bodies on every write route never give a 5xx, and errors name the field', async () => {
  const t = await buildTestApp({ limits: { bodyBytes: 1024 * 1024 } });
  const rng = new Rng(20240606);
  const statuses = new Map<number, number>();
  try {
    for (let n = 0; n < 400; n++) {
      const route = ROUTES[rng.int(ROUTES.length)];
      let payload: string;
      let type = 'application/json';
      if (rng.next() < 0.15) ({ payload, type } = RAW[rng.int(RAW.length)](rng));
      else {
        let body = route.valid();
        const rounds = 1 + rng.int(3);
        for (let k = 0; k < rounds; k++) body = mutate(body, rng);
        payload = JSON.stringify(body) ?? 'null';
      }
      const res = await t.app.inject({ method: route.method, url: route.url, headers: { ...bearer(t.write), 'content-type': type }, payload });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      const what = `#${n} ${route.method} ${route.url} ${payload.slice(0, 120)} -> ${res.statusCode} ${res.body.slice(0, 200)}`;
      assert.ok(res.statusCode < 500, what);
      assert.match(String(res.headers['content-type']), /application\/json/, what);
      if (res.statusCode >= 400) {
        const e = res.json().error;
        assert.equal(typeof e.code, 'string', what);
        assert.ok(typeof e.field === 'string' && e.field.length > 0, `no field: ${what}`);
        assert.ok(e.message.startsWith(e.field), `message does not start with the field: ${what}`);
        assert.doesNotMatch(res.body, /\n\s+at |\.ts:\d+/, what);
      }
    }
  } finally {
    await t.close();
  }
  // Both outcomes occur: most mutations are rejected, some stay valid.
  const errs = [...statuses].filter(([s]) => s >= 400).reduce((a, [, c]) => a + c, 0);
  assert.ok(errs > 200, JSON.stringify([...statuses]));
  assert.ok(statuses.has(413) && statuses.has(415) && statuses.has(400), JSON.stringify([...statuses]));
});
