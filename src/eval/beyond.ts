import { paramError } from '../core/errors.js';
import type { IdMap } from '../core/idmap.js';
import { alignRows, type FeatureTable } from '../data/features.js';
import { relevantIndex, type RelevantSet } from './metrics.js';

/**
 * Beyond-accuracy metrics: coverage, diversity, novelty, serendipity, popularity bias and group
 * fairness. Lists are one user's recommendations, best first; only their first `k` entries count.
 * Per-list metrics of an empty list are NaN (the runner leaves NaN out of its means).
 */

/** Catalog coverage@K = |distinct items in the first K of all lists| / nCandidates. */
export function catalogCoverage(lists: readonly Int32Array[], k: number, nCandidates: number): number {
  if (!(nCandidates > 0)) throw paramError('nCandidates', nCandidates, 'a positive number of candidate items');
  const seen = new Set<number>();
  for (const l of lists) for (let r = 0; r < Math.min(k, l.length); r++) seen.add(l[r]);
  return seen.size / nCandidates;
}

/** Times each item appears in the first K of the lists (length nItems). */
export function exposureCounts(lists: readonly Int32Array[], k: number, nItems: number): Int32Array {
  const c = new Int32Array(nItems);
  for (const l of lists) for (let r = 0; r < Math.min(k, l.length); r++) c[l[r]]++;
  return c;
}

/**
 * Gini coefficient of exposure counts (0 = every item shown equally often, -> 1 = all exposure on one
 * item): G = sum_{i=1..n} (2i - n - 1) x_(i) / (n * sum x), with x sorted ascending. Pass the counts of
 * every candidate item, zeros included. 0 when n < 2 or nothing was shown.
 */
export function gini(counts: ArrayLike<number>): number {
  const n = counts.length;
  const x = Float64Array.from(counts).sort();
  let total = 0;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    total += x[i];
    weighted += (2 * (i + 1) - n - 1) * x[i];
  }
  return n < 2 || total === 0 ? 0 : weighted / (n * total);
}

/** Average recommendation popularity (ARP): mean of pop[item] over the first K items. */
export function averagePopularity(list: Int32Array, k: number, pop: ArrayLike<number>): number {
  const n = Math.min(k, list.length);
  if (n === 0) return NaN;
  let s = 0;
  for (let r = 0; r < n; r++) s += pop[list[r]];
  return s / n;
}

/**
 * Novelty@K: mean self-information -log2(pop_i / nUsers) of the first K items, where pop_i is the
 * number of training users of item i. An item no training user has is counted as if one had (pop 1).
 */
export function novelty(list: Int32Array, k: number, pop: ArrayLike<number>, nUsers: number): number {
  const n = Math.min(k, list.length);
  if (n === 0) return NaN;
  let s = 0;
  for (let r = 0; r < n; r++) s -= Math.log2(Math.max(1, pop[list[r]]) / nUsers);
  return s / n;
}

/**
 * Serendipity@K (Ge et al. 2010): |{items in the first K that are relevant AND unexpected}| / K, where
 * an item is unexpected when it is not in `expected`, the list a primitive recommender would give the
 * user (the runner uses the popularity top-N, N = K, of items the user has not seen). `expected` must be
 * ascending.
 */
export function serendipity(list: Int32Array, k: number, rel: RelevantSet, expected: Int32Array): number {
  const n = Math.min(k, list.length);
  const exp: RelevantSet = { items: expected };
  let c = 0;
  for (let r = 0; r < n; r++) if (relevantIndex(rel, list[r]) >= 0 && relevantIndex(exp, list[r]) < 0) c++;
  return c / k;
}

/**
 * Item vectors for intra-list diversity: sparse rows (one-hot item features) or dense embeddings.
 * Cosine similarity with a zero vector (an item without features) is 0.
 */
export class ItemVectors {
  private constructor(
    readonly nItems: number,
    private readonly indptr: Int32Array | null,
    private readonly indices: Int32Array | null,
    private readonly dense: Float32Array | null,
    private readonly dim: number,
    private readonly norms: Float64Array,
  ) {}

  /** Dense embeddings, row-major: item i is data[i*dim .. (i+1)*dim). */
  static fromEmbeddings(data: Float32Array, nItems: number, dim: number): ItemVectors {
    if (!(Number.isInteger(dim) && dim > 0) || data.length !== nItems * dim) {
      throw paramError('embeddings', data.length, `nItems * dim = ${nItems} * ${dim} values`);
    }
    const norms = new Float64Array(nItems);
    for (let i = 0; i < nItems; i++) {
      let s = 0;
      for (let d = i * dim; d < (i + 1) * dim; d++) s += data[d] * data[d];
      norms[i] = Math.sqrt(s);
    }
    return new ItemVectors(nItems, null, null, data, dim, norms);
  }

  /**
   * One-hot vectors from item features: one dimension per (column, value) of the categorical and
   * multi-valued columns (all of them, or those named in `columns`); numeric and text columns are not
   * used. `items` is the dataset's item id map; items missing from the table get a zero vector.
   */
  static fromFeatures(table: FeatureTable, items: IdMap, columns?: readonly string[]): ItemVectors {
    const cols = table.columns.filter((c) => (c.kind === 'categorical' || c.kind === 'multi') && (!columns || columns.includes(c.name)));
    if (columns) {
      for (const name of columns) {
        if (!cols.some((c) => c.name === name)) {
          const names = table.columns.filter((c) => c.kind === 'categorical' || c.kind === 'multi').map((c) => c.name);
          throw paramError('diversity features', name, `a categorical or multi-valued item feature: ${names.join(', ') || '(none)'}`);
        }
      }
    }
    const rows = alignRows(table, items);
    const nItems = items.size;
    const indptr = new Int32Array(nItems + 1);
    const idx: number[] = [];
    for (let i = 0; i < nItems; i++) {
      const row = rows[i];
      let offset = 0;
      const own: number[] = [];
      for (const c of cols) {
        if (row >= 0) {
          if (c.kind === 'categorical') {
            if (c.codes[row] >= 0) own.push(offset + c.codes[row]);
          } else if (c.kind === 'multi') {
            for (let p = c.indptr[row]; p < c.indptr[row + 1]; p++) own.push(offset + c.codes[p]);
          }
        }
        offset += c.kind === 'categorical' || c.kind === 'multi' ? c.vocab.length : 0;
      }
      own.sort((a, b) => a - b);
      for (let t = 0; t < own.length; t++) if (t === 0 || own[t] !== own[t - 1]) idx.push(own[t]);
      indptr[i + 1] = idx.length;
    }
    const norms = new Float64Array(nItems);
    for (let i = 0; i < nItems; i++) norms[i] = Math.sqrt(indptr[i + 1] - indptr[i]);
    return new ItemVectors(nItems, indptr, Int32Array.from(idx), null, 0, norms);
  }

  /** Cosine similarity of items a and b (0 when either vector is zero). */
  cosine(a: number, b: number): number {
    const na = this.norms[a];
    const nb = this.norms[b];
    if (na === 0 || nb === 0) return 0;
    let dot = 0;
    if (this.dense) {
      const v = this.dense;
      const d = this.dim;
      for (let t = 0; t < d; t++) dot += v[a * d + t] * v[b * d + t];
    } else if (this.indptr && this.indices) {
      const ip = this.indptr;
      const ix = this.indices;
      let p = ip[a];
      let q = ip[b];
      const pe = ip[a + 1];
      const qe = ip[b + 1];
      while (p < pe && q < qe) {
        if (ix[p] === ix[q]) {
          dot++;
          p++;
          q++;
        } else if (ix[p] < ix[q]) p++;
        else q++;
      }
    }
    return dot / (na * nb);
  }
}

/**
 * Intra-list diversity@K: mean over the unordered pairs of the first K items of (1 - cosine(a, b)).
 * NaN for fewer than 2 items.
 */
export function intraListDiversity(list: Int32Array, k: number, vectors: ItemVectors): number {
  const n = Math.min(k, list.length);
  if (n < 2) return NaN;
  let s = 0;
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) s += 1 - vectors.cosine(list[a], list[b]);
  return s / ((n * (n - 1)) / 2);
}

// ---- fairness across user groups ----------------------------------------------------------------

/** A partition of users into named groups: group[u] in 0..names.length-1, or -1 (no group). */
export interface UserGroups {
  by: string;
  names: string[];
  group: Int32Array;
}

/**
 * Terciles of users by a numeric value (e.g. training activity): users with a value (not NaN) are
 * sorted ascending, ties by smaller user index, and the user at sorted position r goes to group
 * floor(3r / n): 'low', 'mid', 'high'. Users marked in `exclude` (or with NaN) get -1.
 */
export function tercileGroups(by: string, values: ArrayLike<number>, include?: Uint8Array): UserGroups {
  const n = values.length;
  const users: number[] = [];
  for (let u = 0; u < n; u++) if ((!include || include[u]) && !Number.isNaN(values[u])) users.push(u);
  users.sort((a, b) => values[a] - values[b] || a - b);
  const group = new Int32Array(n).fill(-1);
  for (let r = 0; r < users.length; r++) group[users[r]] = Math.floor((3 * r) / users.length);
  return { by, names: ['low', 'mid', 'high'], group };
}

/**
 * Groups users by a user feature: categorical and text columns by value; numeric columns by terciles.
 * Unknown column names are E_PARAM errors listing the usable ones.
 */
export function featureGroups(table: FeatureTable, users: IdMap, column: string): UserGroups {
  const c = table.columns.find((x) => x.name === column);
  if (!c || c.kind === 'multi') {
    const names = table.columns.filter((x) => x.kind !== 'multi').map((x) => x.name);
    throw paramError('groupBy', column, `'activity' or a single-valued user feature: ${names.join(', ') || '(none)'}`);
  }
  const rows = alignRows(table, users);
  const group = new Int32Array(users.size).fill(-1);
  if (c.kind === 'numeric') {
    const v = new Float64Array(users.size);
    for (let u = 0; u < users.size; u++) v[u] = rows[u] >= 0 ? c.values[rows[u]] : NaN;
    return tercileGroups(column, v);
  }
  if (c.kind === 'categorical') {
    for (let u = 0; u < users.size; u++) group[u] = rows[u] >= 0 ? c.codes[rows[u]] : -1;
    return { by: column, names: c.vocab.slice(), group };
  }
  const names: string[] = [];
  const code = new Map<string, number>();
  for (let u = 0; u < users.size; u++) {
    const s = rows[u] >= 0 ? c.values[rows[u]] : '';
    if (s === '') continue;
    let g = code.get(s);
    if (g === undefined) {
      g = names.length;
      names.push(s);
      code.set(s, g);
    }
    group[u] = g;
  }
  return { by: column, names, group };
}

/**
 * Per-group means of a per-user metric (NaN values and users without a group are left out) and the
 * gap = max - min over groups with at least one user (NaN when fewer than two such groups).
 */
export function groupGap(values: ArrayLike<number>, groups: UserGroups): { means: Record<string, number>; counts: Record<string, number>; gap: number } {
  const g = groups.names.length;
  const sum = new Float64Array(g);
  const cnt = new Int32Array(g);
  for (let u = 0; u < values.length; u++) {
    const k = groups.group[u];
    const v = values[u];
    if (k < 0 || Number.isNaN(v)) continue;
    sum[k] += v;
    cnt[k]++;
  }
  const means: Record<string, number> = {};
  const counts: Record<string, number> = {};
  let lo = Infinity;
  let hi = -Infinity;
  let used = 0;
  for (let k = 0; k < g; k++) {
    if (cnt[k] === 0) continue;
    const m = sum[k] / cnt[k];
    means[groups.names[k]] = m;
    counts[groups.names[k]] = cnt[k];
    lo = Math.min(lo, m);
    hi = Math.max(hi, m);
    used++;
  }
  return { means, counts, gap: used >= 2 ? hi - lo : NaN };
}
