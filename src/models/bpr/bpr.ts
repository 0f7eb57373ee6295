import { availableParallelism } from 'node:os';
import { cooToCsr, type Csr } from '../../core/csr.js';
import { AffinityError, throwIfAborted } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { topK } from '../../core/topk.js';
import type { Dataset } from '../../data/dataset.js';
import { BaseRecommender, type SavedParts } from '../base.js';
import { readHistory } from '../history.js';
import type { FitOptions, FitReport, ModelCapabilities, Params, RecommendOptions, ScoredItems } from '../recommender.js';
import { recencyWeights } from '../ease/time-decay.js';
import { BprPool } from './pool.js';
import { WasmBprTrainer } from './wasm-train.js';
import { buildAlias } from './sampling.js';
import { bprEpoch, epochSeed, MAX_TRIES, type BprArrays } from './sgd.js';

export interface BprParams extends Params {
  factors: number;
  learningRate: number;
  regularization: number;
  iterations: number;
  sampling: string;
  popularityExponent: number;
  halfLifeDays: number;
  seed: number;
  threads: number;
}

/** What `explain` returns: the score's parts and the user's items closest to the target item. */
export interface BprExplanation {
  score: number;
  /** The item's bias b_i (the score is b_i + u·v_i). */
  bias: number;
  /** u·v_i. */
  dot: number;
  /** The user's training items ranked by cosine(v_j, v_item), best first. */
  items: ScoredItems;
}

/** Fold-in (foldInUser): epochs, learning rate as a multiple of learningRate, and the step budget. */
export const FOLD_IN_EPOCHS = 20;
export const FOLD_IN_LR_SCALE = 1.5;
export const FOLD_IN_MAX_STEPS = 2000;

function sharedF32(n: number, shared: boolean): Float32Array {
  return shared ? new Float32Array(new SharedArrayBuffer(n * 4)) : new Float32Array(n);
}
function sharedCopy<T extends Int32Array | Float64Array>(a: T, shared: boolean): T {
  if (!shared) return a;
  const out = new (a.constructor as { new (b: SharedArrayBuffer): T })(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}

/**
 * BPR (Rendle et al. 2009): matrix factorisation with item biases trained by SGD on sampled
 * (user, positive, negative) triples to maximise Σ ln σ(x_ui - x_uj). Each epoch draws as many
 * triples as there are positives (training rows with value > 0). Negatives are uniform over items
 * or ∝ popularity^popularityExponent (`sampling`), redrawn while they are positives of the user.
 * With `halfLifeDays` > 0, positives are drawn with weight 0.5^(age/halfLifeDays) (age before the
 * data's latest timestamp), so recent interactions are trained on more often.
 *
 * threads = 1 runs on the calling thread and is deterministic for a seed; more threads run lock-free
 * (Hogwild) SGD in worker_threads over SharedArrayBuffer factors: the same sampling, but races make
 * results vary slightly between runs. Users without history get item popularity.
 */
export class BprModel extends BaseRecommender<BprParams> {
  readonly capabilities: ModelCapabilities = { rating: false, similarItems: true, similarUsers: true };
  private userFactors: Float32Array = new Float32Array(0);
  private itemFactors: Float32Array = new Float32Array(0);
  private itemBias: Float32Array = new Float32Array(0);
  private popularity: Float32Array = new Float32Array(0);
  private itemNorms: Float32Array | null = null;
  private userNorms: Float32Array | null = null;

  get factors(): number {
    return this.params.factors;
  }

  protected async train(data: Dataset, opts: FitOptions): Promise<Partial<FitReport>> {
    const p = this.params;
    const f = p.factors;
    const nU = data.nUsers;
    const nI = data.nItems;
    const requested = opts.threads ?? p.threads;
    if (!(Number.isInteger(requested) && requested >= 0)) throw new AffinityError('E_PARAM', `threads: got ${requested}; expected an integer >= 0 (0 = all cores)`, { field: 'threads' });
    const threads = requested === 0 ? Math.max(1, availableParallelism()) : requested;
    const shared = threads > 1;

    // positives: training rows with value > 0, as a CSR, with recency weights aligned to it
    const decay = recencyWeights(data, p.halfLifeDays, `${this.name}.halfLifeDays`);
    const pos = positives(this.seen, decay ? cooToCsr(nU, nI, data.user, data.item, Float32Array.from(decay), 'last').data : null);
    if (pos.indices.length === 0) throw new AffinityError('E_EMPTY', `${this.name}: the training data has no positive interactions (value > 0)`);
    const popularity = new Float32Array(nI);
    for (let q = 0; q < pos.indices.length; q++) popularity[pos.indices[q]]++;

    const rng = new Rng(p.seed);
    const U = sharedF32(nU * f, shared);
    const V = sharedF32(nI * f, shared);
    const B = sharedF32(nI, shared);
    for (let k = 0; k < U.length; k++) U[k] = (rng.next() - 0.5) / f;
    for (let k = 0; k < V.length; k++) V[k] = (rng.next() - 0.5) / f;
    const posTable = pos.weights ? buildAlias(pos.weights, shared) : null;
    let negTable = null;
    if (p.sampling === 'popularity') {
      const w = new Float64Array(nI);
      for (let i = 0; i < nI; i++) w[i] = popularity[i] > 0 ? popularity[i] ** p.popularityExponent : 0;
      negTable = buildAlias(w, shared);
    }
    const arrays: BprArrays = {
      userFactors: U,
      itemFactors: V,
      itemBias: B,
      indptr: sharedCopy(pos.indptr, shared),
      indices: sharedCopy(pos.indices, shared),
      rowUser: sharedCopy(pos.rowUser, shared),
      posProb: posTable?.prob ?? null,
      posAlias: posTable?.alias ?? null,
      negProb: negTable?.prob ?? null,
      negAlias: negTable?.alias ?? null,
      nItems: nI,
      factors: f,
    };
    const samples = pos.indices.length;
    // WASM SIMD kernel when available (factors in the kernels' shared memory); else the TS loop and its workers
    const wasm = WasmBprTrainer.create(arrays, p.learningRate, p.regularization, threads);
    const pool = !wasm && threads > 1 ? new BprPool(threads, { arrays, lr: p.learningRate, reg: p.regularization }) : null;
    const iterationSeconds: number[] = [];
    try {
      for (let e = 0; e < p.iterations; e++) {
        throwIfAborted(opts.signal);
        const t0 = performance.now();
        let r;
        if (wasm) {
          r = await wasm.epoch(samples, epochSeed(p.seed, e, 0));
        } else if (pool) {
          const share = Math.ceil(samples / threads);
          const counts = Array.from({ length: threads }, (_, w) => Math.max(0, Math.min(share, samples - w * share)));
          const seeds = Array.from({ length: threads }, (_, w) => epochSeed(p.seed, e, w));
          r = await pool.epoch(counts, seeds);
        } else {
          r = bprEpoch(arrays, p.learningRate, p.regularization, samples, epochSeed(p.seed, e, 0));
        }
        iterationSeconds.push((performance.now() - t0) / 1000);
        const accuracy = r.correct / Math.max(1, samples - r.skipped);
        opts.onProgress?.({ phase: 'epoch', done: e + 1, total: p.iterations, metrics: { accuracy, skipped: r.skipped } });
      }
      throwIfAborted(opts.signal);
      wasm?.copyBack();
    } finally {
      wasm?.close();
      await pool?.close();
    }
    // own, non-shared copies for serving and saving
    this.userFactors = shared ? U.slice() : U;
    this.itemFactors = shared ? V.slice() : V;
    this.itemBias = shared ? B.slice() : B;
    this.popularity = popularity;
    this.itemNorms = null;
    this.userNorms = null;
    return { iterationSeconds };
  }

  scoreAll(user: number, out: Float32Array): void {
    this.assertFitted();
    if (!this.hasHistory(user)) {
      out.set(this.popularity);
      return;
    }
    this.scoreVectorInto(this.userFactors, user * this.factors, out);
  }

  private scoreVectorInto(vec: Float32Array, off: number, out: Float32Array): void {
    const f = this.factors;
    const V = this.itemFactors;
    const B = this.itemBias;
    for (let i = 0, io = 0; i < out.length; i++, io += f) {
      let s = B[i];
      for (let k = 0; k < f; k++) s += vec[off + k] * V[io + k];
      out[i] = s;
    }
  }

  /** A copy of the user's factor vector. */
  userVector(user: number): Float32Array {
    this.assertFitted();
    return this.userFactors.slice(user * this.factors, (user + 1) * this.factors);
  }

  /**
   * Fold-in: the factor vector of a new user from their positive items (item factors and biases
   * fixed). Starts from the mean of the positive items' vectors, then `epochs` BPR epochs of |items|
   * triples each (uniform positive, uniform negative outside the items) on the user vector only, at
   * FOLD_IN_LR_SCALE x learningRate, at most FOLD_IN_MAX_STEPS steps in all (but at least 2 epochs).
   * Seeded: the same input gives the same vector. `values` (optional, aligned with items): only items
   * with value > 0 count, as in training. On ML-100K this reproduces the trained users' top-10 as well
   * as the former 100 epochs from a random start, at a fifth of the steps (docs/bench/fold-in.md).
   */
  foldInUser(items: ArrayLike<number>, values: ArrayLike<number> | null = null, epochs = FOLD_IN_EPOCHS): Float32Array {
    this.assertFitted();
    const f = this.factors;
    const nI = this.nItems;
    if (values && values.length !== items.length) throw new AffinityError('E_PARAM', `values: got length ${values.length}; expected ${items.length} (one per item)`, { field: 'values' });
    if (!(Number.isInteger(epochs) && epochs >= 0)) throw new AffinityError('E_PARAM', `epochs: got ${epochs}; expected a non-negative integer`, { field: 'epochs' });
    const pos: number[] = [];
    for (let k = 0; k < items.length; k++) {
      const i = items[k];
      if (!(Number.isInteger(i) && i >= 0 && i < nI)) throw new AffinityError('E_UNKNOWN_ID', `items[${k}]: index ${i} out of range 0..${nI - 1}`, { field: 'items' });
      if (!values || values[k] > 0) pos.push(i);
    }
    const liked = Int32Array.from(pos).sort();
    const n = liked.length;
    const u = new Float64Array(f);
    const out = new Float32Array(f);
    if (n === 0) return out;
    const V = this.itemFactors;
    const B = this.itemBias;
    for (let s = 0; s < n; s++) for (let k = 0, o = liked[s] * f; k < f; k++) u[k] += V[o + k];
    for (let k = 0; k < f; k++) u[k] /= n;
    const lr = FOLD_IN_LR_SCALE * this.params.learningRate;
    const decay = 1 - lr * this.params.regularization;
    const rng = new Rng((this.params.seed ^ 0x5bd1e995) >>> 0);
    const d = new Float64Array(f);
    const steps = Math.min(epochs * n, Math.max(FOLD_IN_MAX_STEPS, Math.min(epochs, 2) * n));
    for (let s = 0; s < steps; s++) {
      const i = liked[rng.int(n)];
      let j = -1;
      for (let t = 0; t < MAX_TRIES && j < 0; t++) {
        const c = rng.int(nI);
        if (!binaryHas(liked, c)) j = c;
      }
      if (j < 0) continue;
      const io = i * f;
      const jo = j * f;
      let x = B[i] - B[j];
      for (let k = 0; k < f; k++) {
        const dk = V[io + k] - V[jo + k];
        d[k] = dk;
        x += u[k] * dk;
      }
      const z = lr / (1 + Math.exp(x));
      for (let k = 0; k < f; k++) u[k] = decay * u[k] + z * d[k];
    }
    for (let k = 0; k < f; k++) out[k] = u[k];
    return out;
  }

  /**
   * Scores for a user given by an interaction history: foldInUser on its positive items (value > 0,
   * as in training), then b_i + u·v_i; a history without positives gets item popularity.
   */
  override scoreHistory(items: ArrayLike<number>, values: ArrayLike<number> | null, out: Float32Array): void {
    this.assertFitted();
    const h = readHistory(this.name, this.nItems, items, values);
    let n = 0;
    for (let k = 0; k < h.items.length; k++) if (h.values[k] > 0) h.items[n++] = h.items[k];
    if (n === 0) {
      out.set(this.popularity);
      return;
    }
    this.scoreVectorInto(this.foldInUser(h.items.subarray(0, n)), 0, out);
  }

  /** Top-n for a factor vector (e.g. from foldInUser); `opts.seen` lists the items to leave out. */
  recommendVector(vec: Float32Array, opts: RecommendOptions = {}): ScoredItems {
    this.assertFitted();
    if (vec.length !== this.factors) throw new AffinityError('E_PARAM', `vector: got length ${vec.length}; expected ${this.factors} factors`, { field: 'vector' });
    const scores = new Float32Array(this.nItems);
    this.scoreVectorInto(vec, 0, scores);
    return this.select(-1, scores, opts);
  }

  /** Why `item` scores as it does for `user`: bias + dot, and the user's items most alike in factor space. */
  explain(user: number, item: number, n = 10): BprExplanation {
    this.assertFitted();
    const f = this.factors;
    if (!(item >= 0 && item < this.nItems)) throw new AffinityError('E_UNKNOWN_ID', `item index ${item} out of range 0..${this.nItems - 1}`, { field: 'item' });
    if (!(user >= 0 && user < this.nUsers)) throw new AffinityError('E_UNKNOWN_ID', `user index ${user} out of range 0..${this.nUsers - 1}`, { field: 'user' });
    let dot = 0;
    for (let k = 0; k < f; k++) dot += this.userFactors[user * f + k] * this.itemFactors[item * f + k];
    const bias = this.itemBias[item];
    const { indptr, indices } = this.seen;
    const hist = indices.subarray(indptr[user], indptr[user + 1]);
    const sims = new Float32Array(hist.length);
    const norms = this.norms('item');
    for (let q = 0; q < hist.length; q++) sims[q] = cosine(this.itemFactors, hist[q] * f, item * f, f, norms[hist[q]], norms[item]);
    const top = topK(sims, n);
    return { score: bias + dot, bias, dot, items: { items: Int32Array.from(top.items, (q) => hist[q]), scores: top.scores } };
  }

  override similarItems(item: number, n = 10): ScoredItems {
    this.assertFitted();
    return this.similar(this.itemFactors, this.norms('item'), item, n, 'item');
  }

  override similarUsers(user: number, n = 10): ScoredItems {
    this.assertFitted();
    return this.similar(this.userFactors, this.norms('user'), user, n, 'user');
  }

  private similar(M: Float32Array, norms: Float32Array, row: number, n: number, what: string): ScoredItems {
    const f = this.factors;
    const rows = norms.length;
    if (!(row >= 0 && row < rows)) throw new AffinityError('E_UNKNOWN_ID', `${what} index ${row} out of range 0..${rows - 1}`, { field: what });
    const out = new Float32Array(rows);
    for (let r = 0; r < rows; r++) out[r] = r === row ? -Infinity : cosine(M, r * f, row * f, f, norms[r], norms[row]);
    return topK(out, n);
  }

  private norms(which: 'item' | 'user'): Float32Array {
    const cached = which === 'item' ? this.itemNorms : this.userNorms;
    if (cached) return cached;
    const M = which === 'item' ? this.itemFactors : this.userFactors;
    const f = this.factors;
    const out = new Float32Array(M.length / f);
    for (let r = 0; r < out.length; r++) {
      let s = 0;
      for (let k = 0; k < f; k++) s += M[r * f + k] * M[r * f + k];
      out[r] = Math.sqrt(s);
    }
    if (which === 'item') this.itemNorms = out;
    else this.userNorms = out;
    return out;
  }

  protected saveParts(): SavedParts {
    return {
      stateVersion: 1,
      meta: { factors: this.factors },
      arrays: { userFactors: this.userFactors, itemFactors: this.itemFactors, itemBias: this.itemBias, popularity: this.popularity },
    };
  }

  protected loadParts(parts: SavedParts): void {
    if (parts.stateVersion !== 1) throw new AffinityError('E_MODEL_FILE', `${this.name}: saved state version ${parts.stateVersion} is not supported; expected 1`);
    const { userFactors, itemFactors, itemBias, popularity } = parts.arrays;
    const f = this.factors;
    const ok = (a: unknown, len: number): a is Float32Array => a instanceof Float32Array && a.length === len;
    if (!ok(userFactors, this.nUsers * f) || !ok(itemFactors, this.nItems * f) || !ok(itemBias, this.nItems) || !ok(popularity, this.nItems)) {
      throw new AffinityError('E_MODEL_FILE', `${this.name}: saved factors do not match ${this.nUsers} users x ${this.nItems} items x ${f} factors`);
    }
    this.userFactors = userFactors;
    this.itemFactors = itemFactors;
    this.itemBias = itemBias;
    this.popularity = popularity;
    this.itemNorms = null;
    this.userNorms = null;
  }
}

function cosine(M: Float32Array, a: number, b: number, f: number, na: number, nb: number): number {
  if (na === 0 || nb === 0) return 0;
  let s = 0;
  for (let k = 0; k < f; k++) s += M[a + k] * M[b + k];
  return s / (na * nb);
}

function binaryHas(sorted: Int32Array, x: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] === x) return true;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** The entries of `m` with value > 0 as a CSR plus each entry's row; `w` (aligned to m) is filtered alike. */
function positives(m: Csr, w: Float32Array | null): { indptr: Int32Array; indices: Int32Array; rowUser: Int32Array; weights: Float64Array | null } {
  const { indptr, indices, data } = m;
  let n = 0;
  for (let q = 0; q < data.length; q++) if (data[q] > 0) n++;
  const outPtr = new Int32Array(m.nRows + 1);
  const outIdx = new Int32Array(n);
  const rowUser = new Int32Array(n);
  const weights = w ? new Float64Array(n) : null;
  let o = 0;
  for (let r = 0; r < m.nRows; r++) {
    for (let q = indptr[r]; q < indptr[r + 1]; q++) {
      if (!(data[q] > 0)) continue;
      outIdx[o] = indices[q];
      rowUser[o] = r;
      if (weights && w) weights[o] = w[q];
      o++;
    }
    outPtr[r + 1] = o;
  }
  return { indptr: outPtr, indices: outIdx, rowUser, weights };
}
