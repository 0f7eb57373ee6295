import type { Csr } from '../../core/csr.js';
import { AffinityError } from '../../core/errors.js';
import type { IdMap } from '../../core/idmap.js';
import type { FeatureTable } from '../../data/features.js';
import { buildFeatureMatrix, parseColumns, type FeatureMatrix } from '../../features/matrix.js';

export type RowNorm = 'l1' | 'l2' | 'none';

/**
 * The feature matrix of users or items for the hybrid model: identity features (one indicator per
 * entity, column = entity index, LightFM's layout) for the entities with training rows only, then the
 * side features of `table` (columns from `spec`: 'all', 'none' or a comma-separated list). Entities
 * without training rows thus have only their side features: their representation is the sum of
 * their features' embeddings, not an untrained identity vector. Rows are then normalised (`norm`;
 * 'l1' = rows sum to 1, as LightFM's Dataset does by default). `sideWeight` multiplies every side
 * feature's value before the normalisation (the identity feature has weight 1), so it sets how much of
 * a warm entity's representation comes from its side features. With `identityShrink` c > 0 and the
 * entities' training-row `counts`, the identity feature of an entity with n rows weighs n / (n + c)
 * instead of 1 (before the normalisation): entities with few rows lean on their side features, whose
 * embeddings are shared and trained by many rows, rather than on an identity embedding fitted to a
 * handful of positives. Rows with no side features are unchanged by it under l1/l2 (a single feature
 * normalises back to 1).
 */
export function entityFeatures(
  table: FeatureTable | null,
  ids: IdMap,
  warm: Uint8Array,
  spec: string,
  identity: boolean,
  norm: RowNorm,
  field = 'features',
  sideWeight = 1,
  counts: ArrayLike<number> | null = null,
  identityShrink = 0,
): FeatureMatrix {
  if (!(Number.isFinite(identityShrink) && identityShrink >= 0)) throw new AffinityError('E_PARAM', `${field}: identityShrink ${identityShrink}; expected a finite number >= 0`, { field });
  if (!(Number.isFinite(sideWeight) && sideWeight > 0)) throw new AffinityError('E_PARAM', `${field}: featureWeight ${sideWeight}; expected a finite number > 0`, { field });
  const n = ids.size;
  const columns = spec.trim() === 'none' ? [] : parseColumns(spec);
  if (!table && columns && columns.length > 0) {
    throw new AffinityError('E_PARAM', `${field}: got ${JSON.stringify(spec)} but the data has no side data; expected 'all' or 'none', or side data (--items FILE / --users FILE)`, { field });
  }
  let side: FeatureMatrix | null = null;
  if (table && !(columns && columns.length === 0)) {
    try {
      side = buildFeatureMatrix(table, ids, { columns, normalize: 'none' });
    } catch (e) {
      if (e instanceof AffinityError) throw new AffinityError(e.code, `${field}: ${e.message}`, { field });
      throw e;
    }
  }
  const off = identity ? n : 0;
  const sideNnz = side ? side.csr.indptr[n] : 0;
  let nnz = sideNnz;
  if (identity) for (let e = 0; e < n; e++) if (warm[e]) nnz++;
  const indptr = new Int32Array(n + 1);
  const indices = new Int32Array(nnz);
  const data = new Float32Array(nnz);
  let p = 0;
  for (let e = 0; e < n; e++) {
    const start = p;
    if (identity && warm[e]) {
      indices[p] = e;
      const c = counts && identityShrink > 0 ? counts[e] : 0;
      data[p++] = counts && identityShrink > 0 ? c / (c + identityShrink) : 1;
    }
    if (side) {
      const c = side.csr;
      for (let q = c.indptr[e]; q < c.indptr[e + 1]; q++) {
        indices[p] = c.indices[q] + off;
        data[p++] = c.data[q] * sideWeight;
      }
    }
    if (norm !== 'none') {
      let s = 0;
      for (let q = start; q < p; q++) s += norm === 'l2' ? data[q] * data[q] : Math.abs(data[q]);
      if (s > 0) {
        const inv = norm === 'l2' ? 1 / Math.sqrt(s) : 1 / s;
        for (let q = start; q < p; q++) data[q] *= inv;
      }
    }
    indptr[e + 1] = p;
  }
  const names: string[] = [];
  if (identity) for (const id of ids.toArray()) names.push(`#${id}`);
  if (side) for (const s of side.names) names.push(s);
  const csr: Csr = { nRows: n, nCols: names.length, indptr, indices, data };
  return { csr, names };
}

/** 1 for each entity whose row holds a feature other than its identity feature, else 0. */
export function withSideFeatures(m: Csr, identity: boolean): Uint8Array {
  const out = new Uint8Array(m.nRows);
  for (let e = 0; e < m.nRows; e++) {
    for (let q = m.indptr[e]; q < m.indptr[e + 1]; q++) {
      if (!identity || m.indices[q] >= m.nRows) {
        out[e] = 1;
        break;
      }
    }
  }
  return out;
}
