/**
 * HNSW (Malkov & Yashunin 2018) in TypeScript on typed arrays: layer-0 links in one Int32Array, the
 * few upper-layer link lists per node, neighbour selection by the paper's heuristic, distances
 * (negative inner products) on the WASM SIMD dot kernel. Removal marks a node deleted: it still
 * routes searches but is never returned; re-adding a key inserts a fresh node.
 */
import { Rng } from '../core/rng.js';
import { getKernels, type Kernels } from '../kernels/index.js';
import { writeAnnFile, type AnnFile } from './container.js';
import { DistHeap } from './heap.js';
import { checkAdd, checkQuery, EMPTY_RESULT } from './options.js';
import { SlotStore } from './slots.js';
import type { AnnIndex, AnnResult, ResolvedAnnOptions } from './types.js';

export class HnswIndex extends SlotStore implements AnnIndex {
  readonly backend = 'hnsw' as const;
  private readonly rng: Rng;
  private readonly M: number;
  private readonly M0: number;
  private readonly mL: number;
  private cap = 0;
  private live = 0;
  private deleted: Uint8Array = new Uint8Array(0);
  private levels: Uint8Array = new Uint8Array(0);
  /** Layer 0: per node [count, link_1 .. link_M0]. */
  private l0: Int32Array = new Int32Array(0);
  /** Layers 1..level: per node, level blocks of [count, link_1 .. link_M]. */
  private upper: (Int32Array | null)[] = [];
  private entry = -1;
  private maxLevel = -1;
  private visited: Uint32Array = new Uint32Array(0);
  private tag = 0;
  private readonly cand = new DistHeap(64, false);
  private readonly res = new DistHeap(64, true);
  private sd = new Float64Array(64);
  private si = new Int32Array(64);

  constructor(opts: ResolvedAnnOptions, kernels: Kernels = getKernels()) {
    super(opts, kernels);
    this.rng = new Rng(opts.seed);
    this.M = opts.m;
    this.M0 = 2 * opts.m;
    this.mL = 1 / Math.log(Math.max(2, opts.m));
    this.grow(16);
  }

  get size(): number {
    return this.live;
  }
  private grow(need: number): void {
    if (need <= this.cap) return;
    const nc = Math.max(need, this.cap * 2, 16);
    this.growSlots(nc);
    const del = new Uint8Array(nc);
    del.set(this.deleted.subarray(0, this.n));
    this.deleted = del;
    const lv = new Uint8Array(nc);
    lv.set(this.levels.subarray(0, this.n));
    this.levels = lv;
    const l0 = new Int32Array(nc * (this.M0 + 1));
    l0.set(this.l0.subarray(0, this.n * (this.M0 + 1)));
    this.l0 = l0;
    const vis = new Uint32Array(nc);
    vis.set(this.visited.subarray(0, this.n));
    this.visited = vis;
    this.cap = nc;
  }

  /** Offset of node s's link block on layer lc in the returned array. */
  private links(s: number, lc: number): { a: Int32Array; o: number } {
    if (lc === 0) return { a: this.l0, o: s * (this.M0 + 1) };
    return { a: this.upper[s] as Int32Array, o: (lc - 1) * (this.M + 1) };
  }

  private newTag(): number {
    if (++this.tag === 0xffffffff) {
      this.visited.fill(0);
      this.tag = 1;
    }
    return this.tag;
  }

  /** Greedy descent on one layer from ep toward the query at (qa, qo). */
  private greedy(qa: Float32Array, qo: number, ep: number, lc: number): number {
    const d = this.dim;
    let cur = ep;
    let best = -this.k.dot(d, qa, qo, this.vecs, cur * d);
    for (let changed = true; changed; ) {
      changed = false;
      const { a, o } = this.links(cur, lc);
      const cnt = a[o];
      for (let j = 1; j <= cnt; j++) {
        const e = a[o + j];
        const de = -this.k.dot(d, qa, qo, this.vecs, e * d);
        if (de < best) {
          best = de;
          cur = e;
          changed = true;
        }
      }
    }
    return cur;
  }

  /**
   * Best-first search of one layer; leaves the ef closest accepted nodes in this.res (a max-heap).
   * Nodes not accepted (deleted, excluded) still route the search.
   */
  private searchLayer(qa: Float32Array, qo: number, ep: number, ef: number, lc: number, exclude: Uint8Array | null, filter: boolean): void {
    const d = this.dim;
    const vecs = this.vecs;
    const vis = this.visited;
    const tag = this.newTag();
    const C = this.cand;
    const W = this.res;
    C.clear();
    W.clear();
    const keys = this.keys;
    const del = this.deleted;
    const el = exclude ? exclude.length : 0;
    const ok = (s: number): boolean => !filter || (del[s] === 0 && !(exclude !== null && keys[s] < el && exclude[keys[s]] !== 0));
    vis[ep] = tag;
    const d0 = -this.k.dot(d, qa, qo, vecs, ep * d);
    C.push(d0, ep);
    if (ok(ep)) W.push(d0, ep);
    while (C.size > 0) {
      const cd = C.topDist();
      if (W.size >= ef && cd > W.topDist()) break;
      const c = C.pop();
      const { a, o } = this.links(c, lc);
      const cnt = a[o];
      for (let j = 1; j <= cnt; j++) {
        const e = a[o + j];
        if (vis[e] === tag) continue;
        vis[e] = tag;
        const de = -this.k.dot(d, qa, qo, vecs, e * d);
        if (W.size < ef || de < W.topDist()) {
          C.push(de, e);
          if (ok(e)) {
            W.push(de, e);
            if (W.size > ef) W.pop();
          }
        }
      }
    }
  }

  /** Drains this.res into sd/si, closest first; returns the count. */
  private drain(): number {
    const W = this.res;
    const n = W.size;
    if (this.sd.length < n) {
      this.sd = new Float64Array(n * 2);
      this.si = new Int32Array(n * 2);
    }
    for (let i = n - 1; i >= 0; i--) {
      this.sd[i] = W.topDist();
      this.si[i] = W.pop();
    }
    return n;
  }

  /**
   * The paper's heuristic: from candidates (ids/dists to the base, closest first) keep those closer
   * to the base than to every one already kept, up to m. Writes into the link block (a, o).
   */
  private selectInto(ids: Int32Array, dists: Float64Array, n: number, m: number, a: Int32Array, o: number): void {
    const d = this.dim;
    const vecs = this.vecs;
    let kept = 0;
    for (let i = 0; i < n && kept < m; i++) {
      const c = ids[i];
      const dc = dists[i];
      let good = true;
      for (let j = 1; j <= kept; j++) {
        if (-this.k.dot(d, vecs, c * d, vecs, a[o + j] * d) < dc) {
          good = false;
          break;
        }
      }
      if (good) a[o + ++kept] = c;
    }
    a[o] = kept;
  }

  /** Adds link s -> t on layer lc, pruning t's list by the heuristic when full. */
  private connect(t: number, s: number, lc: number): void {
    const mmax = lc === 0 ? this.M0 : this.M;
    const { a, o } = this.links(t, lc);
    const cnt = a[o];
    if (cnt < mmax) {
      a[o + cnt + 1] = s;
      a[o] = cnt + 1;
      return;
    }
    const d = this.dim;
    const ids = new Int32Array(cnt + 1);
    const ds = new Float64Array(cnt + 1);
    for (let j = 0; j < cnt; j++) ids[j] = a[o + 1 + j];
    ids[cnt] = s;
    for (let j = 0; j <= cnt; j++) ds[j] = -this.k.dot(d, this.vecs, t * d, this.vecs, ids[j] * d);
    const order = Array.from(ids.keys()).sort((x, y) => ds[x] - ds[y] || ids[x] - ids[y]);
    const sid = new Int32Array(cnt + 1);
    const sds = new Float64Array(cnt + 1);
    for (let j = 0; j <= cnt; j++) {
      sid[j] = ids[order[j]];
      sds[j] = ds[order[j]];
    }
    this.selectInto(sid, sds, cnt + 1, mmax, a, o);
  }

  private insert(s: number): void {
    const level = Math.min(30, Math.floor(-Math.log(1 - this.rng.next()) * this.mL));
    this.levels[s] = level;
    this.l0[s * (this.M0 + 1)] = 0;
    this.upper[s] = level > 0 ? new Int32Array(level * (this.M + 1)) : null;
    if (this.entry < 0) {
      this.entry = s;
      this.maxLevel = level;
      return;
    }
    const qo = s * this.dim;
    let ep = this.entry;
    for (let lc = this.maxLevel; lc > level; lc--) ep = this.greedy(this.vecs, qo, ep, lc);
    for (let lc = Math.min(level, this.maxLevel); lc >= 0; lc--) {
      this.searchLayer(this.vecs, qo, ep, this.opts.efConstruction, lc, null, false);
      const n = this.drain();
      ep = this.si[0];
      const { a, o } = this.links(s, lc);
      // copies: connect() may reuse sd/si through selectInto's callers
      const ids = this.si.slice(0, n);
      this.selectInto(ids, this.sd.slice(0, n), n, this.M, a, o);
      const cnt = a[o];
      for (let j = 1; j <= cnt; j++) this.connect(a[o + j], s, lc);
    }
    if (level > this.maxLevel) {
      this.maxLevel = level;
      this.entry = s;
    }
  }

  add(keys: ArrayLike<number>, vectors: Float32Array): void {
    const n = checkAdd(this.dim, keys, vectors);
    this.grow(this.n + n);
    for (let i = 0; i < n; i++) {
      const key = keys[i];
      const old = this.slotOf.get(key);
      if (old !== undefined) {
        this.deleted[old] = 1;
        this.live--;
      }
      const s = this.n++;
      this.keys[s] = key;
      this.putVector(s, vectors, i);
      this.insert(s);
      this.slotOf.set(key, s);
      this.live++;
    }
  }

  remove(keys: ArrayLike<number>): number {
    let removed = 0;
    for (let i = 0; i < keys.length; i++) {
      const s = this.slotOf.get(keys[i]);
      if (s === undefined) continue;
      this.slotOf.delete(keys[i]);
      this.deleted[s] = 1;
      this.live--;
      removed++;
    }
    return removed;
  }

  search(query: Float32Array, k: number, exclude: Uint8Array | null = null): AnnResult {
    checkQuery(this.dim, query, k);
    if (this.live === 0 || k === 0) return EMPTY_RESULT;
    this.loadQuery(query);
    let ep = this.entry;
    for (let lc = this.maxLevel; lc > 0; lc--) ep = this.greedy(this.q, 0, ep, lc);
    this.searchLayer(this.q, 0, ep, Math.max(this.ef, k), 0, exclude, true);
    const n = Math.min(k, this.drain());
    const items = new Int32Array(n);
    const scores = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      items[i] = this.keys[this.si[i]];
      scores[i] = -this.sd[i];
    }
    return { items, scores };
  }

  memoryBytes(): number {
    let up = 0;
    for (let s = 0; s < this.n; s++) up += this.upper[s]?.byteLength ?? 0;
    return this.cap * (this.dim * 4 + 4 + 1 + 1 + 4 + (this.M0 + 1) * 4) + up + this.slotOf.size * 16;
  }

  save(path: string): void {
    const off = new Int32Array(this.n + 1);
    for (let s = 0; s < this.n; s++) off[s + 1] = off[s] + (this.upper[s]?.length ?? 0);
    const up = new Int32Array(off[this.n]);
    for (let s = 0; s < this.n; s++) if (this.upper[s]) up.set(this.upper[s] as Int32Array, off[s]);
    writeAnnFile(path, {
      backend: 'hnsw',
      options: { ...this.opts, efSearch: this.ef },
      meta: { n: this.n, entry: this.entry, maxLevel: this.maxLevel },
      sections: {
        vectors: this.vecs.slice(0, this.n * this.dim),
        keys: this.keys.slice(0, this.n),
        deleted: this.deleted.slice(0, this.n),
        levels: this.levels.slice(0, this.n),
        l0: this.l0.slice(0, this.n * (this.M0 + 1)),
        upperOffsets: off,
        upper: up,
      },
    });
  }

  static fromFile(f: AnnFile): HnswIndex {
    const idx = new HnswIndex(f.options);
    const n = f.meta.n;
    idx.grow(n);
    idx.vecs.set(f.sections.vectors as Float32Array);
    idx.keys.set(f.sections.keys as Int32Array);
    idx.deleted.set(f.sections.deleted as Uint8Array);
    idx.levels.set(f.sections.levels as Uint8Array);
    idx.l0.set(f.sections.l0 as Int32Array);
    const off = f.sections.upperOffsets as Int32Array;
    const up = f.sections.upper as Int32Array;
    for (let s = 0; s < n; s++) idx.upper[s] = off[s + 1] > off[s] ? up.slice(off[s], off[s + 1]) : null;
    idx.n = n;
    idx.entry = f.meta.entry;
    idx.maxLevel = f.meta.maxLevel;
    for (let s = 0; s < n; s++) {
      if (idx.deleted[s] === 0) {
        idx.slotOf.set(idx.keys[s], s);
        idx.live++;
      }
    }
    // advance the level generator so later adds do not repeat the levels of the saved nodes
    for (let s = 0; s < n; s++) idx.rng.next();
    return idx;
  }
}
