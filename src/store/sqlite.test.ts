import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AffinityError } from '../core/errors.js';
import { storeConformance } from './conformance.js';
import { openStore } from './index.js';
import { parseSqliteUrl } from './sqlite.js';

const root = mkdtempSync(join(tmpdir(), 'affinity-store-'));
let n = 0;
process.on('exit', () => rmSync(root, { recursive: true, force: true }));

storeConformance('sqlite (file, WAL)', {
  async create() {
    const dir = join(root, `db${n++}`);
    const url = `sqlite://${dir}/store.db`;
    return {
      open: (clock) => openStore(url, clock ? { clock } : {}),
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
});

test('sqlite::memory: works and is private to its store', async () => {
  const a = await openStore('sqlite::memory:');
  const b = await openStore('sqlite::memory:');
  await a.insertEvents([{ user: 'u', item: 'i', type: 'view' }]);
  assert.equal((await a.counts()).events, 1);
  assert.equal((await b.counts()).events, 0);
  await a.close();
  await b.close();
});

test('URL forms and errors', async () => {
  assert.deepEqual(parseSqliteUrl('sqlite://data/x.db'), { path: 'data/x.db', sync: 'NORMAL' });
  assert.deepEqual(parseSqliteUrl('sqlite:///var/lib/a.db?sync=full'), { path: '/var/lib/a.db', sync: 'FULL' });
  assert.deepEqual(parseSqliteUrl('sqlite::memory:'), { path: ':memory:', sync: 'NORMAL' });
  assert.throws(() => parseSqliteUrl('sqlite://x.db?journal=off'), /AFFINITY_DB journal/);
  await assert.rejects(openStore('mysql://root:hunter2@localhost/db'), (e: unknown) => {
    assert.ok(e instanceof AffinityError);
    assert.equal(e.code, 'E_PARAM');
    assert.match(e.message, /^AFFINITY_DB: got "mysql:\/\/root:\*\*\*@localhost\/db"; expected a storage URL/);
    assert.ok(!e.message.includes('hunter2'), 'no password in messages');
    return true;
  });
  const dir = join(root, 'wal');
  const s = await openStore(`sqlite://${dir}/w.db`);
  await s.close();
  const Database = (await import('better-sqlite3')).default;
  const raw = new Database(join(dir, 'w.db'), { readonly: true });
  assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
  raw.close();
});

test('every acknowledged event survives kill -9 of the writing process', async () => {
  const dir = join(root, 'crash');
  const url = `sqlite://${dir}/c.db`;
  const script = join(dir, '..', 'crash-writer.mts');
  const storeIndex = fileURLToPath(new URL('./index.ts', import.meta.url));
  writeFileSync(
    script,
    `import { openStore } from ${JSON.stringify(storeIndex)};
const s = await openStore(${JSON.stringify(url)});
for (let b = 0; ; b++) {
  const batch = [];
  for (let k = 0; k < 20; k++) batch.push({ user: 'u' + (k % 5), item: 'i' + b, type: 'view', key: 'b' + b + '-' + k });
  await s.insertEvents(batch);
  process.stdout.write('ack ' + b + '\\n');
}
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((r) => child.once('exit', r));
  let acked = -1;
  let buf = '';
  await new Promise<void>((done) => {
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) if (l.startsWith('ack ')) acked = Number(l.slice(4));
      if (acked >= 50 && !child.killed) {
        child.kill('SIGKILL');
        done();
      }
    });
    void exited.then(() => done());
  });
  await exited;
  assert.ok(acked >= 50, `writer acknowledged ${acked + 1} batches before it was killed`);
  const s = await openStore(url);
  const events = (await s.readEvents({ limit: 100_000 })).events;
  const keys = new Set(events.map((e) => e.key));
  for (let b = 0; b <= acked; b++) for (let k = 0; k < 20; k++) assert.ok(keys.has(`b${b}-${k}`), `acknowledged event b${b}-${k} is there`);
  assert.equal(events.length % 20, 0, 'batches are all-or-nothing');
  await s.close();
});

test('a database with a newer schema than this code is refused, and an old one is migrated once', async () => {
  const dir = join(root, 'schema');
  const url = `sqlite://${dir}/s.db`;
  const s = await openStore(url);
  await s.close();
  const Database = (await import('better-sqlite3')).default;
  const raw = new Database(join(dir, 's.db'));
  assert.deepEqual(raw.prepare('SELECT version, description FROM affinity_schema').all(), [
    { version: 1, description: 'users, items, events, models, experiments, experiment log, API keys' },
  ]);
  raw.prepare("INSERT INTO affinity_schema (version, description, applied_at) VALUES (99, 'future', 0)").run();
  raw.close();
  await assert.rejects(openStore(url), (e: unknown) => e instanceof AffinityError && e.code === 'E_UNSUPPORTED' && /version 99 is newer/.test(e.message));
});
