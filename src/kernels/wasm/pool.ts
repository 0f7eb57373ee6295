/**
 * Persistent worker_threads that run WASM row kernels on the shared WebAssembly.Memory. A job is one
 * exported kernel over rows [0, n) split in chunks; the calling thread and the workers claim chunks from
 * an atomic counter in the shared memory (dynamic balancing), so `threads` = workers + 1.
 */
import { Worker } from 'node:worker_threads';
import type { WasmArena } from './arena.js';

// Plain JS run by each worker (eval'd, so the pool works the same from src/ under tsx and from dist/).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const inst = new WebAssembly.Instance(workerData.module, { env: { memory: workerData.memory } });
const ex = inst.exports;
parentPort.on('message', (m) => {
  let acc = 0;
  let chunks = 0;
  try {
    const ctr = new Int32Array(workerData.memory.buffer, m.counter, 1);
    const fn = ex[m.fn];
    for (;;) {
      const k = Atomics.add(ctr, 0, 1);
      if (k >= m.nChunks) break;
      const s = k * m.chunk;
      const r = fn(...m.args, m.scratch, s, Math.min(m.n, s + m.chunk));
      if (typeof r === 'number') acc += r;
      chunks++;
    }
    parentPort.postMessage({ ok: true, acc, chunks });
  } catch (e) {
    parentPort.postMessage({ ok: false, error: String(e && e.stack || e) });
  }
});
`;

interface Reply {
  ok: boolean;
  acc?: number;
  chunks?: number;
  error?: string;
}

export type RowKernel = (...args: number[]) => number | undefined;

export class KernelPool {
  readonly threads: number;
  private readonly workers: Worker[] = [];
  private readonly counter: number;
  /** Chunks each thread ran in the last job (this thread first): shows whether the workers took part. */
  lastChunks: number[] = [];

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, arena: WasmArena, threads: number) {
    this.threads = threads;
    this.counter = arena.alloc(16);
    for (let t = 1; t < threads; t++) {
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory } });
      w.unref();
      this.workers.push(w);
    }
  }

  /**
   * Runs `name(...args, scratch_t, start, end)` over [0, n) on every thread; scratch_t = scratch +
   * t * scratchStride. `local` is the same kernel on this thread's instance. Returns the sum of results.
   */
  async run(name: string, local: RowKernel, args: number[], n: number, scratch: number, scratchStride: number, memory: WebAssembly.Memory): Promise<number> {
    const chunk = Math.max(8, Math.ceil(n / (this.threads * 24)));
    const nChunks = Math.ceil(n / chunk);
    const ctr = new Int32Array(memory.buffer, this.counter, 1);
    Atomics.store(ctr, 0, 0);
    const replies = this.workers.map(
      (w, k) =>
        new Promise<number>((resolve, reject) => {
          w.ref();
          const onMsg = (m: Reply): void => {
            w.off('error', onErr);
            w.unref();
            if (m.ok) {
              this.lastChunks[k + 1] = m.chunks ?? 0;
              resolve(m.acc ?? 0);
            }
            else reject(new Error(`kernel worker: ${m.error}`));
          };
          const onErr = (e: Error): void => {
            w.off('message', onMsg);
            reject(e);
          };
          w.once('message', onMsg);
          w.once('error', onErr);
          w.postMessage({ fn: name, args, n, chunk, nChunks, counter: this.counter, scratch: scratch + (k + 1) * scratchStride });
        }),
    );
    let acc = 0;
    let mine = 0;
    this.lastChunks = new Array<number>(this.threads).fill(0);
    for (;;) {
      const k = Atomics.add(ctr, 0, 1);
      if (k >= nChunks) break;
      const s = k * chunk;
      const r = local(...args, scratch, s, Math.min(n, s + chunk));
      if (typeof r === 'number') acc += r;
      mine++;
    }
    this.lastChunks[0] = mine;
    const rest = await Promise.all(replies);
    for (const r of rest) acc += r;
    return acc;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
