/**
 * Ad-hoc interaction histories (Recommender.scoreHistory): validation and normalisation shared by
 * every model, so all of them read a history the same way.
 */
import { AffinityError } from '../core/errors.js';

/** A validated history: distinct item indices ascending, one finite value each. */
export interface History {
  items: Int32Array;
  values: Float32Array;
}

/**
 * Checks and normalises a history for a model scoring `nItems` items:
 * - every item is an integer in 0..nItems-1, else E_UNKNOWN_ID naming the field `items`;
 * - `values` (null = 1 for every item) has one finite number per item, else E_PARAM naming `values`;
 * - an item listed twice keeps its later value (the loaders' 'last' policy), and items come out
 *   ascending, so the result does not depend on the order of the history.
 */
export function readHistory(model: string, nItems: number, items: ArrayLike<number>, values: ArrayLike<number> | null): History {
  const n = items.length;
  if (values && values.length !== n) {
    throw new AffinityError('E_PARAM', `${model}: values: got ${values.length} values for ${n} items; expected one value per item (or null)`, { field: 'values' });
  }
  let sorted = true;
  for (let k = 0; k < n; k++) {
    const i = items[k];
    if (!(Number.isInteger(i) && i >= 0 && i < nItems)) {
      throw new AffinityError('E_UNKNOWN_ID', `${model}: items[${k}]: got ${i}; expected an item index in 0..${nItems - 1}`, { field: 'items' });
    }
    if (values && !Number.isFinite(values[k])) {
      throw new AffinityError('E_PARAM', `${model}: values[${k}]: got ${values[k]}; expected a finite number`, { field: 'values' });
    }
    if (k > 0 && items[k - 1] >= i) sorted = false;
  }
  if (sorted) {
    return { items: Int32Array.from(items), values: values ? Float32Array.from(values) : new Float32Array(n).fill(1) };
  }
  // stable order by item, then keep the last entry of each run of equal items
  const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => items[a] - items[b] || a - b);
  const outItems = new Int32Array(n);
  const outValues = new Float32Array(n);
  let m = 0;
  for (let t = 0; t < n; t++) {
    const k = order[t];
    const v = values ? values[k] : 1;
    if (m > 0 && outItems[m - 1] === items[k]) outValues[m - 1] = v;
    else {
      outItems[m] = items[k];
      outValues[m] = v;
      m++;
    }
  }
  return { items: outItems.slice(0, m), values: outValues.slice(0, m) };
}

/** A 32-bit hash of a history's items (FNV-1a over the indices), for seeding. */
export function historyHash(items: Int32Array): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < items.length; k++) {
    let x = items[k];
    for (let b = 0; b < 4; b++) {
      h = Math.imul(h ^ (x & 0xff), 0x01000193) >>> 0;
      x >>>= 8;
    }
  }
  return h >>> 0;
}
