import { availableParallelism } from 'node:os';
import type { Csr } from '../../core/csr.js';
import { AffinityError, throwIfAborted } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { FitOptions } from '../recommender.js';
import type { EmbeddingView } from './early-stop.js';
import { HybridPool } from './pool.js';
import { epochSeed, hybridEpoch, seedState, type EpochStats, type HybridArrays, type HybridHyper } from './sgd.js';
import { hybridWasmModule, instantiate, scratchFloats, WasmLayout, wasmEpoch } from './sgd-wasm.js';

/** What training produces: feature embeddings and biases (own, non-shared copies). */
export interface Trained {
  uEmb: Float32Array;
  uBias: Float32Array;
  iEmb: Float32Array;
  iBias: Float32Array;
  iterationSeconds: number[];
  loss: number;
  /** Epochs run (fewer than asked when afterEpoch stopped training). */
  epochs: number;
}

export interface TrainInput {
  seen: Csr;
  userFeatures: Csr;
  itemFeatures: Csr;
  f: number;
  epochs: number;
  seed: number;
  threads: number;
  hyper: HybridHyper;
  name: string;
  /** false: the TypeScript epoch even where hybrid.wasm runs (tests compare the two). */
  wasm?: boolean;
  /** Called after each epoch (0-based) with the live padded arrays (read-only use); true stops training. */
  afterEpoch?: (epoch: number, view: EmbeddingView) => boolean;
}

function f32(n: number, shared: boolean, fill = 0): Float32Array {
  const a = shared ? new Float32Array(new SharedArrayBuffer(n * 4)) : new Float32Array(n);
  if (fill !== 0) a.fill(fill);
  return a;
}
function copy<T extends Int32Array | Float32Array>(a: T, shared: boolean): T {
  if (!shared) return a;
  const out = new (a.constructor as { new (b: SharedArrayBuffer): T })(new SharedArrayBuffer(Math.max(4, a.byteLength)));
  out.set(a as never);
  return (a.length === out.length ? out : out.subarray(0, a.length)) as T;
}

/** Resolves the thread count (0 = all cores). */
export function resolveThreads(requested: number): number {
  if (!(Number.isInteger(requested) && requested >= 0)) throw new AffinityError('E_PARAM', `threads: got ${requested}; expected an integer >= 0 (0 = all cores)`, { field: 'threads' });
  return requested === 0 ? Math.max(1, availableParallelism()) : requested;
}

/**
 * Trains the feature embeddings: `epochs` passes over the positives (training rows with value > 0)
 * in a fresh seeded order each epoch (warp-kos: over the users with positives), on this thread
 * (threads = 1, deterministic) or Hogwild over worker_threads sharing the arrays.
 */
export async function trainHybrid(inp: TrainInput, opts: FitOptions): Promise<Trained> {
  const { seen, f, hyper } = inp;
  const nU = seen.nRows;
  const nI = seen.nCols;
  const threads = inp.threads;
  const shared = threads > 1;
  // positives and explicit negatives
  let nPos = 0;
  for (let q = 0; q < seen.data.length; q++) if (seen.data[q] > 0) nPos++;
  if (nPos === 0) throw new AffinityError('E_EMPTY', `${inp.name}: the training data has no positive interactions (value > 0)`);
  const posPtr = new Int32Array(nU + 1);
  const posIdx = new Int32Array(nPos);
  const rowUser = new Int32Array(nPos);
  const negU: number[] = [];
  const negI: number[] = [];
  const hasRows = new Uint8Array(nI);
  let o = 0;
  for (let u = 0; u < nU; u++) {
    for (let q = seen.indptr[u]; q < seen.indptr[u + 1]; q++) {
      const i = seen.indices[q];
      hasRows[i] = 1;
      if (seen.data[q] > 0) {
        posIdx[o] = i;
        rowUser[o++] = u;
      } else {
        negU.push(u);
        negI.push(i);
      }
    }
    posPtr[u + 1] = o;
  }
  const cand: number[] = [];
  for (let i = 0; i < nI; i++) if (hasRows[i]) cand.push(i);
  const warmUsers: number[] = [];
  for (let u = 0; u < nU; u++) if (posPtr[u + 1] > posPtr[u]) warmUsers.push(u);

  const kos = hyper.loss === 'warp-kos';
  const orderLen = kos ? warmUsers.length : nPos;
  const rng = new Rng(inp.seed);
  const nUF = inp.userFeatures.nCols;
  const nIF = inp.itemFeatures.nCols;
  const ada = hyper.adadelta;
  const accInit = ada ? 0 : 1;
  // rows are padded to a multiple of 4 floats (the SIMD width); the padding stays 0
  const fp = Math.ceil(f / 4) * 4;
  const module = inp.wasm === false ? null : hybridWasmModule();
  let dense: Float32Array[] | null = null;
  let layout: WasmLayout | null = null;
  let csrIn: { uIdx: Int32Array; uVal: Float32Array; iIdx: Int32Array; iVal: Float32Array; uBias: Float32Array; iBias: Float32Array } | null = null;
  if (module) {
    // in the WASM memory: embeddings, accumulators, scratch rows, the feature CSRs' indices/values, biases
    layout = new WasmLayout(module);
    for (const n of [nUF * fp, nIF * fp, nUF * fp, nIF * fp, ada ? nUF * fp : 0, ada ? nIF * fp : 0]) layout.reserve(n);
    for (let w = 0; w < threads; w++) layout.reserve(scratchFloats(fp));
    const uf = inp.userFeatures;
    const itf = inp.itemFeatures;
    for (const n of [uf.indices.length, uf.data.length, itf.indices.length, itf.data.length, nUF, nIF]) layout.reserve(n);
    dense = layout.views();
    dense[2].fill(accInit);
    dense[3].fill(accInit);
    const c = 6 + threads;
    const i32 = (v: Float32Array): Int32Array => new Int32Array(v.buffer, v.byteOffset, v.length);
    csrIn = { uIdx: i32(dense[c]), uVal: dense[c + 1], iIdx: i32(dense[c + 2]), iVal: dense[c + 3], uBias: dense[c + 4], iBias: dense[c + 5] };
    csrIn.uIdx.set(uf.indices);
    csrIn.uVal.set(uf.data);
    csrIn.iIdx.set(itf.indices);
    csrIn.iVal.set(itf.data);
  }
  const a: HybridArrays = {
    uPtr: copy(inp.userFeatures.indptr, shared),
    uIdx: csrIn ? csrIn.uIdx : copy(inp.userFeatures.indices, shared),
    uVal: csrIn ? csrIn.uVal : copy(inp.userFeatures.data, shared),
    iPtr: copy(inp.itemFeatures.indptr, shared),
    iIdx: csrIn ? csrIn.iIdx : copy(inp.itemFeatures.indices, shared),
    iVal: csrIn ? csrIn.iVal : copy(inp.itemFeatures.data, shared),
    uEmb: dense ? dense[0] : f32(nUF * fp, shared),
    uBias: csrIn ? csrIn.uBias : f32(nUF, shared),
    iEmb: dense ? dense[1] : f32(nIF * fp, shared),
    iBias: csrIn ? csrIn.iBias : f32(nIF, shared),
    uEmbG: dense ? dense[2] : f32(nUF * fp, shared, accInit),
    uBiasG: f32(nUF, shared, accInit),
    iEmbG: dense ? dense[3] : f32(nIF * fp, shared, accInit),
    iBiasG: f32(nIF, shared, accInit),
    uEmbM: dense ? dense[4] : f32(ada ? nUF * fp : 0, shared),
    uBiasM: f32(ada ? nUF : 0, shared),
    iEmbM: dense ? dense[5] : f32(ada ? nIF * fp : 0, shared),
    iBiasM: f32(ada ? nIF : 0, shared),
    posPtr: copy(posPtr, shared),
    posIdx: copy(posIdx, shared),
    rowUser: copy(rowUser, shared),
    negUser: copy(Int32Array.from(negU), shared),
    negItem: copy(Int32Array.from(negI), shared),
    order: shared ? new Int32Array(new SharedArrayBuffer(Math.max(4, orderLen * 4))).subarray(0, orderLen) : new Int32Array(orderLen),
    candidates: copy(Int32Array.from(cand), shared),
    f: fp,
  };
  // LightFM's initialisation: uniform in [-0.5, 0.5) / components, biases 0
  for (let r = 0; r < nIF; r++) for (let c = 0; c < f; c++) a.iEmb[r * fp + c] = (rng.next() - 0.5) / f;
  for (let r = 0; r < nUF; r++) for (let c = 0; c < f; c++) a.uEmb[r * fp + c] = (rng.next() - 0.5) / f;

  const wasm = module && layout && dense ? { module, memory: layout.memory, scratch: dense.slice(6, 6 + threads) } : null;
  const kernels = wasm ? instantiate(wasm.module, wasm.memory) : null;
  const pool = threads > 1 ? new HybridPool(threads, { arrays: a, hyper, wasm }) : null;
  const iterationSeconds: number[] = [];
  let loss = 0;
  let ran = 0;
  try {
    for (let e = 0; e < inp.epochs; e++) {
      throwIfAborted(opts.signal);
      const t0 = performance.now();
      // the epoch's order: a seeded shuffle of positives (or users)
      const ord = a.order;
      if (kos) for (let k = 0; k < orderLen; k++) ord[k] = warmUsers[k];
      else for (let k = 0; k < orderLen; k++) ord[k] = k;
      new Rng(epochSeed(inp.seed, e, 0xffff)).shuffle(ord);
      let r: EpochStats;
      if (pool) {
        const share = Math.ceil(orderLen / threads);
        const ranges = Array.from({ length: threads }, (_, w): [number, number] => [Math.min(orderLen, w * share), Math.min(orderLen, (w + 1) * share)]);
        const seeds = Array.from({ length: threads }, (_, w) => epochSeed(inp.seed, e, w));
        r = await pool.epoch(ranges, seeds);
      } else {
        const seed = epochSeed(inp.seed, e, 0);
        r = kernels && wasm ? wasmEpoch(a, hyper, kernels, wasm.scratch[0], 0, orderLen, seedState(seed)) : hybridEpoch(a, hyper, 0, orderLen, seed);
      }
      iterationSeconds.push((performance.now() - t0) / 1000);
      loss = r.loss / Math.max(1, r.count);
      opts.onProgress?.({ phase: 'epoch', done: e + 1, total: inp.epochs, loss, metrics: { accuracy: r.correct / Math.max(1, r.count) } });
      ran = e + 1;
      if (inp.afterEpoch?.(e, { uEmb: a.uEmb, uBias: a.uBias, iEmb: a.iEmb, iBias: a.iBias, f, fp })) break;
    }
    throwIfAborted(opts.signal);
  } finally {
    await pool?.close();
  }
  const own = (x: Float32Array): Float32Array => (shared || module ? x.slice() : x);
  return { uEmb: unpad(a.uEmb, nUF, f, fp), uBias: own(a.uBias), iEmb: unpad(a.iEmb, nIF, f, fp), iBias: own(a.iBias), iterationSeconds, loss, epochs: ran };
}

/** rows x f copy of a rows x fp matrix (always a fresh, non-shared array). */
function unpad(m: Float32Array, rows: number, f: number, fp: number): Float32Array {
  if (f === fp) return m.slice();
  const out = new Float32Array(rows * f);
  for (let r = 0; r < rows; r++) for (let c = 0; c < f; c++) out[r * f + c] = m[r * fp + c];
  return out;
}
