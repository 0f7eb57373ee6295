/**
 * The 'pipeline' model: a whole recommendation pipeline (src/pipeline/) behind the Recommender
 * interface, so it is evaluated like any model (`affinity evaluate --models ease,pipeline`).
 *
 * recommend(u) runs the pipeline for the user's request (training history, time of their latest
 * interaction) with the pipeline's own list length for re-ranking; the re-ranked candidates come first
 * (score 2 - position / length, in (1, 2]); when more items are asked for than the pipeline proposes,
 * the rest follow in training popularity order (score in (0, 1)). scoreAll gives every item the score
 * of that same order, so recommend, scoreAll and scoreItems agree. Seen items, allow- and deny-lists
 * are applied inside the pipeline (its candidate sources never propose an excluded item).
 */
import { AffinityError } from '../../core/errors.js';
import type { Dataset } from '../../data/dataset.js';
import { defaultPipelineConfig, loadPipelineConfig, type PipelineConfig } from '../../pipeline/config.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import { PIPELINE_STATE_VERSION, pipelineFromParts, pipelineParts } from '../../pipeline/pipeline-io.js';
import type { RequestContext } from '../../pipeline/types.js';
import { BaseRecommender, type SavedParts } from '../base.js';
import { readHistory } from '../history.js';
import type { FitOptions, FitReport, ModelCapabilities, Params, RecommendOptions, ScoredItems } from '../recommender.js';

export interface PipelineModelParams extends Params {
  /** Path of a pipeline configuration file; '' = the default pipeline. */
  config: string;
}

export class PipelineModel extends BaseRecommender<PipelineModelParams> {
  readonly capabilities: ModelCapabilities = { rating: false, similarItems: false, similarUsers: false };
  private pipe: Pipeline | null = null;
  /**
   * A pipeline built beforehand on the very data `fit` will get (benchmarks: one build, several
   * re-ranking variants); fit then adopts it instead of building one.
   */
  prebuilt: Pipeline | null = null;
  /** Items by training popularity (descending, ties to the smaller index) and each item's fallback score. */
  private popOrder = new Int32Array(0);
  private popScore = new Float32Array(0);
  private mask = new Uint8Array(0);

  /** The fitted pipeline. */
  get pipeline(): Pipeline {
    this.assertFitted();
    return this.pipe as Pipeline;
  }

  /** The configuration the model will build (the `config` file, else the default pipeline). */
  configuration(): PipelineConfig {
    return this.params.config ? loadPipelineConfig(this.params.config) : defaultPipelineConfig();
  }

  protected async train(data: Dataset, opts: FitOptions): Promise<Partial<FitReport>> {
    const pre = this.prebuilt;
    if (pre && (pre.data.size !== data.size || pre.data.nItems !== data.nItems || pre.data.nUsers !== data.nUsers)) {
      throw new AffinityError('E_PARAM', `${this.name}: the prebuilt pipeline was built on other data (${pre.data.size} rows); expected the ${data.size} rows given to fit`, { field: 'prebuilt' });
    }
    this.pipe = pre ?? (await Pipeline.build(this.configuration(), data, opts.signal ? { signal: opts.signal } : {}));
    this.prepare();
    return {};
  }

  /** A fitted model over an already built pipeline (its training data's users, items and seen matrix). */
  static over(p: Pipeline, name = 'pipeline'): PipelineModel {
    const m = new PipelineModel(name, { config: '' });
    m.users = p.data.users;
    m.items = p.data.items;
    m.seen = p.data.csr();
    m.pipe = p;
    m.prepare();
    m.fitted = true;
    return m;
  }

  private prepare(): void {
    const n = this.nItems;
    const pop = (this.pipe as Pipeline).catalog.popularity;
    this.popOrder = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => pop[b] - pop[a] || a - b);
    this.popScore = new Float32Array(n);
    for (let r = 0; r < n; r++) this.popScore[this.popOrder[r]] = 1 - (r + 1) / (n + 1);
    this.mask = new Uint8Array(n);
  }

  /** The full order for a request: the pipeline's list, then the other allowed items by popularity. */
  private order(req: RequestContext, n: number, mask: Uint8Array): ScoredItems {
    const p = this.pipeline;
    const list = p.rankedList(req, p.config.n, { exclude: mask });
    const m = Math.min(n, this.nItems);
    const items = new Int32Array(m);
    const scores = new Float32Array(m);
    const L = list.items.length;
    const taken = new Set<number>();
    let c = 0;
    for (let k = 0; k < L && c < m; k++) {
      const i = list.items[k];
      if (mask[i] || taken.has(i)) continue; // a pinned item may fall outside the allowed set
      taken.add(i);
      items[c] = i;
      scores[c++] = 2 - k / L;
    }
    for (let r = 0; r < this.popOrder.length && c < m; r++) {
      const i = this.popOrder[r];
      if (mask[i] || taken.has(i)) continue;
      items[c] = i;
      scores[c++] = this.popScore[i];
    }
    return { items: items.slice(0, c), scores: scores.slice(0, c) };
  }

  /** Scores of every item in the order of `order(req, all)` (items excluded by `mask` get the fallback score). */
  private fillScores(req: RequestContext, mask: Uint8Array, out: Float32Array): void {
    out.set(this.popScore);
    const r = this.order(req, this.nItems, mask);
    for (let k = 0; k < r.items.length; k++) out[r.items[k]] = r.scores[k];
  }

  private historyMask(items: ArrayLike<number>): Uint8Array {
    const mask = this.mask;
    mask.fill(0);
    for (let k = 0; k < items.length; k++) mask[items[k]] = 1;
    return mask;
  }

  scoreAll(user: number, out: Float32Array): void {
    this.assertFitted();
    const req = this.pipeline.request(user);
    this.fillScores(req, this.historyMask(req.history.items), out);
  }

  override recommend(user: number, opts: RecommendOptions = {}): ScoredItems {
    this.assertFitted();
    const n = opts.n ?? 10;
    if (!(Number.isInteger(n) && n >= 0)) throw new AffinityError('E_PARAM', `n: got ${n}; expected a non-negative integer`, { field: 'n' });
    const req = this.pipeline.request(user);
    const mask = this.mask;
    mask.fill(0);
    if (opts.excludeSeen ?? true) {
      const seen = opts.seen ?? req.history.items;
      for (let k = 0; k < seen.length; k++) if (seen[k] >= 0 && seen[k] < mask.length) mask[seen[k]] = 1;
    }
    if (opts.deny) for (let k = 0; k < opts.deny.length; k++) if (opts.deny[k] >= 0 && opts.deny[k] < mask.length) mask[opts.deny[k]] = 1;
    if (opts.allow) {
      const ok = new Uint8Array(mask.length);
      for (let k = 0; k < opts.allow.length; k++) if (opts.allow[k] >= 0 && opts.allow[k] < ok.length) ok[opts.allow[k]] = 1;
      for (let i = 0; i < mask.length; i++) if (!ok[i]) mask[i] = 1;
    }
    return this.order(req, n, mask);
  }

  override scoreHistory(items: ArrayLike<number>, values: ArrayLike<number> | null, out: Float32Array): void {
    this.assertFitted();
    readHistory(this.name, this.nItems, items, values); // validation (E_UNKNOWN_ID / E_PARAM)
    const it = Int32Array.from(items);
    const req = this.pipeline.historyRequest(it, values ? Float32Array.from(values) : new Float32Array(it.length).fill(1));
    this.fillScores(req, this.historyMask(it), out);
  }

  protected saveParts(): SavedParts {
    const p = pipelineParts(this.pipeline);
    return { stateVersion: PIPELINE_STATE_VERSION, meta: p.meta, arrays: p.arrays };
  }

  protected loadParts(parts: SavedParts): void {
    if (parts.stateVersion !== PIPELINE_STATE_VERSION) {
      throw new AffinityError('E_MODEL_FILE', `${this.name}: saved pipeline state version ${parts.stateVersion}; expected ${PIPELINE_STATE_VERSION}`);
    }
    this.pipe = pipelineFromParts({ meta: parts.meta, arrays: parts.arrays }, this.users, this.items, this.name);
    this.prepare();
  }
}
