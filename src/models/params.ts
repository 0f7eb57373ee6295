import { paramError } from '../core/errors.js';
import type { ParamValue, Params } from './recommender.js';

/** Documentation and validation of one hyper-parameter. The default's type is the parameter's type. */
export interface ParamSpec {
  readonly default: ParamValue;
  readonly doc: string;
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
  readonly choices?: readonly string[];
}
export type ParamSpecs = Record<string, ParamSpec>;

/** The defaults of a spec as plain data. */
export function defaultsOf(specs: ParamSpecs): Params {
  const out: Params = {};
  for (const [k, s] of Object.entries(specs)) out[k] = s.default;
  return out;
}

/**
 * Fills defaults and validates `given` against `specs`: unknown names, wrong types, out-of-range
 * numbers and values outside `choices` are E_PARAM errors naming the field (prefixed by `model`).
 * String values are converted to the parameter's type (for CLI input such as "k=20").
 */
export function resolveParams(model: string, specs: ParamSpecs, given: Record<string, unknown> = {}): Params {
  const out = defaultsOf(specs);
  for (const [k, raw] of Object.entries(given)) {
    if (raw === undefined) continue;
    const spec = specs[k];
    const field = `${model}.${k}`;
    if (!spec) throw paramError(field, raw, `one of the parameters of ${model}: ${Object.keys(specs).join(', ')}`);
    out[k] = coerce(field, spec, raw);
  }
  return out;
}

function coerce(field: string, spec: ParamSpec, raw: unknown): ParamValue {
  const t = typeof spec.default;
  if (t === 'number') {
    const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw paramError(field, raw, 'a finite number');
    if (spec.integer && !Number.isInteger(v)) throw paramError(field, raw, 'an integer');
    if (spec.min !== undefined && v < spec.min) throw paramError(field, raw, `a number >= ${spec.min}`);
    if (spec.max !== undefined && v > spec.max) throw paramError(field, raw, `a number <= ${spec.max}`);
    return v;
  }
  if (t === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw paramError(field, raw, 'true or false');
  }
  if (typeof raw !== 'string' && typeof raw !== 'number') throw paramError(field, raw, 'a string');
  const s = String(raw);
  if (spec.choices && !spec.choices.includes(s)) throw paramError(field, raw, `one of ${spec.choices.join(', ')}`);
  return s;
}

/**
 * Parses a model spec string from the CLI: `name` or `name:key=value:key=value`,
 * e.g. `item-knn:k=20:similarity=bm25`.
 */
export function parseModelSpec(spec: string): { name: string; params: Record<string, string> } {
  const [name, ...rest] = spec.split(':');
  const params: Record<string, string> = {};
  for (const kv of rest) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw paramError(`--models ${spec}`, kv, 'key=value after the model name (e.g. item-knn:k=20)');
    params[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return { name: name.trim(), params };
}
