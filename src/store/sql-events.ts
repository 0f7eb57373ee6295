/**
 * Feedback events on the shared SQL surface: idempotent batch insert (one transaction under the write
 * lock, seqs assigned max + 1 in input order), cursor reads, recent history and counts.
 */
import { AffinityError } from '../core/errors.js';
import { bool, chunks, marks, num, numOrNull, str, type Row, type SqlDriver, type SqlExec, type SqlValue } from './sql.js';
import type {
  BucketCount,
  EventInput,
  EventPage,
  EventRecord,
  EventResult,
  InsertEventsOptions,
  InsertEventsResult,
  ReadEventsOptions,
  TimeRange,
  TypeCount,
} from './types.js';
import { MAX_TIMESTAMP, checkId, checkLimit, checkTimestamp, fieldError, validateEvents } from './validate.js';

const EVENT_COLS = 'e.seq, e.user_id, e.item_id, e.type, e.weight, e.value, e.ts, e.idem_key, e.inserted_at';
const IN_CHUNK = 500;
const ROW_CHUNK = 400;

function toEvent(r: Row): EventRecord {
  return {
    seq: num(r.seq),
    user: str(r.user_id),
    item: str(r.item_id),
    type: str(r.type),
    weight: numOrNull(r.weight),
    value: numOrNull(r.value),
    timestamp: num(r.ts),
    key: r.idem_key === null || r.idem_key === undefined ? null : str(r.idem_key),
    insertedAt: num(r.inserted_at),
  };
}

/**
 * Makes sure every user (or item) named by the rows to insert exists and is not deleted, creating the
 * missing ones when `autoCreate`. Returns how many were created.
 */
async function ensureEntities(
  tx: SqlExec,
  kind: 'user' | 'item',
  evs: ReadonlyArray<Required<EventInput>>,
  rows: readonly number[],
  autoCreate: boolean,
  now: number,
): Promise<number> {
  const firstRow = new Map<string, number>();
  for (const i of rows) {
    const id = evs[i][kind];
    if (!firstRow.has(id)) firstRow.set(id, i);
  }
  const ids = [...firstRow.keys()];
  const table = kind === 'user' ? 'users' : 'items';
  const found = new Map<string, boolean>();
  for (const part of chunks(ids, IN_CHUNK)) {
    const got = await tx.all(`SELECT id, deleted FROM ${table} WHERE id IN (${marks(part.length)})`, part);
    for (const r of got) found.set(str(r.id), bool(r.deleted));
  }
  const missing: string[] = [];
  for (const id of ids) {
    const deleted = found.get(id);
    const i = firstRow.get(id) ?? 0;
    if (deleted === true)
      throw new AffinityError('E_UNKNOWN_ID', `events[${i}].${kind}: ${kind} ${JSON.stringify(id)} was deleted`, { field: `events[${i}].${kind}` });
    if (deleted === undefined) {
      if (!autoCreate)
        throw new AffinityError('E_UNKNOWN_ID', `events[${i}].${kind}: unknown ${kind} ${JSON.stringify(id)} (autoCreate is off)`, { field: `events[${i}].${kind}` });
      missing.push(id);
    }
  }
  for (const part of chunks(missing, ROW_CHUNK)) {
    const params: SqlValue[] = [];
    if (kind === 'user') {
      for (const id of part) params.push(id, '{}', '[]', now, now);
      await tx.run(`INSERT INTO users (id, features, labels, created_at, updated_at) VALUES ${part.map(() => '(?, ?, ?, ?, ?)').join(', ')} ON CONFLICT (id) DO NOTHING`, params);
    } else {
      for (const id of part) params.push(id, '{}', '[]', '[]', now, now);
      await tx.run(
        `INSERT INTO items (id, features, categories, labels, created_at, updated_at) VALUES ${part.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')} ON CONFLICT (id) DO NOTHING`,
        params,
      );
    }
  }
  return missing.length;
}

export async function insertEvents(db: SqlDriver, input: readonly EventInput[], opts: InsertEventsOptions, now: number): Promise<InsertEventsResult> {
  const evs = validateEvents(input, now);
  const autoCreate = opts.autoCreate ?? true;
  if (evs.length === 0) return { results: [], inserted: 0, duplicates: 0, createdUsers: 0, createdItems: 0 };
  return db.transaction(async (tx) => {
    const keys = [...new Set(evs.map((e) => e.key).filter((k): k is string => k !== null))];
    const stored = new Map<string, number>();
    for (const part of chunks(keys, IN_CHUNK)) {
      const got = await tx.all(`SELECT idem_key, seq FROM events WHERE idem_key IN (${marks(part.length)})`, part);
      for (const r of got) stored.set(str(r.idem_key), num(r.seq));
    }
    const results = new Array<EventResult>(evs.length);
    const firstInBatch = new Map<string, number>();
    const fresh: number[] = [];
    const repeats: Array<[number, number]> = [];
    evs.forEach((e, i) => {
      if (e.key !== null) {
        const seq = stored.get(e.key);
        if (seq !== undefined) return void (results[i] = { seq, duplicate: true });
        const first = firstInBatch.get(e.key);
        if (first !== undefined) return void repeats.push([i, first]);
        firstInBatch.set(e.key, i);
      }
      fresh.push(i);
    });
    const createdUsers = await ensureEntities(tx, 'user', evs, fresh, autoCreate, now);
    const createdItems = await ensureEntities(tx, 'item', evs, fresh, autoCreate, now);
    let seq = num((await tx.all('SELECT MAX(seq) AS m FROM events'))[0]?.m);
    for (const part of chunks(fresh, ROW_CHUNK)) {
      const params: SqlValue[] = [];
      for (const i of part) {
        const e = evs[i];
        seq++;
        results[i] = { seq, duplicate: false };
        params.push(seq, e.user, e.item, e.type, e.weight, e.value, e.timestamp, e.key, now);
      }
      await tx.run(
        `INSERT INTO events (seq, user_id, item_id, type, weight, value, ts, idem_key, inserted_at) VALUES ${part.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        params,
      );
    }
    for (const [i, first] of repeats) results[i] = { seq: results[first].seq, duplicate: true };
    return { results, inserted: fresh.length, duplicates: evs.length - fresh.length, createdUsers, createdItems };
  }, true);
}

export async function readEvents(db: SqlExec, opts: ReadEventsOptions): Promise<EventPage> {
  const after = opts.after ?? 0;
  if (!Number.isInteger(after) || after < 0) throw fieldError('after', after, 'a non-negative integer cursor');
  const limit = checkLimit(opts.limit, 10_000, 100_000, 'limit');
  const rows = opts.includeDeleted
    ? await db.all(`SELECT ${EVENT_COLS} FROM events e WHERE e.seq > ? ORDER BY e.seq LIMIT ?`, [after, limit])
    : await db.all(
        `SELECT ${EVENT_COLS} FROM events e
         JOIN users u ON u.id = e.user_id AND u.deleted = ?
         JOIN items i ON i.id = e.item_id AND i.deleted = ?
         WHERE e.seq > ? ORDER BY e.seq LIMIT ?`,
        [false, false, after, limit],
      );
  const events = rows.map(toEvent);
  return { events, next: events.length ? events[events.length - 1].seq : after };
}

export async function recentEvents(db: SqlExec, user: string, n: number, types?: readonly string[]): Promise<EventRecord[]> {
  checkId(user, 'user');
  const limit = checkLimit(n, 1, 100_000, 'n');
  const params: SqlValue[] = [user];
  let filter = '';
  if (types !== undefined) {
    if (types.length === 0) return [];
    filter = ` AND e.type IN (${marks(types.length)})`;
    params.push(...types);
  }
  params.push(limit);
  const rows = await db.all(`SELECT ${EVENT_COLS} FROM events e WHERE e.user_id = ?${filter} ORDER BY e.ts DESC, e.seq DESC LIMIT ?`, params);
  return rows.map(toEvent);
}

function range(r: TimeRange | undefined): [number, number] {
  const since = r?.since === undefined ? 0 : checkTimestamp(r.since, 'since');
  const until = r?.until === undefined ? MAX_TIMESTAMP : checkTimestamp(r.until, 'until');
  return [since, until];
}

export async function countEventsByType(db: SqlExec, r?: TimeRange): Promise<TypeCount[]> {
  const [since, until] = range(r);
  const rows = await db.all('SELECT type, COUNT(*) AS n FROM events WHERE ts >= ? AND ts < ? GROUP BY type ORDER BY type', [since, until]);
  return rows.map((x) => ({ type: str(x.type), count: num(x.n) }));
}

export async function eventHistogram(db: SqlExec, bucketMs: number, r?: TimeRange): Promise<BucketCount[]> {
  if (!Number.isInteger(bucketMs) || bucketMs < 1) throw fieldError('bucketMs', bucketMs, 'a positive integer number of milliseconds');
  const [since, until] = range(r);
  const rows = await db.all(
    `SELECT (ts / CAST(? AS BIGINT)) * CAST(? AS BIGINT) AS b, type, COUNT(*) AS n FROM events
     WHERE ts >= ? AND ts < ? GROUP BY b, type ORDER BY b, type`,
    [bucketMs, bucketMs, since, until],
  );
  return rows.map((x) => ({ start: num(x.b), type: str(x.type), count: num(x.n) }));
}

export async function lastEventSeq(db: SqlExec): Promise<number> {
  return num((await db.all('SELECT MAX(seq) AS m FROM events'))[0]?.m);
}
