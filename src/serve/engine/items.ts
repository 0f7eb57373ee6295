/**
 * The engine's item universe: the active model's items first (universe index = model index), then items
 * the model has not seen (created or first interacted with after training). Per item it keeps the store's
 * catalog state (title, categories, features, hidden / out-of-stock / deleted) and live popularity and
 * trending counts, all on typed arrays, and builds the pipeline's ItemCatalog from them on demand.
 */
import { IdMap } from '../../core/idmap.js';
import type { Csr } from '../../core/csr.js';
import { ItemCatalog, type StringAttribute } from '../../pipeline/catalog.js';
import type { ItemRecord, Json } from '../../store/types.js';

const DAY_MS = 86_400_000;

export class ItemSpace {
  readonly ids: IdMap;
  /** Items known to the model: indices [0, nModel). */
  readonly nModel: number;
  private cap: number;
  titles: string[] = [];
  categories: string[][] = [];
  features: Array<Record<string, Json>> = [];
  /** 1 = never recommend (hidden, out of stock or deleted). */
  blocked: Uint8Array;
  hidden: Uint8Array;
  outOfStock: Uint8Array;
  /** Interactions counted at training (seen matrix) plus live events. */
  popularity: Float32Array;
  /** Live events since start, decayed with `halfLifeDays`, scaled to the reference time `t0`. */
  trending: Float32Array;
  /** Unix seconds: item timestamp from the store, else first event seen; NaN when unknown. */
  firstSeen: Float64Array;
  /** Bumped on every catalog change (not on counts); the ItemCatalog is rebuilt when it moves. */
  version = 0;
  private built: { version: number; catalog: ItemCatalog } | null = null;
  private masks = new Map<string, Uint8Array>();
  private masksVersion = -1;
  private readonly rate: number;
  private readonly t0: number;

  constructor(modelItems: IdMap, seen: Csr | null, halfLifeDays = 7, t0: number = Date.now()) {
    this.ids = modelItems.clone();
    this.nModel = modelItems.size;
    this.cap = Math.max(16, this.nModel * 2);
    this.blocked = new Uint8Array(this.cap);
    this.hidden = new Uint8Array(this.cap);
    this.outOfStock = new Uint8Array(this.cap);
    this.popularity = new Float32Array(this.cap);
    this.trending = new Float32Array(this.cap);
    this.firstSeen = new Float64Array(this.cap).fill(NaN);
    if (seen) for (let k = 0; k < seen.indices.length; k++) this.popularity[seen.indices[k]]++;
    this.rate = Math.LN2 / (halfLifeDays * DAY_MS);
    this.t0 = t0;
  }

  get size(): number {
    return this.ids.size;
  }

  /** Index of an external id, adding it (as an item unknown to the model) when new. */
  ensure(id: string): number {
    const before = this.ids.size;
    const i = this.ids.add(id);
    if (i >= this.cap) this.grow(i + 1);
    if (this.ids.size !== before) this.version++;
    return i;
  }

  private grow(min: number): void {
    const cap = Math.max(min, this.cap * 2);
    const g = <T extends Uint8Array | Float32Array | Float64Array>(a: T, b: T, fill = 0): T => {
      b.fill(fill as never);
      b.set(a);
      return b;
    };
    this.blocked = g(this.blocked, new Uint8Array(cap));
    this.hidden = g(this.hidden, new Uint8Array(cap));
    this.outOfStock = g(this.outOfStock, new Uint8Array(cap));
    this.popularity = g(this.popularity, new Float32Array(cap));
    this.trending = g(this.trending, new Float32Array(cap));
    this.firstSeen = g(this.firstSeen, new Float64Array(cap), NaN);
    this.cap = cap;
  }

  /** Applies the store's records (upserts, flags, soft deletes). */
  apply(records: readonly ItemRecord[]): void {
    for (const r of records) {
      const i = this.ensure(r.id);
      this.titles[i] = r.title;
      this.categories[i] = r.categories;
      this.features[i] = r.features;
      this.hidden[i] = r.hidden || r.deleted ? 1 : 0;
      this.outOfStock[i] = r.outOfStock ? 1 : 0;
      this.blocked[i] = r.hidden || r.deleted || r.outOfStock ? 1 : 0;
      if (r.timestamp !== null) this.firstSeen[i] = r.timestamp / 1000;
    }
    this.version++;
  }

  /** Marks ids the store no longer has (or returned as deleted) as blocked. */
  block(ids: readonly string[]): void {
    for (const id of ids) {
      const i = this.ids.get(id);
      if (i >= 0) {
        this.blocked[i] = 1;
        this.hidden[i] = 1;
      }
    }
    this.version++;
  }

  /** Counts one live event of `weight` > 0 at `timeMs`. */
  count(item: number, timeMs: number): void {
    this.popularity[item]++;
    this.trending[item] += Math.exp(this.rate * (timeMs - this.t0));
    if (!(this.firstSeen[item] <= timeMs / 1000)) this.firstSeen[item] = timeMs / 1000;
  }

  /** The pipeline catalogue over the universe (rule language, explanations, rows). */
  catalog(): ItemCatalog {
    if (this.built && this.built.version === this.version) return this.built.catalog;
    const n = this.size;
    const names: string[] = [];
    const code = new Map<string, number>();
    const indptr = new Int32Array(n + 1);
    const codes: number[] = [];
    for (let i = 0; i < n; i++) {
      for (const c of this.categories[i] ?? []) {
        let k = code.get(c);
        if (k === undefined) code.set(c, (k = names.push(c) - 1));
        codes.push(k);
      }
      indptr[i + 1] = codes.length;
    }
    const numeric: Record<string, Float64Array> = {};
    const strings: Record<string, { lists: string[][] }> = {};
    for (let i = 0; i < n; i++) {
      const f = this.features[i];
      if (!f) continue;
      for (const [k, v] of Object.entries(f)) {
        if (typeof v === 'number' || typeof v === 'boolean') {
          (numeric[k] ??= new Float64Array(n).fill(NaN))[i] = Number(v);
        } else if (typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'))) {
          ((strings[k] ??= { lists: [] }).lists[i] = typeof v === 'string' ? [v] : (v as string[]));
        }
      }
    }
    const strAttrs: Record<string, StringAttribute> = {};
    for (const [k, { lists }] of Object.entries(strings)) if (!(k in numeric)) strAttrs[k] = toAttribute(lists, n);
    const year = numeric.year;
    const catalog = new ItemCatalog({
      nItems: n,
      ids: this.ids,
      titles: Array.from({ length: n }, (_, i) => this.titles[i] ?? ''),
      categories: { indptr, codes: Int32Array.from(codes), names },
      // live views: counts move without a rebuild
      firstSeen: this.firstSeen.subarray(0, n),
      year: year,
      popularity: this.popularity.subarray(0, n),
      trending: this.trending.subarray(0, n),
      hidden: this.hidden.slice(0, n),
      outOfStock: this.outOfStock.slice(0, n),
      numeric,
      strings: strAttrs,
    });
    this.built = { version: this.version, catalog };
    return catalog;
  }

  /** Items of a category (by name) as a mask over the universe (cached until the catalog changes). */
  categoryMask(name: string): Uint8Array {
    if (this.masksVersion !== this.version) {
      this.masks.clear();
      this.masksVersion = this.version;
    }
    let m = this.masks.get(name);
    if (m) return m;
    const c = this.catalog();
    const code = c.categoryNames.indexOf(name);
    m = new Uint8Array(c.nItems);
    if (code >= 0) for (let i = 0; i < c.nItems; i++) for (let p = c.catIndptr[i]; p < c.catIndptr[i + 1]; p++) if (c.catCodes[p] === code) m[i] = 1;
    if (this.masks.size > 256) this.masks.clear();
    this.masks.set(name, m);
    return m;
  }

  title(i: number): string {
    return this.titles[i] || this.ids.id(i);
  }
}

function toAttribute(lists: string[][], n: number): StringAttribute {
  const vocab: string[] = [];
  const index = new Map<string, number>();
  const indptr = new Int32Array(n + 1);
  const codes: number[] = [];
  for (let i = 0; i < n; i++) {
    for (const s of lists[i] ?? []) {
      let c = index.get(s);
      if (c === undefined) index.set(s, (c = vocab.push(s) - 1));
      codes.push(c);
    }
    indptr[i + 1] = codes.length;
  }
  return { indptr, codes: Int32Array.from(codes), vocab };
}
