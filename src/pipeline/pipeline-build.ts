/**
 * Builders of the pipeline's stages from a validated configuration: candidate sources (over fitted
 * models, an ANN index and the training data), the ranking stage and the re-ranking steps.
 */
import { AffinityError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { buildAnnIndex, DEFAULT_ANN_BACKEND, type AnnIndex } from '../ann/index.js';
import type { Dataset } from '../data/dataset.js';
import type { BaseRecommender } from '../models/base.js';
import type { Recommender, ScoredItems } from '../models/recommender.js';
import { CoarseRanker } from '../rank/coarse.js';
import type { FeatureBuilder } from '../rank/features.js';
import { Gbdt, type GbdtParams } from '../rank/gbdt/gbdt.js';
import { buildTrainingSet, holdout } from '../rank/training.js';
import type { Ranker } from '../rank/types.js';
import { FactorAnnSource, ItemToItemSource, ModelSource, RankedListSource, modelFactors, newItemsSource, popularSource } from './candidates/index.js';
import type { ItemCatalog } from './catalog.js';
import type { GbdtConfig, PipelineConfig, RerankConfig, SourceConfig } from './config.js';
import { sourceName } from './config.js';
import { buildRerankers } from './rerank/spec.js';
import type { Reranker } from './rerank/types.js';
import type { CandidateSet, CandidateSource, RequestContext } from './types.js';

/** A candidate source with its quota and its position in the asking order. */
export interface BuiltSource {
  source: CandidateSource;
  quota: number;
  /** The ANN index of an 'ann' source (saved with the pipeline). */
  ann: AnnIndex | null;
  /** Position of the source in the configuration's `candidates`. */
  index: number;
}

/**
 * Item-to-item with the anchor of each candidate remembered for the whole request (the union may
 * ask a source twice: quota pass and fallback pass).
 */
export class AnchoredItemToItem implements CandidateSource {
  readonly name: string;
  private readonly anchors = new Map<number, number>();
  constructor(private readonly inner: ItemToItemSource) {
    this.name = inner.name;
  }
  reset(): void {
    this.anchors.clear();
  }
  anchorOf(item: number): number {
    return this.anchors.get(item) ?? -1;
  }
  generate(req: RequestContext, n: number, exclude: Uint8Array | null): ScoredItems {
    const r = this.inner.generate(req, n, exclude);
    const a = this.inner.lastAnchors;
    for (let k = 0; k < r.items.length; k++) if (!this.anchors.has(r.items[k])) this.anchors.set(r.items[k], a[k]);
    return r;
  }
}

/** Looks up a declared model by its configured name. */
export function modelNamed(models: ReadonlyMap<string, BaseRecommender>, name: string, where: string): BaseRecommender {
  const m = models.get(name);
  if (!m) throw new AffinityError('E_PARAM', `${where}: model ${JSON.stringify(name)} is not declared; expected one of ${[...models.keys()].join(', ')}`, { field: where });
  return m;
}

interface FoldIn {
  foldInUser(items: Int32Array, values: Float32Array): Float32Array;
}

/**
 * Builds the sources in asking order (by `fallback`, then as listed). `annIndex(k)` may supply a saved
 * index for source k; otherwise the index is built from the model's item factors.
 */
export function buildSources(
  cfg: PipelineConfig,
  data: Dataset,
  models: ReadonlyMap<string, BaseRecommender>,
  annIndex: (k: number) => AnnIndex | null = () => null,
): BuiltSource[] {
  const order = cfg.candidates.map((_, k) => k).sort((a, b) => (cfg.candidates[a].fallback ?? a) - (cfg.candidates[b].fallback ?? b) || a - b);
  return order.map((k) => ({ ...buildSource(cfg.candidates[k], k, data, models, annIndex(k)), index: k }));
}

function buildSource(s: SourceConfig, k: number, data: Dataset, models: ReadonlyMap<string, BaseRecommender>, saved: AnnIndex | null): Omit<BuiltSource, 'index'> {
  const name = sourceName(s);
  const where = `candidates[${k}]`;
  switch (s.type) {
    case 'ann': {
      const model = modelNamed(models, s.model, `${where}.model`);
      const f = modelFactors(model);
      const o = s.ann ?? {};
      const index = saved ?? buildAnnIndex(o.backend ?? DEFAULT_ANN_BACKEND, f.itemFactors, { dim: f.dim, metric: 'ip', m: o.m, efConstruction: o.efConstruction, efSearch: o.efSearch, threads: o.threads ?? 1 });
      const fi = model as unknown as Partial<FoldIn>;
      const source = new FactorAnnSource({
        name,
        index,
        userFactors: f.userFactors,
        itemFactors: f.itemFactors,
        ...(typeof fi.foldInUser === 'function' ? { foldIn: (items: Int32Array, values: Float32Array) => (fi as FoldIn).foldInUser(items, values) } : {}),
      });
      return { source, quota: s.quota, ann: index };
    }
    case 'item2item': {
      const model = modelNamed(models, s.model, `${where}.model`);
      if (!model.capabilities.similarItems) throw new AffinityError('E_PARAM', `${where}.model: ${s.model} (${model.name}) has no similarItems; expected item-knn, als, bpr, ease, ...`, { field: `${where}.model` });
      const inner = new ItemToItemSource({ name, similar: (i, n) => model.similarItems(i, n), recent: s.recent, decay: s.decay, nItems: model.items.size });
      return { source: new AnchoredItemToItem(inner), quota: s.quota, ann: null };
    }
    case 'model':
      return { source: new ModelSource(modelNamed(models, s.model, `${where}.model`), name), quota: s.quota, ann: null };
    case 'popular':
      return { source: popularSource(data, { name }), quota: s.quota, ann: null };
    case 'trending':
      if (!data.time) return { source: popularSource(data, { name }), quota: s.quota, ann: null };
      return { source: popularSource(data, { name, mode: 'trending', halfLifeDays: s.halfLifeDays }), quota: s.quota, ann: null };
    case 'new':
      // without timestamps no item is known to be new: the source proposes nothing
      if (!data.time) return { source: new RankedListSource(name, new Float32Array(data.nItems).fill(-Infinity)), quota: s.quota, ann: null };
      return { source: newItemsSource(data, { name, maxAgeDays: s.maxAgeDays }), quota: s.quota, ann: null };
  }
}

/** Builds the re-ranking steps in order (src/pipeline/rerank/spec.ts); rule expressions compile against the catalogue now. */
export function buildRerankSteps(steps: readonly RerankConfig[], catalog: ItemCatalog): Reranker[] {
  return buildRerankers(steps, 'rerank', catalog);
}

export interface TrainedRanking {
  fine: Ranker | null;
  coarse: Ranker | null;
  /** Training rows and queries (for reports). */
  rows: number;
  queries: number;
}

/**
 * Trains the ranking stage of a 'gbdt-lambdamart' or 'coarse-fine' configuration on a holdout of
 * `data`: `makeStage(early)` returns the candidate generator and feature builder of a pipeline whose
 * models were fitted on the early part; held-out items among the candidates are the positives.
 */
export async function trainRanking(
  cfg: PipelineConfig,
  data: Dataset,
  makeStage: (early: Dataset) => Promise<{ generate: (req: RequestContext, n: number) => CandidateSet; builder: FeatureBuilder; total: number }>,
): Promise<TrainedRanking> {
  const r = cfg.ranking;
  if (r.type !== 'gbdt-lambdamart' && r.type !== 'coarse-fine') return { fine: null, coarse: null, rows: 0, queries: 0 };
  const { early, heldOut } = holdout(data, { fraction: r.holdoutFraction ?? 0.2, mode: r.holdoutMode ?? 'random', seed: cfg.seed, minHistory: 2 });
  if (heldOut.size === 0) throw new AffinityError('E_EMPTY', 'ranking: the holdout is empty (every user has too few interactions); expected users with at least 3 interactions, or ranking "none"');
  let held = heldOut;
  if (r.maxQueries !== undefined) held = sampleUsers(heldOut, r.maxQueries, cfg.seed);
  const stage = await makeStage(early);
  const set = buildTrainingSet(early, held, { builder: stage.builder, generate: stage.generate, nCandidates: r.trainCandidates ?? stage.total });
  if (set.nRows === 0) throw new AffinityError('E_EMPTY', 'ranking: no held-out item was among the candidates; expected candidate sources that reach the held-out items');
  const gbdt = gbdtParams(r.gbdt, cfg.seed);
  if (r.type === 'gbdt-lambdamart') return { fine: Gbdt.train(set, gbdt), coarse: null, rows: set.nRows, queries: set.groupPtr.length - 1 };
  const coarse = CoarseRanker.train(set, { ...(r.coarse ?? {}), seed: cfg.seed });
  return { fine: Gbdt.train(set, gbdt), coarse, rows: set.nRows, queries: set.groupPtr.length - 1 };
}

function gbdtParams(g: GbdtConfig | undefined, seed: number): Partial<GbdtParams> {
  return { objective: 'lambdarank', ...(g ?? {}), seed };
}

/** The held-out rows of at most `max` users drawn at random (seeded). */
function sampleUsers(held: Dataset, max: number, seed: number): Dataset {
  const users = Int32Array.from(new Set(held.user)).sort();
  if (users.length <= max) return held;
  new Rng(seed).shuffle(users);
  const keep = new Set(users.subarray(0, max));
  const rows: number[] = [];
  for (let k = 0; k < held.size; k++) if (keep.has(held.user[k])) rows.push(k);
  return held.subset(rows);
}

/** Named CF models for the ranking features (`features`, else every declared model). */
export function featureModels(cfg: PipelineConfig, models: ReadonlyMap<string, Recommender>): { name: string; model: Recommender }[] {
  const r = cfg.ranking;
  const names = (r.type === 'gbdt-lambdamart' || r.type === 'coarse-fine') && r.features ? r.features : cfg.models.map((m) => m.name);
  return names.map((n) => ({ name: n, model: models.get(n) as Recommender }));
}
