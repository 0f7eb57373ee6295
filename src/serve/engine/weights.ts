/**
 * Event weights of the engine: the training value and the real-time fold-in value of a stored event.
 * A weight given on the event itself wins; otherwise the weight of its type (view 1, cart 3, purchase 5,
 * dislike -1, any other type 1). A `rating` event without its own weight is value-based: its value
 * times the configured `rating` weight (default 1), so a 5-star rating counts like a purchase.
 */
import { paramError } from '../../core/errors.js';
import { IdMap } from '../../core/idmap.js';
import { Dataset } from '../../data/dataset.js';
import { EventAccumulator, DEFAULT_EVENT_WEIGHTS, validateWeights } from '../../store/ingest.js';
import type { EventRecord, Store } from '../../store/types.js';

export type EventWeights = Readonly<Record<string, number>>;

/** Weight of types missing from the table. */
export const OTHER_TYPE_WEIGHT = 1;

/** DEFAULT_EVENT_WEIGHTS plus `rating: 1` (a multiplier of the rating value), overridden by `given`. */
export function resolveWeights(given?: Record<string, number>): EventWeights {
  const w = { ...DEFAULT_EVENT_WEIGHTS, rating: 1, ...(given ? validateWeights(given, 'eventWeights') : {}) };
  return Object.freeze(w);
}

/** The value one event adds to its (user, item) pair. */
export function eventWeight(e: Pick<EventRecord, 'type' | 'weight' | 'value'>, weights: EventWeights): number {
  if (e.weight !== null && Number.isFinite(e.weight)) return e.weight;
  const w = Object.prototype.hasOwnProperty.call(weights, e.type) ? weights[e.type] : OTHER_TYPE_WEIGHT;
  if (e.type === 'rating') return e.value !== null && Number.isFinite(e.value) ? e.value * w : w;
  return w;
}

/** Fills each event's weight from the table (value-based ratings included) so EventAccumulator sums them. */
function weighted(events: readonly EventRecord[], weights: EventWeights): EventRecord[] {
  return events.map((e) => (e.weight !== null ? e : { ...e, weight: eventWeight(e, weights) }));
}

/** Accumulates store events (in seq order) into an implicit Dataset; pairs whose total is <= 0 are dropped. */
export class TrainingData {
  private readonly acc: EventAccumulator;
  lastSeq = 0;
  events = 0;

  constructor(private readonly weights: EventWeights) {
    this.acc = new EventAccumulator({ kind: 'implicit', weights: { ...weights }, defaultWeight: OTHER_TYPE_WEIGHT, source: 'store' });
  }

  add(events: readonly EventRecord[]): void {
    if (events.length === 0) return;
    this.acc.add(weighted(events, this.weights));
    this.events += events.length;
    this.lastSeq = Math.max(this.lastSeq, events[events.length - 1].seq);
  }

  /** The positive pairs (dislikes and cancelled pairs left out), over the full id maps. */
  dataset(): Dataset {
    const d = this.acc.toDataset();
    let m = 0;
    for (let k = 0; k < d.size; k++) if (d.value[k] > 0) m++;
    if (m === d.size) return d;
    const keep = new Int32Array(m);
    m = 0;
    for (let k = 0; k < d.size; k++) if (d.value[k] > 0) keep[m++] = k;
    return d.subset(keep);
  }

  get users(): IdMap {
    return this.acc.users;
  }
}

/** Reads every live event after `after` from the store into a TrainingData. */
export async function readTrainingData(store: Store, weights: EventWeights, after = 0, pageSize = 20_000): Promise<TrainingData> {
  if (!Number.isInteger(pageSize) || pageSize < 1) throw paramError('pageSize', pageSize, 'a positive integer');
  const td = new TrainingData(weights);
  let cursor = after;
  for (;;) {
    const page = await store.readEvents({ after: cursor, limit: pageSize });
    td.add(page.events);
    cursor = page.next;
    if (page.events.length < pageSize) break;
  }
  td.lastSeq = Math.max(td.lastSeq, cursor);
  return td;
}
