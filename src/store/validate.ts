/**
 * Input validation for the store: every error is E_PARAM with a message starting with the path of the
 * bad value, e.g. `events[3].item: expected a non-empty string id (got 42)`. Backends validate whole
 * batches before they open a transaction; ingest.ts exposes the same checks to the service.
 */
import { AffinityError } from '../core/errors.js';
import {
  EXPERIMENT_EVENT_KINDS,
  EXPERIMENT_STATUSES,
  SCOPES,
  type ApiKeyInput,
  type EventInput,
  type ExperimentInput,
  type ExperimentLogInput,
  type ItemInput,
  type Json,
  type JsonObject,
  type Scope,
  type UserInput,
} from './types.js';

export const MAX_ID_LENGTH = 256;
export const MAX_BATCH = 100_000;
/** Timestamps must lie in [1970, 2200) as Unix milliseconds. */
export const MAX_TIMESTAMP = 7_258_118_400_000;
const TYPE_RE = /^[a-z0-9_-]{1,64}$/;

function show(v: unknown): string {
  let s: string;
  try {
    s = v === undefined ? 'undefined' : typeof v === 'number' && !Number.isFinite(v) ? String(v) : JSON.stringify(v);
  } catch {
    s = typeof v;
  }
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

export function fieldError(field: string, got: unknown, expected: string): AffinityError {
  return new AffinityError('E_PARAM', `${field}: expected ${expected} (got ${show(got)})`, { field });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function checkId(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_ID_LENGTH)
    throw fieldError(field, v, `a non-empty string id of at most ${MAX_ID_LENGTH} characters`);
  return v;
}

export function checkTimestamp(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= MAX_TIMESTAMP)
    throw fieldError(field, v, 'an integer Unix time in milliseconds');
  return v;
}

function checkFinite(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw fieldError(field, v, 'a finite number');
  return v;
}

function checkStrings(v: unknown, field: string): string[] {
  if (!Array.isArray(v)) throw fieldError(field, v, 'an array of strings');
  v.forEach((s, k) => {
    if (typeof s !== 'string' || s.length === 0 || s.length > MAX_ID_LENGTH)
      throw fieldError(`${field}[${k}]`, s, `a non-empty string of at most ${MAX_ID_LENGTH} characters`);
  });
  return v as string[];
}

function checkJson(v: unknown, field: string, depth: number): Json {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw fieldError(field, v, 'a finite number (JSON)');
    return v;
  }
  if (depth > 16) throw fieldError(field, '...', 'JSON nested at most 16 levels');
  if (Array.isArray(v)) return v.map((x, k) => checkJson(x, `${field}[${k}]`, depth + 1));
  if (isRecord(v) && Object.getPrototypeOf(v) === Object.prototype) {
    for (const [k, x] of Object.entries(v)) checkJson(x, `${field}.${k}`, depth + 1);
    return v as JsonObject;
  }
  throw fieldError(field, typeof v, 'a JSON value');
}

export function checkJsonObject(v: unknown, field: string): JsonObject {
  if (!isRecord(v)) throw fieldError(field, v, 'a JSON object');
  checkJson(v, field, 0);
  return v as JsonObject;
}

function checkBatch(v: unknown, field: string): unknown[] {
  if (!Array.isArray(v)) throw fieldError(field, v, 'an array');
  if (v.length > MAX_BATCH) throw fieldError(field, `${v.length} rows`, `at most ${MAX_BATCH} rows per batch`);
  return v;
}

function checkKeys(o: Record<string, unknown>, field: string, allowed: readonly string[]): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw fieldError(`${field}.${k}`, k, `one of the fields ${allowed.join(', ')}`);
}

const USER_FIELDS = ['id', 'features', 'labels'] as const;
export function validateUsers(v: unknown, field = 'users'): UserInput[] {
  return checkBatch(v, field).map((u, i) => {
    const f = `${field}[${i}]`;
    if (!isRecord(u)) throw fieldError(f, u, 'a user object');
    checkKeys(u, f, USER_FIELDS);
    const out: UserInput = { id: checkId(u.id, `${f}.id`) };
    if (u.features !== undefined) out.features = checkJsonObject(u.features, `${f}.features`);
    if (u.labels !== undefined) out.labels = checkStrings(u.labels, `${f}.labels`);
    return out;
  });
}

const ITEM_FIELDS = ['id', 'title', 'features', 'categories', 'labels', 'timestamp', 'hidden', 'outOfStock'] as const;
export function validateItems(v: unknown, field = 'items'): ItemInput[] {
  return checkBatch(v, field).map((it, i) => {
    const f = `${field}[${i}]`;
    if (!isRecord(it)) throw fieldError(f, it, 'an item object');
    checkKeys(it, f, ITEM_FIELDS);
    const out: ItemInput = { id: checkId(it.id, `${f}.id`) };
    if (it.title !== undefined) {
      if (typeof it.title !== 'string' || it.title.length > 4096) throw fieldError(`${f}.title`, it.title, 'a string of at most 4096 characters');
      out.title = it.title;
    }
    if (it.features !== undefined) out.features = checkJsonObject(it.features, `${f}.features`);
    if (it.categories !== undefined) out.categories = checkStrings(it.categories, `${f}.categories`);
    if (it.labels !== undefined) out.labels = checkStrings(it.labels, `${f}.labels`);
    if (it.timestamp !== undefined) out.timestamp = it.timestamp === null ? null : checkTimestamp(it.timestamp, `${f}.timestamp`);
    for (const flag of ['hidden', 'outOfStock'] as const) {
      const x = it[flag];
      if (x === undefined) continue;
      if (typeof x !== 'boolean') throw fieldError(`${f}.${flag}`, x, 'true or false');
      out[flag] = x;
    }
    return out;
  });
}

const EVENT_FIELDS = ['user', 'item', 'type', 'weight', 'value', 'timestamp', 'key'] as const;
/** Validates a batch of events; `now` fills in missing timestamps. Returns normalised copies. */
export function validateEvents(v: unknown, now: number, field = 'events'): Array<Required<EventInput>> {
  return checkBatch(v, field).map((e, i) => {
    const f = `${field}[${i}]`;
    if (!isRecord(e)) throw fieldError(f, e, 'an event object');
    checkKeys(e, f, EVENT_FIELDS);
    const user = checkId(e.user, `${f}.user`);
    const item = checkId(e.item, `${f}.item`);
    if (typeof e.type !== 'string' || !TYPE_RE.test(e.type)) throw fieldError(`${f}.type`, e.type, 'an event type of 1-64 characters a-z, 0-9, _ or -');
    const weight = e.weight === undefined || e.weight === null ? null : checkFinite(e.weight, `${f}.weight`);
    const value = e.value === undefined || e.value === null ? null : checkFinite(e.value, `${f}.value`);
    const timestamp = e.timestamp === undefined ? now : checkTimestamp(e.timestamp, `${f}.timestamp`);
    const key = e.key === undefined || e.key === null ? null : checkId(e.key, `${f}.key`);
    return { user, item, type: e.type, weight, value, timestamp, key };
  });
}

export function validateExperiment(v: unknown, field = 'experiment'): Required<ExperimentInput> & { variants: Array<{ name: string; weight: number; config: JsonObject }> } {
  if (!isRecord(v)) throw fieldError(field, v, 'an experiment object');
  checkKeys(v, field, ['id', 'name', 'variants', 'status']);
  const id = checkId(v.id, `${field}.id`);
  const name = v.name === undefined ? id : v.name;
  if (typeof name !== 'string') throw fieldError(`${field}.name`, name, 'a string');
  const status = v.status === undefined ? 'draft' : v.status;
  if (typeof status !== 'string' || !(EXPERIMENT_STATUSES as readonly string[]).includes(status))
    throw fieldError(`${field}.status`, status, EXPERIMENT_STATUSES.join(' | '));
  if (!Array.isArray(v.variants) || v.variants.length < 1 || v.variants.length > 100)
    throw fieldError(`${field}.variants`, v.variants, 'an array of 1 to 100 variants');
  const seen = new Set<string>();
  const variants = v.variants.map((x: unknown, k: number) => {
    const f = `${field}.variants[${k}]`;
    if (!isRecord(x)) throw fieldError(f, x, 'a variant object');
    checkKeys(x, f, ['name', 'weight', 'config']);
    const vname = checkId(x.name, `${f}.name`);
    if (seen.has(vname)) throw fieldError(`${f}.name`, vname, 'a name not used by another variant');
    seen.add(vname);
    const weight = x.weight === undefined ? 1 : x.weight;
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) throw fieldError(`${f}.weight`, weight, 'a positive number');
    const config = x.config === undefined ? {} : checkJsonObject(x.config, `${f}.config`);
    return { name: vname, weight, config };
  });
  return { id, name, status: status as ExperimentInput['status'] & string, variants };
}

export function validateExperimentLog(v: unknown, now: number, field = 'entries'): Array<Required<ExperimentLogInput>> {
  return checkBatch(v, field).map((e, i) => {
    const f = `${field}[${i}]`;
    if (!isRecord(e)) throw fieldError(f, e, 'an experiment log object');
    checkKeys(e, f, ['experiment', 'variant', 'user', 'kind', 'item', 'value', 'timestamp']);
    const kind = e.kind;
    if (typeof kind !== 'string' || !(EXPERIMENT_EVENT_KINDS as readonly string[]).includes(kind))
      throw fieldError(`${f}.kind`, kind, EXPERIMENT_EVENT_KINDS.join(' | '));
    return {
      experiment: checkId(e.experiment, `${f}.experiment`),
      variant: checkId(e.variant, `${f}.variant`),
      user: checkId(e.user, `${f}.user`),
      kind: kind as ExperimentLogInput['kind'],
      item: e.item === undefined || e.item === null ? null : checkId(e.item, `${f}.item`),
      value: e.value === undefined || e.value === null ? null : checkFinite(e.value, `${f}.value`),
      timestamp: e.timestamp === undefined ? now : checkTimestamp(e.timestamp, `${f}.timestamp`),
    };
  });
}

export function validateApiKeyInput(v: unknown, field = 'apiKey'): ApiKeyInput {
  if (!isRecord(v)) throw fieldError(field, v, 'an API key object');
  checkKeys(v, field, ['name', 'scopes', 'secret']);
  if (typeof v.name !== 'string' || v.name.length > MAX_ID_LENGTH) throw fieldError(`${field}.name`, v.name, 'a string name');
  if (!Array.isArray(v.scopes) || v.scopes.length === 0) throw fieldError(`${field}.scopes`, v.scopes, `a non-empty array of ${SCOPES.join(', ')}`);
  const scopes = v.scopes.map((s: unknown, k: number) => {
    if (typeof s !== 'string' || !(SCOPES as readonly string[]).includes(s)) throw fieldError(`${field}.scopes[${k}]`, s, SCOPES.join(' | '));
    return s as Scope;
  });
  const out: ApiKeyInput = { name: v.name, scopes: [...new Set(scopes)] };
  if (v.secret !== undefined) {
    // never echo a secret back in an error message
    if (typeof v.secret !== 'string' || v.secret.length < 16 || v.secret.length > 256)
      throw new AffinityError('E_PARAM', `${field}.secret: expected a string of 16 to 256 characters`, { field: `${field}.secret` });
    out.secret = v.secret;
  }
  return out;
}

export function checkLimit(v: number | undefined, def: number, max: number, field: string): number {
  if (v === undefined) return def;
  if (!Number.isInteger(v) || v < 1 || v > max) throw fieldError(field, v, `an integer in 1..${max}`);
  return v;
}
