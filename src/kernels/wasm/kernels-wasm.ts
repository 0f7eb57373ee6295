/**
 * The WebAssembly SIMD kernel set over one shared WebAssembly.Memory. Arrays allocated from `arena`
 * are passed by address; a call given any other array runs the TypeScript reference instead.
 */
import { tsKernels } from '../ts/index.js';
import type { CsrArrays, Kernels, RowJob } from '../types.js';
import { WasmArena } from './arena.js';
import { KernelPool, type RowKernel } from './pool.js';

interface Exports {
  heapBase(): number;
  dot(n: number, x: number, y: number): number;
  axpy(n: number, a: number, x: number, y: number): void;
  scal(n: number, a: number, x: number): void;
  scoreRows(nRows: number, f: number, m: number, v: number, out: number): void;
  scoreBlock(nUsers: number, u: number, nItems: number, y: number, f: number, out: number): void;
  syrk(k: number, f: number, alpha: number, x: number, a: number): void;
  packItems(nItems: number, f: number, y: number, p: number): void;
  scorePacked(nUsers: number, u: number, nItems: number, p: number, f: number, out: number): void;
  selectTop(n: number, scores: number, k: number, items: number, out: number, scratch: number): number;
  gram(k: number, f: number, x: number, g: number): void;
  cholesky64(f: number, a: number): number;
  cholSolve64(f: number, l: number, b: number): void;
  cholesky32(f: number, a: number): number;
  cholSolve32(f: number, l: number, b: number): void;
  csrDense(nRows: number, indptr: number, indices: number, data: number, b: number, f: number, out: number): void;
  foldSgd(n: number, f: number, x: number, y: number, p: number, passes: number, bu: number, lrB: number, regB: number, lrP: number, regP: number): number;
  implicitCg: RowKernel;
  implicitChol: RowKernel;
  explicitRows: RowKernel;
  implicitLoss: RowKernel;
  recommendRows: RowKernel;
}

const KERNEL_OF: Record<RowJob['op'], 'implicitCg' | 'implicitChol' | 'explicitRows' | 'implicitLoss' | 'recommendRows'> = {
  recommend: 'recommendRows',
  cg: 'implicitCg',
  chol: 'implicitChol',
  explicit: 'explicitRows',
  loss: 'implicitLoss',
};

function scratchBytes(job: RowJob): number {
  const f = job.f;
  if (job.op === 'recommend') return Math.ceil((16 * job.nItems * 4 + 8 * job.k) / 64) * 64 + 64;
  // cg: 3 f floats; loss: f floats; chol/explicit: f*f f32 + f*f f64 + f f64 + 4 gathered rows
  const b = job.op === 'cg' || job.op === 'loss' ? 3 * f * 4 : f * f * 4 + f * f * 8 + f * 8 + 16 * f + 16;
  return Math.ceil(b / 64) * 64 + 64;
}

export class WasmKernels implements Kernels {
  readonly kind = 'wasm' as const;
  readonly arena: WasmArena;
  private readonly ex: Exports;
  private readonly module: WebAssembly.Module;
  private readonly memory: WebAssembly.Memory;
  /** The worker pool of rowsParallel (created on first use with threads > 1). */
  pool: KernelPool | null = null;
  private scratch = 0;
  private scratchSize = 0;

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, maxPages: number) {
    this.module = module;
    this.memory = memory;
    const inst = new WebAssembly.Instance(module, { env: { memory } });
    this.ex = inst.exports as unknown as Exports;
    this.arena = new WasmArena(memory, this.ex.heapBase(), maxPages);
  }

  private a(x: ArrayBufferView): boolean {
    return this.arena.owns(x);
  }

  dot(n: number, x: Float32Array, xo: number, y: Float32Array, yo: number): number {
    if (!this.a(x) || !this.a(y)) return tsKernels.dot(n, x, xo, y, yo);
    return this.ex.dot(n, x.byteOffset + 4 * xo, y.byteOffset + 4 * yo);
  }
  axpy(n: number, al: number, x: Float32Array, xo: number, y: Float32Array, yo: number): void {
    if (!this.a(x) || !this.a(y)) return tsKernels.axpy(n, al, x, xo, y, yo);
    this.ex.axpy(n, al, x.byteOffset + 4 * xo, y.byteOffset + 4 * yo);
  }
  scal(n: number, al: number, x: Float32Array, xo: number): void {
    if (!this.a(x)) return tsKernels.scal(n, al, x, xo);
    this.ex.scal(n, al, x.byteOffset + 4 * xo);
  }
  scoreRows(nRows: number, f: number, m: Float32Array, mo: number, v: Float32Array, vo: number, out: Float32Array, oo: number): void {
    if (!this.a(m) || !this.a(v) || !this.a(out)) return tsKernels.scoreRows(nRows, f, m, mo, v, vo, out, oo);
    this.ex.scoreRows(nRows, f, m.byteOffset + 4 * mo, v.byteOffset + 4 * vo, out.byteOffset + 4 * oo);
  }
  scoreBlock(nUsers: number, u: Float32Array, uo: number, nItems: number, y: Float32Array, yo: number, f: number, out: Float32Array, oo: number): void {
    if (!this.a(u) || !this.a(y) || !this.a(out)) return tsKernels.scoreBlock(nUsers, u, uo, nItems, y, yo, f, out, oo);
    this.ex.scoreBlock(nUsers, u.byteOffset + 4 * uo, nItems, y.byteOffset + 4 * yo, f, out.byteOffset + 4 * oo);
  }
  packedSize(nItems: number, f: number): number {
    return tsKernels.packedSize(nItems, f);
  }
  packItems(nItems: number, f: number, y: Float32Array, yo: number, p: Float32Array): void {
    if (!this.a(y) || !this.a(p)) return tsKernels.packItems(nItems, f, y, yo, p);
    this.ex.packItems(nItems, f, y.byteOffset + 4 * yo, p.byteOffset);
  }
  scorePacked(nUsers: number, u: Float32Array, uo: number, nItems: number, p: Float32Array, f: number, out: Float32Array, oo: number): void {
    if (!this.a(u) || !this.a(p) || !this.a(out)) return tsKernels.scorePacked(nUsers, u, uo, nItems, p, f, out, oo);
    this.ex.scorePacked(nUsers, u.byteOffset + 4 * uo, nItems, p.byteOffset, f, out.byteOffset + 4 * oo);
  }
  selectTop(n: number, scores: Float32Array, so: number, k: number, items: Int32Array, io: number, out: Float32Array, oo: number): number {
    if (!this.a(scores) || !this.a(items) || !this.a(out)) return tsKernels.selectTop(n, scores, so, k, items, io, out, oo);
    const scratch = this.scratchFor(Math.max(64, 8 * k));
    return this.ex.selectTop(n, scores.byteOffset + 4 * so, k, items.byteOffset + 4 * io, out.byteOffset + 4 * oo, scratch);
  }
  syrk(k: number, f: number, al: number, x: Float32Array, xo: number, a: Float32Array, ao: number): void {
    if (!this.a(x) || !this.a(a)) return tsKernels.syrk(k, f, al, x, xo, a, ao);
    this.ex.syrk(k, f, al, x.byteOffset + 4 * xo, a.byteOffset + 4 * ao);
  }
  gram(k: number, f: number, x: Float32Array, xo: number, g: Float32Array, go: number): void {
    if (!this.a(x) || !this.a(g)) return tsKernels.gram(k, f, x, xo, g, go);
    this.ex.gram(k, f, x.byteOffset + 4 * xo, g.byteOffset + 4 * go);
  }
  foldSgd(n: number, f: number, x: Float32Array, xo: number, y: Float64Array, yo: number, p: Float32Array, po: number, passes: number, bu: number, lrB: number, regB: number, lrP: number, regP: number): number {
    if (!this.a(x) || !this.a(y) || !this.a(p)) return tsKernels.foldSgd(n, f, x, xo, y, yo, p, po, passes, bu, lrB, regB, lrP, regP);
    return this.ex.foldSgd(n, f, x.byteOffset + 4 * xo, y.byteOffset + 8 * yo, p.byteOffset + 4 * po, passes, bu, lrB, regB, lrP, regP);
  }
  cholesky64(f: number, a: Float64Array, ao: number): boolean {
    if (!this.a(a)) return tsKernels.cholesky64(f, a, ao);
    return this.ex.cholesky64(f, a.byteOffset + 8 * ao) !== 0;
  }
  cholSolve64(f: number, l: Float64Array, lo: number, b: Float64Array, bo: number): void {
    if (!this.a(l) || !this.a(b)) return tsKernels.cholSolve64(f, l, lo, b, bo);
    this.ex.cholSolve64(f, l.byteOffset + 8 * lo, b.byteOffset + 8 * bo);
  }
  cholesky32(f: number, a: Float32Array, ao: number): boolean {
    if (!this.a(a)) return tsKernels.cholesky32(f, a, ao);
    return this.ex.cholesky32(f, a.byteOffset + 4 * ao) !== 0;
  }
  cholSolve32(f: number, l: Float32Array, lo: number, b: Float32Array, bo: number): void {
    if (!this.a(l) || !this.a(b)) return tsKernels.cholSolve32(f, l, lo, b, bo);
    this.ex.cholSolve32(f, l.byteOffset + 4 * lo, b.byteOffset + 4 * bo);
  }
  csrDense(nRows: number, s: CsrArrays, b: Float32Array, f: number, out: Float32Array): void {
    if (!this.csrOk(s) || !this.a(b) || !this.a(out)) return tsKernels.csrDense(nRows, s, b, f, out);
    this.ex.csrDense(nRows, s.indptr.byteOffset, s.indices.byteOffset, s.data.byteOffset, b.byteOffset, f, out.byteOffset);
  }

  private csrOk(s: CsrArrays): boolean {
    return this.a(s.indptr) && this.a(s.indices) && this.a(s.data);
  }

  /** Pointer arguments of a row job (before scratch, start, end), or null when it must run in TS. */
  private jobArgs(job: RowJob): number[] | null {
    if (job.op === 'recommend') {
      const ok = this.a(job.u) && this.a(job.packed) && this.a(job.seen.indptr) && this.a(job.seen.indices) && this.a(job.fallback) && this.a(job.outItems) && this.a(job.outScores);
      if (!ok) return null;
      return [job.u.byteOffset, job.f, job.packed.byteOffset, job.nItems, job.seen.indptr.byteOffset, job.seen.indices.byteOffset, job.fallback.byteOffset, job.k, job.outItems.byteOffset, job.outScores.byteOffset];
    }
    const s = job.csr;
    if (!this.csrOk(s) || !this.a(job.x) || !this.a(job.y)) return null;
    const head = [s.indptr.byteOffset, s.indices.byteOffset, s.data.byteOffset, job.y.byteOffset, job.x.byteOffset];
    switch (job.op) {
      case 'cg':
        if (!this.a(job.g)) return null;
        return [...head, job.g.byteOffset, job.f, job.alpha, job.steps, job.binary ? 1 : 0];
      case 'chol':
      case 'loss':
        if (!this.a(job.g)) return null;
        return [...head, job.g.byteOffset, job.f, job.alpha, job.binary ? 1 : 0];
      case 'explicit':
        return [...head, job.f, job.lambda, job.offset];
    }
  }

  private scratchFor(bytes: number): number {
    if (this.scratchSize < bytes) {
      if (this.scratchSize) this.arena.release(this.scratch);
      this.scratch = this.arena.alloc(bytes);
      this.scratchSize = bytes;
    }
    return this.scratch;
  }

  rows(job: RowJob, start: number, end: number): number {
    const args = this.jobArgs(job);
    if (!args) return tsKernels.rows(job, start, end);
    const scratch = this.scratchFor(scratchBytes(job));
    return this.ex[KERNEL_OF[job.op]](...args, scratch, start, end) ?? 0;
  }

  /** True when the loaded kernels.wasm exports `name`. */
  hasExport(name: string): boolean {
    return typeof (this.ex as unknown as Record<string, unknown>)[name] === 'function';
  }

  /**
   * Runs the exported kernel `name(...args, scratch, start, end)` over [0, n) on this thread, or in
   * chunks over `threads` threads (the pool of rowsParallel), for kernels outside RowJob (BPR's SGD
   * steps). Returns the sum of the kernel's results.
   */
  async runExport(name: string, args: number[], n: number, threads: number, scratchBytes = 64): Promise<number> {
    const fn = (this.ex as unknown as Record<string, RowKernel | undefined>)[name];
    if (typeof fn !== 'function') throw new Error(`kernels.wasm has no export ${name} (rebuild it: npm run build:wasm)`);
    const stride = Math.ceil(scratchBytes / 64) * 64 + 64;
    const t = Math.max(1, Math.min(threads, n));
    if (t === 1) return fn(...args, this.scratchFor(stride), 0, n) ?? 0;
    if (!this.pool || this.pool.threads !== t) {
      if (this.pool) await this.pool.close();
      this.pool = new KernelPool(this.module, this.memory, this.arena, t);
    }
    return this.pool.run(name, fn, args, n, this.scratchFor(stride * t), stride, this.memory);
  }

  async rowsParallel(job: RowJob, n: number, threads: number): Promise<number> {
    const args = this.jobArgs(job);
    if (!args) return tsKernels.rows(job, 0, n);
    const t = Math.max(1, Math.min(threads, Math.ceil(n / 64)));
    const stride = scratchBytes(job);
    if (t === 1) return this.rows(job, 0, n);
    if (!this.pool || this.pool.threads !== t) {
      if (this.pool) await this.pool.close();
      this.pool = new KernelPool(this.module, this.memory, this.arena, t);
    }
    const scratch = this.scratchFor(stride * t);
    const name = KERNEL_OF[job.op];
    return this.pool.run(name, this.ex[name], args, n, scratch, stride, this.memory);
  }
}
