/**
 * The demo catalogue of `affinity serve --demo`: when the store has no events, imports MovieLens 100K
 * (from $AFFINITY_DATA/ml-100k, ../shared/data/ml-100k, a registered or cached copy, or a download) with
 * titles, genres as item categories and ratings as 'rating' events carrying the value; without it, the
 * synthetic catalogue (readable item names, categories, prices) as 'view' events.
 *
 * The source is injectable (ServerOptions.demoData, env AFFINITY_DEMO_DATA, `affinity serve --demo-data`):
 * 'auto' (the lookup above, then the synthetic fallback), 'synthetic' (no lookup), 'movielens' (the
 * lookup, failing when MovieLens is unavailable) or the path of a MovieLens 100K folder (with u.data).
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AffinityError, paramError } from '../core/errors.js';
import type { Dataset } from '../data/dataset.js';
import { alignRows, type FeatureTable } from '../data/features.js';
import { resolveDataset } from '../data/fetch.js';
import { loadMovieLensDir } from '../data/side.js';
import { generateSynthetic } from '../data/synthetic.js';
import type { EventInput, ItemInput, JsonObject, Store, UserInput } from '../store/types.js';

/** Where the demo catalogue comes from: 'auto', 'synthetic', 'movielens' or a MovieLens 100K folder. */
export type DemoSource = 'auto' | 'synthetic' | 'movielens' | { dir: string };

/** Parses a demo source (`field` names the option or variable in errors). */
export function parseDemoSource(field: string, v: string): DemoSource {
  if (v === 'auto' || v === 'synthetic' || v === 'movielens') return v;
  let dir = false;
  try {
    dir = v !== '' && statSync(v).isDirectory();
  } catch {
    dir = false;
  }
  if (!dir || !existsSync(join(v, 'u.data'))) throw paramError(field, v, "auto, synthetic, movielens or a MovieLens 100K folder (with u.data)");
  return { dir: resolve(v) };
}

export interface DemoImport {
  label: string;
  users: number;
  items: number;
  events: number;
}

/** Finds MovieLens 100K locally (or in the dataset cache / by download); null when unavailable. */
export async function findMovieLens(log: (line: string) => void): Promise<string | null> {
  const roots = [process.env.AFFINITY_DATA, resolve('..', 'shared', 'data'), resolve('shared', 'data')].filter((p): p is string => !!p);
  for (const r of roots) if (existsSync(join(r, 'ml-100k', 'u.data'))) return join(r, 'ml-100k');
  try {
    return await resolveDataset('ml-100k');
  } catch (e) {
    if (!(e instanceof AffinityError)) throw e;
    log(`MovieLens 100K is not available (${e.message.split('\n')[0]}); using the synthetic catalogue`);
    return null;
  }
}

/** Row `row` of a feature table as a JSON object (text, numbers, categories, lists). */
export function featureRow(table: FeatureTable, row: number, skip: readonly string[] = []): JsonObject {
  const out: JsonObject = {};
  if (row < 0) return out;
  for (const c of table.columns) {
    if (skip.includes(c.name)) continue;
    if (c.kind === 'text') {
      if (c.values[row]) out[c.name] = c.values[row];
    } else if (c.kind === 'numeric') {
      if (!Number.isNaN(c.values[row])) out[c.name] = c.values[row];
    } else if (c.kind === 'categorical') {
      if (c.codes[row] >= 0) out[c.name] = c.vocab[c.codes[row]];
    } else {
      const vals: string[] = [];
      for (let k = c.indptr[row]; k < c.indptr[row + 1]; k++) vals.push(c.vocab[c.codes[k]]);
      out[c.name] = vals;
    }
  }
  return out;
}

function categoriesOf(f: JsonObject): string[] {
  const g = f.genres ?? f.category;
  if (Array.isArray(g)) return g.filter((x): x is string => typeof x === 'string' && x.length > 0);
  return typeof g === 'string' && g.length > 0 ? [g] : [];
}

/** Writes a Dataset's users, items (with side features) and interactions into the store. */
export async function importDataset(store: Store, data: Dataset, eventType: 'rating' | 'view'): Promise<DemoImport> {
  const items: ItemInput[] = [];
  const itemRow = data.itemFeatures ? alignRows(data.itemFeatures, data.items) : null;
  for (let i = 0; i < data.nItems; i++) {
    const f = data.itemFeatures && itemRow ? featureRow(data.itemFeatures, itemRow[i]) : {};
    const title = typeof f.title === 'string' ? f.title : `item ${data.items.id(i)}`;
    delete f.title;
    const year = typeof f.year === 'number' && f.year >= 1970 ? Date.UTC(f.year, 0, 1) : null;
    items.push({ id: data.items.id(i), title, categories: categoriesOf(f), features: f, timestamp: year });
  }
  const users: UserInput[] = [];
  const userRow = data.userFeatures ? alignRows(data.userFeatures, data.users) : null;
  for (let u = 0; u < data.nUsers; u++) users.push({ id: data.users.id(u), features: data.userFeatures && userRow ? featureRow(data.userFeatures, userRow[u]) : {} });
  for (let k = 0; k < items.length; k += 5000) await store.upsertItems(items.slice(k, k + 5000));
  for (let k = 0; k < users.length; k += 5000) await store.upsertUsers(users.slice(k, k + 5000));
  const batch: EventInput[] = [];
  let events = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    events += (await store.insertEvents(batch, { autoCreate: false })).inserted;
    batch.length = 0;
  };
  for (let r = 0; r < data.size; r++) {
    const t = data.time ? Math.round(data.time[r] * 1000) : undefined;
    const e: EventInput = { user: data.users.id(data.user[r]), item: data.items.id(data.item[r]), type: eventType, value: data.value[r] };
    if (t !== undefined && Number.isFinite(t) && t >= 0) e.timestamp = t;
    batch.push(e);
    if (batch.length >= 20_000) await flush();
  }
  await flush();
  return { label: '', users: users.length, items: items.length, events };
}

/** Imports the demo data when the store has no events; returns null when there was data already. */
export async function importDemoIfEmpty(store: Store, log: (line: string) => void, source: DemoSource = 'auto'): Promise<DemoImport | null> {
  const counts = await store.counts();
  if (counts.events > 0) return null;
  const dir = typeof source === 'object' ? source.dir : source === 'synthetic' ? null : await findMovieLens(log);
  if (!dir && source === 'movielens') throw new AffinityError('E_IO', 'demo data: MovieLens 100K was asked for (movielens) but is not available; set AFFINITY_DATA or use auto', { field: 'demoData' });
  if (dir) {
    const data = (await loadMovieLensDir(dir)).dataset;
    const res = await importDataset(store, data, 'rating');
    return { ...res, label: `MovieLens 100K (${dir})` };
  }
  const data = generateSynthetic({ users: 2000, items: 1500, interactions: 100_000, seed: 7, kind: 'implicit' });
  const res = await importDataset(store, data, 'view');
  return { ...res, label: 'synthetic catalogue (seed 7)' };
}
