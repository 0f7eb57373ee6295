/**
 * The bad-row report and duplicate resolution of the interaction loaders (the row sink: row-sink.ts).
 */
import type { DuplicatePolicy } from '../../core/csr.js';
import { AffinityError } from '../../core/errors.js';

/** What `onBadRow: 'skip'` skipped: how many rows, per kind of problem, and the first few messages. */
export interface SkipReport {
  count: number;
  byKind: Record<string, number>;
  /** Up to 10 messages `file:line: problem; expected ...`. */
  examples: string[];
}

/** Kinds of bad rows counted in SkipReport.byKind. */
export type BadRowKind =
  | 'fields' // wrong number of fields (truncated line, extra fields)
  | 'number' // a numeric field (rating, count, time) that is not a number
  | 'non-finite' // NaN or infinity
  | 'range' // a number outside its allowed range
  | 'encoding' // invalid UTF-8
  | 'header' // a header where none is expected
  | 'json' // an unparseable JSON line, or one that is not an object
  | 'missing' // a missing or empty user / item / mapped field
  | 'event' // an event type without a weight
  | 'quote' // broken CSV quoting
  | 'count'; // a list line whose count does not match its items

export const MAX_EXAMPLES = 10;

export class BadRows {
  readonly report: SkipReport = { count: 0, byKind: {}, examples: [] };
  constructor(readonly skip: boolean) {}

  /** Records the bad row, or throws it when not skipping. */
  add(kind: BadRowKind, err: AffinityError): void {
    if (!this.skip) throw err;
    const r = this.report;
    r.count++;
    r.byKind[kind] = (r.byKind[kind] ?? 0) + 1;
    if (r.examples.length < MAX_EXAMPLES) r.examples.push(err.message);
  }
}

export { RowSink, type Columns } from './row-sink.js';
import type { Columns } from './row-sink.js';

/**
 * Resolves duplicate (user, item) rows so every pair occurs once. Rows keep their file order; a
 * group of duplicates is represented by one row:
 * - 'last': the last row (its value and time);
 * - 'first': the first row (its value and time);
 * - 'sum': values summed, at the position of the last row, with the latest time of the group;
 * - 'max': the largest value (the later row on ties), at the position of the last row, with that row's time.
 * Without duplicates the columns are returned unchanged. O(rows + users + items): one counting sort
 * by user (none when the rows are already grouped by user), then per user a stamp array over items
 * finds repeats.
 */
export function resolveDuplicates(c: Columns, nUsers: number, nItems: number, policy: DuplicatePolicy): { cols: Columns; merged: number } {
  const n = c.user.length;
  if (n < 2) return { cols: c, merged: 0 };
  // files sorted (grouped) by user need no row order; others get one counting sort by user
  const user = c.user;
  const order = groupedBy(user, nUsers) ? null : countingOrder(user, nUsers);
  const stamp = new Int32Array(nItems).fill(-1);
  const rep = new Int32Array(nItems);
  let keep: Uint8Array | null = null;
  let value: Float32Array = c.value;
  let time: Float64Array | null = c.time;
  let dups = 0;
  const item = c.item;
  // rows of one user are consecutive in this walk, so stamp[i] === u means "seen for this user"
  for (let p = 0; p < n; p++) {
    const k = order === null ? p : order[p];
    const u = user[k];
    const i = item[k];
    if (stamp[i] !== u) {
      stamp[i] = u;
      rep[i] = k;
      continue;
    }
    if (keep === null) {
      keep = new Uint8Array(n).fill(1);
      value = c.value.slice();
      time = c.time ? c.time.slice() : null;
    }
    dups++;
    const prev = rep[i];
    if (policy === 'first') {
      keep[k] = 0;
      continue;
    }
    // the representative moves to the later row k
    keep[prev] = 0;
    rep[i] = k;
    if (policy === 'sum') {
      value[k] += value[prev];
      if (time && time[prev] > time[k]) time[k] = time[prev];
    } else if (policy === 'max' && value[prev] > value[k]) {
      value[k] = value[prev];
      if (time) time[k] = time[prev];
    }
  }
  if (keep === null) return { cols: c, merged: 0 };
  const m = n - dups;
  const out: Columns = { user: new Int32Array(m), item: new Int32Array(m), value: new Float32Array(m), time: time ? new Float64Array(m) : null };
  let w = 0;
  for (let k = 0; k < n; k++) {
    if (!keep[k]) continue;
    out.user[w] = c.user[k];
    out.item[w] = c.item[k];
    out.value[w] = value[k];
    if (out.time && time) out.time[w] = time[k];
    w++;
  }
  return { cols: out, merged: dups };
}

/** True when every key's rows are consecutive (e.g. a file sorted by user). */
function groupedBy(key: Int32Array, nKeys: number): boolean {
  const seen = new Uint8Array(nKeys);
  let last = -1;
  for (let k = 0; k < key.length; k++) {
    const u = key[k];
    if (u === last) continue;
    if (seen[u]) return false;
    seen[u] = 1;
    last = u;
  }
  return true;
}

/** Positions sorted stably by key (keys in [0, nKeys)). */
function countingOrder(key: Int32Array, nKeys: number): Int32Array {
  const n = key.length;
  const start = new Int32Array(nKeys + 1);
  for (let k = 0; k < n; k++) start[key[k] + 1]++;
  for (let j = 0; j < nKeys; j++) start[j + 1] += start[j];
  const out = new Int32Array(n);
  for (let k = 0; k < n; k++) out[start[key[k]]++] = k;
  return out;
}

/** [min, max] of the values (the detected rating scale). */
export function valueRange(v: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < v.length; k++) {
    const x = v[k];
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return [lo, hi];
}

export function emptyError(file: string, skipped: number): AffinityError {
  const extra = skipped ? ` (${skipped} bad rows skipped)` : '';
  return new AffinityError('E_EMPTY', `${file}: file has no data rows${extra}`, { file });
}
