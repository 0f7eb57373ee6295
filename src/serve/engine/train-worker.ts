/**
 * Worker thread of a retraining run: reads the events (opening the store URL itself, or from the events
 * the engine passed for stores a second connection cannot see, such as sqlite::memory:), builds the
 * Dataset, fits, evaluates on the holdout, encodes the state and posts it back. The engine records the
 * version in the registry and swaps the model; nothing here blocks the serving thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../../store/index.js';
import type { EventRecord } from '../../store/types.js';
import { trainOnce, type TrainSpec } from './train.js';
import { readTrainingData, TrainingData, type EventWeights } from './weights.js';

export interface TrainJob {
  spec: TrainSpec;
  weights: EventWeights;
  /** Store to read from, or null when `events` are given. */
  storeUrl: string | null;
  events: EventRecord[] | null;
}

export type TrainReply =
  | { ok: true; blob: Uint8Array; metrics: Record<string, number>; params: Record<string, string | number | boolean>; lastSeq: number; events: number }
  | { ok: false; code: string; message: string };

async function run(job: TrainJob): Promise<TrainReply> {
  let td: TrainingData;
  if (job.storeUrl !== null) {
    const store = await openStore(job.storeUrl);
    try {
      td = await readTrainingData(store, job.weights);
    } finally {
      await store.close();
    }
  } else {
    td = new TrainingData(job.weights);
    td.add(job.events ?? []);
  }
  const out = await trainOnce(td.dataset(), job.spec);
  return { ok: true, blob: out.blob, metrics: out.metrics, params: out.params, lastSeq: td.lastSeq, events: td.events };
}

const port = parentPort;
if (port) {
  run(workerData as TrainJob).then(
    (r) => port.postMessage(r, r.ok ? [r.blob.buffer as ArrayBuffer] : []),
    (e: unknown) => {
      const err = e as { code?: unknown; message?: unknown };
      port.postMessage({ ok: false, code: typeof err.code === 'string' ? err.code : 'E_TRAIN', message: String(err.message ?? e) } satisfies TrainReply);
    },
  );
}
