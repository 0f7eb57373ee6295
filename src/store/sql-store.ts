/**
 * The Store implementation shared by the SQL backends: users and items here, events in sql-events.ts,
 * models / experiments / API keys in sql-registry.ts. A backend supplies only its SqlDriver.
 */
import { bool, chunks, jsonObject, marks, num, numOrNull, str, stringArray, type Row, type SqlDriver, type SqlExec, type SqlValue } from './sql.js';
import * as ev from './sql-events.js';
import * as reg from './sql-registry.js';
import type {
  ApiKeyInput,
  ApiKeyRecord,
  BucketCount,
  CreatedApiKey,
  EventInput,
  EventPage,
  EventRecord,
  Experiment,
  ExperimentInput,
  ExperimentLogInput,
  ExperimentStatus,
  InsertEventsOptions,
  InsertEventsResult,
  ItemInput,
  ItemRecord,
  JsonObject,
  ListOptions,
  ModelVersion,
  ModelVersionInput,
  Page,
  ReadEventsOptions,
  Store,
  StoreCounts,
  TimeRange,
  TypeCount,
  UserInput,
  UserRecord,
  VariantStats,
} from './types.js';
import { checkId, checkLimit, checkTimestamp, validateItems, validateUsers } from './validate.js';
import { SCHEMA_TABLE } from './sql.js';

export type Clock = () => number;

const USER_COLS = 'id, features, labels, created_at, updated_at, deleted';
const ITEM_COLS = 'id, title, features, categories, labels, ts, hidden, out_of_stock, created_at, updated_at, deleted';

function toUser(r: Row): UserRecord {
  return {
    id: str(r.id),
    features: jsonObject(r.features),
    labels: stringArray(r.labels),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
    deleted: bool(r.deleted),
  };
}

function toItem(r: Row): ItemRecord {
  return {
    id: str(r.id),
    title: str(r.title ?? ''),
    features: jsonObject(r.features),
    categories: stringArray(r.categories),
    labels: stringArray(r.labels),
    timestamp: numOrNull(r.ts),
    hidden: bool(r.hidden),
    outOfStock: bool(r.out_of_stock),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
    deleted: bool(r.deleted),
  };
}

async function byIds(db: SqlExec, table: 'users' | 'items', cols: string, ids: readonly string[]): Promise<Row[]> {
  const out: Row[] = [];
  for (const part of chunks([...new Set(ids)], 500)) out.push(...(await db.all(`SELECT ${cols} FROM ${table} WHERE id IN (${marks(part.length)})`, part)));
  return out;
}

async function list<T extends { id: string }>(db: SqlExec, table: 'users' | 'items', cols: string, opts: ListOptions, map: (r: Row) => T): Promise<Page<T>> {
  const limit = checkLimit(opts.limit, 100, 10_000, 'limit');
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (opts.after !== undefined) {
    where.push('id > ?');
    params.push(checkId(opts.after, 'after'));
  }
  if (!opts.includeDeleted) {
    where.push('deleted = ?');
    params.push(false);
  }
  if (opts.updatedSince !== undefined) {
    where.push('updated_at >= ?');
    params.push(checkTimestamp(opts.updatedSince, 'updatedSince'));
  }
  params.push(limit + 1);
  const rows = await db.all(`SELECT ${cols} FROM ${table}${where.length ? ' WHERE ' + where.join(' AND ') : ''} ORDER BY id LIMIT ?`, params);
  const more = rows.length > limit;
  const page = rows.slice(0, limit).map(map);
  return { rows: page, next: more ? page[page.length - 1].id : null };
}

export class SqlStore implements Store {
  readonly backend: string;
  readonly url: string;
  private closed = false;

  constructor(
    protected readonly db: SqlDriver,
    url: string,
    private readonly clock: Clock = Date.now,
  ) {
    this.backend = db.dialect;
    this.url = url;
  }

  /** The clock's time (a closed store is refused by its driver on the next statement). */
  private now(): number {
    return Math.round(this.clock());
  }

  async schemaVersion(): Promise<number> {
    return num((await this.db.all(`SELECT MAX(version) AS v FROM ${SCHEMA_TABLE}`))[0]?.v);
  }

  async counts(): Promise<StoreCounts> {
    const r = (
      await this.db.all(
        `SELECT (SELECT COUNT(*) FROM users WHERE deleted = ?) AS users, (SELECT COUNT(*) FROM items WHERE deleted = ?) AS items,
         (SELECT COUNT(*) FROM events) AS events, (SELECT COUNT(*) FROM models) AS models, (SELECT COUNT(*) FROM experiments) AS experiments`,
        [false, false],
      )
    )[0];
    return { users: num(r.users), items: num(r.items), events: num(r.events), models: num(r.models), experiments: num(r.experiments) };
  }

  // ------------------------------------------------------------ users

  async upsertUsers(input: readonly UserInput[]): Promise<UserRecord[]> {
    const users = validateUsers(input);
    const now = this.now();
    if (!users.length) return [];
    return this.db.transaction(async (tx) => {
      const merged = new Map<string, UserRecord>();
      for (const r of await byIds(tx, 'users', USER_COLS, users.map((u) => u.id))) {
        const u = toUser(r);
        if (!u.deleted) merged.set(u.id, u);
      }
      for (const u of users) {
        const prev = merged.get(u.id);
        merged.set(u.id, {
          id: u.id,
          features: u.features ?? prev?.features ?? {},
          labels: u.labels ?? prev?.labels ?? [],
          createdAt: prev?.createdAt ?? now,
          updatedAt: now,
          deleted: false,
        });
      }
      const write = [...new Set(users.map((u) => u.id))];
      for (const part of chunks(write, 400)) {
        const params: SqlValue[] = [];
        for (const id of part) {
          const u = merged.get(id) as UserRecord;
          params.push(u.id, JSON.stringify(u.features), JSON.stringify(u.labels), u.createdAt, u.updatedAt, false);
        }
        await tx.run(
          `INSERT INTO users (${USER_COLS}) VALUES ${part.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}
           ON CONFLICT (id) DO UPDATE SET features = excluded.features, labels = excluded.labels, created_at = excluded.created_at,
           updated_at = excluded.updated_at, deleted = excluded.deleted`,
          params,
        );
      }
      return users.map((u) => merged.get(u.id) as UserRecord);
    });
  }

  async getUser(id: string, opts: { includeDeleted?: boolean } = {}): Promise<UserRecord | null> {
    const rows = await this.db.all(`SELECT ${USER_COLS} FROM users WHERE id = ?`, [checkId(id, 'id')]);
    const u = rows.length ? toUser(rows[0]) : null;
    return u && (!u.deleted || opts.includeDeleted) ? u : null;
  }

  async getUsers(ids: readonly string[]): Promise<UserRecord[]> {
    ids.forEach((id, k) => checkId(id, `ids[${k}]`));
    const found = new Map((await byIds(this.db, 'users', USER_COLS, ids)).map((r) => [str(r.id), toUser(r)]));
    return ids.map((id) => found.get(id)).filter((u): u is UserRecord => u !== undefined && !u.deleted);
  }

  listUsers(opts: ListOptions = {}): Promise<Page<UserRecord>> {
    return list(this.db, 'users', USER_COLS, opts, toUser);
  }

  async deleteUser(id: string): Promise<boolean> {
    const now = this.now();
    return (await this.db.run('UPDATE users SET deleted = ?, updated_at = ? WHERE id = ? AND deleted = ?', [true, now, checkId(id, 'id'), false])) > 0;
  }

  // ------------------------------------------------------------ items

  async upsertItems(input: readonly ItemInput[]): Promise<ItemRecord[]> {
    const items = validateItems(input);
    const now = this.now();
    if (!items.length) return [];
    return this.db.transaction(async (tx) => {
      const merged = new Map<string, ItemRecord>();
      for (const r of await byIds(tx, 'items', ITEM_COLS, items.map((it) => it.id))) {
        const it = toItem(r);
        if (!it.deleted) merged.set(it.id, it);
      }
      for (const it of items) {
        const prev = merged.get(it.id);
        merged.set(it.id, {
          id: it.id,
          title: it.title ?? prev?.title ?? '',
          features: it.features ?? prev?.features ?? {},
          categories: it.categories ?? prev?.categories ?? [],
          labels: it.labels ?? prev?.labels ?? [],
          timestamp: it.timestamp === undefined ? (prev?.timestamp ?? null) : it.timestamp,
          hidden: it.hidden ?? prev?.hidden ?? false,
          outOfStock: it.outOfStock ?? prev?.outOfStock ?? false,
          createdAt: prev?.createdAt ?? now,
          updatedAt: now,
          deleted: false,
        });
      }
      const write = [...new Set(items.map((it) => it.id))];
      for (const part of chunks(write, 300)) {
        const params: SqlValue[] = [];
        for (const id of part) {
          const it = merged.get(id) as ItemRecord;
          params.push(it.id, it.title, JSON.stringify(it.features), JSON.stringify(it.categories), JSON.stringify(it.labels));
          params.push(it.timestamp, it.hidden, it.outOfStock, it.createdAt, it.updatedAt, false);
        }
        await tx.run(
          `INSERT INTO items (${ITEM_COLS}) VALUES ${part.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}
           ON CONFLICT (id) DO UPDATE SET title = excluded.title, features = excluded.features, categories = excluded.categories,
           labels = excluded.labels, ts = excluded.ts, hidden = excluded.hidden, out_of_stock = excluded.out_of_stock,
           created_at = excluded.created_at, updated_at = excluded.updated_at, deleted = excluded.deleted`,
          params,
        );
      }
      return items.map((it) => merged.get(it.id) as ItemRecord);
    });
  }

  async getItem(id: string, opts: { includeDeleted?: boolean } = {}): Promise<ItemRecord | null> {
    const rows = await this.db.all(`SELECT ${ITEM_COLS} FROM items WHERE id = ?`, [checkId(id, 'id')]);
    const it = rows.length ? toItem(rows[0]) : null;
    return it && (!it.deleted || opts.includeDeleted) ? it : null;
  }

  async getItems(ids: readonly string[]): Promise<ItemRecord[]> {
    ids.forEach((id, k) => checkId(id, `ids[${k}]`));
    const found = new Map((await byIds(this.db, 'items', ITEM_COLS, ids)).map((r) => [str(r.id), toItem(r)]));
    return ids.map((id) => found.get(id)).filter((it): it is ItemRecord => it !== undefined && !it.deleted);
  }

  listItems(opts: ListOptions = {}): Promise<Page<ItemRecord>> {
    return list(this.db, 'items', ITEM_COLS, opts, toItem);
  }

  async deleteItem(id: string): Promise<boolean> {
    const now = this.now();
    return (await this.db.run('UPDATE items SET deleted = ?, updated_at = ? WHERE id = ? AND deleted = ?', [true, now, checkId(id, 'id'), false])) > 0;
  }

  // ------------------------------------------------------------ events

  insertEvents(events: readonly EventInput[], opts: InsertEventsOptions = {}): Promise<InsertEventsResult> {
    return ev.insertEvents(this.db, events, opts, this.now());
  }
  readEvents(opts: ReadEventsOptions = {}): Promise<EventPage> {
    return ev.readEvents(this.db, opts);
  }
  recentEvents(user: string, n: number, types?: readonly string[]): Promise<EventRecord[]> {
    return ev.recentEvents(this.db, user, n, types);
  }
  countEventsByType(range?: TimeRange): Promise<TypeCount[]> {
    return ev.countEventsByType(this.db, range);
  }
  eventHistogram(bucketMs: number, range?: TimeRange): Promise<BucketCount[]> {
    return ev.eventHistogram(this.db, bucketMs, range);
  }
  lastEventSeq(): Promise<number> {
    return ev.lastEventSeq(this.db);
  }

  // ------------------------------------------------------------ models, experiments, keys

  saveModel(input: ModelVersionInput): Promise<ModelVersion> {
    return reg.saveModel(this.db, input, this.now());
  }
  getModel(id: number): Promise<ModelVersion | null> {
    return reg.getModel(this.db, id);
  }
  listModels(name?: string): Promise<ModelVersion[]> {
    return reg.listModels(this.db, name);
  }
  loadModelBlob(id: number): Promise<Uint8Array | null> {
    return reg.loadModelBlob(this.db, id);
  }
  activeModel(name: string): Promise<ModelVersion | null> {
    return reg.activeModel(this.db, name);
  }
  activateModel(id: number): Promise<ModelVersion> {
    return reg.activateModel(this.db, id);
  }
  updateModelMetrics(id: number, metrics: JsonObject): Promise<ModelVersion> {
    return reg.updateModelMetrics(this.db, id, metrics);
  }
  createExperiment(input: ExperimentInput): Promise<Experiment> {
    return reg.createExperiment(this.db, input, this.now());
  }
  getExperiment(id: string): Promise<Experiment | null> {
    return reg.getExperiment(this.db, id);
  }
  listExperiments(): Promise<Experiment[]> {
    return reg.listExperiments(this.db);
  }
  setExperimentStatus(id: string, status: ExperimentStatus): Promise<Experiment> {
    return reg.setExperimentStatus(this.db, id, status, this.now());
  }
  logExperiment(entries: readonly ExperimentLogInput[]): Promise<number> {
    return reg.logExperiment(this.db, entries, this.now());
  }
  experimentStats(id: string, range?: TimeRange): Promise<VariantStats[]> {
    return reg.experimentStats(this.db, id, range);
  }
  createApiKey(input: ApiKeyInput): Promise<CreatedApiKey> {
    return reg.createApiKey(this.db, input, this.now());
  }
  verifyApiKey(secret: string): Promise<ApiKeyRecord | null> {
    return reg.verifyApiKey(this.db, secret);
  }
  listApiKeys(): Promise<ApiKeyRecord[]> {
    return reg.listApiKeys(this.db);
  }
  revokeApiKey(id: string): Promise<boolean> {
    return reg.revokeApiKey(this.db, id);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.close();
  }
}
