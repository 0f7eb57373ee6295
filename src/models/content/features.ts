/**
 * What the content models share: their feature parameters, the item feature matrix built from
 * `data.itemFeatures`, sparse scoring against a profile, content similarity and explanations.
 */
import type { Csr } from '../../core/csr.js';
import { transpose } from '../../core/csr.js';
import { AffinityError, paramError } from '../../core/errors.js';
import type { Dataset } from '../../data/dataset.js';
import { buildFeatureMatrix, parseColumns, type FeatureMatrix } from '../../features/matrix.js';
import type { ParamSpecs } from '../params.js';
import type { Params, ScoredItems } from '../recommender.js';
import { topK } from '../../core/topk.js';

/** Parameters of the item representation, shared by 'content' and 'content-ridge'. */
export const FEATURE_PARAMS: ParamSpecs = {
  columns: { default: '', doc: "item feature columns to use, comma-separated (e.g. 'genres,title'; default '': all columns)" },
  weights: { default: '', doc: "per-column weight multipliers, e.g. 'genres=1,title=0.5' (default '': all 1)" },
  numeric: { default: 'standard', choices: ['standard', 'minmax', 'none'], doc: 'scaling of numeric columns (default standard: z-scores; missing -> 0)' },
  multiWeight: { default: 'one', choices: ['one', 'sqrt'], doc: 'weight of each value of a multi-valued column: 1, or 1/sqrt(number of values) (default one)' },
  ngram: { default: 1, min: 1, max: 5, integer: true, doc: 'text columns: largest word n-gram (default 1)' },
  minDf: { default: 1, min: 0, doc: 'text columns: minimum document frequency, a count (>= 1) or a fraction (< 1) (default 1)' },
  maxDf: { default: 1, min: 0, doc: 'text columns: maximum document frequency, a fraction (<= 1) or a count (> 1) (default 1 = no limit)' },
  maxTerms: { default: 0, min: 0, integer: true, doc: 'text columns: keep the most frequent terms only (0 = all; default 0)' },
  sublinearTf: { default: true, doc: 'text columns: tf = 1 + ln(count) (default true)' },
  stopWords: { default: 'english', choices: ['english', 'none'], doc: 'text columns: stop-word list (default english)' },
};

export interface FeatureParams {
  columns: string;
  weights: string;
  numeric: 'standard' | 'minmax' | 'none';
  multiWeight: 'one' | 'sqrt';
  ngram: number;
  minDf: number;
  maxDf: number;
  maxTerms: number;
  sublinearTf: boolean;
  stopWords: 'english' | 'none';
}

function parseWeights(model: string, spec: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of spec.split(',').map((s) => s.trim()).filter((s) => s.length > 0)) {
    const eq = part.indexOf('=');
    const w = eq > 0 ? Number(part.slice(eq + 1)) : Number.NaN;
    if (!Number.isFinite(w)) throw paramError(`${model}.weights`, spec, "comma-separated column=number pairs, e.g. 'genres=1,title=0.5'");
    out[part.slice(0, eq).trim()] = w;
  }
  return out;
}

/** The L2-normalised item x feature matrix of `data.itemFeatures`; E_PARAM when the data has none. */
export function itemMatrix(model: string, data: Dataset, p: FeatureParams & Params): FeatureMatrix {
  if (!data.itemFeatures) {
    throw new AffinityError('E_PARAM', `${model}: the data has no item features; expected side data (pass --items FILE, e.g. u.item or movies.csv)`, { field: 'itemFeatures' });
  }
  const m = buildFeatureMatrix(data.itemFeatures, data.items, {
    columns: parseColumns(p.columns),
    weights: parseWeights(model, p.weights),
    numeric: p.numeric,
    multiWeight: p.multiWeight,
    normalize: 'l2',
    text: { ngram: p.ngram, minDf: p.minDf, maxDf: p.maxDf, maxFeatures: p.maxTerms, sublinearTf: p.sublinearTf, stopWords: p.stopWords },
  });
  if (m.csr.nCols === 0) throw new AffinityError('E_PARAM', `${model}: the item features give no feature columns; expected at least one non-empty column`, { field: 'columns' });
  return m;
}

/** Checks an ad-hoc history (item indices in range, values finite and as many as items). */
export function checkHistory(nItems: number, items: ArrayLike<number>, values: ArrayLike<number> | null): void {
  for (let k = 0; k < items.length; k++) {
    const i = items[k];
    if (!(Number.isInteger(i) && i >= 0 && i < nItems)) throw new AffinityError('E_UNKNOWN_ID', `items: index ${i} at position ${k} is not an item index 0..${nItems - 1}`, { field: 'items' });
  }
  if (values) {
    if (values.length !== items.length) throw paramError('values', `${values.length} values`, `${items.length} values, one per item (or null)`);
    for (let k = 0; k < values.length; k++) if (!Number.isFinite(values[k])) throw paramError('values', values[k], `a finite number at position ${k}`);
  }
}

/** out[i] = sum_j x[i,j] * v[j] for every item (xt = the feature x item transpose). v is dense. */
export function scoreDense(xt: Csr, v: Float64Array, scale: number, out: Float32Array, base: Float32Array | null): void {
  if (base) out.set(base);
  else out.fill(0);
  const { indptr, indices, data } = xt;
  for (let j = 0; j < xt.nRows; j++) {
    const w = v[j] * scale;
    if (w === 0) continue;
    for (let p = indptr[j]; p < indptr[j + 1]; p++) out[indices[p]] += w * data[p];
  }
}

/** Items most similar to `item` by the cosine of their (L2-normalised) feature rows; itself excluded. */
export function similarByContent(x: Csr, xt: Csr, item: number, n: number, tieBreak: Float32Array | null): ScoredItems {
  const s = new Float32Array(x.nRows);
  if (tieBreak) s.set(tieBreak);
  for (let p = x.indptr[item]; p < x.indptr[item + 1]; p++) {
    const f = x.indices[p];
    const w = x.data[p];
    for (let q = xt.indptr[f]; q < xt.indptr[f + 1]; q++) s[xt.indices[q]] += w * xt.data[q];
  }
  s[item] = -Infinity;
  return topK(s, n);
}

export interface Contribution {
  feature: string;
  contribution: number;
}

/** The features of `item` weighted by `v` (contribution v[j] * x[item, j] * scale), largest |contribution| first. */
export function contributions(x: Csr, names: string[], item: number, v: ArrayLike<number>, scale: number, n: number): Contribution[] {
  const out: Contribution[] = [];
  for (let p = x.indptr[item]; p < x.indptr[item + 1]; p++) {
    const c = v[x.indices[p]] * x.data[p] * scale;
    if (c !== 0) out.push({ feature: names[x.indices[p]], contribution: c });
  }
  out.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || (a.feature < b.feature ? -1 : 1));
  return out.slice(0, n);
}

/** Popularity in [0, 1] (training rows per item / the largest count). */
export function popularity(data: Dataset): Float32Array {
  const c = data.itemCounts();
  let max = 1;
  for (let i = 0; i < c.length; i++) if (c[i] > max) max = c[i];
  const out = new Float32Array(c.length);
  for (let i = 0; i < c.length; i++) out[i] = c[i] / max;
  return out;
}

/** popularityWeight · popularity(data): the score floor and tie-break of the content models. */
export function popularityBase(data: Dataset, weight: number): Float32Array {
  const pop = popularity(data);
  const base = new Float32Array(pop.length);
  for (let i = 0; i < pop.length; i++) base[i] = weight * pop[i];
  return base;
}

/** The item side of a content model: the item x feature matrix, its transpose, feature names, popularity base. */
export interface ContentItems {
  x: Csr;
  xt: Csr;
  names: string[];
  base: Float32Array;
}

/** itemMatrix of `data`, its transpose and popularityBase(data, popularityWeight) together. */
export function contentItems(model: string, data: Dataset, p: FeatureParams & Params, popularityWeight: number): ContentItems {
  const fm = itemMatrix(model, data, p);
  return { x: fm.csr, xt: transpose(fm.csr), names: fm.names, base: popularityBase(data, popularityWeight) };
}

/** The item matrix's arrays as a model file stores them. */
export function itemMatrixArrays(x: Csr): { xIndptr: Int32Array; xIndices: Int32Array; xData: Float32Array } {
  return { xIndptr: x.indptr, xIndices: x.indices, xData: x.data };
}

/** The item matrix (nItems x nFeatures) back from the arrays of itemMatrixArrays, with its transpose. */
export function savedItemMatrix(nItems: number, nFeatures: number, a: Readonly<Record<string, unknown>>): { x: Csr; xt: Csr } {
  const x: Csr = { nRows: nItems, nCols: nFeatures, indptr: a.xIndptr as Int32Array, indices: a.xIndices as Int32Array, data: a.xData as Float32Array };
  return { x, xt: transpose(x) };
}

export { transpose };
