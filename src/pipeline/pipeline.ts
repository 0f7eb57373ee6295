/**
 * The recommendation pipeline as one object: candidates (named sources, quotas, fallbacks) ->
 * features (the ranking stage's one FeatureBuilder) -> ranking (none | a model's score | GBDT
 * LambdaMART | coarse then fine) -> re-ranking (ordered steps) -> explanations. The same `recommend`
 * runs in offline evaluation (the 'pipeline' model) and in a service.
 *
 *   const p = await Pipeline.build(defaultPipelineConfig(), train);
 *   const r = p.recommend(p.request(user), 10);   // items, scores, sources, explanations
 *   p.save('p.affm'); const q = Pipeline.load('p.affm');
 */
import { AffinityError, throwIfAborted } from '../core/errors.js';
import type { Dataset } from '../data/dataset.js';
import type { BaseRecommender } from '../models/base.js';
import { AlsRecommender } from '../models/als/als.js';
import type { Recommender } from '../models/recommender.js';
import { createModel } from '../models/registry.js';
import { PipelineModel } from '../models/pipeline/pipeline-model.js';
import { FeatureBuilder, type ItemCategories } from '../rank/features.js';
import { userHistories, requestFor, type UserHistories } from '../rank/training.js';
import type { Ranker } from '../rank/types.js';
import { modelFactors, quotasFromShares, unionCandidates } from './candidates/index.js';
import { ItemCatalog, type ItemStats } from './catalog.js';
import { sourceName, type PipelineConfig } from './config.js';
import { explainReasons } from './explain.js';
import { recommendGroup, type GroupOptions, type GroupResult, type GroupStrategy } from './groups.js';
import { buildRows, type Row, type RowOptions } from './rows.js';
import { AnchoredItemToItem, buildRerankSteps, buildSources, featureModels, trainRanking, type BuiltSource } from './pipeline-build.js';
import { applyAll, orderByScore, pick, type RankedList, type Reranker } from './rerank/types.js';
import type { CandidateSet, PipelineResult, RequestContext } from './types.js';

export interface PipelineBuildOptions {
  signal?: AbortSignal;
  /** Called at each build phase ('fit als', 'ranker', ...). */
  onPhase?: (phase: string) => void;
  /** A catalogue to use instead of one built from the data (e.g. with extra attributes). */
  catalog?: ItemCatalog;
}

export interface PipelineRecommendOptions {
  /** Items never to return (non-zero entries), length nItems. Default: the request's history items. */
  exclude?: Uint8Array | null;
}

/** What a pipeline is made of; `Pipeline.build` fits it from data, `pipeline-io.ts` restores it. */
export interface PipelineInit {
  config: PipelineConfig;
  data: Dataset;
  models: Map<string, BaseRecommender>;
  sources: BuiltSource[];
  catalog: ItemCatalog;
  fine: Ranker | null;
  coarse: Ranker | null;
}

export class Pipeline {
  readonly config: PipelineConfig;
  /** The training interactions (popularity, first-seen times, histories of known users). */
  readonly data: Dataset;
  readonly models: ReadonlyMap<string, BaseRecommender>;
  readonly catalog: ItemCatalog;
  readonly sources: readonly BuiltSource[];
  readonly fine: Ranker | null;
  readonly coarse: Ranker | null;
  readonly builder: FeatureBuilder;
  readonly rerankers: readonly Reranker[];
  /** Impressions and clicks for fatigue and exploration (set by a service; null offline). */
  stats: ItemStats | null = null;
  private readonly quotas: Int32Array;
  private readonly total: number;
  private readonly histories: UserHistories;
  private readonly lastTime: number;
  private readonly mask: Uint8Array;
  private readonly vectors: { data: Float32Array; dim: number } | null;

  constructor(init: PipelineInit) {
    this.config = init.config;
    this.data = init.data;
    this.models = init.models;
    this.catalog = init.catalog;
    this.sources = init.sources;
    this.fine = init.fine;
    this.coarse = init.coarse;
    this.quotas = Int32Array.from(init.sources, (s) => s.quota);
    this.total = this.quotas.reduce((a, b) => a + b, 0);
    this.builder = makeBuilder(init.config, init.data, init.models, init.sources, init.catalog);
    this.rerankers = buildRerankSteps(init.config.rerank, init.catalog);
    this.histories = userHistories(init.data);
    let last = 0;
    if (init.data.time) for (let k = 0; k < init.data.size; k++) if (init.data.time[k] > last) last = init.data.time[k];
    this.lastTime = last;
    this.mask = new Uint8Array(init.data.nItems);
    const ann = init.sources.find((s) => s.ann !== null);
    this.vectors = null;
    if (ann) {
      const decl = init.config.candidates.find((c) => c.type === 'ann' && sourceName(c) === ann.source.name);
      const m = decl && 'model' in decl ? init.models.get(decl.model) : undefined;
      if (m) {
        const f = modelFactors(m);
        this.vectors = { data: f.itemFactors, dim: f.dim };
      }
    }
  }

  /** Fits the declared models, builds the candidate sources (ANN indexes included) and trains the ranker. */
  static async build(config: PipelineConfig, data: Dataset, opts: PipelineBuildOptions = {}): Promise<Pipeline> {
    const catalog = opts.catalog ?? ItemCatalog.fromDataset(data);
    const fitAll = async (d: Dataset): Promise<Map<string, BaseRecommender>> => {
      const out = new Map<string, BaseRecommender>();
      for (const decl of config.models) {
        throwIfAborted(opts.signal);
        opts.onPhase?.(`fit ${decl.name}`);
        const m = createModel(decl.model, decl.params ?? {});
        await m.fit(d, opts.signal ? { signal: opts.signal } : {});
        out.set(decl.name, m);
      }
      return out;
    };
    let fine: Ranker | null = null;
    let coarse: Ranker | null = null;
    if (config.ranking.type === 'gbdt-lambdamart' || config.ranking.type === 'coarse-fine') {
      const trained = await trainRanking(config, data, async (early) => {
        const models = await fitAll(early);
        const stage = new Pipeline({ config: { ...config, rerank: [] }, data: early, models, sources: buildSources(config, early, models), catalog, fine: null, coarse: null });
        opts.onPhase?.('ranker training set');
        return { generate: (req, n) => stage.candidates(req, null, n), builder: stage.builder, total: stage.total };
      });
      opts.onPhase?.('ranker');
      fine = trained.fine;
      coarse = trained.coarse;
    }
    const models = await fitAll(data);
    opts.onPhase?.('candidate sources');
    return new Pipeline({ config, data, models, sources: buildSources(config, data, models), catalog, fine, coarse });
  }

  get nItems(): number {
    return this.data.nItems;
  }

  /** The request of a known user (their training history, time = their latest interaction) or of an unknown one (-1). */
  request(user: number, context?: RequestContext['context']): RequestContext {
    if (user >= 0 && user < this.data.nUsers) {
      const h = this.histories;
      const b = h.indptr[user + 1];
      const now = h.times && b > h.indptr[user] ? Math.max(h.times[b - 1], 0) : this.lastTime;
      return requestFor(h, user, now, Infinity, context);
    }
    return this.historyRequest(new Int32Array(0), new Float32Array(0), context);
  }

  /** The request of an anonymous user known only by a history (oldest first); time = the data's latest. */
  historyRequest(items: Int32Array, values: Float32Array, context?: RequestContext['context']): RequestContext {
    const req: RequestContext = { user: -1, history: { items, values, times: null }, now: this.lastTime };
    if (context) req.context = context;
    return req;
  }

  /** Stage 1: the union of the sources (tagged, de-duplicated, with item-to-item anchors). */
  candidates(req: RequestContext, exclude: Uint8Array | null, n = this.total): CandidateSet {
    let mask = exclude;
    const h = req.history.items;
    if (!mask) {
      mask = this.mask;
      for (let k = 0; k < h.length; k++) if (h[k] >= 0 && h[k] < mask.length) mask[h[k]] = 1;
    }
    for (const s of this.sources) if (s.source instanceof AnchoredItemToItem) s.source.reset();
    const quotas = n === this.total ? this.quotas : quotasFromShares(this.quotas, n);
    const u = unionCandidates(this.sources.map((s) => s.source), quotas, req, n, mask);
    if (!exclude) for (let k = 0; k < h.length; k++) if (h[k] >= 0 && h[k] < mask.length) mask[h[k]] = 0;
    const anchor = new Int32Array(u.items.length).fill(-1);
    for (let k = 0; k < u.items.length; k++) {
      const s = this.sources[u.source[k]].source;
      if (s instanceof AnchoredItemToItem) anchor[k] = s.anchorOf(u.items[k]);
    }
    return { items: u.items, sourceScore: u.sourceScore, source: u.source, sourceNames: u.sourceNames, anchor };
  }

  /** Stage 2-3: ranking scores of the candidates (higher is better), aligned with `cands.items`. */
  rank(req: RequestContext, cands: CandidateSet): Float32Array {
    const m = cands.items.length;
    const r = this.config.ranking;
    if (m === 0) return new Float32Array(0);
    if (r.type === 'none') return Float32Array.from({ length: m }, (_, k) => m - k);
    if (r.type === 'model') {
      const model = this.models.get(r.model) as BaseRecommender;
      if (req.user >= 0 && req.user < model.users.size && req.user < model.nUsers) return model.scoreItems(req.user, cands.items);
      const all = new Float32Array(model.nItems);
      model.scoreHistory(req.history.items, req.history.values, all);
      return Float32Array.from(cands.items, (i) => all[i]);
    }
    const nc = this.builder.nCols;
    const x = this.builder.build(req, cands);
    if (r.type === 'gbdt-lambdamart' || !this.coarse) return (this.fine as Ranker).score(x, m, nc);
    // coarse then fine: the coarse ranker keeps the best `keep`, the fine one orders them; the rest follow
    const coarse = this.coarse.score(x, m, nc);
    const keep = Math.min(r.keep, m);
    const order = orderByScore(coarse);
    const top = order.subarray(0, keep);
    const xt = new Float32Array(keep * nc);
    for (let k = 0; k < keep; k++) xt.set(x.subarray(top[k] * nc, (top[k] + 1) * nc), k * nc);
    const fine = (this.fine as Ranker).score(xt, keep, nc);
    let lo = Infinity;
    for (let k = 0; k < keep; k++) lo = Math.min(lo, fine[k]);
    const out = new Float32Array(m);
    for (let k = 0; k < keep; k++) out[top[k]] = fine[k];
    for (let k = keep; k < m; k++) out[order[k]] = lo - 1 - k / m; // below every fine-ranked item, in coarse order
    return out;
  }

  /** Runs the whole pipeline for one request: up to n unique items with scores, sources and explanations. */
  recommend(req: RequestContext, n = this.config.n, opts: PipelineRecommendOptions = {}): PipelineResult {
    return this.toResult(this.rankedList(req, n, opts), req, n);
  }

  /** The re-ranked list before truncation to n (its first n entries are what `recommend` returns). */
  rankedList(req: RequestContext, n = this.config.n, opts: PipelineRecommendOptions = {}): RankedList {
    const cands = this.candidates(req, opts.exclude ?? null, Math.max(this.total, n));
    const scores = this.rank(req, cands);
    const order = orderByScore(scores);
    // re-rankers work on the head of the ranking: enough for MMR, caps and exploration to choose from
    const depth = Math.min(order.length, Math.max(5 * n, 50));
    let list = pick({ items: cands.items, scores, source: cands.source, sourceNames: cands.sourceNames, anchor: cands.anchor as Int32Array }, order.subarray(0, depth));
    list = applyAll(this.rerankers, list, req, { catalog: this.catalog, stats: this.stats, n, seed: this.config.seed, vectors: this.vectors });
    if (order.length > depth) {
      const rest = pick({ items: cands.items, scores, source: cands.source, sourceNames: cands.sourceNames, anchor: cands.anchor as Int32Array }, order.subarray(depth));
      list = concatLists(list, rest);
    }
    return list;
  }

  private toResult(list: RankedList, req: RequestContext, n: number): PipelineResult {
    const m = Math.min(n, list.items.length);
    const items = list.items.slice(0, m);
    const scores = list.scores.slice(0, m);
    const sources = Array.from({ length: m }, (_, k) => list.sourceNames[list.source[k]] ?? '');
    const head = pick(list, Int32Array.from({ length: m }, (_, k) => k));
    const explanations = this.config.explanations ? explainReasons(head, req, this.catalog) : new Array<string>(m).fill('');
    return { items, scores, sources, explanations };
  }

  /**
   * Presentation rows for one request: "Top picks for you" (this pipeline's list), then the rows of
   * rows.ts ("Because you watched X" through the item-to-item model, "Trending now", "New releases"),
   * no item twice across rows.
   */
  rows(req: RequestContext, opts: RowOptions = {}): Row[] {
    const perRow = opts.perRow ?? 10;
    const top = this.recommend(req, perRow);
    const order = (opts.order ?? ['top', 'because', 'trending', 'new']).filter((k) => k !== 'top');
    const simModel = this.similarityModel();
    // the top row's items join the history with value 0: used (not repeated), never an anchor
    const h = req.history;
    const k = top.items.length;
    const items = new Int32Array(h.items.length + k);
    items.set(h.items);
    items.set(top.items, h.items.length);
    const values = new Float32Array(items.length);
    values.set(h.values);
    let times: Float64Array | null = null;
    if (h.times) {
      times = new Float64Array(items.length).fill(req.now);
      times.set(h.times);
    }
    const minValue = opts.minValue ?? (h.values.some((v) => v > 1) ? 4 : Number.MIN_VALUE);
    const rest = buildRows(simModel, { ...req, history: { items, values, times } }, this.catalog, {
      ...opts,
      order,
      minValue,
      ...(opts.similar || !simModel.capabilities.similarItems ? {} : { similar: (i: number, n: number) => simModel.similarItems(i, n) }),
    });
    const wanted = opts.order ?? ['top'];
    const out: Row[] = [];
    if (wanted.includes('top') && k >= (opts.minItems ?? 1)) out.push({ id: 'top', kind: 'top', title: 'Top picks for you', reason: 'Top pick for you', anchor: -1, items: top.items, scores: top.scores });
    return out.concat(rest);
  }

  /** One list for several people (groups.ts): each member scored by this pipeline, then aggregated by `strategy`. */
  group(reqs: readonly RequestContext[], strategy: GroupStrategy = 'average', opts: Omit<GroupOptions, 'strategy'> = {}): GroupResult {
    return recommendGroup(PipelineModel.over(this), reqs, { ...opts, strategy, n: opts.n ?? this.config.n });
  }

  /** The model behind the first item-to-item source (else the first declared model with similarItems, else the first). */
  private similarityModel(): BaseRecommender {
    for (const c of this.config.candidates) if (c.type === 'item2item') return this.models.get(c.model) as BaseRecommender;
    for (const m of this.models.values()) if (m.capabilities.similarItems) return m;
    const first = this.models.values().next();
    if (first.done) throw new AffinityError('E_UNSUPPORTED', 'rows: the pipeline declares no model; expected at least one (for the seen items and similar items)');
    return first.value;
  }

  /** Recommendations for many requests (one after another; the pipeline keeps per-request scratch state). */
  recommendMany(reqs: readonly RequestContext[], n = this.config.n): PipelineResult[] {
    return reqs.map((r) => this.recommend(r, n));
  }
}

/** The feature builder over the pipeline's sources, CF models and the catalogue's categories. */
function makeBuilder(config: PipelineConfig, data: Dataset, models: ReadonlyMap<string, BaseRecommender>, sources: readonly BuiltSource[], catalog: ItemCatalog): FeatureBuilder {
  const cats: ItemCategories | null = catalog.categoryNames.length ? { indptr: catalog.catIndptr, codes: catalog.catCodes, nCategories: catalog.categoryNames.length } : null;
  const feats = featureModels(config, models).map((m) => ({ name: m.name, model: candidateScorer(m.model) }));
  return FeatureBuilder.fit({ data, sourceNames: sources.map((s) => s.source.name), models: feats, itemCategories: cats });
}

/**
 * The model as the feature builder sees it, with `scoreItems` of ALS computed for the candidates only
 * (u . v_i, the same as its scoreAll for a user with history) instead of scoring the whole catalogue.
 */
export function candidateScorer(model: Recommender): Recommender {
  if (!(model instanceof AlsRecommender)) return model;
  const { userFactors: U, itemFactors: V, dim } = modelFactors(model);
  const seen = model.seen;
  const view = Object.create(model) as AlsRecommender;
  view.scoreItems = (user: number, items: ArrayLike<number>): Float32Array => {
    if (!(user >= 0 && user < seen.nRows && seen.indptr[user + 1] > seen.indptr[user])) return model.scoreItems(user, items);
    const out = new Float32Array(items.length);
    const u = user * dim;
    for (let k = 0; k < items.length; k++) {
      const v = items[k] * dim;
      let s = 0;
      for (let d = 0; d < dim; d++) s += U[u + d] * V[v + d];
      out[k] = s;
    }
    return out;
  };
  return view;
}

function concatLists(a: RankedList, b: RankedList): RankedList {
  const names = a.sourceNames.slice();
  const code = b.sourceNames.map((s) => {
    const i = names.indexOf(s);
    return i >= 0 ? i : names.push(s) - 1;
  });
  const m = a.items.length + b.items.length;
  const items = new Int32Array(m);
  const scores = new Float32Array(m);
  const source = new Uint8Array(m);
  const anchor = new Int32Array(m).fill(-1);
  items.set(a.items);
  items.set(b.items, a.items.length);
  scores.set(a.scores);
  scores.set(b.scores, a.items.length);
  source.set(a.source);
  for (let k = 0; k < b.items.length; k++) source[a.items.length + k] = code[b.source[k]];
  if (a.anchor) anchor.set(a.anchor);
  if (b.anchor) anchor.set(b.anchor, a.items.length);
  return { items, scores, source, sourceNames: names, anchor };
}
