/**
 * Building FeatureTables row by row, and reading side files as records of string fields.
 */
import { IdMap } from '../../core/idmap.js';
import { parseError } from '../../core/errors.js';
import type { FeatureColumn, FeatureTable } from '../features.js';
import { Fields, isBlank, splitDelimited, splitMulti, splitWhitespace } from './fields.js';
import { readLineBatches, utf8Error, type TextEncoding } from './lines.js';

export type FeatureKind = FeatureColumn['kind'];

type ColState =
  | { kind: 'categorical'; values: string[] }
  | { kind: 'multi'; values: string[][]; vocab: string[] | null }
  | { kind: 'numeric'; values: number[] }
  | { kind: 'text'; values: string[] };

/**
 * Accumulates a FeatureTable. `row(id)` gives the row of an id (added when new, so repeated ids merge:
 * the later scalar value wins, multi values are united). Missing values: '' / NaN / no values.
 */
export class FeatureTableBuilder {
  readonly ids = new IdMap();
  private readonly cols = new Map<string, ColState>();

  /** Declares a column (columns come out in declaration order). A multi column may fix its vocabulary order. */
  column(name: string, kind: FeatureKind, vocab: string[] | null = null): this {
    if (this.cols.has(name)) return this;
    if (kind === 'multi') this.cols.set(name, { kind, values: [], vocab });
    else if (kind === 'numeric') this.cols.set(name, { kind, values: [] });
    else this.cols.set(name, { kind, values: [] });
    return this;
  }

  row(id: string): number {
    return this.ids.add(id);
  }

  private col(name: string): ColState {
    const c = this.cols.get(name);
    if (!c) throw new Error(`feature column ${name} was not declared`);
    return c;
  }

  set(name: string, row: number, value: string | number): void {
    const c = this.col(name);
    if (c.kind === 'numeric') c.values[row] = typeof value === 'number' ? value : Number(value);
    else if (c.kind === 'multi') this.add(name, row, [String(value)]);
    else c.values[row] = String(value);
  }

  add(name: string, row: number, values: readonly string[]): void {
    const c = this.col(name);
    if (c.kind !== 'multi') throw new Error(`feature column ${name} is not multi-valued`);
    const cur = c.values[row] ?? (c.values[row] = []);
    for (const v of values) if (v !== '' && !cur.includes(v)) cur.push(v);
  }

  build(): FeatureTable {
    const n = this.ids.size;
    const columns: FeatureColumn[] = [];
    for (const [name, c] of this.cols) {
      if (c.kind === 'numeric') {
        const values = new Float64Array(n).fill(NaN);
        for (let r = 0; r < n; r++) {
          const v = c.values[r];
          if (v !== undefined) values[r] = v;
        }
        columns.push({ kind: 'numeric', name, values });
      } else if (c.kind === 'text') {
        const values: string[] = new Array<string>(n);
        for (let r = 0; r < n; r++) values[r] = c.values[r] ?? '';
        columns.push({ kind: 'text', name, values });
      } else if (c.kind === 'categorical') {
        const vocab: string[] = [];
        const index = new Map<string, number>();
        const codes = new Int32Array(n).fill(-1);
        for (let r = 0; r < n; r++) {
          const v = c.values[r];
          if (v === undefined || v === '') continue;
          let code = index.get(v);
          if (code === undefined) {
            code = vocab.length;
            vocab.push(v);
            index.set(v, code);
          }
          codes[r] = code;
        }
        columns.push({ kind: 'categorical', name, codes, vocab });
      } else {
        const vocab: string[] = c.vocab ? c.vocab.slice() : [];
        const index = new Map<string, number>(vocab.map((v, k) => [v, k]));
        const indptr = new Int32Array(n + 1);
        const codes: number[] = [];
        for (let r = 0; r < n; r++) {
          for (const v of c.values[r] ?? []) {
            let code = index.get(v);
            if (code === undefined) {
              code = vocab.length;
              vocab.push(v);
              index.set(v, code);
            }
            codes.push(code);
          }
          indptr[r + 1] = codes.length;
        }
        columns.push({ kind: 'multi', name, indptr, codes: Int32Array.from(codes), vocab });
      }
    }
    return { ids: this.ids, columns };
  }
}

/** One record of a side file: its fields as strings and its 1-based line number. */
export interface SideRecord {
  fields: string[];
  line: number;
}

/**
 * Reads a delimited side file as records: `delimiter` ',' (RFC-4180 quotes), '|', '\t', '::' or ' '
 * (runs of blanks). Blank lines are skipped; invalid UTF-8 (with encoding 'utf8') is an error.
 */
export async function* readRecords(path: string, delimiter: string, encoding: TextEncoding): AsyncGenerator<SideRecord> {
  const f = new Fields();
  const db = Buffer.from(delimiter);
  for await (const b of readLineBatches(path, { encoding })) {
    if (b.invalidUtf8 && b.invalidUtf8.length) throw utf8Error(path, b.firstLine + b.invalidUtf8[0]);
    for (let k = 0; k < b.count; k++) {
      const s = b.starts[k];
      const e = b.ends[k];
      const line = b.firstLine + k;
      if (isBlank(b.buf, s, e)) continue;
      if (delimiter === ' ') splitWhitespace(b.buf, s, e, f);
      else if (db.length > 1) splitMulti(b.buf, s, e, db, f);
      else {
        const problem = splitDelimited(b.buf, s, e, db[0], delimiter === ',', f);
        if (problem) throw parseError(path, line, problem, 'RFC-4180 quoting ("a ""quoted"" field")');
      }
      yield { fields: f.texts(encoding), line };
    }
  }
}

/** Checks the field count of a side record. */
export function expectFields(path: string, r: SideRecord, n: number, names: string): void {
  if (r.fields.length !== n) throw parseError(path, r.line, `${r.fields.length} field${r.fields.length === 1 ? '' : 's'}`, `${n} fields: ${names}`);
}

/** Infers a column kind from its values: numeric, multi ('|' inside), categorical (repeating values) or text. */
export function inferKind(values: readonly string[]): { kind: FeatureKind; sep?: string } {
  const present = values.filter((v) => v.trim() !== '');
  if (present.length === 0) return { kind: 'categorical' };
  if (present.every((v) => !Number.isNaN(Number(v)))) return { kind: 'numeric' };
  if (present.some((v) => v.includes('|'))) return { kind: 'multi', sep: '|' };
  const distinct = new Set(present).size;
  return distinct <= Math.max(2, present.length / 2) ? { kind: 'categorical' } : { kind: 'text' };
}
