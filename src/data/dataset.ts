import { cooToCsr, transpose, type Csr } from '../core/csr.js';
import { IdMap } from '../core/idmap.js';
import type { FeatureTable } from './features.js';

export type FeedbackKind = 'explicit' | 'implicit';

export interface DatasetInit {
  users: IdMap;
  items: IdMap;
  user: Int32Array;
  item: Int32Array;
  /** Rating (explicit) or weight (implicit; dislikes are negative). */
  value: Float32Array;
  /** Unix seconds, or null when the source has none. */
  time?: Float64Array | null;
  kind: FeedbackKind;
  /** [min, max] of the rating scale for explicit data. */
  ratingScale?: [number, number] | null;
  userFeatures?: FeatureTable | null;
  itemFeatures?: FeatureTable | null;
  /** Where the data came from, for reports. */
  source?: string;
}

/**
 * A set of (user, item, value, time) interactions over id maps, stored column-wise in typed arrays.
 * (user, item) pairs are unique (duplicates were resolved by the loader's policy). Splits return
 * Datasets that share the id maps of their parent, so indices mean the same thing in train and test;
 * users or items may therefore have no rows in a given subset.
 */
export class Dataset {
  readonly users: IdMap;
  readonly items: IdMap;
  readonly user: Int32Array;
  readonly item: Int32Array;
  readonly value: Float32Array;
  readonly time: Float64Array | null;
  readonly kind: FeedbackKind;
  readonly ratingScale: [number, number] | null;
  readonly userFeatures: FeatureTable | null;
  readonly itemFeatures: FeatureTable | null;
  readonly source: string;
  private csrCache: Csr | null = null;
  private cscCache: Csr | null = null;

  constructor(init: DatasetInit) {
    this.users = init.users;
    this.items = init.items;
    this.user = init.user;
    this.item = init.item;
    this.value = init.value;
    this.time = init.time ?? null;
    this.kind = init.kind;
    this.ratingScale = init.ratingScale ?? null;
    this.userFeatures = init.userFeatures ?? null;
    this.itemFeatures = init.itemFeatures ?? null;
    this.source = init.source ?? '';
  }

  /** Number of interactions. */
  get size(): number {
    return this.user.length;
  }
  get nUsers(): number {
    return this.users.size;
  }
  get nItems(): number {
    return this.items.size;
  }

  /** users x items matrix of values (cached). */
  csr(): Csr {
    if (!this.csrCache) this.csrCache = cooToCsr(this.nUsers, this.nItems, this.user, this.item, this.value, 'last');
    return this.csrCache;
  }

  /** items x users matrix of values (cached). */
  csc(): Csr {
    if (!this.cscCache) this.cscCache = transpose(this.csr());
    return this.cscCache;
  }

  /** The rows at positions `rows`, over the same id maps and side data. */
  subset(rows: ArrayLike<number>): Dataset {
    const n = rows.length;
    const user = new Int32Array(n);
    const item = new Int32Array(n);
    const value = new Float32Array(n);
    const time = this.time ? new Float64Array(n) : null;
    for (let k = 0; k < n; k++) {
      const r = rows[k];
      user[k] = this.user[r];
      item[k] = this.item[r];
      value[k] = this.value[r];
      if (time && this.time) time[k] = this.time[r];
    }
    return this.derive({ user, item, value, time });
  }

  /** A copy with some columns replaced (same id maps and side data). */
  derive(cols: Partial<Pick<DatasetInit, 'user' | 'item' | 'value' | 'time' | 'kind' | 'ratingScale'>>): Dataset {
    return new Dataset({
      users: this.users,
      items: this.items,
      user: cols.user ?? this.user,
      item: cols.item ?? this.item,
      value: cols.value ?? this.value,
      time: cols.time === undefined ? this.time : cols.time,
      kind: cols.kind ?? this.kind,
      ratingScale: cols.ratingScale === undefined ? this.ratingScale : cols.ratingScale,
      userFeatures: this.userFeatures,
      itemFeatures: this.itemFeatures,
      source: this.source,
    });
  }

  /**
   * Explicit -> implicit: keeps rows with value >= threshold, with value 1 (binary) or the original
   * value (`binary: false`). Rows below the threshold are dropped.
   */
  toImplicit(threshold: number, binary = true): Dataset {
    const keep: number[] = [];
    for (let k = 0; k < this.size; k++) if (this.value[k] >= threshold) keep.push(k);
    const sub = this.subset(keep);
    return sub.derive({ kind: 'implicit', ratingScale: null, value: binary ? new Float32Array(sub.size).fill(1) : sub.value });
  }

  /** Attach side data. */
  withFeatures(f: { userFeatures?: FeatureTable | null; itemFeatures?: FeatureTable | null }): Dataset {
    return new Dataset({
      users: this.users,
      items: this.items,
      user: this.user,
      item: this.item,
      value: this.value,
      time: this.time,
      kind: this.kind,
      ratingScale: this.ratingScale,
      userFeatures: f.userFeatures === undefined ? this.userFeatures : f.userFeatures,
      itemFeatures: f.itemFeatures === undefined ? this.itemFeatures : f.itemFeatures,
      source: this.source,
    });
  }

  /** Number of rows per user (length nUsers). */
  userCounts(): Int32Array {
    const c = new Int32Array(this.nUsers);
    for (let k = 0; k < this.size; k++) c[this.user[k]]++;
    return c;
  }

  /** Number of rows per item (length nItems). */
  itemCounts(): Int32Array {
    const c = new Int32Array(this.nItems);
    for (let k = 0; k < this.size; k++) c[this.item[k]]++;
    return c;
  }

  /** Mean of the value column (global mean rating). */
  meanValue(): number {
    let s = 0;
    for (let k = 0; k < this.size; k++) s += this.value[k];
    return this.size ? s / this.size : 0;
  }

  /** Builds a dataset from plain triples (tests and small examples). */
  static fromTriples(
    rows: ReadonlyArray<readonly [string | number, string | number, number, number?]>,
    opts: { kind?: FeedbackKind; ratingScale?: [number, number] | null } = {},
  ): Dataset {
    const users = new IdMap();
    const items = new IdMap();
    const n = rows.length;
    const user = new Int32Array(n);
    const item = new Int32Array(n);
    const value = new Float32Array(n);
    const hasTime = rows.some((r) => r[3] !== undefined);
    const time = hasTime ? new Float64Array(n) : null;
    rows.forEach((r, k) => {
      user[k] = users.add(String(r[0]));
      item[k] = items.add(String(r[1]));
      value[k] = r[2];
      if (time) time[k] = r[3] ?? 0;
    });
    return new Dataset({ users, items, user, item, value, time, kind: opts.kind ?? 'explicit', ratingScale: opts.ratingScale ?? null });
  }
}
