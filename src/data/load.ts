/**
 * Loading interaction files into a Dataset. Formats are detected from the file name and first lines
 * (see InteractionFormat) or chosen with `format`; gzip is detected by its magic bytes.
 *
 * Decisions worth knowing:
 * - Ids are strings (numeric ids keep their decimal text), so ids of any size are fine.
 * - Ratings and counts must be finite with |value| < 2^31; times must be unix seconds with
 *   |t| < 1e11 (larger values are usually milliseconds) or ISO-8601 dates (UTC unless a zone is given).
 *   Anything else is an E_PARSE error naming file:line (or a skipped row with `onBadRow: 'skip'`).
 * - kind 'auto': a rating column makes the data explicit (value = rating, scale = [min, max] seen);
 *   otherwise implicit with value = count/weight column (default 1) times the event weight. Events
 *   weighted 0 are dropped. kind 'implicit' on a file with ratings ignores the rating (value 1 or count).
 * - Blank lines are skipped; line numbers count every line of the file.
 */
import { basename } from 'node:path';
import type { DuplicatePolicy } from '../core/csr.js';
import { AffinityError, paramError } from '../core/errors.js';
import { IdMap } from '../core/idmap.js';
import { Dataset } from './dataset.js';
import type { SplitFold } from './split-types.js';
import { BadRows, emptyError, resolveDuplicates, valueRange, type SkipReport } from './readers/accum.js';
import { parseColumnsOption, type ColumnEntry } from './readers/columns.js';
import { readDelimited, splitterFor, type ReaderInput, type ReaderOutput } from './readers/delimited.js';
import { detectFormat, INTERACTION_FORMATS, type InteractionFormat } from './readers/detect.js';
import { readJsonl } from './readers/jsonl.js';
import { readLists } from './readers/lists.js';

export type { DuplicatePolicy } from '../core/csr.js';
export type { SkipReport } from './readers/accum.js';
export type { InteractionFormat } from './readers/detect.js';

export interface LoadOptions {
  /** File format; 'auto' (default) detects it from the name and first lines. */
  format?: InteractionFormat | 'auto';
  /**
   * Column roles: user, item, rating, count (= weight), event, time (= timestamp), _ (ignore).
   * Without a header they are positional (`['user','item','count']`); with a header, plain roles are
   * found by header name (userId, movieId, ...) and `name=role` maps a header column explicitly.
   */
  columns?: string[];
  /** Whether the first line is a header (default 'auto': detected). With false, a header line is an error. */
  header?: boolean | 'auto';
  /** Field delimiter for csv/tsv/space ('\t', ',', '::', ' ' = runs of blanks, ...). */
  delimiter?: string;
  /** Text encoding (default 'utf8'; invalid UTF-8 is an error naming file:line). */
  encoding?: 'utf8' | 'latin1';
  /**
   * How repeated (user, item) rows are merged (default 'last' for explicit data, 'sum' for implicit):
   * 'last' keeps the last row (its value and time), 'first' the first, 'sum' adds the values and keeps
   * the latest time, 'max' keeps the largest value with its row's time. The Dataset has unique pairs.
   */
  duplicates?: DuplicatePolicy;
  /** 'error' (default): the first bad row stops the load; 'skip': bad rows are skipped and reported. */
  onBadRow?: 'error' | 'skip';
  /** Weights of event types for an event column, e.g. {view: 1, cart: 3, purchase: 5, dislike: -1}. */
  eventWeights?: Record<string, number>;
  kind?: 'explicit' | 'implicit' | 'auto';
  /** Id maps to extend (to share ids with another file). */
  users?: IdMap;
  items?: IdMap;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface LoadResult {
  dataset: Dataset;
  /** The format used (detected or given). */
  format: string;
  /** Valid data rows read (before duplicates were merged). */
  rowsRead: number;
  skipped: SkipReport;
}

const DUP_POLICIES: readonly DuplicatePolicy[] = ['last', 'sum', 'max', 'first'];

function checkOptions(opts: LoadOptions): void {
  if (opts.format !== undefined && opts.format !== 'auto' && !INTERACTION_FORMATS.includes(opts.format))
    throw paramError('format', opts.format, `'auto' or one of ${INTERACTION_FORMATS.join(', ')}`);
  if (opts.encoding !== undefined && opts.encoding !== 'utf8' && opts.encoding !== 'latin1') throw paramError('encoding', opts.encoding, "'utf8' or 'latin1'");
  if (opts.duplicates !== undefined && !DUP_POLICIES.includes(opts.duplicates)) throw paramError('duplicates', opts.duplicates, DUP_POLICIES.join(' | '));
  if (opts.onBadRow !== undefined && opts.onBadRow !== 'error' && opts.onBadRow !== 'skip') throw paramError('onBadRow', opts.onBadRow, "'error' or 'skip'");
  if (opts.kind !== undefined && !['explicit', 'implicit', 'auto'].includes(opts.kind)) throw paramError('kind', opts.kind, "'explicit', 'implicit' or 'auto'");
  if (opts.header !== undefined && opts.header !== true && opts.header !== false && opts.header !== 'auto') throw paramError('header', opts.header, "true, false or 'auto'");
  for (const [k, w] of Object.entries(opts.eventWeights ?? {}))
    if (typeof w !== 'number' || !Number.isFinite(w)) throw paramError(`eventWeights.${k}`, w, 'a finite number');
}

async function runReader(format: InteractionFormat, inp: ReaderInput, delimiter: string | undefined): Promise<ReaderOutput> {
  const ml: ColumnEntry[] = parseColumnsOption(['user', 'item', 'rating', 'time']);
  switch (format) {
    case 'ml-100k':
      return readDelimited({ ...inp, columns: inp.columns ?? ml, header: inp.header === 'auto' ? false : inp.header }, splitterFor(delimiter ?? '\t', false));
    case 'ml-dat':
      return readDelimited({ ...inp, columns: inp.columns ?? ml, header: inp.header === 'auto' ? false : inp.header }, splitterFor(delimiter ?? '::', false));
    case 'ml-csv':
      return readDelimited({ ...inp, header: inp.header === 'auto' ? true : inp.header }, splitterFor(delimiter ?? ',', true));
    case 'csv':
      return readDelimited(inp, splitterFor(delimiter ?? ',', true));
    case 'tsv':
      return readDelimited(inp, splitterFor(delimiter ?? '\t', false));
    case 'space':
      return readDelimited(inp, splitterFor(delimiter ?? ' ', false));
    case 'jsonl':
      return readJsonl(inp);
    case 'user-lists':
      return readLists(inp, false);
    case 'citeulike':
      return readLists(inp, true);
  }
}

/** Loads one interaction file into a Dataset with unique (user, item) pairs. */
export async function loadInteractions(path: string, opts: LoadOptions = {}): Promise<LoadResult> {
  checkOptions(opts);
  const encoding = opts.encoding ?? 'utf8';
  const format = !opts.format || opts.format === 'auto' ? await detectFormat(path, encoding) : opts.format;
  const bad = new BadRows(opts.onBadRow === 'skip');
  const users = opts.users ?? new IdMap();
  const items = opts.items ?? new IdMap();
  const inp: ReaderInput = {
    file: path,
    encoding,
    columns: opts.columns ? parseColumnsOption(opts.columns) : null,
    header: opts.header ?? 'auto',
    kind: opts.kind ?? 'auto',
    eventWeights: opts.eventWeights ?? null,
    users,
    items,
    bad,
    onProgress: opts.onProgress,
  };
  const out = await runReader(format, inp, opts.delimiter);
  if (out.cols.user.length === 0) throw emptyError(path, bad.report.count);
  const policy = opts.duplicates ?? (out.explicit ? 'last' : 'sum');
  const { cols } = resolveDuplicates(out.cols, users.size, items.size, policy);
  const dataset = new Dataset({
    users,
    items,
    ...cols,
    kind: out.explicit ? 'explicit' : 'implicit',
    ratingScale: out.explicit ? valueRange(cols.value) : null,
    source: basename(path),
  });
  return { dataset, format, rowsRead: out.rows, skipped: bad.report };
}

/**
 * Loads a train file and a test file into one Dataset over shared id maps: train's rows first, then
 * test's; fold.trainRows / fold.testRows are their positions. Pairs are unique within each file (a
 * pair present in both files keeps both rows, one per side). Time is kept only when both files have it;
 * the data is explicit only when both are; the rating scale covers both.
 */
export async function loadTrainTest(trainPath: string, testPath: string, opts: LoadOptions = {}): Promise<{ data: Dataset; fold: SplitFold }> {
  const train = await loadInteractions(trainPath, opts);
  const a = train.dataset;
  const test = await loadInteractions(testPath, { ...opts, users: a.users, items: a.items, kind: opts.kind ?? (a.kind === 'explicit' ? 'auto' : 'implicit') });
  const b = test.dataset;
  if (a.kind !== b.kind) throw new AffinityError('E_FORMAT', `${testPath}: ${b.kind} data; expected ${a.kind} data like ${trainPath}`, { file: testPath });
  const n = a.size + b.size;
  const cat = <T extends Int32Array | Float32Array | Float64Array>(x: T, y: T, out: T): T => {
    out.set(x, 0);
    out.set(y, x.length);
    return out;
  };
  const time = a.time && b.time ? cat(a.time, b.time, new Float64Array(n)) : null;
  const scale: [number, number] | null = a.ratingScale && b.ratingScale ? [Math.min(a.ratingScale[0], b.ratingScale[0]), Math.max(a.ratingScale[1], b.ratingScale[1])] : null;
  const data = new Dataset({
    users: a.users,
    items: a.items,
    user: cat(a.user, b.user, new Int32Array(n)),
    item: cat(a.item, b.item, new Int32Array(n)),
    value: cat(a.value, b.value, new Float32Array(n)),
    time,
    kind: a.kind,
    ratingScale: scale,
    source: `${basename(trainPath)}+${basename(testPath)}`,
  });
  const trainRows = new Int32Array(a.size);
  for (let k = 0; k < a.size; k++) trainRows[k] = k;
  const testRows = new Int32Array(b.size);
  for (let k = 0; k < b.size; k++) testRows[k] = a.size + k;
  return { data, fold: { fold: 0, trainRows, testRows } };
}
