/**
 * One training run of the engine, the same code in the worker thread and in-process: fit the model on a
 * holdout split, measure NDCG@10 and P@10 on the held-out rows (src/eval metrics), refit on all the data,
 * and encode the state (src/models/io.ts container) for the model registry.
 */
import { AffinityError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { Dataset } from '../../data/dataset.js';
import { applySplit, splitDataset } from '../../data/split.js';
import { ndcgAt, precisionAt, relevantSet } from '../../eval/metrics.js';
import type { BaseRecommender } from '../../models/base.js';
import { decodeState, encodeState } from '../../models/io.js';
import { resolveParams } from '../../models/params.js';
import type { Params } from '../../models/recommender.js';
import { createModel, getModelEntry } from '../../models/registry.js';

export interface TrainSpec {
  model: string;
  params: Record<string, string | number | boolean>;
  /** Share of each user's rows held out for the offline metrics (0 = no evaluation). */
  holdout: number;
  /** Most users evaluated (a seeded sample when there are more). */
  evalUsers: number;
  seed: number;
}

export interface TrainOutcome {
  blob: Uint8Array;
  metrics: Record<string, number>;
  params: Params;
}

/** Rebuilds a fitted model from an encoded state (a registry blob). */
export function modelFromBlob(blob: Uint8Array, where = 'model blob'): BaseRecommender {
  const state = decodeState(Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength), where);
  const e = getModelEntry(state.name);
  return e.build(e.name, resolveParams(e.name, e.params, state.params)).restore(state);
}

/** NDCG@10, P@10 (and the user count) of a model fitted on `train` against `test`. */
export function holdoutMetrics(model: BaseRecommender, test: Dataset, maxUsers: number, seed: number): Record<string, number> {
  const csr = test.csr();
  const users: number[] = [];
  for (let u = 0; u < csr.nRows; u++) if (csr.indptr[u + 1] > csr.indptr[u]) users.push(u);
  if (users.length > maxUsers) {
    const rng = new Rng(seed);
    for (let k = users.length - 1; k > 0; k--) {
      const j = rng.int(k + 1);
      const t = users[k];
      users[k] = users[j];
      users[j] = t;
    }
    users.length = maxUsers;
  }
  let ndcg = 0;
  let prec = 0;
  for (const u of users) {
    const rel = relevantSet(csr.indices.subarray(csr.indptr[u], csr.indptr[u + 1]));
    const top = model.recommend(u, { n: 10 });
    ndcg += ndcgAt(top.items, rel, 10);
    prec += precisionAt(top.items, rel, 10);
  }
  const n = Math.max(users.length, 1);
  return { 'ndcg@10': ndcg / n, 'precision@10': prec / n, evalUsers: users.length };
}

/** Fits, evaluates on the holdout, refits on everything, encodes. */
export async function trainOnce(data: Dataset, spec: TrainSpec, signal?: AbortSignal): Promise<TrainOutcome> {
  if (data.size === 0) throw new AffinityError('E_EMPTY', 'engine: there are no positive interactions to train on');
  const t0 = performance.now();
  let metrics: Record<string, number> = {};
  if (spec.holdout > 0 && data.nUsers > 1) {
    const [fold] = splitDataset(data, { kind: 'user-ratio', testFraction: spec.holdout, minTrain: 1 }, spec.seed);
    const { train, test } = applySplit(data, fold);
    if (train.size > 0 && test.size > 0) {
      const m = createModel(spec.model, spec.params);
      await m.fit(train, { signal });
      metrics = holdoutMetrics(m, test, spec.evalUsers, spec.seed);
    }
  }
  const model = createModel(spec.model, spec.params);
  const report = await model.fit(data, { signal });
  const blob = encodeState(model.toState());
  metrics = { ...metrics, interactions: data.size, users: data.nUsers, items: data.nItems, fitSeconds: report.fitSeconds, trainSeconds: (performance.now() - t0) / 1000 };
  return { blob: new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength), metrics, params: { ...model.params } };
}
