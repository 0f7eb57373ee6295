import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { AffinityError } from '../core/errors.js';
import { sharedData, SKIP_NO_DATA } from '../../test/helpers/data.js';
import {
  datasetCacheDir,
  fetchDataset,
  listDatasets,
  localSources,
  registerLocalDir,
  resolveDataset,
  unregisterLocalDir,
  type FetchLike,
} from './fetch.js';
import { extractZipEntry, readZipEntries } from './zip.js';

/** A minimal ZIP writer: stored or deflated entries, central directory, end record. */
function makeZip(files: Array<{ name: string; data?: Buffer; store?: boolean }>): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const data = f.data ?? Buffer.alloc(0);
    const method = f.store || f.name.endsWith('/') ? 0 : 8;
    const body = method === 8 ? deflateRawSync(data) : data;
    const crc = crc32(data) >>> 0;
    const name = Buffer.from(f.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    parts.push(local, name, body);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(0x800, 8);
    c.writeUInt16LE(method, 10);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(body.length, 20);
    c.writeUInt32LE(data.length, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(offset, 42);
    central.push(c, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cd, end]);
}

const serve = (zip: Buffer, calls: string[] = []): FetchLike =>
  async (url) => {
    calls.push(url);
    return new Response(zip, { headers: { 'content-length': String(zip.length) } });
  };

const noFetch: FetchLike = async () => {
  throw new Error('the network must not be used here');
};

function tempHome(): string {
  return mkdtempSync(join(tmpdir(), 'affinity-home-'));
}

test('zip reader: stored and deflated entries round-trip; damage is detected', () => {
  const text = Buffer.from('1\t2\t5\t881250949\n'.repeat(500));
  const zip = makeZip([
    { name: 'ml-100k/' },
    { name: 'ml-100k/u.data', data: text },
    { name: 'ml-100k/notes é.txt', data: Buffer.from('hello'), store: true },
  ]);
  const entries = readZipEntries(zip);
  assert.deepEqual(entries.map((e) => [e.name, e.method, e.size, e.isDirectory]), [
    ['ml-100k/', 0, 0, true],
    ['ml-100k/u.data', 8, text.length, false],
    ['ml-100k/notes é.txt', 0, 5, false],
  ]);
  assert.ok(entries[1].compressedSize < text.length / 10);
  assert.deepEqual(extractZipEntry(zip, entries[1]), text);
  assert.equal(extractZipEntry(zip, entries[2]).toString(), 'hello');
  // flip a byte of the stored entry: CRC-32 fails
  const bad = Buffer.from(zip);
  bad[entries[2].localOffset + 30 + Buffer.byteLength('ml-100k/notes é.txt')] ^= 1;
  assert.throws(() => extractZipEntry(bad, readZipEntries(bad)[2], 'x.zip'), (e: unknown) => e instanceof AffinityError && e.code === 'E_CHECKSUM' && /x\.zip: .*CRC-32/.test(e.message));
  // truncated download: the end record is gone
  assert.throws(() => readZipEntries(zip.subarray(0, zip.length - 30), 'y.zip'), (e: unknown) => e instanceof AffinityError && e.code === 'E_FORMAT' && e.message.startsWith('y.zip: '));
});

test('checksum mismatch -> E_CHECKSUM, progress reported, nothing cached', async () => {
  const home = tempHome();
  try {
    const names = ['u.data', 'u.item', 'u.user', 'u.genre', 'u.occupation', 'u.info'];
    for (const s of ['1', '2', '3', '4', '5', 'a', 'b']) names.push(`u${s}.base`, `u${s}.test`);
    const zip = makeZip(names.map((n) => ({ name: `ml-100k/${n}`, data: Buffer.from(`not the real ${n}\n`) })));
    const progress: Array<[number, number | null]> = [];
    await assert.rejects(
      fetchDataset('ml-100k', { home, fetch: serve(zip), onProgress: (b, t) => progress.push([b, t]) }),
      (e: unknown) => e instanceof AffinityError && e.code === 'E_CHECKSUM' && /u\.data: SHA-256 [0-9a-f]{64} does not match the expected 06416e59/.test(e.message),
    );
    assert.deepEqual(progress[0], [0, zip.length]);
    assert.deepEqual(progress[progress.length - 1], [zip.length, zip.length]);
    assert.equal(existsSync(datasetCacheDir('ml-100k', home)), false);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('offline -> E_OFFLINE naming the cache folder and how to register a folder', async () => {
  const home = tempHome();
  try {
    const offline: FetchLike = async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND files.grouplens.org'), { code: 'ENOTFOUND' }) });
    };
    await assert.rejects(resolveDataset('ml-1m', { home, fetch: offline }), (e: unknown) => {
      assert.ok(e instanceof AffinityError && e.code === 'E_OFFLINE');
      assert.match(e.message, /no network \(ENOTFOUND\)/);
      assert.ok(e.message.includes(datasetCacheDir('ml-1m', home)));
      assert.ok(e.message.includes(join(home, 'datasets', 'ml-1m.zip')));
      assert.match(e.message, /ratings\.dat, movies\.dat, users\.dat/);
      assert.match(e.message, /affinity data register ml-1m <folder>/);
      return true;
    });
    await assert.rejects(fetchDataset('ml-1m', { home, fetch: async () => new Response('gone', { status: 404 }) }), /HTTP 404/);
    await assert.rejects(resolveDataset('netflix', { home, fetch: noFetch }), /dataset: got "netflix"; expected one of ml-100k, ml-1m, ml-latest-small/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('local folders: register, resolve, list, unregister (persisted in sources.json)', async () => {
  const home = tempHome();
  try {
    const dir = join(home, 'my-ml100k');
    mkdirSync(dir);
    writeFileSync(join(dir, 'u.data'), '1\t1\t5\t1\n');
    assert.equal(registerLocalDir('ml-100k', dir, { home }), dir);
    assert.equal(await resolveDataset('ml-100k', { home, fetch: noFetch }), dir);
    assert.deepEqual(JSON.parse(readFileSync(join(home, 'sources.json'), 'utf8')), { version: 1, local: { 'ml-100k': dir } });
    registerLocalDir('gowalla', home, { home });
    assert.deepEqual(localSources(home), { 'ml-100k': dir, gowalla: home });
    const list = listDatasets({ home });
    assert.deepEqual(list.map((d) => [d.name, d.status]), [['ml-100k', 'local'], ['ml-1m', 'remote'], ['ml-latest-small', 'remote'], ['gowalla', 'local']]);
    assert.equal(list[1].checksums, 'none');
    assert.equal(list[2].checksums, 'sha256');
    assert.throws(() => registerLocalDir('ml-latest-small', dir, { home }), /expected a folder holding ml-latest-small's ratings\.csv/);
    assert.throws(() => registerLocalDir('x', join(home, 'nope'), { home }), (e: unknown) => e instanceof AffinityError && e.code === 'E_IO');
    assert.equal(unregisterLocalDir('ml-100k', { home }), true);
    assert.equal(unregisterLocalDir('ml-100k', { home }), false);
    assert.deepEqual(localSources(home), { gowalla: home });
    writeFileSync(join(home, 'sources.json'), '{oops');
    assert.throws(() => localSources(home), (e: unknown) => e instanceof AffinityError && e.code === 'E_PARSE' && e.message.includes('sources.json:1'));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

const ratings = sharedData('ml-latest-small/ratings.csv');
test('download path with the real ml-latest-small files: verified, cached, reused', { skip: ratings ? false : SKIP_NO_DATA }, async () => {
  const home = tempHome();
  try {
    const src = join(ratings!, '..');
    const files = ['ratings.csv', 'movies.csv', 'tags.csv', 'links.csv', 'README.txt'];
    const zip = makeZip([{ name: 'ml-latest-small/' }, ...files.map((f) => ({ name: `ml-latest-small/${f}`, data: readFileSync(join(src, f)) }))]);
    const calls: string[] = [];
    const dir = await fetchDataset('ml-latest-small', { home, fetch: serve(zip, calls) });
    assert.equal(dir, datasetCacheDir('ml-latest-small', home));
    assert.deepEqual(calls, ['https://files.grouplens.org/datasets/movielens/ml-latest-small.zip']);
    assert.deepEqual(readFileSync(join(dir, 'ratings.csv')), readFileSync(ratings!));
    assert.equal(await resolveDataset('ml-latest-small', { home, fetch: noFetch }), dir); // cached
    assert.equal(listDatasets({ home })[2].status, 'cached');
    // a zip put by hand next to the cache is used instead of the network
    rmSync(dir, { recursive: true });
    writeFileSync(join(home, 'datasets', 'ml-latest-small.zip'), zip);
    assert.equal(await fetchDataset('ml-latest-small', { home, fetch: noFetch }), dir);
    assert.ok(existsSync(join(dir, 'README.txt')));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
