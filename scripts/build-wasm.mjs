// Compiles the AssemblyScript kernels (src/kernels/wasm/*.as, entry kernels.as) to src/kernels/wasm/kernels.wasm with v128 SIMD
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
// asc only reads .ts files; the sources are .as so that tsc and esbuild skip them. kernels.as is the
// entry; the other .as files are its modules.
for (const name of readdirSync(dir).filter((n) => n.endsWith('.as'))) copyFileSync(join(dir, name), join(tmp, basename(name, '.as') + '.ts'));
const out = join(dir, 'kernels.wasm');
const args = [join(tmp, 'kernels.ts'), '-O3', '--noAssert', '--runtime', 'stub', '--enable', 'simd,threads', '--importMemory', '--sharedMemory',
  '--initialMemory', '1', '--maximumMemory', String(MAX_PAGES), '-o', out];
const r = spawnSync(asc, args, { stdio: 'inherit' });
const failed = r.status !== 0;
if (!failed) console.log(`built ${out}`);
rmSync(tmp, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
