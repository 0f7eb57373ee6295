import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadInteractions, loadTrainTest } from './load.js';
import type { Dataset } from './dataset.js';
import { AffinityError } from '../core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'affinity-load-'));
const file = (name: string, data: string | Buffer): string => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};

/** Rows as [user id, item id, value, time?] in dataset order. */
function rows(d: Dataset): (string | number)[][] {
  const out: (string | number)[][] = [];
  for (let k = 0; k < d.size; k++) {
    const r: (string | number)[] = [d.users.id(d.user[k]), d.items.id(d.item[k]), d.value[k]];
    if (d.time) r.push(d.time[k]);
    out.push(r);
  }
  return out;
}

test('MovieLens 100K u.data: TAB, no header, explicit', async () => {
  const p = file('u.data', '196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t377\t1\t878887116\n');
  const r = await loadInteractions(p);
  assert.equal(r.format, 'ml-100k');
  assert.equal(r.rowsRead, 3);
  assert.deepEqual(rows(r.dataset), [
    ['196', '242', 3, 881250949],
    ['186', '302', 3, 891717742],
    ['22', '377', 1, 878887116],
  ]);
  assert.equal(r.dataset.kind, 'explicit');
  assert.deepEqual(r.dataset.ratingScale, [1, 3]);
});

test('MovieLens 1M ratings.dat with ::', async () => {
  const p = file('ratings.dat', '1::1193::5::978300760\n1::661::3::978302109\n');
  const r = await loadInteractions(p);
  assert.equal(r.format, 'ml-dat');
  assert.deepEqual(rows(r.dataset), [
    ['1', '1193', 5, 978300760],
    ['1', '661', 3, 978302109],
  ]);
});

test('MovieLens latest ratings.csv with header and half stars (CRLF)', async () => {
  const p = file('ratings.csv', 'userId,movieId,rating,timestamp\r\n1,1,4.0,964982703\r\n1,3,0.5,964981247\r\n2,1,5.0,964982224\r\n');
  const r = await loadInteractions(p);
  assert.equal(r.format, 'ml-csv');
  assert.equal(r.dataset.nUsers, 2);
  assert.equal(r.dataset.nItems, 2);
  assert.deepEqual(r.dataset.ratingScale, [0.5, 5]);
  assert.deepEqual(rows(r.dataset)[1], ['1', '3', 0.5, 964981247]);
});

test('generic CSV: header names map roles, extra columns ignored, quoted ids', async () => {
  const p = file('plays.csv', 'note,customer_id,song_id,plays\n"a, b",u1,"s ""x""",3\nz,u2,s2,1\n');
  const r = await loadInteractions(p);
  assert.equal(r.format, 'csv');
  assert.equal(r.dataset.kind, 'implicit');
  assert.equal(r.dataset.time, null);
  assert.deepEqual(rows(r.dataset), [
    ['u1', 's "x"', 3],
    ['u2', 's2', 1],
  ]);
});

test('positional columns without header, TSV, gzip', async () => {
  const p = file('events.tsv.gz', gzipSync('0\t116\t1\n0\t152\t2\n1\t116\t4\n'));
  const r = await loadInteractions(p, { columns: ['user', 'item', 'count'] });
  assert.equal(r.format, 'tsv');
  assert.deepEqual(rows(r.dataset), [
    ['0', '116', 1],
    ['0', '152', 2],
    ['1', '116', 4],
  ]);
  // header auto-detected with positional roles: 'count' position holds a word
  const q = file('events2.csv', 'a,b,c\nx,y,2\n');
  const r2 = await loadInteractions(q, { columns: ['user', 'item', 'count'] });
  assert.deepEqual(rows(r2.dataset), [['x', 'y', 2]]);
});

test('name=role mapping in a header; ISO dates', async () => {
  const p = file('log.csv', 'who,what,when,stars\nann,book1,2001-09-09T01:46:40Z,4\nbob,book2,1970-01-02,2\n');
  const r = await loadInteractions(p, { columns: ['who=user', 'what=item', 'when=time', 'stars=rating'] });
  assert.deepEqual(rows(r.dataset), [
    ['ann', 'book1', 4, 1e9],
    ['bob', 'book2', 2, 86400],
  ]);
});

test('event column weighted through eventWeights; weight 0 drops; default sum merges', async () => {
  const p = file('ev.csv', 'user,item,event,ts\nu,a,view,10\nu,a,purchase,20\nu,b,dislike,30\nv,a,cart,5\nv,c,ignored,6\n');
  const r = await loadInteractions(p, { eventWeights: { view: 1, cart: 3, purchase: 5, dislike: -1, ignored: 0 } });
  assert.equal(r.dataset.kind, 'implicit');
  assert.equal(r.rowsRead, 4);
  assert.deepEqual(rows(r.dataset), [
    ['u', 'a', 6, 20],
    ['u', 'b', -1, 30],
    ['v', 'a', 3, 5],
  ]);
});

test('space-separated and JSONL', async () => {
  const s = file('amazon.txt', '0 10 5 1000\n0 11 3 1001\n');
  const r = await loadInteractions(s);
  assert.equal(r.format, 'space');
  assert.deepEqual(rows(r.dataset), [
    ['0', '10', 5, 1000],
    ['0', '11', 3, 1001],
  ]);
  const j = file('log.jsonl', '{"userId": 7, "itemId": "x", "rating": 4.5, "timestamp": "1970-01-01T00:01:00Z"}\n\n{"userId": "8", "itemId": "y", "rating": "2", "timestamp": 5}\n');
  const rj = await loadInteractions(j);
  assert.equal(rj.format, 'jsonl');
  assert.deepEqual(rows(rj.dataset), [
    ['7', 'x', 4.5, 60],
    ['8', 'y', 2, 5],
  ]);
});

test('user-lists (Gowalla / S3Rec) and CiteULike users.dat', async () => {
  const g = file('train.txt', '0 0 1 2\n1 2 5\n2\n');
  const r = await loadInteractions(g);
  assert.equal(r.format, 'user-lists');
  assert.deepEqual(rows(r.dataset), [
    ['0', '0', 1],
    ['0', '1', 1],
    ['0', '2', 1],
    ['1', '2', 1],
    ['1', '5', 1],
  ]);
  assert.equal(r.dataset.nUsers, 3);
  const c = file('users.dat', '3 9 4 7\n1 4\n2 0 9\n');
  const rc = await loadInteractions(c);
  assert.equal(rc.format, 'citeulike');
  assert.deepEqual(rows(rc.dataset), [
    ['0', '9', 1],
    ['0', '4', 1],
    ['0', '7', 1],
    ['1', '4', 1],
    ['2', '0', 1],
    ['2', '9', 1],
  ]);
});

test('duplicate policies: last / first / sum / max with their times', async () => {
  const p = file('dup.tsv', 'u\ti\t2\t100\nu\tj\t5\t50\nu\ti\t4\t300\nu\ti\t3\t200\n');
  const load = async (duplicates: 'last' | 'first' | 'sum' | 'max'): Promise<(string | number)[][]> =>
    rows((await loadInteractions(p, { columns: ['user', 'item', 'rating', 'time'], duplicates })).dataset);
  assert.deepEqual(await load('last'), [
    ['u', 'j', 5, 50],
    ['u', 'i', 3, 200],
  ]);
  assert.deepEqual(await load('first'), [
    ['u', 'i', 2, 100],
    ['u', 'j', 5, 50],
  ]);
  assert.deepEqual(await load('sum'), [
    ['u', 'j', 5, 50],
    ['u', 'i', 9, 300],
  ]);
  assert.deepEqual(await load('max'), [
    ['u', 'j', 5, 50],
    ['u', 'i', 4, 300],
  ]);
  // default for explicit is 'last'; for implicit counts 'sum'
  assert.deepEqual(rows((await loadInteractions(p, { columns: ['user', 'item', 'rating', 'time'] })).dataset), await load('last'));
  const c = file('dupc.tsv', 'u\ti\t2\nu\ti\t4\n');
  assert.deepEqual(rows((await loadInteractions(c, { columns: ['user', 'item', 'count'] })).dataset), [['u', 'i', 6]]);
});

test('kind: implicit ignores ratings; explicit without rating column is E_PARAM', async () => {
  const p = file('k.data', '1\t2\t4\t10\n1\t3\t1\t11\n');
  const r = await loadInteractions(p, { kind: 'implicit', format: 'ml-100k' });
  assert.equal(r.dataset.kind, 'implicit');
  assert.deepEqual([...r.dataset.value], [1, 1]);
  const q = file('k2.csv', 'user,item\na,b\n');
  await assert.rejects(loadInteractions(q, { kind: 'explicit' }), (e: AffinityError) => e.code === 'E_PARAM' && e.field === 'kind');
});

test('users/items share id maps across files; loadTrainTest builds one dataset and a fold', async () => {
  const tr = file('u1.base', '1\t10\t5\t1\n2\t20\t3\t2\n1\t20\t4\t3\n');
  const te = file('u1.test', '2\t10\t2\t4\n3\t30\t1\t5\n');
  const { data, fold } = await loadTrainTest(tr, te);
  assert.equal(data.size, 5);
  assert.equal(data.nUsers, 3);
  assert.equal(data.nItems, 3);
  assert.deepEqual([...fold.trainRows], [0, 1, 2]);
  assert.deepEqual([...fold.testRows], [3, 4]);
  assert.deepEqual(rows(data)[3], ['2', '10', 2, 4]);
  assert.deepEqual(data.ratingScale, [1, 5]);
  const a = await loadInteractions(tr);
  const b = await loadInteractions(te, { users: a.dataset.users, items: a.dataset.items });
  assert.equal(b.dataset.users, a.dataset.users);
  assert.equal(b.dataset.item[0], a.dataset.items.get('10'));
});

test('onBadRow skip: counts per kind and first examples', async () => {
  const p = file('bad.data', '1\t2\t3\t100\n1\t2\n1\tx\tfive\t100\n2\t3\tNaN\t1\n\n3\t4\t5\t7\n');
  const r = await loadInteractions(p, { format: 'ml-100k', onBadRow: 'skip' });
  assert.equal(r.rowsRead, 2);
  assert.equal(r.dataset.size, 2);
  assert.equal(r.skipped.count, 3);
  assert.deepEqual(r.skipped.byKind, { fields: 1, number: 1, 'non-finite': 1 });
  assert.deepEqual(r.skipped.examples, [
    `${p}:2: 2 fields; expected 4 fields: user item rating timestamp`,
    `${p}:3: non-numeric rating "five"; expected a number`,
    `${p}:4: rating is NaN; expected a finite number`,
  ]);
  assert.equal(r.dataset.users.has('2'), false, 'ids of skipped rows are not added');
});

test('progress reports bytes up to the file size', async () => {
  const p = file('prog.data', '1\t2\t3\t4\n'.repeat(1000));
  const seen: number[] = [];
  await loadInteractions(p, { onProgress: (r, t) => seen.push(r / t) });
  assert.equal(seen[seen.length - 1], 1);
});
