/**
 * Kernel loader: one typed `Kernels` interface, WebAssembly SIMD when the runtime supports it (SIMD,
 * threads and shared memory), the plain TypeScript references otherwise. AFFINITY_KERNELS=ts forces
 * the TypeScript kernels. The WASM module is compiled once; all models share one memory and arena.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { tsKernels } from './ts/index.js';
import type { Kernels } from './types.js';
import { WasmKernels } from './wasm/kernels-wasm.js';

export type { Arena, CsrArrays, Kernels, RowJob } from './types.js';
export { tsKernels } from './ts/index.js';
export { topK } from '../core/topk.js';

/** Pages of 64 KiB the shared memory may grow to (2 GiB; must match scripts/build-wasm.mjs). */
export const MAX_PAGES = 32768;

let wasmCache: WasmKernels | null | undefined;

/** The WASM SIMD kernels, or null when this runtime cannot run them. */
export function wasmKernels(): WasmKernels | null {
  if (wasmCache !== undefined) return wasmCache;
  wasmCache = null;
  try {
    const bytes = readFileSync(new URL('./wasm/kernels.wasm', import.meta.url));
    if (typeof SharedArrayBuffer === 'undefined' || !WebAssembly.validate(bytes)) return null;
    const module = new WebAssembly.Module(bytes);
    const memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
    wasmCache = new WasmKernels(module, memory, MAX_PAGES);
  } catch {
    wasmCache = null;
  }
  return wasmCache;
}

/** The best kernel set available here. */
export function getKernels(): Kernels {
  if (process.env.AFFINITY_KERNELS === 'ts') return tsKernels;
  return wasmKernels() ?? tsKernels;
}

/** Threads to use for a `threads` parameter (0 = all cores). */
export function resolveThreads(threads: number): number {
  return threads > 0 ? Math.floor(threads) : Math.max(1, cpus().length);
}
