// Runs the store conformance suite against PostgreSQL. Each test database is its own schema, dropped after.
// PostgreSQL URL: AFFINITY_TEST_PG (default: the local Unix socket, database test). When the server cannot
// be reached the suite fails under CI=true (CI starts PostgreSQL) and is skipped otherwise.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { userInfo } from 'node:os';
import { storeConformance } from './conformance.js';
import { openStore } from './index.js';
import { parsePostgresUrl, redactUrl } from './postgres.js';

const base = process.env.AFFINITY_TEST_PG || 'postgres:///test?host=/var/run/postgresql';
const sep = base.includes('?') ? '&' : '?';
let n = 0;

async function admin(): Promise<pg.Client> {
  const c = new pg.Client({ ...parsePostgresUrl(base).config, connectionTimeoutMillis: 3000 });
  await c.connect();
  return c;
}

let reachable: string | null = null;
try {
  const c = await admin();
  await c.query('SELECT 1');
  await c.end();
} catch (e) {
  reachable = (e as Error).message;
}

if (reachable !== null) {
  const why = `PostgreSQL at ${redactUrl(base)} is not reachable (${reachable}); start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`;
  if (process.env.CI === 'true') test('PostgreSQL is reachable (CI=true)', () => assert.fail(why));
  else test('store conformance: postgres', { skip: why }, () => undefined);
} else {
  storeConformance('postgres', {
    async create() {
      const schema = `affinity_t${process.pid}_${n++}`;
      const url = `${base}${sep}schema=${schema}`;
      return {
        open: (clock) => openStore(url, clock ? { clock } : {}),
        dispose: async () => {
          const c = await admin();
          try {
            await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          } finally {
            await c.end();
          }
        },
      };
    },
  });

  test('postgres URL options and password redaction', async () => {
    const t = parsePostgresUrl('postgres://app:s3cret@127.0.0.1:5432/db?schema=aff&pool=2');
    assert.equal(t.schema, 'aff');
    assert.equal(t.config.max, 2);
    assert.equal(t.config.options, '-c search_path=aff');
    assert.equal(t.config.connectionString, 'postgres://app:s3cret@127.0.0.1:5432/db');
    assert.equal(redactUrl('postgres://app:s3cret@127.0.0.1:5432/db'), 'postgres://app:***@127.0.0.1:5432/db');
    assert.match(parsePostgresUrl('postgres:///test?host=/run').config.connectionString ?? '', new RegExp(`user=${process.env.PGUSER || userInfo().username}`));
    assert.throws(() => parsePostgresUrl('postgres:///x?schema=Bad-Name'), /AFFINITY_DB schema/);
    await assert.rejects(openStore('postgres://nobody:pw@127.0.0.1:1/none'), (e: Error) => /^AFFINITY_DB: cannot use PostgreSQL at postgres:\/\/nobody:\*\*\*@/.test(e.message) && !e.message.includes(':pw@'));
  });
}
