/**
 * The Engine (types.ts) over EngineCore: recommendation lists with paging, filters and explanations,
 * similar items and users, explanations of one item, session, group, popular / trending and rows.
 */
import { AffinityError, paramError } from '../../core/errors.js';
import { recommendGroup, GROUP_STRATEGIES, type GroupStrategy as PipelineGroupStrategy } from '../../pipeline/groups.js';
import { buildRows } from '../../pipeline/rows.js';
import type { RequestContext } from '../../pipeline/types.js';
import type { EventRecord, ModelVersion, Store } from '../../store/types.js';
import { abOptions, ExperimentRouter, type Assignment } from './ab.js';
import { decodeCursor, encodeCursor, MAX_SERVED } from './cursor.js';
import { EngineCore, type EngineOptions } from './engine.js';
import {
  explainItems,
  plainEligible,
  popularList,
  rankForUser,
  requestContext,
  scoreUser,
  userHistory,
  type RankedItems,
  type Snapshot,
} from './serving.js';
import type { Engine, EngineStatus, GroupStrategy, RecItem, RecommendQuery, RecommendResult, Row } from './types.js';
import { checkVariants, pipelineNames, resolvePipeline, variantOptions } from './variants.js';

const MAX_N = 1000;

function checkN(n: unknown, field = 'n'): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_N) throw paramError(field, n, `an integer from 1 to ${MAX_N}`);
  return n;
}

function checkId(id: unknown, field: string): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 256) throw paramError(field, id, 'a non-empty id of at most 256 characters');
  return id;
}

export class AffinityEngine implements Engine {
  /** The default model. */
  readonly core: EngineCore;
  /** Named variants (EngineOptions.variants), each with its own model, versions, snapshot and cache. */
  readonly variants = new Map<string, EngineCore>();
  /** Experiments: bucketing, impressions, outcomes from events (ab.ts). */
  readonly ab: ExperimentRouter;

  constructor(
    readonly store: Store,
    opts: EngineOptions = {},
  ) {
    this.core = new EngineCore(store, opts);
    for (const v of checkVariants(opts.variants, this.core.o.model, this.core.o.registryName)) this.variants.set(v.name, new EngineCore(store, variantOptions(opts, v)));
    this.core.scheduled = () => this.retrain({ reason: 'schedule' });
    this.ab = new ExperimentRouter(store, (p) => resolvePipeline(p, this.core, this.variants), abOptions(opts, this.core.o.now));
  }

  private cores(): EngineCore[] {
    return [this.core, ...this.variants.values()];
  }

  /** The names a request's `pipeline` may take. */
  pipelines(): string[] {
    return pipelineNames(this.core, this.variants);
  }

  private pipelineCore(name: unknown): EngineCore {
    const c = typeof name === 'string' ? resolvePipeline(name, this.core, this.variants) : null;
    if (!c) throw paramError('pipeline', name, `one of ${this.pipelines().map((p) => `'${p}'`).join(', ')}`);
    return c;
  }

  /** The core of an optional pipeline name (absent: the default model). */
  private coreOf(pipeline: string | undefined): EngineCore {
    return pipeline === undefined ? this.core : this.pipelineCore(pipeline);
  }

  /** Starts the default, then each variant (each loads its active version, or trains one). */
  async start(): Promise<void> {
    for (const c of this.cores()) await c.start();
    this.ab.invalidate();
  }
  async stop(): Promise<void> {
    for (const c of this.cores()) await c.stop();
    await this.ab.flush();
  }
  status(): EngineStatus {
    const st = this.core.status();
    const variants = [...this.variants].map(([name, c]) => {
      const s = c.status();
      st.cache.hits += s.cache.hits;
      st.cache.misses += s.cache.misses;
      st.cache.size += s.cache.size;
      st.training ||= s.training;
      st.ready &&= s.ready;
      return { name, model: c.o.model, modelVersion: s.modelVersion, ready: s.ready, training: s.training, trainedAt: s.trainedAt };
    });
    return { ...st, variants, experiments: this.ab.stats() };
  }
  onEvents(events: readonly EventRecord[]): void {
    for (const c of this.cores()) c.onEvents(events);
    this.ab.onEvents(events);
  }
  onCatalogChange(kind: 'user' | 'item', ids: readonly string[]): void {
    for (const c of this.cores()) c.onCatalogChange(kind, ids);
  }
  onExperimentsChange(): void {
    this.ab.invalidate();
  }
  /** Writes the queued impressions and outcomes now (they are otherwise written within experimentFlushMs). */
  flushExperimentLog(): Promise<void> {
    return this.ab.flush();
  }

  /**
   * Retrains one pipeline (opts.pipeline), or the default and then every variant, one after the other;
   * resolves with the version of the one retrained (the default's when all are).
   */
  async retrain(opts: { reason?: string; pipeline?: string } = {}): Promise<ModelVersion> {
    const reason = opts.reason === undefined ? {} : { reason: opts.reason };
    if (opts.pipeline !== undefined) return this.pipelineCore(opts.pipeline).retrain(reason);
    const v = await this.core.retrain(reason);
    let failed: AffinityError | null = null;
    for (const [name, c] of this.variants) {
      try {
        await c.retrain(reason);
      } catch (e) {
        if (!(e instanceof AffinityError)) throw e;
        failed ??= new AffinityError(e.code, `variant ${name}: ${e.message}`, e.field === undefined ? {} : { field: e.field });
      }
    }
    if (failed) throw failed;
    return v;
  }
  /** Activates a stored version again in the pipeline whose registry name it has (the default otherwise). */
  async rollback(versionId: number): Promise<ModelVersion> {
    const v = await this.core.store.getModel(versionId);
    const owner = v ? [...this.variants.values()].find((c) => c.o.registryName === v.name) : undefined;
    return (owner ?? this.core).rollback(versionId);
  }

  private toRecItems(s: Snapshot, list: RankedItems, explanations: string[]): RecItem[] {
    const out: RecItem[] = [];
    for (let k = 0; k < list.items.length; k++) {
      const i = list.items[k];
      const r: RecItem = { id: s.items.ids.id(i), score: list.scores[k], source: list.sources[k], explanation: explanations[k] ?? '' };
      const t = s.items.titles[i];
      if (t) r.title = t;
      out.push(r);
    }
    return out;
  }

  private emptyReq(): RequestContext {
    return { user: -1, history: { items: new Int32Array(0), values: new Float32Array(0), times: null }, now: this.core.o.now() / 1000 };
  }

  async recommend(q: RecommendQuery): Promise<RecommendResult> {
    const userId = checkId(q.userId, 'userId');
    const n = checkN(q.n);
    const excludeSeen = q.excludeSeen ?? true;
    if (typeof excludeSeen !== 'boolean') throw paramError('excludeSeen', excludeSeen, 'true or false');
    if (q.category !== undefined && (typeof q.category !== 'string' || q.category.length === 0)) throw paramError('category', q.category, 'a category name');
    if (q.filter !== undefined && typeof q.filter !== 'string') throw paramError('filter', q.filter, 'a rule expression such as `price < 20`');
    let core = this.core;
    let assignment: Assignment | null = null;
    if (q.pipeline !== undefined) core = this.pipelineCore(q.pipeline);
    else {
      try {
        assignment = await this.ab.assign(userId);
      } catch {
        assignment = null; // an experiment the engine cannot bucket (bad weights): serve the default
      }
      if (assignment) core = assignment.core;
    }
    const o = core.o;
    const shape = JSON.stringify([q.category ?? null, q.filter ?? null, excludeSeen]);
    const served = q.cursor !== undefined ? decodeCursor(q.cursor, `${userId}\u0000${shape}`) : [];
    const s = core.snap;
    const need = served.length + n;
    let entry = core.cache.get(userId, shape);
    let cached = true;
    if (!entry || entry.snapshot !== s || (entry.list.items.length < need && entry.list.items.length >= entry.asked)) {
      cached = false;
      const h = userHistory(s, userId, core.overlay.get(userId));
      const req = requestContext(h, o.now());
      const filter = {
        excludeSeen,
        touched: h.touched,
        category: q.category !== undefined ? s.items.categoryMask(q.category) : null,
        rule: q.filter !== undefined && q.filter.trim() !== '' ? core.rule(q.filter) : null,
        req,
        deny: null,
      };
      const asked = Math.max(o.listSize, need);
      entry = { list: rankForUser(s, scoreUser(s, h), filter, asked, o.newItemEvery), asked, snapshot: s, req };
      core.cache.set(userId, shape, entry);
    }
    const e = entry;
    const seen = new Set(served);
    const blocked = s.items.blocked;
    const pick: number[] = [];
    let k = 0;
    for (; k < e.list.items.length && pick.length < n; k++) {
      const i = e.list.items[k];
      if (!blocked[i] && !seen.has(s.items.ids.id(i))) pick.push(k);
    }
    const page: RankedItems = {
      items: Int32Array.from(pick, (p) => e.list.items[p]),
      scores: Float32Array.from(pick, (p) => e.list.scores[p]),
      sources: pick.map((p) => e.list.sources[p]),
    };
    const items = this.toRecItems(s, page, explainItems(s, page, e.req, o.verb));
    const more = pick.length === n && (k < e.list.items.length || e.list.items.length >= e.asked);
    const allServed = [...served, ...items.map((r) => r.id)];
    const result: RecommendResult = {
      items,
      nextCursor: more && allServed.length <= MAX_SERVED ? encodeCursor(`${userId}\u0000${shape}`, allServed) : null,
      modelVersion: s.version ? s.version.version : null,
      cached,
    };
    if (assignment) {
      result.experiment = { id: assignment.experiment.id, variant: assignment.variant.name };
      this.ab.servedList(userId, assignment, items.map((r) => r.id));
    }
    return result;
  }

  async similarItems(itemId: string, n: number, pipeline?: string): Promise<RecItem[]> {
    checkId(itemId, 'itemId');
    checkN(n);
    const c = this.coreOf(pipeline);
    const s = c.snap;
    const u = s.items.ids.get(itemId);
    if (u < 0) throw new AffinityError('E_UNKNOWN_ID', `itemId: unknown item ${JSON.stringify(itemId)}`, { field: 'itemId' });
    const title = s.items.title(u);
    const m = s.model;
    if (m && u < s.items.nModel && m.capabilities.similarItems) {
      const r = m.similarItems(u, Math.min(s.items.nModel, n + 50));
      const it: number[] = [];
      const sc: number[] = [];
      for (let k = 0; k < r.items.length && it.length < n; k++) {
        if (s.items.blocked[r.items[k]] || r.items[k] === u) continue;
        it.push(r.items[k]);
        sc.push(r.scores[k]);
      }
      const list = { items: Int32Array.from(it), scores: Float32Array.from(sc), sources: it.map(() => m.name) };
      return this.toRecItems(s, list, it.map(() => `Similar to ${title}`));
    }
    // unknown to the model: popular items of its first category
    const cat = s.items.categories[u]?.[0];
    const ok = plainEligible(s.items, cat !== undefined ? s.items.categoryMask(cat) : null, [u]);
    const list = popularList(s.items, ok, null, n, 'popular');
    return this.toRecItems(s, list, Array.from(list.items, () => (cat !== undefined ? `Popular in ${cat}, like ${title}` : 'Popular right now')));
  }

  async similarUsers(userId: string, n: number): Promise<{ id: string; score: number }[]> {
    checkId(userId, 'userId');
    checkN(n);
    const m = this.core.snap.model;
    const u = m ? m.users.get(userId) : -1;
    if (!m || u < 0) throw new AffinityError('E_UNKNOWN_ID', `userId: user ${JSON.stringify(userId)} is not known to the model yet`, { field: 'userId' });
    if (!m.capabilities.similarUsers) throw new AffinityError('E_UNSUPPORTED', `similar users: model ${m.name} does not compute them`);
    const r = m.similarUsers(u, n + 1);
    const out: { id: string; score: number }[] = [];
    for (let k = 0; k < r.items.length && out.length < n; k++) if (r.items[k] !== u) out.push({ id: m.users.id(r.items[k]), score: r.scores[k] });
    return out;
  }

  async explain(userId: string, itemId: string, pipeline?: string): Promise<{ score: number; reasons: string[] }> {
    checkId(userId, 'userId');
    checkId(itemId, 'itemId');
    const c = this.coreOf(pipeline);
    const s = c.snap;
    const i = s.items.ids.get(itemId);
    if (i < 0) throw new AffinityError('E_UNKNOWN_ID', `itemId: unknown item ${JSON.stringify(itemId)}`, { field: 'itemId' });
    const h = userHistory(s, userId, c.overlay.get(userId));
    const req = requestContext(h, c.o.now());
    const scored = scoreUser(s, h);
    const fromModel = scored.scores !== null && i < s.items.nModel;
    const score = fromModel && scored.scores ? scored.scores[i] : s.items.popularity[i];
    const source = fromModel ? scored.source : i >= s.items.nModel && s.model ? 'new' : 'popular';
    const reasons = explainItems(s, { items: Int32Array.of(i), scores: Float32Array.of(score), sources: [source] }, req, c.o.verb);
    if (h.touched.includes(i)) reasons.push('You have already interacted with it');
    const pop = s.items.popularity[i];
    if (pop > 0) reasons.push(`${pop} interaction${pop === 1 ? '' : 's'} by all users`);
    if (s.items.blocked[i]) reasons.push('Not recommended now: hidden, out of stock or deleted');
    return { score, reasons };
  }

  async session(recentItemIds: readonly string[], n: number, pipeline?: string): Promise<RecItem[]> {
    if (!Array.isArray(recentItemIds)) throw paramError('items', recentItemIds, 'an array of item ids');
    recentItemIds.forEach((id, k) => checkId(id, `items[${k}]`));
    checkN(n);
    const c = this.coreOf(pipeline);
    const s = c.snap;
    const touched = recentItemIds.map((id) => s.items.ids.get(id)).filter((i) => i >= 0);
    const known = touched.filter((i) => i < s.items.nModel);
    const hist = { items: Int32Array.from(known), values: new Float32Array(known.length).fill(1) };
    const h = { modelUser: -1, items: hist.items, values: hist.values, touched: Int32Array.from(touched), overlayEvents: known.length };
    const req = requestContext(h, c.o.now());
    const filter = { excludeSeen: true, touched: h.touched, category: null, rule: null, req, deny: null };
    const list = rankForUser(s, scoreUser(s, h), filter, n, c.o.newItemEvery);
    return this.toRecItems(s, list, explainItems(s, list, req, c.o.verb));
  }

  async group(userIds: readonly string[], n: number, strategy: GroupStrategy, pipeline?: string): Promise<RecItem[]> {
    if (!Array.isArray(userIds) || userIds.length === 0) throw paramError('users', userIds, 'a non-empty array of user ids');
    userIds.forEach((id, k) => checkId(id, `users[${k}]`));
    checkN(n);
    if (!GROUP_STRATEGIES.includes(strategy as PipelineGroupStrategy)) throw paramError('strategy', strategy, GROUP_STRATEGIES.join(', '));
    const c = this.coreOf(pipeline);
    const s = c.snap;
    const m = s.model;
    const hs = userIds.map((u) => userHistory(s, u, c.overlay.get(u)));
    const touched = new Set<number>();
    for (const h of hs) for (const i of h.touched) touched.add(i);
    if (!m) {
      const list = popularList(s.items, plainEligible(s.items, null, [...touched]), null, n, 'popular');
      return this.toRecItems(s, list, explainItems(s, list, this.emptyReq(), c.o.verb));
    }
    const members: RequestContext[] = hs.map((h) => {
      const ctx = requestContext(h, c.o.now());
      if (h.modelUser >= 0 && h.overlayEvents === 0) ctx.history = { items: new Int32Array(0), values: new Float32Array(0), times: null };
      return ctx;
    });
    const r = recommendGroup(m, members, { strategy, n: Math.min(s.items.nModel, n * 3 + 20) });
    const it: number[] = [];
    const sc: number[] = [];
    for (let k = 0; k < r.items.length && it.length < n; k++) {
      if (s.items.blocked[r.items[k]] || touched.has(r.items[k])) continue;
      it.push(r.items[k]);
      sc.push(r.scores[k]);
    }
    const list = { items: Int32Array.from(it), scores: Float32Array.from(sc), sources: it.map(() => `group:${strategy}`) };
    return this.toRecItems(s, list, it.map(() => `Picked for the whole group (${strategy})`));
  }

  private plainList(n: number, category: string | undefined, source: 'popular' | 'trending'): RecItem[] {
    checkN(n);
    if (category !== undefined && (typeof category !== 'string' || category.length === 0)) throw paramError('category', category, 'a category name');
    const s = this.core.snap;
    const ok = plainEligible(s.items, category !== undefined ? s.items.categoryMask(category) : null, null);
    const list = popularList(s.items, ok, null, n, source);
    return this.toRecItems(s, list, explainItems(s, list, this.emptyReq(), this.core.o.verb));
  }

  async popular(n: number, category?: string): Promise<RecItem[]> {
    return this.plainList(n, category, 'popular');
  }

  async trending(n: number, category?: string): Promise<RecItem[]> {
    return this.plainList(n, category, 'trending');
  }

  async rows(userId: string, pipeline?: string): Promise<Row[]> {
    checkId(userId, 'userId');
    const c = this.coreOf(pipeline);
    const top = await this.recommend({ userId, n: 10, pipeline: pipeline ?? 'default' });
    const out: Row[] = [];
    if (top.items.length > 0) out.push({ title: 'Top picks for you', reason: 'Top pick for you', items: top.items });
    const s = c.snap;
    if (!s.model) {
      const trending = await this.trending(10);
      if (trending.length > 0) out.push({ title: 'Trending now', reason: 'Popular right now', items: trending });
      return out;
    }
    const h = userHistory(s, userId, c.overlay.get(userId));
    const shown = top.items.map((r) => s.items.ids.get(r.id));
    const extra = [...h.touched, ...shown].filter((i) => !h.items.includes(i));
    const req = requestContext(h, c.o.now());
    req.history = { items: Int32Array.from([...extra, ...h.items]), values: Float32Array.from([...extra.map(() => 0), ...h.values]), times: null };
    const rows = buildRows(s.model, req, s.items.catalog(), { order: ['because', 'trending', 'new'], verb: c.o.verb, perRow: 10 });
    for (const r of rows) {
      const it: number[] = [];
      const sc: number[] = [];
      for (let k = 0; k < r.items.length; k++) {
        if (s.items.blocked[r.items[k]]) continue;
        it.push(r.items[k]);
        sc.push(r.scores[k]);
      }
      if (it.length === 0) continue;
      const source = r.kind === 'because' ? s.model.name : r.kind === 'trending' ? 'trending' : 'new';
      const list = { items: Int32Array.from(it), scores: Float32Array.from(sc), sources: it.map(() => source) };
      out.push({ title: r.title, reason: r.reason, items: this.toRecItems(s, list, it.map(() => r.reason)) });
    }
    return out;
  }
}

/** The engine of the service over a store (see EngineOptions for the defaults). */
export function createEngine(store: Store, opts: EngineOptions = {}): AffinityEngine {
  return new AffinityEngine(store, opts);
}
