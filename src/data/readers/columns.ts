/**
 * Column roles of interaction files: header-name aliases, header detection, the mapping of fields to
 * roles, and the checks on numeric fields (shared by the delimited and JSONL readers).
 */
import { AffinityError, paramError, parseError } from '../../core/errors.js';
import type { BadRowKind } from './accum.js';
import { isNonFiniteWord, parseIsoSeconds } from './fields.js';

export type Role = 'user' | 'item' | 'rating' | 'count' | 'event' | 'time';

/** Header names (lowercased, non-alphanumerics removed) recognised for each role. */
export const ROLE_ALIASES: Readonly<Record<Role, readonly string[]>> = {
  user: ['user', 'userid', 'uid', 'users', 'customer', 'customerid', 'visitorid', 'reviewerid', 'memberid', 'member'],
  item: ['item', 'itemid', 'iid', 'movie', 'movieid', 'artist', 'artistid', 'product', 'productid', 'asin', 'book', 'bookid', 'isbn', 'song', 'songid', 'track', 'trackid', 'article', 'articleid', 'businessid'],
  rating: ['rating', 'ratings', 'score', 'stars', 'rate'],
  count: ['count', 'counts', 'weight', 'playcount', 'plays', 'clicks', 'quantity', 'value'],
  event: ['event', 'events', 'eventtype', 'action', 'type', 'behavior', 'behaviour', 'interaction'],
  time: ['time', 'timestamp', 'ts', 'date', 'datetime', 'unixtime', 'unixreviewtime', 'createdat', 'created'],
};

const norm = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The role a header name stands for, or null. */
export function roleOfHeaderName(name: string): Role | null {
  const n = norm(name);
  for (const r of Object.keys(ROLE_ALIASES) as Role[]) if (ROLE_ALIASES[r].includes(n)) return r;
  return null;
}

/** A role name given by the user ('weight' = 'count', 'timestamp' = 'time', '_' / 'ignore' = skip). */
export function parseRoleName(name: string): Role | '_' | null {
  const n = name.trim().toLowerCase();
  if (n === '_' || n === 'ignore' || n === '') return '_';
  if (n === 'weight' || n === 'count') return 'count';
  if (n === 'timestamp' || n === 'time') return 'time';
  if (n === 'user' || n === 'item' || n === 'rating' || n === 'event') return n;
  return null;
}

/** One entry of `columns`: a role, or `headerName=role`. */
export interface ColumnEntry {
  name: string | null;
  role: Role | '_';
}

export function parseColumnsOption(columns: readonly string[]): ColumnEntry[] {
  return columns.map((c) => {
    const eq = c.lastIndexOf('=');
    const name = eq >= 0 ? c.slice(0, eq).trim() : null;
    const role = parseRoleName(eq >= 0 ? c.slice(eq + 1) : c);
    if (role === null) throw paramError('columns', c, 'a role (user, item, rating, count, weight, event, time, _) or name=role');
    return { name, role };
  });
}

/** Where each role sits in a row (-1 = absent), and how rows are described in messages. */
export interface ColumnPlan {
  /** Exact number of fields per row. */
  nFields: number;
  /** Field names for messages: header names, or role names. */
  names: string[];
  /** For JSONL: the key of each role ('' = absent). */
  keys: Record<Role, string>;
  user: number;
  item: number;
  rating: number;
  count: number;
  event: number;
  time: number;
}

const ROLE_LABEL: Record<Role | '_', string> = { user: 'user', item: 'item', rating: 'rating', count: 'count', event: 'event', time: 'timestamp', _: '_' };

const isNumericText = (s: string): boolean => s.trim() !== '' && !Number.isNaN(Number(s));

/** A failure of one row: its kind (for skip reports) and the error. */
export class RowError extends Error {
  constructor(
    readonly kind: BadRowKind,
    readonly error: AffinityError,
  ) {
    super(error.message);
  }
}

export function rowError(kind: BadRowKind, file: string, line: number, problem: string, expected: string): RowError {
  return new RowError(kind, parseError(file, line, problem, expected));
}

/**
 * Whether the first line is a header: with positional roles, a field in a rating/count/time position
 * that is not a number (nor a date for time); otherwise, fields naming both a user and an item column.
 */
export function looksLikeHeader(fields: readonly string[], spec: ColumnEntry[] | null): boolean {
  if (spec && spec.length === fields.length && spec.every((c) => c.name === null)) {
    let numericRoles = 0;
    for (let k = 0; k < spec.length; k++) {
      const r = spec[k].role;
      if (r !== 'rating' && r !== 'count' && r !== 'time') continue;
      numericRoles++;
      const f = fields[k];
      if (isNumericText(f) || isNonFiniteWord(f) || (r === 'time' && Number.isFinite(parseIsoSeconds(f)))) continue;
      return true;
    }
    if (numericRoles > 0) return false;
  }
  if (spec && spec.some((c) => c.name !== null && fields.some((f) => norm(f) === norm(c.name ?? '')))) return true;
  const roles = new Set(fields.map(roleOfHeaderName));
  return roles.has('user') && roles.has('item') && fields.some((f) => !isNumericText(f));
}

const emptyKeys = (): Record<Role, string> => ({ user: '', item: '', rating: '', count: '', event: '', time: '' });

function planFrom(names: string[], idx: Partial<Record<Role, number>>): ColumnPlan {
  return {
    nFields: names.length,
    names,
    keys: emptyKeys(),
    user: idx.user ?? -1,
    item: idx.item ?? -1,
    rating: idx.rating ?? -1,
    count: idx.count ?? -1,
    event: idx.event ?? -1,
    time: idx.time ?? -1,
  };
}

/** The plan for a file whose first line `header` is a header. */
export function planFromHeader(file: string, line: number, header: string[], spec: ColumnEntry[] | null): ColumnPlan {
  const idx: Partial<Record<Role, number>> = {};
  const shown = `"${header.join(',')}"`;
  const positional = spec !== null && spec.length === header.length && spec.every((c) => c.name === null) && header.every((h) => roleOfHeaderName(h) === null);
  if (spec && positional) {
    // none of the header names is known: the roles apply by position
    spec.forEach((c, k) => {
      if (c.role !== '_' && idx[c.role] === undefined) idx[c.role] = k;
    });
  } else if (spec) {
    for (const c of spec) {
      if (c.role === '_') continue;
      let k: number;
      if (c.name !== null) {
        const want = norm(c.name);
        k = header.findIndex((h) => norm(h) === want);
        if (k < 0) throw parseError(file, line, `header ${shown} has no column "${c.name}" (mapped to ${c.role})`, `a header column named "${c.name}"`);
      } else {
        k = header.findIndex((h) => roleOfHeaderName(h) === c.role);
        if (k < 0) throw parseError(file, line, `header ${shown} has no ${c.role} column`, `a column named one of: ${ROLE_ALIASES[c.role].join(', ')}`);
      }
      idx[c.role] = k;
    }
  } else {
    header.forEach((h, k) => {
      const r = roleOfHeaderName(h);
      if (r && idx[r] === undefined) idx[r] = k;
    });
  }
  for (const r of ['user', 'item'] as const) {
    if (idx[r] === undefined) throw parseError(file, line, `header ${shown} has no ${r} column`, `a column named one of: ${ROLE_ALIASES[r].join(', ')}`);
  }
  return planFrom(header.slice(), idx);
}

/** The plan for a file without header: positional roles, or defaults by field count (4: user item rating time; 2: user item). */
export function planPositional(file: string, nFirst: number, spec: ColumnEntry[] | null, format: string): ColumnPlan {
  let roles: (Role | '_')[];
  if (spec) roles = spec.map((c) => c.role);
  else if (nFirst === 4) roles = ['user', 'item', 'rating', 'time'];
  else if (nFirst === 2) roles = ['user', 'item'];
  else
    throw new AffinityError(
      'E_FORMAT',
      `${file}: ${format} file without a header has ${nFirst} fields per row; expected a column mapping (e.g. columns: ['user','item','rating'] / --columns user,item,count)`,
      { file },
    );
  const idx: Partial<Record<Role, number>> = {};
  roles.forEach((r, k) => {
    if (r !== '_' && idx[r] === undefined) idx[r] = k;
  });
  if (idx.user === undefined || idx.item === undefined) throw paramError('columns', spec?.map((c) => c.role), 'a user and an item column');
  return planFrom(
    roles.map((r) => ROLE_LABEL[r]),
    idx,
  );
}

/** The plan of a JSONL file from the keys of its first object. */
export function planFromKeys(file: string, line: number, keys: string[], spec: ColumnEntry[] | null): ColumnPlan {
  const p = planFromHeader(file, line, keys, spec);
  const out = planFrom(keys, {});
  for (const r of Object.keys(out.keys) as Role[]) {
    const k = p[r];
    out.keys[r] = k >= 0 ? keys[k] : '';
  }
  return out;
}

/** Largest |rating| / |count| accepted (they are stored as float32; bigger is taken as a data error). */
export const VALUE_LIMIT = 2 ** 31;
/** Largest |time| accepted in unix seconds (year ~5138; larger values are usually milliseconds). */
export const TIME_LIMIT = 1e11;

/** Checks a parsed value (v = NaN when the fast parser failed) against the text. */
export function checkValue(file: string, line: number, what: string, v: number, text: () => string): number {
  if (v === v) {
    if (Math.abs(v) >= VALUE_LIMIT) throw rowError('range', file, line, `${what} ${text().trim()} out of range`, `a number with |${what}| < 2^31`);
    return v;
  }
  const t = text().trim();
  if (t === '') throw rowError('missing', file, line, `empty ${what}`, `a number`);
  if (isNonFiniteWord(t)) throw rowError('non-finite', file, line, `${what} is ${t}`, `a finite number`);
  throw rowError('number', file, line, `non-numeric ${what} ${JSON.stringify(t)}`, 'a number');
}

/** Checks a time: unix seconds (v) or an ISO-8601 date in the text. */
export function checkTime(file: string, line: number, v: number, text: () => string): number {
  if (v !== v) {
    const t = text().trim();
    const iso = parseIsoSeconds(t);
    if (Number.isFinite(iso)) return iso;
    if (t === '') throw rowError('missing', file, line, 'empty timestamp', 'unix seconds or an ISO-8601 date');
    if (isNonFiniteWord(t)) throw rowError('non-finite', file, line, `timestamp is ${t}`, 'a finite number of unix seconds');
    throw rowError('number', file, line, `non-numeric timestamp ${JSON.stringify(t)}`, 'unix seconds or an ISO-8601 date');
  }
  if (Math.abs(v) >= TIME_LIMIT) throw rowError('range', file, line, `timestamp ${text().trim()} out of range`, 'unix seconds with |t| < 1e11 (divide milliseconds by 1000)');
  return v;
}

/** Weight of an event type: eventWeights[name] (exact, then lowercased); 1 when no weights are given. */
export function eventWeight(file: string, line: number, name: string, weights: Record<string, number> | null): number {
  if (!weights) return 1;
  const own = (k: string): boolean => Object.prototype.hasOwnProperty.call(weights, k);
  const lower = name.trim().toLowerCase();
  const key = own(name) ? name : own(lower) ? lower : null;
  if (key === null) throw rowError('event', file, line, `unknown event type ${JSON.stringify(name)}`, `one of the eventWeights keys: ${Object.keys(weights).join(', ')}`);
  return weights[key];
}
