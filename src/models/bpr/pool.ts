import type { Worker } from 'node:worker_threads';
import { AffinityError } from '../../core/errors.js';
import { startWorker } from '../../core/worker.js';
import type { BprWorkerData, BprWorkerMessage } from './bpr-worker.js';
import type { EpochResult } from './sgd.js';

type Reply = { ok: true; correct: number; skipped: number } | { ok: false; error: string };

/** Persistent Hogwild workers over shared factor arrays; one epoch share per worker per call. */
export class BprPool {
  private readonly workers: Worker[] = [];
  private failure: Error | null = null;

  constructor(size: number, data: BprWorkerData) {
    for (let w = 0; w < size; w++) {
      const worker = startWorker(import.meta.url, 'bpr-worker', { workerData: data });
      worker.on('error', (e) => {
        this.failure = e;
      });
      this.workers.push(worker);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** Runs `samples[w]` steps on worker w with seed `seeds[w]`; resolves with the summed counts. */
  async epoch(samples: number[], seeds: number[]): Promise<EpochResult> {
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
              reject(this.failure ?? new Error(`BPR worker exited with code ${code}`));
            };
            worker.once('message', onMessage);
            worker.once('error', onError);
            worker.once('exit', onExit);
            const msg: BprWorkerMessage = { type: 'epoch', samples: samples[w], seed: seeds[w] };
            worker.postMessage(msg);
          }),
      ),
    ).catch((e: unknown) => {
      throw new AffinityError('E_UNSUPPORTED', `bpr: a training worker failed (${(e as Error).message}); expected worker_threads to run bpr-worker`);
    });
    let correct = 0;
    let skipped = 0;
    for (const r of replies) {
      if (!r.ok) throw new AffinityError('E_UNSUPPORTED', `bpr: a training worker failed: ${r.error}`);
      correct += r.correct;
      skipped += r.skipped;
    }
    return { correct, skipped };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
