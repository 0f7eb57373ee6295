// Runs every *.test.ts under src/ and test/ with node's test runner (Node 20 does not expand globs).
// Usage: node scripts/test.mjs [filter-substring ...]
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
function walk(dir, acc = []) {
  if (!existsSync(dir)) return acc;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, acc);
    else if (name.endsWith('.test.ts')) acc.push(p);
  }
  return acc;
}
const filters = process.argv.slice(2);
let files = [...walk(join(root, 'src')), ...walk(join(root, 'test'))].sort();
if (filters.length) files = files.filter((f) => filters.some((s) => f.includes(s)));
if (!process.env.AFFINITY_DATA && existsSync(join(root, '..', 'shared', 'data')) && process.env.CI) {
  process.env.AFFINITY_DATA = join(root, '..', 'shared', 'data');
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {
  stdio: 'inherit',
  cwd: root,
  env: process.env,
});
process.exit(r.status ?? 1);
