import { cooToCsr, findInRow, type Csr } from '../core/csr.js';
import { AffinityError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { Dataset } from '../data/dataset.js';
import type { SplitFold } from '../data/split-types.js';
import type { Protocol } from './protocol.js';

/**
 * Everything about one train/test fold that does not depend on the model, computed once and shared
 * by every model (so sampled negatives are the same for all of them).
 */
export interface FoldData {
  fold: number;
  /** The split's training rows, values as in the data. */
  train: Dataset;
  test: Dataset;
  /** What rating models fit on (train) and what ranking models fit on (binary implicit when protocol.implicit). */
  fitRating: Dataset;
  fitRanking: Dataset;
  /** users x items of all training rows: the seen items to exclude. */
  trainCsr: Csr;
  /** Training users per item. */
  itemPop: Int32Array;
  /** Users with at least one training row. */
  nTrainUsers: number;
  /** candidateMask[i] = 1 when item i may be recommended. */
  candidateMask: Uint8Array;
  nCandidates: number;
  /** The candidates as a list when they are not every item (passed to recommend as `allow`), else null. */
  allow: Int32Array | null;
  /** users x items of the relevant test rows; data = the test values. */
  relevant: Csr;
  /** Users with >= 1 relevant test item, ascending: the users ranking metrics average over. */
  evalUsers: Int32Array;
  /** Sampled ranking only: negatives for each relevant test row. */
  sampled: SampledNegatives | null;
}

/** For positive p (a relevant row of user posUser[p], item posItem[p]): negatives negItems[negPtr[p] .. negPtr[p+1]). */
export interface SampledNegatives {
  posUser: Int32Array;
  posItem: Int32Array;
  negPtr: Int32Array;
  negItems: Int32Array;
  /** Positives of eval user j: userPtr[j] .. userPtr[j+1] (aligned to evalUsers). */
  userPtr: Int32Array;
}

/** Builds the fold's train/test datasets, candidates, relevant sets and (sampled ranking) negatives. */
export function prepareFold(data: Dataset, fold: SplitFold, protocol: Protocol): FoldData {
  if (fold.trainRows.length === 0) throw new AffinityError('E_EMPTY', `fold ${fold.fold}: the training set has no rows`);
  if (fold.testRows.length === 0) throw new AffinityError('E_EMPTY', `fold ${fold.fold}: the test set has no rows`);
  const train = data.subset(fold.trainRows);
  const test = data.subset(fold.testRows);
  const thr = protocol.relevanceThreshold;
  const fitRanking = protocol.implicit ? train.toImplicit(thr ?? -Infinity, true) : train;
  const trainCsr = train.csr();
  const nItems = data.nItems;
  const nUsers = data.nUsers;

  const itemPop = new Int32Array(nItems);
  for (let p = 0; p < trainCsr.indptr[nUsers]; p++) itemPop[trainCsr.indices[p]]++;
  let nTrainUsers = 0;
  for (let u = 0; u < nUsers; u++) if (trainCsr.indptr[u + 1] > trainCsr.indptr[u]) nTrainUsers++;

  const candidateMask = new Uint8Array(nItems);
  let nCandidates = 0;
  for (let i = 0; i < nItems; i++) {
    if (protocol.candidates === 'all' || itemPop[i] > 0) {
      candidateMask[i] = 1;
      nCandidates++;
    }
  }
  let allow: Int32Array | null = null;
  if (nCandidates < nItems) {
    allow = new Int32Array(nCandidates);
    for (let i = 0, c = 0; i < nItems; i++) if (candidateMask[i]) allow[c++] = i;
  }

  const keep: number[] = [];
  for (let r = 0; r < test.size; r++) if (thr === null || test.value[r] >= thr) keep.push(r);
  const ku = new Int32Array(keep.length);
  const ki = new Int32Array(keep.length);
  const kv = new Float32Array(keep.length);
  keep.forEach((r, j) => {
    ku[j] = test.user[r];
    ki[j] = test.item[r];
    kv[j] = test.value[r];
  });
  const relevant = cooToCsr(nUsers, nItems, ku, ki, kv, 'last');
  const ev: number[] = [];
  for (let u = 0; u < nUsers; u++) if (relevant.indptr[u + 1] > relevant.indptr[u]) ev.push(u);
  const evalUsers = Int32Array.from(ev);

  const out: FoldData = {
    fold: fold.fold,
    train,
    test,
    fitRating: train,
    fitRanking,
    trainCsr,
    itemPop,
    nTrainUsers,
    candidateMask,
    nCandidates,
    allow,
    relevant,
    evalUsers,
    sampled: null,
  };
  if (protocol.ranking.kind === 'sampled') {
    const r = protocol.ranking;
    if (!(Number.isInteger(r.negatives) && r.negatives > 0)) {
      throw new AffinityError('E_PARAM', `ranking.negatives: got ${JSON.stringify(r.negatives)}; expected a positive integer`, { field: 'negatives' });
    }
    out.sampled = sampleNegatives(out, r.negatives, r.sampler, new Rng((protocol.seed + Math.imul(fold.fold + 1, 0x9e3779b1)) >>> 0));
  }
  return out;
}

/**
 * For each relevant test row, `n` distinct negatives drawn (seeded) from the candidates that are in
 * neither the user's training nor test rows: uniformly, or with probability proportional to training
 * popularity (items without training users are then never drawn). When fewer than `n` such items
 * exist, all of them are taken.
 */
function sampleNegatives(f: FoldData, n: number, sampler: 'uniform' | 'popularity', rng: Rng): SampledNegatives {
  const testCsr = f.test.csr();
  const cands = f.allow ?? Int32Array.from({ length: f.candidateMask.length }, (_, i) => i);
  const cum = new Float64Array(cands.length);
  let acc = 0;
  for (let c = 0; c < cands.length; c++) {
    acc += sampler === 'popularity' ? f.itemPop[cands[c]] : 1;
    cum[c] = acc;
  }
  const drawable = sampler === 'popularity' ? (i: number): boolean => f.itemPop[i] > 0 : (): boolean => true;
  let totalDrawable = 0;
  for (let c = 0; c < cands.length; c++) if (drawable(cands[c])) totalDrawable++;
  const userOwns = (u: number, i: number): boolean => findInRow(f.trainCsr, u, i) >= 0 || findInRow(testCsr, u, i) >= 0;
  const posUser: number[] = [];
  const posItem: number[] = [];
  const negPtr: number[] = [0];
  const negItems: number[] = [];
  const userPtr = new Int32Array(f.evalUsers.length + 1);
  const picked = new Set<number>();
  for (let j = 0; j < f.evalUsers.length; j++) {
    const u = f.evalUsers[j];
    // items that may be drawn for this user
    let own = 0;
    for (let p = f.trainCsr.indptr[u]; p < f.trainCsr.indptr[u + 1]; p++) {
      const i = f.trainCsr.indices[p];
      if (f.candidateMask[i] && drawable(i)) own++;
    }
    for (let p = testCsr.indptr[u]; p < testCsr.indptr[u + 1]; p++) {
      const i = testCsr.indices[p];
      if (f.candidateMask[i] && drawable(i) && findInRow(f.trainCsr, u, i) < 0) own++;
    }
    const available = totalDrawable - own;
    for (let p = f.relevant.indptr[u]; p < f.relevant.indptr[u + 1]; p++) {
      posUser.push(u);
      posItem.push(f.relevant.indices[p]);
      picked.clear();
      if (available <= n) {
        for (let c = 0; c < cands.length; c++) if (drawable(cands[c]) && !userOwns(u, cands[c])) negItems.push(cands[c]);
      } else {
        while (picked.size < n) {
          const x = rng.next() * acc;
          const c = upperIndex(cum, x);
          const i = cands[c];
          if (picked.has(i) || userOwns(u, i)) continue;
          picked.add(i);
          negItems.push(i);
        }
      }
      negPtr.push(negItems.length);
    }
    userPtr[j + 1] = posUser.length;
  }
  return {
    posUser: Int32Array.from(posUser),
    posItem: Int32Array.from(posItem),
    negPtr: Int32Array.from(negPtr),
    negItems: Int32Array.from(negItems),
    userPtr,
  };
}

/** Smallest c with cum[c] > x. */
function upperIndex(cum: Float64Array, x: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
