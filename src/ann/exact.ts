/**
 * Exact (brute-force) inner-product / cosine search: every live vector scored by the WASM SIMD
 * scoreRows kernel, the top k picked by selectTop. The reference the approximate backends are
 * measured against; fast enough on its own up to about 100k items.
 */
import { getKernels, type Kernels } from '../kernels/index.js';
import { writeAnnFile, type AnnFile } from './container.js';
import { checkAdd, checkQuery, EMPTY_RESULT } from './options.js';
import { SlotStore } from './slots.js';
import type { AnnIndex, AnnResult, ResolvedAnnOptions } from './types.js';

/** efSearch is kept for the interface; exact search does not use it. */
export class ExactIndex extends SlotStore implements AnnIndex {
  readonly backend = 'exact' as const;
  private scores: Float32Array = new Float32Array(0);

  constructor(opts: ResolvedAnnOptions, kernels: Kernels = getKernels()) {
    super(opts, kernels);
    this.growSlots(16);
  }

  get size(): number {
    return this.n;
  }

  private grow(need: number): void {
    const cap = this.keys.length;
    if (need <= cap) return;
    this.growSlots(Math.max(need, cap * 2));
  }

  add(keys: ArrayLike<number>, vectors: Float32Array): void {
    const n = checkAdd(this.dim, keys, vectors);
    this.grow(this.n + n);
    for (let i = 0; i < n; i++) {
      const key = keys[i];
      let s = this.slotOf.get(key);
      if (s === undefined) {
        s = this.n++;
        this.slotOf.set(key, s);
        this.keys[s] = key;
      }
      this.putVector(s, vectors, i);
    }
  }

  remove(keys: ArrayLike<number>): number {
    let removed = 0;
    const d = this.dim;
    for (let i = 0; i < keys.length; i++) {
      const s = this.slotOf.get(keys[i]);
      if (s === undefined) continue;
      this.slotOf.delete(keys[i]);
      const last = --this.n;
      if (s !== last) {
        // move the last slot into the hole so the live vectors stay contiguous
        this.vecs.copyWithin(s * d, last * d, (last + 1) * d);
        this.keys[s] = this.keys[last];
        this.slotOf.set(this.keys[s], s);
      }
      removed++;
    }
    return removed;
  }

  search(query: Float32Array, k: number, exclude: Uint8Array | null = null): AnnResult {
    checkQuery(this.dim, query, k);
    const n = this.n;
    if (n === 0 || k === 0) return EMPTY_RESULT;
    this.loadQuery(query);
    if (this.scores.length < n) {
      if (this.scores.length) this.k.arena.free(this.scores);
      this.scores = this.k.arena.f32(Math.max(n, this.keys.length), this);
    }
    const sc = this.scores;
    this.k.scoreRows(n, this.dim, this.vecs, 0, this.q, 0, sc, 0);
    if (exclude) {
      const keys = this.keys;
      const el = exclude.length;
      for (let s = 0; s < n; s++) {
        const key = keys[s];
        if (key < el && exclude[key] !== 0) sc[s] = -Infinity;
      }
    }
    const kk = Math.min(k, n);
    const slots = new Int32Array(kk);
    const out = new Float32Array(kk);
    const got = this.k.selectTop(n, sc, 0, kk, slots, 0, out, 0);
    const items = new Int32Array(got);
    for (let i = 0; i < got; i++) items[i] = this.keys[slots[i]];
    return { items, scores: got === kk ? out : out.slice(0, got) };
  }

  memoryBytes(): number {
    return this.keys.length * (this.dim * 4 + 4) + this.slotOf.size * 16;
  }

  save(path: string): void {
    writeAnnFile(path, {
      backend: 'exact',
      options: { ...this.opts, efSearch: this.ef },
      meta: { n: this.n },
      sections: { keys: this.keys.slice(0, this.n), vectors: this.vecs.slice(0, this.n * this.dim) },
    });
  }

  static fromFile(f: AnnFile): ExactIndex {
    const idx = new ExactIndex(f.options);
    const keys = f.sections.keys as Int32Array;
    const vecs = f.sections.vectors as Float32Array;
    // vectors were stored normalised already; adding them again under 'cos' leaves them unchanged
    idx.add(keys, vecs);
    return idx;
  }
}
