import type { Csr } from '../../core/csr.js';
import { AffinityError } from '../../core/errors.js';
import { topK } from '../../core/topk.js';
import type { Dataset } from '../../data/dataset.js';
import { BaseRecommender, type SavedParts } from '../base.js';
import type { FitOptions, FitReport, ModelCapabilities, Params, ScoredItems } from '../recommender.js';
import { entityFeatures, withSideFeatures, type RowNorm } from './features.js';
import { explainScore, foldInUser, representAll, type HybridExplanation, type Representations } from './serve.js';
import type { HybridHyper, LossName } from './sgd.js';
import { trainEarlyStopped } from './early-stop.js';
import { resolveThreads, trainHybrid, type Trained } from './train.js';

export interface HybridParams extends Params {
  components: number;
  loss: string;
  k: number;
  n: number;
  learningRate: number;
  schedule: string;
  rho: number;
  epsilon: number;
  itemAlpha: number;
  userAlpha: number;
  maxSampled: number;
  epochs: number;
  itemFeatures: string;
  userFeatures: string;
  identity: boolean;
  normalize: string;
  featureWeight: number;
  identityShrink: number;
  foldInEpochs: number;
  validation: number;
  patience: number;
  validationRefit: boolean;
  seed: number;
  threads: number;
}

const EMPTY_CSR: Csr = { nRows: 0, nCols: 0, indptr: new Int32Array(1), indices: new Int32Array(0), data: new Float32Array(0) };

/**
 * Feature-aware factorisation in the style of LightFM (Kula 2015). Every user and item is the sum of
 * the embeddings (and biases) of its features: identity features (one per user / item with training
 * rows, `identity`) plus the side features of `data.userFeatures` / `data.itemFeatures` (columns chosen
 * by `userFeatures` / `itemFeatures`). score(u, i) = p_u·q_i + b_u + b_i. Trained by SGD with
 * per-parameter AdaGrad or AdaDelta rates on WARP, k-OS WARP, BPR or logistic loss (see sgd.ts).
 *
 * Cold start: an item or user without training rows has no identity feature, so it is represented by
 * its side features alone (items held out of training still score through their genres, tags, ...).
 * A user with neither history nor side features gets the mean representation of the trained users.
 * threads = 1 is deterministic for a seed; more threads run Hogwild SGD in worker_threads.
 */
export class HybridModel extends BaseRecommender<HybridParams> {
  readonly capabilities: ModelCapabilities = { rating: false, similarItems: true, similarUsers: true };
  private uFeat: Csr = EMPTY_CSR;
  private iFeat: Csr = EMPTY_CSR;
  private uNames: string[] = [];
  private iNames: string[] = [];
  private uEmb: Float32Array = new Float32Array(0);
  private uBias: Float32Array = new Float32Array(0);
  private iEmb: Float32Array = new Float32Array(0);
  private iBias: Float32Array = new Float32Array(0);
  private rep: Representations | null = null;
  /** Most inner-holdout users scored per epoch when `validation` > 0 (a seeded sample). */
  static readonly VALIDATION_USERS = 1000;
  /** Epochs of the final parameters (the best epoch count when early stopping ran; not saved). */
  bestEpochs = 0;
  /** Inner-holdout NDCG@10 after each epoch of the last fit (empty without `validation`; not saved). */
  validationCurve: number[] = [];

  get components(): number {
    return this.params.components;
  }

  private hyper(): HybridHyper {
    const p = this.params;
    return {
      loss: p.loss as LossName,
      learningRate: p.learningRate,
      adadelta: p.schedule === 'adadelta',
      rho: p.rho,
      epsilon: p.epsilon,
      itemAlpha: p.itemAlpha,
      userAlpha: p.userAlpha,
      maxSampled: p.maxSampled,
      k: p.k,
      n: p.n,
    };
  }

  protected async train(data: Dataset, opts: FitOptions): Promise<Partial<FitReport>> {
    const p = this.params;
    const threads = resolveThreads(opts.threads ?? p.threads);
    const seen = this.seen;
    const warmU = new Uint8Array(data.nUsers);
    const warmI = new Uint8Array(data.nItems);
    const cntU = new Float64Array(data.nUsers);
    const cntI = new Float64Array(data.nItems);
    for (let u = 0; u < seen.nRows; u++) {
      cntU[u] = seen.indptr[u + 1] - seen.indptr[u];
      if (cntU[u] > 0) warmU[u] = 1;
      for (let q = seen.indptr[u]; q < seen.indptr[u + 1]; q++) {
        warmI[seen.indices[q]] = 1;
        cntI[seen.indices[q]]++;
      }
    }
    const norm = p.normalize as RowNorm;
    const uf = entityFeatures(data.userFeatures, data.users, warmU, p.userFeatures, p.identity, norm, `${this.name}.userFeatures`, p.featureWeight, cntU, p.identityShrink);
    const itf = entityFeatures(data.itemFeatures, data.items, warmI, p.itemFeatures, p.identity, norm, `${this.name}.itemFeatures`, p.featureWeight, cntI, p.identityShrink);
    if (itf.csr.nCols === 0 || uf.csr.nCols === 0) {
      const which = itf.csr.nCols === 0 ? 'items' : 'users';
      throw new AffinityError('E_PARAM', `${this.name}.identity: ${which} have no features (identity=false and no side data); expected identity=true or side data (--items FILE / --users FILE)`, { field: `${this.name}.identity` });
    }
    const inp = { seen, userFeatures: uf.csr, itemFeatures: itf.csr, f: p.components, epochs: p.epochs, seed: p.seed, threads, hyper: this.hyper(), name: this.name };
    let t: Trained;
    if (p.validation > 0) {
      if (!(p.validation < 1)) throw new AffinityError('E_PARAM', `${this.name}.validation: got ${p.validation}; expected a fraction in [0, 1) (0 = no early stopping)`, { field: `${this.name}.validation` });
      const es = await trainEarlyStopped(inp, opts, { validation: p.validation, patience: p.patience, refit: p.validationRefit, maxUsers: HybridModel.VALIDATION_USERS });
      this.bestEpochs = es.bestEpochs;
      this.validationCurve = es.curve;
      t = es;
    } else {
      t = await trainHybrid(inp, opts);
      this.bestEpochs = t.epochs;
      this.validationCurve = [];
    }
    this.uFeat = uf.csr;
    this.iFeat = itf.csr;
    this.uNames = uf.names;
    this.iNames = itf.names;
    this.uEmb = t.uEmb;
    this.uBias = t.uBias;
    this.iEmb = t.iEmb;
    this.iBias = t.iBias;
    this.refresh();
    return { iterationSeconds: t.iterationSeconds, loss: t.loss };
  }

  /** Recomputes the user and item representations from the feature embeddings. */
  private refresh(): void {
    const hasSide = withSideFeatures(this.uFeat, this.params.identity);
    this.rep = representAll(this.uFeat, this.uEmb, this.uBias, this.iFeat, this.iEmb, this.iBias, this.components, this.seen, hasSide);
  }

  private reps(): Representations {
    this.assertFitted();
    if (!this.rep) this.refresh();
    return this.rep as Representations;
  }

  scoreAll(user: number, out: Float32Array): void {
    const r = this.reps();
    const f = this.components;
    const known = user >= 0 && user < this.nUsers && r.userKnown[user] === 1;
    this.scoreVector(known ? r.users : r.meanUser, known ? user * f : 0, known ? r.userBias[user] : r.meanUserBias, out);
  }

  /** out[i] = vec·q_i + bias + b_i for every item. */
  scoreVector(vec: Float32Array, off: number, bias: number, out: Float32Array): void {
    const r = this.reps();
    const f = this.components;
    const Q = r.items;
    const B = r.itemBias;
    for (let i = 0, io = 0; i < out.length; i++, io += f) {
      let s0 = 0;
      let s1 = 0;
      let k = 0;
      for (; k + 1 < f; k += 2) {
        s0 += vec[off + k] * Q[io + k];
        s1 += vec[off + k + 1] * Q[io + k + 1];
      }
      if (k < f) s0 += vec[off + k] * Q[io + k];
      out[i] = s0 + s1 + bias + B[i];
    }
  }

  /**
   * Folds a history in: a fresh user vector, started at the mean trained user, gets `foldInEpochs`
   * passes of BPR steps (AdaGrad rates) against the fixed item representations; values <= 0 are not
   * positives (null values = all positive). Deterministic (seeded by `seed`).
   */
  override scoreHistory(items: ArrayLike<number>, values: ArrayLike<number> | null, out: Float32Array): void {
    const r = this.reps();
    const v = foldInUser(r, this.components, items, values, this.params.foldInEpochs, this.params.learningRate, this.params.userAlpha, this.params.seed);
    this.scoreVector(v, 0, r.meanUserBias, out);
  }

  /** Representation of a user (components; a copy); users without one get the mean trained user. */
  userVector(user: number): Float32Array {
    const r = this.reps();
    const f = this.components;
    if (user >= 0 && user < this.nUsers && r.userKnown[user] === 1) return r.users.slice(user * f, (user + 1) * f);
    return r.meanUser.slice();
  }

  /** Representation of an item (components; a copy): the sum of its feature embeddings. */
  itemVector(item: number): Float32Array {
    const r = this.reps();
    this.checkIndex(item, this.nItems, 'item');
    return r.items.slice(item * this.components, (item + 1) * this.components);
  }

  /** The score of (user, item) split by feature: item features against the user, user features against the item. */
  explain(user: number, item: number, n = 10): HybridExplanation {
    const r = this.reps();
    this.checkIndex(item, this.nItems, 'item');
    const known = user >= 0 && user < this.nUsers && r.userKnown[user] === 1;
    return explainScore(
      { uFeat: this.uFeat, iFeat: this.iFeat, uEmb: this.uEmb, uBias: this.uBias, iEmb: this.iEmb, iBias: this.iBias, uNames: this.uNames, iNames: this.iNames, f: this.components },
      r,
      known ? user : -1,
      item,
      n,
    );
  }

  override similarItems(item: number, n = 10): ScoredItems {
    const r = this.reps();
    return this.similar(r.items, r.itemNorms, item, n, 'item');
  }

  override similarUsers(user: number, n = 10): ScoredItems {
    const r = this.reps();
    return this.similar(r.users, r.userNorms, user, n, 'user');
  }

  private similar(M: Float32Array, norms: Float32Array, row: number, n: number, what: string): ScoredItems {
    const f = this.components;
    const rows = norms.length;
    this.checkIndex(row, rows, what);
    const out = new Float32Array(rows);
    const nr = norms[row];
    for (let x = 0; x < rows; x++) {
      if (x === row) {
        out[x] = -Infinity;
        continue;
      }
      if (nr === 0 || norms[x] === 0) continue;
      let s = 0;
      for (let k = 0; k < f; k++) s += M[x * f + k] * M[row * f + k];
      out[x] = s / (nr * norms[x]);
    }
    return topK(out, n);
  }

  private checkIndex(i: number, size: number, what: string): void {
    if (!(Number.isInteger(i) && i >= 0 && i < size)) throw new AffinityError('E_UNKNOWN_ID', `${what} index ${i} out of range 0..${size - 1}`, { field: what });
  }

  /** Feature names of the item (or user) feature matrix ('#id' = identity, 'col=value', 'col:term', ...). */
  featureNames(which: 'item' | 'user'): string[] {
    this.assertFitted();
    return (which === 'item' ? this.iNames : this.uNames).slice();
  }

  protected saveParts(): SavedParts {
    return {
      stateVersion: 1,
      meta: { components: this.components, userFeatureNames: this.uNames, itemFeatureNames: this.iNames, userFeatureCount: this.uFeat.nCols, itemFeatureCount: this.iFeat.nCols },
      arrays: {
        uPtr: this.uFeat.indptr,
        uIdx: this.uFeat.indices,
        uVal: this.uFeat.data,
        iPtr: this.iFeat.indptr,
        iIdx: this.iFeat.indices,
        iVal: this.iFeat.data,
        uEmb: this.uEmb,
        uBias: this.uBias,
        iEmb: this.iEmb,
        iBias: this.iBias,
      },
    };
  }

  protected loadParts(parts: SavedParts): void {
    if (parts.stateVersion !== 1) throw new AffinityError('E_MODEL_FILE', `${this.name}: saved state version ${parts.stateVersion} is not supported; expected 1`);
    const a = parts.arrays;
    const m = parts.meta;
    const f = this.components;
    const nUF = m.userFeatureCount;
    const nIF = m.itemFeatureCount;
    const names = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
    const isI = (x: unknown, len: number): x is Int32Array => x instanceof Int32Array && (len < 0 || x.length === len);
    const isF = (x: unknown, len: number): x is Float32Array => x instanceof Float32Array && (len < 0 || x.length === len);
    if (
      m.components !== f || typeof nUF !== 'number' || typeof nIF !== 'number' || !names(m.userFeatureNames) || !names(m.itemFeatureNames) ||
      !isI(a.uPtr, this.nUsers + 1) || !isI(a.uIdx, -1) || !isF(a.uVal, a.uIdx.length) || !isI(a.iPtr, this.nItems + 1) || !isI(a.iIdx, -1) ||
      !isF(a.iVal, a.iIdx.length) || !isF(a.uEmb, nUF * f) || !isF(a.uBias, nUF) || !isF(a.iEmb, nIF * f) || !isF(a.iBias, nIF)
    ) {
      throw new AffinityError('E_MODEL_FILE', `${this.name}: saved state does not match ${this.nUsers} users x ${this.nItems} items x ${f} components`);
    }
    this.uFeat = { nRows: this.nUsers, nCols: nUF, indptr: a.uPtr, indices: a.uIdx, data: a.uVal };
    this.iFeat = { nRows: this.nItems, nCols: nIF, indptr: a.iPtr, indices: a.iIdx, data: a.iVal };
    this.uNames = m.userFeatureNames;
    this.iNames = m.itemFeatureNames;
    this.uEmb = a.uEmb;
    this.uBias = a.uBias;
    this.iEmb = a.iEmb;
    this.iBias = a.iBias;
    this.rep = null;
  }
}
