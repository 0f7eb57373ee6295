/**
 * The real `affinity serve` process (src/cli/main.ts under tsx) on a SQLite file (WAL):
 * 1. events ingested by 4 concurrent senders, kill -9 mid-stream, restart on the same file: every event
 *    the service acknowledged (HTTP 200) is stored: re-sending them all through the restarted service
 *    inserts nothing (each idempotency key is reported a duplicate), and the file holds every key.
 * 2. on the restarted service, 8 senders with requests in flight, SIGTERM: the process exits with code 0,
 *    requests get 200 or 503 (or a refused connection once it is gone), never another status, and every
 *    acknowledged event is in the file.
 * Bigger numbers: bench/serve-crash.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ingestLoop, loopEvent, missing, postEvents, startService, storedKeys, type IngestLoop, type Service } from '../../bench/serve-child.js';
import type { EventInput } from '../../src/store/types.js';

const KEY = 'crash-test-key-0123456789';

async function acked(loop: IngestLoop, service: Service, batches: number, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`fewer than ${batches} batches acknowledged in ${ms} ms; output:\n${service.output()}`)), ms);
  });
  const died = service.exited.then((s) => {
    throw new Error(`service exited early (code ${s.code}, signal ${s.signal}); output:\n${service.output()}`);
  });
  try {
    await Promise.race([loop.whenAcked(batches), timeout, died]);
  } finally {
    clearTimeout(timer);
  }
}

function eventOfKey(k: string): EventInput {
  const dash = k.lastIndexOf('-');
  return loopEvent(k.slice(0, dash), Number(k.slice(dash + 1)));
}

test('kill -9 mid-stream and SIGTERM with requests in flight lose no acknowledged event', { timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(os.tmpdir(), 'affinity-crash-'));
  const db = `sqlite://${join(dir, 'affinity.db')}`;
  const services: Service[] = [];
  t.after(() => {
    for (const s of services) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  // 1. kill -9 while 4 senders post batches of 50
  const a = await startService({ db, key: KEY, model: 'popularity' });
  services.push(a);
  const loop1 = ingestLoop(a.url, KEY, 'k9', 50, 4);
  await acked(loop1, a, 40, 30_000);
  a.child.kill('SIGKILL');
  loop1.markSignal();
  const s1 = await loop1.stop();
  const exitA = await a.exited;
  assert.equal(exitA.signal, 'SIGKILL');
  assert.ok(s1.acked.length >= 40 * 50, `acknowledged ${s1.acked.length}`);
  for (const status of Object.keys(s1.statuses)) assert.ok(status === '200' || status === '0', `status ${status} before the kill`);

  // restart on the same file: every acknowledged key is a duplicate now
  const b = await startService({ db, key: KEY, model: 'popularity' });
  services.push(b);
  let duplicates = 0;
  let inserted = 0;
  for (let k = 0; k < s1.acked.length; k += 1000) {
    const r = await postEvents(b.url, KEY, s1.acked.slice(k, k + 1000).map(eventOfKey));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const body = r.body as { inserted: number; duplicates: number };
    duplicates += body.duplicates;
    inserted += body.inserted;
  }
  assert.equal(inserted, 0, 'an acknowledged event was missing after kill -9 (re-sending it inserted it)');
  assert.equal(duplicates, s1.acked.length);

  // 2. SIGTERM while 8 senders have requests in flight
  const loop2 = ingestLoop(b.url, KEY, 'term', 50, 8);
  await acked(loop2, b, 20, 30_000);
  b.child.kill('SIGTERM');
  loop2.markSignal();
  const s2 = await loop2.stop();
  const exitB = await b.exited;
  assert.deepEqual(exitB, { code: 0, signal: null }, b.output());
  for (const status of Object.keys(s2.statuses)) assert.ok(['200', '503', '0'].includes(status), `status ${status} around SIGTERM`);

  // the file after both: every acknowledged key, and nothing that was never sent
  const stored = await storedKeys(db);
  assert.deepEqual(missing(s1.acked, stored.keys), []);
  assert.deepEqual(missing(s2.acked, stored.keys), []);
  const sent = new Set([...s1.acked, ...s1.unacked, ...s2.acked, ...s2.unacked]);
  for (const k of stored.keys) assert.ok(sent.has(k), `stored key ${k} was never sent`);
  assert.equal(stored.events, stored.keys.size, 'one stored event per key');
  t.diagnostic(
    `kill -9: ${s1.acked.length} acknowledged, ${s1.unacked.length} unacknowledged in flight; ` +
      `SIGTERM: ${s2.acked.length} acknowledged (${s2.ackedAfterSignal} batches answered after the signal), statuses ${JSON.stringify(s2.statuses)}; ` +
      `starts ${a.startMs.toFixed(0)} / ${b.startMs.toFixed(0)} ms`,
  );
});
