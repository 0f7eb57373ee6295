// Crash and shutdown runs of the real service with bigger numbers than test/serve/crash.test.ts.
// Each round starts `affinity serve` on the same SQLite file (WAL, sync=normal by default), lets 16
// senders post batches of 100 events with idempotency keys for a random 2-5 s, then kill -9 (rounds
// 1..R) or SIGTERM (the last round). After every restart, all events acknowledged so far are re-sent
// through the service: each must come back as a duplicate (inserted 0). At the end the file is read
// directly: every acknowledged key present, nothing stored that was never sent.
// Usage: npm run build && node --import tsx bench/serve-crash.ts [--rounds 5] [--batch 100] [--senders 16] [--src] [--sync full]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Rng } from '../src/core/rng.js';
import type { EventInput } from '../src/store/types.js';
import { ingestLoop, loopEvent, missing, postEvents, startService, storedKeys, type Service } from './serve-child.js';

function arg(name: string, def: string): string {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 && k + 1 < process.argv.length ? process.argv[k + 1] : def;
}
const rounds = Number(arg('rounds', '5'));
const batch = Number(arg('batch', '100'));
const senders = Number(arg('senders', '16'));
const sync = arg('sync', 'normal');
const from = process.argv.includes('--src') ? 'src' : 'dist';
const load = (): string => os.loadavg().map((x) => x.toFixed(1)).join(' ');
const KEY = `crash-bench-${process.pid}-0123456789`;

const dir = mkdtempSync(join(os.tmpdir(), 'affinity-serve-crash-'));
const db = `sqlite://${join(dir, 'affinity.db')}${sync === 'full' ? '?sync=full' : ''}`;
const rng = new Rng(5);
const acked: string[] = [];
const sent = new Set<string>();
let failures = 0;

function eventOfKey(k: string): EventInput {
  const dash = k.lastIndexOf('-');
  return loopEvent(k.slice(0, dash), Number(k.slice(dash + 1)));
}

/** Re-sends every acknowledged event; returns how many the service inserted again (must be 0). */
async function resend(svc: Service): Promise<{ inserted: number; duplicates: number; seconds: number }> {
  const t0 = performance.now();
  let inserted = 0;
  let duplicates = 0;
  for (let k = 0; k < acked.length; k += 5000) {
    const r = await postEvents(svc.url, KEY, acked.slice(k, k + 5000).map(eventOfKey));
    if (r.status !== 200) throw new Error(`re-send: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    const b = r.body as { inserted: number; duplicates: number };
    inserted += b.inserted;
    duplicates += b.duplicates;
  }
  return { inserted, duplicates, seconds: (performance.now() - t0) / 1000 };
}

console.log(`# serve-crash: ${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}, node ${process.version}, service from ${from}/, ${db}`);
console.log(`# ${senders} senders x batches of ${batch}; load average at start ${load()}`);
console.log('\n| round | signal | start s | re-sent (all acked so far) | inserted again | acknowledged this round | unacknowledged in flight | batches answered after the signal | statuses | exit |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
try {
  for (let round = 1; round <= rounds + 1; round++) {
    const signal = round <= rounds ? 'SIGKILL' : 'SIGTERM';
    const svc = await startService({ db, key: KEY, from, model: 'popularity' });
    const check = acked.length > 0 ? await resend(svc) : { inserted: 0, duplicates: 0, seconds: 0 };
    if (check.inserted !== 0) failures++;
    const loop = ingestLoop(svc.url, KEY, `r${round}`, batch, senders);
    await new Promise((res) => setTimeout(res, 2000 + rng.int(3000)));
    svc.child.kill(signal);
    loop.markSignal();
    const s = await loop.stop();
    const exit = await svc.exited;
    for (const k of s.acked) acked.push(k);
    for (const k of [...s.acked, ...s.unacked]) sent.add(k);
    const bad = Object.keys(s.statuses).filter((c) => !['200', '503', '0'].includes(c));
    if (bad.length > 0 || (signal === 'SIGTERM' && exit.code !== 0)) failures++;
    const line = { bench: 'serve-crash', round, signal, startS: +(svc.startMs / 1000).toFixed(1), resent: check.duplicates + check.inserted, insertedAgain: check.inserted, acked: s.acked.length, unacked: s.unacked.length, ackedAfterSignal: s.ackedAfterSignal, statuses: s.statuses, exit };
    console.error(JSON.stringify(line));
    console.log(`| ${round} | ${signal} | ${line.startS} | ${line.resent} | ${line.insertedAgain} | ${line.acked} | ${line.unacked} | ${line.ackedAfterSignal} | ${JSON.stringify(s.statuses)} | ${exit.signal ?? `code ${exit.code}`} |`);
  }
  const stored = await storedKeys(db);
  const lost = missing(acked, stored.keys);
  let strange = 0;
  for (const k of stored.keys) if (!sent.has(k)) strange++;
  if (lost.length > 0 || strange > 0 || stored.events !== stored.keys.size) failures++;
  console.log(`\n# file after ${rounds} x kill -9 + 1 x SIGTERM: ${stored.events} events stored; ${acked.length} acknowledged, ${lost.length} of them missing; ${stored.keys.size - (acked.length - lost.length)} stored without an acknowledgement (in flight at the kill); ${strange} never sent`);
  console.log(`# load average at the end ${load()}; ${failures === 0 ? 'PASS' : `FAIL (${failures})`}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = failures === 0 ? 0 : 1;
