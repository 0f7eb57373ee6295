// Runs the benchmarks under bench/ one after another (they are not part of the tests).
// Usage: npm run bench [-- name-filter ...]   e.g. npm run bench -- knn als
// Each benchmark prints its figures (JSON lines and a short table); BENCHMARKS.md quotes them with the
// command that reproduces each. Datasets come from AFFINITY_DATA (default ../shared/data).
import { readdirSync, existsSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const filters = process.argv.slice(2);
const files = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
  .filter((f) => !filters.length || filters.some((s) => f.includes(s)))
  .sort();
if (!process.env.AFFINITY_DATA) {
  const d = resolve(root, '..', 'shared', 'data');
  if (existsSync(d)) process.env.AFFINITY_DATA = d;
}
console.log(`# machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`);
let failed = 0;
for (const f of files) {
  console.log(`\n## bench/${f}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join('bench', f)], { cwd: root, stdio: 'inherit', env: process.env });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
