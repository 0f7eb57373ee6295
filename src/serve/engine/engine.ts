/**
 * createEngine(store, opts): the Engine behind the HTTP service (see types.ts). Lifecycle: start() loads
 * the active version of the engine's registry name (or trains one when there is none and there are
 * events); retrain() fits in a worker thread, records the version with its offline metrics, and swaps the
 * snapshot with one reference assignment (requests in flight finish on the old one); rollback() activates
 * an older version. Real time: onEvents() feeds a bounded per-user overlay that recommend() folds in.
 */
import { AffinityError, paramError } from '../../core/errors.js';
import { IdMap } from '../../core/idmap.js';
import type { BaseRecommender } from '../../models/base.js';
import { compileRule, type CompiledRule } from '../../pipeline/rules/index.js';
import type { RequestContext } from '../../pipeline/types.js';
import type { EventRecord, JsonObject, ModelVersion, Store } from '../../store/types.js';
import { ListCache } from './cache.js';
import { ItemSpace } from './items.js';
import { Overlay } from './overlay.js';
import type { RankedItems, Snapshot } from './serving.js';
import { trainOnce, modelFromBlob, type TrainSpec } from './train.js';
import type { TrainJob } from './train-worker.js';
import { Trainer, type TrainSuccess } from './trainer.js';
import type { EngineStatus } from './types.js';
import { eventWeight, readTrainingData, resolveWeights, type EventWeights } from './weights.js';

export interface EngineOptions {
  /** Model (registry name, see `affinity models`) trained and served; default 'als'. */
  model?: string;
  params?: Record<string, string | number | boolean>;
  /** Registry name of the versions (default: the model name). */
  registryName?: string;
  /** Event type -> weight (view 1, cart 3, purchase 5, dislike -1; rating = value x weight). */
  eventWeights?: Record<string, number>;
  /** Retrain every this many ms when events arrived since the last training (null/absent = only on demand). */
  retrainEvery?: number | null;
  cacheTtlMs?: number;
  cacheSize?: number;
  /** Overlay bounds: events kept per user, users kept. */
  overlayPerUser?: number;
  overlayUsers?: number;
  /** Length of the cached list per (user, query) (default 100). */
  listSize?: number;
  /** Every n-th position goes to an item the model does not know yet, when there is one (default 5; 0 = never). */
  newItemEvery?: number;
  /** Share of each user's rows held out for offline metrics (default 0.2; 0 = none). */
  holdout?: number;
  evalUsers?: number;
  seed?: number;
  /** Train in a worker thread (default true); false trains in-process (tests, tiny data). */
  worker?: boolean;
  /** Verb of "Because you <verb> X" (default 'liked'). */
  verb?: string;
  /** Events read back at start for trending and the overlay (default 50000). */
  recentEvents?: number;
  /** Time source (Unix ms). */
  now?: () => number;
  /**
   * Named variants served next to the default model (A/B tests, `pipeline` of a request): each is
   * trained, versioned under its own registry name (the variant name), loaded at start, retrained and
   * swapped like the default. See variants.ts for the rules on names.
   */
  variants?: Record<string, VariantSpec>;
  /** Serve running experiments (bucketing, impressions, outcomes from events); default true. */
  experiments?: boolean;
  /** Event type -> experiment outcome (default: click and view -> click, purchase -> conversion). */
  experimentOutcomes?: Record<string, 'click' | 'conversion'>;
  /** The experiment list is re-read at most this often (ms, default 5000) and on onExperimentsChange(). */
  experimentRefreshMs?: number;
  /** Impressions and outcomes are written in batches at least this often (ms, default 1000). */
  experimentFlushMs?: number;
}

/** A named variant: a registry model and its parameters. */
export interface VariantSpec {
  model: string;
  params?: Record<string, unknown>;
}

type EngineOnly = 'retrainEvery' | 'eventWeights' | 'variants' | 'experiments' | 'experimentOutcomes' | 'experimentRefreshMs' | 'experimentFlushMs';
type Resolved = Required<Omit<EngineOptions, EngineOnly>> & { retrainEvery: number | null; weights: EventWeights };

function resolve(opts: EngineOptions): Resolved {
  const int = (field: string, v: number | undefined, d: number, min: number): number => {
    const x = v ?? d;
    if (!Number.isInteger(x) || x < min) throw paramError(field, v, `an integer >= ${min}`);
    return x;
  };
  const retrainEvery = opts.retrainEvery ?? null;
  if (retrainEvery !== null && !(Number.isFinite(retrainEvery) && retrainEvery >= 1000)) throw paramError('retrainEvery', retrainEvery, 'a number of milliseconds >= 1000, or null');
  const holdout = opts.holdout ?? 0.2;
  if (!(holdout >= 0 && holdout < 1)) throw paramError('holdout', holdout, 'a fraction in [0, 1)');
  const model = opts.model ?? 'als';
  return {
    model,
    params: opts.params ?? {},
    registryName: opts.registryName ?? model,
    weights: resolveWeights(opts.eventWeights),
    retrainEvery,
    cacheTtlMs: int('cacheTtlMs', opts.cacheTtlMs, 60_000, 0),
    cacheSize: int('cacheSize', opts.cacheSize, 10_000, 0),
    overlayPerUser: int('overlayPerUser', opts.overlayPerUser, 200, 1),
    overlayUsers: int('overlayUsers', opts.overlayUsers, 100_000, 1),
    listSize: int('listSize', opts.listSize, 100, 1),
    newItemEvery: int('newItemEvery', opts.newItemEvery, 5, 0),
    holdout,
    evalUsers: int('evalUsers', opts.evalUsers, 2000, 1),
    seed: int('seed', opts.seed, 42, 0),
    worker: opts.worker ?? true,
    verb: opts.verb ?? 'liked',
    recentEvents: int('recentEvents', opts.recentEvents, 50_000, 0),
    now: opts.now ?? Date.now,
  };
}

/** What the list cache keeps per (user, query shape). */
export interface CachedList {
  list: RankedItems;
  /** The list was computed with this many items asked for (shorter = exhausted). */
  asked: number;
  snapshot: Snapshot;
  /** The request (history) the list was ranked for: explanations of its pages. */
  req: RequestContext;
}

/** State and lifecycle; the serving methods are in engine-api.ts. */
export class EngineCore {
  readonly o: Resolved;
  snap: Snapshot;
  readonly overlay: Overlay;
  readonly cache: ListCache<CachedList>;
  readonly trainer = new Trainer();
  lastEventSeq = 0;
  ready = false;
  private training: Promise<ModelVersion> | null = null;
  /** What the retraining schedule runs (the engine with variants retrains them all). */
  scheduled: () => Promise<unknown> = () => this.retrain({ reason: 'schedule' });
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private readonly rules = new Map<string, { version: number; rule: CompiledRule }>();
  private stopped = false;

  constructor(
    readonly store: Store,
    opts: EngineOptions = {},
  ) {
    this.o = resolve(opts);
    this.snap = { model: null, version: null, items: new ItemSpace(new IdMap(), null), trainedSeq: 0, trainedAt: null };
    this.overlay = new Overlay(this.o.overlayPerUser, this.o.overlayUsers);
    this.cache = new ListCache(this.o.cacheTtlMs, this.o.cacheSize, this.o.now);
  }

  async start(): Promise<void> {
    this.stopped = false;
    const active = await this.store.activeModel(this.o.registryName);
    if (active) await this.activate(active);
    else await this.install(null, null, 0);
    if (!this.snap.model && (await this.store.lastEventSeq()) > 0) {
      try {
        await this.retrain({ reason: 'start' });
      } catch (e) {
        if (!(e instanceof AffinityError && e.code === 'E_EMPTY')) throw e;
      }
    }
    if (this.o.retrainEvery !== null) {
      this.timer = setInterval(() => void this.tick(), this.o.retrainEvery);
      this.timer.unref();
    }
    this.ready = true;
  }

  /**
   * One tick of the retraining schedule: runs `scheduled` when events arrived after the ones the
   * serving model was trained on (any writer of the store counts), and nothing is training already.
   */
  private async tick(): Promise<void> {
    if (this.training || this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      if ((await this.store.lastEventSeq()) > this.snap.trainedSeq && !this.stopped) await this.scheduled();
    } catch {
      // a failed scheduled run leaves the serving model in place; the next tick tries again
    } finally {
      this.ticking = false;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.trainer.stop();
    if (this.training) await this.training.catch(() => undefined);
    this.ready = false;
  }

  status(): EngineStatus {
    const s = this.snap;
    return {
      ready: this.ready,
      training: this.training !== null,
      modelName: s.model ? s.model.name : null,
      modelVersion: s.version ? s.version.version : null,
      trainedAt: s.trainedAt,
      users: s.model ? s.model.users.size : 0,
      items: s.items.size,
      lastEventSeq: this.lastEventSeq,
      cache: { hits: this.cache.hits, misses: this.cache.misses, size: this.cache.size },
    };
  }

  /** Loads a version's blob and installs it. */
  private async activate(v: ModelVersion): Promise<void> {
    const blob = await this.store.loadModelBlob(v.id);
    if (!blob) throw new AffinityError('E_MODEL_FILE', `model version ${v.id}: the registry has no blob for it`, { field: 'versionId' });
    const model = modelFromBlob(blob, `model version ${v.id}`);
    const seq = typeof v.params.eventSeq === 'number' ? v.params.eventSeq : 0;
    await this.install(model, v, seq);
  }

  /**
   * Builds the snapshot of a model (catalog state from the store, recent events for trending and the
   * overlay) and swaps it in with one assignment; the cache is cleared.
   */
  private async install(model: BaseRecommender | null, version: ModelVersion | null, trainedSeq: number): Promise<void> {
    const items = new ItemSpace(model ? model.items : new IdMap(), model ? model.seen : null, 7, this.o.now());
    for (let after: string | undefined = undefined; ; ) {
      const page = await this.store.listItems({ after, limit: 10_000, includeDeleted: true });
      items.apply(page.rows);
      if (page.next === null) break;
      after = page.next;
    }
    const last = await this.store.lastEventSeq();
    const from = Math.max(0, Math.min(trainedSeq, last - this.o.recentEvents));
    const overlay = new Overlay(this.o.overlayPerUser, this.o.overlayUsers);
    for (let cursor = from; ; ) {
      const page = await this.store.readEvents({ after: cursor, limit: 20_000 });
      for (const e of page.events) {
        const i = items.ensure(e.item);
        const w = eventWeight(e, this.o.weights);
        if (w > 0) {
          items.trending[i] += Math.exp((Math.LN2 / (7 * 86_400_000)) * (e.timestamp - this.o.now()));
          if (e.seq > trainedSeq) items.popularity[i]++;
        }
        if (e.seq > trainedSeq) overlay.add(e.user, e.item, w, e.seq, e.timestamp);
      }
      cursor = page.next;
      if (page.events.length < 20_000) break;
    }
    // events that arrived through onEvents while this ran are in the live overlay: keep them
    this.mergeOverlay(overlay, trainedSeq);
    this.snap = { model, version, items, trainedSeq, trainedAt: version ? version.createdAt : null };
    this.lastEventSeq = Math.max(this.lastEventSeq, last);
    this.cache.clear();
    this.rules.clear();
  }

  private mergeOverlay(fresh: Overlay, trainedSeq: number): void {
    this.overlay.prune(trainedSeq);
    const readTo = new Map<string, number>();
    for (const u of freshUsers(fresh)) {
      const o = fresh.get(u);
      if (o) readTo.set(u, o.seqs[o.seqs.length - 1]);
    }
    // live events after what the read saw
    for (const u of freshUsers(this.overlay)) {
      const o = this.overlay.get(u);
      if (!o) continue;
      const upTo = readTo.get(u) ?? trainedSeq;
      for (let k = 0; k < o.items.length; k++) if (o.seqs[k] > upTo) fresh.add(u, o.items[k], o.weights[k], o.seqs[k], o.times[k]);
    }
    this.overlay.clear();
    for (const u of freshUsers(fresh)) {
      const o = fresh.get(u);
      if (o) for (let k = 0; k < o.items.length; k++) this.overlay.add(u, o.items[k], o.weights[k], o.seqs[k], o.times[k]);
    }
  }

  onEvents(events: readonly EventRecord[]): void {
    const items = this.snap.items;
    for (const e of events) {
      const w = eventWeight(e, this.o.weights);
      const i = items.ensure(e.item);
      if (w > 0) items.count(i, e.timestamp);
      this.overlay.add(e.user, e.item, w, e.seq, e.timestamp);
      this.cache.invalidateUser(e.user);
      if (e.seq > this.lastEventSeq) this.lastEventSeq = e.seq;
    }
  }

  onCatalogChange(kind: 'user' | 'item', ids: readonly string[]): void {
    if (kind === 'user') {
      for (const id of ids) this.cache.invalidateUser(id);
      return;
    }
    // the store's records settle the state; `catalogSync` resolves when every refresh asked so far is applied
    const ask = [...ids];
    this.catalogSync = this.catalogSync.then(() => this.refreshItems(ask)).catch(() => undefined);
  }

  /** Resolves when the catalog refreshes asked by onCatalogChange so far are applied. */
  catalogSync: Promise<void> = Promise.resolve();

  /** Awaitable catalog refresh (onCatalogChange is fire-and-forget). */
  async refreshItems(ids: readonly string[]): Promise<void> {
    const rows = await this.store.getItems(ids);
    const found = new Set(rows.map((r) => r.id));
    this.snap.items.apply(rows);
    this.snap.items.block(ids.filter((id) => !found.has(id)));
    this.cache.clear();
  }

  rule(src: string): CompiledRule {
    const items = this.snap.items;
    const hit = this.rules.get(src);
    if (hit && hit.version === items.version) return hit.rule;
    const rule = compileRule(src, items.catalog(), 'filter');
    if (this.rules.size > 200) this.rules.clear();
    this.rules.set(src, { version: items.version, rule });
    return rule;
  }

  retrain(opts: { reason?: string } = {}): Promise<ModelVersion> {
    if (this.training) return this.training;
    const run = this.train(opts.reason ?? 'manual').finally(() => {
      this.training = null;
    });
    this.training = run;
    return run;
  }

  private async train(reason: string): Promise<ModelVersion> {
    const spec: TrainSpec = { model: this.o.model, params: this.o.params, holdout: this.o.holdout, evalUsers: this.o.evalUsers, seed: this.o.seed };
    let out: TrainSuccess;
    const memory = this.store.url.includes(':memory:');
    if (this.o.worker) {
      let events: EventRecord[] | null = null;
      if (memory) {
        events = [];
        for (let cursor = 0; ; ) {
          const page = await this.store.readEvents({ after: cursor, limit: 20_000 });
          for (const e of page.events) events.push(e);
          cursor = page.next;
          if (page.events.length < 20_000) break;
        }
      }
      const job: TrainJob = { spec, weights: this.o.weights, storeUrl: memory ? null : this.store.url, events };
      out = await this.trainer.run(job);
    } else {
      const td = await readTrainingData(this.store, this.o.weights);
      const r = await trainOnce(td.dataset(), spec);
      out = { ok: true, ...r, lastSeq: td.lastSeq, events: td.events };
    }
    if (this.stopped) throw new AffinityError('E_ABORTED', 'retrain: the engine was stopped');
    const params: JsonObject = { model: this.o.model, params: { ...out.params }, eventSeq: out.lastSeq, events: out.events, reason };
    const model = modelFromBlob(out.blob);
    const v = await this.store.saveModel({ name: this.o.registryName, params, metrics: { ...out.metrics }, blob: out.blob, activate: true });
    await this.install(model, v, out.lastSeq);
    return v;
  }

  async rollback(versionId: number): Promise<ModelVersion> {
    const v = await this.store.getModel(versionId);
    if (!v) throw new AffinityError('E_UNKNOWN_ID', `versionId: no model version ${versionId}`, { field: 'versionId' });
    const blob = await this.store.loadModelBlob(versionId);
    if (!blob) throw new AffinityError('E_MODEL_FILE', `model version ${versionId}: the registry has no blob for it`, { field: 'versionId' });
    const model = modelFromBlob(blob, `model version ${versionId}`);
    const active = await this.store.activateModel(versionId);
    await this.install(model, active, typeof active.params.eventSeq === 'number' ? active.params.eventSeq : 0);
    return active;
  }
}

function freshUsers(o: Overlay): string[] {
  return o.userIds();
}
