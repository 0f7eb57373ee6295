/**
 * buildApp: the HTTP service as a fastify instance, without listen() (tests use app.inject(); server.ts
 * listens). Schema-first: every route's TypeBox schema validates the request (schemas/validator.ts),
 * serialises the response and feeds the OpenAPI document (GET /openapi.json, docs page at /docs).
 * Errors: errors.ts. Keys and scopes: auth.ts. Routes: routes/index.ts.
 */
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Store } from '../store/types.js';
import { authHook, KeyCache, keyHash, type AuthMode } from './auth.js';
import type { Engine } from './engine/types.js';
import { ERROR_CATALOGUE, errorHandler, notFoundHandler } from './errors.js';
import { routes } from './routes/index.js';
import { typeboxValidatorCompiler } from './schemas/validator.js';

declare module 'fastify' {
  interface FastifyInstance {
    store: Store;
    engine: Engine;
  }
}

export interface AppLimits {
  /** Largest request body in bytes (default 4 MiB): larger ones get 413 E_BODY_TOO_LARGE. */
  bodyBytes?: number;
  /** Requests per window per API key (or per address without a key); default 100000. */
  rateMax?: number;
  /** Rate window in ms (default 60000). */
  rateWindowMs?: number;
}

export interface BuildAppOptions {
  store: Store;
  engine: Engine;
  /** false (default), true (info level, JSON lines) or pino options; API key headers are always redacted. */
  logger?: boolean | object;
  /** 'on' (default): every /v1/ route needs a key; 'off': reads are open, writes still need a write key. */
  auth?: AuthMode;
  limits?: AppLimits;
}

export const DEFAULT_LIMITS: Required<AppLimits> = { bodyBytes: 4 * 1024 * 1024, rateMax: 100_000, rateWindowMs: 60_000 };

/** Paths of the request headers that carry secrets, for the logger's redaction. */
const REDACT = ['req.headers.authorization', 'req.headers["x-api-key"]', 'headers.authorization', 'headers["x-api-key"]'];

function loggerOptions(logger: boolean | object | undefined): boolean | object {
  if (!logger) return false;
  const base = logger === true ? { level: 'info' } : (logger as Record<string, unknown>);
  const given = Array.isArray(base.redact) ? (base.redact as string[]) : [];
  return { ...base, redact: { paths: [...REDACT, ...given], censor: '[redacted]' } };
}

const API_DESCRIPTION = `Affinity recommendation service.

Authentication: send an API key as \`Authorization: Bearer <key>\` or \`X-API-Key: <key>\`. Writes need a key with the
write scope; reads need a read or write key.

Errors are JSON \`{ "error": { "code", "message", "field" } }\`; codes:

${Object.entries(ERROR_CATALOGUE)
  .map(([code, info]) => `- \`${code}\` (${info.status}): ${info.description}`)
  .join('\n')}`;

export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const limits = { ...DEFAULT_LIMITS, ...(opts.limits ?? {}) };
  const app = Fastify({
    logger: loggerOptions(opts.logger),
    bodyLimit: limits.bodyBytes,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  app.setValidatorCompiler(typeboxValidatorCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  app.removeContentTypeParser('text/plain');
  app.decorate('store', opts.store);
  app.decorate('engine', opts.engine);
  app.decorateRequest('apiKey', null);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Affinity', version: '1', description: API_DESCRIPTION },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API key' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
      tags: [
        { name: 'users' },
        { name: 'items' },
        { name: 'events' },
        { name: 'recommendations' },
        { name: 'models' },
        { name: 'system', description: 'liveness, readiness, metrics' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(rateLimit, {
    global: true,
    max: limits.rateMax,
    timeWindow: limits.rateWindowMs,
    hook: 'preHandler',
    // After auth: a verified key has its own bucket; requests without one share their address's.
    keyGenerator: (req: FastifyRequest) => (req.apiKey ? `key:${req.apiKey.id}` : `ip:${req.ip}`),
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      code: 'E_RATE_LIMIT',
      message: `rate limit exceeded: at most ${ctx.max} requests per ${ctx.after}; retry after ${ctx.after}`,
    }),
  });
  const keys = new KeyCache(opts.store);
  app.addHook('onRequest', authHook(opts.auth ?? 'on', keys));
  app.get('/openapi.json', { config: { rateLimit: false }, schema: { hide: true } }, async () => app.swagger());
  for (const r of routes) await app.register(r);
  return app;
}

export { keyHash };
