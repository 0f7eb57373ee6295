/**
 * Neighbours of an ad-hoc history (Recommender.scoreHistory) for the user-based kNN models: the
 * similarities of the history to every training user, computed on the fly with the very kernel,
 * measure and parameters of training (similarityInput + computeRows), the history being appended
 * to the training rows as one extra row.
 */
import type { Csr } from '../../core/csr.js';
import type { IdMap } from '../../core/idmap.js';
import { Dataset } from '../../data/dataset.js';
import { fitBaselines, type Baselines } from '../baseline/baselines.js';
import type { History } from '../history.js';
import { computeRows, SimScratch, type SimInput } from './sim-kernel.js';
import { similarityInput, type SimilarityOptions } from './similarity.js';

/** Room for a history of this many items before the row buffers grow. */
const SPARE = 1024;

/** Neighbours of a history, best first: training user indices and their similarities. */
export interface HistoryNeighbours {
  idx: Int32Array;
  val: Float64Array;
}

/**
 * The user-based similarity input of the training data with room for one more row. Built once per
 * fitted model (one copy of the users x items matrix); each query writes the history into the spare
 * row and runs the kernel for that row only: O(sum over the history's items of their raters).
 */
export class HistorySimilarity {
  private readonly inp: SimInput;
  private readonly nX: number;
  private readonly nnz: number;
  private readonly o: SimilarityOptions;
  private readonly scratch: SimScratch;
  /** idf of each item (bm25, tfidf) and the mean row sum (bm25), as in similarity.ts. */
  private readonly idf: Float64Array | null = null;
  private readonly avgLen: number = 0;

  /** `ui`: the training users x items matrix; `o`: the options training used (userBased is forced). */
  constructor(ui: Csr, o: SimilarityOptions) {
    this.o = { ...o, userBased: true };
    const base = similarityInput(ui, this.o);
    this.nX = base.nX;
    this.nnz = base.xPtr[base.nX];
    const xPtr = new Int32Array(this.nX + 2);
    xPtr.set(base.xPtr);
    xPtr[this.nX + 1] = this.nnz;
    const xIdx = new Int32Array(this.nnz + SPARE);
    xIdx.set(base.xIdx.subarray(0, this.nnz));
    const xVal = new Float32Array(this.nnz + SPARE);
    xVal.set(base.xVal.subarray(0, this.nnz));
    this.inp = { ...base, nX: this.nX + 1, xPtr, xIdx, xVal };
    this.scratch = new SimScratch(this.nX + 1, base.mode);
    if (o.kind === 'bm25' || o.kind === 'tfidf') {
      const idf = new Float64Array(ui.nCols);
      const logN = Math.log(this.nX);
      for (let i = 0; i < ui.nCols; i++) idf[i] = logN - Math.log1p(base.yPtr[i + 1] - base.yPtr[i]);
      this.idf = idf;
      let total = 0;
      for (let p = 0; p < ui.indptr[ui.nRows]; p++) total += ui.data[p];
      this.avgLen = this.nX > 0 ? total / this.nX : 0;
    }
  }

  /**
   * The history's row as training would have weighted it: centred (adjusted_cosine), residuals of the
   * baselines with the history's own user bias `bu` (pearson_baseline), L2-normalised (cosine with
   * fullNorms), BM25 or TF-IDF weighted with the training idf; raw values otherwise.
   */
  weights(h: History, bsl: Baselines | undefined, bu: number): Float32Array {
    const { items, values } = h;
    const n = items.length;
    const w = Float32Array.from(values);
    const o = this.o;
    if (o.kind === 'adjusted_cosine') {
      let s = 0;
      for (let k = 0; k < n; k++) s += values[k];
      const mean = n ? s / n : 0;
      for (let k = 0; k < n; k++) w[k] = values[k] - mean;
    } else if (o.kind === 'pearson_baseline' && bsl) {
      for (let k = 0; k < n; k++) w[k] = values[k] - (bsl.mu + bu + bsl.bi[items[k]]);
    } else if (o.kind === 'bm25' && this.idf) {
      const K1 = o.K1 ?? 1.2;
      const B = o.B ?? 0.75;
      let len = 0;
      for (let k = 0; k < n; k++) len += values[k];
      const norm = 1 - B + (this.avgLen > 0 ? (B * len) / this.avgLen : 0);
      for (let k = 0; k < n; k++) w[k] = ((values[k] * (K1 + 1)) / (K1 * norm + values[k])) * this.idf[items[k]];
    } else if (o.kind === 'tfidf' && this.idf) {
      for (let k = 0; k < n; k++) w[k] = Math.sqrt(values[k]) * this.idf[items[k]];
      normalise(w);
    } else if (o.kind === 'cosine' && o.fullNorms) {
      normalise(w);
    }
    return w;
  }

  /** The history's neighbours among the training users (positive similarities, at most maxNeighbours). */
  neighbours(items: Int32Array, weights: Float32Array): HistoryNeighbours {
    const n = items.length;
    let inp = this.inp;
    if (this.nnz + n > inp.xIdx.length) {
      const cap = this.nnz + Math.max(n, 2 * (inp.xIdx.length - this.nnz));
      const xIdx = new Int32Array(cap);
      xIdx.set(inp.xIdx.subarray(0, this.nnz));
      const xVal = new Float32Array(cap);
      xVal.set(inp.xVal.subarray(0, this.nnz));
      inp = Object.assign(this.inp, { xIdx, xVal });
    }
    inp.xIdx.set(items, this.nnz);
    inp.xVal.set(weights, this.nnz);
    inp.xPtr[this.nX + 1] = this.nnz + n;
    const r = computeRows(inp, this.nX, this.nX + 1, this.scratch);
    return { idx: r.idx, val: r.val };
  }
}

/**
 * The baselines a rating kNN model fitted (for pearson_baseline) re-estimated from its training
 * matrix, when the model did not keep them: the estimation is deterministic, so they are the same.
 */
export function baselinesOfCsr(
  ui: Csr,
  users: IdMap,
  items: IdMap,
  p: { bslMethod: 'als' | 'sgd'; bslEpochs: number; bslRegU: number; bslRegI: number; bslLearningRate: number; bslReg: number },
): Baselines {
  const row = new Int32Array(ui.indptr[ui.nRows]);
  for (let u = 0; u < ui.nRows; u++) row.fill(u, ui.indptr[u], ui.indptr[u + 1]);
  const data = new Dataset({ users, items, user: row, item: ui.indices, value: ui.data, kind: 'explicit' });
  return fitBaselines(data, { method: p.bslMethod, epochs: p.bslEpochs, regU: p.bslRegU, regI: p.bslRegI, learningRate: p.bslLearningRate, reg: p.bslReg });
}

/**
 * Rating kNN, user-based: walks the neighbours best first; each item takes its first k raters
 * among them: count, Σ sim and Σ sim (r - offX[v] - offY[j]) / divX[v] per item (as scoreAll).
 */
export function neighbourSums(
  nb: HistoryNeighbours,
  ui: Csr,
  offX: Float64Array,
  divX: Float64Array,
  offY: Float64Array,
  k: number,
): { cnt: Int32Array; sSim: Float64Array; sR: Float64Array } {
  const nI = ui.nCols;
  const cnt = new Int32Array(nI);
  const sSim = new Float64Array(nI);
  const sR = new Float64Array(nI);
  const { indptr, indices, data } = ui;
  for (let t = 0; t < nb.idx.length; t++) {
    const v = nb.idx[t];
    const s = nb.val[t];
    const o = offX[v];
    const dv = divX[v];
    for (let q = indptr[v]; q < indptr[v + 1]; q++) {
      const j = indices[q];
      if (cnt[j] >= k) continue;
      cnt[j]++;
      sSim[j] += s;
      sR[j] += (s * (data[q] - o - offY[j])) / dv;
    }
  }
  return { cnt, sSim, sR };
}

function normalise(w: Float32Array): void {
  let ss = 0;
  for (let k = 0; k < w.length; k++) ss += w[k] * w[k];
  const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
  for (let k = 0; k < w.length; k++) w[k] *= inv;
}
