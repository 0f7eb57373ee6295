/**
 * Allocator of typed-array views inside the (shared) WebAssembly.Memory, so models keep their factor
 * matrices where the kernels read them and no copy happens per call. First-fit free list with
 * coalescing over 16-byte aligned blocks; the memory grows on demand up to its maximum.
 */
import { AffinityError } from '../../core/errors.js';
import type { Arena } from '../types.js';

const ALIGN = 16;
const PAGE = 65536;

interface Block {
  off: number;
  size: number;
}

export class WasmArena implements Arena {
  private readonly memory: WebAssembly.Memory;
  private readonly maxBytes: number;
  private top: number;
  private free_: Block[] = [];
  /** offset -> [size, allocation id] */
  private readonly live = new Map<number, [number, number]>();
  private nextId = 1;
  private inUse = 0;
  /** Every ArrayBuffer the memory has exposed (a new one after each grow). */
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  private readonly registry = new FinalizationRegistry<[number, number]>(([off, id]) => {
    const l = this.live.get(off);
    if (l && l[1] === id) this.release(off);
  });

  constructor(memory: WebAssembly.Memory, base: number, maxPages: number) {
    this.memory = memory;
    this.top = Math.ceil(base / ALIGN) * ALIGN;
    this.maxBytes = maxPages * PAGE;
    this.buffers.add(memory.buffer);
  }

  get bytesInUse(): number {
    return this.inUse;
  }

  /** True when `a` is a view into this memory (then its byteOffset is its address). */
  owns(a: ArrayBufferView): boolean {
    return this.buffers.has(a.buffer);
  }

  /** Raw allocation of `bytes` (zeroed); returns the byte address. */
  alloc(bytes: number, owner?: object): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    let off = -1;
    for (let k = 0; k < this.free_.length; k++) {
      const b = this.free_[k];
      if (b.size >= size) {
        off = b.off;
        if (b.size === size) this.free_.splice(k, 1);
        else {
          b.off += size;
          b.size -= size;
        }
        break;
      }
    }
    if (off < 0) {
      off = this.top;
      const need = off + size;
      if (need > this.maxBytes) {
        throw new AffinityError('E_TOO_LARGE', `kernel memory: ${need} bytes needed; the WASM memory is limited to ${this.maxBytes} bytes`);
      }
      const have = this.memory.buffer.byteLength;
      if (need > have) {
        this.memory.grow(Math.ceil((need - have) / PAGE));
        this.buffers.add(this.memory.buffer);
      }
      this.top = need;
    }
    new Uint8Array(this.memory.buffer, off, size).fill(0);
    const id = this.nextId++;
    this.live.set(off, [size, id]);
    this.inUse += size;
    if (owner) this.registry.register(owner, [off, id]);
    return off;
  }

  f32(n: number, owner?: object): Float32Array {
    const off = this.alloc(n * 4, owner);
    return new Float32Array(this.view(), off, n);
  }
  f64(n: number, owner?: object): Float64Array {
    const off = this.alloc(n * 8, owner);
    return new Float64Array(this.view(), off, n);
  }
  i32(n: number, owner?: object): Int32Array {
    const off = this.alloc(n * 4, owner);
    return new Int32Array(this.view(), off, n);
  }

  free(a: Float32Array | Float64Array | Int32Array): void {
    if (!this.owns(a)) return;
    this.release(a.byteOffset);
  }

  /** The current buffer of the memory (recorded as ours). */
  view(): ArrayBufferLike {
    const b = this.memory.buffer;
    this.buffers.add(b);
    return b;
  }

  /** Frees the block at byte address `off` (from alloc). */
  release(off: number): void {
    const l = this.live.get(off);
    if (!l) throw new AffinityError('E_PARAM', `kernel memory: block at ${off} is not allocated (double free or a subarray)`);
    this.live.delete(off);
    this.inUse -= l[0];
    let b: Block = { off, size: l[0] };
    // insert sorted, coalesce with neighbours
    let k = 0;
    while (k < this.free_.length && this.free_[k].off < off) k++;
    this.free_.splice(k, 0, b);
    if (k + 1 < this.free_.length && b.off + b.size === this.free_[k + 1].off) {
      b.size += this.free_[k + 1].size;
      this.free_.splice(k + 1, 1);
    }
    if (k > 0 && this.free_[k - 1].off + this.free_[k - 1].size === b.off) {
      this.free_[k - 1].size += b.size;
      this.free_.splice(k, 1);
      b = this.free_[k - 1];
      k--;
    }
    if (b.off + b.size === this.top) {
      this.top = b.off;
      this.free_.splice(k, 1);
    }
  }
}
