// `affinity data inspect | fetch | register` through the real CLI (node bin/affinity.js, built dist/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { sharedData, SKIP_NO_DATA } from './helpers/data.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'affinity.js');
const built = existsSync(join(import.meta.dirname, '..', 'dist', 'cli', 'main.js'));
const skipBuild = built ? false : 'dist/ is not built (npm test builds it first)';

function affinity(args: string[], env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 16 << 20, env: { ...process.env, ...env }, timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'aff-cli-data-'));
}

/** No stack trace in what the CLI printed. */
function noStack(text: string): void {
  assert.doesNotMatch(text, /\n\s+at /);
  assert.doesNotMatch(text, /internal error/);
}

// 9 lines: line 4 has a non-numeric rating, line 7 is truncated, line 8 is blank, (u3, i2) appears twice
// (policy 'last' keeps rating 2). Valid rows: 6; after merging the duplicate: 5 interactions.
const SMALL = [
  'u1\ti1\t5\t1000000000',
  'u1\ti2\t3\t1000000100',
  'u2\ti1\t4\t1000000200',
  'u2\ti3\tfive\t1000000300',
  'u3\ti2\t4\t1000000400',
  'u3\ti2\t2\t1000000500',
  'u3\ti3',
  '',
  'u4\ti3\t1\t1000086400',
].join('\n') + '\n';

interface InspectJson {
  path: string;
  format: string;
  rowsRead: number;
  skipped: number;
  skippedByKind: Record<string, number>;
  skippedExamples: string[];
  kind: string;
  interactions: number;
  users: number;
  items: number;
  density: number;
  valueRange: [number, number];
  valueCounts?: Record<string, number>;
  ratingScale: [number, number] | null;
  medianRowsPerUser: number;
  maxRowsPerUser: number;
  timeRange: [string, string] | null;
  itemFeatures: string[];
  userFeatures: string[];
}

test('data inspect: a bad row stops the load with file:line, exit 2, no stack trace', { skip: skipBuild }, () => {
  const dir = tmp();
  const f = join(dir, 'small.tsv');
  writeFileSync(f, SMALL);
  const r = affinity(['data', 'inspect', f]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /small\.tsv:4: non-numeric rating "five"; expected a number/);
  noStack(r.stderr);
  rmSync(dir, { recursive: true, force: true });
});

test('data inspect --skip-bad-rows --json: format, counts, value counts, time range and the skipped-row report', { skip: skipBuild }, () => {
  const dir = tmp();
  const f = join(dir, 'small.tsv');
  writeFileSync(f, SMALL);
  const r = affinity(['data', 'inspect', f, '--skip-bad-rows', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'one JSON object on stdout');
  const j = JSON.parse(lines[0]) as InspectJson;
  assert.equal(j.path, f);
  assert.equal(j.format, 'tsv');
  assert.equal(j.rowsRead, 6);
  assert.equal(j.skipped, 2);
  assert.deepEqual(j.skippedByKind, { number: 1, fields: 1 });
  assert.equal(j.skippedExamples.length, 2);
  assert.match(j.skippedExamples[0], /small\.tsv:4: non-numeric rating "five"/);
  assert.match(j.skippedExamples[1], /small\.tsv:7: 2 fields; expected 4 fields/);
  assert.equal(j.kind, 'explicit');
  assert.equal(j.interactions, 5);
  assert.equal(j.users, 4);
  assert.equal(j.items, 3);
  assert.equal(j.density, Number((5 / 12).toPrecision(4)));
  assert.deepEqual(j.valueRange, [1, 5]);
  // (u3, i2) kept its last rating, 2; the 4 of the earlier row is gone
  assert.deepEqual(j.valueCounts, { '1': 1, '2': 1, '3': 1, '4': 1, '5': 1 });
  assert.deepEqual(j.ratingScale, [1, 5]);
  assert.equal(j.medianRowsPerUser, 1); // rows per user sorted: 1, 1, 1, 2
  assert.equal(j.maxRowsPerUser, 2);
  assert.deepEqual(j.timeRange, ['2001-09-09T01:46:40.000Z', '2001-09-10T01:46:40.000Z']);
  assert.deepEqual(j.itemFeatures, []);
  assert.deepEqual(j.userFeatures, []);
  rmSync(dir, { recursive: true, force: true });
});

test('data inspect (table): properties on stdout, the skipped rows reported on stderr; --duplicates sum', { skip: skipBuild }, () => {
  const dir = tmp();
  const f = join(dir, 'small.tsv.gz');
  writeFileSync(f, gzipSync(SMALL)); // gzip is read transparently
  const r = affinity(['data', 'inspect', f, '--skip-bad-rows']);
  assert.equal(r.code, 0, r.stderr);
  const row = (k: string): string => {
    const m = r.stdout.match(new RegExp(`^${k}\\s+(.*?)\\s*$`, 'm'));
    assert.ok(m, `no row ${k} in\n${r.stdout}`);
    return m[1];
  };
  assert.equal(row('format'), 'tsv');
  assert.equal(row('interactions'), '5');
  assert.equal(row('skipped'), '2');
  assert.equal(row('skippedByKind'), '{"number":1,"fields":1}');
  assert.doesNotMatch(r.stdout, /skippedExamples/);
  assert.match(r.stderr, /skipped 2 bad rows \(number: 1, fields: 1\)/);
  assert.match(r.stderr, /small\.tsv\.gz:7: 2 fields/);
  const sum = affinity(['data', 'inspect', f, '--skip-bad-rows', '--duplicates', 'sum', '--json']);
  assert.equal(sum.code, 0, sum.stderr);
  const j = JSON.parse(sum.stdout) as InspectJson;
  assert.deepEqual(j.valueCounts, { '1': 1, '3': 1, '4': 1, '5': 1, '6': 1 }); // 4 + 2
  rmSync(dir, { recursive: true, force: true });
});

test('data inspect of a MovieLens 100K folder attaches u.item (Latin-1) and u.user', { skip: skipBuild }, () => {
  const dir = tmp();
  writeFileSync(join(dir, 'u.data'), '1\t1\t5\t881250949\n1\t2\t3\t881250950\n2\t1\t4\t881250951\n2\t3\t1\t881250952\n');
  const flags = (on: number[]): string => Array.from({ length: 19 }, (_, g) => (on.includes(g) ? '1' : '0')).join('|');
  const item = [`1|Toy Story (1995)|01-Jan-1995||http://x|${flags([3, 4, 5])}`, `2|Caf\u00e9 (1995)|01-Jan-1995||http://y|${flags([1])}`, `3|Three (1996)|01-Jan-1996||http://z|${flags([8])}`];
  writeFileSync(join(dir, 'u.item'), Buffer.from(item.join('\n') + '\n', 'latin1'));
  writeFileSync(join(dir, 'u.user'), '1|24|M|technician|85711\n2|53|F|other|94043\n');
  const r = affinity(['data', 'inspect', dir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as InspectJson;
  assert.equal(j.format, 'ml-100k');
  assert.equal(j.interactions, 4);
  assert.equal(j.users, 2);
  assert.equal(j.items, 3);
  assert.deepEqual(j.valueCounts, { '1': 1, '3': 1, '4': 1, '5': 1 });
  assert.deepEqual(j.timeRange, ['1997-12-04T15:55:49.000Z', '1997-12-04T15:55:52.000Z']);
  assert.deepEqual(j.itemFeatures, ['title:text', 'year:numeric', 'genres:multi']);
  assert.ok(j.userFeatures.includes('gender:categorical') && j.userFeatures.includes('occupation:categorical'), j.userFeatures.join());
  const empty = tmp();
  const bad = affinity(['data', 'inspect', empty]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /no u\.data, ratings\.dat or ratings\.csv; expected a MovieLens folder/);
  noStack(bad.stderr);
  rmSync(dir, { recursive: true, force: true });
  rmSync(empty, { recursive: true, force: true });
});

const ml100k = sharedData('ml-100k/u.data');
test('data inspect of shared ml-100k/ matches its README (100,000 ratings, 943 x 1,682, counts, time range)', { skip: skipBuild || (ml100k ? false : SKIP_NO_DATA) }, () => {
  const r = affinity(['data', 'inspect', join(ml100k!, '..'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as InspectJson;
  assert.equal(j.format, 'ml-100k');
  assert.equal(j.rowsRead, 100000);
  assert.equal(j.interactions, 100000);
  assert.equal(j.users, 943);
  assert.equal(j.items, 1682);
  assert.equal(j.density, Number((100000 / (943 * 1682)).toPrecision(4)));
  assert.deepEqual(j.valueCounts, { '1': 6110, '2': 11370, '3': 27145, '4': 34174, '5': 21201 });
  // 874724710 .. 893286638 unix seconds
  assert.deepEqual(j.timeRange, [new Date(874724710e3).toISOString(), new Date(893286638e3).toISOString()]);
  assert.equal(j.itemFeatures.length, 3);
  assert.equal(j.userFeatures.length, 5);
});

interface ListEntry {
  name: string;
  status: string;
  checksums: string;
  verification: string;
  path: string | null;
  url: string | null;
}

test('data register + fetch --list with a temp AFFINITY_HOME; fetch of a registered name prints its folder', { skip: skipBuild }, () => {
  const home = tmp();
  const env = { AFFINITY_HOME: home };
  const before = affinity(['data', 'fetch', '--list', '--json'], env);
  assert.equal(before.code, 0, before.stderr);
  const list0 = JSON.parse(before.stdout) as ListEntry[];
  assert.deepEqual(list0.map((d) => [d.name, d.status, d.verification]), [
    ['ml-100k', 'remote', 'sha256'],
    ['ml-1m', 'remote', 'not checksum-verified (no SHA-256 recorded; files checked for presence only)'],
    ['ml-latest-small', 'remote', 'sha256'],
  ]);
  assert.equal(list0[1].checksums, 'none');

  // a folder holding u.data can stand in for ml-100k; any folder can be registered under a new name
  const ml = join(home, 'my-ml-100k');
  mkdirSync(ml);
  writeFileSync(join(ml, 'u.data'), '1\t1\t5\t881250949\n');
  const reg = affinity(['data', 'register', 'ml-100k', ml], env);
  assert.equal(reg.code, 0, reg.stderr);
  assert.equal(reg.stdout, `ml-100k -> ${ml}\n`);
  const other = join(home, 'events');
  mkdirSync(other);
  assert.equal(affinity(['data', 'register', 'shop-events', other], env).code, 0);
  assert.deepEqual(JSON.parse(readFileSync(join(home, 'sources.json'), 'utf8')), { version: 1, local: { 'ml-100k': ml, 'shop-events': other } });

  const after = affinity(['data', 'fetch', '--list', '--json'], env);
  const list1 = JSON.parse(after.stdout) as ListEntry[];
  assert.deepEqual(list1.map((d) => [d.name, d.status, d.path]), [
    ['ml-100k', 'local', ml],
    ['ml-1m', 'remote', null],
    ['ml-latest-small', 'remote', null],
    ['shop-events', 'local', other],
  ]);
  // the table: one row per dataset with status, verification and where it is
  const table = affinity(['data', 'fetch', '--list'], env);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^dataset\s+title\s+status\s+verified\s+where\s*$/m);
  assert.match(table.stdout, new RegExp(`^ml-100k\\s.*\\slocal\\s+sha256\\s+${ml.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\s*$`, 'm'));
  assert.match(table.stdout, /^ml-1m\s.*\sremote\s+not checksum-verified \(no SHA-256 recorded; files checked for presence only\)\s+https:\/\/files\.grouplens\.org\/datasets\/movielens\/ml-1m\.zip\s*$/m);
  assert.match(table.stdout, /^shop-events\s.*\slocal\s/m);

  const got = affinity(['data', 'fetch', 'ml-100k'], env);
  assert.equal(got.code, 0, got.stderr);
  assert.equal(got.stdout, `ml-100k: ${ml}\n`);
  rmSync(home, { recursive: true, force: true });
});

test('data register refuses a folder without the dataset\'s main file, a missing folder and a bad name (exit 2)', { skip: skipBuild }, () => {
  const home = tmp();
  const env = { AFFINITY_HOME: home };
  const emptyDir = join(home, 'empty');
  mkdirSync(emptyDir);
  const noMain = affinity(['data', 'register', 'ml-100k', emptyDir], env);
  assert.equal(noMain.code, 2);
  assert.match(noMain.stderr, /dir: got ".*empty"; expected a folder holding ml-100k's u\.data/);
  noStack(noMain.stderr);
  const missing = affinity(['data', 'register', 'x', join(home, 'nope')], env);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope: no such folder \(to register as x\)/);
  const badName = affinity(['data', 'register', 'a/b', emptyDir], env);
  assert.equal(badName.code, 2);
  assert.match(badName.stderr, /name: got "a\/b"; expected a dataset name of letters, digits/);
  assert.equal(existsSync(join(home, 'sources.json')), false);
  rmSync(home, { recursive: true, force: true });
});

test('data fetch without a network: E_OFFLINE says so and where to put the files (exit 2, no stack trace)', { skip: skipBuild }, () => {
  const home = tmp();
  const r = affinity(['data', 'fetch', 'ml-latest-small'], { AFFINITY_HOME: home });
  if (r.code === 0) {
    // This machine has a network: the download must then have been verified and cached.
    assert.match(r.stdout, /^ml-latest-small: /);
    assert.ok(existsSync(join(home, 'datasets', 'ml-latest-small', '.complete')));
  } else {
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    const url = 'https://files.grouplens.org/datasets/movielens/ml-latest-small.zip';
    assert.ok(r.stderr.includes(`affinity: cannot download ml-latest-small from ${url}: no network (`), r.stderr);
    assert.ok(r.stderr.includes(`download ${url} elsewhere and either put the zip at ${join(home, 'datasets', 'ml-latest-small.zip')}`), r.stderr);
    assert.ok(r.stderr.includes(`or put its files (ratings.csv, movies.csv, tags.csv, links.csv) into ${join(home, 'datasets', 'ml-latest-small')}`), r.stderr);
    assert.ok(r.stderr.includes('or register a folder that holds them: affinity data register ml-latest-small <folder>'), r.stderr);
    noStack(r.stderr);
    assert.equal(existsSync(join(home, 'datasets', 'ml-latest-small')), false, 'nothing half-written in the cache');
  }
  const unknown = affinity(['data', 'fetch', 'ml-25m'], { AFFINITY_HOME: home });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /dataset: got "ml-25m"; expected one of ml-100k, ml-1m, ml-latest-small, or a name registered/);
  rmSync(home, { recursive: true, force: true });
});

const latest = sharedData('ml-latest-small/ratings.csv');
test('data fetch offline, then the same files put where the message said: fetched from the cache, verified', { skip: skipBuild || (latest ? false : SKIP_NO_DATA) }, () => {
  const home = tmp();
  const dir = join(home, 'datasets', 'ml-latest-small');
  mkdirSync(dir, { recursive: true });
  for (const f of ['ratings.csv', 'movies.csv', 'tags.csv', 'links.csv']) writeFileSync(join(dir, f), readFileSync(join(latest!, '..', f)));
  const r = affinity(['data', 'fetch', 'ml-latest-small'], { AFFINITY_HOME: home });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `ml-latest-small: ${dir}\n`);
  assert.equal(JSON.parse(readFileSync(join(dir, '.complete'), 'utf8')).source, 'by hand');
  const list = JSON.parse(affinity(['data', 'fetch', '--list', '--json'], { AFFINITY_HOME: home }).stdout) as ListEntry[];
  assert.deepEqual([list[2].status, list[2].path], ['cached', dir]);
  // a corrupted copy is refused by its checksum
  writeFileSync(join(dir, 'ratings.csv'), 'userId,movieId,rating,timestamp\n1,1,4.0,964982703\n');
  rmSync(join(dir, '.complete'));
  const bad = affinity(['data', 'fetch', 'ml-latest-small'], { AFFINITY_HOME: home });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /ratings\.csv: SHA-256 [0-9a-f]{64} does not match the expected aa289ca8/);
  noStack(bad.stderr);
  rmSync(home, { recursive: true, force: true });
});

test('data fetch ml-1m from files put by hand: accepted on presence only, and it says it is not checksum-verified', { skip: skipBuild }, () => {
  const home = tmp();
  const dir = join(home, 'datasets', 'ml-1m');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ratings.dat'), '1::1193::5::978300760\n');
  writeFileSync(join(dir, 'movies.dat'), '1193::One Flew Over the Cuckoo\'s Nest (1975)::Drama\n');
  writeFileSync(join(dir, 'users.dat'), '1::F::1::10::48067\n');
  const r = affinity(['data', 'fetch', 'ml-1m'], { AFFINITY_HOME: home });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `ml-1m: ${dir}\n`);
  assert.match(r.stderr, /note: ml-1m is not checksum-verified \(no SHA-256 recorded; files checked for presence only\)/);
  const list = JSON.parse(affinity(['data', 'fetch', '--list', '--json'], { AFFINITY_HOME: home }).stdout) as ListEntry[];
  assert.deepEqual([list[1].name, list[1].status, list[1].checksums], ['ml-1m', 'cached', 'none']);
  rmSync(home, { recursive: true, force: true });
});
