import { transpose, type Csr } from '../../core/csr.js';
import { paramError } from '../../core/errors.js';
import type { Baselines } from '../baseline/baselines.js';
import { computeSimilarities, type SimMatrix, type SimRunOptions } from './parallel.js';
import { MODE_COSINE, MODE_DOT, MODE_JACCARD, MODE_MSD, MODE_PEARSON, type SimInput } from './sim-kernel.js';

export type { SimMatrix } from './parallel.js';

/**
 * Similarity measures.
 * - cosine: Surprise's `cosine` for rating models (norms over the common raters only), or, with
 *   `fullNorms`, the plain cosine of the whole vectors (implicit's CosineRecommender).
 * - adjusted_cosine: cosine over common raters of ratings centred by each rating's user mean (Sarwar et al.).
 * - pearson: Surprise's `pearson` (correlation over the common raters, centred by the means over those raters).
 * - pearson_baseline: Surprise's `pearson_baseline` (residuals from baselines mu + bu + bi, cosine
 *   over the common raters, shrunk by (n-1)/(n-1+shrinkage), shrinkage default 100, min support >= 2).
 * - msd: Surprise's `msd`: 1 / (mean squared difference over common raters + 1).
 * - jaccard: |common| / |union| of the rater sets.
 * - bm25, tfidf: implicit's BM25Recommender / TFIDFRecommender: the x-by-y matrix is weighted
 *   (BM25 with K1, B; TF-IDF then rows L2-normalised) and similarities are dot products.
 */
export type SimilarityKind = 'cosine' | 'adjusted_cosine' | 'pearson' | 'pearson_baseline' | 'msd' | 'jaccard' | 'bm25' | 'tfidf';
export const SIMILARITY_KINDS: readonly SimilarityKind[] = ['cosine', 'adjusted_cosine', 'pearson', 'pearson_baseline', 'msd', 'jaccard', 'bm25', 'tfidf'];

export interface SimilarityOptions {
  kind: SimilarityKind;
  /** Compare users (rows of the interaction matrix) instead of items. */
  userBased: boolean;
  /** Minimum number of common raters (Surprise's min_support); pairs below get no similarity. */
  minSupport?: number;
  /**
   * Shrinkage lambda: sim *= n/(n+lambda) (pearson_baseline: (n-1)/(n-1+lambda), as Surprise), with
   * n the common support; a negative value takes the kind's default (100 for pearson_baseline, else 0).
   */
  shrinkage?: number;
  /** Neighbours kept per row (the most similar); 0 = every positive similarity. */
  maxNeighbours?: number;
  /** Keep each entity among its own neighbours (implicit's item-item models do). */
  includeSelf?: boolean;
  /** cosine only: whole-vector norms (implicit) instead of norms over common raters (Surprise). */
  fullNorms?: boolean;
  /** BM25 parameters (implicit's BM25Recommender defaults K1 = 1.2, B = 0.75). */
  K1?: number;
  B?: number;
  /** Required by pearson_baseline. */
  baselines?: Baselines;
}

/**
 * Similarities between the users (userBased) or the items of the users x items matrix `ui`. Only
 * positive similarities are kept (Surprise's kNN predictions ignore the others; implicit's weights
 * are non-negative), each row best first, at most `maxNeighbours` of them.
 */
export function computeSimilarity(ui: Csr, o: SimilarityOptions, run: SimRunOptions = {}): Promise<SimMatrix> {
  return computeSimilarities(similarityInput(ui, o), run);
}

/** The kernel input for `computeSimilarity` (weighted / centred matrix and its transpose). */
export function similarityInput(ui: Csr, o: SimilarityOptions): SimInput {
  if (!SIMILARITY_KINDS.includes(o.kind)) throw paramError('similarity', o.kind, `one of ${SIMILARITY_KINDS.join(', ')}`);
  const minSupport = o.minSupport ?? 1;
  if (!(Number.isInteger(minSupport) && minSupport >= 0)) throw paramError('minSupport', minSupport, 'a non-negative integer');
  const maxNeighbours = o.maxNeighbours ?? 0;
  if (!(Number.isInteger(maxNeighbours) && maxNeighbours >= 0)) throw paramError('maxNeighbours', maxNeighbours, 'a non-negative integer (0 = all)');
  const rawShrink = o.shrinkage ?? -1;
  const shrinkage = rawShrink < 0 ? (o.kind === 'pearson_baseline' ? 100 : 0) : rawShrink;
  let vals = ui.data;
  let mode = MODE_DOT;
  switch (o.kind) {
    case 'cosine':
      mode = o.fullNorms ? MODE_DOT : MODE_COSINE;
      break;
    case 'adjusted_cosine':
      vals = centredByUserMean(ui);
      mode = MODE_COSINE;
      break;
    case 'pearson':
      mode = MODE_PEARSON;
      break;
    case 'pearson_baseline': {
      const b = o.baselines;
      if (!b) throw paramError('similarity', o.kind, 'baselines (fitBaselines) to go with pearson_baseline');
      vals = residuals(ui, b);
      mode = MODE_COSINE;
      break;
    }
    case 'msd':
      mode = MODE_MSD;
      break;
    case 'jaccard':
      mode = MODE_JACCARD;
      break;
    default:
      mode = MODE_DOT;
  }
  const base: Csr = { ...ui, data: vals };
  let X = o.userBased ? base : transpose(base);
  if (o.kind === 'cosine' && o.fullNorms) X = withData(X, l2RowNormalised(X.indptr, X.data));
  else if (o.kind === 'bm25') X = withData(X, bm25Weight(X, o.K1 ?? 1.2, o.B ?? 0.75));
  else if (o.kind === 'tfidf') X = withData(X, l2RowNormalised(X.indptr, tfidfWeight(X)));
  const Y = transpose(X);
  return {
    nX: X.nRows,
    xPtr: X.indptr,
    xIdx: X.indices,
    xVal: X.data,
    yPtr: Y.indptr,
    yIdx: Y.indices,
    yVal: Y.data,
    mode,
    minSupport: o.kind === 'pearson_baseline' ? Math.max(2, minSupport) : minSupport,
    shrinkage,
    shrinkOffset: o.kind === 'pearson_baseline' ? 1 : 0,
    maxNeighbours,
    includeSelf: o.includeSelf ?? false,
  };
}

function withData(m: Csr, data: Float32Array): Csr {
  return { nRows: m.nRows, nCols: m.nCols, indptr: m.indptr, indices: m.indices, data };
}

/** r - mean of the user's ratings, for the users x items matrix. */
function centredByUserMean(ui: Csr): Float32Array {
  const out = new Float32Array(ui.data.length);
  for (let u = 0; u < ui.nRows; u++) {
    const s = ui.indptr[u];
    const e = ui.indptr[u + 1];
    let sum = 0;
    for (let p = s; p < e; p++) sum += ui.data[p];
    const mean = e > s ? sum / (e - s) : 0;
    for (let p = s; p < e; p++) out[p] = ui.data[p] - mean;
  }
  return out;
}

/** r - (mu + bu + bi) for the users x items matrix. */
function residuals(ui: Csr, b: Baselines): Float32Array {
  const out = new Float32Array(ui.data.length);
  for (let u = 0; u < ui.nRows; u++) {
    const partial = b.mu + b.bu[u];
    for (let p = ui.indptr[u]; p < ui.indptr[u + 1]; p++) out[p] = ui.data[p] - (partial + b.bi[ui.indices[p]]);
  }
  return out;
}

/** Each row divided by its L2 norm (implicit's `normalize`). */
export function l2RowNormalised(ptr: Int32Array, data: Float32Array): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r + 1 < ptr.length; r++) {
    let ss = 0;
    for (let p = ptr[r]; p < ptr[r + 1]; p++) ss += data[p] * data[p];
    const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    for (let p = ptr[r]; p < ptr[r + 1]; p++) out[p] = data[p] * inv;
  }
  return out;
}

/** idf of each column: log(N) - log1p(count), N = number of rows (implicit). */
function idfOf(X: Csr): Float64Array {
  const count = new Float64Array(X.nCols);
  const nz = X.indptr[X.nRows];
  for (let p = 0; p < nz; p++) count[X.indices[p]]++;
  const idf = new Float64Array(X.nCols);
  const logN = Math.log(X.nRows);
  for (let c = 0; c < X.nCols; c++) idf[c] = logN - Math.log1p(count[c]);
  return idf;
}

/** implicit's bm25_weight applied to the rows of X. */
export function bm25Weight(X: Csr, K1: number, B: number): Float32Array {
  if (!(K1 >= 0)) throw paramError('K1', K1, 'a number >= 0');
  if (!(B >= 0 && B <= 1)) throw paramError('B', B, 'a number in [0, 1]');
  const idf = idfOf(X);
  const rowSums = new Float64Array(X.nRows);
  let total = 0;
  for (let r = 0; r < X.nRows; r++) {
    let s = 0;
    for (let p = X.indptr[r]; p < X.indptr[r + 1]; p++) s += X.data[p];
    rowSums[r] = s;
    total += s;
  }
  const avg = X.nRows > 0 ? total / X.nRows : 0;
  const out = new Float32Array(X.data.length);
  for (let r = 0; r < X.nRows; r++) {
    const lengthNorm = 1 - B + (avg > 0 ? (B * rowSums[r]) / avg : 0);
    for (let p = X.indptr[r]; p < X.indptr[r + 1]; p++) {
      const v = X.data[p];
      out[p] = ((v * (K1 + 1)) / (K1 * lengthNorm + v)) * idf[X.indices[p]];
    }
  }
  return out;
}

/** implicit's tfidf_weight applied to the rows of X: sqrt(value) * idf(column). */
export function tfidfWeight(X: Csr): Float32Array {
  const idf = idfOf(X);
  const out = new Float32Array(X.data.length);
  for (let p = 0; p < X.data.length; p++) out[p] = Math.sqrt(X.data[p]) * idf[X.indices[p]];
  return out;
}
