import { statSync } from 'node:fs';
import { AffinityError, paramError } from '../core/errors.js';
import type { DuplicatePolicy } from '../core/csr.js';
import type { Dataset } from '../data/dataset.js';
import { loadInteractions, type LoadOptions, type LoadResult } from '../data/load.js';
import { loadItemFeatures, loadMovieLensDir, loadUserFeatures } from '../data/side.js';
import type { Progress } from './progress.js';

/** Options shared by the commands that read interaction files. */
export interface DataFlags {
  format?: string;
  columns?: string;
  header?: boolean;
  delimiter?: string;
  encoding?: string;
  duplicates?: string;
  skipBadRows?: boolean;
  eventWeights?: string;
  items?: string;
  users?: string;
}

export const DATA_OPTION_HELP: [string, string][] = [
  ['--format <name>', 'input format: auto (default), ml-100k, ml-dat, ml-latest, csv, tsv, space, jsonl, user-lists'],
  ['--columns <list>', 'column roles in order, e.g. user,item,rating,timestamp or user,item,count (roles: user, item, rating, count, weight, event, time, _)'],
  ['--no-header', 'the file has no header row (default: detected)'],
  ['--delimiter <c>', 'field separator (default: detected)'],
  ['--encoding <enc>', 'utf8 (default) or latin1'],
  ['--duplicates <policy>', 'repeated (user, item) rows: last (default for ratings), sum (default for counts/events), max, first'],
  ['--skip-bad-rows', 'skip malformed rows and report them instead of stopping at the first'],
  ['--event-weights <list>', 'weights of event types, e.g. view=1,cart=3,purchase=5,dislike=-1'],
  ['--items <file>', 'item side data (MovieLens u.item / movies.csv / generic CSV)'],
  ['--users <file>', 'user side data (MovieLens u.user / users.dat / generic CSV)'],
];

export function loadOptionsFrom(f: DataFlags, progress?: Progress): LoadOptions {
  const o: LoadOptions = {};
  if (f.format && f.format !== 'auto') o.format = f.format as LoadOptions['format'];
  if (f.columns) o.columns = f.columns.split(',').map((s) => s.trim());
  if (f.header === false) o.header = false;
  if (f.delimiter) o.delimiter = f.delimiter === '\\t' ? '\t' : f.delimiter;
  if (f.encoding) {
    if (f.encoding !== 'utf8' && f.encoding !== 'latin1') throw paramError('--encoding', f.encoding, 'utf8 or latin1');
    o.encoding = f.encoding;
  }
  if (f.duplicates) {
    if (!['last', 'sum', 'max', 'first'].includes(f.duplicates)) throw paramError('--duplicates', f.duplicates, 'last, sum, max or first');
    o.duplicates = f.duplicates as DuplicatePolicy;
  }
  if (f.skipBadRows) o.onBadRow = 'skip';
  if (f.eventWeights) o.eventWeights = parseKeyValues('--event-weights', f.eventWeights);
  if (progress) o.onProgress = progress.forBytes('loading (MB)');
  return o;
}

export function parseKeyValues(field: string, text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(',')) {
    const [k, v] = part.split('=');
    const num = Number(v);
    if (!k || v === undefined || !Number.isFinite(num)) throw paramError(field, part, 'name=number pairs separated by commas, e.g. view=1,cart=3');
    out[k.trim()] = num;
  }
  return out;
}

/** Reads a dataset from a file or a MovieLens folder, attaching side data when given. */
export async function readData(path: string, flags: DataFlags, progress?: Progress): Promise<{ data: Dataset; result: LoadResult; seconds: number }> {
  const t0 = performance.now();
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new AffinityError('E_IO', `${path}: no such file or directory`, { file: path });
  }
  let data: Dataset;
  let result: LoadResult;
  result = isDir ? await loadMovieLensDir(path, loadOptionsFrom(flags, progress)) : await loadInteractions(path, loadOptionsFrom(flags, progress));
  data = result.dataset;
  reportSkipped(result, progress);
  progress?.stop();
  data = await attachSideData(data, flags);
  return { data, result, seconds: (performance.now() - t0) / 1000 };
}

export async function attachSideData(data: Dataset, flags: DataFlags): Promise<Dataset> {
  if (flags.items) data = data.withFeatures({ itemFeatures: await loadItemFeatures(flags.items) });
  if (flags.users) data = data.withFeatures({ userFeatures: await loadUserFeatures(flags.users) });
  return data;
}

export function reportSkipped(r: LoadResult, progress?: Progress): void {
  if (!r.skipped || r.skipped.count === 0) return;
  const kinds = Object.entries(r.skipped.byKind)
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ');
  progress?.note(`skipped ${r.skipped.count} bad rows (${kinds})`);
  for (const ex of r.skipped.examples.slice(0, 5)) progress?.note(`  ${ex}`);
}

export function intOption(field: string, v: string | undefined, min = 0): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw paramError(field, v, `an integer >= ${min}`);
  return n;
}

export function numOption(field: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw paramError(field, v, 'a number');
  return n;
}

/** Peak resident set size of this process so far, in MB. */
export function peakRssMB(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}
