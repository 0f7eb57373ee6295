import { AffinityError } from '../core/errors.js';
import { topK } from '../core/topk.js';
import type { Dataset } from '../data/dataset.js';
import { alignRows, findColumn } from '../data/features.js';
import { itemFeatureMatrix, tokenize } from './item-matrix.js';

export interface OnboardingOptions {
  /** Number of items to ask about (default 10). */
  n?: number;
  /** An item feature column (categorical or multi-valued, e.g. 'genres'): at most one item per first category until every category is used. */
  category?: string;
}

/**
 * Items to ask a new user about: greedy by informativeness = ln(1 + number of users) x (1 + entropy of
 * the item's rating values) (implicit data: popularity alone), taking at most one item per category
 * (the item's first value of `category`) until all categories present have one, then again. Items
 * without training rows are never asked. Deterministic.
 */
export function chooseOnboardingItems(data: Dataset, opts: OnboardingOptions = {}): Int32Array {
  const n = opts.n ?? 10;
  if (!(Number.isInteger(n) && n >= 0)) throw new AffinityError('E_PARAM', `n: got ${n}; expected a non-negative integer`, { field: 'n' });
  const csc = data.csc();
  const nI = data.nItems;
  const score = new Float64Array(nI).fill(-Infinity);
  for (let i = 0; i < nI; i++) {
    const s = csc.indptr[i];
    const e = csc.indptr[i + 1];
    if (e === s) continue;
    const hist = new Map<number, number>();
    for (let p = s; p < e; p++) hist.set(csc.data[p], (hist.get(csc.data[p]) ?? 0) + 1);
    let h = 0;
    for (const c of hist.values()) {
      const q = c / (e - s);
      h -= q * Math.log(q);
    }
    score[i] = Math.log(1 + (e - s)) * (1 + h);
  }
  const cat = new Int32Array(nI).fill(-1);
  if (opts.category) {
    const col = data.itemFeatures ? findColumn(data.itemFeatures, opts.category) : undefined;
    if (!col || (col.kind !== 'categorical' && col.kind !== 'multi')) {
      throw new AffinityError('E_PARAM', `category: got ${JSON.stringify(opts.category)}; expected a categorical or multi-valued item feature column`, { field: 'category' });
    }
    const rows = alignRows(data.itemFeatures!, data.items);
    for (let i = 0; i < nI; i++) {
      const r = rows[i];
      if (r < 0) continue;
      if (col.kind === 'categorical') cat[i] = col.codes[r];
      else if (col.indptr[r + 1] > col.indptr[r]) cat[i] = col.codes[col.indptr[r]];
    }
  }
  const order = Array.from(topK(score, nI).items);
  const present = new Set<number>();
  for (const i of order) if (cat[i] >= 0) present.add(cat[i]);
  const out: number[] = [];
  const taken = new Uint8Array(nI);
  let used = new Set<number>();
  while (out.length < Math.min(n, order.length)) {
    let added = false;
    for (const i of order) {
      if (out.length >= n) break;
      if (taken[i] || (cat[i] >= 0 && used.has(cat[i]))) continue;
      taken[i] = 1;
      out.push(i);
      added = true;
      if (cat[i] >= 0) used.add(cat[i]);
      if (used.size >= present.size && present.size > 0) used = new Set();
    }
    if (!added) used = new Set();
  }
  return Int32Array.from(out);
}

/**
 * Content bootstrap from a search string: items ranked by the TF-IDF match of the query's tokens
 * against the items' text columns and category / tag names (cosine of L2-normalised blocks); the top
 * `n` items with a positive match, best first, to use as a new user's history (scoreHistory).
 */
export function searchHistory(data: Dataset, query: string, n = 5): Int32Array {
  const toks = new Set(tokenize(query));
  if (toks.size === 0) throw new AffinityError('E_PARAM', `query: got ${JSON.stringify(query)}; expected some words`, { field: 'query' });
  const { x, names } = itemFeatureMatrix(data.itemFeatures, data.items, 1);
  const q = new Float32Array(names.length);
  names.forEach((name, j) => {
    const sep = name.search(/[:=]/);
    if (sep < 0) return;
    const value = name.slice(sep + 1).toLowerCase();
    if (toks.has(value) || (name[sep] === '=' && tokenize(value).some((t) => toks.has(t)))) q[j] = 1;
  });
  const score = new Float32Array(data.nItems).fill(-Infinity);
  for (let i = 0; i < data.nItems; i++) {
    let s = 0;
    for (let p = x.indptr[i]; p < x.indptr[i + 1]; p++) s += x.data[p] * q[x.indices[p]];
    if (s > 0) score[i] = s;
  }
  return topK(score, n).items;
}

/** Content bootstrap from a visited category: the `n` most-interacted items carrying that category value. */
export function categoryHistory(data: Dataset, column: string, value: string, n = 5): Int32Array {
  const col = data.itemFeatures ? findColumn(data.itemFeatures, column) : undefined;
  if (!col || (col.kind !== 'categorical' && col.kind !== 'multi')) throw new AffinityError('E_PARAM', `column: got ${JSON.stringify(column)}; expected a categorical or multi-valued item feature`, { field: 'column' });
  const code = col.vocab.indexOf(value);
  if (code < 0) throw new AffinityError('E_PARAM', `value: got ${JSON.stringify(value)}; expected one of the values of ${column}`, { field: 'value' });
  const rows = alignRows(data.itemFeatures!, data.items);
  const counts = data.itemCounts();
  const score = new Float32Array(data.nItems).fill(-Infinity);
  for (let i = 0; i < data.nItems; i++) {
    const r = rows[i];
    if (r < 0) continue;
    const has = col.kind === 'categorical' ? col.codes[r] === code : col.codes.subarray(col.indptr[r], col.indptr[r + 1]).includes(code);
    if (has) score[i] = counts[i];
  }
  return topK(score, n).items;
}
