import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { AffinityError, paramError, throwIfAborted } from '../../core/errors.js';
import type { ProgressFn } from '../recommender.js';
import { computeRows, SimScratch, type SimInput, type SimRows } from './sim-kernel.js';
import { startWorker } from '../../core/worker.js';
import type { ChunkRequest, ChunkResult } from './sim-worker.js';

/** A similarity matrix: row x holds its neighbours best first (CSR over x, not sorted by index). */
export interface SimMatrix {
  n: number;
  ptr: Int32Array;
  idx: Int32Array;
  val: Float64Array;
}

export interface SimRunOptions {
  /** Worker threads (1 = the calling thread only; 0 = one per core). */
  threads?: number;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
}

/** Resolves a `threads` value: 0 = all cores; otherwise a positive integer. */
export function resolveThreads(threads: number | undefined): number {
  const t = threads ?? 1;
  if (!Number.isInteger(t) || t < 0) throw paramError('threads', t, 'a non-negative integer (0 = one per core)');
  return t === 0 ? Math.max(1, availableParallelism()) : t;
}

/**
 * Computes every row of the similarity matrix described by `inp`, in chunks of rows; with more
 * than one thread the chunks are shared out to worker threads that read the inputs from shared
 * memory, and merged back in row order (the result is identical for any number of threads).
 */
export async function computeSimilarities(inp: SimInput, opts: SimRunOptions = {}): Promise<SimMatrix> {
  const threads = resolveThreads(opts.threads);
  const n = inp.nX;
  throwIfAborted(opts.signal);
  // chunks: about 8 per thread for balance, at most 4096 rows, at least 16
  const size = Math.max(16, Math.min(4096, Math.ceil(n / Math.max(1, threads * 8))));
  const nChunks = Math.ceil(n / size);
  const parts: (SimRows | null)[] = new Array<SimRows | null>(nChunks).fill(null);
  if (threads <= 1 || nChunks <= 1) {
    const scratch = new SimScratch(n, inp.mode);
    for (let c = 0; c < nChunks; c++) {
      throwIfAborted(opts.signal);
      parts[c] = computeRows(inp, c * size, Math.min(n, (c + 1) * size), scratch);
      opts.onProgress?.({ phase: 'similarities', done: Math.min(n, (c + 1) * size), total: n });
      if ((c & 7) === 7) await new Promise<void>((r) => setImmediate(r)); // let abort signals through
    }
  } else {
    inp = toShared(inp); // drops this frame's hold on the unshared copies, so they can be collected
    await runWorkers(inp, Math.min(threads, nChunks), nChunks, size, parts, opts);
  }
  return merge(n, parts);
}

/** Copies the input arrays into SharedArrayBuffers (once), so that workers read them in place. */
function toShared(inp: SimInput): SimInput {
  const share = <T extends Int32Array | Float32Array>(a: T): T => {
    if (a.buffer instanceof SharedArrayBuffer) return a;
    const Ctor = a.constructor as { new (b: SharedArrayBuffer): T };
    const out = new Ctor(new SharedArrayBuffer(a.byteLength));
    out.set(a);
    return out;
  };
  return {
    ...inp,
    xPtr: share(inp.xPtr),
    xIdx: share(inp.xIdx),
    xVal: share(inp.xVal),
    yPtr: share(inp.yPtr),
    yIdx: share(inp.yIdx),
    yVal: share(inp.yVal),
  };
}

function runWorkers(
  inp: SimInput,
  nWorkers: number,
  nChunks: number,
  size: number,
  parts: (SimRows | null)[],
  opts: SimRunOptions,
): Promise<void> {
  const n = inp.nX;
  return new Promise<void>((resolve, reject) => {
    const workers: Worker[] = [];
    let next = 0;
    let finished = 0;
    let rowsDone = 0;
    let failed = false;
    const stopAll = (): void => {
      for (const w of workers) void w.terminate();
    };
    const fail = (e: unknown): void => {
      if (failed) return;
      failed = true;
      opts.signal?.removeEventListener('abort', onAbort);
      stopAll();
      reject(e instanceof Error ? e : new AffinityError('E_ABORTED', String(e)));
    };
    const onAbort = (): void => fail(new AffinityError('E_ABORTED', 'operation cancelled'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const released = new Set<Worker>();
    const send = (w: Worker): void => {
      if (next < nChunks) {
        const c = next++;
        const req: ChunkRequest = { chunk: c, lo: c * size, hi: Math.min(n, (c + 1) * size) };
        w.postMessage(req);
      } else {
        released.add(w);
        w.postMessage(null);
      }
    };
    for (let t = 0; t < nWorkers; t++) {
      const w = startWorker(import.meta.url, 'sim-worker', { workerData: inp });
      workers.push(w);
      w.on('message', (m: ChunkResult) => {
        if (failed) return;
        parts[m.chunk] = { ptr: m.ptr, idx: m.idx, val: m.val };
        rowsDone += m.ptr.length - 1;
        opts.onProgress?.({ phase: 'similarities', done: rowsDone, total: n });
        finished++;
        if (finished === nChunks) {
          opts.signal?.removeEventListener('abort', onAbort);
          stopAll();
          resolve();
        } else send(w);
      });
      w.on('error', fail);
      w.on('exit', (code) => {
        if (!failed && finished < nChunks && !released.has(w)) fail(new AffinityError('E_ABORTED', `similarity worker stopped early (exit code ${code})`));
      });
      send(w);
    }
  });
}

function merge(n: number, parts: (SimRows | null)[]): SimMatrix {
  let total = 0;
  for (const p of parts) total += p ? p.idx.length : 0;
  const ptr = new Int32Array(n + 1);
  const idx = new Int32Array(total);
  const val = new Float64Array(total);
  let row = 0;
  let out = 0;
  for (const p of parts) {
    if (!p) throw new AffinityError('E_ABORTED', 'similarity computation did not finish');
    const rows = p.ptr.length - 1;
    for (let r = 0; r < rows; r++) ptr[row + r + 1] = out + p.ptr[r + 1];
    idx.set(p.idx, out);
    val.set(p.val, out);
    out += p.idx.length;
    row += rows;
  }
  return { n, ptr, idx, val };
}
