import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadItemFeatures, loadMovieLensDir, loadUserFeatures } from './side.js';
import { alignRows, findColumn, type FeatureColumn, type FeatureTable } from './features.js';
import { AffinityError } from '../core/errors.js';

const root = mkdtempSync(join(tmpdir(), 'affinity-side-'));
const file = (rel: string, data: string | Buffer): string => {
  const p = join(root, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, data);
  return p;
};

/** Values of a column for one id, as plain data. */
function cell(t: FeatureTable, name: string, id: string): string | number | string[] {
  const c = findColumn(t, name) as FeatureColumn;
  const r = t.ids.get(id);
  assert.ok(c && r >= 0, `${name} / ${id}`);
  switch (c.kind) {
    case 'numeric':
      return c.values[r];
    case 'text':
      return c.values[r];
    case 'categorical':
      return c.codes[r] < 0 ? '' : c.vocab[c.codes[r]];
    case 'multi':
      return Array.from(c.codes.subarray(c.indptr[r], c.indptr[r + 1]), (k) => c.vocab[k]);
  }
}

const flags = (on: number[]): string => Array.from({ length: 19 }, (_, k) => (on.includes(k) ? '1' : '0')).join('|');

test('ML-100K u.item (Latin-1) with u.genre names, and u.user', async () => {
  file('ml/u.genre', 'unknown|0\nAction|1\nAdventure|2\nAnimation|3\nChildren\'s|4\nComedy|5\nCrime|6\nDocumentary|7\nDrama|8\nFantasy|9\nFilm-Noir|10\nHorror|11\nMusical|12\nMystery|13\nRomance|14\nSci-Fi|15\nThriller|16\nWar|17\nWestern|18\n\n');
  const item = Buffer.concat([
    Buffer.from(`1|Toy Story (1995)|01-Jan-1995||http://x|${flags([3, 4, 5])}\n`),
    Buffer.from('2|Cit'),
    Buffer.from([0xe9]),
    Buffer.from(` (1999)|||http://y|${flags([])}\n`),
  ]);
  const t = await loadItemFeatures(file('ml/u.item', item));
  assert.equal(t.ids.size, 2);
  assert.deepEqual(cell(t, 'title', '2'), 'Cité (1999)');
  assert.deepEqual(cell(t, 'year', '1'), 1995);
  assert.ok(Number.isNaN(cell(t, 'year', '2') as number));
  assert.deepEqual(cell(t, 'genres', '1'), ['Animation', "Children's", 'Comedy']);
  assert.deepEqual(cell(t, 'genres', '2'), []);
  const u = await loadUserFeatures(file('ml/u.user', '1|24|M|technician|85711\n2|53|F|other|94043\n3|15|M|student|T8H1N\n'));
  assert.deepEqual(
    ['age', 'ageBand', 'gender', 'occupation', 'region'].map((c) => cell(u, c, '1')),
    [24, '18-24', 'M', 'technician', '8'],
  );
  assert.equal(cell(u, 'ageBand', '2'), '50-55');
  assert.equal(cell(u, 'ageBand', '3'), 'under 18');
  assert.equal(cell(u, 'region', '3'), '');
});

test('ML-1M movies.dat and users.dat', async () => {
  const m = await loadItemFeatures(file('m1/movies.dat', '1::Toy Story (1995)::Animation|Children\'s|Comedy\n2::Jumanji (1995)::Adventure\n'));
  assert.deepEqual(cell(m, 'genres', '1'), ['Animation', "Children's", 'Comedy']);
  assert.equal(cell(m, 'year', '2'), 1995);
  const u = await loadUserFeatures(file('m1/users.dat', '1::F::1::10::48067\n2::M::56::16::70072\n'));
  assert.deepEqual(
    ['age', 'ageBand', 'gender', 'occupation', 'region'].map((c) => cell(u, c, '2')),
    [56, '56+', 'M', 'self-employed', '7'],
  );
  assert.equal(cell(u, 'occupation', '1'), 'K-12 student');
});

test('ML-latest movies.csv with tags.csv beside it', async () => {
  file('latest/tags.csv', 'userId,movieId,tag,timestamp\n2,1,Pixar,1\n3,1,pixar,2\n3,2,Funny,3\n3,999,orphan,4\n');
  const t = await loadItemFeatures(file('latest/movies.csv', 'movieId,title,genres\n1,Toy Story (1995),Adventure|Animation\n2,"American President, The (1995)",Comedy|Drama|Romance\n3,Untitled,(no genres listed)\n'));
  assert.equal(t.ids.size, 3);
  assert.equal(cell(t, 'title', '2'), 'American President, The (1995)');
  assert.equal(cell(t, 'year', '2'), 1995);
  assert.ok(Number.isNaN(cell(t, 'year', '3') as number));
  assert.deepEqual(cell(t, 'genres', '3'), []);
  assert.deepEqual(cell(t, 'tags', '1'), ['pixar']);
  assert.deepEqual(cell(t, 'tags', '2'), ['funny']);
  const bare = await loadItemFeatures(join(root, 'latest/movies.csv'), { names: null });
  assert.equal(findColumn(bare, 'tags'), undefined);
});

test('CiteULike item-tag.dat with tags.dat, Last.fm artists.dat, S3Rec attributes', async () => {
  file('cite/tags.dat', 'ml\nstats\ngraphs\n');
  const c = await loadItemFeatures(file('cite/item-tag.dat', '2 0 2\n0\n1 1\n'));
  assert.deepEqual(cell(c, 'tags', '0'), ['ml', 'graphs']);
  assert.deepEqual(cell(c, 'tags', '1'), []);
  assert.deepEqual(cell(c, 'tags', '2'), ['stats']);
  const a = await loadItemFeatures(file('fm/artists.dat', 'id\tname\turl\tpictureURL\n1\tMALICE MIZER\thttp://a\thttp://b\n2\tBjörk\thttp://c\t\n'));
  assert.equal(cell(a, 'name', '2'), 'Björk');
  const s = await loadItemFeatures(file('s3/Beauty_item2attributes.json', '{"4": [1, 2, 3], "83": [4, 1]}'));
  assert.deepEqual(cell(s, 'attributes', '83'), ['4', '1']);
});

test('generic CSV with given kinds and inferred kinds; JSONL', async () => {
  const p = file('gen/items.csv', 'sku,genres,year,title,color\na,x|y,1999,Alpha,red\nb,y,2001,Beta,red\nc,,2005,Gamma,blue\nd,z,,Delta,red\n');
  const t = await loadItemFeatures(p, { id: 'sku', columns: { genres: { kind: 'multi', sep: '|' }, year: { kind: 'numeric' }, title: { kind: 'text' } } });
  assert.deepEqual(t.columns.map((c) => `${c.name}:${c.kind}`), ['genres:multi', 'year:numeric', 'title:text']);
  assert.deepEqual(cell(t, 'genres', 'a'), ['x', 'y']);
  assert.ok(Number.isNaN(cell(t, 'year', 'd') as number));
  const inferred = await loadItemFeatures(p, { id: 'sku' });
  assert.deepEqual(inferred.columns.map((c) => `${c.name}:${c.kind}`), ['genres:multi', 'year:numeric', 'title:text', 'color:categorical']);
  const j = await loadUserFeatures(file('gen/users.jsonl', '{"id":"u1","age":30,"tags":["a","b"],"country":"fr"}\n{"id":"u2","age":41,"tags":[],"country":"fr"}\n{"id":"u3","country":"de"}\n'));
  assert.deepEqual(j.columns.map((c) => `${c.name}:${c.kind}`), ['age:numeric', 'tags:multi', 'country:categorical']);
  assert.deepEqual(cell(j, 'tags', 'u1'), ['a', 'b']);
  assert.ok(Number.isNaN(cell(j, 'age', 'u3') as number));
});

test('wrong side file kind and malformed side rows are errors', async () => {
  await assert.rejects(loadUserFeatures(join(root, 'ml/u.item')), (e: AffinityError) => e.code === 'E_FORMAT');
  const bad = file('bad/u.user', '1|24|M|technician|85711\n2|53|F\n');
  await assert.rejects(loadUserFeatures(bad), (e: AffinityError) => e.message === `${bad}:2: 3 fields; expected 5 fields: id age gender occupation zip`);
  const nonnum = file('bad2/items.csv', 'id,year\na,1999\nb,soon\n');
  await assert.rejects(loadItemFeatures(nonnum, { columns: { year: 'numeric' } }), (e: AffinityError) => e.message === `${nonnum}:3: year "soon" is not a number; expected a number (column year is numeric)`);
});

test('loadMovieLensDir attaches item and user features aligned to the dataset', async () => {
  file('ml/u.data', '1\t1\t5\t881250949\n2\t2\t3\t891717742\n1\t2\t4\t878887116\n');
  const r = await loadMovieLensDir(join(root, 'ml'));
  const d = r.dataset;
  assert.equal(d.size, 3);
  assert.ok(d.itemFeatures && d.userFeatures);
  const rows = alignRows(d.itemFeatures, d.items);
  assert.deepEqual([...rows], [0, 1]);
  assert.deepEqual(cell(d.itemFeatures, 'genres', d.items.id(0)), ['Animation', "Children's", 'Comedy']);
  assert.equal(cell(d.userFeatures, 'gender', '2'), 'F');
  await assert.rejects(loadMovieLensDir(join(root, 'gen')), (e: AffinityError) => e.code === 'E_FORMAT');
});
