/**
 * PostgreSQL backend (pg 8): `postgres://user:password@host:port/db` or, over the local Unix socket,
 * `postgres:///db?host=/var/run/postgresql`. Extra query options read here and not passed to pg:
 * `schema=name` (tables live in that schema, created when missing; default public) and `pool=N`
 * (connections, default 4).
 *
 * Durability: PostgreSQL's defaults (fsync on, synchronous_commit on) make every acknowledged commit
 * survive a crash of either process and power loss. Event inserts take a transaction-scoped advisory
 * lock so that seqs are assigned and committed in the same order (readers never skip an event).
 */
import { userInfo } from 'node:os';
import pg from 'pg';
import { AffinityError, paramError } from '../core/errors.js';
import { migrations } from './schema.js';
import { migrate, type Row, type SqlDriver, type SqlExec, type SqlValue } from './sql.js';
import { SqlStore, type Clock } from './sql-store.js';

/** Advisory lock key of the write lock ("AFFY"). */
const WRITE_LOCK = 0x41464659;

/** `?` -> `$1, $2, ...` (the shared SQL never has `?` inside string literals). */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function bind(params: readonly SqlValue[]): unknown[] {
  return params.map((p) => (p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p.buffer, p.byteOffset, p.byteLength) : p));
}

/** The URL with any password replaced by ***, for messages and `store.url`. */
export function redactUrl(url: string): string {
  return url.replace(/^(\w+:\/\/[^:/?#@]*):[^@/?#]*@/, '$1:***@');
}

function connectError(url: string, e: unknown): AffinityError {
  return new AffinityError('E_IO', `AFFINITY_DB: cannot use PostgreSQL at ${redactUrl(url)}: ${(e as Error).message}`, { field: 'AFFINITY_DB' });
}

class PgDriver implements SqlDriver {
  readonly dialect = 'postgres' as const;
  private open = true;

  constructor(private readonly pool: pg.Pool) {}

  private check(): void {
    if (!this.open) throw new AffinityError('E_IO', 'store: used after close()');
  }

  async all(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    this.check();
    return (await this.pool.query(numberPlaceholders(sql), bind(params))).rows as Row[];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    this.check();
    return (await this.pool.query(numberPlaceholders(sql), bind(params))).rowCount ?? 0;
  }

  async transaction<T>(fn: (tx: SqlExec) => Promise<T>, writeLock = false): Promise<T> {
    this.check();
    const client = await this.pool.connect();
    const tx: SqlExec = {
      all: async (sql, params = []) => (await client.query(numberPlaceholders(sql), bind(params))).rows as Row[],
      run: async (sql, params = []) => (await client.query(numberPlaceholders(sql), bind(params))).rowCount ?? 0,
    };
    let broken = false;
    try {
      await client.query('BEGIN');
      if (writeLock) await client.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
      const out = await fn(tx);
      await client.query('COMMIT');
      return out;
    } catch (e) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw e;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    await this.pool.end();
  }
}

export interface PgTarget {
  config: pg.PoolConfig;
  schema: string | null;
}

export function parsePostgresUrl(url: string): PgTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw paramError('AFFINITY_DB', redactUrl(url), 'postgres://user:password@host:port/database or postgres:///database?host=/socket/dir');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw paramError('AFFINITY_DB', redactUrl(url), 'a postgres:// URL');
  const schema = u.searchParams.get('schema');
  const pool = u.searchParams.get('pool');
  u.searchParams.delete('schema');
  u.searchParams.delete('pool');
  if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw paramError('AFFINITY_DB schema', schema, 'a lower-case SQL identifier');
  const max = pool === null ? 4 : Number(pool);
  if (!Number.isInteger(max) || max < 1 || max > 100) throw paramError('AFFINITY_DB pool', pool, 'an integer in 1..100');
  // like psql: no user in the URL = PGUSER, else the operating-system user
  if (!u.username && !u.searchParams.has('user')) u.searchParams.set('user', process.env.PGUSER || userInfo().username);
  const config: pg.PoolConfig = { connectionString: u.toString(), max, connectionTimeoutMillis: 10_000 };
  if (schema !== null) config.options = `-c search_path=${schema}`;
  return { config, schema };
}

export async function openPostgresStore(url: string, clock?: Clock): Promise<SqlStore> {
  const target = parsePostgresUrl(url);
  const pool = new pg.Pool(target.config);
  // an idle client losing its connection must not crash the process; the next query reports it
  pool.on('error', () => undefined);
  const driver = new PgDriver(pool);
  try {
    if (target.schema !== null) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${target.schema}`);
    await migrate(driver, migrations('postgres'), Date.now());
  } catch (e) {
    await driver.close().catch(() => undefined);
    if (e instanceof AffinityError) throw e;
    throw connectError(url, e);
  }
  return new SqlStore(driver, redactUrl(url), clock);
}
