import { readFileSync } from 'node:fs';
import { MAX_LOSS, contains, kthBestItem, rand, type EpochStats, type HybridArrays, type HybridHyper } from './sgd.js';

/**
 * The WebAssembly SIMD path of the hybrid epoch: the same algorithm as `hybridEpoch` (sgd.ts), with
 * the 64-float row operations (representations, scores, AdaGrad/AdaDelta steps) in hybrid.wasm
 * (wasm/hybrid.as) over one shared WebAssembly.Memory that holds the embeddings, their accumulators
 * and per-thread scratch rows. Sampling, biases and control flow stay in TypeScript.
 */
interface RowExports {
  heapBase(): number;
  dot(f: number, x: number, y: number): number;
  axpy(f: number, w: number, x: number, out: number): void;
  sub(f: number, a: number, b: number, out: number): void;
  adagrad(f: number, s: number, grad: number, emb: number, G: number, lr: number, alpha: number): void;
  adadelta(f: number, s: number, grad: number, emb: number, G: number, M: number, rho: number, eps: number, alpha: number): void;
  scoreRow(f: number, E: number, idx: number, val: number, bias: number, start: number, end: number, user: number): number;
  representRow(f: number, E: number, idx: number, val: number, bias: number, start: number, end: number, out: number): number;
  adagradRows(f: number, s: number, grad: number, E: number, G: number, idx: number, val: number, start: number, end: number, lr: number, alpha: number): void;
}

export interface RowKernels {
  readonly ex: RowExports;
  readonly memory: WebAssembly.Memory;
}

let moduleCache: WebAssembly.Module | null | undefined;

/** The compiled hybrid.wasm, or null when this runtime lacks SIMD / shared memory (or AFFINITY_KERNELS=ts). */
export function hybridWasmModule(): WebAssembly.Module | null {
  if (moduleCache !== undefined) return moduleCache;
  moduleCache = null;
  if (process.env.AFFINITY_KERNELS === 'ts' || typeof SharedArrayBuffer === 'undefined') return null;
  try {
    const bytes = readFileSync(new URL('./wasm/hybrid.wasm', import.meta.url));
    if (WebAssembly.validate(bytes)) moduleCache = new WebAssembly.Module(bytes);
  } catch {
    moduleCache = null;
  }
  return moduleCache;
}

export function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): RowKernels {
  const inst = new WebAssembly.Instance(module, { env: { memory } });
  return { ex: inst.exports as unknown as RowExports, memory };
}

/** A bump layout of f32 arrays inside a fresh shared memory; `views` are created after the one grow. */
export class WasmLayout {
  readonly memory: WebAssembly.Memory;
  private top: number;
  private readonly plan: Array<{ off: number; n: number }> = [];

  constructor(module: WebAssembly.Module) {
    this.memory = new WebAssembly.Memory({ initial: 1, maximum: 32768, shared: true });
    this.top = Math.ceil(instantiate(module, this.memory).ex.heapBase() / 16) * 16;
  }

  /** Reserves n floats; returns the index of the reservation. */
  reserve(n: number): number {
    this.plan.push({ off: this.top, n });
    this.top += Math.ceil((n * 4) / 16) * 16 + 16;
    return this.plan.length - 1;
  }

  /** Grows the memory once and returns a view per reservation. */
  views(): Float32Array[] {
    const need = Math.ceil(this.top / 65536) - this.memory.buffer.byteLength / 65536;
    if (need > 0) this.memory.grow(need);
    return this.plan.map((p) => new Float32Array(this.memory.buffer, p.off, p.n));
  }
}

/** Number of f32 in a thread's scratch: user, pos, neg and grad rows. */
export function scratchFloats(fp: number): number {
  return 4 * fp;
}


/**
 * As hybridEpoch over order[start, end): `a`'s embeddings and accumulators must be views into
 * `k.memory` (rows of a.f floats, a.f a multiple of 4), `scratch` this thread's 4·f floats there.
 * `state` is the seeded xoshiro128** state (see seedState in sgd.ts).
 */
export function wasmEpoch(a: HybridArrays, h: HybridHyper, k: RowKernels, scratch: Float32Array, start: number, end: number, st: Int32Array): EpochStats {
  const ex = k.ex;
  const f = a.f;
  const rb = f * 4;
  const U = scratch.byteOffset;
  const P = U + rb;
  const N = P + rb;
  const Gr = N + rb;
  const uE = a.uEmb.byteOffset;
  const iE = a.iEmb.byteOffset;
  const uG = a.uEmbG.byteOffset;
  const iG = a.iEmbG.byteOffset;
  const uM = a.uEmbM.byteOffset;
  const iM = a.iEmbM.byteOffset;
  const { uPtr, uIdx, uVal, iPtr, iIdx, iVal, uBias, iBias, posPtr, posIdx, rowUser } = a;
  const cand = a.candidates;
  const nC = cand.length;
  const rankScale = Math.max(1, nC - 1);
  const lr = h.learningRate;
  const ada = h.adadelta;
  const kos = h.loss === 'warp-kos';
  const warp = h.loss === 'warp' || kos;
  const logistic = h.loss === 'logistic';

  // the feature CSRs' indices/values and the biases live in the WASM memory too (byte addresses)
  const uIdxA = uIdx.byteOffset;
  const uValA = uVal.byteOffset;
  const iIdxA = iIdx.byteOffset;
  const iValA = iVal.byteOffset;
  const uBiasA = uBias.byteOffset;
  const iBiasA = iBias.byteOffset;
  // representation of a user / item into the scratch row at byte address `out`; returns its bias
  const repU = (row: number, out: number): number => ex.representRow(f, uE, uIdxA, uValA, uBiasA, uPtr[row], uPtr[row + 1], out);
  const repI = (row: number, out: number): number => ex.representRow(f, iE, iIdxA, iValA, iBiasA, iPtr[row], iPtr[row + 1], out);
  const scoreItem = (row: number, user: number): number => ex.scoreRow(f, iE, iIdxA, iValA, iBiasA, iPtr[row], iPtr[row + 1], user);
  const step = (ptr: Int32Array, idx: Int32Array, val: Float32Array, E: number, G: number, M: number, bias: Float32Array, BG: Float32Array, BM: Float32Array, row: number, grad: number, scale: number, gb: number, alpha: number): void => {
    if (!ada) ex.adagradRows(f, scale, grad, E, G, idx.byteOffset, val.byteOffset, ptr[row], ptr[row + 1], lr, alpha);
    for (let p = ptr[row]; p < ptr[row + 1]; p++) {
      const j = idx[p];
      const w = val[p];
      const off = j * rb;
      if (ada) ex.adadelta(f, w * scale, grad, E + off, G + off, M + off, h.rho, h.epsilon, alpha);
      if (gb !== gb) continue;
      const g = w * gb;
      let rate: number;
      if (ada) {
        const gs = h.rho * BG[j] + (1 - h.rho) * g * g;
        BG[j] = gs;
        rate = Math.sqrt(BM[j] + h.epsilon) / Math.sqrt(gs + h.epsilon);
        const u = rate * g;
        BM[j] = h.rho * BM[j] + (1 - h.rho) * u * u;
        bias[j] = (bias[j] - u) * (1 - alpha * rate);
      } else {
        rate = lr / Math.sqrt(BG[j]);
        BG[j] += g * g;
        bias[j] = (bias[j] - rate * g) * (1 - alpha * rate);
      }
    }
  };
  const stepItem = (row: number, grad: number, scale: number, gb: number): void =>
    step(iPtr, iIdx, iVal, iE, iG, iM, iBias, a.iBiasG, a.iBiasM, row, grad, scale, gb, h.itemAlpha);
  const stepUser = (row: number, grad: number, scale: number, gb: number): void =>
    step(uPtr, uIdx, uVal, uE, uG, uM, uBias, a.uBiasG, a.uBiasM, row, grad, scale, gb, h.userAlpha);
  const logisticUpdate = (u: number, i: number, y: number): number => {
    const ub = repU(u, U);
    const ib = repI(i, P);
    const x = ex.dot(f, U, P) + ub + ib;
    const pr = 1 / (1 + Math.exp(-x));
    const d = pr - y;
    stepItem(i, U, d, d);
    stepUser(u, P, d, d);
    const q = y > 0 ? pr : 1 - pr;
    return -Math.log(q > 1e-12 ? q : 1e-12);
  };

  let loss = 0;
  let count = 0;
  let correct = 0;
  const sc = new Float64Array(Math.max(1, h.n));
  const it = new Int32Array(Math.max(1, h.n));
  for (let t = start; t < end; t++) {
    let u: number;
    let i: number;
    let ub: number;
    if (kos) {
      u = a.order[t];
      const lo = posPtr[u];
      const len = posPtr[u + 1] - lo;
      if (len === 0) continue;
      ub = repU(u, U);
      const draws = Math.min(h.n, len);
      const kth = Math.min(h.k, draws);
      for (let d = 0; d < draws; d++) {
        const item = posIdx[lo + ((rand(st) * len) | 0)];
        sc[d] = scoreItem(item, U);
        it[d] = item;
      }
      i = kthBestItem(sc, it, draws, kth);
    } else {
      const e = a.order[t];
      u = rowUser[e];
      i = posIdx[e];
      ub = logistic ? 0 : repU(u, U);
    }
    count++;
    const lo = posPtr[u];
    const hi = posPtr[u + 1];
    if (logistic) {
      loss += logisticUpdate(u, i, 1);
      for (let tries = 0; tries < 32; tries++) {
        const j = cand[(rand(st) * nC) | 0];
        if (contains(posIdx, lo, hi, j)) continue;
        loss += logisticUpdate(u, j, 0);
        break;
      }
      continue;
    }
    const pb = repI(i, P);
    const xp = ex.dot(f, U, P) + ub + pb;
    let j = -1;
    let weight = 0;
    if (warp) {
      let trials = 0;
      let violated = false;
      while (trials < h.maxSampled) {
        trials++;
        const c = cand[(rand(st) * nC) | 0];
        const xn = scoreItem(c, U) + ub;
        if (xn > xp - 1) {
          if (contains(posIdx, lo, hi, c)) continue;
          let l = Math.log(Math.max(1, Math.floor(rankScale / trials)));
          if (l > MAX_LOSS) l = MAX_LOSS;
          loss += l;
          violated = true;
          if (l > 0) {
            j = c;
            weight = l;
          }
          break;
        }
      }
      if (!violated) correct++;
    } else {
      for (let tries = 0; tries < 32 && j < 0; tries++) {
        const c = cand[(rand(st) * nC) | 0];
        if (!contains(posIdx, lo, hi, c)) j = c;
      }
      if (j < 0) continue;
      const x = xp - (scoreItem(j, U) + ub);
      if (x > 0) correct++;
      weight = 1 / (1 + Math.exp(x));
      loss += x > -30 ? Math.log1p(Math.exp(-x)) : -x;
    }
    if (j < 0) continue;
    // pair update (LightFM's warp_update): items along ∓weight·p_u, the user along weight·(q_j - q_i)
    repI(j, N);
    ex.sub(f, N, P, Gr);
    stepItem(i, U, -weight, -weight);
    stepItem(j, U, weight, weight);
    stepUser(u, Gr, weight, NaN);
  }
  if (logistic && a.negUser.length > 0) {
    const total = a.order.length;
    const nN = a.negUser.length;
    const from = Math.floor((start / total) * nN);
    const to = Math.floor((end / total) * nN);
    for (let r = from; r < to; r++) {
      loss += logisticUpdate(a.negUser[r], a.negItem[r], 0);
      count++;
    }
  }
  return { loss, count, correct };
}
