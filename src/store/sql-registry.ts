/**
 * Model registry, experiments with their exposure/outcome log, and API keys on the shared SQL surface.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AffinityError } from '../core/errors.js';
import { bool, bytes, chunks, json, jsonObject, marks, num, str, type Row, type SqlDriver, type SqlExec, type SqlValue } from './sql.js';
import {
  EXPERIMENT_STATUSES,
  type ApiKeyInput,
  type ApiKeyRecord,
  type CreatedApiKey,
  type Experiment,
  type ExperimentInput,
  type ExperimentLogInput,
  type ExperimentStatus,
  type JsonObject,
  type ModelVersion,
  type ModelVersionInput,
  type Scope,
  type TimeRange,
  type Variant,
  type VariantStats,
} from './types.js';
import { MAX_TIMESTAMP, checkId, checkJsonObject, checkTimestamp, fieldError, validateApiKeyInput, validateExperiment, validateExperimentLog } from './validate.js';

// ---------------------------------------------------------------- models

const MODEL_COLS = 'id, name, version, params, metrics, size, created_at, active';

function toModel(r: Row): ModelVersion {
  return {
    id: num(r.id),
    name: str(r.name),
    version: num(r.version),
    params: jsonObject(r.params),
    metrics: jsonObject(r.metrics),
    size: num(r.size),
    createdAt: num(r.created_at),
    active: bool(r.active),
  };
}

function checkModelId(id: number): number {
  if (!Number.isInteger(id) || id < 1) throw fieldError('id', id, 'a positive integer model id');
  return id;
}

function unknownModel(id: number): AffinityError {
  return new AffinityError('E_UNKNOWN_ID', `id: no model version ${id}`, { field: 'id' });
}

export async function saveModel(db: SqlDriver, input: ModelVersionInput, now: number): Promise<ModelVersion> {
  const name = checkId(input.name, 'name');
  const params = input.params === undefined ? {} : checkJsonObject(input.params, 'params');
  const metrics = input.metrics === undefined ? {} : checkJsonObject(input.metrics, 'metrics');
  if (!(input.blob instanceof Uint8Array)) throw fieldError('blob', typeof input.blob, 'a Uint8Array');
  const activate = input.activate === true;
  return db.transaction(async (tx) => {
    const version = num((await tx.all('SELECT MAX(version) AS v FROM models WHERE name = ?', [name]))[0]?.v) + 1;
    if (activate) await tx.run('UPDATE models SET active = ? WHERE name = ? AND active = ?', [false, name, true]);
    const rows = await tx.all(
      `INSERT INTO models (name, version, params, metrics, blob, size, created_at, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${MODEL_COLS}`,
      [name, version, JSON.stringify(params), JSON.stringify(metrics), input.blob, input.blob.byteLength, now, activate],
    );
    return toModel(rows[0]);
  }, true);
}

export async function getModel(db: SqlExec, id: number): Promise<ModelVersion | null> {
  const rows = await db.all(`SELECT ${MODEL_COLS} FROM models WHERE id = ?`, [checkModelId(id)]);
  return rows.length ? toModel(rows[0]) : null;
}

export async function listModels(db: SqlExec, name?: string): Promise<ModelVersion[]> {
  const rows =
    name === undefined
      ? await db.all(`SELECT ${MODEL_COLS} FROM models ORDER BY id DESC`)
      : await db.all(`SELECT ${MODEL_COLS} FROM models WHERE name = ? ORDER BY version DESC`, [checkId(name, 'name')]);
  return rows.map(toModel);
}

export async function loadModelBlob(db: SqlExec, id: number): Promise<Uint8Array | null> {
  const rows = await db.all('SELECT blob FROM models WHERE id = ?', [checkModelId(id)]);
  return rows.length ? bytes(rows[0].blob) : null;
}

export async function activeModel(db: SqlExec, name: string): Promise<ModelVersion | null> {
  const rows = await db.all(`SELECT ${MODEL_COLS} FROM models WHERE name = ? AND active = ?`, [checkId(name, 'name'), true]);
  return rows.length ? toModel(rows[0]) : null;
}

export async function activateModel(db: SqlDriver, id: number): Promise<ModelVersion> {
  checkModelId(id);
  return db.transaction(async (tx) => {
    const rows = await tx.all(`SELECT ${MODEL_COLS} FROM models WHERE id = ?`, [id]);
    if (!rows.length) throw unknownModel(id);
    const m = toModel(rows[0]);
    await tx.run('UPDATE models SET active = ? WHERE name = ? AND active = ?', [false, m.name, true]);
    await tx.run('UPDATE models SET active = ? WHERE id = ?', [true, id]);
    return { ...m, active: true };
  }, true);
}

export async function updateModelMetrics(db: SqlExec, id: number, metrics: JsonObject): Promise<ModelVersion> {
  checkModelId(id);
  const m = checkJsonObject(metrics, 'metrics');
  const rows = await db.all(`UPDATE models SET metrics = ? WHERE id = ? RETURNING ${MODEL_COLS}`, [JSON.stringify(m), id]);
  if (!rows.length) throw unknownModel(id);
  return toModel(rows[0]);
}

// ---------------------------------------------------------------- experiments

function toExperiment(r: Row): Experiment {
  const raw = json(r.variants);
  const variants: Variant[] = Array.isArray(raw)
    ? raw.map((v) => {
        const o = v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {};
        return { name: str(o.name), weight: num(o.weight), config: jsonObject(o.config ?? {}) };
      })
    : [];
  return {
    id: str(r.id),
    name: str(r.name),
    variants,
    status: str(r.status) as ExperimentStatus,
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  };
}

const EXP_COLS = 'id, name, variants, status, created_at, updated_at';

function unknownExperiment(field: string, id: string): AffinityError {
  return new AffinityError('E_UNKNOWN_ID', `${field}: no experiment ${JSON.stringify(id)}`, { field });
}

export async function createExperiment(db: SqlExec, input: ExperimentInput, now: number): Promise<Experiment> {
  const e = validateExperiment(input);
  const rows = await db.all(
    `INSERT INTO experiments (id, name, variants, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING ${EXP_COLS}`,
    [e.id, e.name, JSON.stringify(e.variants), e.status, now, now],
  );
  if (!rows.length) throw fieldError('experiment.id', e.id, 'an id not used by another experiment');
  return toExperiment(rows[0]);
}

export async function getExperiment(db: SqlExec, id: string): Promise<Experiment | null> {
  const rows = await db.all(`SELECT ${EXP_COLS} FROM experiments WHERE id = ?`, [checkId(id, 'id')]);
  return rows.length ? toExperiment(rows[0]) : null;
}

export async function listExperiments(db: SqlExec): Promise<Experiment[]> {
  return (await db.all(`SELECT ${EXP_COLS} FROM experiments ORDER BY created_at DESC, id`)).map(toExperiment);
}

export async function setExperimentStatus(db: SqlExec, id: string, status: ExperimentStatus, now: number): Promise<Experiment> {
  checkId(id, 'id');
  if (!(EXPERIMENT_STATUSES as readonly string[]).includes(status)) throw fieldError('status', status, EXPERIMENT_STATUSES.join(' | '));
  const rows = await db.all(`UPDATE experiments SET status = ?, updated_at = ? WHERE id = ? RETURNING ${EXP_COLS}`, [status, now, id]);
  if (!rows.length) throw unknownExperiment('id', id);
  return toExperiment(rows[0]);
}

export async function logExperiment(db: SqlDriver, input: readonly ExperimentLogInput[], now: number): Promise<number> {
  const entries = validateExperimentLog(input, now);
  if (!entries.length) return 0;
  return db.transaction(async (tx) => {
    const ids = [...new Set(entries.map((e) => e.experiment))];
    const variants = new Map<string, Set<string>>();
    for (const part of chunks(ids, 500)) {
      for (const r of await tx.all(`SELECT ${EXP_COLS} FROM experiments WHERE id IN (${marks(part.length)})`, part)) {
        const x = toExperiment(r);
        variants.set(x.id, new Set(x.variants.map((v) => v.name)));
      }
    }
    entries.forEach((e, i) => {
      const vs = variants.get(e.experiment);
      if (!vs) throw unknownExperiment(`entries[${i}].experiment`, e.experiment);
      if (!vs.has(e.variant)) throw fieldError(`entries[${i}].variant`, e.variant, `a variant of experiment ${JSON.stringify(e.experiment)}: ${[...vs].join(', ')}`);
    });
    for (const part of chunks(entries, 400)) {
      const params: SqlValue[] = [];
      for (const e of part) params.push(e.experiment, e.variant, e.user, e.item, e.kind, e.value, e.timestamp);
      await tx.run(
        `INSERT INTO experiment_log (experiment_id, variant, user_id, item_id, kind, value, ts) VALUES ${part.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        params,
      );
    }
    return entries.length;
  });
}

export async function experimentStats(db: SqlExec, id: string, r?: TimeRange): Promise<VariantStats[]> {
  const exp = await getExperiment(db, id);
  if (!exp) throw unknownExperiment('id', id);
  const since = r?.since === undefined ? 0 : checkTimestamp(r.since, 'since');
  const until = r?.until === undefined ? MAX_TIMESTAMP : checkTimestamp(r.until, 'until');
  const rows = await db.all(
    `SELECT variant, kind, COUNT(*) AS n, COUNT(DISTINCT user_id) AS u, SUM(value) AS s FROM experiment_log
     WHERE experiment_id = ? AND ts >= ? AND ts < ? GROUP BY variant, kind`,
    [id, since, until],
  );
  const out = new Map<string, VariantStats>();
  for (const v of exp.variants)
    out.set(v.name, { variant: v.name, impressions: 0, clicks: 0, conversions: 0, exposedUsers: 0, clickUsers: 0, convertedUsers: 0, conversionValue: 0 });
  for (const x of rows) {
    const s = out.get(str(x.variant));
    if (!s) continue;
    const n = num(x.n);
    const u = num(x.u);
    if (x.kind === 'impression') [s.impressions, s.exposedUsers] = [n, u];
    else if (x.kind === 'click') [s.clicks, s.clickUsers] = [n, u];
    else if (x.kind === 'conversion') [s.conversions, s.convertedUsers, s.conversionValue] = [n, u, num(x.s)];
  }
  return [...out.values()];
}

// ---------------------------------------------------------------- API keys

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function toKey(r: Row): ApiKeyRecord {
  const scopes = json(r.scopes);
  return {
    id: str(r.id),
    name: str(r.name),
    scopes: Array.isArray(scopes) ? scopes.filter((s): s is Scope => s === 'read' || s === 'write') : [],
    createdAt: num(r.created_at),
    revoked: bool(r.revoked),
  };
}

const KEY_COLS = 'id, name, scopes, created_at, revoked';

/** A given secret that is already stored updates that key's name and scopes (a revoked key stays revoked). */
export async function createApiKey(db: SqlExec, input: ApiKeyInput, now: number): Promise<CreatedApiKey> {
  const k = validateApiKeyInput(input);
  const secret = k.secret ?? `aff_${randomBytes(24).toString('base64url')}`;
  const rows = await db.all(
    `INSERT INTO api_keys (id, name, hash, scopes, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (hash) DO UPDATE SET name = excluded.name, scopes = excluded.scopes RETURNING ${KEY_COLS}`,
    [randomBytes(8).toString('hex'), k.name, hashSecret(secret), JSON.stringify(k.scopes), now],
  );
  return { record: toKey(rows[0]), secret };
}

export async function verifyApiKey(db: SqlExec, secret: string): Promise<ApiKeyRecord | null> {
  if (typeof secret !== 'string' || secret.length === 0 || secret.length > 256) return null;
  const rows = await db.all(`SELECT ${KEY_COLS} FROM api_keys WHERE hash = ? AND revoked = ?`, [hashSecret(secret), false]);
  return rows.length ? toKey(rows[0]) : null;
}

export async function listApiKeys(db: SqlExec): Promise<ApiKeyRecord[]> {
  return (await db.all(`SELECT ${KEY_COLS} FROM api_keys ORDER BY created_at, id`)).map(toKey);
}

export async function revokeApiKey(db: SqlExec, id: string): Promise<boolean> {
  return (await db.run('UPDATE api_keys SET revoked = ? WHERE id = ? AND revoked = ?', [true, checkId(id, 'id'), false])) > 0;
}
