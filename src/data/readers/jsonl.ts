/**
 * JSONL interactions: one JSON object per line, keys mapped to roles by name (see ROLE_ALIASES) or by
 * `columns: ['uid=user', 'sku=item', ...]`. Ids may be strings or numbers; times unix seconds or ISO dates.
 */
import { parseError } from '../../core/errors.js';
import { RowSink } from './accum.js';
import { checkTime, checkValue, eventWeight, planFromKeys, RowError, rowError, type ColumnPlan } from './columns.js';
import { isBlank } from './fields.js';
import { readLineBatches, utf8Error } from './lines.js';
import { explicitOf, type ReaderInput, type ReaderOutput } from './delimited.js';

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

export async function readJsonl(inp: ReaderInput): Promise<ReaderOutput> {
  const { file, bad } = inp;
  let plan: ColumnPlan | null = null;
  let sink: RowSink | null = null;
  let explicit = false;
  let rows = 0;
  for await (const b of readLineBatches(file, { encoding: inp.encoding, onProgress: inp.onProgress })) {
    const invalid = b.invalidUtf8 ? new Set(b.invalidUtf8) : null;
    for (let k = 0; k < b.count; k++) {
      const line = b.firstLine + k;
      const s = b.starts[k];
      const e = b.ends[k];
      if (isBlank(b.buf, s, e)) continue;
      if (invalid?.has(k)) {
        bad.add('encoding', utf8Error(file, line));
        continue;
      }
      const text = b.buf.toString(inp.encoding, s, e);
      let obj: Json;
      try {
        obj = JSON.parse(text) as Json;
      } catch (err) {
        bad.add('json', parseError(file, line, `unparseable JSON (${(err as Error).message})`, 'one JSON object per line'));
        continue;
      }
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
        bad.add('json', parseError(file, line, `a JSON ${Array.isArray(obj) ? 'array' : typeof obj}`, 'one JSON object per line'));
        continue;
      }
      if (plan === null) {
        plan = planFromKeys(file, line, Object.keys(obj), inp.columns);
        explicit = explicitOf({ ...plan, rating: plan.keys.rating ? 0 : -1 }, inp.kind, file);
        sink = new RowSink(plan.keys.time !== '');
      }
      try {
        if (parseObject(obj, plan, line, file, explicit, inp, sink as RowSink)) rows++;
      } catch (err) {
        if (err instanceof RowError) bad.add(err.kind, err.error);
        else throw err;
      }
    }
  }
  return { cols: sink ? sink.columns() : { user: new Int32Array(0), item: new Int32Array(0), value: new Float32Array(0), time: null }, explicit, rows };
}

function idOf(o: { [k: string]: Json }, key: string, what: string, file: string, line: number): string {
  const v = o[key];
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (v === undefined) throw rowError('missing', file, line, `missing key "${key}"`, `the ${what} id under "${key}"`);
  throw rowError('missing', file, line, `${what} id ${JSON.stringify(v)} under "${key}"`, `a non-empty string or number`);
}

function numOf(o: { [k: string]: Json }, key: string, what: string, file: string, line: number, isTime: boolean): number {
  const v = o[key];
  if (v === undefined) throw rowError('missing', file, line, `missing key "${key}"`, `the ${what} under "${key}"`);
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  const text = (): string => (typeof v === 'string' ? v : JSON.stringify(v));
  return isTime ? checkTime(file, line, n, text) : checkValue(file, line, what, n, text);
}

function parseObject(o: { [k: string]: Json }, plan: ColumnPlan, line: number, file: string, explicit: boolean, inp: ReaderInput, sink: RowSink): boolean {
  const keys = plan.keys;
  const u = idOf(o, keys.user, 'user', file, line);
  const i = idOf(o, keys.item, 'item', file, line);
  let v = 1;
  if (explicit) v = numOf(o, keys.rating, 'rating', file, line, false);
  else {
    if (keys.count) v = numOf(o, keys.count, 'count', file, line, false);
    if (keys.event) {
      const ev = o[keys.event];
      if (typeof ev !== 'string' || ev === '') throw rowError('missing', file, line, `event ${JSON.stringify(ev)} under "${keys.event}"`, 'an event type name');
      v *= eventWeight(file, line, ev, inp.eventWeights);
    }
  }
  const t = keys.time ? numOf(o, keys.time, 'timestamp', file, line, true) : 0;
  if (keys.event && v === 0) return false;
  sink.push(inp.users.add(u), inp.items.add(i), v, t);
  return true;
}
