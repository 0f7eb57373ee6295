/**
 * The web dashboard: static files of web/ (plain HTML, ES modules and CSS; no build step) at /dashboard/.
 * The pages talk to the service over HTTP only (/v1/...), with the read API key from the URL fragment
 * (`/dashboard/#key=...`) or a prompt, kept in localStorage. Open like /health: the data needs a key.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import { HttpError } from '../errors.js';

/** web/ beside src/ and dist/ (this file is src/serve/routes/dashboard.ts or dist/serve/routes/dashboard.js). */
export const WEB_DIR = resolve(fileURLToPath(new URL('../../../web/', import.meta.url)));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

/** The absolute path of a dashboard file, or null when the path leaves web/ or has an unknown type. */
export function webPath(rel: string, root = WEB_DIR): string | null {
  if (rel.includes('\0') || rel.includes('\\')) return null;
  const clean = normalize(rel === '' ? 'index.html' : rel).replace(/^(\.\.(\/|$))+/, '');
  const full = join(root, clean);
  if (full !== root && !full.startsWith(root + sep)) return null;
  if (!(extname(full) in TYPES)) return null;
  return full;
}

export const dashboardRoutes: FastifyPluginAsync = async (app) => {
  const opts = { config: { rateLimit: false }, schema: { hide: true } } as const;
  app.get('/dashboard', opts, async (_req, reply) => reply.redirect('/dashboard/', 302));
  app.get<{ Params: { '*': string } }>('/dashboard/*', opts, async (req, reply) => {
    const rel = decodeURIComponent(req.params['*'] ?? '');
    const full = webPath(rel);
    const missing = (): HttpError => new HttpError('E_NOT_FOUND', `url: no dashboard file ${JSON.stringify(rel)}`, 'url');
    if (!full) throw missing();
    try {
      const st = await stat(full);
      if (!st.isFile()) throw missing();
    } catch (e) {
      if (e instanceof HttpError) throw e;
      throw missing();
    }
    const body = await readFile(full);
    return reply
      .type(TYPES[extname(full)])
      .header('cache-control', 'no-cache')
      .header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'")
      .send(body);
  });
};
