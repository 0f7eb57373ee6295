/**
 * Paging cursors: base64url JSON of the item ids already served (bounded) and the query shape they were
 * served for, so the next page leaves them out whatever changed in between (no item is ever repeated).
 */
import { paramError } from '../../core/errors.js';

export const MAX_SERVED = 1000;

export function encodeCursor(shape: string, served: readonly string[]): string {
  return Buffer.from(JSON.stringify({ v: 1, q: shape, s: served }), 'utf8').toString('base64url');
}

/** The ids served before; E_PARAM naming `cursor` when it is not one of ours or was made for another query. */
export function decodeCursor(cursor: string, shape: string): string[] {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw paramError('cursor', cursor.slice(0, 40), 'the nextCursor of a previous page');
  }
  const b = body as { v?: unknown; q?: unknown; s?: unknown };
  if (typeof body !== 'object' || body === null || b.v !== 1 || !Array.isArray(b.s) || !b.s.every((x) => typeof x === 'string')) {
    throw paramError('cursor', cursor.slice(0, 40), 'the nextCursor of a previous page');
  }
  if (b.q !== shape) throw paramError('cursor', cursor.slice(0, 40), 'a cursor from a page of the same query (same user, category, filter and excludeSeen)');
  return b.s as string[];
}
