/**
 * Integration tests on the real datasets in /work/shared/data (run with AFFINITY_DATA set; skipped otherwise).
 * Expected figures are those verified in shared/data/README.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { sharedData, SKIP_NO_DATA } from '../../test/helpers/data.js';
import { loadInteractions, loadTrainTest } from './load.js';
import { loadItemFeatures, loadMovieLensDir, loadUserFeatures } from './side.js';
import { detectFormat } from './readers/detect.js';
import { isGzipFile, peekLines } from './readers/lines.js';
import { findColumn } from './features.js';

const skip = (p: string | null): { skip: string | false } => ({ skip: p ? false : SKIP_NO_DATA });

const u100k = sharedData('ml-100k/u.data');
test('ml-100k u.data: 100,000 ratings, 943 users, 1,682 items, known rating counts', skip(u100k), async () => {
  const r = await loadInteractions(u100k as string);
  const d = r.dataset;
  assert.equal(r.format, 'ml-100k');
  assert.equal(d.size, 100000);
  assert.equal(d.nUsers, 943);
  assert.equal(d.nItems, 1682);
  assert.equal(d.kind, 'explicit');
  assert.deepEqual(d.ratingScale, [1, 5]);
  const counts: Record<number, number> = {};
  for (const v of d.value) counts[v] = (counts[v] ?? 0) + 1;
  assert.deepEqual(counts, { 1: 6110, 2: 11370, 3: 27145, 4: 34174, 5: 21201 });
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of d.time as Float64Array) {
    lo = Math.min(lo, t);
    hi = Math.max(hi, t);
  }
  assert.deepEqual([lo, hi], [874724710, 893286638]);
});

const uitem = sharedData('ml-100k/u.item');
test('ml-100k u.item: 1,682 items with genres; u.user 943 users', skip(uitem), async () => {
  const t = await loadItemFeatures(uitem as string);
  assert.equal(t.ids.size, 1682);
  const g = findColumn(t, 'genres');
  assert.ok(g && g.kind === 'multi');
  assert.equal(g.vocab.length, 19);
  assert.deepEqual(Array.from(g.codes.subarray(g.indptr[0], g.indptr[1]), (k) => g.vocab[k]), ['Animation', "Children's", 'Comedy']);
  const u = await loadUserFeatures(`${dirname(uitem as string)}/u.user`);
  assert.equal(u.ids.size, 943);
  const occ = findColumn(u, 'occupation');
  assert.ok(occ && occ.kind === 'categorical');
  assert.equal(occ.vocab.length, 21);
  const r = await loadMovieLensDir(dirname(uitem as string));
  assert.equal(r.dataset.size, 100000);
  assert.ok(r.dataset.itemFeatures && r.dataset.userFeatures);
});

const u1base = sharedData('ml-100k/u1.base');
test('ml-100k u1.base + u1.test = u.data in one dataset with a fold', skip(u1base), async () => {
  const { data, fold } = await loadTrainTest(u1base as string, `${dirname(u1base as string)}/u1.test`);
  assert.equal(data.size, 100000);
  assert.equal(fold.trainRows.length, 80000);
  assert.equal(fold.testRows.length, 20000);
  assert.equal(data.nUsers, 943);
  assert.equal(data.nItems, 1682);
});

const latest = sharedData('ml-latest-small/ratings.csv');
test('ml-latest-small: 100,836 ratings, 610 users, 9,724 movies, scale [0.5, 5]; 9,742 movies with tags', skip(latest), async () => {
  const r = await loadInteractions(latest as string);
  assert.equal(r.format, 'ml-csv');
  assert.equal(r.dataset.size, 100836);
  assert.equal(r.dataset.nUsers, 610);
  assert.equal(r.dataset.nItems, 9724);
  assert.deepEqual(r.dataset.ratingScale, [0.5, 5]);
  const m = await loadItemFeatures(`${dirname(latest as string)}/movies.csv`);
  assert.equal(m.ids.size, 9742);
  const tags = findColumn(m, 'tags');
  assert.ok(tags && tags.kind === 'multi' && tags.codes.length > 1000);
});

const cite = sharedData('citeulike-a/users.dat');
test('citeulike-a users.dat: 204,986 pairs, 5,551 users, 16,980 items', skip(cite), async () => {
  const r = await loadInteractions(cite as string);
  assert.equal(r.format, 'citeulike');
  assert.equal(r.dataset.size, 204986);
  assert.equal(r.dataset.nUsers, 5551);
  assert.equal(r.dataset.nItems, 16980);
  assert.equal(r.dataset.kind, 'implicit');
});

const lastfm = sharedData('hetrec2011-lastfm-2k/user_artists.dat');
test('Last.fm user_artists.dat (CRLF, header): 92,834 rows, 69,183,975 plays', skip(lastfm), async () => {
  const r = await loadInteractions(lastfm as string);
  assert.equal(r.dataset.size, 92834);
  assert.equal(r.dataset.nUsers, 1892);
  assert.equal(r.dataset.nItems, 17632);
  let plays = 0;
  for (const v of r.dataset.value) plays += v;
  assert.equal(plays, 69183975);
});

const beauty = sharedData('amazon-s3rec/Beauty.txt');
test('S3Rec Beauty (user-lists): 22,363 users, 12,101 items, 198,502 interactions', skip(beauty), async () => {
  const r = await loadInteractions(beauty as string);
  assert.equal(r.format, 'user-lists');
  assert.deepEqual([r.dataset.size, r.dataset.nUsers, r.dataset.nItems], [198502, 22363, 12101]);
});

const synth = sharedData('synth-5m/synth-5m.tsv.gz');
test('synth-5m.tsv.gz is gzip with user, item, count (full load is in bench/load-csv.ts)', skip(synth), async () => {
  assert.equal(isGzipFile(synth as string), true);
  assert.equal(await detectFormat(synth as string), 'tsv');
  const first = await peekLines(synth as string, 5);
  assert.equal(first.length, 5);
  for (const l of first) assert.match(l, /^\d+\t\d+\t\d+$/);
});
