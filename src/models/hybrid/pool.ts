import type { Worker } from 'node:worker_threads';
import { AffinityError } from '../../core/errors.js';
import { startWorker } from '../../core/worker.js';
import type { HybridWorkerData, HybridWorkerMessage } from './hybrid-worker.js';
import type { EpochStats } from './sgd.js';

type Reply = ({ ok: true } & EpochStats) | { ok: false; error: string };

/** Persistent Hogwild workers over the shared hybrid arrays; one range of the epoch order per worker per call. */
export class HybridPool {
  private readonly workers: Worker[] = [];
  private failure: Error | null = null;

  constructor(size: number, data: HybridWorkerData) {
    for (let w = 0; w < size; w++) {
      const worker = startWorker(import.meta.url, 'hybrid-worker', { workerData: data });
      worker.on('error', (e) => {
        this.failure = e;
      });
      this.workers.push(worker);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** Worker w processes order[ranges[w][0], ranges[w][1]) with seed seeds[w]; resolves with the summed stats. */
  async epoch(ranges: Array<[number, number]>, seeds: number[]): Promise<EpochStats> {
    const replies = await Promise.all(
      this.workers.map(
        (worker, w) =>
          new Promise<Reply>((resolve, reject) => {
            const onMessage = (r: Reply): void => {
              worker.off('error', onError);
              worker.off('exit', onExit);
              resolve(r);
            };
            const onError = (e: Error): void => {
              worker.off('message', onMessage);
              worker.off('exit', onExit);
              reject(e);
            };
            const onExit = (code: number): void => {
              worker.off('message', onMessage);
              worker.off('error', onError);
              reject(this.failure ?? new Error(`hybrid worker exited with code ${code}`));
            };
            worker.once('message', onMessage);
            worker.once('error', onError);
            worker.once('exit', onExit);
            const msg: HybridWorkerMessage = { type: 'epoch', start: ranges[w][0], end: ranges[w][1], seed: seeds[w], slot: w };
            worker.postMessage(msg);
          }),
      ),
    ).catch((e: unknown) => {
      throw new AffinityError('E_UNSUPPORTED', `hybrid: a training worker failed (${(e as Error).message}); expected worker_threads to run hybrid-worker`);
    });
    const out: EpochStats = { loss: 0, count: 0, correct: 0 };
    for (const r of replies) {
      if (!r.ok) throw new AffinityError('E_UNSUPPORTED', `hybrid: a training worker failed: ${r.error}`);
      out.loss += r.loss;
      out.count += r.count;
      out.correct += r.correct;
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
