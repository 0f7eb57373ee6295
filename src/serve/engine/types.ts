import type { EventRecord, ModelVersion } from '../../store/types.js';
import type { AbStats } from './ab.js';

/**
 * The recommendation engine behind the HTTP service: it owns the active model (or pipeline), the
 * real-time per-user state, the recommendation cache and retraining. Routes (src/serve/routes/*) call
 * only this interface and the Store; they never touch models directly. External ids everywhere.
 */

/** One recommended item as the API returns it. */
export interface RecItem {
  id: string;
  score: number;
  /** Candidate source or model that produced it, e.g. 'als', 'item-knn', 'popular'. */
  source: string;
  /** Why, for a person: "Because you watched Toy Story (1995)". */
  explanation: string;
  title?: string;
}

export interface RecommendQuery {
  userId: string;
  n: number;
  /** Opaque cursor from a previous page: the next page has no item of earlier pages. */
  cursor?: string;
  /** Only items in this category. */
  category?: string;
  /** A rule expression over item attributes (the pipeline's rule language), e.g. `price < 20`. */
  filter?: string;
  /** Leave out items the user has interacted with (default true). */
  excludeSeen?: boolean;
  /**
   * Named pipeline to use: 'default' (or the default model's name) or an engine variant's name (or its
   * model's name); absent: the user's variant of the running experiment, else the default.
   */
  pipeline?: string;
}

export interface RecommendResult {
  items: RecItem[];
  nextCursor: string | null;
  /** Model version that served the request. */
  modelVersion: number | null;
  /** Experiment and variant the user was bucketed into, when an experiment is running. */
  experiment?: { id: string; variant: string };
  cached: boolean;
}

export interface Row {
  title: string;
  reason: string;
  items: RecItem[];
}

export type GroupStrategy = 'average' | 'least-misery' | 'most-pleasure' | 'fair';

export interface EngineStatus {
  ready: boolean;
  training: boolean;
  modelName: string | null;
  modelVersion: number | null;
  trainedAt: number | null;
  users: number;
  items: number;
  /** Last event sequence number folded into the real-time state. */
  lastEventSeq: number;
  cache: { hits: number; misses: number; size: number };
  /** Named variants next to the default model (engines with EngineOptions.variants). */
  variants?: Array<{ name: string; model: string; modelVersion: number | null; ready: boolean; training: boolean; trainedAt: number | null }>;
  /** Experiments served and what was logged for them. */
  experiments?: AbStats;
}

export interface Engine {
  /** Loads the active model from the registry (or trains one when there is none and data exists). */
  start(): Promise<void>;
  /** Stops background work; pending retraining is cancelled, nothing acknowledged is lost. */
  stop(): Promise<void>;
  status(): EngineStatus;
  /** Real-time path: events just stored; the users' next recommendations reflect them at once. */
  onEvents(events: readonly EventRecord[]): void;
  /** Users or items changed (features, hidden/out-of-stock, deleted): refresh catalog state, invalidate cache. */
  onCatalogChange(kind: 'user' | 'item', ids: readonly string[]): void;
  /** Experiments were created or changed status: the engine reads them again before its next list. */
  onExperimentsChange?(): void;
  recommend(q: RecommendQuery): Promise<RecommendResult>;
  /*
   * The optional `pipeline` of similarItems, explain, session, group and rows names the model that
   * answers, as RecommendQuery.pipeline does ('default', a variant name or a variant's model name);
   * absent: the default model (no experiment bucketing). Unknown names: E_PARAM naming 'pipeline'.
   */
  similarItems(itemId: string, n: number, pipeline?: string): Promise<RecItem[]>;
  similarUsers(userId: string, n: number): Promise<{ id: string; score: number }[]>;
  explain(userId: string, itemId: string, pipeline?: string): Promise<{ score: number; reasons: string[] }>;
  /** Anonymous visitors: recommendations from a list of recently viewed item ids. */
  session(recentItemIds: readonly string[], n: number, pipeline?: string): Promise<RecItem[]>;
  group(userIds: readonly string[], n: number, strategy: GroupStrategy, pipeline?: string): Promise<RecItem[]>;
  popular(n: number, category?: string): Promise<RecItem[]>;
  trending(n: number, category?: string): Promise<RecItem[]>;
  /** Presentation rows: "Because you watched X", "Trending now", "Top picks for you", "New releases". */
  rows(userId: string, pipeline?: string): Promise<Row[]>;
  /** Retrains in a worker without blocking requests, records the version with offline metrics, swaps atomically. */
  retrain(opts?: { reason?: string; pipeline?: string }): Promise<ModelVersion>;
  /** Makes an earlier model version active again. */
  rollback(versionId: number): Promise<ModelVersion>;
}
