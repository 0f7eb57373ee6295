/**
 * Prometheus metrics of the service (prom-client, one Registry per app so several apps in one process
 * do not collide). Series (all prefixed `affinity_`):
 *
 * - http_request_duration_seconds{method,route,status}  histogram of request latency (route = the route
 *   template, e.g. /v1/users/:id/recommendations; 'unmatched' for 404s of unknown paths)
 * - http_requests_total{method,route,status}            counter
 * - events_ingested_total{type}                          events accepted by POST /v1/events in this process
 * - store_events{type}                                   events stored, by type (the whole log)
 * - store_users, store_items, store_models, store_experiments   gauges from the store
 * - model_version{name}                                  the active model version served by the engine
 * - model_ready                                          1 when the engine serves a model
 * - model_training                                       1 while a retraining runs
 * - cache_hits, cache_misses, cache_size, cache_hit_ratio   the engine's recommendation cache
 * - retrain_duration_seconds                             histogram: training time of each new model version
 *   (from the version's offline metrics `trainSeconds`, observed once per version seen)
 * - last_retrain_duration_seconds                        gauge
 * - drift_event_type_jsd, drift_item_jsd, drift_unknown_item_share, drift_new_user_share,
 *   drift_recent_events                                  see drift.ts
 * - process_* and nodejs_* defaults of prom-client
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from '../store/types.js';
import { DriftMonitor, type DriftReport } from './drift.js';
import type { Engine } from './engine/types.js';

export interface ServiceMetricsOptions {
  /** Collect prom-client's process and Node.js metrics (default true). */
  defaults?: boolean;
  /** Store-derived gauges are re-read at most this often (default 10 s). */
  storeEveryMs?: number;
  /** Drift is recomputed at most this often (default 30 s); 0 = at every scrape. */
  driftEveryMs?: number;
  /** Recent-event window of the drift indicators (default 10000). */
  driftWindow?: number;
}

export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly drift: DriftMonitor;
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly httpTotal: Counter<'method' | 'route' | 'status'>;
  private readonly ingested: Counter<'type'>;
  private readonly retrain: Histogram<string>;
  private readonly g: Record<string, Gauge<string>> = {};
  private readonly storeEveryMs: number;
  private readonly driftEveryMs: number;
  private storeAt = 0;
  private driftAt = 0;
  private readonly seenVersions = new Set<number>();

  constructor(
    private readonly store: Store,
    private readonly engine: Engine,
    opts: ServiceMetricsOptions = {},
  ) {
    this.storeEveryMs = opts.storeEveryMs ?? 10_000;
    this.driftEveryMs = opts.driftEveryMs ?? 30_000;
    this.drift = new DriftMonitor(store, { window: opts.driftWindow });
    const registers = [this.registry];
    if (opts.defaults !== false) collectDefaultMetrics({ register: this.registry, prefix: 'affinity_' });
    this.httpDuration = new Histogram({
      name: 'affinity_http_request_duration_seconds',
      help: 'HTTP request latency by route template, method and status',
      labelNames: ['method', 'route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.httpTotal = new Counter({ name: 'affinity_http_requests_total', help: 'HTTP requests by route template, method and status', labelNames: ['method', 'route', 'status'], registers });
    this.ingested = new Counter({ name: 'affinity_events_ingested_total', help: 'events accepted by POST /v1/events in this process, by type', labelNames: ['type'], registers });
    this.retrain = new Histogram({
      name: 'affinity_retrain_duration_seconds',
      help: 'training time of each model version (worker thread), seconds',
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800],
      registers,
    });
    const gauge = (name: string, help: string, labelNames: string[] = []): void => {
      this.g[name] = new Gauge({ name: `affinity_${name}`, help, labelNames, registers });
    };
    gauge('store_events', 'events stored, by type', ['type']);
    gauge('store_users', 'users stored (not deleted)');
    gauge('store_items', 'items stored (not deleted)');
    gauge('store_models', 'model versions in the registry');
    gauge('store_experiments', 'experiments');
    gauge('model_version', 'active model version served by the engine', ['name']);
    gauge('model_ready', '1 when the engine serves a model');
    gauge('model_training', '1 while a retraining runs');
    gauge('model_users', 'users known to the served model');
    gauge('model_items', 'items known to the served model');
    gauge('last_event_seq', 'last event seq folded into the engine real-time state');
    gauge('cache_hits', 'recommendation cache hits since start');
    gauge('cache_misses', 'recommendation cache misses since start');
    gauge('cache_size', 'entries in the recommendation cache');
    gauge('cache_hit_ratio', 'hits / (hits + misses) of the recommendation cache (0 before any lookup)');
    gauge('last_retrain_duration_seconds', 'training time of the newest model version');
    gauge('drift_event_type_jsd', 'Jensen-Shannon divergence (base 2) of recent vs training event-type distribution');
    gauge('drift_item_jsd', 'Jensen-Shannon divergence (base 2) of recent vs training item-popularity distribution');
    gauge('drift_unknown_item_share', 'share of recent events on items absent from the training events');
    gauge('drift_new_user_share', 'share of recent events by users absent from the training events');
    gauge('drift_recent_events', 'events in the recent drift window');
  }

  /** Records one finished HTTP request. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.httpDuration.observe(labels, seconds);
    this.httpTotal.inc(labels);
  }

  /** Counts events accepted by the ingestion route. */
  countEvents(types: Iterable<string>): void {
    const c = new Map<string, number>();
    for (const t of types) c.set(t, (c.get(t) ?? 0) + 1);
    for (const [t, n] of c) this.ingested.inc({ type: t }, n);
  }

  /** The active model's training cut (params.eventSeq) or null. */
  private async referenceSeq(): Promise<number | null> {
    const s = this.engine.status();
    if (!s.modelName) return null;
    const v = await this.store.activeModel(s.modelName);
    const seq = v?.params.eventSeq;
    return typeof seq === 'number' ? seq : null;
  }

  /** Recomputes drift now (reads new events from the store). */
  async driftReport(): Promise<DriftReport> {
    const r = await this.drift.refresh(await this.referenceSeq());
    this.driftAt = Date.now();
    this.setDrift(r);
    return r;
  }

  private setDrift(r: DriftReport): void {
    this.g.drift_event_type_jsd.set(r.eventTypeJsd);
    this.g.drift_item_jsd.set(r.itemJsd);
    this.g.drift_unknown_item_share.set(r.unknownItemShare);
    this.g.drift_new_user_share.set(r.newUserShare);
    this.g.drift_recent_events.set(r.recentEvents);
  }

  private async collect(): Promise<void> {
    const now = Date.now();
    const s = this.engine.status();
    this.g.model_ready.set(s.ready ? 1 : 0);
    this.g.model_training.set(s.training ? 1 : 0);
    this.g.model_users.set(s.users);
    this.g.model_items.set(s.items);
    this.g.last_event_seq.set(s.lastEventSeq);
    this.g.model_version.reset();
    if (s.modelVersion !== null) this.g.model_version.set({ name: s.modelName ?? '' }, s.modelVersion);
    this.g.cache_hits.set(s.cache.hits);
    this.g.cache_misses.set(s.cache.misses);
    this.g.cache_size.set(s.cache.size);
    const lookups = s.cache.hits + s.cache.misses;
    this.g.cache_hit_ratio.set(lookups > 0 ? s.cache.hits / lookups : 0);
    if (now - this.storeAt >= this.storeEveryMs) {
      this.storeAt = now;
      const [counts, types, models] = await Promise.all([this.store.counts(), this.store.countEventsByType(), this.store.listModels()]);
      this.g.store_users.set(counts.users);
      this.g.store_items.set(counts.items);
      this.g.store_models.set(counts.models);
      this.g.store_experiments.set(counts.experiments);
      this.g.store_events.reset();
      for (const t of types) this.g.store_events.set({ type: t.type }, t.count);
      // Training durations: once per model version this process has not seen yet (oldest first).
      for (const m of [...models].reverse()) {
        if (this.seenVersions.has(m.id)) continue;
        this.seenVersions.add(m.id);
        const secs = m.metrics.trainSeconds;
        if (typeof secs === 'number' && Number.isFinite(secs) && secs >= 0) {
          this.retrain.observe(secs);
          this.g.last_retrain_duration_seconds.set(secs);
        }
      }
    }
    if (now - this.driftAt >= this.driftEveryMs) await this.driftReport();
  }

  /** The exposition text (collects engine, store and drift gauges first). */
  async render(): Promise<string> {
    await this.collect();
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
