/**
 * The store conformance suite: every backend's test file calls storeConformance() with a factory of
 * fresh databases. Part one here (schema, users, items, events); part two in conformance-registry.ts
 * (models, experiments, API keys, concurrency).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AffinityError } from '../core/errors.js';
import type { Clock } from './sql-store.js';
import type { EventInput, Store } from './types.js';
import { registryConformance } from './conformance-registry.js';

export interface TestDatabase {
  /** Opens a connection to this database (several may be open at once). */
  open(clock?: Clock): Promise<Store>;
  /** Drops the database. */
  dispose(): Promise<void>;
}

export interface StoreFactory {
  create(): Promise<TestDatabase>;
}

/** A settable clock starting at 2023-11-14T22:13:20Z. */
export function fakeClock(): Clock & { set(t: number): void; advance(ms: number): void } {
  let t = 1_700_000_000_000;
  const c = (() => t) as Clock & { set(t: number): void; advance(ms: number): void };
  c.set = (x) => void (t = x);
  c.advance = (ms) => void (t += ms);
  return c;
}

/** Runs `fn` with a fresh store on a fresh database, closing and dropping both afterwards. */
export async function withStore(factory: StoreFactory, fn: (s: Store, db: TestDatabase, clock: ReturnType<typeof fakeClock>) => Promise<void>): Promise<void> {
  const db = await factory.create();
  const clock = fakeClock();
  const s = await db.open(clock);
  try {
    await fn(s, db, clock);
  } finally {
    await s.close();
    await db.dispose();
  }
}

/** Asserts that `p` rejects with an AffinityError of `code` whose message starts with `prefix`. */
export async function rejectsWith(p: Promise<unknown>, code: string, prefix: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AffinityError, `expected an AffinityError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.ok(e.message.startsWith(prefix), `message ${JSON.stringify(e.message)} should start with ${JSON.stringify(prefix)}`);
    return true;
  });
}

function ev(user: string, item: string, type = 'view', extra: Partial<EventInput> = {}): EventInput {
  return { user, item, type, ...extra };
}

export function storeConformance(label: string, factory: StoreFactory): void {
  describe(`store conformance: ${label}`, () => {
    test('opening migrates to the current schema; reopening keeps data and version', async () => {
      await withStore(factory, async (s, db) => {
        assert.equal(await s.schemaVersion(), 1);
        await s.upsertUsers([{ id: 'u1' }]);
        const again = await db.open();
        try {
          assert.equal(await again.schemaVersion(), 1);
          assert.equal((await again.getUser('u1'))?.id, 'u1');
        } finally {
          await again.close();
        }
        assert.deepEqual(await s.counts(), { users: 1, items: 0, events: 0, models: 0, experiments: 0 });
      });
    });

    test('users: create, partial update, soft delete, revive', async () => {
      await withStore(factory, async (s, _db, clock) => {
        const [a] = await s.upsertUsers([{ id: 'alice', features: { age: 31, tags: ['x'] }, labels: ['vip'] }]);
        assert.deepEqual(a, { id: 'alice', features: { age: 31, tags: ['x'] }, labels: ['vip'], createdAt: 1_700_000_000_000, updatedAt: 1_700_000_000_000, deleted: false });
        clock.advance(5000);
        const [b] = await s.upsertUsers([{ id: 'alice', labels: ['vip', 'new'] }]);
        assert.deepEqual(b.features, { age: 31, tags: ['x'] }, 'fields left out keep their value');
        assert.deepEqual(b.labels, ['vip', 'new']);
        assert.equal(b.createdAt, 1_700_000_000_000);
        assert.equal(b.updatedAt, 1_700_000_005_000);
        assert.deepEqual(await s.getUser('alice'), b);
        assert.equal(await s.getUser('nobody'), null);
        assert.equal(await s.deleteUser('alice'), true);
        assert.equal(await s.deleteUser('alice'), false, 'already deleted');
        assert.equal(await s.deleteUser('nobody'), false);
        assert.equal(await s.getUser('alice'), null);
        assert.equal((await s.getUser('alice', { includeDeleted: true }))?.deleted, true);
        clock.advance(1000);
        const [c] = await s.upsertUsers([{ id: 'alice' }]);
        assert.deepEqual(c, { id: 'alice', features: {}, labels: [], createdAt: 1_700_000_006_000, updatedAt: 1_700_000_006_000, deleted: false });
        // a batch naming one id twice: the later row wins, field by field
        const out = await s.upsertUsers([{ id: 'bob', features: { a: 1 } }, { id: 'bob', labels: ['l'] }]);
        assert.deepEqual(out[1], { ...out[0], labels: ['l'] });
        assert.deepEqual((await s.getUser('bob'))?.features, { a: 1 });
      });
    });

    test('items: fields, flags, batch get, keyset paging, updatedSince', async () => {
      await withStore(factory, async (s, _db, clock) => {
        const [it] = await s.upsertItems([{ id: 'm1', title: 'Heat', categories: ['crime', 'drama'], labels: ['1995'], features: { year: 1995 }, timestamp: 817_776_000_000 }]);
        assert.deepEqual(it, {
          id: 'm1', title: 'Heat', features: { year: 1995 }, categories: ['crime', 'drama'], labels: ['1995'], timestamp: 817_776_000_000,
          hidden: false, outOfStock: false, createdAt: 1_700_000_000_000, updatedAt: 1_700_000_000_000, deleted: false,
        });
        clock.advance(10);
        const [h] = await s.upsertItems([{ id: 'm1', hidden: true, outOfStock: true, timestamp: null }]);
        assert.equal(h.hidden, true);
        assert.equal(h.outOfStock, true);
        assert.equal(h.timestamp, null);
        assert.equal(h.title, 'Heat');
        assert.deepEqual(h.categories, ['crime', 'drama']);
        const ids = Array.from({ length: 25 }, (_, k) => `i${String(k).padStart(2, '0')}`);
        clock.advance(10);
        await s.upsertItems(ids.map((id) => ({ id, title: id.toUpperCase() })));
        await s.deleteItem('i05');
        const seen: string[] = [];
        let after: string | undefined;
        let pages = 0;
        for (;;) {
          const page = await s.listItems({ limit: 10, ...(after === undefined ? {} : { after }) });
          seen.push(...page.rows.map((r) => r.id));
          pages++;
          if (page.next === null) break;
          after = page.next;
        }
        assert.equal(pages, 3);
        assert.deepEqual(seen, [...ids.filter((x) => x !== 'i05'), 'm1'], 'code-point order, deleted left out');
        assert.equal((await s.listItems({ limit: 100, includeDeleted: true })).rows.length, 26);
        assert.equal((await s.listItems({ updatedSince: 1_700_000_000_020, limit: 100 })).rows.length, 24);
        assert.equal((await s.listItems({ updatedSince: 1_700_000_000_010, limit: 100 })).rows.length, 25);
        assert.deepEqual((await s.getItems(['i03', 'zz', 'i05', 'i01'])).map((r) => r.title), ['I03', 'I01']);
        const paged = await s.listUsers({ limit: 5 });
        assert.deepEqual(paged, { rows: [], next: null });
      });
    });

    test('bad users and items are rejected with the index and field, nothing written', async () => {
      await withStore(factory, async (s) => {
        await rejectsWith(s.upsertUsers([{ id: 'ok' }, { id: '' }]), 'E_PARAM', 'users[1].id: expected a non-empty string id');
        await rejectsWith(s.upsertUsers([{ id: 'ok', labels: ['a', 3 as unknown as string] }]), 'E_PARAM', 'users[0].labels[1]:');
        await rejectsWith(s.upsertUsers([{ id: 'ok', features: [] as unknown as {} }]), 'E_PARAM', 'users[0].features: expected a JSON object');
        await rejectsWith(s.upsertItems([{ id: 'a' }, { id: 'b', hidden: 'yes' as unknown as boolean }]), 'E_PARAM', 'items[1].hidden: expected true or false');
        await rejectsWith(s.upsertItems([{ id: 'a', price: 3 } as unknown as { id: string }]), 'E_PARAM', 'items[0].price: expected one of the fields');
        await rejectsWith(s.listItems({ limit: 0 }), 'E_PARAM', 'limit:');
        assert.deepEqual(await s.counts(), { users: 0, items: 0, events: 0, models: 0, experiments: 0 });
      });
    });

    test('events: insert, auto-create, idempotency keys across and within batches', async () => {
      await withStore(factory, async (s) => {
        await s.upsertItems([{ id: 'i1', title: 'One' }]);
        const r1 = await s.insertEvents([
          ev('u1', 'i1', 'view', { timestamp: 1000, key: 'k-a' }),
          ev('u1', 'i2', 'purchase', { timestamp: 2000, value: 9.5 }),
          ev('u2', 'i1', 'cart', { timestamp: 3000, key: 'k-b', weight: 2 }),
        ]);
        assert.deepEqual(r1, { results: [{ seq: 1, duplicate: false }, { seq: 2, duplicate: false }, { seq: 3, duplicate: false }], inserted: 3, duplicates: 0, createdUsers: 2, createdItems: 1 });
        assert.equal((await s.getItem('i1'))?.title, 'One', 'an existing item is left alone');
        assert.deepEqual(await s.getItem('i2').then((x) => x && [x.title, x.features, x.categories]), ['', {}, []]);
        const r2 = await s.insertEvents([
          ev('u9', 'i9', 'view', { key: 'k-b' }),
          ev('u3', 'i1', 'view', { key: 'k-c' }),
          ev('u3', 'i1', 'view', { key: 'k-c' }),
          ev('u1', 'i1', 'view', { key: 'k-a' }),
        ]);
        assert.deepEqual(r2.results, [{ seq: 3, duplicate: true }, { seq: 4, duplicate: false }, { seq: 4, duplicate: true }, { seq: 1, duplicate: true }]);
        assert.equal(r2.inserted, 1);
        assert.equal(r2.duplicates, 3);
        assert.equal(r2.createdUsers, 1, 'a duplicate row creates nothing (u9 never appears)');
        assert.equal(await s.getUser('u9'), null);
        assert.equal(await s.lastEventSeq(), 4);
        const all = (await s.readEvents()).events;
        assert.deepEqual(all[1], { seq: 2, user: 'u1', item: 'i2', type: 'purchase', weight: null, value: 9.5, timestamp: 2000, key: null, insertedAt: 1_700_000_000_000 });
        assert.equal(all[2].weight, 2);
        assert.equal(all[3].timestamp, 1_700_000_000_000, 'missing timestamp = insertion time');
        await rejectsWith(s.insertEvents([ev('u1', 'i1'), ev('u1', 'new-item')], { autoCreate: false }), 'E_UNKNOWN_ID', 'events[1].item: unknown item "new-item"');
        await rejectsWith(s.insertEvents([ev('new-user', 'i1')], { autoCreate: false }), 'E_UNKNOWN_ID', 'events[0].user: unknown user');
        assert.equal(await s.lastEventSeq(), 4);
        assert.deepEqual(await s.insertEvents([]), { results: [], inserted: 0, duplicates: 0, createdUsers: 0, createdItems: 0 });
      });
    });

    test('a batch with one bad row inserts nothing, and the error names the row and field', async () => {
      await withStore(factory, async (s) => {
        await s.insertEvents([ev('u0', 'gone')]);
        await s.deleteItem('gone');
        const good = Array.from({ length: 5 }, (_, k) => ev(`new${k}`, `item${k}`, 'view', { key: `g${k}` }));
        // shape errors, caught before the transaction
        await rejectsWith(s.insertEvents([...good.slice(0, 3), { ...ev('u', 'x'), item: 42 as unknown as string }]), 'E_PARAM', 'events[3].item: expected a non-empty string id');
        await rejectsWith(s.insertEvents([...good, ev('u', 'x', 'View!')]), 'E_PARAM', 'events[5].type:');
        await rejectsWith(s.insertEvents([ev('u', 'x', 'view', { weight: Number.NaN })]), 'E_PARAM', 'events[0].weight: expected a finite number');
        await rejectsWith(s.insertEvents([ev('u', 'x', 'view', { timestamp: 1.5 })]), 'E_PARAM', 'events[0].timestamp:');
        // a row failing inside the transaction, after its users were already created: all rolled back
        await rejectsWith(s.insertEvents([...good, ev('u0', 'gone', 'view', { key: 'bad' })]), 'E_UNKNOWN_ID', 'events[5].item: item "gone" was deleted');
        assert.equal(await s.lastEventSeq(), 1);
        assert.deepEqual(await s.getUsers(good.map((e) => e.user)), [], 'auto-created users rolled back');
        assert.equal((await s.counts()).items, 0);
        // the same batch without the bad row goes in whole
        assert.equal((await s.insertEvents(good)).inserted, 5);
        assert.equal(await s.lastEventSeq(), 6);
      });
    });

    test('cursors, recent history, deleted filtering, counts by type and time bucket', async () => {
      await withStore(factory, async (s) => {
        const types = ['view', 'view', 'cart', 'purchase', 'dislike'];
        for (let b = 0; b < 3; b++) {
          const batch: EventInput[] = [];
          for (let k = 0; k < 84; k++) {
            const n = b * 84 + k;
            batch.push(ev(`u${n % 7}`, `i${n % 11}`, types[n % 5], { timestamp: 60_000 * n }));
          }
          await s.insertEvents(batch);
        }
        const seqs: number[] = [];
        let cursor = 0;
        for (;;) {
          const page = await s.readEvents({ after: cursor, limit: 100 });
          seqs.push(...page.events.map((e) => e.seq));
          if (page.events.length === 0) {
            assert.equal(page.next, cursor);
            break;
          }
          cursor = page.next;
        }
        assert.deepEqual(seqs, Array.from({ length: 252 }, (_, k) => k + 1));
        const recent = await s.recentEvents('u3', 3);
        // user 3 has events n = 3, 10, ..., 248 (n % 7 == 3); latest three: 248, 241, 234
        assert.deepEqual(recent.map((e) => e.timestamp / 60_000), [248, 241, 234]);
        assert.deepEqual((await s.recentEvents('u3', 2, ['cart'])).map((e) => e.timestamp / 60_000), [227, 192]);
        assert.deepEqual(await s.recentEvents('u3', 2, []), []);
        assert.deepEqual(await s.recentEvents('nobody', 5), []);
        assert.deepEqual(await s.countEventsByType(), [
          { type: 'cart', count: 50 }, { type: 'dislike', count: 50 }, { type: 'purchase', count: 50 }, { type: 'view', count: 102 },
        ]);
        // n in [100, 110): 100..109 -> types view x4 (100,101,105,106), cart 102,107, purchase 103,108, dislike 104,109
        assert.deepEqual(await s.countEventsByType({ since: 6_000_000, until: 6_600_000 }), [
          { type: 'cart', count: 2 }, { type: 'dislike', count: 2 }, { type: 'purchase', count: 2 }, { type: 'view', count: 4 },
        ]);
        const hist = await s.eventHistogram(3_600_000, { until: 7_200_000 });
        assert.deepEqual(hist, [
          { start: 0, type: 'cart', count: 12 }, { start: 0, type: 'dislike', count: 12 }, { start: 0, type: 'purchase', count: 12 }, { start: 0, type: 'view', count: 24 },
          { start: 3_600_000, type: 'cart', count: 12 }, { start: 3_600_000, type: 'dislike', count: 12 }, { start: 3_600_000, type: 'purchase', count: 12 }, { start: 3_600_000, type: 'view', count: 24 },
        ]);
        // deleting a user and an item hides their events from training reads
        await s.deleteUser('u0');
        await s.deleteItem('i0');
        const live = (await s.readEvents({ limit: 1000 })).events;
        const expected = Array.from({ length: 252 }, (_, n) => n).filter((n) => n % 7 !== 0 && n % 11 !== 0);
        assert.deepEqual(live.map((e) => e.seq - 1), expected);
        assert.equal((await s.readEvents({ limit: 1000, includeDeleted: true })).events.length, 252);
        await rejectsWith(s.readEvents({ after: -1 }), 'E_PARAM', 'after:');
        await rejectsWith(s.eventHistogram(0), 'E_PARAM', 'bucketMs:');
      });
    });

    registryConformance(factory);
  });
}
