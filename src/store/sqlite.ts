/**
 * SQLite backend (better-sqlite3 12): `sqlite://path/to/file.db`, `sqlite:///absolute/path.db` or
 * `sqlite::memory:`; query option `?sync=normal|full` (default normal).
 *
 * Durability: WAL journal. With WAL, synchronous=NORMAL makes every committed transaction survive a
 * crash or kill -9 of the process (the commit has been written to the WAL file before it returns; the
 * OS keeps it), but the last transactions may be lost on power loss or an OS crash. `?sync=full` also
 * fsyncs the WAL at every commit, which survives power loss at the cost of an fsync per transaction.
 *
 * better-sqlite3 is synchronous; this driver serialises all work through one queue so that the awaits
 * inside a transaction never let another call run inside it.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { AffinityError, paramError } from '../core/errors.js';
import { migrations } from './schema.js';
import { migrate, type Row, type SqlDriver, type SqlExec, type SqlValue } from './sql.js';
import { SqlStore, type Clock } from './sql-store.js';

type Bindable = string | number | bigint | Buffer | null;

function bind(params: readonly SqlValue[]): Bindable[] {
  return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p.buffer, p.byteOffset, p.byteLength) : p));
}

/**
 * One queue per database file in this process: connections to the same file must not interleave a
 * transaction with another's BEGIN IMMEDIATE (better-sqlite3 would wait for the lock synchronously,
 * blocking the very event loop that has to finish the first transaction).
 */
interface Lane {
  tail: Promise<unknown>;
  users: number;
}
const lanes = new Map<string, Lane>();

function joinLane(path: string): { lane: Lane; release: () => void } {
  const key = path === ':memory:' ? Symbol('memory') : resolve(path);
  const found = typeof key === 'string' ? lanes.get(key) : undefined;
  const lane = found ?? { tail: Promise.resolve(), users: 0 };
  if (typeof key === 'string') lanes.set(key, lane);
  lane.users++;
  return {
    lane,
    release: () => {
      if (--lane.users === 0 && typeof key === 'string') lanes.delete(key);
    },
  };
}

class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  private readonly stmts = new Map<string, Database.Statement>();
  private readonly lane: Lane;
  private readonly leave: () => void;
  private open = true;
  private readonly direct: SqlExec;

  constructor(
    private readonly db: Database.Database,
    path: string,
  ) {
    ({ lane: this.lane, release: this.leave } = joinLane(path));
    this.direct = {
      all: async (sql, params = []) => this.stmt(sql).all(...bind(params)) as Row[],
      run: async (sql, params = []) => this.exec(sql, params),
    };
  }

  private stmt(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      if (this.stmts.size > 500) this.stmts.clear();
      this.stmts.set(sql, s);
    }
    return s;
  }

  private exec(sql: string, params: readonly SqlValue[]): number {
    const s = this.stmt(sql);
    if (s.reader) {
      s.all(...bind(params));
      return 0;
    }
    return s.run(...bind(params)).changes;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.open) return Promise.reject(new AffinityError('E_IO', 'store: used after close()'));
    const p = this.lane.tail.then(fn);
    this.lane.tail = p.catch(() => undefined);
    return p;
  }

  all(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    return this.serial(() => this.direct.all(sql, params));
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.serial(() => this.direct.run(sql, params));
  }

  transaction<T>(fn: (tx: SqlExec) => Promise<T>, writeLock = false): Promise<T> {
    return this.serial(async () => {
      this.db.exec(writeLock ? 'BEGIN IMMEDIATE' : 'BEGIN');
      try {
        const out = await fn(this.direct);
        this.db.exec('COMMIT');
        return out;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw e;
      }
    });
  }

  async close(): Promise<void> {
    if (!this.open) return;
    await this.serial(async () => {
      this.open = false;
      this.stmts.clear();
      this.db.close();
    });
    this.leave();
  }
}

export interface SqliteTarget {
  /** File path, or ':memory:'. */
  path: string;
  sync: 'NORMAL' | 'FULL';
}

export function parseSqliteUrl(url: string): SqliteTarget {
  if (url === 'sqlite::memory:' || url === 'sqlite://:memory:') return { path: ':memory:', sync: 'NORMAL' };
  if (!url.startsWith('sqlite://')) throw paramError('AFFINITY_DB', url, 'sqlite://path, sqlite:///absolute/path or sqlite::memory:');
  const rest = url.slice('sqlite://'.length);
  const q = rest.indexOf('?');
  const path = decodeURIComponent(q < 0 ? rest : rest.slice(0, q));
  if (!path) throw paramError('AFFINITY_DB', url, 'a file path after sqlite://');
  let sync: SqliteTarget['sync'] = 'NORMAL';
  for (const [k, v] of new URLSearchParams(q < 0 ? '' : rest.slice(q + 1))) {
    if (k === 'sync' && (v === 'normal' || v === 'full')) sync = v === 'full' ? 'FULL' : 'NORMAL';
    else throw paramError(`AFFINITY_DB ${k}`, v, 'the only option sync=normal|full');
  }
  return { path, sync };
}

export async function openSqliteStore(url: string, clock?: Clock): Promise<SqlStore> {
  const target = parseSqliteUrl(url);
  let db: Database.Database;
  try {
    if (target.path !== ':memory:') mkdirSync(dirname(target.path), { recursive: true });
    db = new Database(target.path);
  } catch (e) {
    throw new AffinityError('E_IO', `AFFINITY_DB: cannot open SQLite database ${target.path}: ${(e as Error).message}`, { field: 'AFFINITY_DB' });
  }
  if (target.path !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${target.sync}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 10000');
  const driver = new SqliteDriver(db, target.path);
  try {
    await migrate(driver, migrations('sqlite'), Date.now());
  } catch (e) {
    await driver.close();
    throw e;
  }
  return new SqlStore(driver, url, clock);
}
