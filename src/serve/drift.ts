/**
 * Drift indicators: how the recent feedback differs from the data the active model was trained on.
 *
 * - Reference: every event with seq <= the active model version's `params.eventSeq` (the cut the engine
 *   trained on; the whole log when the version does not say).
 * - Recent: the last `window` events after that cut (default 10000).
 * - eventTypeJsd: Jensen-Shannon divergence (base 2, so in [0, 1]) between the event-type distributions.
 * - itemJsd: the same between the item-popularity distributions (share of events per item).
 * - unknownItemShare: share of recent events on items with no event in the reference (items the model
 *   has not seen; new items served only by popularity until retraining).
 * - newUserShare: share of recent events by users with no event in the reference.
 *
 * DriftMonitor pulls events from the Store incrementally (readEvents after a cursor), so it needs no hook
 * into the ingestion path and sees events written by other processes too.
 */
import type { Store } from '../store/types.js';

/** Jensen-Shannon divergence (base 2) between two count vectors over the same support. */
export function jsDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new RangeError(`jsDivergence: lengths ${p.length} and ${q.length} differ`);
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) {
    sp += p[i];
    sq += q[i];
  }
  if (sp <= 0 || sq <= 0) return 0;
  let d = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i] / sp;
    const b = q[i] / sq;
    const m = 0.5 * (a + b);
    if (a > 0) d += 0.5 * a * Math.log2(a / m);
    if (b > 0) d += 0.5 * b * Math.log2(b / m);
  }
  return Math.min(1, Math.max(0, d));
}

/** JSD between two keyed count maps (the support is the union of keys). */
export function jsDivergenceOfCounts(p: ReadonlyMap<string, number>, q: ReadonlyMap<string, number>): number {
  const keys = new Map<string, number>();
  for (const k of p.keys()) if (!keys.has(k)) keys.set(k, keys.size);
  for (const k of q.keys()) if (!keys.has(k)) keys.set(k, keys.size);
  const a = new Float64Array(keys.size);
  const b = new Float64Array(keys.size);
  for (const [k, v] of p) a[keys.get(k) as number] = v;
  for (const [k, v] of q) b[keys.get(k) as number] = v;
  return jsDivergence(a, b);
}

export interface DriftReport {
  /** The reference cut (event seq) and how many events fall on each side. */
  referenceSeq: number;
  referenceEvents: number;
  recentEvents: number;
  window: number;
  eventTypeJsd: number;
  itemJsd: number;
  unknownItemShare: number;
  newUserShare: number;
  /** Event-type shares, reference and recent. */
  types: Array<{ type: string; reference: number; recent: number }>;
  /** Items with the largest gain in share (recent minus reference), at most 10. */
  risingItems: Array<{ item: string; reference: number; recent: number }>;
  computedAt: number;
}

function inc(m: Map<string, number>, k: string, by = 1): void {
  const v = (m.get(k) ?? 0) + by;
  if (v === 0) m.delete(k);
  else m.set(k, v);
}

export interface DriftOptions {
  /** Recent events compared (default 10000). */
  window?: number;
  /** Page size of the store reads (default 20000). */
  pageSize?: number;
}

export class DriftMonitor {
  private readonly window: number;
  private readonly pageSize: number;
  private refSeq = -1;
  private cursor = 0;
  private refTypes = new Map<string, number>();
  private refItems = new Map<string, number>();
  private refUsers = new Set<string>();
  private refCount = 0;
  // Ring of the recent window (item and type per slot) with running counts.
  private ringItem: string[] = [];
  private ringType: string[] = [];
  private ringUser: string[] = [];
  private ringHead = 0;
  private recTypes = new Map<string, number>();
  private recItems = new Map<string, number>();
  private recUnknown = 0;
  private recNewUser = 0;
  private running: Promise<DriftReport> | null = null;
  private last: DriftReport | null = null;

  constructor(
    private readonly store: Store,
    opts: DriftOptions = {},
  ) {
    this.window = Math.max(1, Math.floor(opts.window ?? 10_000));
    this.pageSize = Math.max(1, Math.floor(opts.pageSize ?? 20_000));
  }

  /** The latest report computed, or null before the first refresh. */
  latest(): DriftReport | null {
    return this.last;
  }

  /**
   * Reads the events stored since the last call and recomputes the indicators against the reference cut
   * `referenceSeq` (when it changes, e.g. after retraining, the counts are rebuilt from the start of the log).
   * Concurrent calls share one run.
   */
  refresh(referenceSeq: number | null): Promise<DriftReport> {
    if (this.running) return this.running;
    this.running = this.run(referenceSeq).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private reset(refSeq: number): void {
    this.refSeq = refSeq;
    this.cursor = 0;
    this.refTypes = new Map();
    this.refItems = new Map();
    this.refUsers = new Set();
    this.refCount = 0;
    this.ringItem = [];
    this.ringType = [];
    this.ringUser = [];
    this.ringHead = 0;
    this.recTypes = new Map();
    this.recItems = new Map();
    this.recUnknown = 0;
    this.recNewUser = 0;
  }

  private async run(referenceSeq: number | null): Promise<DriftReport> {
    const ref = referenceSeq ?? (await this.store.lastEventSeq());
    if (ref !== this.refSeq) this.reset(ref);
    for (;;) {
      const page = await this.store.readEvents({ after: this.cursor, limit: this.pageSize });
      for (const e of page.events) {
        if (e.seq <= this.refSeq) {
          inc(this.refTypes, e.type);
          inc(this.refItems, e.item);
          this.refUsers.add(e.user);
          this.refCount++;
        } else this.addRecent(e.item, e.type, e.user);
      }
      if (page.events.length === 0 || page.next === this.cursor) break;
      this.cursor = page.next;
      if (page.events.length < this.pageSize) break;
    }
    this.last = this.report();
    return this.last;
  }

  private addRecent(item: string, type: string, user: string): void {
    if (this.ringItem.length === this.window) {
      const h = this.ringHead;
      this.dropRecent(this.ringItem[h], this.ringType[h], this.ringUser[h]);
      this.ringItem[h] = item;
      this.ringType[h] = type;
      this.ringUser[h] = user;
      this.ringHead = (h + 1) % this.window;
    } else {
      this.ringItem.push(item);
      this.ringType.push(type);
      this.ringUser.push(user);
    }
    inc(this.recTypes, type);
    inc(this.recItems, item);
    if (!this.refItems.has(item)) this.recUnknown++;
    if (!this.refUsers.has(user)) this.recNewUser++;
  }

  private dropRecent(item: string, type: string, user: string): void {
    inc(this.recTypes, type, -1);
    inc(this.recItems, item, -1);
    if (!this.refItems.has(item)) this.recUnknown--;
    if (!this.refUsers.has(user)) this.recNewUser--;
  }

  private report(): DriftReport {
    const n = this.ringItem.length;
    const share = (m: Map<string, number>, k: string, total: number): number => (total > 0 ? (m.get(k) ?? 0) / total : 0);
    const typeKeys = [...new Set([...this.refTypes.keys(), ...this.recTypes.keys()])].sort();
    const rising: Array<{ item: string; reference: number; recent: number }> = [];
    for (const k of this.recItems.keys()) rising.push({ item: k, reference: share(this.refItems, k, this.refCount), recent: share(this.recItems, k, n) });
    rising.sort((a, b) => b.recent - b.reference - (a.recent - a.reference) || (a.item < b.item ? -1 : 1));
    return {
      referenceSeq: this.refSeq,
      referenceEvents: this.refCount,
      recentEvents: n,
      window: this.window,
      eventTypeJsd: n > 0 && this.refCount > 0 ? jsDivergenceOfCounts(this.refTypes, this.recTypes) : 0,
      itemJsd: n > 0 && this.refCount > 0 ? jsDivergenceOfCounts(this.refItems, this.recItems) : 0,
      unknownItemShare: n > 0 ? this.recUnknown / n : 0,
      newUserShare: n > 0 ? this.recNewUser / n : 0,
      types: typeKeys.map((t) => ({ type: t, reference: share(this.refTypes, t, this.refCount), recent: share(this.recTypes, t, n) })),
      risingItems: rising.slice(0, 10),
      computedAt: Date.now(),
    };
  }
}
