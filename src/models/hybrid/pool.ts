import { WorkerPool } from '../../core/worker-pool.js';
import type { HybridWorkerData, HybridWorkerMessage } from './hybrid-worker.js';
import type { EpochStats } from './sgd.js';

/** Persistent Hogwild workers over the shared hybrid arrays; one range of the epoch order per worker per call. */
export class HybridPool {
  private readonly pool: WorkerPool<HybridWorkerData, HybridWorkerMessage, EpochStats>;

  constructor(size: number, data: HybridWorkerData) {
    this.pool = new WorkerPool(import.meta.url, 'hybrid-worker', size, data, 'hybrid');
  }

  get size(): number {
    return this.pool.size;
  }

  /** Worker w processes order[ranges[w][0], ranges[w][1]) with seed seeds[w]; resolves with the summed stats. */
  async epoch(ranges: Array<[number, number]>, seeds: number[]): Promise<EpochStats> {
    const replies = await this.pool.round(ranges.map(([start, end], w) => ({ type: 'epoch', start, end, seed: seeds[w], slot: w })));
    const out: EpochStats = { loss: 0, count: 0, correct: 0 };
    for (const r of replies) {
      out.loss += r.loss;
      out.count += r.count;
      out.correct += r.correct;
    }
    return out;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
