/**
 * Detection of interaction file formats from the file name and the first lines.
 */
import { basename } from 'node:path';
import { AffinityError } from '../../core/errors.js';
import { peekLines, type TextEncoding } from './lines.js';

/**
 * Interaction formats:
 * - 'ml-100k': MovieLens 100K u.data / u1.base ...: TAB `user item rating timestamp`, no header.
 * - 'ml-dat': MovieLens 1M / 10M ratings.dat: `user::item::rating::timestamp`.
 * - 'ml-csv': MovieLens latest ratings.csv: `userId,movieId,rating,timestamp` with header.
 * - 'csv' | 'tsv' | 'space': generic delimited (comma / TAB / runs of blanks), header by name or `columns`.
 * - 'jsonl': one JSON object per line.
 * - 'user-lists': `user item item ...` per line (Gowalla / S3Rec).
 * - 'citeulike': CiteULike users.dat, line u = `n item_1 .. item_n` (0-based user = line index).
 */
export type InteractionFormat = 'ml-100k' | 'ml-dat' | 'ml-csv' | 'csv' | 'tsv' | 'space' | 'jsonl' | 'user-lists' | 'citeulike';

export const INTERACTION_FORMATS: readonly InteractionFormat[] = ['ml-100k', 'ml-dat', 'ml-csv', 'csv', 'tsv', 'space', 'jsonl', 'user-lists', 'citeulike'];

const ML100K_NAME = /^u(\d|a|b)?\.(data|base|test)$/;

/** Guesses the format; E_FORMAT when the file gives no clue, E_EMPTY when it has no non-blank line. */
export async function detectFormat(path: string, encoding: TextEncoding = 'utf8'): Promise<InteractionFormat> {
  const name = basename(path).replace(/\.gz$/i, '').toLowerCase();
  const lines = (await peekLines(path, 40, encoding)).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new AffinityError('E_EMPTY', `${path}: file has no data rows`, { file: path });
  const first = lines[0];
  if (/\.(jsonl|ndjson)$/.test(name) || first.trimStart().startsWith('{')) return 'jsonl';
  if (first.includes('::')) return 'ml-dat';
  if (first.includes('\t')) return ML100K_NAME.test(name) ? 'ml-100k' : 'tsv';
  if (first.includes(',')) return name === 'ratings.csv' && /^userId,movieId,rating,timestamp$/i.test(first.trim()) ? 'ml-csv' : 'csv';
  if (first.includes(';')) throw new AffinityError('E_FORMAT', `${path}: cannot tell the format (';'-separated?); expected format and delimiter options`, { file: path });
  const counts = lines.map((l) => l.trim().split(/[ \t]+/));
  const numeric = counts.every((f) => f.every((x) => /^-?[0-9.eE+-]+$/.test(x)));
  if (numeric && counts.every((f) => Number(f[0]) === f.length - 1) && (counts.length > 1 || name === 'users.dat')) return 'citeulike';
  const n0 = counts[0].length;
  if (counts.some((f) => f.length !== n0) || n0 > 4) return 'user-lists';
  return 'space';
}
