/**
 * Maximal marginal relevance: repeatedly picks the item maximising
 *   lambda * rel(i) - (1 - lambda) * max_{j picked} sim(i, j)
 * where rel is the list score min-max normalised to [0, 1] and sim is the cosine of item vectors
 * (category one-hot rows of the catalogue, or the context's factor vectors). lambda = 1 keeps the
 * relevance order; lambda = 0 picks for diversity alone. Only the first `depth` positions are chosen
 * by MMR (cost O(depth * list * dim)); the rest follow in their original order.
 */
import { paramError } from '../../core/errors.js';
import type { ItemCatalog } from '../catalog.js';
import type { RequestContext } from '../types.js';
import { pick, type RankedList, type Reranker, type RerankContext } from './types.js';

export interface MmrOptions {
  lambda: number;
  /** How many leading positions MMR fills (default: the whole list). */
  depth?: number;
  /** 'categories' (default) or 'vectors' (ctx.vectors, e.g. factor vectors). */
  similarity?: 'categories' | 'vectors';
}

export class MmrReranker implements Reranker {
  readonly name = 'mmr';
  readonly lambda: number;
  readonly depth: number;
  readonly similarity: 'categories' | 'vectors';

  constructor(o: MmrOptions) {
    if (!(o.lambda >= 0 && o.lambda <= 1)) throw paramError('lambda', o.lambda, 'a number in [0, 1]');
    const depth = o.depth ?? Infinity;
    if (!(depth >= 1)) throw paramError('depth', o.depth, 'a positive integer');
    this.lambda = o.lambda;
    this.depth = depth;
    this.similarity = o.similarity ?? 'categories';
    if (this.similarity !== 'categories' && this.similarity !== 'vectors') throw paramError('similarity', o.similarity, "'categories' or 'vectors'");
  }

  apply(list: RankedList, _req: RequestContext, ctx: RerankContext): RankedList {
    const m = list.items.length;
    if (m === 0) return list;
    const vec = this.similarity === 'vectors' ? ctx.vectors : null;
    if (this.similarity === 'vectors' && !vec) throw paramError('vectors', null, "item vectors in the re-rank context for MMR similarity 'vectors'");
    const { data, dim } = vec ?? categoryVectors(ctx.catalog, list.items);
    const rowOf = (k: number): number => (vec ? list.items[k] : k);
    // unit-normalised rows for the list
    const unit = new Float32Array(m * dim);
    for (let k = 0; k < m; k++) {
      const r = rowOf(k) * dim;
      let s = 0;
      for (let d = 0; d < dim; d++) s += data[r + d] * data[r + d];
      const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
      for (let d = 0; d < dim; d++) unit[k * dim + d] = data[r + d] * inv;
    }
    let lo = Infinity;
    let hi = -Infinity;
    for (let k = 0; k < m; k++) {
      const s = list.scores[k];
      if (s < lo) lo = s;
      if (s > hi) hi = s;
    }
    const span = hi > lo ? hi - lo : 1;
    const rel = new Float64Array(m);
    for (let k = 0; k < m; k++) rel[k] = hi > lo ? (list.scores[k] - lo) / span : 1;
    const maxSim = new Float64Array(m);
    const taken = new Uint8Array(m);
    const order = new Int32Array(m);
    const depth = Math.min(this.depth, m);
    const lam = this.lambda;
    for (let pos = 0; pos < depth; pos++) {
      let best = -1;
      let bestV = -Infinity;
      for (let k = 0; k < m; k++) {
        if (taken[k]) continue;
        const v = lam * rel[k] - (1 - lam) * maxSim[k];
        if (v > bestV) {
          bestV = v;
          best = k;
        }
      }
      taken[best] = 1;
      order[pos] = best;
      const b = best * dim;
      for (let k = 0; k < m; k++) {
        if (taken[k]) continue;
        let s = 0;
        const a = k * dim;
        for (let d = 0; d < dim; d++) s += unit[a + d] * unit[b + d];
        if (s > maxSim[k]) maxSim[k] = s;
      }
    }
    let pos = depth;
    for (let k = 0; k < m; k++) if (!taken[k]) order[pos++] = k;
    return pick(list, order);
  }
}

/** One-hot category rows for the list's items (row k = list position k). */
export function categoryVectors(catalog: ItemCatalog, items: Int32Array): { data: Float32Array; dim: number } {
  const dim = Math.max(catalog.categoryNames.length, 1);
  const data = new Float32Array(items.length * dim);
  for (let k = 0; k < items.length; k++) {
    const it = items[k];
    for (let p = catalog.catIndptr[it]; p < catalog.catIndptr[it + 1]; p++) data[k * dim + catalog.catCodes[p]] = 1;
  }
  return { data, dim };
}

/** Intra-list diversity: mean pairwise (1 - cosine) of the category vectors of the first n items. */
export function intraListDiversity(catalog: ItemCatalog, items: Int32Array, n = items.length): number {
  const m = Math.min(n, items.length);
  if (m < 2) return 0;
  const { data, dim } = categoryVectors(catalog, items.subarray(0, m));
  const norm = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += data[k * dim + d] ** 2;
    norm[k] = Math.sqrt(s);
  }
  let tot = 0;
  for (let a = 0; a < m; a++) {
    for (let b = a + 1; b < m; b++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += data[a * dim + d] * data[b * dim + d];
      tot += 1 - (norm[a] > 0 && norm[b] > 0 ? s / (norm[a] * norm[b]) : 0);
    }
  }
  return tot / ((m * (m - 1)) / 2);
}
