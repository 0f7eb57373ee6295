import type { SplitSpec } from '../data/split-types.js';

/**
 * An evaluation protocol, as plain data (RecBole's lesson: the protocol is explicit). It is printed
 * in every report, so a figure always says how it was measured.
 */
export interface Protocol {
  split: SplitSpec;
  /** Full ranking over all candidate items (default), or each test item against sampled negatives. */
  ranking: { kind: 'full' } | { kind: 'sampled'; negatives: number; sampler: 'uniform' | 'popularity' };
  /** Candidate items: those with a training row (default) or every item known to the dataset. */
  candidates: 'train' | 'all';
  /** Remove each user's training items from their ranking (default true). */
  excludeSeen: boolean;
  /** Cut-offs for the @K metrics. */
  k: number[];
  /** Test rows with value >= this are relevant for ranking metrics (explicit data; implicit: every row). */
  relevanceThreshold: number | null;
  /** Treat training data as implicit (binary 1) before fitting ranking models. */
  implicit: boolean;
  seed: number;
  /** Metric names, e.g. ['rmse', 'ndcg@10']; empty = the defaults for the data kind. */
  metrics: string[];
}

export const DEFAULT_PROTOCOL: Protocol = {
  split: { kind: 'user-ratio', testFraction: 0.2 },
  ranking: { kind: 'full' },
  candidates: 'train',
  excludeSeen: true,
  k: [10],
  relevanceThreshold: null,
  implicit: false,
  seed: 42,
  metrics: [],
};

/** One model's result in a report. Later issues add fields; these are never renamed. */
export interface ModelResult {
  model: string;
  /** The model spec as given when it had parameters, e.g. 'item-knn:similarity=bm25'. */
  label?: string;
  params: Record<string, unknown>;
  /** Mean over folds (one fold: the value). Keys like 'rmse', 'ndcg@10'. */
  metrics: Record<string, number>;
  /** Standard deviation over folds (0 with one fold). */
  std: Record<string, number>;
  /** Mean seconds per fold. */
  fitSeconds: number;
  predictSeconds: number;
  /** Per-fold figures. */
  folds?: { metrics: Record<string, number>; fitSeconds: number; predictSeconds: number }[];
  /** Per-user values of each ranking metric (first fold), when asked for. */
  perUser?: { user: string; metrics: Record<string, number> }[];
  /** With a `groupBy`: per metric, the mean of each user group (mean over folds). */
  groups?: Record<string, Record<string, number>>;
}

/** What `affinity evaluate --json` prints. */
export interface EvaluationReport {
  protocol: Protocol & { data: string; trainRows?: number; testRows?: number; users?: number; items?: number; folds?: number; groupBy?: string };
  results: ModelResult[];
}
