/**
 * A small, exact Engine for the HTTP tests: scores are co-occurrence counts with the user's items plus
 * popularity / 1000, computed from the store's events and the real-time events passed to onEvents.
 * Cursor = base64url JSON of the ids served so far (pages never repeat). Hidden, out-of-stock and deleted
 * items are never returned. Also: buildTestApp, keys and helpers shared by the http*.test.ts files.
 */
import { AffinityError } from '../../src/core/errors.js';
import { buildApp, type BuildAppOptions } from '../../src/serve/app.js';
import type { Engine, EngineStatus, GroupStrategy, RecItem, RecommendQuery, RecommendResult, Row } from '../../src/serve/engine/types.js';
import { openStore } from '../../src/store/index.js';
import type { EventRecord, ItemRecord, ModelVersion, Store } from '../../src/store/types.js';

export class TestEngine implements Engine {
  readonly seen = new Map<string, Set<string>>();
  readonly pop = new Map<string, number>();
  items = new Map<string, ItemRecord>();
  version: ModelVersion | null = null;
  ready = false;
  eventsSeen: EventRecord[] = [];
  stopped = false;
  catalogChanges: Array<{ kind: string; ids: readonly string[] }> = [];

  constructor(private readonly store: Store) {}

  async start(): Promise<void> {
    let after = 0;
    for (;;) {
      const page = await this.store.readEvents({ after, limit: 10000 });
      for (const e of page.events) this.add(e);
      if (page.events.length === 0) break;
      after = page.next;
    }
    await this.loadItems();
    const models = await this.store.listModels('test');
    this.version = models.find((m) => m.active) ?? null;
    this.ready = true;
  }
  private async loadItems(): Promise<void> {
    const map = new Map<string, ItemRecord>();
    let after: string | undefined;
    for (;;) {
      const page = await this.store.listItems({ after, limit: 1000 });
      for (const it of page.rows) map.set(it.id, it);
      if (page.next === null) break;
      after = page.next;
    }
    this.items = map;
  }
  private add(e: EventRecord): void {
    let s = this.seen.get(e.user);
    if (!s) this.seen.set(e.user, (s = new Set()));
    s.add(e.item);
    this.pop.set(e.item, (this.pop.get(e.item) ?? 0) + 1);
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
  status(): EngineStatus {
    return {
      ready: this.ready,
      training: false,
      modelName: this.version ? 'test' : null,
      modelVersion: this.version?.version ?? null,
      trainedAt: this.version?.createdAt ?? null,
      users: this.seen.size,
      items: this.items.size,
      lastEventSeq: this.eventsSeen.length ? this.eventsSeen[this.eventsSeen.length - 1].seq : 0,
      cache: { hits: 0, misses: 0, size: 0 },
    };
  }
  onEvents(events: readonly EventRecord[]): void {
    for (const e of events) {
      this.add(e);
      this.eventsSeen.push(e);
      if (!this.items.has(e.item)) this.items.set(e.item, { id: e.item, title: '', features: {}, categories: [], labels: [], timestamp: null, hidden: false, outOfStock: false, createdAt: 0, updatedAt: 0, deleted: false });
    }
  }
  onCatalogChange(kind: 'user' | 'item', ids: readonly string[]): void {
    this.catalogChanges.push({ kind, ids: [...ids] });
    if (kind === 'item') void this.loadItems();
  }
  private servable(id: string, category?: string): boolean {
    const it = this.items.get(id);
    if (!it || it.hidden || it.outOfStock || it.deleted) return false;
    return category === undefined || it.categories.includes(category);
  }
  /** Exact scores: co-occurrence with `history` + popularity / 1000; ties by id. */
  rank(history: ReadonlySet<string>, exclude: ReadonlySet<string>, category?: string): RecItem[] {
    const co = new Map<string, number>();
    for (const [, s] of this.seen) {
      let overlap = 0;
      for (const h of history) if (s.has(h)) overlap++;
      if (overlap === 0) continue;
      for (const i of s) co.set(i, (co.get(i) ?? 0) + overlap);
    }
    const out: RecItem[] = [];
    for (const id of this.items.keys()) {
      if (exclude.has(id) || !this.servable(id, category)) continue;
      const score = (co.get(id) ?? 0) + (this.pop.get(id) ?? 0) / 1000;
      out.push({ id, score, source: 'test', explanation: `score ${score}`, title: this.items.get(id)?.title ?? '' });
    }
    out.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return out;
  }
  async recommend(q: RecommendQuery): Promise<RecommendResult> {
    if (q.filter !== undefined) throw new AffinityError('E_UNSUPPORTED', 'filter: the test engine has no rule language', { field: 'filter' });
    let served: string[] = [];
    if (q.cursor !== undefined) {
      try {
        served = JSON.parse(Buffer.from(q.cursor, 'base64url').toString('utf8')) as string[];
        if (!Array.isArray(served)) throw new Error('not a list');
      } catch {
        throw new AffinityError('E_PARAM', `cursor: got ${JSON.stringify(q.cursor.slice(0, 20))}; expected a nextCursor from a previous page`, { field: 'cursor' });
      }
    }
    const hist = this.seen.get(q.userId) ?? new Set<string>();
    const exclude = new Set<string>(served);
    if (q.excludeSeen !== false) for (const h of hist) exclude.add(h);
    const list = this.rank(hist, exclude, q.category).slice(0, q.n);
    const all = [...served, ...list.map((r) => r.id)];
    const more = this.rank(hist, new Set([...exclude, ...all]), q.category).length > 0;
    return { items: list, nextCursor: more && list.length > 0 ? Buffer.from(JSON.stringify(all)).toString('base64url') : null, modelVersion: this.version?.version ?? null, cached: false };
  }
  async similarItems(itemId: string, n: number): Promise<RecItem[]> {
    if (!this.items.has(itemId)) throw new AffinityError('E_UNKNOWN_ID', `itemId: unknown item "${itemId}"`, { field: 'itemId' });
    return this.rank(new Set([itemId]), new Set([itemId])).slice(0, n);
  }
  async similarUsers(userId: string, n: number): Promise<{ id: string; score: number }[]> {
    const mine = this.seen.get(userId);
    if (!mine) throw new AffinityError('E_UNKNOWN_ID', `userId: unknown user "${userId}"`, { field: 'userId' });
    const out: { id: string; score: number }[] = [];
    for (const [u, s] of this.seen) {
      if (u === userId) continue;
      let k = 0;
      for (const i of s) if (mine.has(i)) k++;
      if (k > 0) out.push({ id: u, score: k });
    }
    return out.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1)).slice(0, n);
  }
  async explain(userId: string, itemId: string): Promise<{ score: number; reasons: string[] }> {
    if (!this.items.has(itemId)) throw new AffinityError('E_UNKNOWN_ID', `itemId: unknown item "${itemId}"`, { field: 'itemId' });
    const hist = this.seen.get(userId) ?? new Set<string>();
    const r = this.rank(hist, new Set()).find((x) => x.id === itemId);
    return { score: r?.score ?? 0, reasons: [...hist].sort().map((h) => `you interacted with ${h}`) };
  }
  async session(recent: readonly string[], n: number): Promise<RecItem[]> {
    return this.rank(new Set(recent), new Set(recent)).slice(0, n);
  }
  async group(users: readonly string[], n: number, strategy: GroupStrategy): Promise<RecItem[]> {
    const h = new Set<string>();
    for (const u of users) for (const i of this.seen.get(u) ?? []) h.add(i);
    return this.rank(h, h).slice(0, n).map((r) => ({ ...r, source: `group-${strategy}` }));
  }
  async popular(n: number, category?: string): Promise<RecItem[]> {
    return this.rank(new Set(), new Set(), category).slice(0, n);
  }
  async trending(n: number, category?: string): Promise<RecItem[]> {
    return this.popular(n, category);
  }
  async rows(userId: string): Promise<Row[]> {
    const r = await this.recommend({ userId, n: 3 });
    return [{ title: 'Top picks for you', reason: 'test', items: r.items }];
  }
  async retrain(opts?: { reason?: string }): Promise<ModelVersion> {
    const v = await this.store.saveModel({ name: 'test', blob: new Uint8Array([1, 2, 3]), metrics: { ndcg10: 0.5 }, params: { reason: opts?.reason ?? '' }, activate: true });
    this.version = v;
    return v;
  }
  async rollback(versionId: number): Promise<ModelVersion> {
    const v = await this.store.activateModel(versionId);
    this.version = v;
    return v;
  }
}

export interface TestApp {
  app: Awaited<ReturnType<typeof buildApp>>;
  store: Store;
  engine: TestEngine;
  write: string;
  read: string;
  close(): Promise<void>;
}

/** A store with 4 users, 6 items (i6 hidden) and events; an app over the TestEngine; a write and a read key. */
export async function buildTestApp(over: Partial<BuildAppOptions> = {}): Promise<TestApp> {
  const store = await openStore('sqlite::memory:');
  await store.upsertItems([
    { id: 'i1', title: 'One', categories: ['a'] },
    { id: 'i2', title: 'Two', categories: ['a'] },
    { id: 'i3', title: 'Three', categories: ['b'] },
    { id: 'i4', title: 'Four', categories: ['b'] },
    { id: 'i5', title: 'Five', categories: ['a', 'b'] },
    { id: 'i6', title: 'Six', categories: ['a'], hidden: true },
  ]);
  const ev = (user: string, item: string) => ({ user, item, type: 'view', timestamp: 1_700_000_000_000 });
  await store.insertEvents([ev('u1', 'i1'), ev('u1', 'i2'), ev('u2', 'i1'), ev('u2', 'i3'), ev('u3', 'i2'), ev('u3', 'i3'), ev('u3', 'i4'), ev('u4', 'i6')]);
  const engine = new TestEngine(store);
  await engine.start();
  const write = (await store.createApiKey({ name: 'writer', scopes: ['write'] })).secret;
  const read = (await store.createApiKey({ name: 'reader', scopes: ['read'] })).secret;
  const app = await buildApp({ store, engine, ...over });
  await app.ready();
  return {
    app,
    store,
    engine,
    write,
    read,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

export const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });
