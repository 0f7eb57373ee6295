/**
 * Engine serving figures on ML-100K: events (ratings) into a SQLite file store, start() trains ALS in the
 * worker thread (which opens the store URL itself), then in-process latency of recommend() without the
 * cache (every call recomputed), with the cache, and right after a new event (fold-in).
 *   AFFINITY_DATA=/work/shared/data node --import tsx bench/engine-ml100k.ts
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../src/serve/engine/engine-api.js';
import { openStore } from '../src/store/index.js';
import type { EventInput } from '../src/store/types.js';

const dataDir = process.env.AFFINITY_DATA ?? '/work/shared/data';
const dir = mkdtempSync(join(tmpdir(), 'engine-bench-'));
const url = `sqlite://${join(dir, 'a.db')}`;
const store = await openStore(url);
const lines = readFileSync(join(dataDir, 'ml-100k/u.data'), 'utf8').trim().split('\n');
const events: EventInput[] = lines.map((l) => {
  const [u, i, r, t] = l.split('\t');
  return { user: u, item: i, type: 'rating', value: Number(r), timestamp: Number(t) * 1000 };
});
let t = performance.now();
for (let k = 0; k < events.length; k += 10_000) await store.insertEvents(events.slice(k, k + 10_000));
console.log(`ingested ${events.length} events in ${((performance.now() - t) / 1000).toFixed(2)} s`);

const quantiles = (xs: number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): string => s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(3);
  return `p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, mean ${(s.reduce((a, b) => a + b, 0) / s.length).toFixed(3)} ms`;
};

for (const cacheSize of [0, 10_000]) {
  const engine = createEngine(store, { model: 'als', cacheSize, holdout: 0.2 });
  t = performance.now();
  await engine.start();
  const v = (await store.listModels('als'))[0];
  if (cacheSize === 0) console.log(`start (train in worker, holdout eval, refit): ${((performance.now() - t) / 1000).toFixed(2)} s; version ${v.version} metrics ${JSON.stringify(v.metrics)}`);
  const lat: number[] = [];
  for (let k = 0; k < 3000; k++) {
    const s = performance.now();
    await engine.recommend({ userId: String(1 + (k % 943)), n: 10 });
    lat.push(performance.now() - s);
  }
  console.log(`recommend n=10, cache ${cacheSize ? 'on (2nd+ call per user hits)' : 'off'}: ${quantiles(lat)}`);
  if (cacheSize === 0) {
    const fold: number[] = [];
    for (let k = 0; k < 500; k++) {
      const user = String(1 + (k % 943));
      engine.onEvents([{ seq: 200_000 + k, user, item: String(1 + ((k * 37) % 1682)), type: 'view', weight: null, value: null, timestamp: Date.now(), key: null, insertedAt: Date.now() }]);
      const s = performance.now();
      await engine.recommend({ userId: user, n: 10 });
      fold.push(performance.now() - s);
    }
    console.log(`recommend right after an event (fold-in): ${quantiles(fold)}`);
    const f: number[] = [];
    for (let k = 0; k < 500; k++) {
      const s = performance.now();
      await engine.recommend({ userId: String(1 + (k % 943)), n: 10, filter: 'popularity > 50' });
      f.push(performance.now() - s);
    }
    console.log(`recommend with filter 'popularity > 50' (cache off): ${quantiles(f)}`);
    t = performance.now();
    const v2 = await engine.retrain({ reason: 'bench' });
    console.log(`retrain in worker: ${((performance.now() - t) / 1000).toFixed(2)} s -> version ${v2.version}`);
  }
  await engine.stop();
}
await store.close();
rmSync(dir, { recursive: true, force: true });
