import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createEngine, type AffinityEngine } from '../../src/serve/engine/engine-api.js';
import { openStore } from '../../src/store/index.js';
import { genreItems, seedGenres } from '../helpers/genre-catalogue.js';
import type { EventInput, EventRecord, Store } from '../../src/store/types.js';

/**
 * A small catalogue with structure: 60 items in 3 genres, 40 users each preferring one genre (most of
 * their views in it). ALS with few factors and sweeps keeps the runs short.
 */
const PARAMS = { factors: 8, iterations: 6, regularization: 1 };

const seed = (store: Store): Promise<void> => seedGenres(store, genreItems().map((it, i) => ({ ...it, features: { price: i } })));

/** Inserts events and returns the stored records (what the HTTP layer hands to onEvents). */
async function insert(store: Store, events: EventInput[]): Promise<EventRecord[]> {
  const before = await store.lastEventSeq();
  await store.insertEvents(events);
  return (await store.readEvents({ after: before })).events;
}

const ids = (r: { id: string }[]): string[] => r.map((x) => x.id);

describe('engine', () => {
  let store: Store;
  let engine: AffinityEngine;

  before(async () => {
    store = await openStore('sqlite::memory:');
    await seed(store);
    engine = createEngine(store, { model: 'als', params: PARAMS, cacheTtlMs: 60_000, holdout: 0.2 });
    await engine.start();
  });
  after(async () => {
    await engine.stop();
    await store.close();
  });

  it('start with no model trains one and records it with offline metrics', async () => {
    const st = engine.status();
    assert.equal(st.ready, true);
    assert.equal(st.modelName, 'als');
    assert.equal(st.modelVersion, 1);
    assert.equal(st.items, 60);
    const versions = await store.listModels('als');
    assert.equal(versions.length, 1);
    assert.equal(versions[0].active, true);
    const ndcg = versions[0].metrics['ndcg@10'];
    const p10 = versions[0].metrics['precision@10'];
    assert.equal(typeof ndcg, 'number');
    assert.ok((ndcg as number) > 0 && (ndcg as number) <= 1, `ndcg@10 ${ndcg}`);
    assert.ok((p10 as number) > 0 && (p10 as number) <= 1, `p@10 ${p10}`);
    assert.equal(versions[0].params.eventSeq, 480);
  });

  it('users get items of their genre, explained, never already seen', async () => {
    const r = await engine.recommend({ userId: 'u0', n: 10 });
    assert.equal(r.items.length, 10);
    assert.equal(r.modelVersion, 1);
    const seen = new Set((await store.recentEvents('u0', 100)).map((e) => e.item));
    for (const it of r.items) {
      assert.ok(!seen.has(it.id), `${it.id} was seen`);
      assert.ok(it.explanation.length > 0);
      assert.equal(it.title, `Item ${it.id.slice(1)}`);
    }
    const drama = r.items.filter((x) => Number(x.id.slice(1)) % 3 === 0).length;
    assert.ok(drama >= 6, `only ${drama} of 10 in the user's genre`);
    assert.ok(r.items.some((x) => x.explanation.startsWith('Because you liked Item ')), JSON.stringify(r.items.map((x) => x.explanation)));
  });

  it('a new event changes the next recommendations at once, without retraining', async () => {
    const first = await engine.recommend({ userId: 'u1', n: 10 });
    const top = first.items[0].id;
    engine.onEvents(await insert(store, [{ user: 'u1', item: top, type: 'purchase' }]));
    const next = await engine.recommend({ userId: 'u1', n: 10 });
    assert.equal(next.cached, false);
    assert.equal(next.modelVersion, 1);
    assert.ok(!ids(next.items).includes(top), 'the purchased item dropped out');
    assert.notDeepEqual(
      next.items.map((x) => x.score),
      first.items.slice(1).map((x) => x.score),
      'the user vector was folded in again',
    );
    // a dislike removes the item too
    const d = next.items[0].id;
    engine.onEvents(await insert(store, [{ user: 'u1', item: d, type: 'dislike' }]));
    assert.ok(!ids((await engine.recommend({ userId: 'u1', n: 10 })).items).includes(d));
  });

  it('cache hit, then invalidation by the user\u2019s event', async () => {
    const h0 = engine.status().cache.hits;
    const a = await engine.recommend({ userId: 'u2', n: 5 });
    const b = await engine.recommend({ userId: 'u2', n: 5 });
    assert.equal(a.cached, false);
    assert.equal(b.cached, true);
    assert.deepEqual(ids(b.items), ids(a.items));
    assert.equal(engine.status().cache.hits, h0 + 1);
    engine.onEvents(await insert(store, [{ user: 'u2', item: 'i59', type: 'view' }]));
    const c = await engine.recommend({ userId: 'u2', n: 5 });
    assert.equal(c.cached, false);
    // another user's event leaves u2's entry alone
    engine.onEvents(await insert(store, [{ user: 'u5', item: 'i3', type: 'view' }]));
    assert.equal((await engine.recommend({ userId: 'u2', n: 5 })).cached, true);
  });

  it('pages never repeat an item and end with a null cursor', async () => {
    const got: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const r = await engine.recommend({ userId: 'u3', n: 7, cursor });
      got.push(...ids(r.items));
      if (r.nextCursor === null) break;
      cursor = r.nextCursor;
    }
    assert.equal(new Set(got).size, got.length, 'no duplicates');
    const seen = new Set((await store.recentEvents('u3', 100)).map((e) => e.item));
    assert.equal(got.length, 60 - seen.size, 'every unseen item once');
    await assert.rejects(engine.recommend({ userId: 'u4', n: 7, cursor: cursor! }), /cursor/);
  });

  it('category and rule filters', async () => {
    const r = await engine.recommend({ userId: 'u0', n: 5, category: 'comedy' });
    assert.ok(r.items.length === 5 && r.items.every((x) => Number(x.id.slice(1)) % 3 === 1));
    const f = await engine.recommend({ userId: 'u0', n: 5, filter: 'price < 10' });
    assert.ok(f.items.length > 0 && f.items.every((x) => Number(x.id.slice(1)) < 10), JSON.stringify(ids(f.items)));
    await assert.rejects(engine.recommend({ userId: 'u0', n: 5, filter: 'nosuch > 1' }), /filter/);
  });

  it('unknown users get popular items; with events they are folded in', async () => {
    const pop = await engine.popular(10);
    const r = await engine.recommend({ userId: 'stranger', n: 10 });
    assert.deepEqual(ids(r.items), ids(pop));
    assert.ok(r.items.every((x) => x.source === 'popular'));
    for (let k = 1; k < pop.length; k++) assert.ok(pop[k - 1].score >= pop[k].score);
    engine.onEvents(await insert(store, [{ user: 'stranger', item: 'i2', type: 'purchase' }, { user: 'stranger', item: 'i5', type: 'purchase' }]));
    const f = await engine.recommend({ userId: 'stranger', n: 10 });
    assert.ok(f.items.every((x) => x.source === 'als' || x.source === 'new'));
    assert.ok(!ids(f.items).includes('i2') && !ids(f.items).includes('i5'));
    const horror = f.items.filter((x) => Number(x.id.slice(1)) % 3 === 2).length;
    assert.ok(horror >= 6, `folded-in horror fan got ${horror} horror items`);
  });

  it('hidden, out-of-stock and deleted items are never returned', async () => {
    const r = await engine.recommend({ userId: 'u6', n: 10 });
    const [a, b, c] = ids(r.items);
    await store.upsertItems([{ id: a, hidden: true }, { id: b, outOfStock: true }]);
    await store.deleteItem(c);
    engine.onCatalogChange('item', [a, b, c]);
    await engine.core.catalogSync;
    const after = ids((await engine.recommend({ userId: 'u6', n: 60 })).items);
    for (const x of [a, b, c]) assert.ok(!after.includes(x), `${x} returned`);
    for (const x of [a, b, c]) {
      assert.ok(!ids(await engine.popular(60)).includes(x));
      assert.ok(!ids(await engine.session(['i0', 'i3'], 60)).includes(x));
    }
    await store.upsertItems([{ id: a, hidden: false }, { id: b, outOfStock: false }]);
    engine.onCatalogChange('item', [a, b]);
    await engine.core.catalogSync;
  });

  it('new items are served in new-item slots before retraining', async () => {
    engine.onEvents(await insert(store, [{ user: 'u9', item: 'fresh-1', type: 'purchase' }]));
    await store.upsertItems([{ id: 'fresh-1', title: 'Fresh one', categories: ['drama'] }]);
    engine.onCatalogChange('item', ['fresh-1']);
    await engine.core.catalogSync;
    const r = await engine.recommend({ userId: 'u0', n: 10 });
    assert.equal(r.items[4].id, 'fresh-1');
    assert.equal(r.items[4].source, 'new');
    assert.equal(r.items[4].explanation, 'New release');
  });

  it('similar items, similar users, explain, session, group, trending and rows', async () => {
    const sim = await engine.similarItems('i0', 5);
    assert.equal(sim.length, 5);
    assert.ok(!ids(sim).includes('i0'));
    assert.ok(sim.filter((x) => Number(x.id.slice(1)) % 3 === 0).length >= 3);
    const su = await engine.similarUsers('u0', 3);
    assert.equal(su.length, 3);
    assert.ok(!su.some((x) => x.id === 'u0'));
    const ex = await engine.explain('u0', 'i9');
    assert.ok(Number.isFinite(ex.score) && ex.reasons.length >= 1);
    const ses = await engine.session(['i0', 'i3', 'i6'], 5);
    assert.ok(ses.length === 5 && !ids(ses).some((x) => ['i0', 'i3', 'i6'].includes(x)));
    for (const strategy of ['average', 'least-misery', 'most-pleasure', 'fair'] as const) {
      const g = await engine.group(['u0', 'u3'], 5, strategy);
      assert.equal(g.length, 5, strategy);
    }
    const tr = await engine.trending(5, 'horror');
    assert.ok(tr.length === 5 && tr.every((x) => Number(x.id.slice(1)) % 3 === 2));
    const rows = await engine.rows('u0');
    assert.equal(rows[0].title, 'Top picks for you');
    assert.ok(rows.some((r) => r.title.startsWith('Because you liked Item ')));
    const all = rows.flatMap((r) => ids(r.items));
    assert.equal(new Set(all).size, all.length, 'no item twice across rows');
  });

  it('retrain swaps the version while concurrent requests keep succeeding; rollback restores', async () => {
    const before = await engine.recommend({ userId: 'u35', n: 10 });
    const v1 = (await store.listModels('als'))[0];
    // more data so that the next model differs
    const live = new Set((await store.listItems({ limit: 1000 })).rows.map((r) => r.id));
    const more = Array.from({ length: 30 }, (_, k) => ({ user: `u${k}`, item: `i${(k * 7) % 60}`, type: 'purchase' }));
    await insert(store, more.filter((e) => live.has(e.item)));
    let done = false;
    let served = 0;
    const versions = new Set<number | null>();
    const training = engine.retrain({ reason: 'test' }).finally(() => (done = true));
    assert.equal(engine.status().training, true);
    while (!done) {
      const r = await engine.recommend({ userId: `u${served % 40}`, n: 5 });
      assert.equal(r.items.length, 5);
      versions.add(r.modelVersion);
      served++;
      await new Promise((res) => setTimeout(res, 2));
    }
    const v2 = await training;
    assert.ok(served > 0);
    assert.equal(v2.version, 2);
    assert.equal(engine.status().modelVersion, 2);
    assert.equal((await engine.recommend({ userId: 'u35', n: 10 })).modelVersion, 2);
    const rb = await engine.rollback(v1.id);
    assert.equal(rb.version, 1);
    assert.equal(rb.active, true);
    const again = await engine.recommend({ userId: 'u35', n: 10 });
    assert.equal(again.modelVersion, 1);
    assert.deepEqual(ids(again.items), ids(before.items));
    assert.equal((await store.activeModel('als'))?.id, v1.id);
  });
});
