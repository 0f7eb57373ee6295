/**
 * MovieLens side files: ML-100K u.item / u.user / u.genre, ML-1M movies.dat / users.dat, and
 * ML-latest movies.csv (+ tags.csv).
 */
import { existsSync } from 'node:fs';
import { parseError } from '../../core/errors.js';
import type { FeatureTable } from '../features.js';
import { expectFields, FeatureTableBuilder, readRecords } from './feature-builder.js';
import type { TextEncoding } from './lines.js';

/** The 19 genres of ML-100K u.genre, in flag order. */
export const ML100K_GENRES = [
  'unknown', 'Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime', 'Documentary', 'Drama', 'Fantasy',
  'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western',
];

/** ML-1M occupation codes 0..20. */
export const ML1M_OCCUPATIONS = [
  'other', 'academic/educator', 'artist', 'clerical/admin', 'college/grad student', 'customer service', 'doctor/health care',
  'executive/managerial', 'farmer', 'homemaker', 'K-12 student', 'lawyer', 'programmer', 'retired', 'sales/marketing',
  'scientist', 'self-employed', 'technician/engineer', 'tradesman/craftsman', 'unemployed', 'writer',
];

const ML1M_AGE_BANDS: Record<string, string> = { '1': 'under 18', '18': '18-24', '25': '25-34', '35': '35-44', '45': '45-49', '50': '50-55', '56': '56+' };

/** The ML-1M age band of an age in years: under 18, 18-24, 25-34, 35-44, 45-49, 50-55, 56+. */
export function ageBand(age: number): string {
  if (!Number.isFinite(age)) return '';
  if (age < 18) return 'under 18';
  if (age < 25) return '18-24';
  if (age < 35) return '25-34';
  if (age < 45) return '35-44';
  if (age < 50) return '45-49';
  if (age < 56) return '50-55';
  return '56+';
}

/** First digit of a zip code ('' for non-US codes such as 'T8H1N'). */
export function zipRegion(zip: string): string {
  const c = zip.trim().charAt(0);
  return c >= '0' && c <= '9' ? c : '';
}

/** Genre names from u.genre (`name|id`), ordered by id. */
export async function readGenreNames(path: string, encoding: TextEncoding = 'latin1'): Promise<string[]> {
  const names: string[] = [];
  for await (const r of readRecords(path, '|', encoding)) {
    expectFields(path, r, 2, 'name id');
    const id = Number(r.fields[1]);
    if (!Number.isInteger(id) || id < 0) throw parseError(path, r.line, `genre id ${JSON.stringify(r.fields[1])}`, 'a whole number');
    names[id] = r.fields[0];
  }
  return Array.from(names, (n, k) => n ?? `genre${k}`);
}

const yearOf = (s: string): number => {
  const m = /(\d{4})\s*$/.exec(s.trim());
  return m ? Number(m[1]) : NaN;
};

/** ML-100K u.item: title (text), year (numeric, from the release date), genres (multi, from the flags). */
export async function readMl100kItems(path: string, genres: string[] | null, encoding: TextEncoding = 'latin1'): Promise<FeatureTable> {
  const names = genres ?? ML100K_GENRES;
  const b = new FeatureTableBuilder().column('title', 'text').column('year', 'numeric').column('genres', 'multi', names);
  const nf = 5 + names.length;
  for await (const r of readRecords(path, '|', encoding)) {
    expectFields(path, r, nf, `id title release_date video_release_date imdb_url + ${names.length} genre flags`);
    const row = b.row(r.fields[0]);
    b.set('title', row, r.fields[1]);
    b.set('year', row, yearOf(r.fields[2]));
    const g: string[] = [];
    for (let k = 0; k < names.length; k++) {
      const flag = r.fields[5 + k];
      if (flag === '1') g.push(names[k]);
      else if (flag !== '0') throw parseError(path, r.line, `genre flag ${JSON.stringify(flag)} for ${names[k]}`, '0 or 1');
    }
    b.add('genres', row, g);
  }
  return b.build();
}

/** ML-100K u.user: age (numeric), ageBand, gender, occupation, region (first zip digit), all categorical but age. */
export async function readMl100kUsers(path: string, encoding: TextEncoding = 'latin1'): Promise<FeatureTable> {
  const b = userBuilder();
  for await (const r of readRecords(path, '|', encoding)) {
    expectFields(path, r, 5, 'id age gender occupation zip');
    const age = Number(r.fields[1]);
    if (!Number.isFinite(age) || r.fields[1].trim() === '') throw parseError(path, r.line, `age ${JSON.stringify(r.fields[1])}`, 'a number of years');
    setUser(b, r.fields[0], age, ageBand(age), r.fields[2], r.fields[3], r.fields[4]);
  }
  return b.build();
}

function userBuilder(): FeatureTableBuilder {
  return new FeatureTableBuilder().column('age', 'numeric').column('ageBand', 'categorical').column('gender', 'categorical').column('occupation', 'categorical').column('region', 'categorical');
}

function setUser(b: FeatureTableBuilder, id: string, age: number, band: string, gender: string, occupation: string, zip: string): void {
  const row = b.row(id);
  b.set('age', row, age);
  b.set('ageBand', row, band);
  b.set('gender', row, gender);
  b.set('occupation', row, occupation);
  b.set('region', row, zipRegion(zip));
}

/** ML-1M users.dat `id::gender::age::occupation::zip` (age is the band code 1, 18, 25, ...; occupation a code 0..20). */
export async function readMl1mUsers(path: string, encoding: TextEncoding = 'latin1'): Promise<FeatureTable> {
  const b = userBuilder();
  for await (const r of readRecords(path, '::', encoding)) {
    expectFields(path, r, 5, 'id gender age occupation zip');
    const band = ML1M_AGE_BANDS[r.fields[2]];
    if (band === undefined) throw parseError(path, r.line, `age code ${JSON.stringify(r.fields[2])}`, `one of ${Object.keys(ML1M_AGE_BANDS).join(', ')}`);
    const occ = ML1M_OCCUPATIONS[Number(r.fields[3])];
    if (occ === undefined || r.fields[3].trim() === '') throw parseError(path, r.line, `occupation code ${JSON.stringify(r.fields[3])}`, 'a code 0..20');
    setUser(b, r.fields[0], Number(r.fields[2]), band, r.fields[1], occ, r.fields[4]);
  }
  return b.build();
}

const TITLE_YEAR = /\((\d{4})(?:[-–]\d{0,4})?\)\s*$/;

/** Year from a title such as "Toy Story (1995)"; NaN when there is none. */
export function titleYear(title: string): number {
  const m = TITLE_YEAR.exec(title);
  return m ? Number(m[1]) : NaN;
}

const splitGenres = (s: string): string[] => (s === '(no genres listed)' ? [] : s.split('|').filter((g) => g !== ''));

/** ML-1M movies.dat `id::title::Genre|Genre`: title (text), year (numeric, from the title), genres (multi). */
export async function readMl1mMovies(path: string, encoding: TextEncoding = 'latin1'): Promise<FeatureTable> {
  const b = new FeatureTableBuilder().column('title', 'text').column('year', 'numeric').column('genres', 'multi');
  for await (const r of readRecords(path, '::', encoding)) {
    expectFields(path, r, 3, 'id title genres');
    const row = b.row(r.fields[0]);
    b.set('title', row, r.fields[1]);
    b.set('year', row, titleYear(r.fields[1]));
    b.add('genres', row, splitGenres(r.fields[2]));
  }
  return b.build();
}

/**
 * ML-latest movies.csv (`movieId,title,genres`): title, year, genres ('(no genres listed)' = none), and
 * with `tagsPath` (tags.csv `userId,movieId,tag,timestamp`) a multi column 'tags' of lowercased tags.
 * Tags of movies missing from movies.csv are ignored.
 */
export async function readMlLatestMovies(path: string, tagsPath: string | null, encoding: TextEncoding = 'utf8'): Promise<FeatureTable> {
  const b = new FeatureTableBuilder().column('title', 'text').column('year', 'numeric').column('genres', 'multi');
  let first = true;
  for await (const r of readRecords(path, ',', encoding)) {
    if (first) {
      first = false;
      if (r.fields[0].toLowerCase() === 'movieid') {
        expectFields(path, r, 3, 'movieId title genres');
        continue;
      }
    }
    expectFields(path, r, 3, 'movieId title genres');
    const row = b.row(r.fields[0]);
    b.set('title', row, r.fields[1]);
    b.set('year', row, titleYear(r.fields[1]));
    b.add('genres', row, splitGenres(r.fields[2]));
  }
  if (tagsPath && existsSync(tagsPath)) {
    b.column('tags', 'multi');
    let head = true;
    for await (const r of readRecords(tagsPath, ',', encoding)) {
      if (head) {
        head = false;
        if (r.fields[1]?.toLowerCase() === 'movieid') continue;
      }
      expectFields(tagsPath, r, 4, 'userId movieId tag timestamp');
      if (!b.ids.has(r.fields[1])) continue;
      b.add('tags', b.row(r.fields[1]), [r.fields[2].trim().toLowerCase()]);
    }
  }
  return b.build();
}
