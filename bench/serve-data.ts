/**
 * The store behind the load benchmark: synthetic interactions (src/data/synthetic.ts) imported as `view`
 * events through the store in batches of 10,000, then one ALS version trained by the engine and saved
 * in the registry (so `affinity serve` loads it at start). Built once per size and kept in a cache
 * folder (default $TMPDIR/affinity-serve-bench); each run works on a copy.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { generateSynthetic } from '../src/data/synthetic.js';
import { createEngine } from '../src/serve/engine/index.js';
import { openStore } from '../src/store/index.js';
import type { EventInput } from '../src/store/types.js';

export interface BenchDataOptions {
  users: number;
  items: number;
  interactions: number;
  seed?: number;
  /** Model the engine trains (default 'als', the service default). */
  model?: string;
  cacheDir?: string;
  log?: (line: string) => void;
}

export interface BenchData {
  /** The cached database file (do not write to it: copyTo() first). */
  path: string;
  users: number;
  items: number;
  events: number;
  ingestSeconds: number;
  trainSeconds: number;
  model: string;
  metrics: Record<string, unknown>;
}

/** External ids of the synthetic data as imported: `u<index>` and `i<index>`. */
export const userId = (u: number): string => `u${u}`;
export const itemId = (i: number): string => `i${i}`;

export async function benchData(o: BenchDataOptions): Promise<BenchData> {
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const model = o.model ?? 'als';
  const dir = o.cacheDir ?? join(os.tmpdir(), 'affinity-serve-bench');
  const name = `synth-${o.users}x${o.items}-${o.interactions}-s${o.seed ?? 1}-${model}`;
  const path = join(dir, `${name}.db`);
  const metaPath = join(dir, `${name}.json`);
  if (existsSync(path) && existsSync(metaPath)) return JSON.parse(readFileSync(metaPath, 'utf8')) as BenchData;
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `${name}.building-${process.pid}.db`);
  rmSync(tmp, { force: true });
  log(`# building ${path}: ${o.interactions} interactions, ${o.users} users x ${o.items} items`);
  const data = generateSynthetic({ users: o.users, items: o.items, interactions: o.interactions, seed: o.seed ?? 1, text: false });
  const store = await openStore(`sqlite://${tmp}`);
  const t0 = performance.now();
  const batch = 10_000;
  const time = data.time;
  for (let k0 = 0; k0 < data.size; k0 += batch) {
    const events: EventInput[] = [];
    for (let k = k0; k < Math.min(data.size, k0 + batch); k++)
      events.push({
        user: userId(Number(data.users.id(data.user[k]))),
        item: itemId(Number(data.items.id(data.item[k]))),
        type: 'view',
        weight: data.value[k],
        timestamp: time ? Math.round(time[k] * 1000) : 1_600_000_000_000 + k,
      });
    await store.insertEvents(events);
    if ((k0 / batch) % 20 === 19) log(`#   ${k0 + batch} events (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const ingestSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const engine = createEngine(store, { model, worker: false });
  await engine.start();
  const trainSeconds = (performance.now() - t1) / 1000;
  const versions = await store.listModels(model);
  await engine.stop();
  await store.close();
  rmSync(`${tmp}-wal`, { force: true });
  rmSync(`${tmp}-shm`, { force: true });
  renameSync(tmp, path);
  const meta: BenchData = {
    path,
    users: o.users,
    items: o.items,
    events: data.size,
    ingestSeconds,
    trainSeconds,
    model,
    metrics: versions[0] ? { ...versions[0].metrics } : {},
  };
  writeFileSync(metaPath, JSON.stringify(meta, null, 2));
  log(`# built in ${ingestSeconds.toFixed(0)} s (ingest) + ${trainSeconds.toFixed(0)} s (train ${model}); metrics ${JSON.stringify(meta.metrics)}`);
  return meta;
}

/** A private copy of the cached database for one run. */
export function copyTo(data: BenchData, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const p = join(dir, 'affinity.db');
  copyFileSync(data.path, p);
  return p;
}
