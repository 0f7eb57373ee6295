/**
 * Hogwild worker of BPR: runs its share of each epoch's SGD steps on factor arrays shared with the
 * main thread and the other workers (SharedArrayBuffers, lock-free, as Recht et al. 2011).
 * Messages in: { type: 'epoch', samples, seed } and { type: 'close' }; out: EpochResult per epoch.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { bprEpoch, type BprArrays } from './sgd.js';

export interface BprWorkerData {
  arrays: BprArrays;
  lr: number;
  reg: number;
}

export type BprWorkerMessage = { type: 'epoch'; samples: number; seed: number } | { type: 'close' };

const init = workerData as BprWorkerData;
const port = parentPort;
if (port) {
  port.on('message', (m: BprWorkerMessage) => {
    if (m.type === 'close') {
      port.close();
      return;
    }
    try {
      const r = bprEpoch(init.arrays, init.lr, init.reg, m.samples, m.seed);
      port.postMessage({ ok: true, correct: r.correct, skipped: r.skipped });
    } catch (e) {
      port.postMessage({ ok: false, error: (e as Error).message });
    }
  });
}
