/**
 * The one feature builder of the ranking stage, used offline (training sets) and online (serving),
 * so both compute the same features. Fitted once on a context (interactions, named CF models, item
 * content and categories); then `build(req, candidates)` fills one Float32Array row per candidate.
 *
 * Columns (in this order; `schema.names`):
 *   source:<s>, source:<s>:from   the candidate's score from source s (0 when it came from another
 *                                 source) and an indicator that it came from s, for every source name;
 *   cf:<model>, cf:<model>:pct    the named collaborative model's score of the item for this user, and
 *                                 its percentile among this request's candidates (1 = best, 0 = worst;
 *                                 ties share the best rank): scale-free, so it survives refitting the
 *                                 model on more data between training and serving;
 *   content:sim                   cosine of the item's content row with the user's profile (the sum of
 *                                 the history items' rows); only when item content is given;
 *   item:logPop, item:popPct,     log(1 + interactions), the share of the context's items with fewer
 *   item:ageDays                  interactions, and days from the item's first interaction to the
 *                                 request time (NaN when the item was never seen or there is no time);
 *   user:logActivity              log(1 + history length);
 *   user:catAffinity              mean over the item's categories of the share of the user's history in
 *                                 that category (NaN without history); only when categories are given;
 *   ctx:hourSin, ctx:hourCos      the request hour on the 24-hour circle (NaN when not given);
 *   ctx:wd0..ctx:wd6              weekday one-hot (all 0 when not given);
 *   ctx:dev:<d>, ctx:dev:other    device one-hot over the fitted device names (all 0 when not given).
 */
import type { Csr } from '../core/csr.js';
import { AffinityError, paramError } from '../core/errors.js';
import type { Dataset } from '../data/dataset.js';
import { alignRows, findColumn, type FeatureTable } from '../data/features.js';
import type { Recommender } from '../models/recommender.js';
import type { CandidateSet, RequestContext } from '../pipeline/types.js';
import type { FeatureSchema } from './types.js';

export const FEATURE_VERSION = 1;
const DAY = 86_400;

/** Item categories as a multi-valued column over the dataset's item indices. */
export interface ItemCategories {
  indptr: Int32Array;
  codes: Int32Array;
  nCategories: number;
}

export interface FeatureContextInit {
  /** The interactions the context is fitted on (popularity, first-seen times). */
  data: Dataset;
  /** Candidate source names, in a fixed order (unknown sources at build time get no source features). */
  sourceNames: string[];
  /** Named collaborative models (fitted over the same item indices as `data`). */
  models?: { name: string; model: Recommender }[];
  /** Item x content-feature rows (e.g. `buildFeatureMatrix(...).csr` of src/features/matrix.ts). */
  itemContent?: Csr | null;
  itemCategories?: ItemCategories | null;
  /** Device names for the one-hot (others map to ctx:dev:other). */
  devices?: string[];
}

/** Categories of the dataset's items from a categorical or multi-valued column of an item FeatureTable. */
export function categoriesFromTable(table: FeatureTable, data: Dataset, column: string): ItemCategories {
  const col = findColumn(table, column);
  if (!col || (col.kind !== 'categorical' && col.kind !== 'multi')) throw paramError('categoryColumn', column, `a categorical or multi-valued item column (have ${table.columns.map((c) => c.name).join(', ')})`);
  const rowOf = alignRows(table, data.items);
  const indptr = new Int32Array(data.nItems + 1);
  const codes: number[] = [];
  for (let i = 0; i < data.nItems; i++) {
    const r = rowOf[i];
    if (r >= 0) {
      if (col.kind === 'categorical') {
        if (col.codes[r] >= 0) codes.push(col.codes[r]);
      } else for (let p = col.indptr[r]; p < col.indptr[r + 1]; p++) codes.push(col.codes[p]);
    }
    indptr[i + 1] = codes.length;
  }
  return { indptr, codes: Int32Array.from(codes), nCategories: col.vocab.length };
}

export class FeatureBuilder {
  readonly schema: FeatureSchema;
  readonly nItems: number;
  private readonly sourceIndex: Map<string, number>;
  private readonly logPop: Float32Array;
  private readonly popPct: Float32Array;
  private readonly firstSeen: Float64Array | null;
  private readonly cols: { cf: number; content: number; pop: number; user: number; cat: number; hour: number; wd: number; dev: number };
  private readonly deviceIndex: Map<string, number>;

  private constructor(private readonly init: Required<Pick<FeatureContextInit, 'data' | 'sourceNames' | 'models' | 'devices'>> & FeatureContextInit) {
    const { data, sourceNames, models, devices } = init;
    this.nItems = data.nItems;
    for (const m of models) {
      if (m.model.items.size !== data.nItems) throw paramError(`models.${m.name}`, m.model.items.size, `a model over the context's ${data.nItems} items`);
    }
    if (init.itemContent && init.itemContent.nRows !== data.nItems) throw paramError('itemContent', init.itemContent.nRows, `${data.nItems} item rows`);
    if (init.itemCategories && init.itemCategories.indptr.length !== data.nItems + 1) throw paramError('itemCategories', init.itemCategories.indptr.length - 1, `${data.nItems} items`);
    if (new Set(sourceNames).size !== sourceNames.length) throw paramError('sourceNames', sourceNames, 'unique names');
    const names: string[] = [];
    for (const s of sourceNames) names.push(`source:${s}`, `source:${s}:from`);
    const cf = names.length;
    for (const m of models) names.push(`cf:${m.name}`, `cf:${m.name}:pct`);
    const content = init.itemContent ? names.push('content:sim') - 1 : -1;
    const pop = names.length;
    names.push('item:logPop', 'item:popPct', 'item:ageDays');
    const user = names.push('user:logActivity') - 1;
    const cat = init.itemCategories ? names.push('user:catAffinity') - 1 : -1;
    const hour = names.length;
    names.push('ctx:hourSin', 'ctx:hourCos');
    const wd = names.length;
    for (let d = 0; d < 7; d++) names.push(`ctx:wd${d}`);
    const dev = names.length;
    for (const d of devices) names.push(`ctx:dev:${d}`);
    names.push('ctx:dev:other');
    this.cols = { cf, content, pop, user, cat, hour, wd, dev };
    this.schema = { version: FEATURE_VERSION, names };
    this.sourceIndex = new Map(sourceNames.map((s, k) => [s, k]));
    this.deviceIndex = new Map(devices.map((d, k) => [d, k]));
    const counts = data.itemCounts();
    this.logPop = Float32Array.from(counts, (c) => Math.log1p(c));
    // share of items with a strictly lower count
    const sorted = Int32Array.from(counts).sort();
    this.popPct = Float32Array.from(counts, (c) => lowerBound(sorted, c) / Math.max(1, counts.length));
    if (data.time) {
      const fs = new Float64Array(data.nItems).fill(NaN);
      for (let k = 0; k < data.size; k++) {
        const i = data.item[k];
        const t = data.time[k];
        if (!(fs[i] <= t)) fs[i] = t;
      }
      this.firstSeen = fs;
    } else this.firstSeen = null;
  }

  static fit(init: FeatureContextInit): FeatureBuilder {
    return new FeatureBuilder({ ...init, models: init.models ?? [], devices: init.devices ?? [] });
  }

  get nCols(): number {
    return this.schema.names.length;
  }

  /** Rows of features for the candidates (row k = cands.items[k]), into `out` when given. */
  build(req: RequestContext, cands: CandidateSet, out?: Float32Array): Float32Array {
    const n = cands.items.length;
    const nc = this.nCols;
    if (cands.sourceScore.length !== n || cands.source.length !== n) throw paramError('candidates', { items: n, sourceScore: cands.sourceScore.length, source: cands.source.length }, 'items, sourceScore and source of equal length');
    const x = out ?? new Float32Array(n * nc);
    if (x.length < n * nc) throw paramError('out', x.length, `at least ${n * nc} floats`);
    x.fill(0, 0, n * nc);
    const items = cands.items;
    for (let k = 0; k < n; k++) {
      const i = items[k];
      if (!(i >= 0 && i < this.nItems)) throw new AffinityError('E_UNKNOWN_ID', `candidates: item index ${i} out of range 0..${this.nItems - 1}`, { field: 'candidates' });
    }
    // source scores
    const srcMap = cands.sourceNames.map((s) => this.sourceIndex.get(s) ?? -1);
    for (let k = 0; k < n; k++) {
      const s = srcMap[cands.source[k]] ?? -1;
      if (s >= 0) {
        x[k * nc + 2 * s] = cands.sourceScore[k];
        x[k * nc + 2 * s + 1] = 1;
      }
    }
    // collaborative scores
    const hist = req.history;
    const models = this.init.models;
    let full: Float32Array | null = null;
    for (let m = 0; m < models.length; m++) {
      const model = models[m].model;
      let sc: Float32Array;
      if (req.user >= 0 && req.user < model.users.size) sc = model.scoreItems(req.user, items);
      else {
        full ??= new Float32Array(this.nItems);
        model.scoreHistory(hist.items, hist.values, full);
        sc = Float32Array.from(items, (i) => full![i]);
      }
      const c = this.cols.cf + 2 * m;
      for (let k = 0; k < n; k++) x[k * nc + c] = sc[k];
      percentiles(sc, x, nc, c + 1);
    }
    if (this.cols.content >= 0) this.contentSim(hist.items, items, x, nc);
    // item popularity and age
    const fs = this.firstSeen;
    for (let k = 0; k < n; k++) {
      const i = items[k];
      x[k * nc + this.cols.pop] = this.logPop[i];
      x[k * nc + this.cols.pop + 1] = this.popPct[i];
      x[k * nc + this.cols.pop + 2] = fs && fs[i] === fs[i] ? (req.now - fs[i]) / DAY : NaN;
    }
    const hlen = hist.items.length;
    const act = Math.log1p(hlen);
    for (let k = 0; k < n; k++) x[k * nc + this.cols.user] = act;
    if (this.cols.cat >= 0) this.catAffinity(hist.items, items, x, nc);
    // context
    const ctx = req.context;
    const h = ctx?.hour;
    const hs = h === undefined ? NaN : Math.sin((2 * Math.PI * h) / 24);
    const hc = h === undefined ? NaN : Math.cos((2 * Math.PI * h) / 24);
    const wd = ctx?.weekday;
    if (wd !== undefined && !(Number.isInteger(wd) && wd >= 0 && wd <= 6)) throw paramError('context.weekday', wd, 'an integer 0..6');
    const dev = ctx?.device === undefined ? -1 : this.deviceIndex.get(ctx.device) ?? this.init.devices.length;
    for (let k = 0; k < n; k++) {
      const o = k * nc;
      x[o + this.cols.hour] = hs;
      x[o + this.cols.hour + 1] = hc;
      if (wd !== undefined) x[o + this.cols.wd + wd] = 1;
      if (dev >= 0) x[o + this.cols.dev + dev] = 1;
    }
    return x;
  }

  private contentSim(hist: Int32Array, items: Int32Array, x: Float32Array, nc: number): void {
    const m = this.init.itemContent as Csr;
    const prof = new Float64Array(m.nCols);
    for (let t = 0; t < hist.length; t++) {
      const i = hist[t];
      if (i < 0 || i >= m.nRows) continue;
      for (let p = m.indptr[i]; p < m.indptr[i + 1]; p++) prof[m.indices[p]] += m.data[p];
    }
    let pn = 0;
    for (let f = 0; f < prof.length; f++) pn += prof[f] * prof[f];
    pn = Math.sqrt(pn);
    const c = this.cols.content;
    for (let k = 0; k < items.length; k++) {
      const i = items[k];
      let dot = 0;
      let inorm = 0;
      for (let p = m.indptr[i]; p < m.indptr[i + 1]; p++) {
        dot += prof[m.indices[p]] * m.data[p];
        inorm += m.data[p] * m.data[p];
      }
      x[k * nc + c] = pn > 0 && inorm > 0 ? dot / (pn * Math.sqrt(inorm)) : 0;
    }
  }

  private catAffinity(hist: Int32Array, items: Int32Array, x: Float32Array, nc: number): void {
    const cats = this.init.itemCategories as ItemCategories;
    const share = new Float64Array(cats.nCategories);
    for (let t = 0; t < hist.length; t++) {
      const i = hist[t];
      if (i < 0 || i >= this.nItems) continue;
      for (let p = cats.indptr[i]; p < cats.indptr[i + 1]; p++) share[cats.codes[p]] += 1 / hist.length;
    }
    const c = this.cols.cat;
    for (let k = 0; k < items.length; k++) {
      const i = items[k];
      const a = cats.indptr[i];
      const b = cats.indptr[i + 1];
      let s = 0;
      for (let p = a; p < b; p++) s += share[cats.codes[p]];
      x[k * nc + c] = hist.length === 0 ? NaN : b > a ? s / (b - a) : 0;
    }
  }
}

function lowerBound(a: Int32Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (a[m] < v) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** x[k, col] = 1 - (number of candidates scoring strictly higher) / (n - 1); NaN scores rank last. */
function percentiles(sc: Float32Array, x: Float32Array, nc: number, col: number): void {
  const n = sc.length;
  const key = Float32Array.from(sc, (v) => (v === v ? v : -Infinity));
  const order = Int32Array.from({ length: n }, (_, k) => k).sort((a, b) => key[b] - key[a]);
  let better = 0;
  for (let r = 0; r < n; r++) {
    if (r > 0 && key[order[r]] !== key[order[r - 1]]) better = r;
    x[order[r] * nc + col] = n > 1 ? 1 - better / (n - 1) : 1;
  }
}
