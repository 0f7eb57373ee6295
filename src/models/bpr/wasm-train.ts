/**
 * BPR's SGD on the WASM SIMD kernel `bprSteps` (src/kernels/wasm/bpr.as): the training arrays are
 * copied into the shared WebAssembly memory (the kernels' arena) once, every epoch runs there (one
 * call with 1 thread; lock-free Hogwild chunks of steps over the kernel pool's threads otherwise), and
 * the factors are copied back at the end. The TypeScript reference of the kernel is `bprSteps` in sgd.ts.
 */
import { getKernels, wasmKernels } from '../../kernels/index.js';
import type { WasmKernels } from '../../kernels/wasm/kernels-wasm.js';
import { BATCH, type BprArrays, type EpochResult } from './sgd.js';

type Block = Float32Array | Float64Array | Int32Array;

export class WasmBprTrainer {
  private readonly k: WasmKernels;
  private readonly blocks: Block[] = [];
  private readonly host: BprArrays;
  /** The arena copies the kernel works on. */
  readonly arrays: BprArrays;
  private readonly lr: number;
  private readonly reg: number;
  private readonly threads: number;

  /** A trainer, or null when the WASM kernels (with bprSteps) are not in use here. */
  static create(host: BprArrays, lr: number, reg: number, threads: number): WasmBprTrainer | null {
    if (getKernels().kind !== 'wasm') return null;
    const k = wasmKernels();
    if (!k || !k.hasExport('bprSteps')) return null;
    return new WasmBprTrainer(k, host, lr, reg, threads);
  }

  private constructor(k: WasmKernels, host: BprArrays, lr: number, reg: number, threads: number) {
    this.k = k;
    this.host = host;
    this.lr = lr;
    this.reg = reg;
    this.threads = threads;
    const f32 = (a: Float32Array): Float32Array => this.keep(k.arena.f32(a.length), a);
    const i32 = (a: Int32Array): Int32Array => this.keep(k.arena.i32(a.length), a);
    const f64 = (a: Float64Array): Float64Array => this.keep(k.arena.f64(a.length), a);
    try {
      this.arrays = {
        userFactors: f32(host.userFactors),
        itemFactors: f32(host.itemFactors),
        itemBias: f32(host.itemBias),
        indptr: i32(host.indptr),
        indices: i32(host.indices),
        rowUser: i32(host.rowUser),
        posProb: host.posProb ? f64(host.posProb) : null,
        posAlias: host.posAlias ? i32(host.posAlias) : null,
        negProb: host.negProb ? f64(host.negProb) : null,
        negAlias: host.negAlias ? i32(host.negAlias) : null,
        nItems: host.nItems,
        factors: host.factors,
      };
    } catch (e) {
      this.close();
      throw e;
    }
  }

  private keep<T extends Block>(dst: T, src: T): T {
    (dst as Block).set(src as never);
    this.blocks.push(dst);
    return dst;
  }

  /** `samples` SGD steps seeded by `seed` (threads = 1: exactly the triples of bprEpoch with that seed). */
  async epoch(samples: number, seed: number): Promise<EpochResult> {
    const a = this.arrays;
    const addr = (x: Block | null): number => (x ? x.byteOffset : 0);
    const weightedPos = a.posProb !== null && a.posAlias !== null;
    const weightedNeg = a.negProb !== null && a.negAlias !== null;
    const args = [
      addr(a.userFactors), addr(a.itemFactors), addr(a.itemBias), addr(a.indptr), addr(a.indices), addr(a.rowUser),
      weightedPos ? addr(a.posProb) : 0, weightedPos ? addr(a.posAlias) : 0, weightedNeg ? addr(a.negProb) : 0, weightedNeg ? addr(a.negAlias) : 0,
      a.nItems, a.indices.length, a.factors, this.lr, this.reg, seed | 0,
    ];
    // scratch per thread: 4 x BATCH i32 + one f32
    const r = await this.k.runExport('bprSteps', args, samples, this.threads, 4 * 4 * BATCH + 16);
    const skipped = Math.floor(r / 4294967296);
    return { correct: r - skipped * 4294967296, skipped };
  }

  /** Copies the trained factors and biases back into the host arrays. */
  copyBack(): void {
    this.host.userFactors.set(this.arrays.userFactors);
    this.host.itemFactors.set(this.arrays.itemFactors);
    this.host.itemBias.set(this.arrays.itemBias);
  }

  /** Frees the arena copies. */
  close(): void {
    for (const b of this.blocks) this.k.arena.free(b);
    this.blocks.length = 0;
  }
}
