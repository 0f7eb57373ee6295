/**
 * API keys with read and write scopes. A key is sent as `Authorization: Bearer <key>` or `X-API-Key: <key>`.
 * Every /v1/ route needs a key: a write key for writes (any method but GET/HEAD unless the route's
 * `config.scope` says 'read', as the POST recommendation routes do), a read or write key for reads.
 * With auth 'off', reads are open (a local demo); writes still need a write key.
 * Fixed points (/health, /ready, /openapi.json, /docs, /metrics, /dashboard) are open.
 * Verified keys are remembered for a few seconds (by SHA-256 of the secret) so the hot path does not hit
 * the store on every request; a revoked key stops working within that time.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeyRecord, Scope, Store } from '../store/types.js';
import { HttpError } from './errors.js';

export type AuthMode = 'on' | 'off';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope the route needs; default: 'read' for GET/HEAD, 'write' otherwise. */
    scope?: Scope;
  }
  interface FastifyRequest {
    /** The verified API key of the request, when one was sent. */
    apiKey: ApiKeyRecord | null;
  }
}

/** Header names that carry secrets: the logger redacts them. */
export const SECRET_HEADERS = ['authorization', 'x-api-key'] as const;

/** The key a request carries, or null; malformed headers are an E_UNAUTHORIZED naming the header. */
export function presentedKey(req: FastifyRequest): string | null {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.length > 0) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!m) throw new HttpError('E_UNAUTHORIZED', 'headers/authorization: expected "Bearer <api key>"', 'headers/authorization');
    return m[1];
  }
  const x = req.headers['x-api-key'];
  if (typeof x === 'string' && x.length > 0) return x.trim();
  if (Array.isArray(x)) throw new HttpError('E_UNAUTHORIZED', 'headers/x-api-key: expected one key', 'headers/x-api-key');
  return null;
}

export function keyHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export class KeyCache {
  private readonly map = new Map<string, { rec: ApiKeyRecord | null; until: number }>();
  constructor(
    private readonly store: Store,
    private readonly ttlMs = 5000,
    private readonly maxSize = 10_000,
  ) {}

  async verify(secret: string): Promise<ApiKeyRecord | null> {
    if (secret.length > 1024) return null;
    const h = keyHash(secret);
    const now = Date.now();
    const hit = this.map.get(h);
    if (hit && hit.until > now) return hit.rec;
    const rec = await this.store.verifyApiKey(secret);
    if (this.map.size >= this.maxSize) this.map.clear();
    this.map.set(h, { rec, until: now + this.ttlMs });
    return rec;
  }

  clear(): void {
    this.map.clear();
  }
}

/** Does this path need a key at all? Only the versioned API does. */
export function isProtected(url: string): boolean {
  return url.startsWith('/v1/') || url === '/v1';
}

/** The onRequest hook enforcing scopes. */
export function authHook(mode: AuthMode, keys: KeyCache) {
  return async function auth(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
    req.apiKey = null;
    if (!isProtected(req.url)) return;
    const method = req.method.toUpperCase();
    const need: Scope = req.routeOptions.config?.scope ?? (method === 'GET' || method === 'HEAD' ? 'read' : 'write');
    const secret = presentedKey(req);
    if (secret === null) {
      if (mode === 'off' && need === 'read') return;
      throw new HttpError(
        'E_UNAUTHORIZED',
        `headers/authorization: this route needs an API key with the ${need} scope (Authorization: Bearer <key> or X-API-Key)`,
        'headers/authorization',
      );
    }
    const rec = await keys.verify(secret);
    if (!rec) {
      if (mode === 'off' && need === 'read') return;
      throw new HttpError('E_UNAUTHORIZED', 'headers/authorization: unknown or revoked API key', 'headers/authorization');
    }
    req.apiKey = rec;
    if (!rec.scopes.includes(need) && !(need === 'read' && rec.scopes.includes('write')))
      throw new HttpError('E_FORBIDDEN', `headers/authorization: the key "${rec.name}" lacks the ${need} scope`, 'headers/authorization');
  };
}

/**
 * The operator's bootstrap key (env AFFINITY_API_KEY): a read+write key accepted as given. Registers it in
 * the store on first use; later starts find it there. The secret is never logged or printed.
 */
export async function ensureAdminKey(store: Store, secret: string): Promise<ApiKeyRecord> {
  const known = await store.verifyApiKey(secret);
  if (known) return known;
  const created = await store.createApiKey({ name: 'admin (AFFINITY_API_KEY)', scopes: ['read', 'write'], secret });
  return created.record;
}
