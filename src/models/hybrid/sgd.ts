import { Rng } from '../../core/rng.js';

/**
 * Training arrays of the hybrid model, shared by the main thread and the Hogwild workers (all may
 * live on SharedArrayBuffers). Entities are sums of their features: a user's representation is
 * Σ_k w_uk·E_k (f components) plus the bias Σ_k w_uk·b_k, over the non-zeros of their row of the
 * user feature matrix; items alike. The prediction is p_u·q_i + b_u + b_i.
 */
export interface HybridArrays {
  /** users x user-features (CSR). */
  uPtr: Int32Array;
  uIdx: Int32Array;
  uVal: Float32Array;
  /** items x item-features (CSR). */
  iPtr: Int32Array;
  iIdx: Int32Array;
  iVal: Float32Array;
  /** Feature embeddings (features x f) and biases. */
  uEmb: Float32Array;
  uBias: Float32Array;
  iEmb: Float32Array;
  iBias: Float32Array;
  /** AdaGrad: sums of squared gradients (start at 1). AdaDelta: running mean of squared gradients. */
  uEmbG: Float32Array;
  uBiasG: Float32Array;
  iEmbG: Float32Array;
  iBiasG: Float32Array;
  /** AdaDelta only: running mean of squared updates (length 0 under AdaGrad). */
  uEmbM: Float32Array;
  uBiasM: Float32Array;
  iEmbM: Float32Array;
  iBiasM: Float32Array;
  /** Positives: users x items CSR (indices ascending per row) and the user of each entry. */
  posPtr: Int32Array;
  posIdx: Int32Array;
  rowUser: Int32Array;
  /** Explicit negatives (rows with value <= 0) for the logistic loss: user and item per row. */
  negUser: Int32Array;
  negItem: Int32Array;
  /** The epoch's visiting order: positive entries (warp, bpr, logistic) or users (warp-kos). */
  order: Int32Array;
  /** Items negatives are drawn from (items with training rows). */
  candidates: Int32Array;
  f: number;
}

export const LOSSES = ['warp', 'bpr', 'logistic', 'warp-kos'] as const;
export type LossName = (typeof LOSSES)[number];

export interface HybridHyper {
  loss: LossName;
  learningRate: number;
  adadelta: boolean;
  rho: number;
  epsilon: number;
  itemAlpha: number;
  userAlpha: number;
  maxSampled: number;
  /** k-OS WARP: the k-th best of n sampled positives is trained. */
  k: number;
  n: number;
}

export interface EpochStats {
  /** Sum of the losses of the processed samples (WARP: the rank weight log⌊(N-1)/trials⌋ or 0). */
  loss: number;
  /** Samples processed. */
  count: number;
  /** Samples whose positive already beat the first sampled negative by the margin (WARP) / by 0 (others). */
  correct: number;
}

/** Largest loss of one WARP step (LightFM's MAX_LOSS). */
export const MAX_LOSS = 10;

/** representation of `row` of a feature CSR into out[0..f) with the bias at out[f]. */
function represent(ptr: Int32Array, idx: Int32Array, val: Float32Array, emb: Float32Array, bias: Float32Array, row: number, f: number, out: Float64Array): void {
  for (let c = 0; c <= f; c++) out[c] = 0;
  for (let p = ptr[row]; p < ptr[row + 1]; p++) {
    const j = idx[p];
    const w = val[p];
    const o = j * f;
    for (let c = 0; c < f; c++) out[c] += w * emb[o + c];
    out[f] += w * bias[j];
  }
}

function dot(a: Float64Array, b: Float64Array, f: number): number {
  let s0 = 0;
  let s1 = 0;
  let c = 0;
  for (; c + 1 < f; c += 2) {
    s0 += a[c] * b[c];
    s1 += a[c + 1] * b[c + 1];
  }
  if (c < f) s0 += a[c] * b[c];
  return s0 + s1 + a[f] + b[f];
}

/**
 * Gradient step on the features of `row`: each feature j of weight w moves by the per-parameter
 * rate along -w·grad[c] (AdaGrad: lr/√G with G += (w·g)²; AdaDelta: √(M+ε)/√(G+ε)), then decays
 * by (1 - alpha·rate) (L2). `gb` is the bias gradient (NaN: bias left alone).
 */
function step(
  ptr: Int32Array,
  idx: Int32Array,
  val: Float32Array,
  emb: Float32Array,
  G: Float32Array,
  M: Float32Array,
  bias: Float32Array,
  BG: Float32Array,
  BM: Float32Array,
  row: number,
  f: number,
  grad: Float64Array,
  scale: number,
  gb: number,
  h: HybridHyper,
  alpha: number,
): void {
  const lr = h.learningRate;
  const rho = h.rho;
  const eps = h.epsilon;
  for (let p = ptr[row]; p < ptr[row + 1]; p++) {
    const j = idx[p];
    const w = val[p];
    const ws = w * scale;
    const o = j * f;
    if (h.adadelta) {
      for (let c = 0; c < f; c++) {
        const g = ws * grad[c];
        const gs = rho * G[o + c] + (1 - rho) * g * g;
        G[o + c] = gs;
        const rate = Math.sqrt(M[o + c] + eps) / Math.sqrt(gs + eps);
        const u = rate * g;
        M[o + c] = rho * M[o + c] + (1 - rho) * u * u;
        emb[o + c] = (emb[o + c] - u) * (1 - alpha * rate);
      }
    } else if (alpha === 0) {
      for (let c = 0; c < f; c++) {
        const g = ws * grad[c];
        const acc = G[o + c];
        emb[o + c] -= (lr * g) / Math.sqrt(acc);
        G[o + c] = acc + g * g;
      }
    } else {
      for (let c = 0; c < f; c++) {
        const g = ws * grad[c];
        const acc = G[o + c];
        const rate = lr / Math.sqrt(acc);
        G[o + c] = acc + g * g;
        emb[o + c] = (emb[o + c] - rate * g) * (1 - alpha * rate);
      }
    }
    if (gb === gb) {
      const g = w * gb;
      let rate: number;
      if (h.adadelta) {
        const gs = rho * BG[j] + (1 - rho) * g * g;
        BG[j] = gs;
        rate = Math.sqrt(BM[j] + eps) / Math.sqrt(gs + eps);
        const u = rate * g;
        BM[j] = rho * BM[j] + (1 - rho) * u * u;
        bias[j] = (bias[j] - u) * (1 - alpha * rate);
      } else {
        rate = lr / Math.sqrt(BG[j]);
        BG[j] += g * g;
        bias[j] = (bias[j] - rate * g) * (1 - alpha * rate);
      }
    }
  }
}

/** score of `row` of the item feature CSR against the representation `user` (with bias at user[f]), without materialising the item. */
function scoreRow(ptr: Int32Array, idx: Int32Array, val: Float32Array, emb: Float32Array, bias: Float32Array, row: number, f: number, user: Float64Array): number {
  let total = user[f];
  for (let p = ptr[row]; p < ptr[row + 1]; p++) {
    const j = idx[p];
    const o = j * f;
    let s0 = bias[j];
    let s1 = 0;
    let c = 0;
    for (; c + 1 < f; c += 2) {
      s0 += emb[o + c] * user[c];
      s1 += emb[o + c + 1] * user[c + 1];
    }
    if (c < f) s0 += emb[o + c] * user[c];
    total += val[p] * (s0 + s1);
  }
  return total;
}

/**
 * k-OS WARP's positive: the item with the kth highest score among `draws` sampled positives
 * (partial selection sort of sc/it in place; ties keep draw order).
 */
export function kthBestItem(sc: Float64Array | Float32Array, it: Int32Array, draws: number, kth: number): number {
  for (let x = 0; x < kth; x++) {
    let m = x;
    for (let y = x + 1; y < draws; y++) if (sc[y] > sc[m]) m = y;
    const ts = sc[x]; sc[x] = sc[m]; sc[m] = ts;
    const ti = it[x]; it[x] = it[m]; it[m] = ti;
  }
  return it[kth - 1];
}

/** Is `item` in the sorted slice idx[lo, hi)? */
export function contains(idx: Int32Array, lo: number, hi: number, item: number): boolean {
  hi--;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = idx[mid];
    if (v === item) return true;
    if (v < item) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** xoshiro128** on an Int32Array state (as core/rng.ts), uniform in [0, 1). */
export function rand(s: Int32Array): number {
  const m5 = Math.imul(s[1], 5);
  const r = (Math.imul((m5 << 7) | (m5 >>> 25), 9) >>> 0) / 4294967296;
  const t9 = s[1] << 9;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t9;
  s[3] = (s[3] << 11) | (s[3] >>> 21);
  return r;
}

/** xoshiro128** state seeded through core/rng.ts. */
export function seedState(seed: number): Int32Array {
  const r = new Rng(seed >>> 0);
  const s = new Int32Array(4);
  for (let k = 0; k < 4; k++) s[k] = r.nextU32() | 0;
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  return s;
}

/** Scratch vectors of one epoch call. */
interface Scratch {
  user: Float64Array;
  pos: Float64Array;
  neg: Float64Array;
  grad: Float64Array;
  best: Float64Array;
}

/**
 * One WARP/BPR pair update with weight `loss` (LightFM's warp_update): items move along ∓loss·p_u,
 * the user along loss·(q_j - q_i); item biases ∓loss; the user bias is not updated (it cancels).
 */
function pairUpdate(a: HybridArrays, h: HybridHyper, s: Scratch, u: number, i: number, j: number, loss: number): void {
  const f = a.f;
  const g = s.grad;
  for (let c = 0; c < f; c++) g[c] = s.user[c];
  step(a.iPtr, a.iIdx, a.iVal, a.iEmb, a.iEmbG, a.iEmbM, a.iBias, a.iBiasG, a.iBiasM, i, f, g, -loss, -loss, h, h.itemAlpha);
  step(a.iPtr, a.iIdx, a.iVal, a.iEmb, a.iEmbG, a.iEmbM, a.iBias, a.iBiasG, a.iBiasM, j, f, g, loss, loss, h, h.itemAlpha);
  for (let c = 0; c < f; c++) g[c] = s.neg[c] - s.pos[c];
  step(a.uPtr, a.uIdx, a.uVal, a.uEmb, a.uEmbG, a.uEmbM, a.uBias, a.uBiasG, a.uBiasM, u, f, g, loss, NaN, h, h.userAlpha);
}

/** Logistic update of (u, i) toward label y: gradient of the log loss is σ(x) - y on both sides. */
function logisticUpdate(a: HybridArrays, h: HybridHyper, s: Scratch, u: number, i: number, y: number): number {
  const f = a.f;
  represent(a.iPtr, a.iIdx, a.iVal, a.iEmb, a.iBias, i, f, s.pos);
  const x = dot(s.user, s.pos, f);
  const p = 1 / (1 + Math.exp(-x));
  const d = p - y;
  step(a.iPtr, a.iIdx, a.iVal, a.iEmb, a.iEmbG, a.iEmbM, a.iBias, a.iBiasG, a.iBiasM, i, f, s.user, d, d, h, h.itemAlpha);
  step(a.uPtr, a.uIdx, a.uVal, a.uEmb, a.uEmbG, a.uEmbM, a.uBias, a.uBiasG, a.uBiasM, u, f, s.pos, d, d, h, h.userAlpha);
  const q = y > 0 ? p : 1 - p;
  return -Math.log(q > 1e-12 ? q : 1e-12);
}

/**
 * Processes order[start, end) with the configured loss (one epoch's share). `seed` drives the
 * negative sampling; with one thread the result is a pure function of the inputs.
 */
export function hybridEpoch(a: HybridArrays, h: HybridHyper, start: number, end: number, seed: number): EpochStats {
  const f = a.f;
  const st = seedState(seed);
  const s: Scratch = { user: new Float64Array(f + 1), pos: new Float64Array(f + 1), neg: new Float64Array(f + 1), grad: new Float64Array(f), best: new Float64Array(f + 1) };
  const cand = a.candidates;
  const nC = cand.length;
  const { posPtr, posIdx, rowUser } = a;
  const rankScale = Math.max(1, nC - 1);
  let loss = 0;
  let count = 0;
  let correct = 0;
  const kos = h.loss === 'warp-kos';
  const warp = h.loss === 'warp' || kos;
  for (let t = start; t < end; t++) {
    let u: number;
    let i: number;
    if (kos) {
      // k-OS: draw n positives of the user, train the k-th best against sampled negatives
      u = a.order[t];
      const lo = posPtr[u];
      const len = posPtr[u + 1] - lo;
      if (len === 0) continue;
      represent(a.uPtr, a.uIdx, a.uVal, a.uEmb, a.uBias, u, f, s.user);
      const draws = Math.min(h.n, len);
      const kth = Math.min(h.k, draws);
      // scores of the draws, selection of the kth highest by partial sort
      const sc = new Float64Array(draws);
      const it = new Int32Array(draws);
      for (let d = 0; d < draws; d++) {
        const item = posIdx[lo + ((rand(st) * len) | 0)];
        represent(a.iPtr, a.iIdx, a.iVal, a.iEmb, a.iBias, item, f, s.pos);
        sc[d] = dot(s.user, s.pos, f);
        it[d] = item;
      }
      i = kthBestItem(sc, it, draws, kth);
    } else {
      const e = a.order[t];
      u = rowUser[e];
      i = posIdx[e];
      represent(a.uPtr, a.uIdx, a.uVal, a.uEmb, a.uBias, u, f, s.user);
    }
    count++;
    const lo = posPtr[u];
    const hi = posPtr[u + 1];
    if (h.loss === 'logistic') {
      loss += logisticUpdate(a, h, s, u, i, 1);
      // one sampled negative per positive (implicit data has no observed zeros)
      for (let tries = 0; tries < 32; tries++) {
        const j = cand[(rand(st) * nC) | 0];
        if (contains(posIdx, lo, hi, j)) continue;
        represent(a.uPtr, a.uIdx, a.uVal, a.uEmb, a.uBias, u, f, s.user);
        loss += logisticUpdate(a, h, s, u, j, 0);
        break;
      }
      continue;
    }
    represent(a.iPtr, a.iIdx, a.iVal, a.iEmb, a.iBias, i, f, s.pos);
    const xp = dot(s.user, s.pos, f);
    if (warp) {
      let trials = 0;
      let first = true;
      while (trials < h.maxSampled) {
        trials++;
        const j = cand[(rand(st) * nC) | 0];
        const xn = scoreRow(a.iPtr, a.iIdx, a.iVal, a.iEmb, a.iBias, j, f, s.user);
        if (xn > xp - 1) {
          if (contains(posIdx, lo, hi, j)) continue;
          represent(a.iPtr, a.iIdx, a.iVal, a.iEmb, a.iBias, j, f, s.neg);
          let l = Math.log(Math.max(1, Math.floor(rankScale / trials)));
          if (l > MAX_LOSS) l = MAX_LOSS;
          loss += l;
          if (l > 0) pairUpdate(a, h, s, u, i, j, l);
          first = false;
          break;
        }
      }
      if (first) correct++;
    } else {
      // BPR: one negative, weight σ(x_j - x_i)
      let j = -1;
      for (let tries = 0; tries < 32 && j < 0; tries++) {
        const c = cand[(rand(st) * nC) | 0];
        if (!contains(posIdx, lo, hi, c)) j = c;
      }
      if (j < 0) continue;
      represent(a.iPtr, a.iIdx, a.iVal, a.iEmb, a.iBias, j, f, s.neg);
      const x = xp - dot(s.user, s.neg, f);
      if (x > 0) correct++;
      const z = 1 / (1 + Math.exp(x));
      loss += x > -30 ? Math.log1p(Math.exp(-x)) : -x;
      pairUpdate(a, h, s, u, i, j, z);
    }
  }
  // logistic: explicit negatives (rows with value <= 0) of this share, spread by position
  if (h.loss === 'logistic' && a.negUser.length > 0) {
    const total = a.order.length;
    const nN = a.negUser.length;
    const from = Math.floor((start / total) * nN);
    const to = Math.floor((end / total) * nN);
    for (let r = from; r < to; r++) {
      represent(a.uPtr, a.uIdx, a.uVal, a.uEmb, a.uBias, a.negUser[r], f, s.user);
      loss += logisticUpdate(a, h, s, a.negUser[r], a.negItem[r], 0);
      count++;
    }
  }
  return { loss, count, correct };
}

/** Seed of worker `w` in epoch `e`. */
export function epochSeed(seed: number, epoch: number, worker: number): number {
  return new Rng(((seed >>> 0) ^ Math.imul(epoch + 1, 0x9e3779b1) ^ Math.imul(worker + 1, 0x85ebca77)) >>> 0).nextU32();
}
