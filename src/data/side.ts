/**
 * Side data (user and item features) as FeatureTables, and whole MovieLens folders.
 *
 * Known files, detected by name: ML-100K u.item (Latin-1; title, year, genres from u.genre beside it
 * or the standard 19 names) and u.user (age, ageBand, gender, occupation, region = first zip digit);
 * ML-1M movies.dat / users.dat (Latin-1); ML-latest movies.csv (title, year, genres) with tags.csv
 * beside it merged as lowercased 'tags'; CiteULike item-tag.dat (+ tags.dat names) as 'tags'; Last.fm
 * artists.dat names as 'name'; S3Rec *_item2attributes.json as 'attributes'. Anything else is read as a
 * generic CSV / TSV (header row) or JSONL file with an id column and typed columns.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AffinityError, paramError } from '../core/errors.js';
import type { FeatureTable } from './features.js';
import { loadInteractions, type LoadOptions, type LoadResult } from './load.js';
import type { FeatureKind } from './readers/feature-builder.js';
import { peekLines, type TextEncoding } from './readers/lines.js';
import { readGenreNames, readMl100kItems, readMl100kUsers, readMl1mMovies, readMl1mUsers, readMlLatestMovies } from './readers/side-movielens.js';
import { readCiteulikeTags, readGenericFeatures, readLastfmArtists, readS3recAttributes, readTagNames, type FeatureColumnSpec } from './readers/side-other.js';

export type { FeatureColumnSpec } from './readers/side-other.js';

export type SideFormat =
  | 'ml-100k-item'
  | 'ml-100k-user'
  | 'ml-dat-movies'
  | 'ml-dat-users'
  | 'ml-csv-movies'
  | 'citeulike-tags'
  | 'lastfm-artists'
  | 's3rec-attributes'
  | 'csv'
  | 'tsv'
  | 'jsonl';

const ITEM_FORMATS: readonly SideFormat[] = ['ml-100k-item', 'ml-dat-movies', 'ml-csv-movies', 'citeulike-tags', 'lastfm-artists', 's3rec-attributes', 'csv', 'tsv', 'jsonl'];
const USER_FORMATS: readonly SideFormat[] = ['ml-100k-user', 'ml-dat-users', 'csv', 'tsv', 'jsonl'];

export interface SideOptions {
  format?: SideFormat | 'auto';
  /** Default: Latin-1 for the MovieLens 100K / 1M files, UTF-8 otherwise. */
  encoding?: TextEncoding;
  /** Generic files: the id column (default: the first column). */
  id?: string;
  /** Generic files: columns to load and their kinds (inferred when not given). Default: all columns. */
  columns?: Record<string, FeatureColumnSpec | FeatureKind>;
  /** Generic files: the delimiter (default ',' or '\t' for .tsv). */
  delimiter?: string;
  /** u.genre (ML-100K) or tags.dat (CiteULike) or tags.csv (ML-latest); default: the file beside; null: none. */
  names?: string | null;
}

/** Detects the side format from the file name (and the first line for users.dat / generic files). */
export async function detectSideFormat(path: string): Promise<SideFormat> {
  const name = basename(path).replace(/\.gz$/i, '').toLowerCase();
  if (name === 'u.item') return 'ml-100k-item';
  if (name === 'u.user') return 'ml-100k-user';
  if (name === 'movies.dat') return 'ml-dat-movies';
  if (name === 'movies.csv') return 'ml-csv-movies';
  if (name === 'item-tag.dat') return 'citeulike-tags';
  if (name === 'artists.dat') return 'lastfm-artists';
  if (name.endsWith('_item2attributes.json')) return 's3rec-attributes';
  if (/\.(jsonl|ndjson)$/.test(name)) return 'jsonl';
  const first = (await peekLines(path, 1, 'latin1'))[0] ?? '';
  if (name === 'users.dat' && first.includes('::')) return 'ml-dat-users';
  if (first.trimStart().startsWith('{')) return 'jsonl';
  if (/\.tsv$/.test(name) || first.includes('\t')) return 'tsv';
  return 'csv';
}

async function loadSide(path: string, opts: SideOptions, allowed: readonly SideFormat[], what: string): Promise<FeatureTable> {
  if (!existsSync(path)) throw new AffinityError('E_IO', `${path}: cannot open (no such file); expected a readable file`, { file: path });
  if (opts.format !== undefined && opts.format !== 'auto' && !allowed.includes(opts.format)) throw paramError('format', opts.format, `one of ${allowed.join(', ')} for ${what} features`);
  const format = !opts.format || opts.format === 'auto' ? await detectSideFormat(path) : opts.format;
  if (!allowed.includes(format)) throw new AffinityError('E_FORMAT', `${path}: ${format} holds ${what === 'item' ? 'user' : 'item'} features; expected a ${what} feature file`, { file: path });
  const dir = dirname(path);
  const beside = (file: string): string | null => (opts.names !== undefined ? opts.names : existsSync(join(dir, file)) ? join(dir, file) : null);
  const enc = opts.encoding;
  switch (format) {
    case 'ml-100k-item': {
      const g = beside('u.genre');
      return readMl100kItems(path, g ? await readGenreNames(g) : null, enc ?? 'latin1');
    }
    case 'ml-100k-user':
      return readMl100kUsers(path, enc ?? 'latin1');
    case 'ml-dat-movies':
      return readMl1mMovies(path, enc ?? 'latin1');
    case 'ml-dat-users':
      return readMl1mUsers(path, enc ?? 'latin1');
    case 'ml-csv-movies':
      return readMlLatestMovies(path, beside('tags.csv'), enc ?? 'utf8');
    case 'citeulike-tags': {
      const t = beside('tags.dat');
      return readCiteulikeTags(path, t ? await readTagNames(t) : null, enc ?? 'utf8');
    }
    case 'lastfm-artists':
      return readLastfmArtists(path, enc ?? 'utf8');
    case 's3rec-attributes':
      return readS3recAttributes(path);
    case 'csv':
    case 'tsv':
    case 'jsonl':
      return readGenericFeatures(path, {
        id: opts.id,
        columns: opts.columns,
        delimiter: opts.delimiter ?? (format === 'tsv' ? '\t' : undefined),
        encoding: enc,
        jsonl: format === 'jsonl',
      });
  }
}

/** Item features from a known side file or a generic CSV / TSV / JSONL one (see the module doc). */
export async function loadItemFeatures(path: string, opts: SideOptions = {}): Promise<FeatureTable> {
  return loadSide(path, opts, ITEM_FORMATS, 'item');
}

/** User features from u.user, ML-1M users.dat, or a generic CSV / TSV / JSONL file. */
export async function loadUserFeatures(path: string, opts: SideOptions = {}): Promise<FeatureTable> {
  return loadSide(path, opts, USER_FORMATS, 'user');
}

/** Which MovieLens release a folder holds, from its ratings file. */
export function movieLensKind(dir: string): 'ml-100k' | 'ml-1m' | 'ml-latest' | null {
  if (existsSync(join(dir, 'u.data'))) return 'ml-100k';
  if (existsSync(join(dir, 'ratings.dat'))) return 'ml-1m';
  if (existsSync(join(dir, 'ratings.csv'))) return 'ml-latest';
  return null;
}

/**
 * Loads a whole MovieLens folder (ML-100K: u.data + u.item + u.user; ML-1M / 10M: ratings.dat +
 * movies.dat + users.dat; ML-latest: ratings.csv + movies.csv + tags.csv) into one Dataset with
 * its features attached. Feature files that are absent are skipped.
 */
export async function loadMovieLensDir(dir: string, opts: LoadOptions = {}): Promise<LoadResult> {
  const kind = movieLensKind(dir);
  if (!kind) throw new AffinityError('E_FORMAT', `${dir}: no u.data, ratings.dat or ratings.csv; expected a MovieLens folder`, { file: dir });
  const files = {
    'ml-100k': { ratings: 'u.data', items: 'u.item', users: 'u.user' },
    'ml-1m': { ratings: 'ratings.dat', items: 'movies.dat', users: 'users.dat' },
    'ml-latest': { ratings: 'ratings.csv', items: 'movies.csv', users: '' },
  }[kind];
  const res = await loadInteractions(join(dir, files.ratings), opts);
  const ip = join(dir, files.items);
  const up = files.users ? join(dir, files.users) : '';
  const itemFeatures = existsSync(ip) ? await loadItemFeatures(ip) : null;
  const userFeatures = up && existsSync(up) && isMl1mUsers(up, kind) ? await loadUserFeatures(up) : null;
  return { ...res, dataset: res.dataset.withFeatures({ itemFeatures, userFeatures }) };
}

function isMl1mUsers(path: string, kind: string): boolean {
  if (kind !== 'ml-1m') return true;
  const head = readFileSync(path, { encoding: 'latin1' }).slice(0, 200);
  return head.includes('::');
}
