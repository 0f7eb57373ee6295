/**
 * The usearch backend (usearch 2.25, a prebuilt native HNSW shipped inside the npm package). Vectors
 * go in as Float32Array without copies; keys are BigUint64. usearch fixes expansion_search when the
 * index is constructed, so changing efSearch rebuilds the native object from a serialised copy.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { AffinityError } from '../core/errors.js';
import { writeAnnFile, type AnnFile } from './container.js';
import { checkAdd, checkEf, checkQuery, EMPTY_RESULT } from './options.js';
import type { AnnIndex, AnnResult, ResolvedAnnOptions } from './types.js';

/** The part of usearch's Index this backend uses. */
interface UsearchMatches {
  keys: BigUint64Array;
  distances: Float32Array;
}
interface UsearchNative {
  add(keys: BigUint64Array, vectors: Float32Array, threads: number): void;
  search(vectors: Float32Array, k: number, threads: number): UsearchMatches;
  remove(keys: BigUint64Array): number | number[];
  contains(keys: BigUint64Array): boolean | boolean[];
  size(): number;
  capacity(): number;
  save(path: string): void;
  load(path: string): void;
}
interface UsearchModule {
  Index: new (cfg: { dimensions: number; metric: string; quantization: string; connectivity: number; expansion_add: number; expansion_search: number; multi: boolean }) => UsearchNative;
}

let mod: UsearchModule | null = null;
function usearch(): UsearchModule {
  if (mod) return mod;
  try {
    mod = createRequire(import.meta.url)('usearch') as UsearchModule;
  } catch (e) {
    throw new AffinityError('E_UNSUPPORTED', `ANN backend 'usearch': the usearch package could not be loaded (${(e as Error).message}); use backend 'hnsw'`);
  }
  return mod;
}

export class UsearchIndex implements AnnIndex {
  readonly backend = 'usearch' as const;
  readonly dim: number;
  readonly metric: 'ip' | 'cos';
  private opts: ResolvedAnnOptions;
  private native: UsearchNative;

  constructor(opts: ResolvedAnnOptions) {
    this.opts = opts;
    this.dim = opts.dim;
    this.metric = opts.metric;
    this.native = this.make(opts.efSearch);
  }

  private make(ef: number): UsearchNative {
    const o = this.opts;
    return new (usearch().Index)({
      dimensions: o.dim,
      metric: o.metric === 'cos' ? 'cos' : 'ip',
      quantization: 'f32',
      connectivity: o.m,
      expansion_add: o.efConstruction,
      expansion_search: ef,
      multi: false,
    });
  }

  get size(): number {
    return this.native.size();
  }
  get efSearch(): number {
    return this.opts.efSearch;
  }
  set efSearch(v: number) {
    checkEf(v);
    if (v === this.opts.efSearch) return;
    const bytes = this.native.size() > 0 ? this.serialise() : null;
    this.opts = { ...this.opts, efSearch: v };
    const next = this.make(v);
    if (bytes) withTemp((p) => {
      writeFileSync(p, bytes);
      next.load(p);
    });
    this.native = next;
  }

  private serialise(): Uint8Array {
    return withTemp((p) => {
      this.native.save(p);
      return new Uint8Array(readFileSync(p));
    });
  }

  add(keys: ArrayLike<number>, vectors: Float32Array): void {
    const n = checkAdd(this.dim, keys, vectors);
    if (n === 0) return;
    const big = toBig(keys);
    if (this.native.size() > 0) this.native.remove(big); // replace existing keys
    this.native.add(big, vectors, this.opts.threads);
  }

  remove(keys: ArrayLike<number>): number {
    if (keys.length === 0) return 0;
    const r = this.native.remove(toBig(keys));
    return Array.isArray(r) ? r.reduce((a, b) => a + b, 0) : r;
  }

  has(key: number): boolean {
    const r = this.native.contains(BigUint64Array.of(BigInt(key)));
    return Array.isArray(r) ? r[0] : r;
  }

  search(query: Float32Array, k: number, exclude: Uint8Array | null = null): AnnResult {
    checkQuery(this.dim, query, k);
    const total = this.native.size();
    if (total === 0 || k === 0) return EMPTY_RESULT;
    let want = Math.min(total, exclude ? k + 16 : k);
    for (;;) {
      const m = this.native.search(query, want, 1);
      const items = new Int32Array(k);
      const scores = new Float32Array(k);
      let got = 0;
      const el = exclude ? exclude.length : 0;
      const found = m.keys.length;
      for (let i = 0; i < found && got < k; i++) {
        const key = Number(m.keys[i]);
        if (!(m.distances[i] < Infinity) || key > 0x7fffffff) continue; // padding of short results
        if (exclude && key < el && exclude[key] !== 0) continue;
        items[got] = key;
        scores[got++] = 1 - m.distances[i];
      }
      if (got === k || want >= total) return { items: items.slice(0, got), scores: scores.slice(0, got) };
      want = Math.min(total, want * 2);
    }
  }

  memoryBytes(): number {
    // usearch does not report its memory; its serialised size (vectors + graph) is the closest figure
    return this.native.size() > 0 ? this.serialise().length : 0;
  }

  save(path: string): void {
    const bytes = this.native.size() > 0 ? this.serialise() : new Uint8Array(0);
    writeAnnFile(path, { backend: 'usearch', options: this.opts, meta: {}, sections: { usearch: bytes } });
  }

  static fromFile(f: AnnFile): UsearchIndex {
    const idx = new UsearchIndex(f.options);
    const bytes = f.sections.usearch as Uint8Array;
    if (bytes.length > 0) withTemp((p) => {
      writeFileSync(p, bytes);
      idx.native.load(p);
    });
    return idx;
  }
}

function toBig(keys: ArrayLike<number>): BigUint64Array {
  const b = new BigUint64Array(keys.length);
  for (let i = 0; i < keys.length; i++) b[i] = BigInt(keys[i]);
  return b;
}

function withTemp<T>(fn: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'affinity-usearch-'));
  try {
    return fn(join(dir, 'index.usearch'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
