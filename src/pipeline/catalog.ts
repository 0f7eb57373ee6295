/**
 * Per-item metadata for re-ranking, rules and explanations, on typed arrays indexed by the internal
 * item index: categories (multi-valued codes, CSR), a "group" attribute for caps and adjacency
 * (artist / brand / first category), first-seen time and release year, popularity (count and a
 * recency-weighted trending score), flags (hidden, outOfStock, minAge), titles, and any other
 * numeric or string attribute by name for the rule language.
 *
 * `ItemStats` holds impressions and clicks (per item, for exploration; per user and item, for
 * fatigue); `MemoryItemStats` is the in-memory implementation.
 */
import { paramError } from '../core/errors.js';
import type { IdMap } from '../core/idmap.js';
import type { Dataset } from '../data/dataset.js';
import { alignRows, findColumn, type FeatureColumn, type FeatureTable } from '../data/features.js';

/** A string attribute: one or more codes per item into `vocab` (CSR over items). */
export interface StringAttribute {
  indptr: Int32Array;
  codes: Int32Array;
  vocab: string[];
}

export interface ItemCatalogInit {
  nItems: number;
  /** External ids (for messages); optional. */
  ids?: IdMap | null;
  titles?: string[];
  /** Categories as CSR over items; codes index `categoryNames`. */
  categories?: { indptr: Int32Array; codes: Int32Array; names: string[] };
  /** Group code per item (-1 = none), into `groupNames`. Default: the first category. */
  group?: { codes: Int32Array; names: string[] };
  /** Unix seconds of the first interaction, NaN when unknown. */
  firstSeen?: Float64Array;
  /** Release year, NaN when unknown. */
  year?: Float64Array;
  popularity?: Float32Array;
  trending?: Float32Array;
  hidden?: Uint8Array;
  outOfStock?: Uint8Array;
  /** Minimum user age, 0 = none. */
  minAge?: Float32Array;
  numeric?: Record<string, Float64Array>;
  strings?: Record<string, StringAttribute>;
}

export interface CatalogOptions {
  /** Item feature column with the categories (default 'genres', else 'categories', 'category', 'tags'). */
  categoryColumn?: string;
  /** Column for the group attribute (default 'artist', 'brand', 'group' if present, else the first category). */
  groupColumn?: string;
  /** Column with titles (default 'title', else 'name'). */
  titleColumn?: string;
  /** Numeric column with the release year (default 'year'). */
  yearColumn?: string;
  /** Flag columns (numeric, non-zero = set), default 'hidden', 'outOfStock', 'minAge'. */
  hiddenColumn?: string;
  outOfStockColumn?: string;
  minAgeColumn?: string;
  /** Half-life of the trending score in days (default 7). */
  trendingHalfLifeDays?: number;
  /** Reference time for trending (default: the latest timestamp of the data). */
  now?: number;
}

const DAY = 86_400;

export class ItemCatalog {
  readonly nItems: number;
  readonly ids: IdMap | null;
  readonly titles: string[];
  readonly catIndptr: Int32Array;
  readonly catCodes: Int32Array;
  readonly categoryNames: string[];
  readonly group: Int32Array;
  readonly groupNames: string[];
  readonly firstSeen: Float64Array;
  readonly year: Float64Array;
  readonly popularity: Float32Array;
  readonly trending: Float32Array;
  readonly hidden: Uint8Array;
  readonly outOfStock: Uint8Array;
  readonly minAge: Float32Array;
  readonly numeric: ReadonlyMap<string, Float64Array>;
  readonly strings: ReadonlyMap<string, StringAttribute>;
  /** Sum of popularity (for novelty = -log2(popularity / total)). */
  readonly totalPopularity: number;

  constructor(init: ItemCatalogInit) {
    const n = init.nItems;
    if (!Number.isInteger(n) || n < 0) throw paramError('nItems', n, 'a non-negative integer');
    this.nItems = n;
    this.ids = init.ids ?? null;
    const check = (field: string, len: number, want: number): void => {
      if (len !== want) throw paramError(field, `length ${len}`, `length ${want}`);
    };
    this.titles = init.titles ?? [];
    if (init.titles) check('titles', init.titles.length, n);
    if (init.categories) {
      check('categories.indptr', init.categories.indptr.length, n + 1);
      this.catIndptr = init.categories.indptr;
      this.catCodes = init.categories.codes;
      this.categoryNames = init.categories.names;
    } else {
      this.catIndptr = new Int32Array(n + 1);
      this.catCodes = new Int32Array(0);
      this.categoryNames = [];
    }
    if (init.group) {
      check('group.codes', init.group.codes.length, n);
      this.group = init.group.codes;
      this.groupNames = init.group.names;
    } else {
      this.group = new Int32Array(n);
      for (let i = 0; i < n; i++) this.group[i] = this.catIndptr[i + 1] > this.catIndptr[i] ? this.catCodes[this.catIndptr[i]] : -1;
      this.groupNames = this.categoryNames;
    }
    const f64 = (field: string, a: Float64Array | undefined, fill: number): Float64Array => {
      if (a) check(field, a.length, n);
      return a ?? new Float64Array(n).fill(fill);
    };
    this.firstSeen = f64('firstSeen', init.firstSeen, NaN);
    this.year = f64('year', init.year, NaN);
    const f32 = (field: string, a: Float32Array | undefined): Float32Array => {
      if (a) check(field, a.length, n);
      return a ?? new Float32Array(n);
    };
    this.popularity = f32('popularity', init.popularity);
    this.trending = f32('trending', init.trending);
    this.minAge = f32('minAge', init.minAge);
    const u8 = (field: string, a: Uint8Array | undefined): Uint8Array => {
      if (a) check(field, a.length, n);
      return a ?? new Uint8Array(n);
    };
    this.hidden = u8('hidden', init.hidden);
    this.outOfStock = u8('outOfStock', init.outOfStock);
    const num = new Map<string, Float64Array>();
    for (const [k, v] of Object.entries(init.numeric ?? {})) {
      check(`numeric.${k}`, v.length, n);
      num.set(k, v);
    }
    const str = new Map<string, StringAttribute>();
    for (const [k, v] of Object.entries(init.strings ?? {})) {
      check(`strings.${k}.indptr`, v.indptr.length, n + 1);
      str.set(k, v);
    }
    this.numeric = num;
    this.strings = str;
    let tot = 0;
    for (let i = 0; i < n; i++) tot += this.popularity[i];
    this.totalPopularity = tot;
  }

  /** The item's title, else its external id, else `#index`. */
  title(item: number): string {
    const t = this.titles[item];
    if (t) return t;
    if (this.ids && item >= 0 && item < this.ids.size) return this.ids.id(item);
    return `#${item}`;
  }

  /** Category codes of an item (a view). */
  categoriesOf(item: number): Int32Array {
    return this.catCodes.subarray(this.catIndptr[item], this.catIndptr[item + 1]);
  }

  /** Name of the item's first category, or '' when it has none. */
  firstCategoryName(item: number): string {
    const s = this.catIndptr[item];
    return this.catIndptr[item + 1] > s ? (this.categoryNames[this.catCodes[s]] ?? '') : '';
  }

  /**
   * Age of the item at `now` in days: from the release year (1 January) when `from` is 'release',
   * else from the first interaction; falls back to the other when one is unknown. NaN when neither is.
   */
  ageDays(item: number, now: number, from: 'firstSeen' | 'release' = 'firstSeen'): number {
    const rel = this.year[item] === this.year[item] ? Date.UTC(this.year[item], 0, 1) / 1000 : NaN;
    const fs = this.firstSeen[item];
    const t = from === 'release' ? (rel === rel ? rel : fs) : fs === fs ? fs : rel;
    return (now - t) / DAY;
  }

  /** Novelty of an item: -log2(popularity / total), popularity at least 1. */
  novelty(item: number): number {
    const tot = Math.max(this.totalPopularity, 1);
    return -Math.log2(Math.max(this.popularity[item], 1) / tot);
  }

  /** Builds the catalogue from interactions and the dataset's item feature table (if any). */
  static fromDataset(data: Dataset, opts: CatalogOptions = {}): ItemCatalog {
    const n = data.nItems;
    const popularity = new Float32Array(n);
    const firstSeen = new Float64Array(n).fill(NaN);
    const trending = new Float32Array(n);
    for (let k = 0; k < data.size; k++) popularity[data.item[k]]++;
    const time = data.time;
    if (time) {
      let latest = -Infinity;
      for (let k = 0; k < data.size; k++) {
        const it = data.item[k];
        const t = time[k];
        if (!(firstSeen[it] <= t)) firstSeen[it] = t;
        if (t > latest) latest = t;
      }
      const now = opts.now ?? latest;
      const hl = opts.trendingHalfLifeDays ?? 7;
      if (!(hl > 0)) throw paramError('trendingHalfLifeDays', hl, 'a positive number of days');
      const rate = Math.LN2 / (hl * DAY);
      for (let k = 0; k < data.size; k++) {
        const dt = now - time[k];
        if (dt >= 0) trending[data.item[k]] += Math.exp(-rate * dt);
      }
    }
    const init: ItemCatalogInit = { nItems: n, ids: data.items, popularity, trending, firstSeen };
    const table = data.itemFeatures;
    if (table) Object.assign(init, fromFeatures(table, data.items, opts));
    return new ItemCatalog(init);
  }
}

/** Reads categories, group, titles, year, flags and all other columns from a feature table. */
function fromFeatures(table: FeatureTable, items: IdMap, opts: CatalogOptions): Partial<ItemCatalogInit> {
  const n = items.size;
  const rows = alignRows(table, items);
  const pick = (explicit: string | undefined, names: string[]): FeatureColumn | undefined => {
    if (explicit !== undefined) {
      const c = findColumn(table, explicit);
      if (!c) throw paramError('catalog column', explicit, `one of the item feature columns: ${table.columns.map((x) => x.name).join(', ')}`);
      return c;
    }
    for (const name of names) {
      const c = findColumn(table, name);
      if (c) return c;
    }
    return undefined;
  };
  const out: Partial<ItemCatalogInit> = {};
  const strings: Record<string, StringAttribute> = {};
  const numeric: Record<string, Float64Array> = {};
  for (const col of table.columns) {
    if (col.kind === 'numeric') {
      const v = new Float64Array(n).fill(NaN);
      for (let i = 0; i < n; i++) if (rows[i] >= 0) v[i] = col.values[rows[i]];
      numeric[col.name] = v;
    } else if (col.kind !== 'text' || col.name !== (opts.titleColumn ?? 'title')) {
      strings[col.name] = stringAttribute(col, rows);
    }
  }
  out.numeric = numeric;
  out.strings = strings;
  const cat = pick(opts.categoryColumn, ['genres', 'categories', 'category', 'tags']);
  if (cat && cat.kind !== 'numeric') {
    const a = strings[cat.name];
    out.categories = { indptr: a.indptr, codes: a.codes, names: a.vocab };
  }
  const grp = pick(opts.groupColumn, ['artist', 'brand', 'group']);
  if (grp && grp.kind !== 'numeric') {
    const a = strings[grp.name];
    const codes = new Int32Array(n).fill(-1);
    for (let i = 0; i < n; i++) if (a.indptr[i + 1] > a.indptr[i]) codes[i] = a.codes[a.indptr[i]];
    out.group = { codes, names: a.vocab };
  }
  const title = pick(opts.titleColumn, ['title', 'name']);
  if (title && title.kind === 'text') out.titles = Array.from(rows, (r) => (r >= 0 ? title.values[r] : ''));
  if (numeric[opts.yearColumn ?? 'year']) out.year = numeric[opts.yearColumn ?? 'year'];
  const flag = (name: string): Uint8Array | undefined => {
    const v = numeric[name];
    if (!v) return undefined;
    const f = new Uint8Array(n);
    for (let i = 0; i < n; i++) f[i] = v[i] !== 0 && v[i] === v[i] ? 1 : 0;
    return f;
  };
  out.hidden = flag(opts.hiddenColumn ?? 'hidden');
  out.outOfStock = flag(opts.outOfStockColumn ?? 'outOfStock');
  const ma = numeric[opts.minAgeColumn ?? 'minAge'];
  if (ma) out.minAge = Float32Array.from(ma, (x) => (x === x ? x : 0));
  return out;
}

function stringAttribute(col: Exclude<FeatureColumn, { kind: 'numeric' }>, rows: Int32Array): StringAttribute {
  const n = rows.length;
  const indptr = new Int32Array(n + 1);
  const codes: number[] = [];
  let vocab: string[];
  if (col.kind === 'categorical') {
    vocab = col.vocab;
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      if (r >= 0 && col.codes[r] >= 0) codes.push(col.codes[r]);
      indptr[i + 1] = codes.length;
    }
  } else if (col.kind === 'multi') {
    vocab = col.vocab;
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      if (r >= 0) for (let p = col.indptr[r]; p < col.indptr[r + 1]; p++) codes.push(col.codes[p]);
      indptr[i + 1] = codes.length;
    }
  } else {
    const index = new Map<string, number>();
    vocab = [];
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      const s = r >= 0 ? col.values[r] : '';
      if (s !== '') {
        let c = index.get(s);
        if (c === undefined) {
          c = vocab.length;
          vocab.push(s);
          index.set(s, c);
        }
        codes.push(c);
      }
      indptr[i + 1] = codes.length;
    }
  }
  return { indptr, codes: Int32Array.from(codes), vocab };
}

/** Impressions and clicks: per item (exploration) and per user and item (fatigue). */
export interface ItemStats {
  impressions(item: number): number;
  clicks(item: number): number;
  /** Total impressions over all items. */
  totalImpressions(): number;
  /** How many times `item` was shown to `user`. */
  userImpressions(user: number, item: number): number;
  recordImpression(user: number, item: number, count?: number): void;
  recordClick(user: number, item: number, count?: number): void;
}

/** In-memory ItemStats: typed arrays per item (grown on demand) and a map per user. */
export class MemoryItemStats implements ItemStats {
  private imp: Float64Array;
  private clk: Float64Array;
  private total = 0;
  private readonly perUser = new Map<number, Map<number, number>>();

  constructor(nItems = 0) {
    this.imp = new Float64Array(nItems);
    this.clk = new Float64Array(nItems);
  }

  private grow(item: number): void {
    if (!Number.isInteger(item) || item < 0) throw paramError('item', item, 'a non-negative item index');
    if (item < this.imp.length) return;
    const cap = Math.max(item + 1, this.imp.length * 2);
    const a = new Float64Array(cap);
    a.set(this.imp);
    const b = new Float64Array(cap);
    b.set(this.clk);
    this.imp = a;
    this.clk = b;
  }

  impressions(item: number): number {
    return item >= 0 && item < this.imp.length ? this.imp[item] : 0;
  }
  clicks(item: number): number {
    return item >= 0 && item < this.clk.length ? this.clk[item] : 0;
  }
  totalImpressions(): number {
    return this.total;
  }
  userImpressions(user: number, item: number): number {
    return this.perUser.get(user)?.get(item) ?? 0;
  }
  recordImpression(user: number, item: number, count = 1): void {
    this.grow(item);
    this.imp[item] += count;
    this.total += count;
    let m = this.perUser.get(user);
    if (!m) this.perUser.set(user, (m = new Map()));
    m.set(item, (m.get(item) ?? 0) + count);
  }
  recordClick(_user: number, item: number, count = 1): void {
    this.grow(item);
    this.clk[item] += count;
  }
}
