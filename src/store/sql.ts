/**
 * The small SQL surface the shared store logic (sql-store.ts and friends) runs on. Each backend file
 * provides one SqlDriver. Statements use `?` placeholders (the PostgreSQL driver numbers them) and the SQL
 * both engines accept: INSERT ... ON CONFLICT, RETURNING, CAST(... AS BIGINT).
 * Values: booleans, numbers, strings, null and Uint8Array; JSON goes in as text (the driver stores it as
 * TEXT or JSONB) and comes back as text or parsed — use the decoders below on every row.
 */
import { AffinityError } from '../core/errors.js';
import type { Json, JsonObject } from './types.js';

export type SqlValue = string | number | boolean | null | Uint8Array;
export type Row = Record<string, unknown>;

export interface SqlExec {
  all(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** Runs a statement; returns the number of rows changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

export interface SqlDriver extends SqlExec {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * Runs `fn` in one transaction (commit on return, rollback on throw). `writeLock` serialises it with
   * every other writeLock transaction on the database (SQLite: BEGIN IMMEDIATE; PostgreSQL: a
   * transaction-scoped advisory lock), so that event seqs are assigned in commit order.
   */
  transaction<T>(fn: (tx: SqlExec) => Promise<T>, writeLock?: boolean): Promise<T>;
  close(): Promise<void>;
}

export function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint' || typeof v === 'string') return Number(v);
  if (v === null || v === undefined) return 0;
  throw new AffinityError('E_IO', `store: expected a number column, got ${typeof v}`);
}

export function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : num(v);
}

export function bool(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 't';
}

export function json(v: unknown): Json {
  if (typeof v === 'string') return JSON.parse(v) as Json;
  return (v ?? null) as Json;
}

export function jsonObject(v: unknown): JsonObject {
  const j = json(v);
  return j !== null && typeof j === 'object' && !Array.isArray(j) ? j : {};
}

export function stringArray(v: unknown): string[] {
  const j = json(v);
  return Array.isArray(j) ? j.filter((s): s is string => typeof s === 'string') : [];
}

export function bytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice();
  throw new AffinityError('E_IO', 'store: expected a binary column');
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : String(v);
}

/** `?, ?, ?` for n placeholders. */
export function marks(n: number): string {
  return new Array<string>(n).fill('?').join(', ');
}

/** Splits a list into chunks of at most `size`. */
export function chunks<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

/** The migrations table every backend keeps: one row per applied schema version. */
export const SCHEMA_TABLE = 'affinity_schema';

export interface Migration {
  version: number;
  description: string;
  statements: string[];
}

/**
 * Applies the migrations newer than the stored version, each in its own transaction with its row in
 * the schema table. Throws E_UNSUPPORTED when the database is newer than this code.
 */
export async function migrate(db: SqlDriver, migrations: readonly Migration[], now: number): Promise<number> {
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  return db.transaction(async (tx) => {
    await tx.run(`CREATE TABLE IF NOT EXISTS ${SCHEMA_TABLE} (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
    const rows = await tx.all(`SELECT MAX(version) AS v FROM ${SCHEMA_TABLE}`);
    let current = num(rows[0]?.v);
    if (current > latest)
      throw new AffinityError('E_UNSUPPORTED', `store schema version ${current} is newer than this Affinity supports (${latest}); upgrade Affinity`);
    for (const m of migrations) {
      if (m.version <= current) continue;
      for (const s of m.statements) await tx.run(s);
      await tx.run(`INSERT INTO ${SCHEMA_TABLE} (version, description, applied_at) VALUES (?, ?, ?)`, [m.version, m.description, now]);
      current = m.version;
    }
    return current;
  }, true);
}
