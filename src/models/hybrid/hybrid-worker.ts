/**
 * Hogwild worker of the hybrid model: runs its share of each epoch on feature embeddings shared
 * with the main thread and the other workers (SharedArrayBuffers, lock-free, as LightFM's OpenMP loop).
 * Messages in: { type: 'epoch', start, end, seed } and { type: 'close' }; out: EpochStats per epoch.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { hybridEpoch, seedState, type HybridArrays, type HybridHyper } from './sgd.js';
import { instantiate, wasmEpoch } from './sgd-wasm.js';

export interface HybridWorkerData {
  arrays: HybridArrays;
  hyper: HybridHyper;
  /** The SIMD path: module, the shared memory holding the embeddings, one scratch view per worker. */
  wasm: { module: WebAssembly.Module; memory: WebAssembly.Memory; scratch: Float32Array[] } | null;
}

export type HybridWorkerMessage = { type: 'epoch'; start: number; end: number; seed: number; slot: number } | { type: 'close' };

const init = workerData as HybridWorkerData;
const kernels = init?.wasm ? instantiate(init.wasm.module, init.wasm.memory) : null;
const port = parentPort;
if (port) {
  port.on('message', (m: HybridWorkerMessage) => {
    if (m.type === 'close') {
      port.close();
      return;
    }
    try {
      const r =
        kernels && init.wasm
          ? wasmEpoch(init.arrays, init.hyper, kernels, init.wasm.scratch[m.slot], m.start, m.end, seedState(m.seed))
          : hybridEpoch(init.arrays, init.hyper, m.start, m.end, m.seed);
      port.postMessage({ ok: true, loss: r.loss, count: r.count, correct: r.correct });
    } catch (e) {
      port.postMessage({ ok: false, error: (e as Error).message });
    }
  });
}
