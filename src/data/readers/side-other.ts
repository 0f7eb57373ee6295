/**
 * Other side files: CiteULike item-tag.dat (+ tags.dat), Last.fm artists.dat, S3Rec
 * *_item2attributes.json, and generic CSV / TSV / JSONL feature files.
 */
import { readFileSync } from 'node:fs';
import { AffinityError, paramError, parseError } from '../../core/errors.js';
import type { FeatureTable } from '../features.js';
import { expectFields, FeatureTableBuilder, inferKind, readRecords, type FeatureKind } from './feature-builder.js';
import { readLines, type TextEncoding } from './lines.js';

/** Tag names of CiteULike tags.dat: line k (1-based) names tag k-1. */
export async function readTagNames(path: string, encoding: TextEncoding = 'utf8'): Promise<string[]> {
  const names: string[] = [];
  for await (const l of readLines(path, { encoding })) names[l.line - 1] = l.text.trim();
  return Array.from(names, (n, k) => n ?? String(k));
}

/** CiteULike item-tag.dat: line i (0-based item i) is `n tag_1 .. tag_n`; a multi column 'tags' (names when given). */
export async function readCiteulikeTags(path: string, tagNames: string[] | null, encoding: TextEncoding = 'utf8'): Promise<FeatureTable> {
  const b = new FeatureTableBuilder().column('tags', 'multi');
  for await (const r of readRecords(path, ' ', encoding)) {
    const n = Number(r.fields[0]);
    if (!Number.isInteger(n) || n < 0) throw parseError(path, r.line, `count ${JSON.stringify(r.fields[0])} is not a whole number`, 'n tag_1 .. tag_n');
    if (r.fields.length - 1 !== n) throw parseError(path, r.line, `${r.fields.length - 1} tags`, `${n} tags (the count at the start of the line)`);
    const tags = r.fields.slice(1).map((t) => {
      if (!tagNames) return t;
      const name = tagNames[Number(t)];
      if (name === undefined) throw parseError(path, r.line, `tag id ${t} not in the tag list (${tagNames.length} tags)`, `tag ids 0..${tagNames.length - 1}`);
      return name;
    });
    b.add('tags', b.row(String(r.line - 1)), tags);
  }
  return b.build();
}

/** Last.fm artists.dat (`id name url pictureURL`, TAB, header): the artist name as text column 'name'. */
export async function readLastfmArtists(path: string, encoding: TextEncoding = 'utf8'): Promise<FeatureTable> {
  const b = new FeatureTableBuilder().column('name', 'text');
  let first = true;
  for await (const r of readRecords(path, '\t', encoding)) {
    if (first) {
      first = false;
      if (r.fields[0].toLowerCase() === 'id') continue;
    }
    if (r.fields.length < 2) throw parseError(path, r.line, `${r.fields.length} field`, '4 fields: id name url pictureURL');
    b.set('name', b.row(r.fields[0]), r.fields[1]);
  }
  return b.build();
}

/** S3Rec `{"item": [attr, ...]}`: multi column 'attributes' (attribute ids as strings). */
export function readS3recAttributes(path: string): FeatureTable {
  let obj: unknown;
  try {
    obj = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const msg = (e as Error).message;
    if ((e as NodeJS.ErrnoException).code) throw new AffinityError('E_IO', `${path}: cannot read (${msg}); expected a readable file`, { file: path });
    throw parseError(path, 1, `unparseable JSON (${msg})`, 'a JSON object {"item_id": [attribute ids]}');
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw parseError(path, 1, 'not a JSON object', 'a JSON object {"item_id": [attribute ids]}');
  const b = new FeatureTableBuilder().column('attributes', 'multi');
  for (const [id, attrs] of Object.entries(obj as Record<string, unknown>)) {
    if (!Array.isArray(attrs)) throw parseError(path, 1, `item ${id}: ${JSON.stringify(attrs)}`, 'an array of attribute ids');
    b.add('attributes', b.row(id), attrs.map((a) => String(a)));
  }
  return b.build();
}

/** Kind of a generic feature column; `sep` splits multi values (default '|'). */
export interface FeatureColumnSpec {
  kind?: FeatureKind;
  sep?: string;
}

export interface GenericFeatureOptions {
  /** Name of the id column (default: the first column). */
  id?: string;
  /** Columns to load with their kinds; kinds not given are inferred. Default: every column, inferred. */
  columns?: Record<string, FeatureColumnSpec | FeatureKind>;
  /** ',' (default for .csv), '\t' (default for .tsv / tab in the header), '|', ... */
  delimiter?: string;
  encoding?: TextEncoding;
  jsonl?: boolean;
}

/** A generic CSV / TSV (header row) or JSONL feature file. */
export async function readGenericFeatures(path: string, opts: GenericFeatureOptions): Promise<FeatureTable> {
  const encoding = opts.encoding ?? 'utf8';
  let header: string[] = [];
  const rows: string[][] = [];
  const lines: number[] = [];
  if (opts.jsonl) {
    const keys = new Map<string, number>();
    const objs: { o: Record<string, unknown>; line: number }[] = [];
    for await (const l of readLines(path, { encoding })) {
      if (l.text.trim() === '') continue;
      let o: unknown;
      try {
        o = JSON.parse(l.text);
      } catch (e) {
        throw parseError(path, l.line, `unparseable JSON (${(e as Error).message})`, 'one JSON object per line');
      }
      if (o === null || typeof o !== 'object' || Array.isArray(o)) throw parseError(path, l.line, 'not a JSON object', 'one JSON object per line');
      for (const k of Object.keys(o)) if (!keys.has(k)) keys.set(k, keys.size);
      objs.push({ o: o as Record<string, unknown>, line: l.line });
    }
    header = [...keys.keys()];
    for (const { o, line } of objs) {
      rows.push(header.map((k) => jsonText(o[k])));
      lines.push(line);
    }
  } else {
    const delim = opts.delimiter ?? (/\.tsv(\.gz)?$/i.test(path) ? '\t' : ',');
    for await (const r of readRecords(path, delim, encoding)) {
      if (header.length === 0) {
        header = r.fields.map((f) => f.trim());
        continue;
      }
      expectFields(path, r, header.length, header.join(' '));
      rows.push(r.fields);
      lines.push(r.line);
    }
  }
  if (header.length === 0 || rows.length === 0) throw new AffinityError('E_EMPTY', `${path}: file has no data rows`, { file: path });
  const idName = opts.id ?? header[0];
  const idCol = header.indexOf(idName);
  if (idCol < 0) throw parseError(path, lines[0] - 1 || 1, `no id column "${idName}" in ${JSON.stringify(header.join(','))}`, `a column named "${idName}"`);
  const wanted = opts.columns ? Object.keys(opts.columns) : header.filter((h) => h !== idName);
  const b = new FeatureTableBuilder();
  const plan: { k: number; name: string; kind: FeatureKind; sep: string }[] = [];
  for (const name of wanted) {
    const k = header.indexOf(name);
    if (k < 0) throw parseError(path, 1, `no column "${name}" in ${JSON.stringify(header.join(','))}`, `a column named "${name}"`);
    const given = opts.columns?.[name];
    const spec: FeatureColumnSpec = typeof given === 'string' ? { kind: given } : given ?? {};
    if (spec.kind !== undefined && !['categorical', 'multi', 'numeric', 'text'].includes(spec.kind)) throw paramError(`columns.${name}.kind`, spec.kind, 'categorical, multi, numeric or text');
    const inferred = spec.kind ? { kind: spec.kind, sep: spec.sep } : inferKind(rows.map((r) => r[k]));
    plan.push({ k, name, kind: inferred.kind, sep: spec.sep ?? inferred.sep ?? '|' });
    b.column(name, inferred.kind);
  }
  rows.forEach((r, j) => {
    const row = b.row(r[idCol].trim());
    for (const p of plan) {
      const v = r[p.k];
      if (p.kind === 'multi') b.add(p.name, row, v.split(p.sep).map((x) => x.trim()));
      else if (p.kind === 'numeric') {
        const x = v.trim() === '' ? NaN : Number(v);
        if (v.trim() !== '' && !Number.isFinite(x)) throw parseError(path, lines[j], `${p.name} ${JSON.stringify(v)} is not a number`, `a number (column ${p.name} is numeric)`);
        b.set(p.name, row, x);
      } else b.set(p.name, row, v);
    }
  });
  return b.build();
}

function jsonText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.map((x) => String(x)).join('|');
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}
