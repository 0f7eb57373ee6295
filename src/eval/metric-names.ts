import { AffinityError } from '../core/errors.js';
import type { Protocol } from './protocol.js';

/** The metric families the runner computes. */
export type MetricKind =
  | 'rmse'
  | 'mae'
  | 'precision'
  | 'recall'
  | 'f1'
  | 'ndcg'
  | 'map'
  | 'hit'
  | 'mrr'
  | 'auc'
  | 'coverage'
  | 'diversity'
  | 'novelty'
  | 'serendipity'
  | 'popularity'
  | 'gini';

/** A parsed metric: canonical name (e.g. 'precision@10'), family and cut-off (null for rmse, mae, auc). */
export interface MetricSpec {
  readonly name: string;
  readonly kind: MetricKind;
  readonly k: number | null;
}

const ALIASES: Record<string, MetricKind> = {
  rmse: 'rmse',
  mae: 'mae',
  precision: 'precision',
  p: 'precision',
  recall: 'recall',
  r: 'recall',
  f1: 'f1',
  ndcg: 'ndcg',
  map: 'map',
  hit: 'hit',
  hr: 'hit',
  mrr: 'mrr',
  auc: 'auc',
  coverage: 'coverage',
  diversity: 'diversity',
  novelty: 'novelty',
  serendipity: 'serendipity',
  popularity: 'popularity',
  gini: 'gini',
};
const NO_K: ReadonlySet<MetricKind> = new Set<MetricKind>(['rmse', 'mae', 'auc']);

/** Rating metrics (need model.predict). */
export const RATING_KINDS: ReadonlySet<MetricKind> = new Set<MetricKind>(['rmse', 'mae']);
/** Metrics over all users' lists together (no per-user value). */
export const LIST_KINDS: ReadonlySet<MetricKind> = new Set<MetricKind>(['coverage', 'gini']);
/** Metrics available under sampled ranking. */
export const SAMPLED_KINDS: ReadonlySet<MetricKind> = new Set<MetricKind>(['rmse', 'mae', 'hit', 'ndcg', 'mrr', 'auc']);

const KNOWN =
  "rmse, mae, precision@K (p@K), recall@K (r@K), f1@K, ndcg@K, map@K, hit@K (hr@K), mrr@K, auc, coverage@K, diversity@K, novelty@K, serendipity@K, popularity@K, gini@K";

function unknown(name: string): AffinityError {
  return new AffinityError('E_PARAM', `--metrics: unknown metric ${JSON.stringify(name)}; expected one of ${KNOWN}`, { field: '--metrics' });
}

/** Parses one metric name ('rmse', 'p@10', 'NDCG@20', ...); unknown names are E_PARAM naming `--metrics`. */
export function parseMetric(name: string): MetricSpec {
  const s = name.trim().toLowerCase();
  const at = s.indexOf('@');
  const base = at < 0 ? s : s.slice(0, at);
  const kind = Object.prototype.hasOwnProperty.call(ALIASES, base) ? ALIASES[base] : undefined;
  if (!kind) throw unknown(name);
  if (NO_K.has(kind)) {
    if (at >= 0) throw new AffinityError('E_PARAM', `--metrics: ${JSON.stringify(name)} takes no cut-off; write ${kind}`, { field: '--metrics' });
    return { name: kind, kind, k: null };
  }
  const kText = at < 0 ? '' : s.slice(at + 1);
  const k = /^[0-9]+$/.test(kText) ? Number(kText) : NaN;
  if (!(Number.isInteger(k) && k > 0)) {
    throw new AffinityError('E_PARAM', `--metrics: ${JSON.stringify(name)} needs a positive cut-off, e.g. ${kind}@10`, { field: '--metrics' });
  }
  return { name: `${kind}@${k}`, kind, k };
}

/** Parses a list of names (duplicates after aliasing are dropped, order kept). */
export function parseMetrics(names: readonly string[]): MetricSpec[] {
  const out: MetricSpec[] = [];
  const seen = new Set<string>();
  for (const n of names) {
    const m = parseMetric(n);
    if (!seen.has(m.name)) {
      seen.add(m.name);
      out.push(m);
    }
  }
  return out;
}

/**
 * The metrics of a protocol: its own list when not empty, else the defaults. Defaults: explicit data
 * with only rating models -> rmse, mae; sampled ranking -> hit@K, ndcg@K, mrr@K for each K; otherwise
 * precision@K, recall@K, ndcg@K, map@K and coverage@K for each K. Under sampled ranking only
 * rmse, mae, hit, ndcg, mrr and auc exist (E_PARAM otherwise).
 */
export function resolveMetrics(protocol: Protocol, dataKind: 'explicit' | 'implicit', onlyRatingModels: boolean): MetricSpec[] {
  const ks = protocol.k.length ? protocol.k : [10];
  for (const k of ks) {
    if (!(Number.isInteger(k) && k > 0)) throw new AffinityError('E_PARAM', `protocol.k: got ${JSON.stringify(k)}; expected positive integer cut-offs`, { field: 'k' });
  }
  const sampled = protocol.ranking.kind === 'sampled';
  let names: string[];
  if (protocol.metrics.length) names = protocol.metrics;
  else if (dataKind === 'explicit' && onlyRatingModels && !protocol.implicit) names = ['rmse', 'mae'];
  else if (sampled) names = ks.flatMap((k) => [`hit@${k}`, `ndcg@${k}`, `mrr@${k}`]);
  else names = ks.flatMap((k) => [`precision@${k}`, `recall@${k}`, `ndcg@${k}`, `map@${k}`, `coverage@${k}`]);
  const specs = parseMetrics(names);
  if (sampled) {
    const bad = specs.filter((m) => !SAMPLED_KINDS.has(m.kind));
    if (bad.length) {
      throw new AffinityError(
        'E_PARAM',
        `--metrics: ${bad.map((m) => m.name).join(', ')} cannot be computed with sampled ranking; expected rmse, mae, hit@K, ndcg@K, mrr@K or auc`,
        { field: '--metrics' },
      );
    }
  }
  return specs;
}
