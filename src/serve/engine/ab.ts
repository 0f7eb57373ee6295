/**
 * A/B tests inside the engine: which experiment and variant serves a user, the impression log, and
 * clicks / conversions derived from feedback events.
 *
 * - Experiments are read from the store (listExperiments, newest first) and cached: re-read in the
 *   background every `refreshMs`, and at once after onExperimentsChange() (the experiment routes call it).
 * - An experiment is served when it is running and every one of its variants names a pipeline the engine
 *   has: the variant's config.pipeline, else config.model, else the variant name (resolved as a request's
 *   `pipeline`, variants.ts). Others are left alone (their outcomes come only from POST .../log).
 *   The user's experiment is the first served one in that order; the variant is assignVariant's
 *   (SHA-256 bucketing, src/serve/experiments.ts).
 * - Every list served under an experiment logs one impression (item null). Entries are queued and written
 *   in batches (store.logExperiment) at least every `flushMs`, never on the request path; a failed batch is
 *   retried once without entries of experiments or variants that no longer exist, then dropped (counted).
 * - Outcomes from POST /v1/events: an event counts for the user's variant when its item was in a list
 *   served to that user under an experiment that is still running, and its type maps to an outcome
 *   (default: 'click' and 'view' -> click, 'purchase' -> conversion with the event's value). Each served item
 *   counts at most one click and one conversion per user. The engine remembers the items served under
 *   experiments for the last 100000 users (at most 1000 items each).
 */
import { paramError } from '../../core/errors.js';
import type { Experiment, ExperimentLogInput, Store, Variant } from '../../store/types.js';
import { assignVariant } from '../experiments.js';
import type { EngineCore, EngineOptions } from './engine.js';

export type OutcomeKind = 'click' | 'conversion';
export const DEFAULT_OUTCOMES: Readonly<Record<string, OutcomeKind>> = { click: 'click', view: 'click', purchase: 'conversion' };

export interface AbOptions {
  enabled: boolean;
  outcomes: Readonly<Record<string, OutcomeKind>>;
  refreshMs: number;
  flushMs: number;
  now: () => number;
  /** Users whose served items are remembered (LRU). */
  maxUsers?: number;
  /** Items remembered per user. */
  maxItems?: number;
  /** Queued entries beyond this are dropped (counted). */
  maxPending?: number;
}

interface Served {
  experiment: string;
  variant: string;
  items: Set<string>;
  clicked: Set<string>;
  converted: Set<string>;
}

interface Live {
  experiment: Experiment;
  cores: Map<string, EngineCore>;
}

export interface Assignment {
  experiment: Experiment;
  variant: Variant;
  core: EngineCore;
}

export interface AbStats {
  /** Ids of the running experiments the engine serves. */
  serving: string[];
  impressions: number;
  clicks: number;
  conversions: number;
  /** Entries written to the store, and dropped (queue full, or the store refused them). */
  logged: number;
  dropped: number;
  pending: number;
  lastError: string | null;
}

/** The router's options from the engine's (E_PARAM naming the field when one is wrong). */
export function abOptions(opts: EngineOptions, now: () => number): AbOptions {
  const ms = (field: string, v: number | undefined, d: number): number => {
    const x = v ?? d;
    if (!(Number.isFinite(x) && x >= 0)) throw paramError(field, v, 'a number of milliseconds >= 0');
    return x;
  };
  const outcomes = opts.experimentOutcomes ?? DEFAULT_OUTCOMES;
  for (const [type, kind] of Object.entries(outcomes)) if (kind !== 'click' && kind !== 'conversion') throw paramError(`experimentOutcomes.${type}`, kind, "'click' or 'conversion'");
  return {
    enabled: opts.experiments ?? true,
    outcomes: { ...outcomes },
    refreshMs: ms('experimentRefreshMs', opts.experimentRefreshMs, 5000),
    flushMs: ms('experimentFlushMs', opts.experimentFlushMs, 1000),
    now,
  };
}

/** What a variant of an experiment serves: config.pipeline, else config.model, else its name. */
export function variantPipeline(v: Variant): string {
  const p = v.config.pipeline ?? v.config.model;
  return typeof p === 'string' && p.length > 0 ? p : v.name;
}

export class ExperimentRouter {
  private live: Live[] = [];
  private loadedAt = -Infinity;
  /** Generation of the experiment list asked for (bumped by invalidate) and of the one held. */
  private want = 0;
  private have = -1;
  private loading: Promise<void> | null = null;
  private readonly served = new Map<string, Served>();
  private pending: ExperimentLogInput[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private readonly counts = { impressions: 0, clicks: 0, conversions: 0, logged: 0, dropped: 0 };
  private lastError: string | null = null;

  constructor(
    private readonly store: Store,
    private readonly resolve: (pipeline: string) => EngineCore | null,
    private readonly o: AbOptions,
  ) {}

  /** The experiment list changed: it is read again now, and the next request waits for that read. */
  invalidate(): void {
    this.want++;
    if (this.o.enabled) void this.refresh();
  }

  /** Reads the list until it is at least as new as the generation asked for; never rejects. */
  private refresh(): Promise<void> {
    this.loading ??= (async () => {
      try {
        do {
          const g = this.want;
          await this.read();
          this.have = g;
        } while (this.have < this.want);
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }

  private async read(): Promise<void> {
    try {
      const all = await this.store.listExperiments();
      const live: Live[] = [];
      for (const e of all) {
        if (e.status !== 'running' || e.variants.length === 0) continue;
        const cores = new Map<string, EngineCore>();
        for (const v of e.variants) {
          const c = this.resolve(variantPipeline(v));
          if (c) cores.set(v.name, c);
        }
        if (cores.size === e.variants.length) live.push({ experiment: e, cores });
      }
      this.live = live;
      this.lastError = null;
    } catch (err) {
      this.lastError = `listExperiments: ${(err as Error).message}`;
    } finally {
      this.loadedAt = this.o.now();
    }
  }

  /** The user's experiment, variant and the core serving it; null when no served experiment runs. */
  async assign(userId: string): Promise<Assignment | null> {
    if (!this.o.enabled) return null;
    if (this.have < this.want) await this.refresh();
    else if (this.loading === null && this.o.now() - this.loadedAt >= this.o.refreshMs) void this.refresh(); // this request uses the list it has
    const first = this.live[0];
    if (!first) return null;
    const variant = assignVariant(first.experiment, userId);
    const core = first.cores.get(variant.name);
    return core ? { experiment: first.experiment, variant, core } : null;
  }

  /** A list was served to the user under an experiment: queue its impression, remember its items. */
  servedList(userId: string, a: Assignment, itemIds: readonly string[]): void {
    let s = this.served.get(userId);
    if (s && (s.experiment !== a.experiment.id || s.variant !== a.variant.name)) s = undefined;
    if (s) this.served.delete(userId); // LRU: most recent last
    else s = { experiment: a.experiment.id, variant: a.variant.name, items: new Set(), clicked: new Set(), converted: new Set() };
    const max = this.o.maxItems ?? 1000;
    if (s.items.size + itemIds.length > max) s.items.clear();
    for (const id of itemIds.slice(0, max)) s.items.add(id);
    this.served.set(userId, s);
    const maxUsers = this.o.maxUsers ?? 100_000;
    while (this.served.size > maxUsers) {
      const oldest = this.served.keys().next().value;
      if (oldest === undefined) break;
      this.served.delete(oldest);
    }
    this.counts.impressions++;
    this.enqueue({ experiment: a.experiment.id, variant: a.variant.name, user: userId, kind: 'impression', item: null, timestamp: this.o.now() });
  }

  /** Feedback events just stored: clicks and conversions on items served under a running experiment. */
  onEvents(events: readonly { user: string; item: string; type: string; value: number | null }[]): void {
    if (!this.o.enabled || this.served.size === 0) return;
    for (const e of events) {
      const kind = this.o.outcomes[e.type];
      if (kind === undefined) continue;
      const s = this.served.get(e.user);
      if (!s || !s.items.has(e.item)) continue;
      if (!this.live.some((l) => l.experiment.id === s.experiment)) continue; // stopped since
      const done = kind === 'click' ? s.clicked : s.converted;
      if (done.has(e.item)) continue;
      done.add(e.item);
      this.counts[kind === 'click' ? 'clicks' : 'conversions']++;
      const value = kind === 'conversion' && typeof e.value === 'number' && Number.isFinite(e.value) ? e.value : null;
      this.enqueue({ experiment: s.experiment, variant: s.variant, user: e.user, kind, item: e.item, value, timestamp: this.o.now() });
    }
  }

  private enqueue(entry: ExperimentLogInput): void {
    if (this.pending.length >= (this.o.maxPending ?? 100_000)) {
      this.counts.dropped++;
      return;
    }
    this.pending.push(entry);
    if (this.pending.length >= 1000) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.o.flushMs);
      this.timer.unref();
    }
  }

  /** Writes what is queued; resolves when every write asked so far has finished (it never rejects). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0) this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  private async write(batch: ExperimentLogInput[]): Promise<void> {
    try {
      this.counts.logged += await this.store.logExperiment(batch);
      return;
    } catch (err) {
      this.lastError = `logExperiment: ${(err as Error).message}`;
    }
    // an experiment or variant may have gone: keep the entries that still fit, try once more
    try {
      const known = new Map((await this.store.listExperiments()).map((e) => [e.id, new Set(e.variants.map((v) => v.name))]));
      const keep = batch.filter((e) => known.get(e.experiment)?.has(e.variant) === true);
      this.counts.dropped += batch.length - keep.length;
      if (keep.length > 0) this.counts.logged += await this.store.logExperiment(keep);
    } catch (err) {
      this.lastError = `logExperiment: ${(err as Error).message}`;
      this.counts.dropped += batch.length;
    }
  }

  stats(): AbStats {
    return { serving: this.live.map((l) => l.experiment.id), ...this.counts, pending: this.pending.length, lastError: this.lastError };
  }
}

/**
 * The demo experiment of `affinity serve --demo`: `control` (the default pipeline) against `treatment`
 * (an engine variant), 50/50, running. Created once; an existing experiment of that id is left as it is.
 */
export async function ensureDemoExperiment(store: Store, control: string, treatment: string, id = 'demo-recs'): Promise<Experiment | null> {
  if (await store.getExperiment(id)) return null;
  return store.createExperiment({
    id,
    name: `${control} vs ${treatment} (demo)`,
    status: 'running',
    variants: [
      { name: control, weight: 1, config: { pipeline: 'default' } },
      { name: treatment, weight: 1, config: { pipeline: treatment } },
    ],
  });
}
