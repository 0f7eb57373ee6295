/**
 * The storage the exact and HNSW indexes share: vectors and keys by slot (vectors in the kernels'
 * arena, normalised under 'cos'), the key -> slot map, the query buffer and efSearch.
 */
import type { Kernels } from '../kernels/index.js';
import { checkEf, normalizeRow } from './options.js';
import type { ResolvedAnnOptions } from './types.js';

export abstract class SlotStore {
  readonly dim: number;
  readonly metric: 'ip' | 'cos';
  protected readonly opts: ResolvedAnnOptions;
  protected readonly k: Kernels;
  /** Slot s's vector at [s * dim, (s + 1) * dim). */
  protected vecs: Float32Array = new Float32Array(0);
  protected keys: Int32Array = new Int32Array(0);
  /** Slots in use. */
  protected n = 0;
  protected readonly slotOf = new Map<number, number>();
  /** The current query (normalised under 'cos'). */
  protected readonly q: Float32Array;
  protected ef: number;

  constructor(opts: ResolvedAnnOptions, kernels: Kernels) {
    this.opts = opts;
    this.dim = opts.dim;
    this.metric = opts.metric;
    this.k = kernels;
    this.ef = opts.efSearch;
    this.q = kernels.arena.f32(this.dim, this);
  }

  get efSearch(): number {
    return this.ef;
  }
  set efSearch(v: number) {
    this.ef = checkEf(v);
  }

  has(key: number): boolean {
    return this.slotOf.has(key);
  }

  /** Reallocates vecs and keys for `nc` slots, keeping the first n. */
  protected growSlots(nc: number): void {
    const v = this.k.arena.f32(nc * this.dim, this);
    v.set(this.vecs.subarray(0, this.n * this.dim));
    if (this.vecs.length) this.k.arena.free(this.vecs);
    this.vecs = v;
    const keys = new Int32Array(nc);
    keys.set(this.keys.subarray(0, this.n));
    this.keys = keys;
  }

  /** Stores vector i of `vectors` in slot s (normalised under 'cos'). */
  protected putVector(s: number, vectors: Float32Array, i: number): void {
    const d = this.dim;
    this.vecs.set(vectors.subarray(i * d, (i + 1) * d), s * d);
    if (this.metric === 'cos') normalizeRow(this.vecs, s * d, d);
  }

  /** Copies `query` into q (normalised under 'cos'). */
  protected loadQuery(query: Float32Array): void {
    this.q.set(query);
    if (this.metric === 'cos') normalizeRow(this.q, 0, this.dim);
  }
}
