import type { IdMap } from '../core/idmap.js';

/**
 * Side data for users or items. One row per entity of `ids` (its own id map, aligned to a dataset's
 * users or items with `alignRows`). Columns are typed: categorical, multi-valued, numeric or text.
 */
export type FeatureColumn =
  | { readonly kind: 'categorical'; readonly name: string; readonly codes: Int32Array; readonly vocab: string[] } // code -1 = missing
  | {
      readonly kind: 'multi';
      readonly name: string;
      /** Row r's values are codes[indptr[r] .. indptr[r+1]). */
      readonly indptr: Int32Array;
      readonly codes: Int32Array;
      readonly vocab: string[];
    }
  | { readonly kind: 'numeric'; readonly name: string; readonly values: Float64Array } // NaN = missing
  | { readonly kind: 'text'; readonly name: string; readonly values: string[] }; // '' = missing

export interface FeatureTable {
  readonly ids: IdMap;
  readonly columns: FeatureColumn[];
}

/** For each index of `target`, the row of `table` with the same external id, or -1. */
export function alignRows(table: FeatureTable, target: IdMap): Int32Array {
  const out = new Int32Array(target.size);
  for (let i = 0; i < target.size; i++) out[i] = table.ids.get(target.id(i));
  return out;
}

export function findColumn(table: FeatureTable, name: string): FeatureColumn | undefined {
  return table.columns.find((c) => c.name === name);
}
