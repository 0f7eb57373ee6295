/**
 * startServer: opens the store (AFFINITY_DB), starts the engine, builds the app and listens (PORT).
 * close() is the graceful shutdown: stop accepting (new requests get 503 while closing), let in-flight
 * requests finish, engine.stop(), store.close(). Every event acknowledged before close() began is stored
 * (the store acknowledges only after its transaction commits). installShutdown() wires SIGTERM/SIGINT.
 */
import type { FastifyInstance } from 'fastify';
import { paramError } from '../core/errors.js';
import { DEFAULT_STORE_URL, openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { buildApp, type AppLimits } from './app.js';
import { ensureAdminKey, type AuthMode } from './auth.js';
import { createEngine, type EngineOptions } from './engine/index.js';
import type { Engine } from './engine/types.js';
import { importDemoIfEmpty, parseDemoSource, type DemoSource } from './demo.js';
import { ensureDemoExperiment } from './engine/ab.js';
import { demoVariants } from './engine/variants.js';

export interface ServerOptions {
  /** Port (default env PORT, else 8080; 0 = any free port). */
  port?: number;
  /** Address to bind (default env HOST, else 0.0.0.0). */
  host?: string;
  /** Storage URL (default env AFFINITY_DB, else the embedded SQLite default). */
  dbUrl?: string;
  /** Import the demo catalogue when the store is empty, and print fresh demo API keys. */
  demo?: boolean;
  /**
   * Source of the demo catalogue (default env AFFINITY_DEMO_DATA, else 'auto': MovieLens 100K when found,
   * else the synthetic catalogue); 'synthetic' skips the MovieLens lookup. See demo.ts.
   */
  demoData?: DemoSource;
  auth?: AuthMode;
  logger?: boolean | object;
  limits?: AppLimits;
  /** The operator's read+write key (default env AFFINITY_API_KEY). */
  adminKey?: string;
  /** Build the engine (default: createEngine(store, engineOptions)). */
  engine?: (store: Store) => Engine;
  engineOptions?: EngineOptions;
  /** Where start-up lines go (default stdout). */
  out?: (line: string) => void;
}

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  engine: Engine;
  url: string;
  port: number;
  /** Demo keys created at this start (printed once). */
  demoKeys?: { read: string; write: string };
  close(): Promise<void>;
}

export function envPort(v: string | undefined = process.env.PORT, def = 8080): number {
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw paramError('PORT', v, 'an integer 0..65535');
  return n;
}

/** Revokes the keys of earlier demo starts and creates a fresh read and write key. */
async function demoKeys(store: Store): Promise<{ read: string; write: string }> {
  for (const k of await store.listApiKeys()) if (!k.revoked && k.name.startsWith('demo ')) await store.revokeApiKey(k.id);
  const read = await store.createApiKey({ name: 'demo read', scopes: ['read'] });
  const write = await store.createApiKey({ name: 'demo write', scopes: ['read', 'write'] });
  return { read: read.secret, write: write.secret };
}

export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const out = opts.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const dbUrl = opts.dbUrl ?? (process.env.AFFINITY_DB || DEFAULT_STORE_URL);
  const port = opts.port ?? envPort();
  const host = opts.host ?? (process.env.HOST || '0.0.0.0');
  const store = await openStore(dbUrl);
  let engine: Engine | null = null;
  try {
    const admin = opts.adminKey ?? process.env.AFFINITY_API_KEY;
    if (admin) {
      await ensureAdminKey(store, admin);
      out('admin key: AFFINITY_API_KEY accepted (read, write)');
    }
    let keys: { read: string; write: string } | undefined;
    if (opts.demo) {
      const t0 = Date.now();
      const env = process.env.AFFINITY_DEMO_DATA;
      const source = opts.demoData ?? (env ? parseDemoSource('AFFINITY_DEMO_DATA', env) : 'auto');
      const imported = await importDemoIfEmpty(store, out, source);
      if (imported) out(`demo data: ${imported.label}: ${imported.events} events, ${imported.users} users, ${imported.items} items (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      keys = await demoKeys(store);
    }
    // the demo serves a second model as a variant and runs an A/B test of the two (dashboard: Experiments)
    const demo = opts.demo && !opts.engine ? demoVariants(opts.engineOptions ?? {}) : null;
    engine = opts.engine ? opts.engine(store) : createEngine(store, demo ? demo.options : (opts.engineOptions ?? {}));
    const t1 = Date.now();
    await engine.start();
    if (demo) {
      const exp = await ensureDemoExperiment(store, demo.control, demo.treatment);
      if (exp) out(`demo experiment: ${exp.id} (${exp.name}), running, 50/50`);
      engine.onExperimentsChange?.();
    }
    const s = engine.status();
    out(`engine: ${s.ready && s.modelName ? `model ${s.modelName} v${s.modelVersion} on ${s.users} users x ${s.items} items` : 'no model yet (no events)'} (${((Date.now() - t1) / 1000).toFixed(1)} s)`);
    const app = await buildApp({ store, engine, logger: opts.logger, auth: opts.auth, limits: opts.limits });
    await app.listen({ port, host });
    const addr = app.server.address();
    const boundPort = typeof addr === 'object' && addr ? addr.port : port;
    const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
    const url = `http://${shown}:${boundPort}`;
    out(`affinity service on ${url}  (store ${store.url}; API docs ${url}/docs; OpenAPI ${url}/openapi.json)`);
    if (keys) {
      out(`dashboard: ${url}/dashboard#key=${keys.read}`);
      out(`API keys (shown once): read ${keys.read}`);
      out(`                       write ${keys.write}`);
    }
    let closing: Promise<void> | null = null;
    const eng = engine;
    const running: RunningServer = {
      app,
      store,
      engine: eng,
      url,
      port: boundPort,
      close() {
        closing ??= (async () => {
          await app.close();
          await eng.stop();
          await store.close();
        })();
        return closing;
      },
    };
    if (keys) running.demoKeys = keys;
    return running;
  } catch (e) {
    if (engine) await engine.stop().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw e;
  }
}

/** SIGTERM/SIGINT: graceful close, then exit 0 (1 when closing failed). A second signal exits at once. */
export function installShutdown(server: RunningServer, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): () => void {
  let started = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (started) {
      log(`${sig} again: exiting now`);
      process.exit(1);
    }
    started = true;
    log(`${sig}: finishing in-flight requests, then stopping`);
    server.close().then(
      () => process.exit(0),
      (e: unknown) => {
        log(`shutdown failed: ${(e as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}
