// Load on loopback with autocannon against the real service (`node dist/cli/main.js serve` as a child
// process, SQLite WAL file, an ALS model trained on 1M synthetic interactions; see bench/serve-data.ts).
// 1. GET /v1/users/{random user}/recommendations?n=10 at fixed concurrency: p50, p99, requests/s.
// 2. POST /v1/events in batches of 1, 100, 1000 (durable: acknowledged after the SQLite commit): events/s.
// Usage: npm run build && node --import tsx bench/serve-load.ts [--seconds 15] [--conns 10,50]
//        [--interactions 1000000] [--src] [--svg docs/bench/serve-latency.svg]
// Table on stdout, JSON lines on stderr. Every run stops by itself; only 127.0.0.1 is used.
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Rng } from '../src/core/rng.js';
import { openStore } from '../src/store/index.js';
import { barChart } from '../src/viz/svg.js';
import { benchData, copyTo, itemId, userId } from './serve-data.js';
import { startService } from './serve-child.js';

interface AcRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: AcRequest) => AcRequest;
}
interface AcHistogram {
  average: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p97_5: number;
  p99: number;
  p99_9: number;
}
interface AcResult {
  latency: AcHistogram;
  requests: AcHistogram;
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
}
interface AcInstance {
  on(event: 'response', fn: (client: unknown, status: number, bytes: number, ms: number) => void): void;
}
type Autocannon = (opts: { url: string; connections: number; duration: number; timeout?: number; requests: AcRequest[] }, cb: (err: Error | null, r: AcResult) => void) => AcInstance;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

function arg(name: string, def: string): string {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 && k + 1 < process.argv.length ? process.argv[k + 1] : def;
}
const seconds = Number(arg('seconds', '15'));
const conns = arg('conns', '10,50').split(',').map(Number);
const interactions = Number(arg('interactions', '1000000'));
const users = Math.round(interactions / 20);
const items = Math.max(1000, Math.round(interactions / 100));
const from = process.argv.includes('--src') ? 'src' : 'dist';
const svgPath = process.argv.includes('--svg') ? arg('svg', 'docs/bench/serve-latency.svg') : null;
const load = (): string => os.loadavg().map((x) => x.toFixed(1)).join(' ');

/** CPU time of a process (user + system, ms) from /proc (Linux; clock ticks of 10 ms). */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) * 10;
  } catch {
    return NaN;
  }
}

interface Run {
  result: AcResult;
  /** Latency of every response, ms. */
  latencies: Float64Array;
}

function run(url: string, connections: number, duration: number, req: AcRequest): Promise<Run> {
  const lat: number[] = [];
  return new Promise((resolve, reject) => {
    const inst = autocannon({ url, connections, duration, timeout: 10, requests: [req] }, (err, result) => (err ? reject(err) : resolve({ result, latencies: Float64Array.from(lat) })));
    inst.on('response', (_c, _s, _b, ms) => lat.push(ms));
  });
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const data = await benchData({ users, items, interactions });
const dir = mkdtempSync(join(os.tmpdir(), 'affinity-serve-load-'));
const file = copyTo(data, dir);
const db = `sqlite://${file}`;
// one key per phase: the rate limit counts per key (100,000 requests per minute by default)
const phases = [...conns.map((c) => `recs-c${c}`), 'warm', 'ing-1', 'ing-100', 'ing-1000'];
const keys: Record<string, string> = {};
{
  const store = await openStore(db);
  for (const p of phases) keys[p] = (await store.createApiKey({ name: `bench ${p}`, scopes: ['read', 'write'] })).secret;
  await store.close();
}
const admin = `bench-admin-${process.pid}-0123456789`;
console.log(`# serve-load: ${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}, node ${process.version}, service from ${from}/`);
console.log(`# data: ${data.events} events, ${data.users} users x ${data.items} items; model ${data.model} (built in ${data.trainSeconds.toFixed(0)} s; holdout ${JSON.stringify(data.metrics)})`);
const svc = await startService({ db, key: admin, from });
console.log(`# service start (load the model, catalog, recent events; listen): ${(svc.startMs / 1000).toFixed(1)} s; load average ${load()}`);
const ready = (await (await fetch(`${svc.url}/ready`)).json()) as { ready: boolean; modelName: string; users: number; items: number };
if (!ready.ready) throw new Error(`service not ready: ${JSON.stringify(ready)}`);

try {
  const rng = new Rng(11);
  const recReq = (key: string): AcRequest => ({
    method: 'GET',
    headers: { 'x-api-key': key },
    setupRequest: (r) => ({ ...r, path: `/v1/users/${userId(rng.int(users))}/recommendations?n=10` }),
  });
  await run(svc.url, 10, 3, recReq(keys.warm));
  console.log('\n| route | connections | seconds | requests | req/s (mean) | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | non-2xx | errors | cache hit ratio | service CPU us/request | load avg (start / end) |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  const hist: { name: string; lat: Float64Array }[] = [];
  const cacheRatio = async (): Promise<{ hits: number; misses: number }> => {
    const text = await (await fetch(`${svc.url}/metrics`)).text();
    const num = (n: string): number => Number(new RegExp(`^affinity_${n} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    return { hits: num('cache_hits'), misses: num('cache_misses') };
  };
  for (const c of conns) {
    const l0 = load();
    const m0 = await cacheRatio();
    const cpu0 = cpuMs(svc.child.pid);
    const { result: r, latencies } = await run(svc.url, c, seconds, recReq(keys[`recs-c${c}`]));
    const cpu = cpuMs(svc.child.pid) - cpu0;
    const m1 = await cacheRatio();
    const sorted = latencies.slice().sort();
    const ratio = (m1.hits - m0.hits) / Math.max(1, m1.hits - m0.hits + m1.misses - m0.misses);
    hist.push({ name: `${c} connections`, lat: latencies });
    const line = {
      bench: 'serve-load',
      route: 'GET /v1/users/{id}/recommendations?n=10',
      connections: c,
      seconds: r.duration,
      requests: latencies.length,
      rps: +r.requests.average.toFixed(0),
      p50: +quantile(sorted, 0.5).toFixed(2),
      p90: +quantile(sorted, 0.9).toFixed(2),
      p99: +quantile(sorted, 0.99).toFixed(2),
      p999: +quantile(sorted, 0.999).toFixed(2),
      max: +sorted[sorted.length - 1].toFixed(1),
      autocannon: { p50: r.latency.p50, p99: r.latency.p99 },
      non2xx: r.non2xx,
      errors: r.errors,
      cacheHitRatio: +ratio.toFixed(3),
      serverCpuUsPerRequest: +((cpu * 1000) / latencies.length).toFixed(0),
      load: `${l0} / ${load()}`,
    };
    console.error(JSON.stringify(line));
    console.log(`| recommendations n=10 | ${c} | ${line.seconds} | ${line.requests} | ${line.rps} | ${line.p50} | ${line.p90} | ${line.p99} | ${line.p999} | ${line.max} | ${line.non2xx} | ${line.errors} | ${line.cacheHitRatio} | ${line.serverCpuUsPerRequest} | ${line.load} |`);
  }

  // ingestion: POST /v1/events, 10 connections, unique idempotency keys, random known users and items
  const ingSeconds = Math.max(5, Math.round(seconds * (2 / 3)));
  console.log(`\n| POST /v1/events batch | connections | seconds | requests | req/s | events/s | p50 ms | p99 ms | non-2xx | events stored (acknowledged) | service CPU us/event | load avg (start / end) |`);
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  let counter = 0;
  for (const batch of [1, 100, 1000]) {
    const store = await openStore(db);
    const before = (await store.counts()).events;
    await store.close();
    const l0 = load();
    const req: AcRequest = {
      method: 'POST',
      headers: { 'x-api-key': keys[`ing-${batch}`], 'content-type': 'application/json' },
      setupRequest: (r) => {
        const events = [];
        for (let k = 0; k < batch; k++) events.push({ user: userId(rng.int(users)), item: itemId(rng.int(items)), type: 'view', key: `bench-${batch}-${counter++}` });
        return { ...r, path: '/v1/events', body: JSON.stringify({ events }) };
      },
    };
    const cpu0 = cpuMs(svc.child.pid);
    const { result: r, latencies } = await run(svc.url, 10, ingSeconds, req);
    await new Promise((res) => setTimeout(res, 500)); // let requests cut off by the end of the run settle
    const cpu = cpuMs(svc.child.pid) - cpu0;
    const store2 = await openStore(db);
    const stored = (await store2.counts()).events - before;
    await store2.close();
    const sorted = latencies.slice().sort();
    const ok = r['2xx'];
    const line = {
      bench: 'serve-ingest',
      batch,
      connections: 10,
      seconds: r.duration,
      requests: latencies.length,
      rps: +(ok / r.duration).toFixed(1),
      eventsPerSecond: Math.round((ok * batch) / r.duration),
      p50: +quantile(sorted, 0.5).toFixed(2),
      p99: +quantile(sorted, 0.99).toFixed(2),
      non2xx: r.non2xx,
      acknowledged: ok * batch,
      stored,
      serverCpuUsPerEvent: +((cpu * 1000) / Math.max(1, stored)).toFixed(0),
      load: `${l0} / ${load()}`,
    };
    console.error(JSON.stringify(line));
    console.log(`| ${batch} | 10 | ${line.seconds} | ${line.requests} | ${line.rps} | ${line.eventsPerSecond} | ${line.p50} | ${line.p99} | ${line.non2xx} | ${stored} (${line.acknowledged}) | ${line.serverCpuUsPerEvent} | ${line.load} |`);
  }

  if (svgPath && hist.length > 0) {
    const edges = [0, 1, 2, 5, 10, 20, 50, 100, Infinity];
    const cats = edges.slice(0, -1).map((lo, j) => (edges[j + 1] === Infinity ? `>= ${lo}` : `${lo}-${edges[j + 1]}`));
    const series = hist.map((h) => {
      const y = new Array<number>(cats.length).fill(0);
      for (const v of h.lat) {
        let j = 0;
        while (v >= edges[j + 1]) j++;
        y[j]++;
      }
      return { name: h.name, y: y.map((c) => +((100 * c) / h.lat.length).toFixed(2)) };
    });
    writeFileSync(svgPath, barChart(cats, series, { title: `GET recommendations n=10, ${data.events} events (loopback, ${seconds} s per run)`, xLabel: 'latency (ms)', yLabel: '% of requests', width: 760, height: 420 }));
    console.log(`\n# latency histogram: ${svgPath}`);
  }
} finally {
  svc.child.kill('SIGTERM');
  const exit = await svc.exited;
  console.log(`# service stopped by SIGTERM: exit code ${exit.code}; load average ${load()}`);
  rmSync(dir, { recursive: true, force: true });
}
