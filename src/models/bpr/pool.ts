import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AffinityError } from '../../core/errors.js';
import type { BprWorkerData, BprWorkerMessage } from './bpr-worker.js';
import type { EpochResult } from './sgd.js';

/**
 * The worker script: bpr-worker.js beside this module (dist/), or bpr-worker.ts when running from
 * source under tsx.
 */
export function bprWorkerUrl(): URL {
  const js = new URL('./bpr-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return js;
  return new URL('./bpr-worker.ts', import.meta.url);
}

/**
 * Starts the worker. From dist/ it is a plain module. From source (tests run with
 * `node --import tsx`), Node 20 workers inherit `--import tsx` in execArgv but not its module
 * hooks ("Unknown file extension .ts"), so a small bootstrap registers tsx in the worker first.
 */
function startWorker(data: BprWorkerData): Worker {
  const url = bprWorkerUrl();
  if (url.pathname.endsWith('.js')) return new Worker(url, { workerData: data });
  let api: string;
  try {
    api = import.meta.resolve('tsx/esm/api');
  } catch {
    throw new AffinityError('E_UNSUPPORTED', `bpr: threads > 1 from TypeScript sources needs tsx (or run the built dist/ with npm run build); ${url.pathname} cannot be loaded`);
  }
  const boot = `import(${JSON.stringify(api)}).then((a) => { a.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { eval: true, workerData: data });
}

type Reply = { ok: true; correct: number; skipped: number } | { ok: false; error: string };

/** Persistent Hogwild workers over shared factor arrays; one epoch share per worker per call. */
export class BprPool {
  private readonly workers: Worker[] = [];
  private failure: Error | null = null;

  constructor(size: number, data: BprWorkerData) {
    for (let w = 0; w < size; w++) {
      const worker = startWorker(data);
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
      throw new AffinityError('E_UNSUPPORTED', `bpr: a training worker failed (${(e as Error).message}); expected worker_threads to run ${bprWorkerUrl().pathname}`);
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
