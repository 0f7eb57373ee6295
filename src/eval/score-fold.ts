import { findInRow } from '../core/csr.js';
import { throwIfAborted } from '../core/errors.js';
import type { BaseRecommender } from '../models/base.js';
import type { RecommendOptions } from '../models/recommender.js';
import {
  apAt,
  auc,
  f1At,
  hitRateAt,
  mae,
  mrrAt,
  ndcgAt,
  precisionAt,
  recallAt,
  rmse,
  sampledAuc,
  sampledHit,
  sampledMrr,
  sampledNdcg,
  sampledRank,
  type RelevantSet,
} from './metrics.js';
import { averagePopularity, catalogCoverage, exposureCounts, gini, intraListDiversity, novelty, serendipity, type ItemVectors } from './beyond.js';
import type { FoldData } from './fold.js';
import { LIST_KINDS, RATING_KINDS, type MetricSpec } from './metric-names.js';

/** What scoring one fitted model on one fold gives. */
export interface FoldScores {
  /** Fold-level value of each metric (per-user metrics: the mean over eval users, NaN values left out). */
  metrics: Record<string, number>;
  /** Per-user values of each per-user metric, aligned to fold.evalUsers (NaN = undefined for that user). */
  perUser: Record<string, Float64Array>;
  /** Seconds spent in the model's predict / recommend / score calls. */
  predictSeconds: number;
}

export interface ScoreOptions {
  /** Whether the model predicts ratings (rmse, mae are skipped otherwise). */
  rating: boolean;
  excludeSeen: boolean;
  sampled: boolean;
  /** Users per recommendBatch call. */
  batchSize: number;
  vectors: ItemVectors | null;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** Scores a model fitted on `fold` for the given metrics. */
export function scoreFold(model: BaseRecommender, fold: FoldData, specs: readonly MetricSpec[], opts: ScoreOptions): FoldScores {
  const out: FoldScores = { metrics: {}, perUser: {}, predictSeconds: 0 };
  const ratingSpecs = specs.filter((m) => RATING_KINDS.has(m.kind));
  if (ratingSpecs.length && opts.rating) scoreRatings(model, fold, ratingSpecs, out);
  const rankSpecs = specs.filter((m) => !RATING_KINDS.has(m.kind));
  if (rankSpecs.length) {
    if (opts.sampled) scoreSampled(model, fold, rankSpecs, out, opts);
    else scoreFull(model, fold, rankSpecs, out, opts);
  }
  return out;
}

function scoreRatings(model: BaseRecommender, fold: FoldData, specs: readonly MetricSpec[], out: FoldScores): void {
  const t = fold.test;
  const pred = new Float64Array(t.size);
  const t0 = performance.now();
  for (let r = 0; r < t.size; r++) pred[r] = model.predict(t.user[r], t.item[r]);
  out.predictSeconds += (performance.now() - t0) / 1000;
  for (const m of specs) out.metrics[m.name] = m.kind === 'rmse' ? rmse(t.value, pred) : mae(t.value, pred);
}

function relOf(fold: FoldData, u: number): RelevantSet {
  const { indptr, indices } = fold.relevant;
  return { items: indices.subarray(indptr[u], indptr[u + 1]) };
}

/** Mean of the non-NaN values (NaN when there is none). */
export function nanMean(v: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let j = 0; j < v.length; j++) {
    if (!Number.isNaN(v[j])) {
      s += v[j];
      n++;
    }
  }
  return n ? s / n : NaN;
}

function scoreFull(model: BaseRecommender, fold: FoldData, specs: readonly MetricSpec[], out: FoldScores, opts: ScoreOptions): void {
  const users = fold.evalUsers;
  const nEval = users.length;
  const kMax = Math.max(...specs.map((m) => m.k ?? 1));
  const seen = fold.trainCsr;
  const ms = model.seen;
  const lists: Int32Array[] = new Array<Int32Array>(nEval);
  const opt: RecommendOptions = { excludeSeen: opts.excludeSeen };
  if (fold.allow) opt.allow = fold.allow;
  for (let b = 0; b < nEval; b += opts.batchSize) {
    throwIfAborted(opts.signal);
    const batch = users.subarray(b, Math.min(nEval, b + opts.batchSize));
    // training rows the model did not see (implicit conversion dropped them) may come back: ask for more
    let extra = 0;
    if (opts.excludeSeen) {
      for (let j = 0; j < batch.length; j++) {
        const u = batch[j];
        const own = u < ms.nRows ? ms.indptr[u + 1] - ms.indptr[u] : 0;
        extra = Math.max(extra, seen.indptr[u + 1] - seen.indptr[u] - own);
      }
    }
    const t0 = performance.now();
    const res = model.recommendBatch(batch, { ...opt, n: kMax + extra });
    out.predictSeconds += (performance.now() - t0) / 1000;
    for (let j = 0; j < batch.length; j++) {
      const u = batch[j];
      const items = res[j].items;
      let list = items;
      if (opts.excludeSeen || fold.allow) {
        const keep = new Int32Array(Math.min(kMax, items.length));
        let c = 0;
        for (let r = 0; r < items.length && c < kMax; r++) {
          const i = items[r];
          if (!fold.candidateMask[i]) continue;
          if (opts.excludeSeen && findInRow(seen, u, i) >= 0) continue;
          keep[c++] = i;
        }
        list = keep.subarray(0, c);
      } else if (items.length > kMax) list = items.subarray(0, kMax);
      lists[b + j] = list;
    }
    opts.onProgress?.(Math.min(nEval, b + opts.batchSize), nEval);
  }

  const perUserSpecs = specs.filter((m) => !LIST_KINDS.has(m.kind));
  const popOrder = specs.some((m) => m.kind === 'serendipity') ? popularityOrder(fold) : null;
  for (const m of perUserSpecs) {
    const k = m.k ?? kMax;
    const v = new Float64Array(nEval);
    if (m.kind === 'auc') {
      out.predictSeconds += aucPerUser(model, fold, opts.excludeSeen, v);
    } else {
      for (let j = 0; j < nEval; j++) {
        const u = users[j];
        const list = lists[j];
        const rel = relOf(fold, u);
        switch (m.kind) {
          case 'precision': v[j] = precisionAt(list, rel, k); break;
          case 'recall': v[j] = recallAt(list, rel, k); break;
          case 'f1': v[j] = f1At(list, rel, k); break;
          case 'ndcg': v[j] = ndcgAt(list, rel, k); break;
          case 'map': v[j] = apAt(list, rel, k); break;
          case 'hit': v[j] = hitRateAt(list, rel, k); break;
          case 'mrr': v[j] = mrrAt(list, rel, k); break;
          case 'diversity': v[j] = opts.vectors ? intraListDiversity(list, k, opts.vectors) : NaN; break;
          case 'novelty': v[j] = novelty(list, k, fold.itemPop, Math.max(1, fold.nTrainUsers)); break;
          case 'popularity': v[j] = averagePopularity(list, k, fold.itemPop); break;
          case 'serendipity': v[j] = serendipity(list, k, rel, expectedList(fold, popOrder!, u, k, opts.excludeSeen)); break;
          default: v[j] = NaN;
        }
      }
    }
    out.perUser[m.name] = v;
    out.metrics[m.name] = nanMean(v);
  }
  for (const m of specs) {
    const k = m.k ?? kMax;
    if (m.kind === 'coverage') out.metrics[m.name] = catalogCoverage(lists, k, fold.nCandidates);
    else if (m.kind === 'gini') {
      const exp = exposureCounts(lists, k, fold.candidateMask.length);
      const cand = new Int32Array(fold.nCandidates);
      for (let i = 0, c = 0; i < exp.length; i++) if (fold.candidateMask[i]) cand[c++] = exp[i];
      out.metrics[m.name] = gini(cand);
    }
  }
}

/** Candidate items by training popularity, descending, ties by smaller index. */
function popularityOrder(fold: FoldData): Int32Array {
  const c: number[] = [];
  for (let i = 0; i < fold.candidateMask.length; i++) if (fold.candidateMask[i]) c.push(i);
  c.sort((a, b) => fold.itemPop[b] - fold.itemPop[a] || a - b);
  return Int32Array.from(c);
}

/** The popularity baseline's top-k for user u (the user's training items skipped when excludeSeen), ascending. */
function expectedList(fold: FoldData, order: Int32Array, u: number, k: number, excludeSeen: boolean): Int32Array {
  const out = new Int32Array(Math.min(k, order.length));
  let c = 0;
  for (let p = 0; p < order.length && c < out.length; p++) {
    if (excludeSeen && findInRow(fold.trainCsr, u, order[p]) >= 0) continue;
    out[c++] = order[p];
  }
  return out.subarray(0, c).sort();
}

/** Full-score AUC per eval user over the candidates (minus the user's training items when excludeSeen); returns model seconds. */
function aucPerUser(model: BaseRecommender, fold: FoldData, excludeSeen: boolean, v: Float64Array): number {
  const mask = fold.candidateMask.slice();
  const scores = new Float32Array(fold.candidateMask.length);
  const { indptr, indices } = fold.trainCsr;
  let secs = 0;
  for (let j = 0; j < fold.evalUsers.length; j++) {
    const u = fold.evalUsers[j];
    const t0 = performance.now();
    model.scoreAll(u, scores);
    secs += (performance.now() - t0) / 1000;
    if (excludeSeen) for (let p = indptr[u]; p < indptr[u + 1]; p++) mask[indices[p]] = 0;
    v[j] = auc(scores, relOf(fold, u), mask);
    if (excludeSeen) for (let p = indptr[u]; p < indptr[u + 1]; p++) mask[indices[p]] = fold.candidateMask[indices[p]];
  }
  return secs;
}

function scoreSampled(model: BaseRecommender, fold: FoldData, specs: readonly MetricSpec[], out: FoldScores, opts: ScoreOptions): void {
  const s = fold.sampled!;
  const users = fold.evalUsers;
  const nEval = users.length;
  const vals = specs.map(() => new Float64Array(nEval));
  for (let j = 0; j < nEval; j++) {
    if (j % opts.batchSize === 0) {
      throwIfAborted(opts.signal);
      if (j > 0) opts.onProgress?.(j, nEval);
    }
    const u = users[j];
    const p0 = s.userPtr[j];
    const p1 = s.userPtr[j + 1];
    // one scoreItems call per user: all positives, then all their negatives
    const n = p1 - p0 + s.negPtr[p1] - s.negPtr[p0];
    const items = new Int32Array(n);
    for (let p = p0; p < p1; p++) items[p - p0] = s.posItem[p];
    items.set(s.negItems.subarray(s.negPtr[p0], s.negPtr[p1]), p1 - p0);
    const t0 = performance.now();
    const sc = model.scoreItems(u, items);
    out.predictSeconds += (performance.now() - t0) / 1000;
    const acc = new Float64Array(specs.length);
    for (let p = p0; p < p1; p++) {
      const base = p1 - p0 + s.negPtr[p] - s.negPtr[p0];
      const neg = sc.subarray(base, base + s.negPtr[p + 1] - s.negPtr[p]);
      const pos = sc[p - p0];
      const rank = sampledRank(pos, neg);
      specs.forEach((m, t) => {
        const k = m.k ?? 1;
        acc[t] += m.kind === 'hit' ? sampledHit(rank, k) : m.kind === 'ndcg' ? sampledNdcg(rank, k) : m.kind === 'mrr' ? sampledMrr(rank, k) : sampledAuc(pos, neg);
      });
    }
    for (let t = 0; t < specs.length; t++) vals[t][j] = acc[t] / (p1 - p0);
  }
  opts.onProgress?.(nEval, nEval);
  specs.forEach((m, t) => {
    out.perUser[m.name] = vals[t];
    out.metrics[m.name] = nanMean(vals[t]);
  });
}
