import type { Worker } from 'node:worker_threads';
import { AffinityError } from './errors.js';
import { startWorker } from './worker.js';

/** A worker's answer to one task: its result, or the error it caught. */
export type WorkerReply<R> = ({ ok: true } & R) | { ok: false; error: string };

/**
 * Persistent workers (one module, the same workerData) that each take one message per round and
 * answer with one reply — the shape of Hogwild training epochs over shared arrays. `label` names the
 * model in errors.
 */
export class WorkerPool<D, M, R> {
  private readonly workers: Worker[] = [];
  private failure: Error | null = null;

  constructor(
    callerUrl: string,
    private readonly module: string,
    size: number,
    data: D,
    private readonly label: string,
  ) {
    for (let w = 0; w < size; w++) {
      const worker = startWorker(callerUrl, module, { workerData: data });
      worker.on('error', (e) => {
        this.failure = e;
      });
      this.workers.push(worker);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** Sends `messages[w]` to worker w and resolves with every worker's result, in worker order. */
  async round(messages: M[]): Promise<R[]> {
    const replies = await Promise.all(this.workers.map((worker, w) => this.ask(worker, messages[w]))).catch((e: unknown) => {
      throw new AffinityError('E_UNSUPPORTED', `${this.label}: a training worker failed (${(e as Error).message}); expected worker_threads to run ${this.module}`);
    });
    return replies.map((r) => {
      if (!r.ok) throw new AffinityError('E_UNSUPPORTED', `${this.label}: a training worker failed: ${r.error}`);
      return r;
    });
  }

  private ask(worker: Worker, msg: M): Promise<WorkerReply<R>> {
    return new Promise((resolve, reject) => {
      const onMessage = (r: WorkerReply<R>): void => {
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
        reject(this.failure ?? new Error(`${this.module} exited with code ${code}`));
      };
      worker.once('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.postMessage(msg);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
