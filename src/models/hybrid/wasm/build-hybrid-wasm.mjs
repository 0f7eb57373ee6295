// Compiles hybrid.as (beside this script) to hybrid.wasm: v128 SIMD, imported shared memory (so the
// Hogwild workers run the kernels on the same WebAssembly.Memory). The .wasm is committed; run this
// after editing hybrid.as: `node src/models/hybrid/wasm/build-hybrid-wasm.mjs`.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));
const root = join(dir, '..', '..', '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'affinity-hybrid-asc-'));
copyFileSync(join(dir, 'hybrid.as'), join(tmp, 'hybrid.ts'));
const out = join(dir, 'hybrid.wasm');
const args = [join(tmp, 'hybrid.ts'), '-O3', '--noAssert', '--runtime', 'stub', '--enable', 'simd,threads', '--importMemory', '--sharedMemory',
  '--initialMemory', '1', '--maximumMemory', '32768', '-o', out];
const r = spawnSync(join(root, 'node_modules', '.bin', 'asc'), args, { stdio: 'inherit' });
rmSync(tmp, { recursive: true, force: true });
if (r.status === 0) console.log(`built ${out}`);
process.exit(r.status === 0 ? 0 : 1);
