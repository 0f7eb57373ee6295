/**
 * Streaming check at scale: `node --import tsx bench/load-25m.ts [rows] [--plain] [--pad N,...]`.
 *
 * 1. Writes a seeded MovieLens-25M-like file (default 25,000,000 rows, `user<TAB>item<TAB>rating<TAB>time`,
 *    no header, ~163k users, 60k items, half-star ratings, every (user, item) pair distinct) to a temp dir,
 *    gzip-compressed (level 1), with a plain streaming writer (no Dataset held; its own child process).
 *    `--plain` writes it uncompressed instead. Each `--pad` value N (default `0,64`) is one case: N > 0
 *    appends a fifth column of N characters that the loader is told to ignore (`_`), so the same rows
 *    come with N more bytes of text each.
 * 2. Loads it with loadInteractions in a fresh child process and reports seconds and that process's peak
 *    RSS, next to the peak RSS of an idle child that imported the same modules (the runtime's share),
 *    the file's uncompressed text size and the size of the loaded typed columns (20 bytes a row).
 *    A loader that held the text would need more memory as the lines get longer; a streaming one needs
 *    the same for every pad, as the columns are the same.
 * 3. Deletes the temp file after each case. Prints one JSON line per case.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir, totalmem, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { Rng } from '../src/core/rng.js';
import { loadInteractions } from '../src/data/load.js';

const N_ITEMS = 60_000;
const STRIDE = 7_919; // prime, does not divide N_ITEMS: start + j * STRIDE (mod N_ITEMS) are distinct for j < N_ITEMS

interface WriteResult {
  rows: number;
  users: number;
  textBytes: number;
  fileBytes: number;
  seconds: number;
}

/** Streams `rows` lines to `path`; returns the counts. Memory: one 64 KiB text buffer at a time. */
async function writeFile(path: string, rows: number, seed: number, gzip: boolean, pad: number): Promise<WriteResult> {
  // the pad column: a window of a fixed random text, moved along per row (cheap, and not all alike for gzip)
  const padSource = Array.from({ length: 4096 + pad }, (_, k) => 'abcdefghijklmnopqrstuvwxyz0123456789'[(k * 7919 + (k >> 3)) % 36]).join('');
  const t0 = performance.now();
  const rng = new Rng(seed);
  const file = createWriteStream(path);
  const gz = gzip ? createGzip({ level: 1 }) : null;
  if (gz) gz.pipe(file);
  const out: Writable = gz ?? file;
  let written = 0;
  let users = 0;
  let textBytes = 0;
  let buf = '';
  while (written < rows) {
    users++;
    const c = Math.min(20 + rng.int(268), rows - written); // 20..287 rows a user, mean 153.5
    const start = rng.int(N_ITEMS);
    let t = 789_652_009 + rng.int(700_000_000);
    for (let j = 0; j < c; j++) {
      const item = 1 + ((start + j * STRIDE) % N_ITEMS);
      const rating = (1 + rng.int(10)) / 2;
      t += rng.int(3600);
      if (pad > 0) {
        const o = (written + j) & 4095;
        buf += `${users}\t${item}\t${rating}\t${t}\t${padSource.slice(o, o + pad)}\n`;
      } else buf += `${users}\t${item}\t${rating}\t${t}\n`;
    }
    written += c;
    if (buf.length > 1 << 16) {
      textBytes += buf.length;
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  textBytes += buf.length;
  out.write(buf);
  out.end();
  await once(file, 'finish');
  return { rows: written, users, textBytes, fileBytes: statSync(path).size, seconds: (performance.now() - t0) / 1000 };
}

function peakRssMB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

async function child(): Promise<void> {
  const mode = process.argv[3];
  if (mode === 'write') {
    const r = await writeFile(process.argv[4], Number(process.argv[5]), Number(process.argv[6]), process.argv[7] === 'gz', Number(process.argv[8]));
    process.stdout.write(JSON.stringify(r) + '\n');
  } else if (mode === 'idle') {
    // same imports as 'load' (they are static), nothing loaded
    process.stdout.write(JSON.stringify({ peakRssMB: peakRssMB(), loader: typeof loadInteractions }) + '\n');
  } else {
    const t0 = performance.now();
    const pad = Number(process.argv[5]) > 0;
    const r = await loadInteractions(process.argv[4], { columns: pad ? ['user', 'item', 'rating', 'time', '_'] : ['user', 'item', 'rating', 'time'] });
    const seconds = (performance.now() - t0) / 1000;
    const d = r.dataset;
    const columnBytes = d.user.byteLength + d.item.byteLength + d.value.byteLength + (d.time?.byteLength ?? 0);
    process.stdout.write(
      JSON.stringify({ format: r.format, rowsRead: r.rowsRead, rows: d.size, users: d.nUsers, items: d.nItems, kind: d.kind, seconds, peakRssMB: peakRssMB(), columnMB: Math.round(columnBytes / 1048576), heapUsedMB: Math.round(process.memoryUsage().heapUsed / 1048576) }) + '\n',
    );
  }
}

function runChild(args: string[]): Record<string, number | string> {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`child ${args[0]} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as Record<string, number | string>;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child();
  const args = process.argv.slice(2);
  const plain = args.includes('--plain');
  const padAt = args.indexOf('--pad');
  const pads = (padAt >= 0 ? args[padAt + 1] : '0,64').split(',').map(Number);
  if (pads.some((p) => !Number.isInteger(p) || p < 0 || p > 4096)) throw new Error('--pad: expected integers 0..4096 separated by commas');
  const rows = Number(args.find((a, k) => !a.startsWith('--') && args[k - 1] !== '--pad') ?? 25_000_000);
  const idle = runChild(['idle']);
  for (const pad of pads) {
    const dir = mkdtempSync(join(tmpdir(), 'affinity-bench-25m-'));
    const path = join(dir, plain ? 'ratings-25m.tsv' : 'ratings-25m.tsv.gz');
    try {
      const w = runChild(['write', path, String(rows), '20250101', plain ? 'plain' : 'gz', String(pad)]);
      process.stderr.write(`wrote ${path}: ${JSON.stringify(w)}\n`);
      const before = loadavg();
      const l = runChild(['load', path, String(pad)]);
      const mb = (b: number): number => Math.round(b / 1048576);
      const textMB = mb(Number(w.textBytes));
      const report = {
        case: `${plain ? 'tsv' : 'tsv.gz'}${pad ? ` +${pad}-char ignored column` : ''}`,
        file: { rows: w.rows, users: w.users, items: N_ITEMS, textMB, fileMB: mb(Number(w.fileBytes)), writeSeconds: Math.round(Number(w.seconds) * 10) / 10 },
        load: { ...l, seconds: Math.round(Number(l.seconds) * 100) / 100 },
        idlePeakRssMB: idle.peakRssMB,
        peakRssOverIdleMB: Number(l.peakRssMB) - Number(idle.peakRssMB),
        peakRssToTextRatio: Math.round((Number(l.peakRssMB) / textMB) * 100) / 100,
        machine: { cpus: cpus().length, memGB: Math.round(totalmem() / 2 ** 30), node: process.version, loadavgBeforeLoad: before.map((x) => Math.round(x * 100) / 100), loadavgAfterLoad: loadavg().map((x) => Math.round(x * 100) / 100) },
      };
      process.stdout.write(JSON.stringify(report) + '\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

await main();
