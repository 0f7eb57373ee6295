/**
 * Loader benchmark: `node --import tsx bench/load-csv.ts [rows]`.
 * 1. Generates a seeded ratings CSV (default 1M rows, `userId,movieId,rating,timestamp` with header)
 *    in a temp dir and loads it with loadInteractions.
 * 2. Loads shared/data/synth-5m/synth-5m.tsv.gz (5M rows, gzip) when AFFINITY_DATA or ../shared/data has it.
 * Each load runs in its own child process so its peak RSS is its own. Prints one JSON line per case:
 * {case, rows, users, items, seconds, peakRssMB}. The median of 3 runs is reported per case.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../src/core/rng.js';
import { loadInteractions, type LoadOptions } from '../src/data/load.js';

interface CaseResult {
  case: string;
  rows: number;
  users: number;
  items: number;
  seconds: number;
  peakRssMB: number;
}

async function child(path: string, name: string, opts: LoadOptions): Promise<void> {
  const t0 = process.hrtime.bigint();
  const r = await loadInteractions(path, opts);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const out: CaseResult = {
    case: name,
    rows: r.dataset.size,
    users: r.dataset.nUsers,
    items: r.dataset.nItems,
    seconds: Math.round(seconds * 1000) / 1000,
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

async function writeCsv(path: string, rows: number, seed: number): Promise<void> {
  const rng = new Rng(seed);
  const ws = createWriteStream(path);
  const nUsers = 100000;
  const nItems = 20000;
  let buf = 'userId,movieId,rating,timestamp\n';
  for (let k = 0; k < rows; k++) {
    const u = 1 + rng.int(nUsers);
    // skewed items: squares of uniforms concentrate mass on small ids
    const x = rng.next();
    const i = 1 + Math.floor(x * x * nItems);
    const rating = (1 + rng.int(10)) / 2;
    const ts = 946684800 + rng.int(600000000);
    buf += `${u},${i},${rating.toFixed(1)},${ts}\n`;
    if (buf.length > 1 << 16) {
      if (!ws.write(buf)) await new Promise<void>((res) => ws.once('drain', () => res()));
      buf = '';
    }
  }
  ws.write(buf);
  await new Promise<void>((res, rej) => ws.end((e?: Error | null) => (e ? rej(e) : res())));
}

function runChild(path: string, name: string, opts: LoadOptions): CaseResult {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', path, name, JSON.stringify(opts)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as CaseResult;
}

function median(rs: CaseResult[]): CaseResult {
  const s = rs.slice().sort((a, b) => a.seconds - b.seconds);
  return s[s.length >> 1];
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    await child(process.argv[3], process.argv[4], JSON.parse(process.argv[5]) as LoadOptions);
    return;
  }
  const rows = Number(process.argv[2] ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'affinity-bench-load-'));
  try {
    const csv = join(dir, 'ratings.csv');
    await writeCsv(csv, rows, 20240601);
    const runs = [0, 1, 2].map(() => runChild(csv, `csv-${rows}`, {}));
    process.stdout.write(JSON.stringify({ ...median(runs), allSeconds: runs.map((r) => r.seconds) }) + '\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const here = dirname(fileURLToPath(import.meta.url));
  const dataRoot = process.env.AFFINITY_DATA ?? resolve(here, '..', '..', 'shared', 'data');
  const synth = join(dataRoot, 'synth-5m', 'synth-5m.tsv.gz');
  if (existsSync(synth)) {
    const runs = [0, 1, 2].map(() => runChild(synth, 'synth-5m.tsv.gz', { columns: ['user', 'item', 'count'] }));
    process.stdout.write(JSON.stringify({ ...median(runs), allSeconds: runs.map((r) => r.seconds) }) + '\n');
  } else {
    process.stdout.write(JSON.stringify({ case: 'synth-5m.tsv.gz', skipped: `not found at ${synth}` }) + '\n');
  }
}

await main();
