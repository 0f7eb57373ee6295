/**
 * Alternating least squares as an Affinity model.
 * - Implicit (default): Hu, Koren & Volinsky 2008. Confidence c = 1 + alpha r on stored cells,
 *   preference 1 there and 0 elsewhere; the unstored cells enter through the Gram matrix Y^T Y, never
 *   materialised. Solver 'cg' (conjugate gradient, `cgSteps` steps warm-started from the previous
 *   factors, as the `implicit` library) or 'cholesky' (exact).
 * - Explicit (`implicit: false`): weighted-lambda regularisation (Zhou et al. 2008) on ratings minus
 *   the global mean; predict() = mean + x.y clipped to the rating scale.
 * Factor matrices are Float32Array views in the kernel arena (WASM memory), rows of `factors` floats.
 */
import { AffinityError } from '../../core/errors.js';
import { Dataset } from '../../data/dataset.js';
import { recencyWeights } from '../ease/time-decay.js';
import { getKernels, resolveThreads, type Kernels } from '../../kernels/index.js';
import { BaseRecommender, type SavedParts } from '../base.js';
import { readHistory } from '../history.js';
import type { FitOptions, FitReport, ModelCapabilities, Params, RecommendOptions, ScoredItems } from '../recommender.js';
import { explainScore, foldIn, type Explanation } from './foldin.js';
import { trainAls, type AlsConfig } from './train.js';

export type { Explanation } from './foldin.js';

/** Users scored together by recommendBatch (one block of scores: BATCH x nItems floats). */
const BATCH = 64;

/**
 * Time decay of implicit ALS: the training values times the recency weight 0.5^(age / halfLifeDays)
 * (binary: the weight alone), so a stored cell's confidence is c = 1 + alpha · w · r: its observed
 * part fades with age while the preference stays 1. Null when halfLifeDays is 0. Explicit ALS fits
 * the rating values themselves, so a half-life there is an E_PARAM error.
 */
export function decayedValues(data: Dataset, cfg: AlsConfig, halfLifeDays: number, field: string): Dataset | null {
  if (!(halfLifeDays > 0)) return null;
  if (!cfg.implicit) throw new AffinityError('E_PARAM', `${field}: got ${halfLifeDays}; explicit ALS (implicit: false) fits the ratings themselves, so expected 0 (no time decay)`, { field });
  const w = recencyWeights(data, halfLifeDays, field);
  if (!w) return null;
  const value = new Float32Array(data.size);
  for (let k = 0; k < value.length; k++) value[k] = (cfg.binary ? (data.value[k] !== 0 ? 1 : 0) : data.value[k]) * w[k];
  return new Dataset({ users: data.users, items: data.items, user: data.user, item: data.item, value, time: data.time, kind: data.kind, source: data.source });
}

export class AlsRecommender extends BaseRecommender {
  readonly capabilities: ModelCapabilities;
  readonly kernels: Kernels;
  /** nUsers x factors (arena view). */
  userFactors: Float32Array = new Float32Array(0);
  /** nItems x factors (arena view). */
  itemFactors: Float32Array = new Float32Array(0);
  /** Global mean rating (explicit ALS) or 0. */
  mean = 0;
  private fallback: Float32Array = new Float32Array(0);
  private itemNorms: Float32Array | null = null;
  private userNorms: Float32Array | null = null;
  private scores: Float32Array | null = null;
  private vec: Float32Array | null = null;
  private gram: Float32Array | null = null;
  private packed: Float32Array | null = null;
  private topItems: Int32Array | null = null;
  private topScores: Float32Array | null = null;
  private scaleOf: [number, number] | null = null;

  constructor(name: string, params: Params, kernels: Kernels = getKernels()) {
    super(name, params);
    const implicit = params.implicit !== false;
    this.capabilities = { rating: !implicit, similarItems: true, similarUsers: true };
    this.kernels = kernels;
  }

  get factors(): number {
    return this.params.factors as number;
  }

  config(opts: FitOptions = {}): AlsConfig {
    const p = this.params;
    return {
      factors: p.factors as number,
      regularization: p.regularization as number,
      alpha: p.alpha as number,
      iterations: p.iterations as number,
      cgSteps: p.cgSteps as number,
      solver: p.solver === 'cholesky' ? 'cholesky' : 'cg',
      implicit: p.implicit !== false,
      binary: p.binary === true,
      calculateLoss: p.calculateLoss === true,
      seed: p.seed as number,
      threads: resolveThreads(opts.threads ?? (p.threads as number)),
    };
  }

  protected async train(data: Dataset, opts: FitOptions): Promise<Partial<FitReport>> {
    const cfg = this.config(opts);
    if (!cfg.implicit && data.kind !== 'explicit') {
      throw new AffinityError('E_PARAM', `${this.name}.implicit: got false on implicit data; expected ratings (explicit data) or implicit: true`, { field: `${this.name}.implicit` });
    }
    this.release();
    const f = cfg.factors;
    const a = this.kernels.arena;
    this.userFactors = a.f32(data.nUsers * f, this);
    this.itemFactors = a.f32(data.nItems * f, this);
    const decayed = decayedValues(data, cfg, Number(this.params.halfLifeDays ?? 0), `${this.name}.halfLifeDays`);
    if (decayed) cfg.binary = false; // the binary 1s are already in the decayed values
    const src = decayed ?? data;
    const r = await trainAls(this.kernels, src.csr(), src.csc(), cfg, this.userFactors, this.itemFactors, opts);
    this.mean = r.mean;
    this.afterFactors();
    return { iterationSeconds: r.iterationSeconds, ...(r.loss !== undefined ? { loss: r.loss } : {}) };
  }

  /** Frees the arena blocks of the current factors (the model is then unfitted). */
  release(): void {
    const a = this.kernels.arena;
    for (const m of [this.userFactors, this.itemFactors, this.scores, this.vec, this.gram, this.packed, this.topItems, this.topScores]) if (m && m.length) a.free(m);
    this.gram = null;
    this.packed = null;
    this.topItems = null;
    this.topScores = null;
    this.userFactors = new Float32Array(0);
    this.itemFactors = new Float32Array(0);
    this.scores = null;
    this.vec = null;
    this.fitted = false;
  }

  private afterFactors(): void {
    // fallback for users without history: item popularity, scaled below any factor score's relevance
    const n = this.nItems;
    const fb = new Float32Array(n);
    const { indices } = this.seen;
    for (let p = 0; p < indices.length; p++) fb[indices[p]]++;
    this.fallback = fb;
    this.itemNorms = null;
    this.userNorms = null;
    if (this.gram) this.kernels.arena.free(this.gram);
    this.gram = null;
    if (this.packed) this.kernels.arena.free(this.packed);
    this.packed = null;
    this.scores = this.kernels.arena.f32(Math.max(1, BATCH * n), this);
    this.vec = this.kernels.arena.f32(Math.max(4, this.factors), this);
  }

  scoreAll(user: number, out: Float32Array): void {
    this.assertFitted();
    if (!this.hasHistory(user)) {
      out.set(this.fallback);
      return;
    }
    const n = this.nItems;
    this.kernels.scorePacked(1, this.userFactors, user * this.factors, n, this.packedItems(), this.factors, this.scores!, 0);
    out.set(this.scores!.subarray(0, n));
  }

  /** The item factors packed for scorePacked (cached until the next fit/load). */
  private packedItems(): Float32Array {
    if (!this.packed) {
      const f = this.factors;
      this.packed = this.kernels.arena.f32(Math.max(1, this.kernels.packedSize(this.nItems, f)), this);
      this.kernels.packItems(this.nItems, f, this.itemFactors, 0, this.packed);
    }
    return this.packed;
  }

  override recommend(user: number, opts: RecommendOptions = {}): ScoredItems {
    return this.recommendBatch([user], opts)[0];
  }

  /** Scores blocks of users at once (one pass over the packed item factors per block), WASM top-K. */
  override recommendBatch(users: ArrayLike<number>, opts: RecommendOptions = {}): ScoredItems[] {
    this.assertFitted();
    const n = this.nItems;
    const f = this.factors;
    const out: ScoredItems[] = [];
    const block = this.scores!;
    const packed = this.packedItems();
    for (let s = 0; s < users.length; s += BATCH) {
      const e = Math.min(users.length, s + BATCH);
      // contiguous runs of known users are scored with one call
      let k = s;
      while (k < e) {
        let run = k;
        while (run < e && this.hasHistory(users[run]) && (run === k || users[run] === users[run - 1] + 1)) run++;
        if (run > k) {
          this.kernels.scorePacked(run - k, this.userFactors, users[k] * f, n, packed, f, block, (k - s) * n);
          k = run;
        } else {
          block.set(this.fallback, (k - s) * n);
          k++;
        }
      }
      for (let j = s; j < e; j++) out.push(this.selectIn(users[j], block, (j - s) * n, opts));
    }
    return out;
  }

  /**
   * Top-n for every user (excluding their training items; users without history get the popularity
   * fallback) on `threads` threads: row u of items/scores (n each), padded with -1 / -Infinity.
   */
  async recommendAll(n = 10, threads = this.params.threads as number): Promise<{ n: number; items: Int32Array; scores: Float32Array }> {
    this.assertFitted();
    if (!(Number.isInteger(n) && n >= 1)) throw new AffinityError('E_PARAM', `n: got ${n}; expected a positive integer`, { field: 'n' });
    const k = this.kernels;
    const nU = this.nUsers;
    const seen = { indptr: k.arena.i32(nU + 1), indices: k.arena.i32(Math.max(1, this.seen.indices.length)), data: this.seen.data };
    seen.indptr.set(this.seen.indptr);
    seen.indices.set(this.seen.indices);
    const fallback = k.arena.f32(Math.max(1, this.nItems));
    fallback.set(this.fallback);
    const outItems = k.arena.i32(Math.max(1, nU * n));
    const outScores = k.arena.f32(Math.max(1, nU * n));
    try {
      const job = { op: 'recommend' as const, u: this.userFactors, f: this.factors, packed: this.packedItems(), nItems: this.nItems, seen, fallback, k: n, outItems, outScores };
      await k.rowsParallel(job, nU, resolveThreads(threads));
      return { n, items: outItems.slice(0, nU * n), scores: outScores.slice(0, nU * n) };
    } finally {
      for (const a of [seen.indptr, seen.indices, fallback, outItems, outScores]) k.arena.free(a);
    }
  }

  /** As BaseRecommender.select on block[off .. off + nItems), with the kernels' top-K. */
  private selectIn(user: number, block: Float32Array, off: number, opts: RecommendOptions): ScoredItems {
    const nI = this.nItems;
    const scores = block.subarray(off, off + nI);
    const n = opts.n ?? 10;
    if (opts.allow || !(Number.isInteger(n) && n >= 0)) return this.select(user, scores, opts);
    this.maskExcluded(user, scores, opts);
    let items = this.topItems;
    let top = this.topScores;
    if (!items || !top || items.length < n) {
      if (items) this.kernels.arena.free(items);
      if (top) this.kernels.arena.free(top);
      items = this.topItems = this.kernels.arena.i32(Math.max(16, n), this);
      top = this.topScores = this.kernels.arena.f32(Math.max(16, n), this);
    }
    const c = this.kernels.selectTop(nI, block, off, n, items, 0, top, 0);
    return { items: items.slice(0, c), scores: top.slice(0, c) };
  }

  override predict(user: number, item: number): number {
    this.assertFitted();
    if (!this.capabilities.rating) return super.predict(user, item);
    const f = this.factors;
    let r = this.mean;
    if (user >= 0 && user < this.nUsers && item >= 0 && item < this.nItems) r += this.kernels.dot(f, this.userFactors, user * f, this.itemFactors, item * f);
    return this.clip(r, this.scaleOf);
  }

  override async fit(data: Dataset, opts: FitOptions = {}): Promise<FitReport> {
    this.scaleOf = data.ratingScale;
    return super.fit(data, opts);
  }

  override similarItems(item: number, n = 10): ScoredItems {
    this.assertFitted();
    if (!this.itemNorms) this.itemNorms = this.norms(this.itemFactors, this.nItems);
    return this.cosine(this.itemFactors, this.itemNorms, this.nItems, item, n);
  }

  override similarUsers(user: number, n = 10): ScoredItems {
    this.assertFitted();
    if (!this.userNorms) this.userNorms = this.norms(this.userFactors, this.nUsers);
    return this.cosine(this.userFactors, this.userNorms, this.nUsers, user, n);
  }

  private norms(m: Float32Array, rows: number): Float32Array {
    const f = this.factors;
    const out = new Float32Array(rows);
    for (let r = 0; r < rows; r++) out[r] = Math.sqrt(this.kernels.dot(f, m, r * f, m, r * f));
    return out;
  }

  private cosine(m: Float32Array, norms: Float32Array, rows: number, row: number, n: number): ScoredItems {
    if (!(row >= 0 && row < rows)) throw new AffinityError('E_UNKNOWN_ID', `${this.name}: index ${row} out of range 0..${rows - 1}`);
    const f = this.factors;
    const shared = rows <= this.scores!.length;
    const s = shared ? this.scores!.subarray(0, rows) : this.kernels.arena.f32(rows);
    this.kernels.scoreRows(rows, f, m, 0, m, row * f, s, 0);
    const own = norms[row];
    const out = new Float32Array(rows);
    for (let r = 0; r < rows; r++) out[r] = own > 0 && norms[r] > 0 ? s[r] / (own * norms[r]) : -Infinity;
    if (!shared) this.kernels.arena.free(s);
    out[row] = -Infinity;
    return this.topOf(out, n);
  }

  private topOf(scores: Float32Array, n: number): ScoredItems {
    return this.select(-1, scores, { n, excludeSeen: false });
  }

  /**
   * The factor vector of a new user from their interactions, without retraining: the one-step exact
   * least-squares solve against the item factors (the same system as a user update in training).
   */
  foldInUser(items: Int32Array, values: Float32Array): Float32Array {
    this.assertFitted();
    return foldIn(this, items, values);
  }

  /**
   * Scores for a user given by an interaction history: the fold-in solve (foldInUser), then x·y_i
   * for every item (the empty history gets the popularity fallback of users without history).
   */
  override scoreHistory(items: ArrayLike<number>, values: ArrayLike<number> | null, out: Float32Array): void {
    this.assertFitted();
    const h = readHistory(this.name, this.nItems, items, values);
    if (h.items.length === 0) {
      out.set(this.fallback);
      return;
    }
    const v = this.vec!;
    v.set(foldIn(this, h.items, h.values));
    this.kernels.scorePacked(1, v, 0, this.nItems, this.packedItems(), this.factors, this.scores!, 0);
    out.set(this.scores!.subarray(0, this.nItems));
  }

  /** Top-n for a user given by a factor vector (e.g. from foldInUser); `opts.seen` are excluded. */
  recommendVector(vector: Float32Array, opts: RecommendOptions = {}): ScoredItems {
    this.assertFitted();
    const f = this.factors;
    if (vector.length !== f) throw new AffinityError('E_PARAM', `vector: got length ${vector.length}; expected ${f} (the model's factors)`, { field: 'vector' });
    const v = this.vec!;
    v.set(vector);
    this.kernels.scorePacked(1, v, 0, this.nItems, this.packedItems(), f, this.scores!, 0);
    return this.selectIn(-1, this.scores!, 0, opts);
  }

  /**
   * Why `item` scores as it does for `user` (implicit ALS, as implicit's ALS.explain): the score
   * x_u . y_i = sum_j c_uj p_uj (y_j^T W^-1 y_i) over the user's items j, W = Y^T C_u Y + reg I.
   * Returns the total and the `n` largest contributions.
   */
  explain(user: number, item: number, n = 10): Explanation {
    this.assertFitted();
    if (!(user >= 0 && user < this.nUsers)) throw new AffinityError('E_UNKNOWN_ID', `${this.name}: user index ${user} out of range 0..${this.nUsers - 1}`);
    if (!(item >= 0 && item < this.nItems)) throw new AffinityError('E_UNKNOWN_ID', `${this.name}: item index ${item} out of range 0..${this.nItems - 1}`);
    return explainScore(this, user, item, n);
  }

  /** Y^T Y + reg I (implicit) or Y^T Y (explicit), f x f in the arena; cached until the next fit/load. */
  itemGram(): Float32Array {
    this.assertFitted();
    if (!this.gram) {
      const f = this.factors;
      this.gram = this.kernels.arena.f32(f * f, this);
      this.kernels.gram(this.nItems, f, this.itemFactors, 0, this.gram, 0);
      if (!this.capabilities.rating) for (let i = 0; i < f; i++) this.gram[i * f + i] += this.params.regularization as number;
    }
    return this.gram;
  }

  protected saveParts(): SavedParts {
    return {
      stateVersion: 1,
      meta: { factors: this.factors, mean: this.mean, ratingScale: this.scaleOf },
      arrays: { userFactors: Float32Array.from(this.userFactors), itemFactors: Float32Array.from(this.itemFactors) },
    };
  }

  protected loadParts(parts: SavedParts): void {
    const f = this.factors;
    const uf = parts.arrays.userFactors;
    const itf = parts.arrays.itemFactors;
    if (parts.stateVersion !== 1 || !(uf instanceof Float32Array) || !(itf instanceof Float32Array) || parts.meta.factors !== f
      || uf.length !== this.nUsers * f || itf.length !== this.nItems * f) {
      throw new AffinityError('E_MODEL_FILE', `${this.name}: saved factors do not match (expected state 1 with ${this.nUsers} x ${f} user and ${this.nItems} x ${f} item factors)`);
    }
    this.release();
    this.userFactors = this.kernels.arena.f32(uf.length, this);
    this.userFactors.set(uf);
    this.itemFactors = this.kernels.arena.f32(itf.length, this);
    this.itemFactors.set(itf);
    this.mean = typeof parts.meta.mean === 'number' ? parts.meta.mean : 0;
    const sc = parts.meta.ratingScale;
    this.scaleOf = Array.isArray(sc) && sc.length === 2 ? [Number(sc[0]), Number(sc[1])] : null;
    this.afterFactors();
  }
}
