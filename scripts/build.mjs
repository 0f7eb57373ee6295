// Transpiles src/**/*.ts to dist/**/*.js (ESM, one file per module) with esbuild.
// Type checking is separate (`npm run typecheck`, part of `npm test`).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, rmSync, mkdirSync, copyFileSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const out = join(root, 'dist');

function walk(dir, acc = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, acc);
    else acc.push(p);
  }
  return acc;
}

const files = walk(src);
const entries = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'));
rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: entries,
  outdir: out,
  outbase: src,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  // Source imports use `.ts` extensions; rewrite them to `.js` in the output.
  plugins: [],
  define: {},
});
// esbuild keeps import specifiers as written; we write `.js` specifiers in source, so nothing to rewrite.
// Copy non-TS assets (e.g. compiled .wasm kernels) beside the JS.
for (const f of files) {
  if (f.endsWith('.wasm') || f.endsWith('.html') || f.endsWith('.css') || f.endsWith('.json')) {
    const dest = join(out, relative(src, f));
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(f, dest);
  }
}

// Type declarations for library users (dist/**/*.d.ts). Type errors are reported by `npm run typecheck`.
const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'ignore' });
if (tsc.error) console.warn(`build: declarations not emitted (${tsc.error.message})`);
