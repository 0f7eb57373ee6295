import { readHistory } from '../models/history.js';
import { AffinityError, throwIfAborted } from '../core/errors.js';
import type { Dataset } from '../data/dataset.js';
import { alignRows, type FeatureTable } from '../data/features.js';
import { BaseRecommender, type SavedParts } from '../models/base.js';
import { defineModel, type ModelEntry } from '../models/entry.js';
import type { ParamSpecs } from '../models/params.js';
import type { FitOptions, FitReport, ModelCapabilities } from '../models/recommender.js';

/** Age bands of MovieLens 1M (lower bounds): under 18, 18-24, 25-34, 35-44, 45-49, 50-55, 56+. */
export const AGE_BANDS = [18, 25, 35, 45, 50, 56];

/**
 * Segment of every user of `users` from the named feature columns of `table` (categorical as is,
 * numeric binned into AGE_BANDS). Users without a feature row get -1. Returns segment ids and labels.
 */
export function userSegments(table: FeatureTable | null, users: Dataset['users'], names: string[]): { segment: Int32Array; labels: string[] } {
  const segment = new Int32Array(users.size).fill(-1);
  const labels: string[] = [];
  if (!table) return { segment, labels };
  const cols = table.columns.filter((c) => names.includes(c.name) && (c.kind === 'categorical' || c.kind === 'numeric'));
  if (cols.length === 0) return { segment, labels };
  const rows = alignRows(table, users);
  const ids = new Map<string, number>();
  for (let u = 0; u < users.size; u++) {
    const r = rows[u];
    if (r < 0) continue;
    const parts: string[] = [];
    for (const c of cols) {
      if (c.kind === 'categorical') parts.push(c.codes[r] < 0 ? '?' : c.vocab[c.codes[r]]);
      else if (c.kind === 'numeric') {
        const v = c.values[r];
        parts.push(Number.isNaN(v) ? '?' : `band${AGE_BANDS.filter((b) => v >= b).length}`);
      }
    }
    const key = parts.join('|');
    let id = ids.get(key);
    if (id === undefined) {
      id = labels.length;
      ids.set(key, id);
      labels.push(key);
    }
    segment[u] = id;
  }
  return { segment, labels };
}

export const SEGMENT_PARAMS: ParamSpecs = {
  features: { default: 'gender,age,occupation', doc: 'User feature columns defining a segment (comma-separated; numeric ones, e.g. age, are binned into age bands). Columns the data lacks are ignored.' },
  smoothing: { default: 20, min: 0, doc: 'Pseudo-users of global popularity mixed into each segment: (c_si + m p_i) / (n_s + m).' },
};

/**
 * Popularity within a demographic segment: score_i = (users of the segment who took i + m * p_i) /
 * (segment size + m), p_i = the share of all users who took i. Users without features (or outside
 * every segment) get p_i. History-based scoring ignores the history (no user features there).
 */
export class SegmentPopularity extends BaseRecommender {
  readonly capabilities: ModelCapabilities = { rating: false, similarItems: false, similarUsers: false };
  userSegment: Int32Array = new Int32Array(0);
  segScores: Float32Array = new Float32Array(0);
  global: Float32Array = new Float32Array(0);
  labels: string[] = [];

  protected train(data: Dataset, opts: FitOptions): Partial<FitReport> {
    throwIfAborted(opts.signal);
    const names = String(this.params.features).split(',').map((s) => s.trim()).filter(Boolean);
    const { segment, labels } = userSegments(data.userFeatures, data.users, names);
    this.userSegment = segment;
    this.labels = labels;
    const nI = data.nItems;
    const nS = labels.length;
    const m = Number(this.params.smoothing);
    const counts = new Float64Array(nS * nI);
    const size = new Float64Array(nS);
    const glob = new Float64Array(nI);
    const csr = data.csr();
    let nActive = 0;
    for (let u = 0; u < data.nUsers; u++) {
      const s = csr.indptr[u];
      const e = csr.indptr[u + 1];
      if (e === s) continue;
      nActive++;
      const g = segment[u];
      if (g >= 0) size[g]++;
      for (let p = s; p < e; p++) {
        const i = csr.indices[p];
        glob[i]++;
        if (g >= 0) counts[g * nI + i]++;
      }
    }
    this.global = new Float32Array(nI);
    for (let i = 0; i < nI; i++) this.global[i] = nActive ? glob[i] / nActive : 0;
    this.segScores = new Float32Array(nS * nI);
    for (let g = 0; g < nS; g++) {
      const den = size[g] + m;
      for (let i = 0; i < nI; i++) this.segScores[g * nI + i] = den > 0 ? (counts[g * nI + i] + m * this.global[i]) / den : this.global[i];
    }
    return {};
  }

  scoreAll(user: number, out: Float32Array): void {
    this.assertFitted();
    const g = user >= 0 && user < this.userSegment.length ? this.userSegment[user] : -1;
    if (g < 0) out.set(this.global);
    else out.set(this.segScores.subarray(g * this.nItems, (g + 1) * this.nItems));
  }

  override scoreHistory(rawItems: ArrayLike<number>, rawValues: ArrayLike<number> | null, out: Float32Array): void {
    this.assertFitted();
    const { items, values } = readHistory(this.name, this.nItems, rawItems, rawValues);
    out.set(this.global);
  }

  /** Segment popularity of `user` whatever the history (the segment comes from the user's features). */
  scoreUserHistory(user: number, rawItems: ArrayLike<number>, rawValues: ArrayLike<number> | null, out: Float32Array): void {
    readHistory(this.name, this.nItems, rawItems, rawValues);
    this.scoreAll(user, out);
  }

  protected saveParts(): SavedParts {
    return { stateVersion: 1, meta: { labels: this.labels }, arrays: { userSegment: this.userSegment, segScores: this.segScores, global: this.global } };
  }

  protected loadParts(parts: SavedParts): void {
    const { userSegment, segScores, global } = parts.arrays;
    if (!(userSegment instanceof Int32Array) || !(segScores instanceof Float32Array) || !(global instanceof Float32Array) || global.length !== this.nItems) {
      throw new AffinityError('E_MODEL_FILE', `${this.name}: saved state lacks userSegment/segScores/global arrays of the right types`);
    }
    this.userSegment = userSegment;
    this.segScores = segScores;
    this.global = global;
    this.labels = Array.isArray(parts.meta.labels) ? (parts.meta.labels as string[]) : [];
  }
}

export const segmentPopularity: ModelEntry = defineModel({
  name: 'segment-popularity',
  summary: 'Cold-start users: item popularity within the demographic segment (gender / age band / occupation) of the user, smoothed toward global popularity.',
  task: 'ranking',
  params: SEGMENT_PARAMS,
  build: (name, params) => new SegmentPopularity(name, params),
});
