/**
 * Ingestion helpers: validation of event batches before they reach the store (errors name the index and
 * field: `events[3].item: expected a non-empty string id ...`), and the conversion of stored events into
 * a training Dataset with event-type weights.
 */
import { paramError } from '../core/errors.js';
import { IdMap } from '../core/idmap.js';
import { Dataset } from '../data/dataset.js';
import type { EventInput, EventRecord, Store } from './types.js';
import { validateEvents } from './validate.js';

/** Training weight of each event type unless configured: view 1, cart 3, purchase 5, dislike -1. */
export const DEFAULT_EVENT_WEIGHTS: Readonly<Record<string, number>> = Object.freeze({ view: 1, cart: 3, purchase: 5, dislike: -1 });

/**
 * Checks a request body that should be an array of events. Returns normalised events (missing
 * timestamps set to `now`, optional fields null) or throws E_PARAM naming `events[i].field`.
 */
export function validateEventBatch(body: unknown, now: number = Date.now()): Array<Required<EventInput>> {
  return validateEvents(body, now, 'events');
}

/** Checks a weights table: `{ type: finite number }`. */
export function validateWeights(w: unknown, field = 'weights'): Record<string, number> {
  if (typeof w !== 'object' || w === null || Array.isArray(w)) throw paramError(field, w, 'an object of event type -> weight');
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(w)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw paramError(`${field}.${k}`, v, 'a finite number');
    out[k] = v;
  }
  return out;
}

export interface EventsToDatasetOptions {
  /**
   * 'implicit' (default): the value of a (user, item) pair is the sum of its events' weights: the event's
   * own `weight` when it has one, else the weight of its type. 'explicit': only events of `ratingTypes`
   * with a value count, and the latest one (by timestamp, then seq) gives the rating.
   */
  kind?: 'implicit' | 'explicit';
  /** Weights by type, over DEFAULT_EVENT_WEIGHTS. */
  weights?: Readonly<Record<string, number>>;
  /** Weight of types missing from the table; absent = such an event is an E_PARAM error naming the type. */
  defaultWeight?: number;
  /** Explicit mode: the event types that carry ratings (default ['rating']). */
  ratingTypes?: readonly string[];
  ratingScale?: [number, number] | null;
  /** Only events with since <= timestamp < until (Unix ms). */
  since?: number;
  until?: number;
  /** Start from these id maps (indices keep their meaning); new ids are appended. */
  users?: IdMap;
  items?: IdMap;
  source?: string;
}

/** Accumulates events into typed columns, then merges each (user, item) pair into one row. */
export class EventAccumulator {
  readonly users: IdMap;
  readonly items: IdMap;
  private user = new Int32Array(1024);
  private item = new Int32Array(1024);
  private value = new Float64Array(1024);
  private time = new Float64Array(1024);
  private n = 0;
  private readonly weights: Record<string, number>;
  private readonly ratingTypes: Set<string>;
  private readonly explicit: boolean;

  constructor(private readonly opts: EventsToDatasetOptions = {}) {
    if (opts.kind !== undefined && opts.kind !== 'implicit' && opts.kind !== 'explicit') throw paramError('kind', opts.kind, 'implicit | explicit');
    this.explicit = opts.kind === 'explicit';
    this.weights = { ...DEFAULT_EVENT_WEIGHTS, ...(opts.weights ? validateWeights(opts.weights) : {}) };
    if (opts.defaultWeight !== undefined && !Number.isFinite(opts.defaultWeight)) throw paramError('defaultWeight', opts.defaultWeight, 'a finite number');
    this.ratingTypes = new Set(opts.ratingTypes ?? ['rating']);
    this.users = opts.users ?? new IdMap();
    this.items = opts.items ?? new IdMap();
  }

  get size(): number {
    return this.n;
  }

  private grow(): void {
    const cap = this.user.length * 2;
    const g = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.user = g(this.user, (k) => new Int32Array(k));
    this.item = g(this.item, (k) => new Int32Array(k));
    this.value = g(this.value, (k) => new Float64Array(k));
    this.time = g(this.time, (k) => new Float64Array(k));
  }

  /** Adds events (in seq order); returns how many were kept. */
  add(events: readonly EventRecord[]): number {
    const { since, until, defaultWeight } = this.opts;
    let kept = 0;
    for (const e of events) {
      if (since !== undefined && e.timestamp < since) continue;
      if (until !== undefined && e.timestamp >= until) continue;
      let v: number;
      if (this.explicit) {
        if (!this.ratingTypes.has(e.type) || e.value === null) continue;
        v = e.value;
      } else if (e.weight !== null) {
        v = e.weight;
      } else {
        const w = Object.prototype.hasOwnProperty.call(this.weights, e.type) ? this.weights[e.type] : defaultWeight;
        if (w === undefined) throw paramError(`weights.${e.type}`, undefined, `a weight for event type ${JSON.stringify(e.type)} (or set defaultWeight)`);
        v = w;
      }
      if (this.n === this.user.length) this.grow();
      this.user[this.n] = this.users.add(e.user);
      this.item[this.n] = this.items.add(e.item);
      this.value[this.n] = v;
      this.time[this.n] = e.timestamp;
      this.n++;
      kept++;
    }
    return kept;
  }

  /** One row per (user, item), user-major with items ascending; time = the pair's latest event (Unix seconds). */
  toDataset(): Dataset {
    const n = this.n;
    const nUsers = this.users.size;
    const start = new Int32Array(nUsers + 1);
    for (let k = 0; k < n; k++) start[this.user[k] + 1]++;
    for (let u = 0; u < nUsers; u++) start[u + 1] += start[u];
    const fill = start.slice(0, nUsers);
    const order = new Int32Array(n);
    for (let k = 0; k < n; k++) order[fill[this.user[k]]++] = k;
    const outUser = new Int32Array(n);
    const outItem = new Int32Array(n);
    const outValue = new Float32Array(n);
    const outTime = new Float64Array(n);
    let m = 0;
    const item = this.item;
    for (let u = 0; u < nUsers; u++) {
      const row = order.subarray(start[u], start[u + 1]);
      row.sort((a, b) => item[a] - item[b] || a - b);
      let last = -1;
      let acc = 0;
      let accTime = -Infinity;
      for (let p = 0; p <= row.length; p++) {
        const k = p < row.length ? row[p] : -1;
        if (k < 0 || item[k] !== last) {
          if (last >= 0) {
            outUser[m] = u;
            outItem[m] = last;
            outValue[m] = acc;
            outTime[m] = accTime / 1000;
            m++;
          }
          if (k < 0) break;
          last = item[k];
          acc = this.value[k];
          accTime = this.time[k];
          continue;
        }
        const t = this.time[k];
        if (this.explicit) {
          // later input position = later seq; it wins ties on timestamp
          if (t >= accTime) acc = this.value[k];
        } else acc += this.value[k];
        if (t > accTime) accTime = t;
      }
    }
    return new Dataset({
      users: this.users,
      items: this.items,
      user: outUser.slice(0, m),
      item: outItem.slice(0, m),
      value: outValue.slice(0, m),
      time: outTime.slice(0, m),
      kind: this.explicit ? 'explicit' : 'implicit',
      ratingScale: this.explicit ? (this.opts.ratingScale ?? null) : null,
      source: this.opts.source ?? 'store',
    });
  }
}

/** Stored events -> Dataset (see EventsToDatasetOptions). Events must be in seq order. */
export function eventsToDataset(events: readonly EventRecord[], opts: EventsToDatasetOptions = {}): Dataset {
  const acc = new EventAccumulator(opts);
  acc.add(events);
  return acc.toDataset();
}

/**
 * Reads every event of live users and items from the store, page by page, into a Dataset. `cursor` is
 * the last seq read: events after it are the ones the dataset has not seen.
 */
export async function loadEventsDataset(
  store: Store,
  opts: EventsToDatasetOptions & { pageSize?: number; after?: number } = {},
): Promise<{ dataset: Dataset; cursor: number; events: number }> {
  const acc = new EventAccumulator(opts);
  let cursor = opts.after ?? 0;
  const limit = opts.pageSize ?? 20_000;
  let events = 0;
  for (;;) {
    const page = await store.readEvents({ after: cursor, limit });
    acc.add(page.events);
    events += page.events.length;
    cursor = page.next;
    if (page.events.length < limit) break;
  }
  return { dataset: acc.toDataset(), cursor, events };
}
