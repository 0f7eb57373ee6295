/**
 * The storage interface of the service. One interface, one file per backend (sqlite.ts, postgres.ts),
 * chosen by URL in openStore() (index.ts); one conformance suite (conformance.ts) runs against each.
 *
 * Conventions:
 * - Every timestamp is Unix milliseconds (an integer number). Dataset conversion turns them into seconds.
 * - Ids are non-empty strings of at most 256 characters.
 * - Users and items are deleted softly (a `deleted` flag): their rows stay so that ids are never reused by
 *   accident, reads skip them unless asked, and their events drop out of training reads. Upserting a deleted
 *   id brings it back.
 * - Writes that take a list are one transaction: all rows or none. Invalid input raises an AffinityError
 *   whose message starts with the path of the bad value (`events[3].item: ...`).
 */

/** A JSON value as stored in feature columns. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

// ---------------------------------------------------------------- users and items

export interface UserRecord {
  id: string;
  features: JsonObject;
  labels: string[];
  createdAt: number;
  updatedAt: number;
  deleted: boolean;
}

/** Create or update a user: fields left out keep their stored value (or their default for a new user). */
export interface UserInput {
  id: string;
  features?: JsonObject;
  labels?: string[];
}

export interface ItemRecord {
  id: string;
  title: string;
  features: JsonObject;
  categories: string[];
  labels: string[];
  /** When the item was published or became available (Unix ms), or null. */
  timestamp: number | null;
  hidden: boolean;
  outOfStock: boolean;
  createdAt: number;
  updatedAt: number;
  deleted: boolean;
}

export interface ItemInput {
  id: string;
  title?: string;
  features?: JsonObject;
  categories?: string[];
  labels?: string[];
  timestamp?: number | null;
  hidden?: boolean;
  outOfStock?: boolean;
}

export interface ListOptions {
  /** Keyset cursor: return ids strictly greater than this one (ids are ordered by Unicode code point, i.e. UTF-8 bytes). */
  after?: string;
  /** At most this many rows (default 100, at most 10000). */
  limit?: number;
  includeDeleted?: boolean;
  /** Only rows updated at or after this time (Unix ms). */
  updatedSince?: number;
}

export interface Page<T> {
  rows: T[];
  /** Cursor for the next page, or null when this page was the last. */
  next: string | null;
}

// ---------------------------------------------------------------- feedback events

export interface EventInput {
  user: string;
  item: string;
  /** Event type: view, cart, purchase, dislike, rating or any [a-z0-9_-] name up to 64 characters. */
  type: string;
  /** Training weight of this event; null/absent = the weight of its type at training time. */
  weight?: number | null;
  /** A value carried by the event (a rating, a price, a dwell time), or null. */
  value?: number | null;
  /** When it happened (Unix ms); absent = the time of insertion. */
  timestamp?: number;
  /** Idempotency key: a batch repeating a stored key does not insert that event again. */
  key?: string | null;
}

export interface EventRecord {
  /** Position in the event log: strictly increasing in commit order; the cursor of readEvents. */
  seq: number;
  user: string;
  item: string;
  type: string;
  weight: number | null;
  value: number | null;
  timestamp: number;
  key: string | null;
  insertedAt: number;
}

export interface InsertEventsOptions {
  /**
   * Events naming users or items that do not exist create them (empty features, inserted in the same
   * transaction). Default true. With false, such an event fails the batch with E_UNKNOWN_ID.
   * Events naming a deleted user or item always fail the batch with E_UNKNOWN_ID.
   */
  autoCreate?: boolean;
}

export interface EventResult {
  seq: number;
  /** True when the key was stored before (or earlier in this batch): nothing was inserted for this row. */
  duplicate: boolean;
}

export interface InsertEventsResult {
  /** One per input row, in input order. A repeated key gets the result of its original. */
  results: EventResult[];
  inserted: number;
  duplicates: number;
  createdUsers: number;
  createdItems: number;
}

export interface ReadEventsOptions {
  /** Cursor: events with seq greater than this (default 0 = from the start). */
  after?: number;
  /** Page size (default 10000, at most 100000). */
  limit?: number;
  /** Include events of deleted users or items (default false). */
  includeDeleted?: boolean;
}

export interface EventPage {
  events: EventRecord[];
  /** Cursor to pass as `after` next time (the last seq returned, or the given cursor when none). */
  next: number;
}

export interface TimeRange {
  /** Inclusive lower bound (Unix ms). */
  since?: number;
  /** Exclusive upper bound (Unix ms). */
  until?: number;
}

export interface TypeCount {
  type: string;
  count: number;
}

export interface BucketCount {
  /** Start of the bucket (Unix ms, a multiple of the bucket width). */
  start: number;
  type: string;
  count: number;
}

// ---------------------------------------------------------------- model registry

export interface ModelVersionInput {
  /** Registry name (for example the pipeline or model name); versions count up per name from 1. */
  name: string;
  params?: JsonObject;
  metrics?: JsonObject;
  /** The saved model file (src/models/io.ts format or any bytes). */
  blob: Uint8Array;
  /** Make this the active version of its name at once (default false). */
  activate?: boolean;
}

export interface ModelVersion {
  id: number;
  name: string;
  version: number;
  params: JsonObject;
  metrics: JsonObject;
  /** Bytes of the blob. */
  size: number;
  createdAt: number;
  active: boolean;
}

// ---------------------------------------------------------------- experiments

export type ExperimentStatus = 'draft' | 'running' | 'stopped';
export const EXPERIMENT_STATUSES: readonly ExperimentStatus[] = ['draft', 'running', 'stopped'];

export interface Variant {
  name: string;
  /** Share of traffic, relative to the other variants' weights (> 0). */
  weight: number;
  /** What the variant serves (pipeline or model name, options). */
  config: JsonObject;
}

export interface ExperimentInput {
  id: string;
  name?: string;
  variants: Array<{ name: string; weight?: number; config?: JsonObject }>;
  status?: ExperimentStatus;
}

export interface Experiment {
  id: string;
  name: string;
  variants: Variant[];
  status: ExperimentStatus;
  createdAt: number;
  updatedAt: number;
}

export type ExperimentEventKind = 'impression' | 'click' | 'conversion';
export const EXPERIMENT_EVENT_KINDS: readonly ExperimentEventKind[] = ['impression', 'click', 'conversion'];

/** An exposure (impression) or an outcome (click, conversion) of one user under one variant. */
export interface ExperimentLogInput {
  experiment: string;
  variant: string;
  user: string;
  kind: ExperimentEventKind;
  item?: string | null;
  /** Conversion value (revenue), or null. */
  value?: number | null;
  timestamp?: number;
}

export interface VariantStats {
  variant: string;
  impressions: number;
  clicks: number;
  conversions: number;
  /** Distinct users with at least one impression / click / conversion. */
  exposedUsers: number;
  clickUsers: number;
  convertedUsers: number;
  /** Sum of conversion values. */
  conversionValue: number;
}

// ---------------------------------------------------------------- API keys

export type Scope = 'read' | 'write';
export const SCOPES: readonly Scope[] = ['read', 'write'];

export interface ApiKeyInput {
  name: string;
  scopes: Scope[];
  /** Use this secret instead of a generated one (for keys given to the service by the operator). */
  secret?: string;
}

export interface ApiKeyRecord {
  id: string;
  name: string;
  scopes: Scope[];
  createdAt: number;
  revoked: boolean;
}

export interface CreatedApiKey {
  record: ApiKeyRecord;
  /** The secret, shown only here: the store keeps its SHA-256 hash. */
  secret: string;
}

// ---------------------------------------------------------------- the store

export interface StoreCounts {
  users: number;
  items: number;
  events: number;
  models: number;
  experiments: number;
}

export interface Store {
  /** 'sqlite' or 'postgres'. */
  readonly backend: string;
  /** The URL it was opened with, password removed. */
  readonly url: string;

  schemaVersion(): Promise<number>;
  counts(): Promise<StoreCounts>;

  upsertUsers(users: readonly UserInput[]): Promise<UserRecord[]>;
  getUser(id: string, opts?: { includeDeleted?: boolean }): Promise<UserRecord | null>;
  getUsers(ids: readonly string[]): Promise<UserRecord[]>;
  listUsers(opts?: ListOptions): Promise<Page<UserRecord>>;
  /** Soft delete; false when there was no such (live) user. */
  deleteUser(id: string): Promise<boolean>;

  upsertItems(items: readonly ItemInput[]): Promise<ItemRecord[]>;
  getItem(id: string, opts?: { includeDeleted?: boolean }): Promise<ItemRecord | null>;
  getItems(ids: readonly string[]): Promise<ItemRecord[]>;
  listItems(opts?: ListOptions): Promise<Page<ItemRecord>>;
  deleteItem(id: string): Promise<boolean>;

  insertEvents(events: readonly EventInput[], opts?: InsertEventsOptions): Promise<InsertEventsResult>;
  /** Events in seq order after a cursor: training reads and streaming consumers. */
  readEvents(opts?: ReadEventsOptions): Promise<EventPage>;
  /** The user's latest `n` events, newest first (by timestamp, then seq), optionally of some types only. */
  recentEvents(user: string, n: number, types?: readonly string[]): Promise<EventRecord[]>;
  countEventsByType(range?: TimeRange): Promise<TypeCount[]>;
  /** Event counts per type per time bucket of `bucketMs` milliseconds, by event timestamp. */
  eventHistogram(bucketMs: number, range?: TimeRange): Promise<BucketCount[]>;
  /** The largest seq stored (0 when empty). */
  lastEventSeq(): Promise<number>;

  saveModel(input: ModelVersionInput): Promise<ModelVersion>;
  getModel(id: number): Promise<ModelVersion | null>;
  /** Versions, newest first, of one name or of all. */
  listModels(name?: string): Promise<ModelVersion[]>;
  loadModelBlob(id: number): Promise<Uint8Array | null>;
  activeModel(name: string): Promise<ModelVersion | null>;
  /** Makes this version the only active one of its name (rolling back = activating an older version). */
  activateModel(id: number): Promise<ModelVersion>;
  updateModelMetrics(id: number, metrics: JsonObject): Promise<ModelVersion>;

  createExperiment(input: ExperimentInput): Promise<Experiment>;
  getExperiment(id: string): Promise<Experiment | null>;
  listExperiments(): Promise<Experiment[]>;
  setExperimentStatus(id: string, status: ExperimentStatus): Promise<Experiment>;
  /** Appends impressions and outcomes (one transaction); variants must belong to the experiment. */
  logExperiment(entries: readonly ExperimentLogInput[]): Promise<number>;
  experimentStats(id: string, range?: TimeRange): Promise<VariantStats[]>;

  createApiKey(input: ApiKeyInput): Promise<CreatedApiKey>;
  /** The key's record when the secret matches a key that is not revoked, else null. */
  verifyApiKey(secret: string): Promise<ApiKeyRecord | null>;
  listApiKeys(): Promise<ApiKeyRecord[]>;
  revokeApiKey(id: string): Promise<boolean>;

  close(): Promise<void>;
}
