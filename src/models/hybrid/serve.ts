import type { Csr } from '../../core/csr.js';
import { AffinityError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';

/** Serving state: every user's and item's representation (rows of f) and bias. */
export interface Representations {
  users: Float32Array;
  userBias: Float32Array;
  /** 1 when the user had training rows or side features (else the mean user stands in). */
  userKnown: Uint8Array;
  items: Float32Array;
  itemBias: Float32Array;
  /** Mean representation and bias of the users with training rows. */
  meanUser: Float32Array;
  meanUserBias: number;
  userNorms: Float32Array;
  itemNorms: Float32Array;
  /** Items with training rows (negatives of the fold-in). */
  candidates: Int32Array;
}

function representRows(m: Csr, emb: Float32Array, bias: Float32Array, f: number): { rep: Float32Array; b: Float32Array; norms: Float32Array } {
  const n = m.nRows;
  const rep = new Float32Array(n * f);
  const b = new Float32Array(n);
  const norms = new Float32Array(n);
  const acc = new Float64Array(f);
  for (let r = 0; r < n; r++) {
    acc.fill(0);
    let bb = 0;
    for (let p = m.indptr[r]; p < m.indptr[r + 1]; p++) {
      const j = m.indices[p];
      const w = m.data[p];
      for (let c = 0; c < f; c++) acc[c] += w * emb[j * f + c];
      bb += w * bias[j];
    }
    let s = 0;
    for (let c = 0; c < f; c++) {
      rep[r * f + c] = acc[c];
      s += acc[c] * acc[c];
    }
    b[r] = bb;
    norms[r] = Math.sqrt(s);
  }
  return { rep, b, norms };
}

/** Representations of all users and items (sums of their features' embeddings and biases). */
export function representAll(uFeat: Csr, uEmb: Float32Array, uBias: Float32Array, iFeat: Csr, iEmb: Float32Array, iBias: Float32Array, f: number, seen: Csr, userHasSide: Uint8Array): Representations {
  const u = representRows(uFeat, uEmb, uBias, f);
  const it = representRows(iFeat, iEmb, iBias, f);
  const nU = uFeat.nRows;
  const userKnown = new Uint8Array(nU);
  const mean = new Float64Array(f);
  let meanB = 0;
  let warm = 0;
  const hasRows = new Uint8Array(iFeat.nRows);
  for (let x = 0; x < nU; x++) {
    const rows = seen.indptr[x + 1] > seen.indptr[x];
    for (let q = seen.indptr[x]; q < seen.indptr[x + 1]; q++) hasRows[seen.indices[q]] = 1;
    if (rows || userHasSide[x]) userKnown[x] = 1;
    if (!rows) continue;
    warm++;
    for (let c = 0; c < f; c++) mean[c] += u.rep[x * f + c];
    meanB += u.b[x];
  }
  // items with neither training rows nor features: a zero vector and the lowest bias of the trained
  // items (the model knows nothing of them; they rank after the items it expects to be liked)
  let minBias = Infinity;
  for (let i = 0; i < hasRows.length; i++) if (hasRows[i] && it.b[i] < minBias) minBias = it.b[i];
  if (minBias < Infinity) for (let i = 0; i < hasRows.length; i++) if (!hasRows[i] && iFeat.indptr[i + 1] === iFeat.indptr[i]) it.b[i] = minBias;
  const meanUser = new Float32Array(f);
  if (warm > 0) for (let c = 0; c < f; c++) meanUser[c] = mean[c] / warm;
  const cand: number[] = [];
  for (let i = 0; i < hasRows.length; i++) if (hasRows[i]) cand.push(i);
  return {
    users: u.rep,
    userBias: u.b,
    userKnown,
    items: it.rep,
    itemBias: it.b,
    meanUser,
    meanUserBias: warm > 0 ? meanB / warm : 0,
    userNorms: u.norms,
    itemNorms: it.norms,
    candidates: Int32Array.from(cand),
  };
}

/**
 * Fold-in of a new user from a history: start at the mean trained user; `epochs` passes, each of
 * |positives| BPR steps (a positive and a uniformly drawn non-positive item with training rows) on the
 * user vector only, with AdaGrad rates lr/√G and L2 `alpha`. Items and biases stay fixed.
 */
export function foldInUser(r: Representations, f: number, items: ArrayLike<number>, values: ArrayLike<number> | null, epochs: number, lr: number, alpha: number, seed: number): Float32Array {
  const nI = r.itemBias.length;
  if (values !== null && values.length !== items.length) throw new AffinityError('E_PARAM', `values: got ${values.length} values for ${items.length} items; expected one per item (or null)`, { field: 'values' });
  const pos: number[] = [];
  for (let k = 0; k < items.length; k++) {
    const i = items[k];
    if (!(Number.isInteger(i) && i >= 0 && i < nI)) throw new AffinityError('E_UNKNOWN_ID', `item index ${i} out of range 0..${nI - 1}`, { field: 'items' });
    if (values !== null && !Number.isFinite(values[k])) throw new AffinityError('E_PARAM', `values: got ${values[k]} at position ${k}; expected a finite number`, { field: 'values' });
    if (values === null || values[k] > 0) pos.push(i);
  }
  const v = Float64Array.from(r.meanUser);
  const out = new Float32Array(f);
  if (pos.length === 0 || r.candidates.length === 0) {
    out.set(v);
    return out;
  }
  const liked = new Set(pos);
  const G = new Float64Array(f).fill(1);
  const rng = new Rng((seed ^ 0x5bd1e995) >>> 0);
  const Q = r.items;
  const B = r.itemBias;
  const cand = r.candidates;
  for (let e = 0; e < epochs; e++) {
    for (let s = 0; s < pos.length; s++) {
      const i = pos[rng.int(pos.length)];
      let j = -1;
      for (let t = 0; t < 32 && j < 0; t++) {
        const c = cand[rng.int(cand.length)];
        if (!liked.has(c)) j = c;
      }
      if (j < 0) continue;
      let x = B[i] - B[j];
      for (let c = 0; c < f; c++) x += v[c] * (Q[i * f + c] - Q[j * f + c]);
      const z = 1 / (1 + Math.exp(x));
      for (let c = 0; c < f; c++) {
        const g = -z * (Q[i * f + c] - Q[j * f + c]);
        const rate = lr / Math.sqrt(G[c]);
        G[c] += g * g;
        v[c] = (v[c] - rate * g) * (1 - alpha * rate);
      }
    }
  }
  out.set(v);
  return out;
}

/** One feature's part of a score. */
export interface FeatureContribution {
  feature: string;
  /** The feature's weight in the entity's row. */
  weight: number;
  /** weight·(embedding·other side's representation + bias). */
  contribution: number;
}

/**
 * What `explain` returns. The item features' contributions sum to score - userBias (for an item with
 * features); the user features' to score - itemBias.
 */
export interface HybridExplanation {
  score: number;
  userBias: number;
  itemBias: number;
  /** Item features by |contribution|, largest first (at most n). */
  itemFeatures: FeatureContribution[];
  /** User features by |contribution| (empty for a user represented by the mean user). */
  userFeatures: FeatureContribution[];
}

export interface FeatureParts {
  uFeat: Csr;
  iFeat: Csr;
  uEmb: Float32Array;
  uBias: Float32Array;
  iEmb: Float32Array;
  iBias: Float32Array;
  uNames: string[];
  iNames: string[];
  f: number;
}

function contributions(m: Csr, emb: Float32Array, bias: Float32Array, names: string[], row: number, other: Float32Array, oo: number, f: number): FeatureContribution[] {
  const out: FeatureContribution[] = [];
  for (let p = m.indptr[row]; p < m.indptr[row + 1]; p++) {
    const j = m.indices[p];
    const w = m.data[p];
    let s = bias[j];
    for (let c = 0; c < f; c++) s += emb[j * f + c] * other[oo + c];
    out.push({ feature: names[j] ?? `#${j}`, weight: w, contribution: w * s });
  }
  return out;
}

/** Splits score(user, item) into per-feature contributions (user -1: the mean user). */
export function explainScore(parts: FeatureParts, r: Representations, user: number, item: number, n: number): HybridExplanation {
  const f = parts.f;
  const uVec = user >= 0 ? r.users : r.meanUser;
  const uo = user >= 0 ? user * f : 0;
  const userBias = user >= 0 ? r.userBias[user] : r.meanUserBias;
  let dot = 0;
  for (let c = 0; c < f; c++) dot += uVec[uo + c] * r.items[item * f + c];
  const itemBias = r.itemBias[item];
  const byMagnitude = (a: FeatureContribution, b: FeatureContribution): number => Math.abs(b.contribution) - Math.abs(a.contribution) || a.feature.localeCompare(b.feature);
  const itemFeatures = contributions(parts.iFeat, parts.iEmb, parts.iBias, parts.iNames, item, uVec, uo, f).sort(byMagnitude).slice(0, n);
  const userFeatures = user >= 0 ? contributions(parts.uFeat, parts.uEmb, parts.uBias, parts.uNames, user, r.items, item * f, f).sort(byMagnitude).slice(0, n) : [];
  return { score: dot + userBias + itemBias, userBias, itemBias, itemFeatures, userFeatures };
}
