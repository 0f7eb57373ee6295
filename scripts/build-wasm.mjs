// Compiles the AssemblyScript kernels (src/kernels/wasm/*.as) to src/kernels/wasm/*.wasm with v128 SIMD
// and shared memory (so worker_threads can run kernels on the same WebAssembly.Memory). The built .wasm
// is committed, so installs do not need this; run it after editing a .as file: `npm run build:wasm`.
import { mkdtempSync, copyFileSync, readdirSync, rmSync } from 'node:fs';
import { join, dirname, basename } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'src', 'kernels', 'wasm');
// 32768 pages = 2 GiB: the most the arena may grow to (pointers stay below 2^31).
export const MAX_PAGES = 32768;
const asc = join(root, 'node_modules', '.bin', 'asc');
const tmp = mkdtempSync(join(tmpdir(), 'affinity-asc-'));
let failed = false;
for (const name of readdirSync(dir).filter((n) => n.endsWith('.as'))) {
  // asc only reads .ts entry files; the sources are .as so that tsc and esbuild skip them.
  const src = join(tmp, basename(name, '.as') + '.ts');
  copyFileSync(join(dir, name), src);
  const out = join(dir, basename(name, '.as') + '.wasm');
  const args = [src, '-O3', '--noAssert', '--runtime', 'stub', '--enable', 'simd,threads', '--importMemory', '--sharedMemory',
    '--initialMemory', '1', '--maximumMemory', String(MAX_PAGES), '-o', out];
  const r = spawnSync(asc, args, { stdio: 'inherit' });
  if (r.status !== 0) failed = true;
  else console.log(`built ${out}`);
}
rmSync(tmp, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
