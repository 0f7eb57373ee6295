import { WorkerPool } from '../../core/worker-pool.js';
import type { BprWorkerData, BprWorkerMessage } from './bpr-worker.js';
import type { EpochResult } from './sgd.js';

/** Persistent Hogwild workers over shared factor arrays; one epoch share per worker per call. */
export class BprPool {
  private readonly pool: WorkerPool<BprWorkerData, BprWorkerMessage, EpochResult>;

  constructor(size: number, data: BprWorkerData) {
    this.pool = new WorkerPool(import.meta.url, 'bpr-worker', size, data, 'bpr');
  }

  get size(): number {
    return this.pool.size;
  }

  /** Runs `samples[w]` steps on worker w with seed `seeds[w]`; resolves with the summed counts. */
  async epoch(samples: number[], seeds: number[]): Promise<EpochResult> {
    const replies = await this.pool.round(samples.map((s, w) => ({ type: 'epoch', samples: s, seed: seeds[w] })));
    let correct = 0;
    let skipped = 0;
    for (const r of replies) {
      correct += r.correct;
      skipped += r.skipped;
    }
    return { correct, skipped };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
