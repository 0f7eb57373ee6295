/**
 * Training sets for rankers: from a holdout of the interactions (each user's last — or random —
 * interactions are the positives among candidates generated from the earlier history; the other
 * candidates are negatives; query = user), or from logged impressions (clicked = positive,
 * shown and not clicked = negative; query = one (user, time) request).
 */
import { AffinityError, paramError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { Dataset } from '../data/dataset.js';
import type { CandidateSet, RequestContext } from '../pipeline/types.js';
import type { CandidateGenerator } from './candidates.js';
import type { FeatureBuilder } from './features.js';
import type { RankingData } from './types.js';

/** Each user's interactions, oldest first (ties by row order). */
export interface UserHistories {
  indptr: Int32Array;
  items: Int32Array;
  values: Float32Array;
  times: Float64Array | null;
  /** Row of the dataset of each entry. */
  rows: Int32Array;
}

export function userHistories(data: Dataset): UserHistories {
  const n = data.size;
  const indptr = new Int32Array(data.nUsers + 1);
  for (let k = 0; k < n; k++) indptr[data.user[k] + 1]++;
  for (let u = 0; u < data.nUsers; u++) indptr[u + 1] += indptr[u];
  const fill = indptr.slice(0, data.nUsers);
  const rows = new Int32Array(n);
  for (let k = 0; k < n; k++) rows[fill[data.user[k]]++] = k;
  const t = data.time;
  if (t) {
    for (let u = 0; u < data.nUsers; u++) {
      const seg = rows.subarray(indptr[u], indptr[u + 1]);
      seg.sort((a, b) => t[a] - t[b] || a - b);
    }
  }
  return {
    indptr,
    rows,
    items: Int32Array.from(rows, (r) => data.item[r]),
    values: Float32Array.from(rows, (r) => data.value[r]),
    times: t ? Float64Array.from(rows, (r) => t[r]) : null,
  };
}

/** The request of user u with their whole history in `h` (or its entries before time `before`). */
export function requestFor(h: UserHistories, user: number, now: number, before = Infinity, context?: RequestContext['context']): RequestContext {
  const a = h.indptr[user];
  let b = h.indptr[user + 1];
  if (h.times && before < Infinity) while (b > a && h.times[b - 1] >= before) b--;
  const req: RequestContext = {
    user,
    history: { items: h.items.subarray(a, b), values: h.values.subarray(a, b), times: h.times ? h.times.subarray(a, b) : null },
    now,
  };
  if (context) req.context = context;
  return req;
}

export interface HoldoutOptions {
  /** Interactions held out per user (default 1). */
  nHoldout?: number;
  /** Instead of nHoldout: this share of each user's interactions (rounded, at least 1). */
  fraction?: number;
  /** 'last' = the latest by time (needs times), 'random' = drawn at random (default 'last'). */
  mode?: 'last' | 'random';
  /** Users with fewer than nHoldout + minHistory interactions keep all of them (default 2). */
  minHistory?: number;
  seed?: number;
}

/** Splits `data` into the earlier history and the held-out interactions (same id maps). */
export function holdout(data: Dataset, opts: HoldoutOptions = {}): { early: Dataset; heldOut: Dataset } {
  const nH = opts.nHoldout ?? 1;
  const mode = opts.mode ?? 'last';
  const minH = opts.minHistory ?? 2;
  if (!(Number.isInteger(nH) && nH >= 1)) throw paramError('nHoldout', nH, 'an integer >= 1');
  const frac = opts.fraction;
  if (frac !== undefined && !(frac > 0 && frac < 1)) throw paramError('fraction', frac, 'a number in (0, 1)');
  if (mode !== 'last' && mode !== 'random') throw paramError('mode', mode, "'last' or 'random'");
  if (mode === 'last' && !data.time) throw paramError('mode', mode, "'random' for data without timestamps");
  const h = userHistories(data);
  const rng = new Rng(opts.seed ?? 1);
  const out = new Uint8Array(data.size);
  for (let u = 0; u < data.nUsers; u++) {
    const a = h.indptr[u];
    const len = h.indptr[u + 1] - a;
    const m = frac === undefined ? nH : Math.max(1, Math.round(frac * len));
    if (len < m + minH) continue;
    if (mode === 'last') for (let k = len - m; k < len; k++) out[h.rows[a + k]] = 1;
    else {
      const perm = rng.permutation(len);
      for (let k = 0; k < m; k++) out[h.rows[a + perm[k]]] = 1;
    }
  }
  const early: number[] = [];
  const held: number[] = [];
  for (let k = 0; k < data.size; k++) (out[k] ? held : early).push(k);
  return { early: data.subset(early), heldOut: data.subset(held) };
}

/** A ranking data set with the (user, item) of every row. */
export interface TrainingSet extends RankingData {
  users: Int32Array;
  items: Int32Array;
}

export interface BuildOptions {
  builder: FeatureBuilder;
  generate: CandidateGenerator;
  /** Candidates per query (default 200). */
  nCandidates?: number;
  /** Keep queries whose candidates hold no positive (default false: they carry no ranking signal). */
  keepEmptyQueries?: boolean;
}

/**
 * Queries from a holdout: for every user with held-out rows, candidates from the `early` history;
 * label 1 for held-out items among them, 0 for the others. The request time is the user's first
 * held-out interaction (or the latest time of `early`).
 */
export function buildTrainingSet(early: Dataset, heldOut: Dataset, opts: BuildOptions): TrainingSet {
  const n = opts.nCandidates ?? 200;
  const h = userHistories(early);
  const held = userHistories(heldOut);
  let lastTime = 0;
  if (early.time) for (let k = 0; k < early.size; k++) lastTime = Math.max(lastTime, early.time[k]);
  const acc = new Accumulator(opts.builder);
  for (let u = 0; u < early.nUsers; u++) {
    const a = held.indptr[u];
    const b = held.indptr[u + 1];
    if (a === b) continue;
    const now = held.times ? held.times[a] : lastTime;
    const req = requestFor(h, u, now);
    const cands = opts.generate(req, n);
    const pos = new Set<number>(held.items.subarray(a, b));
    const labels = Float32Array.from(cands.items, (i) => (pos.has(i) ? 1 : 0));
    if (!opts.keepEmptyQueries && !labels.some((l) => l > 0)) continue;
    acc.add(u, req, cands, labels);
  }
  return acc.finish();
}

/** Logged impressions: one row per shown item; `clicked` 1 = positive. */
export interface ImpressionLog {
  user: Int32Array;
  item: Int32Array;
  clicked: Uint8Array;
  /** Request time of the impression (rows with the same user and time form one query). */
  time: Float64Array;
  /** Optional: which source proposed each item (indexes sourceNames) and its score. */
  source?: Uint8Array;
  sourceScore?: Float32Array;
  sourceNames?: string[];
  context?: (RequestContext['context'] | undefined)[];
}

/** Queries from logged impressions; histories are the users' interactions in `data` before each request. */
export function buildImpressionTrainingSet(data: Dataset, log: ImpressionLog, builder: FeatureBuilder): TrainingSet {
  const m = log.user.length;
  for (const [k, a] of [['item', log.item], ['clicked', log.clicked], ['time', log.time]] as const) if (a.length !== m) throw paramError(`impressions.${k}`, a.length, `${m} values, one per impression`);
  const h = userHistories(data);
  const order = Int32Array.from({ length: m }, (_, k) => k).sort((a, b) => log.user[a] - log.user[b] || log.time[a] - log.time[b] || a - b);
  const acc = new Accumulator(builder);
  const names = log.sourceNames ?? ['logged'];
  for (let s = 0; s < m; ) {
    let e = s + 1;
    while (e < m && log.user[order[e]] === log.user[order[s]] && log.time[order[e]] === log.time[order[s]]) e++;
    const rows = order.subarray(s, e);
    const u = log.user[rows[0]];
    if (!(u >= 0 && u < data.nUsers)) throw new AffinityError('E_UNKNOWN_ID', `impressions: user index ${u} out of range 0..${data.nUsers - 1}`, { field: 'impressions.user' });
    const now = log.time[rows[0]];
    const req = requestFor(h, u, now, now, log.context?.[rows[0]]);
    const cands: CandidateSet = {
      items: Int32Array.from(rows, (r) => log.item[r]),
      sourceScore: Float32Array.from(rows, (r) => log.sourceScore?.[r] ?? 0),
      source: Uint8Array.from(rows, (r) => log.source?.[r] ?? 0),
      sourceNames: names,
    };
    acc.add(u, req, cands, Float32Array.from(rows, (r) => (log.clicked[r] ? 1 : 0)));
    s = e;
  }
  return acc.finish();
}

class Accumulator {
  private readonly parts: Float32Array[] = [];
  private readonly labels: Float32Array[] = [];
  private readonly users: number[] = [];
  private readonly items: Int32Array[] = [];
  private readonly groups: number[] = [0];
  private rows = 0;
  constructor(private readonly builder: FeatureBuilder) {}

  add(user: number, req: RequestContext, cands: CandidateSet, labels: Float32Array): void {
    if (cands.items.length === 0) return;
    this.parts.push(this.builder.build(req, cands));
    this.labels.push(labels);
    this.items.push(cands.items);
    for (let k = 0; k < cands.items.length; k++) this.users.push(user);
    this.rows += cands.items.length;
    this.groups.push(this.rows);
  }

  finish(): TrainingSet {
    const nc = this.builder.nCols;
    const features = new Float32Array(this.rows * nc);
    const labels = new Float32Array(this.rows);
    const items = new Int32Array(this.rows);
    let o = 0;
    this.parts.forEach((p, q) => {
      features.set(p, o * nc);
      labels.set(this.labels[q], o);
      items.set(this.items[q], o);
      o += this.labels[q].length;
    });
    return { features, nRows: this.rows, nCols: nc, labels, groupPtr: Int32Array.from(this.groups), schema: this.builder.schema, users: Int32Array.from(this.users), items };
  }
}

/** Several training sets (same schema) as one: rows and queries appended in order. */
export function concatTrainingSets(sets: TrainingSet[]): TrainingSet {
  if (sets.length === 0) throw paramError('sets', 0, 'at least one training set');
  const schema = sets[0].schema;
  const nCols = sets[0].nCols;
  for (const s of sets) {
    if (s.nCols !== nCols || s.schema.version !== schema.version || s.schema.names.join('\u0000') !== schema.names.join('\u0000')) throw paramError('sets', s.schema.names.length, `training sets of one schema (${nCols} features)`);
  }
  const nRows = sets.reduce((a, s) => a + s.nRows, 0);
  const features = new Float32Array(nRows * nCols);
  const labels = new Float32Array(nRows);
  const users = new Int32Array(nRows);
  const items = new Int32Array(nRows);
  const groups: number[] = [0];
  let o = 0;
  for (const s of sets) {
    features.set(s.features.subarray(0, s.nRows * nCols), o * nCols);
    labels.set(s.labels, o);
    users.set(s.users, o);
    items.set(s.items, o);
    for (let q = 1; q < s.groupPtr.length; q++) groups.push(o + s.groupPtr[q]);
    o += s.nRows;
  }
  return { features, nRows, nCols, labels, groupPtr: Int32Array.from(groups), schema, users, items };
}
