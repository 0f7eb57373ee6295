import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IdMap } from '../core/idmap.js';
import { AffinityError } from '../core/errors.js';
import { eventsToDataset, loadEventsDataset, validateEventBatch, validateWeights } from './ingest.js';
import { openStore } from './index.js';
import type { EventRecord } from './types.js';

function rec(seq: number, user: string, item: string, type: string, timestamp: number, extra: Partial<EventRecord> = {}): EventRecord {
  return { seq, user, item, type, weight: null, value: null, timestamp, key: null, insertedAt: 0, ...extra };
}

test('validateEventBatch names the index and field', () => {
  const ok = validateEventBatch([{ user: 'u', item: 'i', type: 'view' }], 1234);
  assert.deepEqual(ok, [{ user: 'u', item: 'i', type: 'view', weight: null, value: null, timestamp: 1234, key: null }]);
  const cases: Array<[unknown, string]> = [
    [{ events: [] }, 'events: expected an array'],
    [[{ user: 'u', item: 'i', type: 'view' }, 7], 'events[1]: expected an event object'],
    [[{ user: 'u', item: 'i', type: 'view' }, {}, {}, { user: 'u', item: '', type: 'view' }], 'events[1].user: expected a non-empty string id'],
    [[{}, {}, {}, {}].map((_, k) => (k === 3 ? { user: 'u', item: 42, type: 'view' } : { user: 'u', item: 'i', type: 'view' })), 'events[3].item: expected a non-empty string id'],
    [[{ user: 'u', item: 'i', type: '' }], 'events[0].type:'],
    [[{ user: 'u', item: 'i', type: 'view', value: '5' }], 'events[0].value: expected a finite number (got "5")'],
    [[{ user: 'u', item: 'i', type: 'view', timestamp: -1 }], 'events[0].timestamp: expected an integer Unix time in milliseconds'],
    [[{ user: 'u', item: 'i', type: 'view', key: '' }], 'events[0].key:'],
    [[{ user: 'u', item: 'i', type: 'view', extra: 1 }], 'events[0].extra: expected one of the fields user, item, type'],
    [[{ user: 'u'.repeat(300), item: 'i', type: 'view' }], 'events[0].user: expected a non-empty string id of at most 256 characters'],
  ];
  for (const [body, prefix] of cases) {
    assert.throws(() => validateEventBatch(body), (e: unknown) => e instanceof AffinityError && e.code === 'E_PARAM' && e.message.startsWith(prefix), prefix);
  }
  assert.throws(() => validateWeights({ view: 'x' }), /weights\.view/);
});

test('eventsToDataset: implicit weights summed per pair, latest time, dislikes negative', () => {
  const evs = [
    rec(1, 'a', 'x', 'view', 1000),
    rec(2, 'a', 'x', 'purchase', 5000),
    rec(3, 'b', 'x', 'cart', 2000),
    rec(4, 'a', 'y', 'dislike', 3000),
    rec(5, 'b', 'z', 'view', 4000, { weight: 0.25 }),
    rec(6, 'a', 'x', 'view', 2000),
  ];
  const ds = eventsToDataset(evs);
  assert.equal(ds.kind, 'implicit');
  assert.deepEqual(ds.users.toArray(), ['a', 'b']);
  assert.deepEqual(ds.items.toArray(), ['x', 'y', 'z']);
  // rows: (a,x) = 1 + 5 + 1 = 7 at t=5s; (a,y) = -1; (b,x) = 3; (b,z) = 0.25 (its own weight)
  assert.deepEqual([...ds.user], [0, 0, 1, 1]);
  assert.deepEqual([...ds.item], [0, 1, 0, 2]);
  assert.deepEqual([...ds.value], [7, -1, 3, 0.25]);
  assert.deepEqual([...(ds.time ?? [])], [5, 3, 2, 4]);
  const custom = eventsToDataset(evs, { weights: { view: 2, purchase: 10 } });
  assert.deepEqual([...custom.value], [14, -1, 3, 0.25]);
  assert.throws(() => eventsToDataset([rec(1, 'a', 'x', 'share', 0)]), /weights\.share: .*set defaultWeight/);
  assert.deepEqual([...eventsToDataset([rec(1, 'a', 'x', 'share', 0)], { defaultWeight: 2 }).value], [2]);
  const since = eventsToDataset(evs, { since: 2000, until: 5000 });
  // ids are numbered in order of the first kept event: b (seq 3) before a (seq 4)
  assert.deepEqual(since.users.toArray(), ['b', 'a']);
  assert.deepEqual([...since.value], [3, 0.25, 1, -1], '(a,x) keeps only the view at t=2000');
});

test('eventsToDataset: explicit ratings, the latest by timestamp wins; id maps are reused', () => {
  const evs = [
    rec(1, 'a', 'x', 'rating', 3000, { value: 4 }),
    rec(2, 'a', 'x', 'rating', 1000, { value: 2 }),
    rec(3, 'a', 'y', 'view', 1000),
    rec(4, 'b', 'y', 'rating', 1000, { value: 5 }),
    rec(5, 'b', 'y', 'rating', 1000, { value: 3 }),
    rec(6, 'b', 'x', 'rating', 1000),
  ];
  const users = new IdMap(['z-first', 'b']);
  const ds = eventsToDataset(evs, { kind: 'explicit', ratingScale: [1, 5], users });
  assert.equal(ds.kind, 'explicit');
  assert.deepEqual(ds.ratingScale, [1, 5]);
  assert.deepEqual(ds.users.toArray(), ['z-first', 'b', 'a']);
  // b (index 1): (b,y) = 3 (same time, later seq); a (index 2): (a,x) = 4 (later timestamp)
  assert.deepEqual([...ds.user], [1, 2]);
  assert.deepEqual(ds.items.toArray(), ['x', 'y']);
  assert.deepEqual([...ds.item], [1, 0]);
  assert.deepEqual([...ds.value], [3, 4]);
});

test('loadEventsDataset pages through the store and leaves out deleted users and items', async () => {
  const s = await openStore('sqlite::memory:');
  const batch = [];
  for (let k = 0; k < 2500; k++) batch.push({ user: `u${k % 40}`, item: `i${k % 60}`, type: k % 3 === 0 ? 'purchase' : 'view', timestamp: k * 1000 });
  await s.insertEvents(batch);
  await s.deleteItem('i59');
  const { dataset, cursor, events } = await loadEventsDataset(s, { pageSize: 700 });
  assert.equal(cursor, 2500, 'the last live event (k = 2499, item i39) is seq 2500');
  assert.equal(events, 2500 - 41, 'i59 had events k = 59, 119, ..., 2459: 41 of them');
  // pairs: u = k mod 40, i = k mod 60 -> (u, i) repeats every lcm(40, 60) = 120 events: 120 distinct pairs, minus those of i59 (2)
  assert.equal(dataset.size, 118);
  let total = 0;
  for (const v of dataset.value) total += v;
  // weight total over live events: purchases (k % 3 == 0) count 5, views 1
  let expect = 0;
  for (let k = 0; k < 2500; k++) if (k % 60 !== 59) expect += k % 3 === 0 ? 5 : 1;
  assert.equal(total, expect);
  const rest = await loadEventsDataset(s, { after: cursor });
  assert.equal(rest.events, 0);
  await s.close();
});
