import { AffinityError, paramError } from '../core/errors.js';
import type { Command } from 'commander';
import { parseModelSpec, resolveParams } from '../models/params.js';
import { getModelEntry } from '../models/registry.js';
import { parseDemoSource } from '../serve/demo.js';
import type { EngineOptions, VariantSpec } from '../serve/engine/engine.js';
import { checkVariants } from '../serve/engine/variants.js';
import { envPort, installShutdown, startServer, type ServerOptions } from '../serve/server.js';

/** The flags of `affinity serve` as commander hands them over. */
export interface ServeFlags {
  port?: string;
  host?: string;
  db?: string;
  demo?: boolean;
  demoData?: string;
  model?: string;
  variant?: string[];
  retrainEvery?: string;
  auth: string;
  quiet?: boolean;
}

/**
 * `--retrain-every <minutes>` (or AFFINITY_RETRAIN_MINUTES) in milliseconds: a positive number of
 * minutes (fractions allowed) of at least one second; 0 or 'off' = no schedule (null).
 */
export function parseRetrainMinutes(field: string, v: string): number | null {
  const t = v.trim();
  if (t === '0' || t === 'off') return null;
  const m = t === '' ? NaN : Number(t);
  if (!Number.isFinite(m) || m * 60_000 < 1000) throw paramError(field, v, 'a number of minutes >= 1/60 (one second), e.g. 30 or 0.5; 0 or off for none');
  return Math.round(m * 60_000);
}

/**
 * `--model name[:k=v...]`: the model the engine trains and its parameters (checked against the registry).
 */
export function parseServeModel(text: string): { model: string; params: Record<string, string> } {
  let spec: { name: string; params: Record<string, string> };
  try {
    spec = parseModelSpec(text);
  } catch (e) {
    if (!(e instanceof AffinityError)) throw e;
    throw paramError('--model', text, 'name[:key=value...], e.g. als:factors=32 (see `affinity models`)');
  }
  let entry: ReturnType<typeof getModelEntry>;
  try {
    entry = getModelEntry(spec.name);
  } catch {
    throw paramError('--model', text, 'a registry model name (see `affinity models`), e.g. als or item-knn:k=50');
  }
  try {
    resolveParams(entry.name, entry.params, spec.params);
  } catch (e) {
    if (!(e instanceof AffinityError)) throw e;
    throw new AffinityError('E_PARAM', `--model ${text}: ${e.message}`, { field: '--model' });
  }
  return { model: spec.name, params: spec.params };
}

/**
 * `--variant name=model[:k=v...]` (repeatable) -> EngineOptions.variants, checked like the engine checks
 * them (names, registry models, parameters, no clash with the default `defaultModel`); every error is
 * E_PARAM naming --variant and the offending text.
 */
export function parseVariants(texts: readonly string[], defaultModel = 'als'): Record<string, VariantSpec> {
  const out: Record<string, VariantSpec> = {};
  for (const text of texts) {
    const eq = text.indexOf('=');
    const colon = text.indexOf(':');
    if (eq <= 0 || (colon >= 0 && colon < eq) || eq === text.length - 1) {
      throw paramError('--variant', text, 'name=model[:key=value...], e.g. knn=item-knn:k=50 (repeat --variant for more)');
    }
    const name = text.slice(0, eq).trim();
    if (name in out) throw paramError('--variant', text, `a variant name given once (${name} is repeated)`);
    let spec: { name: string; params: Record<string, string> };
    try {
      spec = parseModelSpec(text.slice(eq + 1));
    } catch (e) {
      if (!(e instanceof AffinityError)) throw e;
      throw paramError('--variant', text, 'name=model[:key=value...], with key=value pairs after the model, e.g. knn=item-knn:k=50');
    }
    const v: VariantSpec = Object.keys(spec.params).length > 0 ? { model: spec.name, params: spec.params } : { model: spec.name };
    try {
      checkVariants({ [name]: v }, defaultModel, defaultModel);
    } catch (e) {
      if (!(e instanceof AffinityError)) throw e;
      throw new AffinityError('E_PARAM', `--variant ${text}: ${e.message}`, { field: '--variant' });
    }
    out[name] = v;
  }
  return out;
}

/** The server options of `affinity serve` from its flags and the environment (nothing starts). */
export function serveOptions(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): ServerOptions {
  if (flags.auth !== 'on' && flags.auth !== 'off') throw paramError('--auth', flags.auth, 'on or off');
  const rateMax = env.AFFINITY_RATE_MAX ? positiveInt('AFFINITY_RATE_MAX', env.AFFINITY_RATE_MAX) : undefined;
  const engineOptions: EngineOptions = {};
  if (flags.model !== undefined) {
    const m = parseServeModel(flags.model);
    engineOptions.model = m.model;
    if (Object.keys(m.params).length > 0) engineOptions.params = m.params;
  }
  if (flags.variant && flags.variant.length > 0) engineOptions.variants = parseVariants(flags.variant, engineOptions.model ?? 'als');
  const every =
    flags.retrainEvery !== undefined
      ? parseRetrainMinutes('--retrain-every', flags.retrainEvery)
      : env.AFFINITY_RETRAIN_MINUTES
        ? parseRetrainMinutes('AFFINITY_RETRAIN_MINUTES', env.AFFINITY_RETRAIN_MINUTES)
        : null;
  if (every !== null) engineOptions.retrainEvery = every;
  const opts: ServerOptions = {
    demo: flags.demo === true,
    auth: flags.auth,
    logger: flags.quiet ? false : { level: 'info' },
    engineOptions,
  };
  if (flags.port !== undefined) opts.port = envPort(flags.port);
  if (flags.host !== undefined) opts.host = flags.host;
  if (flags.db !== undefined) opts.dbUrl = flags.db;
  if (flags.demoData !== undefined) opts.demoData = parseDemoSource('--demo-data', flags.demoData);
  if (rateMax !== undefined) opts.limits = { rateMax };
  return opts;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the recommendation service (HTTP API, docs at /docs, dashboard at /dashboard)')
    .option('--port <n>', 'port (default env PORT, else 8080)')
    .option('--host <addr>', 'address to bind (default env HOST, else 0.0.0.0)')
    .option('--db <url>', 'storage URL (default env AFFINITY_DB, else sqlite://affinity-data/affinity.db)')
    .option('--demo', 'import a demo catalogue when the store is empty (MovieLens 100K or synthetic), print demo API keys')
    .option('--demo-data <source>', 'demo catalogue: auto (default: MovieLens 100K when found, else synthetic), synthetic, movielens, or a MovieLens 100K folder')
    .option('--model <spec>', 'model the engine trains, name[:key=value...] (default als)')
    .option('--variant <spec>', 'a named variant served next to the default, name=model[:key=value...] (repeatable); ?pipeline=name picks it, experiments serve it', collect, [])
    .option('--retrain-every <minutes>', 'retrain every this many minutes when new events arrived (default env AFFINITY_RETRAIN_MINUTES, else only on demand)')
    .option('--auth <mode>', "'on' (default) or 'off' (reads open; writes still need a write key)", 'on')
    .option('--quiet', 'no request log')
    .addHelpText(
      'after',
      `
Environment: PORT, HOST, AFFINITY_DB (sqlite://path, sqlite::memory:, postgres://...), AFFINITY_API_KEY (an admin key
accepted as given, 16-256 characters), AFFINITY_RATE_MAX (requests per minute per key, default 100000),
AFFINITY_RETRAIN_MINUTES (as --retrain-every), AFFINITY_DEMO_DATA (as --demo-data).
Retraining runs in a worker thread; requests are served by the old model until the new one is swapped in.
SIGTERM/SIGINT stop gracefully: in-flight requests finish, nothing acknowledged is lost.

Example: affinity serve --demo --variant knn=item-knn:k=50 --retrain-every 30`,
    )
    .action(async (flags: ServeFlags) => {
      const server = await startServer(serveOptions(flags));
      installShutdown(server);
      // Keep running until a signal; the action's promise resolves when the server has stopped.
      await new Promise<void>((resolveClosed) => server.app.server.on('close', () => resolveClosed()));
    });
}

function positiveInt(field: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw paramError(field, v, 'a positive integer');
  return n;
}
