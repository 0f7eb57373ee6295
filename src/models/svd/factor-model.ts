import { AffinityError, throwIfAborted } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { Dataset } from '../../data/dataset.js';
import { BaseRecommender, type SavedParts } from '../base.js';
import { readHistory } from '../history.js';
import type { FitOptions, FitReport, ModelCapabilities, Params, RecommendOptions, ScoredItems } from '../recommender.js';
import { getKernels } from '../../kernels/index.js';
import { cosineTop, explainPrediction, type Explanation, type FoldedUser } from './analysis.js';
import { FOLD_IN_METHODS, foldIn, type FoldInMethod } from './foldin.js';
import { resolveRates } from './params.js';
import { rowsOfCsr, type RatingsCsr, type SgdRates } from './sgd.js';

export type { Explanation, FoldedUser } from './analysis.js';
export type { FoldInMethod } from './foldin.js';

/** How foldInUser learns a user (see src/models/svd/foldin.ts). */
export interface FoldInOptions {
  /**
   * 'sgd' (default): SGD passes from zero, as training updates a user (WASM SIMD kernel); 'solve':
   * exact regularised least squares. On ML-100K 'sgd' reproduces the trained users' top-10 better
   * (overlap@10 9.07 vs 8.96 for SVD, 8.88 vs 8.45 for SVD++; docs/bench/fold-in.md).
   */
  method?: FoldInMethod;
  /** SGD passes: after the solve (default 0) or from zero (default: the model's epochs). */
  steps?: number;
}

/** The learned parameters of a factor model, as flat typed arrays. */
export interface FactorState {
  f: number;
  /** Global mean rating of the training data. */
  mu: number;
  /** Offset used in training and prediction: mu when biased, 0 otherwise (Surprise). */
  offset: number;
  biased: boolean;
  bu: Float64Array;
  bi: Float64Array;
  /** nUsers x f, row-major. */
  pu: Float32Array;
  /** nItems x f, row-major. */
  qi: Float32Array;
  /** SVD++ implicit factors (nItems x f), null for SVD. */
  yj: Float32Array | null;
}

/**
 * Shared machinery of SVD and SVD++: the epoch loop (seeded init, progress, cancellation), Surprise's
 * prediction rules, top-N scoring, cosine neighbours in factor space, fold-in, explanations and
 * persistence. Subclasses provide the epoch kernel and the user vector (p_u, or p_u + implicit term).
 */
export abstract class FactorRatingModel extends BaseRecommender {
  readonly capabilities: ModelCapabilities = { rating: true, similarItems: true, similarUsers: true };
  protected st: FactorState | null = null;
  /** The vector q_i is multiplied with, per user (nUsers x f): p_u for SVD, p_u + implicit for SVD++. */
  protected userVec: Float32Array = new Float32Array(0);
  protected itemKnown: Uint8Array = new Uint8Array(0);
  protected scale: [number, number] | null = null;
  private itemNorms: Float32Array | null = null;
  private userNorms: Float32Array | null = null;

  constructor(name: string, params: Params) {
    super(name, params);
    resolveRates(params); // validates the per-term rates up front
  }

  protected abstract get biasedParam(): boolean;
  protected abstract get hasImplicit(): boolean;
  /** Runs one epoch; returns the sum of squared training errors of the pass. */
  protected abstract runEpoch(R: RatingsCsr, st: FactorState, rates: SgdRates, rng: Rng): number;

  /** The learned parameters (read-only views; for inspection and tests). */
  get state(): Readonly<FactorState> {
    this.assertFitted();
    return this.st as FactorState;
  }

  protected async train(data: Dataset, opts: FitOptions): Promise<Partial<FitReport>> {
    throwIfAborted(opts.signal);
    const p = this.params;
    const f = Number(p.factors);
    const epochs = Number(p.epochs);
    const rates = resolveRates(p);
    const biased = this.biasedParam;
    const csr = this.seen;
    const nnz = csr.indptr[csr.nRows];
    let sum = 0;
    for (let k = 0; k < nnz; k++) sum += csr.data[k];
    const mu = nnz ? sum / nnz : 0;
    const rng = new Rng(Number(p.seed));
    const initMean = Number(p.initMean);
    const initStd = Number(p.initStd);
    const normals = (n: number): Float32Array => {
      const a = new Float32Array(n);
      for (let k = 0; k < n; k++) a[k] = initMean + initStd * rng.normal();
      return a;
    };
    // Surprise draws p_u, then q_i, then y_j
    const pu = normals(csr.nRows * f);
    const qi = normals(csr.nCols * f);
    const yj = this.hasImplicit ? normals(csr.nCols * f) : null;
    const st: FactorState = {
      f,
      mu,
      offset: biased ? mu : 0,
      biased,
      bu: new Float64Array(csr.nRows),
      bi: new Float64Array(csr.nCols),
      pu,
      qi,
      yj,
    };
    this.scale = data.ratingScale;
    const R: RatingsCsr = { indptr: csr.indptr, indices: csr.indices, data: csr.data, rowOf: rowsOfCsr(csr.indptr) };
    const orderRng = rng.fork();
    const iterationSeconds: number[] = [];
    let loss: number | undefined;
    for (let e = 0; e < epochs; e++) {
      throwIfAborted(opts.signal);
      const t0 = performance.now();
      const sse = this.runEpoch(R, st, rates, orderRng);
      iterationSeconds.push((performance.now() - t0) / 1000);
      loss = Math.sqrt(sse / Math.max(1, nnz));
      if (!Number.isFinite(loss)) {
        throw new AffinityError('E_PARAM', `${this.name}: training diverged at epoch ${e + 1} (training RMSE ${loss}); expected smaller learning rates (lr_all)`, { field: `${this.name}.lr_all` });
      }
      opts.onProgress?.({ phase: 'epoch', done: e + 1, total: epochs, loss });
      // let a pending abort (timer, request close) be seen between epochs
      if (opts.signal) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    throwIfAborted(opts.signal);
    this.install(st);
    return loss === undefined ? { iterationSeconds } : { iterationSeconds, loss };
  }

  /** Sets the learned state: zeroes the factors of users / items without training rows, builds user vectors. */
  private install(st: FactorState): void {
    const f = st.f;
    const { indptr, indices, nRows, nCols } = this.seen;
    const known = new Uint8Array(nCols);
    for (let p = 0; p < indptr[nRows]; p++) known[indices[p]] = 1;
    for (let i = 0; i < nCols; i++) {
      if (!known[i]) {
        st.qi.fill(0, i * f, (i + 1) * f);
        if (st.yj) st.yj.fill(0, i * f, (i + 1) * f);
      }
    }
    for (let u = 0; u < nRows; u++) if (indptr[u + 1] === indptr[u]) st.pu.fill(0, u * f, (u + 1) * f);
    this.st = st;
    this.itemKnown = known;
    this.itemNorms = null;
    this.userNorms = null;
    this.userVec = this.buildUserVectors(st);
  }

  /** p_u (SVD) or p_u + |N(u)|^-1/2 Σ y_j (SVD++) for every user. */
  protected abstract buildUserVectors(st: FactorState): Float32Array;

  /** The implicit term of a new user who rated `items` (SVD++), or null (SVD). */
  protected abstract implicitTerm(items: Int32Array): Float32Array | null;

  protected knownUser(u: number): boolean {
    return this.hasHistory(u);
  }

  protected knownItem(i: number): boolean {
    return i >= 0 && i < this.itemKnown.length && this.itemKnown[i] === 1;
  }

  private checkItem(i: number): void {
    if (!(Number.isInteger(i) && i >= 0 && i < this.nItems)) {
      throw new AffinityError('E_UNKNOWN_ID', `${this.name}: item index ${i} out of range 0..${this.nItems - 1}`, { field: 'item' });
    }
  }

  /**
   * The unclipped estimate, by Surprise's rules: biased: mu (+ b_u if the user is known) (+ b_i if the
   * item is known) (+ q_i·v_u if both are); unbiased: q_i·p_u if both are known, else the global mean.
   */
  estimate(u: number, i: number): number {
    this.assertFitted();
    const st = this.st as FactorState;
    const ku = this.knownUser(u);
    const ki = this.knownItem(i);
    if (!st.biased && !(ku && ki)) return st.mu;
    let est = st.offset;
    if (ku) est += st.bu[u];
    if (ki) est += st.bi[i];
    if (ku && ki) {
      const f = st.f;
      const ou = u * f;
      const oi = i * f;
      const v = this.userVec;
      const q = st.qi;
      for (let t = 0; t < f; t++) est += q[oi + t] * v[ou + t];
    }
    return est;
  }

  /** Predicted rating, clipped to the training data's rating scale. */
  override predict(user: number, item: number): number {
    return this.clip(this.estimate(user, item), this.scale);
  }

  /** Scores are the unclipped estimates (so the clip does not flatten the top of the ranking). */
  scoreAll(user: number, out: Float32Array): void {
    this.assertFitted();
    const st = this.st as FactorState;
    const nItems = this.nItems;
    if (!this.knownUser(user)) {
      if (!st.biased) out.fill(st.mu, 0, nItems);
      else for (let i = 0; i < nItems; i++) out[i] = st.offset + st.bi[i];
      return;
    }
    this.scoreVector(st.offset + st.bu[user], this.userVec, user * st.f, out);
  }

  /** Estimates of the given items only (unclipped, identical to the scoreAll entries). */
  override scoreItems(user: number, items: ArrayLike<number>): Float32Array {
    this.assertFitted();
    const out = new Float32Array(items.length);
    for (let k = 0; k < items.length; k++) {
      this.checkItem(items[k]);
      out[k] = this.estimate(user, items[k]);
    }
    return out;
  }

  /** out[i] = base + b_i + q_i·v (b_i of unknown items and their q_i are 0); unbiased: unknown items get mu. */
  private scoreVector(base: number, v: Float32Array, off: number, out: Float32Array): void {
    const st = this.st as FactorState;
    const f = st.f;
    const q = st.qi;
    const bi = st.bi;
    const known = this.itemKnown;
    const nItems = this.nItems;
    for (let i = 0; i < nItems; i++) {
      if (!st.biased && !known[i]) {
        out[i] = st.mu;
        continue;
      }
      const oi = i * f;
      let s = base + bi[i];
      for (let t = 0; t < f; t++) s += q[oi + t] * v[off + t];
      out[i] = s;
    }
  }

  /** Items closest to `item` by cosine of the item factors q_i (the item itself and unknown items excluded). */
  override similarItems(item: number, n = 10): ScoredItems {
    this.assertFitted();
    this.checkItem(item);
    const st = this.st as FactorState;
    this.itemNorms ??= rowNorms(st.qi, this.nItems, st.f);
    return cosineTop(st.qi, this.itemNorms, st.f, item, n);
  }

  /** Users closest to `user` by cosine of their user vectors (p_u, or p_u + implicit term for SVD++). */
  override similarUsers(user: number, n = 10): ScoredItems {
    this.assertFitted();
    if (!(Number.isInteger(user) && user >= 0 && user < this.nUsers)) {
      throw new AffinityError('E_UNKNOWN_ID', `${this.name}: user index ${user} out of range 0..${this.nUsers - 1}`, { field: 'user' });
    }
    const st = this.st as FactorState;
    this.userNorms ??= rowNorms(this.userVec, this.nUsers, st.f);
    return cosineTop(this.userVec, this.userNorms, st.f, user, n);
  }

  /**
   * A user who is not in the model (or whose history changed), from their ratings, item factors and
   * biases fixed. method 'sgd' (default): `steps` SGD passes (default: the model's epochs) over the
   * ratings in the given order from b_u = 0, p_u = 0 with the model's lr_bu / lr_pu / reg_bu / reg_pu
   * (Kernels.foldSgd); method 'solve': b_u and p_u by one regularised least-squares solve,
   *   minimise Σ (r - offset - b_i - q_i·(p_u + z))² + n (reg_bu b_u² + reg_pu ‖p_u‖²)
   * (n rated items: the fixed point of training's SGD steps), then `steps` SGD passes (default 0).
   * SVD++ adds the implicit term z of the rated items. Items unknown to the model are ignored.
   */
  foldInUser(items: ArrayLike<number>, ratings: ArrayLike<number>, opts: FoldInOptions = {}): FoldedUser {
    this.assertFitted();
    if (items.length !== ratings.length) {
      throw new AffinityError('E_PARAM', `ratings: got ${ratings.length} ratings for ${items.length} items; expected one rating per item`, { field: 'ratings' });
    }
    const method = opts.method ?? 'sgd';
    if (!FOLD_IN_METHODS.includes(method)) throw new AffinityError('E_PARAM', `method: got ${String(method)}; expected one of ${FOLD_IN_METHODS.join(', ')}`, { field: 'method' });
    const steps = opts.steps ?? (method === 'sgd' ? Number(this.params.epochs) : 0);
    if (!(Number.isInteger(steps) && steps >= 0)) throw new AffinityError('E_PARAM', `steps: got ${steps}; expected a non-negative integer`, { field: 'steps' });
    const its = Int32Array.from(items);
    const rs = Float64Array.from(ratings);
    for (let k = 0; k < its.length; k++) {
      this.checkItem(its[k]);
      if (!Number.isFinite(rs[k])) throw new AffinityError('E_PARAM', `ratings[${k}]: got ${rs[k]}; expected a finite number`, { field: 'ratings' });
    }
    const st = this.st as FactorState;
    return foldIn(st, getKernels(), this.itemKnown, its, rs, this.implicitTerm(its), resolveRates(this.params), method, steps);
  }

  /** Estimates of every item for a folded-in user (unclipped, as scoreAll). */
  scoreFolded(user: FoldedUser, out: Float32Array): void {
    this.assertFitted();
    const st = this.st as FactorState;
    this.scoreVector(st.offset + user.bias, user.vector, 0, out);
  }

  /**
   * Estimates of every item for a user given by their ratings: foldInUser (`epochs` SGD passes
   * on b_u and p_u, items ascending), then scoreFolded. The empty history gets an unknown user's scores.
   */
  override scoreHistory(items: ArrayLike<number>, values: ArrayLike<number> | null, out: Float32Array): void {
    this.assertFitted();
    const h = readHistory(this.name, this.nItems, items, values);
    if (h.items.length === 0) {
      this.scoreAll(-1, out);
      return;
    }
    this.scoreFolded(this.foldInUser(h.items, h.values), out);
  }

  /** Clipped rating prediction for a folded-in user. */
  predictFolded(user: FoldedUser, item: number): number {
    this.assertFitted();
    this.checkItem(item);
    const st = this.st as FactorState;
    if (!st.biased && !this.knownItem(item)) return this.clip(st.mu, this.scale);
    let est = st.offset + user.bias + st.bi[item];
    const f = st.f;
    for (let t = 0; t < f; t++) est += st.qi[item * f + t] * user.vector[t];
    return this.clip(est, this.scale);
  }

  /** Top-n for a folded-in user; their rated items are excluded unless `seen`/`excludeSeen` say otherwise. */
  recommendFolded(user: FoldedUser, opts: RecommendOptions = {}): ScoredItems {
    const scores = new Float32Array(this.nItems);
    this.scoreFolded(user, scores);
    return this.select(-1, scores, { ...opts, seen: opts.seen ?? user.items });
  }

  /**
   * Which of the user's training ratings push the prediction for `item` most (see explainPrediction):
   * contribution_j = cos(q_i, q_j) x (r_uj - baseline_uj), largest |contribution| first.
   */
  explain(user: number, item: number, n = 10): Explanation {
    this.assertFitted();
    this.checkItem(item);
    const st = this.st as FactorState;
    this.itemNorms ??= rowNorms(st.qi, this.nItems, st.f);
    const known = this.knownUser(user);
    const s = known ? this.seen.indptr[user] : 0;
    const e = known ? this.seen.indptr[user + 1] : 0;
    return explainPrediction(st, this.itemNorms, user, item, this.seen.indices.subarray(s, e), this.seen.data.subarray(s, e), this.predict(user, item), n);
  }

  // ---- persistence ---------------------------------------------------------------------------

  protected saveParts(): SavedParts {
    const st = this.st as FactorState;
    const arrays: SavedParts['arrays'] = { bu: st.bu, bi: st.bi, pu: st.pu, qi: st.qi };
    if (st.yj) arrays.yj = st.yj;
    return { stateVersion: 1, meta: { factors: st.f, mu: st.mu, biased: st.biased, ratingScale: this.scale }, arrays };
  }

  protected loadParts(parts: SavedParts): void {
    const bad = (what: string): AffinityError => new AffinityError('E_MODEL_FILE', `${this.name}: saved state is damaged (${what})`);
    if (parts.stateVersion !== 1) throw new AffinityError('E_MODEL_FILE', `${this.name}: saved state version ${parts.stateVersion} is not supported (expected 1)`);
    const { meta, arrays } = parts;
    const f = meta.factors;
    const mu = meta.mu;
    if (typeof f !== 'number' || !Number.isInteger(f) || f < 1) throw bad('meta.factors');
    if (typeof mu !== 'number') throw bad('meta.mu');
    const nU = this.seen.nRows;
    const nI = this.seen.nCols;
    const { bu, bi, pu, qi, yj } = arrays;
    if (!(bu instanceof Float64Array) || bu.length !== nU) throw bad('bu');
    if (!(bi instanceof Float64Array) || bi.length !== nI) throw bad('bi');
    if (!(pu instanceof Float32Array) || pu.length !== nU * f) throw bad('pu');
    if (!(qi instanceof Float32Array) || qi.length !== nI * f) throw bad('qi');
    if (this.hasImplicit && (!(yj instanceof Float32Array) || yj.length !== nI * f)) throw bad('yj');
    const biased = meta.biased !== false;
    const rs = meta.ratingScale;
    this.scale = Array.isArray(rs) && rs.length === 2 ? [Number(rs[0]), Number(rs[1])] : null;
    this.install({ f, mu, offset: biased ? mu : 0, biased, bu, bi, pu, qi, yj: this.hasImplicit ? (yj as Float32Array) : null });
  }
}

/** Euclidean norm of each row of a rows x f matrix. */
export function rowNorms(m: Float32Array, rows: number, f: number): Float32Array {
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const o = r * f;
    for (let t = 0; t < f; t++) s += m[o + t] * m[o + t];
    out[r] = Math.sqrt(s);
  }
  return out;
}
