import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isGzipFile, peekLines, readLineBatches, readLines } from './lines.js';
import { Fields, IdCache, parseIsoSeconds, parseNum, splitDelimited, splitMulti, splitWhitespace } from './fields.js';
import { IdMap } from '../../core/idmap.js';
import { AffinityError } from '../../core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'affinity-lines-'));
const file = (name: string, data: string | Buffer): string => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};

async function allLines(path: string, chunkSize?: number): Promise<[number, string][]> {
  const out: [number, string][] = [];
  for await (const b of readLineBatches(path, { chunkSize, encoding: 'latin1' }))
    for (let k = 0; k < b.count; k++) out.push([b.firstLine + k, b.buf.toString('latin1', b.starts[k], b.ends[k])]);
  return out;
}

test('LF, CRLF, blank lines, missing final newline and BOM', async () => {
  const p = file('a.txt', '\ufeffone\r\ntwo\n\nthree\r\nfour');
  assert.deepEqual(await allLines(p), [
    [1, 'one'],
    [2, 'two'],
    [3, ''],
    [4, 'three'],
    [5, 'four'],
  ]);
});

test('lines spanning chunk boundaries keep their numbers (chunk of 7 bytes)', async () => {
  const text = Array.from({ length: 50 }, (_, k) => `row-${k}-${'x'.repeat(k % 13)}`).join('\n') + '\n';
  const p = file('b.txt', text);
  const got = await allLines(p, 7);
  assert.equal(got.length, 50);
  for (let k = 0; k < 50; k++) assert.deepEqual(got[k], [k + 1, `row-${k}-${'x'.repeat(k % 13)}`]);
});

test('gzip is detected by magic bytes and decompressed; progress reaches the file size', async () => {
  const text = Array.from({ length: 2000 }, (_, k) => `${k}\t${k * 7}\t1`).join('\n') + '\n';
  const p = file('c.tsv.gz', gzipSync(Buffer.from(text)));
  const plain = file('c-plain.tsv', text);
  assert.equal(isGzipFile(p), true);
  assert.equal(isGzipFile(plain), false);
  let last: [number, number] = [0, 0];
  let n = 0;
  for await (const b of readLineBatches(p, { onProgress: (r, t) => (last = [r, t]) })) n += b.count;
  assert.equal(n, 2000);
  assert.equal(last[0], last[1]);
  const lines: string[] = [];
  for await (const l of readLines(p)) lines.push(l.text);
  assert.equal(lines[1999], '1999\t13993\t1');
});

test('invalid UTF-8 is flagged per line; latin1 decodes every byte', async () => {
  const p = file('d.txt', Buffer.concat([Buffer.from('ok\n'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]), Buffer.from('fine\n')]));
  const batches = [];
  for await (const b of readLineBatches(p)) batches.push(b);
  assert.deepEqual([...(batches[0].invalidUtf8 ?? [])], [1]);
  await assert.rejects(
    async () => {
      for await (const l of readLines(p)) void l;
    },
    (e: AffinityError) => e.code === 'E_PARSE' && e.message.startsWith(`${p}:2: invalid UTF-8; expected UTF-8 text (use --encoding latin1`),
  );
  const latin: string[] = [];
  for await (const l of readLines(p, { encoding: 'latin1' })) latin.push(l.text);
  assert.deepEqual(latin, ['ok', 'café', 'fine']);
  assert.deepEqual(await peekLines(p, 2), ['ok', 'caf\ufffd']);
});

test('missing file is E_IO', async () => {
  await assert.rejects(
    async () => {
      for await (const b of readLineBatches(join(dir, 'nope.txt'))) void b;
    },
    (e: AffinityError) => e.code === 'E_IO',
  );
});

test('parseNum: plain decimals exact, anything else NaN', () => {
  const n = (s: string): number => parseNum(Buffer.from(s), 0, Buffer.byteLength(s));
  assert.equal(n('4'), 4);
  assert.equal(n('-12'), -12);
  assert.equal(n('4.35'), 4.35);
  assert.equal(n('0.5'), 0.5);
  assert.equal(n(' 3.0 '), 3);
  assert.equal(n('1e3'), 1000);
  assert.equal(n('2.5E-1'), 0.25);
  assert.equal(n('.5'), 0.5);
  assert.equal(n('874724710'), 874724710);
  assert.equal(n('12345678901234567890'), 12345678901234567890);
  for (const bad of ['', 'abc', '4a', 'NaN', 'inf', '-', '1e', '1.2.3', '2020-01-01']) assert.ok(Number.isNaN(n(bad)), bad);
});

test('splitDelimited: RFC-4180 quotes, doubled quotes, empty fields', () => {
  const f = new Fields();
  const s = '1,"Heat, The (1995)","say ""hi""",,x';
  const b = Buffer.from(s);
  assert.equal(splitDelimited(b, 0, b.length, 44, true, f), null);
  assert.deepEqual(f.texts(), ['1', 'Heat, The (1995)', 'say "hi"', '', 'x']);
  const t = Buffer.from('a,b,');
  splitDelimited(t, 0, t.length, 44, true, f);
  assert.deepEqual(f.texts(), ['a', 'b', '']);
  const u = Buffer.from('a,"open');
  assert.equal(splitDelimited(u, 0, u.length, 44, true, f), 'unterminated quoted field');
  const m = Buffer.from('1::Toy Story (1995)::Animation|Comedy');
  splitMulti(m, 0, m.length, Buffer.from('::'), f);
  assert.deepEqual(f.texts(), ['1', 'Toy Story (1995)', 'Animation|Comedy']);
  const w = Buffer.from('  7 \t 8   9 ');
  splitWhitespace(w, 0, w.length, f);
  assert.deepEqual(f.texts(), ['7', '8', '9']);
});

test('ISO-8601 dates become unix seconds (UTC unless a zone is given)', () => {
  assert.equal(parseIsoSeconds('1970-01-02'), 86400);
  assert.equal(parseIsoSeconds('2001-09-09T01:46:40Z'), 1e9);
  assert.equal(parseIsoSeconds('2001-09-09 01:46:40'), 1e9);
  assert.equal(parseIsoSeconds('2001-09-09T03:46:40+02:00'), 1e9);
  assert.ok(Number.isNaN(parseIsoSeconds('yesterday')));
});

test('IdCache: numeric fast path and string ids share one IdMap', () => {
  const m = new IdMap();
  const c = new IdCache(m);
  const b = Buffer.from('42 007 42 abc 0 99999999');
  const f = new Fields();
  splitWhitespace(b, 0, b.length, f);
  const idx = Array.from({ length: f.n }, (_, k) => c.get(b, f.fs[k], f.fe[k]));
  assert.deepEqual(idx, [0, 1, 0, 2, 3, 4]);
  assert.deepEqual(m.toArray(), ['42', '007', 'abc', '0', '99999999']);
});
