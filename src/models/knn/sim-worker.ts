/**
 * Worker thread of the parallel similarity computation: receives the kernel inputs (arrays over
 * SharedArrayBuffers) as workerData, then computes the row chunks it is sent and posts each result
 * back (transferring its buffers). A `null` message ends it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { computeRows, SimScratch, type SimInput } from './sim-kernel.js';

export interface ChunkRequest {
  chunk: number;
  lo: number;
  hi: number;
}
export interface ChunkResult {
  chunk: number;
  ptr: Int32Array;
  idx: Int32Array;
  val: Float64Array;
}

const port = parentPort;
if (port) {
  const inp = workerData as SimInput;
  const scratch = new SimScratch(inp.nX, inp.mode);
  port.on('message', (m: ChunkRequest | null) => {
    if (m === null) {
      port.close();
      return;
    }
    const r = computeRows(inp, m.lo, m.hi, scratch);
    const res: ChunkResult = { chunk: m.chunk, ptr: r.ptr, idx: r.idx, val: r.val };
    port.postMessage(res, [r.ptr.buffer as ArrayBuffer, r.idx.buffer as ArrayBuffer, r.val.buffer as ArrayBuffer]);
  });
}
