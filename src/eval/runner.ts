import { AffinityError, throwIfAborted } from '../core/errors.js';
import type { Dataset } from '../data/dataset.js';
import type { SplitFold } from '../data/split-types.js';
import type { BaseRecommender } from '../models/base.js';
import { featureGroups, groupGap, ItemVectors, tercileGroups, type UserGroups } from './beyond.js';
import { prepareFold, type FoldData } from './fold.js';
import { LIST_KINDS, RATING_KINDS, resolveMetrics, type MetricSpec } from './metric-names.js';
import type { EvaluationReport, ModelResult, Protocol } from './protocol.js';
import { scoreFold, type FoldScores } from './score-fold.js';

/** Progress of an evaluation: fitting (the model's own steps) and predicting (users done). */
export interface EvalProgress {
  model: string;
  fold: number;
  folds: number;
  phase: 'fit' | 'predict';
  done: number;
  total: number;
  loss?: number;
}

/** Options shared by `evaluate` (models by registry name) and `evaluateModels` (model factories). */
export interface EvalCommon {
  data: Dataset;
  folds: SplitFold[];
  protocol: Protocol;
  onProgress?: (e: EvalProgress) => void;
  /** Add each user's values of the per-user metrics (first fold) to the results. */
  perUser?: boolean;
  /** The data's name in the report (default: data.source). */
  dataLabel?: string;
  signal?: AbortSignal;
  /** Fairness: group users by this user feature, or 'activity' (terciles of training rows), and add 'metric.gap'. */
  groupBy?: string;
  /** Item vectors for diversity@K (default: one-hot of the data's categorical/multi item features). */
  itemVectors?: ItemVectors;
  /** Users per recommendBatch call (default 256). */
  batchSize?: number;
}

/** A model to evaluate, built fresh for every fold. */
export interface ModelFactory {
  /** Name in the report. */
  name: string;
  /** 'rating' models are also scored with rmse/mae (through predict) and fit on the explicit training data. */
  task: 'rating' | 'ranking';
  create: () => BaseRecommender;
}

export interface EvalModelsInput extends EvalCommon {
  models: ModelFactory[];
}

/**
 * Fits and scores every model on every fold and aggregates: for each metric the mean and the
 * population standard deviation (divide by the number of folds) over folds; fitSeconds and
 * predictSeconds are means per fold (predictSeconds = time in the model's predict, recommendBatch,
 * scoreAll and scoreItems calls only). Rating models fit on the training rows as they are; ranking
 * models on binary implicit rows (>= relevanceThreshold) when protocol.implicit.
 */
export async function evaluateModels(input: EvalModelsInput): Promise<EvaluationReport> {
  const { data, folds, protocol } = input;
  if (!folds.length) throw new AffinityError('E_PARAM', 'folds: got none; expected at least one train/test fold', { field: 'folds' });
  if (!input.models.length) throw new AffinityError('E_PARAM', 'models: got none; expected at least one model', { field: 'models' });
  const onlyRating = input.models.every((m) => m.task === 'rating');
  const specs = resolveMetrics(protocol, data.kind, onlyRating);
  const needsRanking = specs.some((m) => !RATING_KINDS.has(m.kind));
  const vectors = specs.some((m) => m.kind === 'diversity') ? itemVectorsFor(input) : null;
  const results: { folds: FoldScores[]; fit: number[]; groups: Record<string, Record<string, number>>[]; params: Record<string, unknown> }[] =
    input.models.map(() => ({ folds: [], fit: [], groups: [], params: {} }));
  const perUser: ModelResult['perUser'][] = input.models.map(() => undefined);
  let first: FoldData | null = null;

  for (let f = 0; f < folds.length; f++) {
    throwIfAborted(input.signal);
    const fold = prepareFold(data, folds[f], protocol);
    if (!first) first = fold;
    if (needsRanking && fold.evalUsers.length === 0) {
      throw new AffinityError(
        'E_EMPTY',
        `fold ${fold.fold}: no test user has a relevant item (relevanceThreshold ${JSON.stringify(protocol.relevanceThreshold)}); ranking metrics are undefined`,
      );
    }
    const groups = input.groupBy ? userGroups(input.groupBy, data, fold) : null;
    for (let mi = 0; mi < input.models.length; mi++) {
      const spec = input.models[mi];
      const model = spec.create();
      results[mi].params = { ...model.params };
      const emit = (phase: 'fit' | 'predict', done: number, total: number, loss?: number): void => {
        const e: EvalProgress = { model: spec.name, fold: f, folds: folds.length, phase, done, total };
        if (loss !== undefined) e.loss = loss;
        input.onProgress?.(e);
      };
      const fitOpts: { signal?: AbortSignal; onProgress: (e: { done: number; total: number; loss?: number }) => void } = {
        onProgress: (e) => emit('fit', e.done, e.total, e.loss),
      };
      if (input.signal) fitOpts.signal = input.signal;
      const rep = await model.fit(spec.task === 'rating' ? fold.fitRating : fold.fitRanking, fitOpts);
      emit('fit', 1, 1, rep.loss);
      const scores = scoreFold(model, fold, specs, {
        rating: spec.task === 'rating',
        excludeSeen: protocol.excludeSeen,
        sampled: protocol.ranking.kind === 'sampled',
        batchSize: input.batchSize ?? 256,
        vectors,
        onProgress: (done, total) => emit('predict', done, total),
        ...(input.signal ? { signal: input.signal } : {}),
      });
      if (groups) results[mi].groups.push(addGaps(scores, fold, groups, specs));
      results[mi].folds.push(scores);
      results[mi].fit.push(rep.fitSeconds);
      if (f === 0 && input.perUser) perUser[mi] = perUserRows(scores, fold, data);
    }
  }

  const out: ModelResult[] = input.models.map((spec, mi) => aggregate(spec.name, results[mi], perUser[mi]));
  const f0 = first!;
  const proto: EvaluationReport['protocol'] = {
    ...protocol,
    metrics: specs.map((m) => m.name),
    data: input.dataLabel ?? data.source,
    trainRows: f0.train.size,
    testRows: f0.test.size,
    users: data.nUsers,
    items: data.nItems,
    folds: folds.length,
  };
  if (input.groupBy) proto.groupBy = input.groupBy;
  return { protocol: proto, results: out };
}

function itemVectorsFor(input: EvalModelsInput): ItemVectors {
  if (input.itemVectors) return input.itemVectors;
  const t = input.data.itemFeatures;
  if (!t || !t.columns.some((c) => c.kind === 'categorical' || c.kind === 'multi')) {
    throw new AffinityError(
      'E_PARAM',
      '--metrics: diversity@K needs item vectors; expected item features with a categorical or multi-valued column (e.g. genres), or embeddings',
      { field: '--metrics' },
    );
  }
  return ItemVectors.fromFeatures(t, input.data.items);
}

function userGroups(by: string, data: Dataset, fold: FoldData): UserGroups {
  if (by === 'activity') {
    const counts = new Float64Array(data.nUsers);
    for (let u = 0; u < data.nUsers; u++) counts[u] = fold.trainCsr.indptr[u + 1] - fold.trainCsr.indptr[u];
    const include = new Uint8Array(data.nUsers);
    for (const u of fold.evalUsers) include[u] = 1;
    return tercileGroups('activity', counts, include);
  }
  if (!data.userFeatures) {
    throw new AffinityError('E_PARAM', `groupBy: got ${JSON.stringify(by)}; expected 'activity' (the data has no user features)`, { field: 'groupBy' });
  }
  return featureGroups(data.userFeatures, data.users, by);
}

/** Adds 'metric.gap' for each per-user metric; returns the per-group means. */
function addGaps(scores: FoldScores, fold: FoldData, groups: UserGroups, specs: readonly MetricSpec[]): Record<string, Record<string, number>> {
  const means: Record<string, Record<string, number>> = {};
  const full = new Float64Array(groups.group.length);
  for (const m of specs) {
    const v = scores.perUser[m.name];
    if (!v || LIST_KINDS.has(m.kind)) continue;
    full.fill(NaN);
    for (let j = 0; j < fold.evalUsers.length; j++) full[fold.evalUsers[j]] = v[j];
    const g = groupGap(full, groups);
    scores.metrics[`${m.name}.gap`] = g.gap;
    means[m.name] = g.means;
  }
  return means;
}

function perUserRows(scores: FoldScores, fold: FoldData, data: Dataset): NonNullable<ModelResult['perUser']> {
  const names = Object.keys(scores.perUser);
  const rows: NonNullable<ModelResult['perUser']> = [];
  for (let j = 0; j < fold.evalUsers.length; j++) {
    const metrics: Record<string, number> = {};
    for (const n of names) {
      const v = scores.perUser[n][j];
      if (!Number.isNaN(v)) metrics[n] = v;
    }
    rows.push({ user: data.users.id(fold.evalUsers[j]), metrics });
  }
  return rows;
}

function aggregate(
  name: string,
  r: { folds: FoldScores[]; fit: number[]; groups: Record<string, Record<string, number>>[]; params: Record<string, unknown> },
  perUser: ModelResult['perUser'],
): ModelResult {
  const keys = Object.keys(r.folds[0].metrics);
  const metrics: Record<string, number> = {};
  const std: Record<string, number> = {};
  for (const k of keys) {
    const v = r.folds.map((f) => f.metrics[k]);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    metrics[k] = mean;
    std[k] = Math.sqrt(v.reduce((a, b) => a + (b - mean) * (b - mean), 0) / v.length);
  }
  const n = r.folds.length;
  const res: ModelResult = {
    model: name,
    params: r.params,
    metrics,
    std,
    fitSeconds: r.fit.reduce((a, b) => a + b, 0) / n,
    predictSeconds: r.folds.reduce((a, f) => a + f.predictSeconds, 0) / n,
    folds: r.folds.map((f, i) => ({ metrics: f.metrics, fitSeconds: r.fit[i], predictSeconds: f.predictSeconds })),
  };
  if (perUser) res.perUser = perUser;
  if (r.groups.length) {
    const groups: Record<string, Record<string, number>> = {};
    for (const metric of Object.keys(r.groups[0])) {
      const acc: Record<string, number> = {};
      const cnt: Record<string, number> = {};
      for (const g of r.groups) {
        for (const [name, v] of Object.entries(g[metric] ?? {})) {
          acc[name] = (acc[name] ?? 0) + v;
          cnt[name] = (cnt[name] ?? 0) + 1;
        }
      }
      for (const name of Object.keys(acc)) acc[name] /= cnt[name];
      groups[metric] = acc;
    }
    res.groups = groups;
  }
  return res;
}
