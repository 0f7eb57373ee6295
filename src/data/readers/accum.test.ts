import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { resolveDuplicates, type Columns } from './accum.js';
import { RowSink } from './row-sink.js';
import { textBytes } from './lines.js';

/** Pushes rows k = 0..n-1 as (k % 1000, 7k, k / 2, 10k); returns the finished columns. */
function fill(sink: RowSink, n: number): Columns {
  for (let k = 0; k < n; k++) sink.push(k % 1000, 7 * k, k / 2, 10 * k);
  return sink.columns();
}

function checkRows(c: Columns, n: number, withTime: boolean): void {
  assert.equal(c.user.length, n);
  assert.equal(c.item.length, n);
  assert.equal(c.value.length, n);
  // exact-length, ordinary (non-resizable) buffers: transferable and cloneable like any typed array
  for (const a of [c.user, c.item, c.value, c.time]) {
    if (!a) continue;
    assert.equal(a.byteOffset, 0);
    assert.equal(a.buffer.byteLength, a.byteLength);
    assert.equal((a.buffer as ArrayBuffer & { resizable?: boolean }).resizable ?? false, false);
  }
  assert.equal(structuredClone(c.user).length, n);
  for (const k of [0, 1, 65_535, 65_536, 65_537, (1 << 20) - 1, 1 << 20, n - 1]) {
    if (k >= n) continue;
    assert.equal(c.user[k], k % 1000);
    assert.equal(c.item[k], 7 * k);
    assert.equal(c.value[k], k / 2);
    if (withTime) assert.equal(c.time?.[k], 10 * k);
  }
  if (!withTime) assert.equal(c.time, null);
  let sum = 0;
  for (let k = 0; k < n; k++) sum += c.item[k];
  assert.equal(sum, (7 * n * (n - 1)) / 2);
}

test('RowSink: small inputs stay in plain arrays; columns() hands over exact rows and empties the sink', () => {
  const s = new RowSink(true);
  s.push(3, 4, 5, 6);
  s.push(1, 2, 0.5, 9);
  assert.equal(s.growableMode, false);
  const c = s.columns();
  assert.deepEqual([...c.user], [3, 1]);
  assert.deepEqual([...c.item], [4, 2]);
  assert.deepEqual([...c.value], [5, 0.5]);
  assert.deepEqual([...(c.time ?? [])], [6, 9]);
  assert.equal(s.n, 0);
  assert.equal(s.columns().user.length, 0);
});

test('RowSink: with an announced bound the store is growable (several in-place grows)', () => {
  const s = new RowSink(true);
  s.limitRows(3_000_000);
  for (let k = 0; k < 100_000; k++) s.push(k % 1000, 7 * k, k / 2, 10 * k);
  assert.equal(s.growableMode, true);
  for (let k = 100_000; k < 2_500_001; k++) s.push(k % 1000, 7 * k, k / 2, 10 * k);
  assert.equal(s.growableMode, true);
  checkRows(s.columns(), 2_500_001, true);
  assert.equal(s.growableMode, false);
  // usable again after the hand-over
  s.push(1, 2, 3, 4);
  assert.deepEqual([...s.columns().item], [2]);
});

test('RowSink: without a bound it switches to growable buffers past 64K rows', () => {
  const s = new RowSink(false);
  for (let k = 0; k < 1 << 16; k++) s.push(k % 1000, 7 * k, k / 2, 10 * k);
  assert.equal(s.growableMode, false);
  s.push((1 << 16) % 1000, 7 * (1 << 16), (1 << 16) / 2, 0);
  assert.equal(s.growableMode, true);
  for (let k = (1 << 16) + 1; k < 200_000; k++) s.push(k % 1000, 7 * k, k / 2, 10 * k);
  checkRows(s.columns(), 200_000, false);
});

test('RowSink: rows beyond the announced bound fall back to doubling, nothing lost', () => {
  const s = new RowSink(true);
  s.limitRows(100_000); // reserves for 100,000 rows: the second 64K-row block does not fit
  for (let k = 0; k < 100_000; k++) s.push(k % 1000, 7 * k, k / 2, 10 * k);
  assert.equal(s.growableMode, true);
  for (let k = 100_000; k < 200_000; k++) s.push(k % 1000, 7 * k, k / 2, 10 * k);
  assert.equal(s.growableMode, false);
  for (let k = 200_000; k < 300_000; k++) s.push(k % 1000, 7 * k, k / 2, 10 * k);
  checkRows(s.columns(), 300_000, true);
});

test('RowSink: tiny staging blocks, reserve(), and exactly full staging keep every row', () => {
  const s = new RowSink(true, 4);
  s.reserve(8);
  checkRows(fill(s, 37), 37, true);
  const t = new RowSink(false, 8);
  checkRows(fill(t, 8), 8, false); // exactly full staging: handed over without a copy
});

test('textBytes: the file size for plain text, the gzip trailer ISIZE for gzip, null for a too-short gzip', () => {
  const dir = mkdtempSync(join(tmpdir(), 'affinity-accum-'));
  try {
    const text = Array.from({ length: 5000 }, (_, k) => `${k}\t${k * 3}\t4\n`).join('');
    writeFileSync(join(dir, 'a.tsv'), text);
    writeFileSync(join(dir, 'a.tsv.gz'), gzipSync(text));
    writeFileSync(join(dir, 'b.gz'), Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]));
    assert.equal(textBytes(join(dir, 'a.tsv')), Buffer.byteLength(text));
    assert.equal(textBytes(join(dir, 'a.tsv.gz')), Buffer.byteLength(text));
    assert.equal(textBytes(join(dir, 'b.gz')), null);
    assert.throws(() => textBytes(join(dir, 'missing.tsv')), /cannot open/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function cols(rows: [number, number, number, number][]): Columns {
  return { user: Int32Array.from(rows, (r) => r[0]), item: Int32Array.from(rows, (r) => r[1]), value: Float32Array.from(rows, (r) => r[2]), time: Float64Array.from(rows, (r) => r[3]) };
}

test('resolveDuplicates: the same results for rows grouped by user (no row order) and interleaved ones', () => {
  const r0: [number, number, number, number] = [0, 1, 3, 10];
  const r1: [number, number, number, number] = [0, 2, 4, 11];
  const r2: [number, number, number, number] = [0, 1, 5, 12]; // repeats r0
  const r3: [number, number, number, number] = [1, 1, 2, 13];
  const r4: [number, number, number, number] = [1, 1, 1, 14]; // repeats r3
  const grouped = [r0, r1, r2, r3, r4];
  const mixed = [r0, r3, r1, r4, r2];
  const get = (rows: typeof grouped, policy: 'last' | 'first' | 'sum' | 'max'): number[][] => {
    const { cols: c, merged } = resolveDuplicates(cols(rows), 2, 3, policy);
    assert.equal(merged, 2);
    return [[...c.user], [...c.item], [...c.value], [...(c.time ?? [])]];
  };
  assert.deepEqual(get(grouped, 'last'), [[0, 0, 1], [2, 1, 1], [4, 5, 1], [11, 12, 14]]);
  assert.deepEqual(get(grouped, 'first'), [[0, 0, 1], [1, 2, 1], [3, 4, 2], [10, 11, 13]]);
  assert.deepEqual(get(grouped, 'sum'), [[0, 0, 1], [2, 1, 1], [4, 8, 3], [11, 12, 14]]);
  assert.deepEqual(get(grouped, 'max'), [[0, 0, 1], [2, 1, 1], [4, 5, 2], [11, 12, 13]]);
  assert.deepEqual(get(mixed, 'last'), [[0, 1, 0], [2, 1, 1], [4, 1, 5], [11, 14, 12]]);
  assert.deepEqual(get(mixed, 'first'), [[0, 1, 0], [1, 1, 2], [3, 2, 4], [10, 13, 11]]);
  assert.deepEqual(get(mixed, 'sum'), [[0, 1, 0], [2, 1, 1], [4, 3, 8], [11, 14, 12]]);
  assert.deepEqual(get(mixed, 'max'), [[0, 1, 0], [2, 1, 1], [4, 2, 5], [11, 13, 12]]);
  // without duplicates the columns come back as they are
  const none = cols([r0, r1, r3]);
  assert.equal(resolveDuplicates(none, 2, 3, 'last').cols.user, none.user);
});
