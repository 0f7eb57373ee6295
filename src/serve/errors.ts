/**
 * The HTTP error contract: every error response is JSON `{ error: { code, message, field? } }` with a
 * code from ERROR_CATALOGUE (stable: scripts may switch on it) and, where one field is to blame, the
 * field as a path (`body/events/3/item`, `querystring/n`, `params/id`, `headers/authorization`).
 * Nothing returns a stack trace: unexpected errors become E_INTERNAL with a fixed message and are logged.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AffinityError } from '../core/errors.js';

export interface ErrorInfo {
  status: number;
  description: string;
}

/** The stable code catalogue of the service and the HTTP status of each code. */
export const ERROR_CATALOGUE = {
  E_VALIDATION: { status: 400, description: 'a request field does not match the route schema' },
  E_PARAM: { status: 400, description: 'a field has an invalid value (checked beyond the schema)' },
  E_BAD_JSON: { status: 400, description: 'the body is not valid JSON (or is empty where JSON is required)' },
  E_PARSE: { status: 400, description: 'an input could not be parsed' },
  E_FORMAT: { status: 400, description: 'an input format is not supported' },
  E_EMPTY: { status: 400, description: 'an input has no rows' },
  E_TOO_LARGE: { status: 400, description: 'the problem does not fit the chosen method' },
  E_UNAUTHORIZED: { status: 401, description: 'no API key, or an unknown or revoked one' },
  E_FORBIDDEN: { status: 403, description: 'the API key lacks the scope this route needs (write)' },
  E_NOT_FOUND: { status: 404, description: 'no such route' },
  E_UNKNOWN_ID: { status: 404, description: 'no such user, item or model version' },
  E_METHOD: { status: 405, description: 'the route does not accept this method' },
  E_BODY_TOO_LARGE: { status: 413, description: 'the request body exceeds the size limit' },
  E_MEDIA_TYPE: { status: 415, description: 'the body has an unsupported content type (send application/json)' },
  E_RATE_LIMIT: { status: 429, description: 'too many requests for this key or address; retry after the window' },
  E_INTERNAL: { status: 500, description: 'an unexpected error (logged on the server)' },
  E_IO: { status: 500, description: 'storage or file input/output failed' },
  E_MODEL_FILE: { status: 500, description: 'a stored model could not be read' },
  E_CHECKSUM: { status: 500, description: 'a downloaded file did not match its checksum' },
  E_UNSUPPORTED: { status: 501, description: 'the active model does not support this operation' },
  E_NOT_READY: { status: 503, description: 'the engine has no model yet (see GET /ready)' },
  E_NOT_FITTED: { status: 503, description: 'the model is not trained yet' },
  E_ABORTED: { status: 503, description: 'the operation was cancelled (shutting down)' },
  E_OFFLINE: { status: 503, description: 'a download was needed but there is no network' },
} as const satisfies Record<string, ErrorInfo>;

export type HttpErrorCode = keyof typeof ERROR_CATALOGUE;

/** An error a route raises on purpose: it becomes `{ error: { code, message, field } }` with the code's status. */
export class HttpError extends Error {
  readonly code: HttpErrorCode;
  readonly status: number;
  readonly field?: string;
  constructor(code: HttpErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'HttpError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    if (field !== undefined) this.field = field;
  }
}

export interface ErrorBody {
  error: { code: HttpErrorCode; message: string; field?: string };
}

/** `events[3].item` -> `events/3/item` (the store's paths as request paths). */
export function toSlashPath(field: string): string {
  return field.replace(/\[(\d+)\]/g, '/$1').replace(/\./g, '/').replace(/^\//, '');
}

/**
 * Re-roots a store error raised on a value the route built: the store names `users[0].features.x`, the
 * client sent `body/features/x`. Errors of other shapes pass through unchanged.
 */
export function rebaseError(e: unknown, from: string, to: string): unknown {
  if (!(e instanceof AffinityError) || e.field === undefined || !e.field.startsWith(from)) return e;
  const rest = toSlashPath(e.field.slice(from.length));
  const field = rest ? `${to}/${rest}` : to;
  const message = e.message.startsWith(e.field) ? field + e.message.slice(e.field.length) : `${field}: ${e.message}`;
  return new AffinityError(e.code, message, { field });
}

const STORE_BATCH = /^(users|items|events|entries)\[\d+\]/;

/**
 * Renames the field of an engine error to the request's: `{ userId: 'params/id', n: 'querystring/n' }`.
 * An error without a field gets `fallback` (when given) so that it still names what was wrong.
 */
export function mapFieldError(e: unknown, names: Readonly<Record<string, string>>, fallback?: string): unknown {
  if (!(e instanceof AffinityError)) return e;
  if (e.field === undefined) {
    if (fallback === undefined || (e.code !== 'E_UNKNOWN_ID' && e.code !== 'E_PARAM')) return e;
    return new AffinityError(e.code, `${fallback}: ${e.message}`, { field: fallback });
  }
  const head = /^[A-Za-z0-9_]+/.exec(e.field)?.[0] ?? e.field;
  const to = names[head];
  if (to === undefined) return e;
  const rest = toSlashPath(e.field.slice(head.length));
  const field = rest ? `${to}/${rest}` : to;
  const message = e.message.startsWith(e.field) ? field + e.message.slice(e.field.length) : `${field}: ${e.message}`;
  return new AffinityError(e.code, message, { field });
}

/** The status and body for any error thrown inside a request. */
export function errorResponse(err: unknown): { status: number; body: ErrorBody; internal: boolean } {
  const make = (code: HttpErrorCode, message: string, field?: string, status?: number) => ({
    status: status ?? ERROR_CATALOGUE[code].status,
    body: { error: field === undefined ? { code, message } : { code, message, field } },
    internal: false,
  });
  if (err instanceof HttpError) return make(err.code, err.message, err.field);
  if (err instanceof AffinityError) {
    const code: HttpErrorCode = err.code in ERROR_CATALOGUE ? err.code : 'E_INTERNAL';
    if (err.field === undefined) return make(code, err.message);
    // Store batch paths (`events[3].item`) become request paths (`body/events/3/item`); others stay.
    const field = STORE_BATCH.test(err.field) ? `body/${toSlashPath(err.field)}` : err.field;
    const message = err.message.startsWith(err.field) ? field + err.message.slice(err.field.length) : `${field}: ${err.message}`;
    return make(code, message, field);
  }
  const fe = err as Partial<FastifyError> & { field?: string; validationContext?: string };
  const fcode = typeof fe.code === 'string' ? fe.code : '';
  if (fcode === 'FST_ERR_VALIDATION') {
    const field = typeof fe.field === 'string' ? fe.field : (fe.validationContext ?? 'request');
    const msg = typeof fe.message === 'string' ? fe.message : 'invalid';
    return make('E_VALIDATION', msg.startsWith(field) ? msg : `${field}: ${msg}`, field);
  }
  if (fcode === 'FST_ERR_CTP_BODY_TOO_LARGE') return make('E_BODY_TOO_LARGE', 'body: the request body exceeds the size limit', 'body');
  if (fcode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return make('E_MEDIA_TYPE', 'headers/content-type: unsupported content type; expected application/json', 'headers/content-type');
  if (fcode === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') return make('E_BAD_JSON', 'headers/content-length: does not match the body length', 'headers/content-length');
  if (fcode === 'FST_ERR_CTP_EMPTY_JSON_BODY') return make('E_BAD_JSON', 'body: empty; expected a JSON document', 'body');
  if (fcode === 'FST_ERR_CTP_INVALID_JSON_BODY' || fe.name === 'SyntaxError' || fcode.startsWith('FST_ERR_CTP'))
    return make('E_BAD_JSON', 'body: not valid JSON; expected a JSON document', 'body');
  if (fcode === 'E_RATE_LIMIT' || fe.statusCode === 429) return make('E_RATE_LIMIT', typeof fe.message === 'string' ? fe.message : 'rate limit exceeded', 'headers/authorization');
  if (typeof fe.statusCode === 'number' && fe.statusCode === 413) return make('E_BODY_TOO_LARGE', 'body: the request body exceeds the size limit', 'body');
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500)
    return make('E_PARAM', `request: ${typeof fe.message === 'string' ? fe.message : 'bad request'}`, 'request', fe.statusCode);
  return { status: 500, body: { error: { code: 'E_INTERNAL', message: 'internal error (logged on the server)' } }, internal: true };
}

/** The fastify error handler: JSON errors, no stack traces; unexpected errors are logged in full. */
export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const { status, body, internal } = errorResponse(err);
  if (internal) req.log.error({ err }, 'unhandled error');
  else if (status >= 500) req.log.warn({ code: body.error.code, message: body.error.message }, 'service error');
  void reply.code(status).type('application/json; charset=utf-8').send(body);
}

/** Unknown routes: 404 JSON naming the path. */
export function notFoundHandler(req: FastifyRequest, reply: FastifyReply): void {
  const path = req.url.split('?')[0];
  void reply.code(404).send({ error: { code: 'E_NOT_FOUND', message: `no route ${req.method} ${path}`, field: 'url' } });
}
