/**
 * Runs a training job in a worker thread (startWorker) and resolves with its reply; stop() terminates
 * the worker of a running job (its promise then rejects with E_ABORTED).
 */
import type { Worker } from 'node:worker_threads';
import { AffinityError, type ErrorCode } from '../../core/errors.js';
import { startWorker } from '../../core/worker.js';
import type { TrainJob, TrainReply } from './train-worker.js';

export type TrainSuccess = Extract<TrainReply, { ok: true }>;

export class Trainer {
  private worker: Worker | null = null;

  get running(): boolean {
    return this.worker !== null;
  }

  run(job: TrainJob): Promise<TrainSuccess> {
    if (this.worker) return Promise.reject(new AffinityError('E_PARAM', 'retrain: a training run is already in progress', { field: 'retrain' }));
    return new Promise<TrainSuccess>((resolve, reject) => {
      const w = startWorker(import.meta.url, 'train-worker', { workerData: job });
      this.worker = w;
      let settled = false;
      const done = (f: () => void): void => {
        if (settled) return;
        settled = true;
        this.worker = null;
        f();
      };
      w.on('message', (r: TrainReply) => {
        done(() => (r.ok ? resolve(r) : reject(new AffinityError(knownCode(r.code), `retrain: ${r.message}`))));
        void w.terminate();
      });
      w.on('error', (e) => done(() => reject(new AffinityError('E_IO', `retrain: the training worker failed (${e.message})`))));
      w.on('exit', (code) => done(() => reject(new AffinityError('E_ABORTED', `retrain: the training worker exited (code ${code}) before it answered`))));
    });
  }

  async stop(): Promise<void> {
    const w = this.worker;
    if (w) await w.terminate();
  }
}

const CODES: readonly ErrorCode[] = ['E_PARSE', 'E_FORMAT', 'E_EMPTY', 'E_IO', 'E_PARAM', 'E_UNKNOWN_ID', 'E_NOT_FITTED', 'E_UNSUPPORTED', 'E_MODEL_FILE', 'E_TOO_LARGE', 'E_ABORTED'];
function knownCode(c: string): ErrorCode {
  return (CODES as readonly string[]).includes(c) ? (c as ErrorCode) : 'E_IO';
}
