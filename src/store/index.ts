/**
 * openStore(url): the storage backend chosen by the URL's scheme (the service passes AFFINITY_DB).
 *   sqlite://path, sqlite:///abs/path, sqlite::memory:   -> sqlite.ts
 *   postgres://..., postgresql://...                     -> postgres.ts
 * Opening migrates the schema to the version this code knows. See docs/store.md.
 */
import { paramError } from '../core/errors.js';
import { openPostgresStore, redactUrl } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { Clock } from './sql-store.js';
import type { Store } from './types.js';

export type * from './types.js';
export { EXPERIMENT_EVENT_KINDS, EXPERIMENT_STATUSES, SCOPES } from './types.js';
export { DEFAULT_EVENT_WEIGHTS, eventsToDataset, loadEventsDataset, validateEventBatch, type EventsToDatasetOptions } from './ingest.js';

/** The embedded default when AFFINITY_DB is not set. */
export const DEFAULT_STORE_URL = 'sqlite://affinity-data/affinity.db';

export interface OpenStoreOptions {
  /** Time source for created/updated/inserted stamps (Unix ms); default Date.now. */
  clock?: Clock;
}

export async function openStore(url: string = process.env.AFFINITY_DB || DEFAULT_STORE_URL, opts: OpenStoreOptions = {}): Promise<Store> {
  if (typeof url !== 'string' || url.length === 0) throw paramError('AFFINITY_DB', url, 'a storage URL: sqlite://path, sqlite::memory: or postgres://...');
  if (url.startsWith('sqlite:')) return openSqliteStore(url, opts.clock);
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgresStore(url, opts.clock);
  throw paramError('AFFINITY_DB', redactUrl(url), 'a storage URL: sqlite://path, sqlite::memory: or postgres://...');
}
