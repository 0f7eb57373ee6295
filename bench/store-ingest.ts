// Event ingestion rate and training-read rate of the store backends.
// Usage: node --import tsx bench/store-ingest.ts [events=200000]
// PostgreSQL: AFFINITY_TEST_PG (default the local socket, database test), in a schema dropped afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Rng } from '../src/core/rng.js';
import { loadEventsDataset, openStore } from '../src/store/index.js';
import { parsePostgresUrl } from '../src/store/postgres.js';
import type { EventInput } from '../src/store/types.js';

const total = Number(process.argv[2] ?? 200_000);
const rng = new Rng(7);
const types = ['view', 'view', 'view', 'cart', 'purchase', 'dislike'];
const events: EventInput[] = [];
for (let k = 0; k < total; k++)
  events.push({ user: `u${rng.int(20_000)}`, item: `i${rng.int(5_000)}`, type: types[rng.int(types.length)], timestamp: 1_700_000_000_000 + k * 10, key: `e${k}` });

const pgBase = process.env.AFFINITY_TEST_PG || 'postgres:///test?host=/var/run/postgresql';
const dir = mkdtempSync(join(os.tmpdir(), 'affinity-bench-'));
const targets: Array<[string, string, () => Promise<void>]> = [
  ['sqlite WAL sync=NORMAL', `sqlite://${dir}/n.db`, async () => undefined],
  ['sqlite WAL sync=FULL', `sqlite://${dir}/f.db?sync=full`, async () => undefined],
  ['postgres (socket)', `${pgBase}${pgBase.includes('?') ? '&' : '?'}schema=affinity_bench_${process.pid}`, async () => {
    const c = new pg.Client(parsePostgresUrl(pgBase).config);
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS affinity_bench_${process.pid} CASCADE`);
    await c.end();
  }],
];

console.log(`# store-ingest: ${total} events, ${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}, node ${process.version}`);
console.log(`# load average at start: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log('| backend | batch | events/s (wall) | Node CPU us/event | training read (events/s) |');
console.log('|---|---|---|---|---|');
for (const [label, url, cleanup] of targets) {
  let store;
  try {
    store = await openStore(url);
  } catch (e) {
    console.log(`| ${label} | - | unavailable: ${(e as Error).message} | |`);
    continue;
  }
  let offset = 0;
  for (const batch of [1, 100, 1000]) {
    // batch 1: a bounded number of single-event transactions (each one commit)
    const n = batch === 1 ? Math.min(2000, total / 10) : Math.min(total - offset, Math.floor(total * 0.45));
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (let k = 0; k < n; k += batch) await store.insertEvents(events.slice(offset + k, offset + Math.min(n, k + batch)));
    const s = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(c0);
    offset += n;
    // cpuUsPerEvent: this Node process only (not the PostgreSQL server)
    const cpuUs = +((cpu.user + cpu.system) / n).toFixed(1);
    const line = { bench: 'store-ingest', backend: label, batch, events: n, seconds: +s.toFixed(3), perSecond: Math.round(n / s), cpuUsPerEvent: cpuUs };
    console.error(JSON.stringify(line));
    if (batch < 1000) console.log(`| ${label} | ${batch} | ${line.perSecond} | ${cpuUs} | |`);
    else {
      const t1 = performance.now();
      const { events: read, dataset } = await loadEventsDataset(store);
      const rs = (performance.now() - t1) / 1000;
      console.error(JSON.stringify({ bench: 'store-read', backend: label, events: read, pairs: dataset.size, seconds: +rs.toFixed(3) }));
      console.log(`| ${label} | ${batch} | ${line.perSecond} | ${cpuUs} | ${Math.round(read / rs)} (${read} events -> ${dataset.size} pairs) |`);
    }
  }
  await store.close();
  await cleanup();
}
rmSync(dir, { recursive: true, force: true });
