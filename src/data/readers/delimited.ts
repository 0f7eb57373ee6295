/**
 * Reader of delimited interaction files: CSV (RFC-4180 quotes), TSV, '::' (MovieLens .dat) and
 * whitespace-separated, with header detection and a column mapping. Works on line batches as bytes.
 */
import type { IdMap } from '../../core/idmap.js';
import { paramError, parseError } from '../../core/errors.js';
import { BadRows, RowSink, type Columns } from './accum.js';
import {
  checkTime,
  checkValue,
  eventWeight,
  looksLikeHeader,
  planFromHeader,
  planPositional,
  RowError,
  rowError,
  TIME_LIMIT,
  VALUE_LIMIT,
  type ColumnEntry,
  type ColumnPlan,
} from './columns.js';
import { Fields, IdCache, isBlank, parseNum, splitDelimited, splitMulti, splitWhitespace } from './fields.js';
import { readLineBatches, textBytes, utf8Error, type TextEncoding } from './lines.js';

/** What every interaction reader gets. */
export interface ReaderInput {
  file: string;
  encoding: TextEncoding;
  columns: ColumnEntry[] | null;
  header: boolean | 'auto';
  kind: 'explicit' | 'implicit' | 'auto';
  eventWeights: Record<string, number> | null;
  users: IdMap;
  items: IdMap;
  bad: BadRows;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/** What every interaction reader returns (duplicates not yet resolved). */
export interface ReaderOutput {
  cols: Columns;
  explicit: boolean;
  /** Valid data rows read. */
  rows: number;
}

export type Splitter = { kind: 'byte'; byte: number; quotes: boolean } | { kind: 'multi'; delim: Buffer } | { kind: 'ws' };

/** The splitter for a delimiter option: ' ' or 'whitespace' = runs of blanks, '\t', ',', '::', ... */
export function splitterFor(delimiter: string, quotes: boolean): Splitter {
  if (delimiter === ' ' || delimiter === 'whitespace' || delimiter === '\\s+') return { kind: 'ws' };
  const b = Buffer.from(delimiter === '\\t' ? '\t' : delimiter, 'utf8');
  if (b.length === 0) throw paramError('delimiter', delimiter, 'a non-empty delimiter');
  if (b.length === 1) return { kind: 'byte', byte: b[0], quotes };
  return { kind: 'multi', delim: b };
}

/** Decides whether the file is explicit: a rating column and kind not 'implicit'. */
export function explicitOf(plan: ColumnPlan, kind: ReaderInput['kind'], file: string): boolean {
  if (kind === 'explicit' && plan.rating < 0) throw paramError('kind', 'explicit', `a rating column in ${file} (columns found: ${plan.names.join(' ')})`);
  return plan.rating >= 0 && kind !== 'implicit';
}

export async function readDelimited(inp: ReaderInput, split: Splitter): Promise<ReaderOutput> {
  const { file, bad } = inp;
  const enc: BufferEncoding = inp.encoding;
  const f = new Fields();
  const users = new IdCache(inp.users, enc);
  const items = new IdCache(inp.items, enc);
  let plan: ColumnPlan | null = null;
  let sink: RowSink | null = null;
  let explicit = false;
  let rows = 0;
  // a bound on the rows (no data line is shorter than 4 bytes: "1,2\n"; gzip: from the trailer's ISIZE)
  // sizes the address space the sink reserves; it grows in place without copies (see RowSink)
  const text = textBytes(file);
  const maxRows = text === null ? 0 : Math.ceil(text / 4) + 1;
  for await (const b of readLineBatches(file, { encoding: inp.encoding, onProgress: inp.onProgress })) {
    const buf = b.buf;
    const invalid = b.invalidUtf8;
    let nextInvalid = invalid && invalid.length ? 0 : -1;
    for (let k = 0; k < b.count; k++) {
      const s = b.starts[k];
      const e = b.ends[k];
      const line = b.firstLine + k;
      if (nextInvalid >= 0 && invalid && invalid[nextInvalid] === k) {
        nextInvalid = nextInvalid + 1 < invalid.length ? nextInvalid + 1 : -1;
        if (!isBlank(buf, s, e)) bad.add('encoding', utf8Error(file, line));
        continue;
      }
      if (isBlank(buf, s, e)) continue;
      let quoteProblem: string | null = null;
      if (split.kind === 'byte') quoteProblem = splitDelimited(buf, s, e, split.byte, split.quotes, f);
      else if (split.kind === 'multi') splitMulti(buf, s, e, split.delim, f);
      else splitWhitespace(buf, s, e, f);
      if (quoteProblem !== null) {
        bad.add('quote', parseError(file, line, quoteProblem, 'RFC-4180 quoting ("a ""quoted"" field")'));
        continue;
      }
      if (plan === null) {
        const texts = f.texts(enc);
        const isHeaderLike = looksLikeHeader(texts, inp.columns);
        if (inp.header === true || (inp.header === 'auto' && isHeaderLike)) {
          plan = planFromHeader(file, line, texts, inp.columns);
          explicit = explicitOf(plan, inp.kind, file);
          sink = new RowSink(plan.time >= 0);
          sink.limitRows(maxRows);
          continue;
        }
        plan = planPositional(file, f.n, inp.columns, 'delimited');
        explicit = explicitOf(plan, inp.kind, file);
        sink = new RowSink(plan.time >= 0);
        sink.limitRows(maxRows);
        if (isHeaderLike) {
          bad.add('header', parseError(file, line, `a header where none is expected (${JSON.stringify(texts.join(' '))})`, `data rows only: ${plan.names.join(' ')} (pass header: true / --header)`));
          continue;
        }
      }
      try {
        if (parseRow(f, plan, line, file, explicit, inp.eventWeights, users, items, sink as RowSink)) rows++;
      } catch (err) {
        if (err instanceof RowError) bad.add(err.kind, err.error);
        else throw err;
      }
    }
  }
  return { cols: sink ? sink.columns() : { user: new Int32Array(0), item: new Int32Array(0), value: new Float32Array(0), time: null }, explicit, rows };
}

/** Parses one split row into the sink; false when the row was dropped (an event weighted 0). */
function parseRow(
  f: Fields,
  plan: ColumnPlan,
  line: number,
  file: string,
  explicit: boolean,
  weights: Record<string, number> | null,
  users: IdCache,
  items: IdCache,
  sink: RowSink,
): boolean {
  if (f.n !== plan.nFields) {
    throw rowError('fields', file, line, `${f.n} field${f.n === 1 ? '' : 's'}`, `${plan.nFields} fields: ${plan.names.join(' ')}`);
  }
  const buf = f.buf;
  const fs = f.fs;
  const fe = f.fe;
  const ui = plan.user;
  const ii = plan.item;
  if (fe[ui] === fs[ui]) throw rowError('missing', file, line, 'empty user id', 'a user id');
  if (fe[ii] === fs[ii]) throw rowError('missing', file, line, 'empty item id', 'an item id');
  let v = 1;
  if (explicit) {
    const r = plan.rating;
    v = parseNum(buf, fs[r], fe[r]);
    if (!(Math.abs(v) < VALUE_LIMIT)) v = checkValue(file, line, 'rating', v, () => f.text(r));
  } else {
    const c = plan.count;
    if (c >= 0) {
      v = parseNum(buf, fs[c], fe[c]);
      if (!(Math.abs(v) < VALUE_LIMIT)) v = checkValue(file, line, 'count', v, () => f.text(c));
    }
    if (plan.event >= 0) {
      const ev = plan.event;
      if (fe[ev] === fs[ev]) throw rowError('missing', file, line, 'empty event type', 'an event type');
      v *= eventWeight(file, line, f.text(ev), weights);
    }
  }
  let t = 0;
  const ti = plan.time;
  if (ti >= 0) {
    t = parseNum(buf, fs[ti], fe[ti]);
    if (!(Math.abs(t) < TIME_LIMIT)) t = checkTime(file, line, t, () => f.text(ti));
  }
  if (plan.event >= 0 && v === 0) return false;
  sink.push(users.get(buf, fs[ui], fe[ui]), items.get(buf, fs[ii], fe[ii]), v, t);
  return true;
}
