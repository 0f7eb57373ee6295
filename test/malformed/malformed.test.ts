/**
 * Malformed input: every kind of bad file stops the load with an AffinityError whose message names
 * file:line and what was expected (or is skipped and counted with onBadRow: 'skip'). Nothing crashes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadInteractions, type LoadOptions } from '../../src/data/load.js';
import { AffinityError, type ErrorCode } from '../../src/core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'affinity-malformed-'));
const file = (name: string, data: string | Buffer): string => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};

interface Case {
  name: string;
  file: string;
  data: string | Buffer;
  opts?: LoadOptions;
  code: ErrorCode;
  /** The message after `path:` (or the whole message for codes without a line). */
  message: string;
  line?: number;
  /** Kind counted in skip mode (parse errors only). */
  kind?: string;
}

/** Gzip of 5000 varied rows, cut in the middle of the deflate stream. */
function truncatedGzip(): Buffer {
  const rows = Array.from({ length: 5000 }, (_, k) => `${(k * 7919) % 1000}\t${(k * 104729) % 5000}\t${1 + (k % 5)}\t${880000000 + k * 37}\n`).join('');
  const gz = gzipSync(Buffer.from(rows));
  return gz.subarray(0, gz.length >> 1);
}

const ML_HEAD = '1\t1\t5\t881250949\n';
const cases: Case[] = [
  { name: 'truncated line', file: 'trunc.data', data: ML_HEAD + '2\t2\t3\n', opts: { format: 'ml-100k' }, code: 'E_PARSE', line: 2, kind: 'fields', message: '2: 3 fields; expected 4 fields: user item rating timestamp' },
  { name: 'extra field', file: 'extra.data', data: ML_HEAD + '2\t2\t3\t5\t9\n', opts: { format: 'ml-100k' }, code: 'E_PARSE', line: 2, kind: 'fields', message: '2: 5 fields; expected 4 fields: user item rating timestamp' },
  { name: 'wrong count under a header', file: 'hdr.csv', data: 'userId,movieId,rating,timestamp\n1,2,3,4\n1,2\n', code: 'E_PARSE', line: 3, kind: 'fields', message: '3: 2 fields; expected 4 fields: userId movieId rating timestamp' },
  { name: 'non-numeric rating', file: 'nonnum.data', data: ML_HEAD + '2\t2\tgood\t881250949\n', opts: { format: 'ml-100k' }, code: 'E_PARSE', line: 2, kind: 'number', message: '2: non-numeric rating "good"; expected a number' },
  { name: 'empty rating', file: 'emptyr.csv', data: 'user,item,rating\na,a,1\na,b,\n', code: 'E_PARSE', line: 3, kind: 'missing', message: '3: empty rating; expected a number' },
  { name: 'NaN rating', file: 'nan.data', data: ML_HEAD + '2\t2\tNaN\t881250949\n', opts: { format: 'ml-100k' }, code: 'E_PARSE', line: 2, kind: 'non-finite', message: '2: rating is NaN; expected a finite number' },
  { name: 'infinite count', file: 'inf.tsv', data: 'a\tb\t1\na\tc\t-inf\n', opts: { columns: ['user', 'item', 'count'] }, code: 'E_PARSE', line: 2, kind: 'non-finite', message: '2: count is -inf; expected a finite number' },
  { name: 'rating out of range', file: 'range.data', data: ML_HEAD + '2\t2\t3e40\t881250949\n', opts: { format: 'ml-100k' }, code: 'E_PARSE', line: 2, kind: 'range', message: '2: rating 3e40 out of range; expected a number with |rating| < 2^31' },
  { name: 'timestamp in milliseconds', file: 'ms.data', data: ML_HEAD + '2\t2\t3\t881250949000\n', opts: { format: 'ml-100k' }, code: 'E_PARSE', line: 2, kind: 'range', message: '2: timestamp 881250949000 out of range; expected unix seconds with |t| < 1e11 (divide milliseconds by 1000)' },
  { name: 'non-numeric timestamp', file: 'ts.data', data: ML_HEAD + '2\t2\t3\tlater\n', opts: { format: 'ml-100k' }, code: 'E_PARSE', line: 2, kind: 'number', message: '2: non-numeric timestamp "later"; expected unix seconds or an ISO-8601 date' },
  { name: 'invalid UTF-8', file: 'enc.csv', data: Buffer.concat([Buffer.from('user,item,rating\nu1,i1,4\nu'), Buffer.from([0xe9]), Buffer.from(',i2,3\n')]), code: 'E_PARSE', line: 3, kind: 'encoding', message: '3: invalid UTF-8; expected UTF-8 text (use --encoding latin1 for Latin-1 / ISO-8859-1 files such as MovieLens u.item)' },
  { name: 'header where none is expected', file: 'nohdr.csv', data: 'userId,movieId,rating,timestamp\n1,2,3,4\n', opts: { header: false, columns: ['user', 'item', 'rating', 'time'] }, code: 'E_PARSE', line: 1, kind: 'header', message: '1: a header where none is expected ("userId movieId rating timestamp"); expected data rows only: user item rating timestamp (pass header: true / --header)' },
  { name: 'missing mapped column in a header', file: 'miss.csv', data: 'userId,movieId,timestamp\n1,2,3\n', opts: { columns: ['user', 'item', 'rating', 'time'] }, code: 'E_PARSE', line: 1, message: '1: header "userId,movieId,timestamp" has no rating column; expected a column named one of: rating, ratings, score, stars, rate' },
  { name: 'missing named column in a header', file: 'miss2.csv', data: 'a,b,c\n1,2,3\n', opts: { columns: ['a=user', 'b=item', 'stars=rating'] }, code: 'E_PARSE', line: 1, message: '1: header "a,b,c" has no column "stars" (mapped to rating); expected a header column named "stars"' },
  { name: 'header without a user column', file: 'nouser.csv', data: 'movieId,rating\n1,2\n', opts: { header: true }, code: 'E_PARSE', line: 1, message: '1: header "movieId,rating" has no user column; expected a column named one of: user, userid, uid, users, customer, customerid, visitorid, reviewerid, memberid, member' },
  { name: 'unparseable JSON line', file: 'bad.jsonl', data: '{"user":"a","item":"b"}\n{"user":"a", item}\n', code: 'E_PARSE', line: 2, kind: 'json', message: /^2: unparseable JSON \(.+\); expected one JSON object per line$/.source },
  { name: 'JSON line that is not an object', file: 'arr.jsonl', data: '{"user":"a","item":"b"}\n[1,2]\n', code: 'E_PARSE', line: 2, kind: 'json', message: '2: a JSON array; expected one JSON object per line' },
  { name: 'JSON object missing a mapped key', file: 'key.jsonl', data: '{"user":"a","item":"b","rating":3}\n{"user":"a","item":"c"}\n', code: 'E_PARSE', line: 2, kind: 'missing', message: '2: missing key "rating"; expected the rating under "rating"' },
  { name: 'unterminated quote', file: 'quote.csv', data: 'user,item,rating\na,a,1\n"a,b,3\n', code: 'E_PARSE', line: 3, kind: 'quote', message: '3: unterminated quoted field; expected RFC-4180 quoting ("a ""quoted"" field")' },
  { name: 'empty user id', file: 'emptyu.csv', data: 'user,item,rating\na,a,1\n,b,3\n', code: 'E_PARSE', line: 3, kind: 'missing', message: '3: empty user id; expected a user id' },
  { name: 'unknown event type', file: 'ev.csv', data: 'user,item,event\na,b,view\na,c,wishlist\n', opts: { eventWeights: { view: 1, purchase: 5 } }, code: 'E_PARSE', line: 3, kind: 'event', message: '3: unknown event type "wishlist"; expected one of the eventWeights keys: view, purchase' },
  { name: 'CiteULike count mismatch', file: 'users.dat', data: '2 1 2\n3 4 5\n', opts: { format: 'citeulike' }, code: 'E_PARSE', line: 2, kind: 'count', message: '2: 2 items; expected 3 items (the count at the start of the line)' },
  { name: 'truncated gzip', file: 'cut.tsv.gz', data: truncatedGzip(), opts: { format: 'ml-100k' }, code: 'E_PARSE', message: /^\d+: corrupt or truncated gzip data \(.+\); expected a complete gzip file$/.source },
];

function matches(err: unknown, c: Case, path: string): boolean {
  assert.ok(err instanceof AffinityError, `${c.name}: not an AffinityError: ${String(err)}`);
  assert.equal(err.code, c.code, `${c.name}: ${err.message}`);
  const rest = err.message.slice(path.length + 1);
  assert.ok(err.message.startsWith(`${path}:`), `${c.name}: ${err.message}`);
  if (c.message.startsWith('^')) assert.match(rest, new RegExp(c.message), c.name);
  else assert.equal(rest, c.message, c.name);
  if (c.line !== undefined) {
    assert.equal(err.file, path);
    assert.equal(err.line, c.line);
  }
  return true;
}

for (const c of cases) {
  test(`malformed: ${c.name}`, async () => {
    const p = file(c.file, c.data);
    await assert.rejects(loadInteractions(p, c.opts), (e) => matches(e, c, p));
  });
}

test('skip mode: every row-level problem is skipped, counted and the good rows kept', async () => {
  for (const c of cases.filter((x) => x.kind)) {
    const p = join(dir, c.file);
    const r = await loadInteractions(p, { ...c.opts, onBadRow: 'skip' });
    assert.equal(r.skipped.count, 1, c.name);
    assert.deepEqual(r.skipped.byKind, { [c.kind as string]: 1 }, c.name);
    assert.ok(r.skipped.examples[0].startsWith(`${p}:${c.line}: `), c.name);
    assert.ok(r.dataset.size >= 1, c.name);
  }
});

test('skip mode keeps only the first 10 examples but counts all', async () => {
  const p = file('many.data', ML_HEAD + '2\t2\tx\t1\n'.repeat(25));
  const r = await loadInteractions(p, { format: 'ml-100k', onBadRow: 'skip' });
  assert.equal(r.skipped.count, 25);
  assert.equal(r.skipped.examples.length, 10);
  assert.equal(r.skipped.examples[9], `${p}:11: non-numeric rating "x"; expected a number`);
});

test('empty files: no bytes, only blank lines, only a header, all rows bad', async () => {
  for (const [name, data] of [
    ['empty.data', ''],
    ['blank.data', '\n  \n\r\n'],
  ] as const) {
    const p = file(name, data);
    await assert.rejects(loadInteractions(p), (e: AffinityError) => e.code === 'E_EMPTY' && e.message === `${p}: file has no data rows`);
  }
  const h = file('onlyhdr.csv', 'userId,movieId,rating,timestamp\n');
  await assert.rejects(loadInteractions(h), (e: AffinityError) => e.code === 'E_EMPTY' && e.message === `${h}: file has no data rows`);
  const b = file('allbad.data', '1\t2\n3\t4\n');
  await assert.rejects(
    loadInteractions(b, { format: 'ml-100k', onBadRow: 'skip' }),
    (e: AffinityError) => e.code === 'E_EMPTY' && e.message === `${b}: file has no data rows (2 bad rows skipped)`,
  );
  const gz = file('empty.gz', gzipSync(Buffer.alloc(0)));
  await assert.rejects(loadInteractions(gz, { columns: ['user', 'item'] }), (e: AffinityError) => e.code === 'E_EMPTY');
});

test('ids beyond 2^31 are fine (ids are strings)', async () => {
  const p = file('bigids.tsv', '99999999999999999999\t4294967296\t1\n-5\tabc\t2\n');
  const r = await loadInteractions(p, { columns: ['user', 'item', 'count'] });
  assert.deepEqual(r.dataset.users.toArray(), ['99999999999999999999', '-5']);
  assert.deepEqual(r.dataset.items.toArray(), ['4294967296', 'abc']);
});

test('ambiguous or unsupported inputs: E_FORMAT / E_PARAM / E_IO, never a crash', async () => {
  const three = file('three.tsv', '1\t2\t3\n');
  await assert.rejects(
    loadInteractions(three),
    (e: AffinityError) =>
      e.code === 'E_FORMAT' &&
      e.message === `${three}: delimited file without a header has 3 fields per row; expected a column mapping (e.g. columns: ['user','item','rating'] / --columns user,item,count)`,
  );
  await assert.rejects(loadInteractions(three, { columns: ['user', 'item', 'stars'] }), (e: AffinityError) => e.code === 'E_PARAM' && e.field === 'columns');
  await assert.rejects(loadInteractions(three, { duplicates: 'avg' as 'sum' }), (e: AffinityError) => e.code === 'E_PARAM' && e.field === 'duplicates');
  await assert.rejects(loadInteractions(three, { format: 'xml' as 'csv' }), (e: AffinityError) => e.code === 'E_PARAM' && e.field === 'format');
  await assert.rejects(loadInteractions(join(dir, 'missing.csv')), (e: AffinityError) => e.code === 'E_IO');
  await assert.rejects(loadInteractions(dir), (e: AffinityError) => e.code === 'E_IO');
  const lists = file('lists.txt', '1 2 3 4 5\n');
  await assert.rejects(loadInteractions(lists, { kind: 'explicit' }), (e: AffinityError) => e.code === 'E_PARAM' && e.field === 'kind');
});
