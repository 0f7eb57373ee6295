import type { Csr } from '../../core/csr.js';
import { Rng } from '../../core/rng.js';
import { topK } from '../../core/topk.js';
import type { FitOptions } from '../recommender.js';
import { trainHybrid, type Trained, type TrainInput } from './train.js';

/** An inner split of the training rows: `train` keeps the shape of the input, `holdout` has positives only. */
export interface InnerSplit {
  train: Csr;
  holdout: Csr;
  /** Users with held-out rows, sorted. */
  users: Int32Array;
}

/**
 * Holds out round(fraction x positives) of each user's positive rows (value > 0), at least 1 for a user
 * with >= 2 positives and never all of them (a user keeps >= 1 positive in `train`); users with one
 * positive and non-positive rows stay whole in `train`. Seeded (one shuffle per user from `seed`).
 */
export function innerSplit(seen: Csr, fraction: number, seed: number): InnerSplit {
  const nU = seen.nRows;
  const rng = new Rng((seed ^ 0x51ed5eed) >>> 0);
  const hold = new Uint8Array(seen.indices.length);
  const tPtr = new Int32Array(nU + 1);
  const hPtr = new Int32Array(nU + 1);
  const users: number[] = [];
  let pos: number[] = [];
  for (let u = 0; u < nU; u++) {
    pos = [];
    for (let q = seen.indptr[u]; q < seen.indptr[u + 1]; q++) if (seen.data[q] > 0) pos.push(q);
    let h = 0;
    if (pos.length >= 2) {
      h = Math.min(pos.length - 1, Math.max(1, Math.round(fraction * pos.length)));
      rng.shuffle(pos);
      for (let k = 0; k < h; k++) hold[pos[k]] = 1;
      users.push(u);
    }
    hPtr[u + 1] = hPtr[u] + h;
    tPtr[u + 1] = tPtr[u] + (seen.indptr[u + 1] - seen.indptr[u]) - h;
  }
  const tIdx = new Int32Array(tPtr[nU]);
  const tVal = new Float32Array(tPtr[nU]);
  const hIdx = new Int32Array(hPtr[nU]);
  const hVal = new Float32Array(hPtr[nU]);
  let t = 0;
  let o = 0;
  for (let u = 0; u < nU; u++) {
    for (let q = seen.indptr[u]; q < seen.indptr[u + 1]; q++) {
      if (hold[q]) {
        hIdx[o] = seen.indices[q];
        hVal[o++] = seen.data[q];
      } else {
        tIdx[t] = seen.indices[q];
        tVal[t++] = seen.data[q];
      }
    }
  }
  return {
    train: { nRows: nU, nCols: seen.nCols, indptr: tPtr, indices: tIdx, data: tVal },
    holdout: { nRows: nU, nCols: seen.nCols, indptr: hPtr, indices: hIdx, data: hVal },
    users: Int32Array.from(users),
  };
}

/** The embeddings as training holds them: rows of `fp` floats (padding ignored), of which `f` are used. */
export interface EmbeddingView {
  uEmb: Float32Array;
  uBias: Float32Array;
  iEmb: Float32Array;
  iBias: Float32Array;
  f: number;
  fp: number;
}

/**
 * NDCG@k of the inner holdout: for each of `users` (a fixed sample), all items are scored by
 * p_u·q_i + b_i (b_u does not change a user's ranking), the user's inner-train items are skipped, and
 * the top k are matched against the held-out items. Returns the mean over the users.
 */
export class HoldoutScorer {
  private readonly items: Float32Array;
  private readonly itemB: Float32Array;
  private readonly scores: Float32Array;
  private readonly u: Float64Array;

  constructor(
    private readonly split: InnerSplit,
    private readonly users: Int32Array,
    private readonly uFeat: Csr,
    private readonly iFeat: Csr,
    private readonly f: number,
    private readonly k = 10,
  ) {
    this.items = new Float32Array(iFeat.nRows * f);
    this.itemB = new Float32Array(iFeat.nRows);
    this.scores = new Float32Array(iFeat.nRows);
    this.u = new Float64Array(f);
  }

  /** Picks up to `max` holdout users (seeded), sorted. */
  static sampleUsers(split: InnerSplit, max: number, seed: number): Int32Array {
    if (split.users.length <= max) return split.users;
    const pick = new Rng((seed ^ 0x0ddba11) >>> 0).shuffle(split.users.slice()).subarray(0, max);
    return pick.sort();
  }

  ndcg(v: EmbeddingView): number {
    const { f, fp } = v;
    const iF = this.iFeat;
    const Q = this.items;
    for (let r = 0; r < iF.nRows; r++) {
      const o = r * f;
      for (let c = 0; c < f; c++) Q[o + c] = 0;
      let b = 0;
      for (let p = iF.indptr[r]; p < iF.indptr[r + 1]; p++) {
        const j = iF.indices[p];
        const w = iF.data[p];
        const e = j * fp;
        for (let c = 0; c < f; c++) Q[o + c] += w * v.iEmb[e + c];
        b += w * v.iBias[j];
      }
      this.itemB[r] = b;
    }
    const { train, holdout } = this.split;
    const uF = this.uFeat;
    const P = this.u;
    const S = this.scores;
    let total = 0;
    for (let x = 0; x < this.users.length; x++) {
      const user = this.users[x];
      P.fill(0);
      for (let p = uF.indptr[user]; p < uF.indptr[user + 1]; p++) {
        const e = uF.indices[p] * fp;
        const w = uF.data[p];
        for (let c = 0; c < f; c++) P[c] += w * v.uEmb[e + c];
      }
      for (let i = 0, o = 0; i < S.length; i++, o += f) {
        let s = 0;
        for (let c = 0; c < f; c++) s += P[c] * Q[o + c];
        S[i] = s + this.itemB[i];
      }
      for (let q = train.indptr[user]; q < train.indptr[user + 1]; q++) S[train.indices[q]] = -Infinity;
      const top = topK(S, this.k).items;
      const h0 = holdout.indptr[user];
      const h1 = holdout.indptr[user + 1];
      let dcg = 0;
      for (let r = 0; r < top.length; r++) {
        const it = top[r];
        for (let q = h0; q < h1; q++) {
          if (holdout.indices[q] === it) {
            dcg += 1 / Math.log2(r + 2);
            break;
          }
        }
      }
      let idcg = 0;
      for (let r = 0; r < Math.min(this.k, h1 - h0); r++) idcg += 1 / Math.log2(r + 2);
      total += idcg > 0 ? dcg / idcg : 0;
    }
    return this.users.length > 0 ? total / this.users.length : 0;
  }
}

/** Early-stopping settings (see the `validation`, `patience`, `validationRefit` params). */
export interface EarlyStop {
  /** Fraction of each user's positive rows held out inside fit (0 = off). */
  validation: number;
  /** Epochs without a better holdout NDCG@10 before stopping. */
  patience: number;
  /** true: refit on all rows for the best epoch count; false: keep the best epoch's snapshot of the inner run. */
  refit: boolean;
  /** Most holdout users scored after each epoch (a seeded sample). */
  maxUsers: number;
}

/** What early-stopped training reports besides the embeddings. */
export interface EarlyStopReport {
  /** Best epoch count (1-based) on the inner holdout. */
  bestEpochs: number;
  /** Holdout NDCG@10 after each epoch of the inner run. */
  curve: number[];
}

/**
 * Trains on an inner split (`es.validation` of each user's positives held out), scores the holdout after
 * each epoch (NDCG@10), stops after `es.patience` epochs without improvement (at most `inp.epochs`),
 * and keeps a copy of the best epoch's arrays. With `es.refit` it then trains afresh on all rows for the
 * best epoch count (same seed) and returns that; otherwise the best snapshot of the inner run.
 */
export async function trainEarlyStopped(inp: TrainInput, opts: FitOptions, es: EarlyStop): Promise<Trained & EarlyStopReport> {
  const split = innerSplit(inp.seen, es.validation, inp.seed);
  const users = HoldoutScorer.sampleUsers(split, es.maxUsers, inp.seed);
  const scorer = new HoldoutScorer(split, users, inp.userFeatures, inp.itemFeatures, inp.f);
  const curve: number[] = [];
  let best = -1;
  let bestEpochs = 0;
  let snap: Pick<Trained, 'uEmb' | 'uBias' | 'iEmb' | 'iBias'> | null = null;
  const unpadCopy = (m: Float32Array, f: number, fp: number): Float32Array => {
    const rows = Math.floor(m.length / fp);
    const out = new Float32Array(rows * f);
    for (let r = 0; r < rows; r++) for (let c = 0; c < f; c++) out[r * f + c] = m[r * fp + c];
    return out;
  };
  const inner = await trainHybrid(
    {
      ...inp,
      seen: split.train,
      afterEpoch: (e, v) => {
        const s = scorer.ndcg(v);
        curve.push(s);
        if (s > best) {
          best = s;
          bestEpochs = e + 1;
          if (!es.refit) snap = { uEmb: unpadCopy(v.uEmb, v.f, v.fp), uBias: v.uBias.slice(), iEmb: unpadCopy(v.iEmb, v.f, v.fp), iBias: v.iBias.slice() };
        }
        return e + 1 - bestEpochs >= es.patience;
      },
    },
    opts,
  );
  if (bestEpochs === 0) return { ...inner, bestEpochs: inner.epochs, curve };
  if (!es.refit && snap) return { ...inner, ...(snap as Pick<Trained, 'uEmb' | 'uBias' | 'iEmb' | 'iBias'>), bestEpochs, curve };
  const full = await trainHybrid({ ...inp, epochs: bestEpochs }, opts);
  return { ...full, iterationSeconds: [...inner.iterationSeconds, ...full.iterationSeconds], bestEpochs, curve };
}
