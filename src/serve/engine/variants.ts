/**
 * Named variants of the engine (EngineOptions.variants): each one is an EngineCore of its own (model,
 * registry versions, snapshot, overlay, list cache, training worker) fed the same events and catalog
 * changes as the default. This file checks the definitions and resolves pipeline names to cores.
 *
 * Names: a variant name is an id of letters, digits, '.', '_' and '-' (at most 64 characters); it is
 * also the variant's registry name (store model name), so it must differ from 'default', from the
 * default model's name and from the default registry name. A request's `pipeline` resolves, in order:
 * 'default', the default model name or the default registry name -> the default; a variant name ->
 * that variant; the model name of exactly one variant -> that variant.
 */
import { AffinityError, paramError } from '../../core/errors.js';
import { resolveParams } from '../../models/params.js';
import { getModelEntry } from '../../models/registry.js';
import type { EngineCore, EngineOptions, VariantSpec } from './engine.js';

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

export interface CheckedVariant {
  name: string;
  model: string;
  params: Record<string, string | number | boolean>;
}

/** Checks EngineOptions.variants against the default (model, registry name); E_PARAM naming the field. */
export function checkVariants(variants: Record<string, VariantSpec> | undefined, defaultModel: string, defaultRegistry: string): CheckedVariant[] {
  if (variants === undefined) return [];
  if (typeof variants !== 'object' || variants === null || Array.isArray(variants)) throw paramError('variants', variants, 'an object of variant name -> { model, params }');
  const taken = new Set(['default', defaultModel, defaultRegistry]);
  const out: CheckedVariant[] = [];
  for (const [name, spec] of Object.entries(variants)) {
    const field = `variants.${name}`;
    if (!NAME.test(name)) throw paramError('variants', name, "variant names of letters, digits, '.', '_' and '-' (at most 64 characters)");
    if (taken.has(name)) throw paramError(field, name, `a name other than ${[...taken].map((t) => `'${t}'`).join(', ')} (those name the default)`);
    if (typeof spec !== 'object' || spec === null || typeof spec.model !== 'string') throw paramError(`${field}.model`, spec?.model, 'a registry model name (see `affinity models`)');
    let entry: ReturnType<typeof getModelEntry>;
    try {
      entry = getModelEntry(spec.model);
    } catch {
      throw paramError(`${field}.model`, spec.model, 'a registry model name (see `affinity models`)');
    }
    const params: Record<string, string | number | boolean> = {};
    if (spec.params !== undefined) {
      if (typeof spec.params !== 'object' || spec.params === null || Array.isArray(spec.params)) throw paramError(`${field}.params`, spec.params, 'an object of parameter values');
      for (const [k, v] of Object.entries(spec.params)) {
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw paramError(`${field}.params.${k}`, v, 'a string, number or boolean');
        params[k] = v;
      }
      try {
        resolveParams(entry.name, entry.params, params);
      } catch (e) {
        if (!(e instanceof AffinityError)) throw e;
        throw new AffinityError('E_PARAM', `${field}.params: ${e.message}`, { field: `${field}.params` });
      }
    }
    out.push({ name, model: spec.model, params });
  }
  return out;
}

/** The options of a variant's core: the engine's options with the variant's model, parameters and registry name. */
export function variantOptions(opts: EngineOptions, v: CheckedVariant): EngineOptions {
  const rest: EngineOptions = { ...opts };
  delete rest.variants;
  return { ...rest, model: v.model, params: v.params, registryName: v.name, retrainEvery: null };
}

/** Pipeline name -> core (see the file comment); null when the name is unknown. */
export function resolvePipeline(name: string, def: EngineCore, variants: ReadonlyMap<string, EngineCore>): EngineCore | null {
  if (name === 'default' || name === def.o.model || name === def.o.registryName) return def;
  const byName = variants.get(name);
  if (byName) return byName;
  let found: EngineCore | null = null;
  for (const c of variants.values()) {
    if (c.o.model !== name) continue;
    if (found) return null; // ambiguous: two variants of this model
    found = c;
  }
  return found;
}

/** The names a request's `pipeline` may take (for error messages and the API). */
export function pipelineNames(def: EngineCore, variants: ReadonlyMap<string, EngineCore>): string[] {
  return [...new Set(['default', def.o.model, def.o.registryName, ...variants.keys()])];
}

/**
 * Engine options of the demo (`affinity serve --demo`) and its experiment's two arms: the default model
 * against a variant: the first configured variant, else 'item-knn' (or 'popularity' when the default
 * model is item-knn) added as a variant of that name.
 */
export function demoVariants(opts: EngineOptions): { options: EngineOptions; control: string; treatment: string } {
  const model = opts.model ?? 'als';
  const control = opts.registryName ?? model;
  const given = Object.keys(opts.variants ?? {});
  if (given.length > 0) return { options: opts, control, treatment: given[0] };
  const treatment = model === 'item-knn' ? 'popularity' : 'item-knn';
  return { options: { ...opts, variants: { [treatment]: { model: treatment } } }, control, treatment };
}
