import { paramError } from '../core/errors.js';
import type { Dataset } from './dataset.js';

/**
 * k-core filtering: repeatedly drops the rows of users with fewer than `minUser` rows and of items
 * with fewer than `minItem` rows until every remaining user and item meets its minimum. The result
 * is the unique largest such subset (a subset of `data`, same id maps; dropped users and items simply
 * have no rows). Rows keep their original order.
 */
export function kCore(data: Dataset, minUser: number, minItem: number): Dataset {
  if (!Number.isInteger(minUser) || minUser < 0) throw paramError('minUser', minUser, 'an integer >= 0');
  if (!Number.isInteger(minItem) || minItem < 0) throw paramError('minItem', minItem, 'an integer >= 0');
  const n = data.size;
  const user = data.user;
  const item = data.item;
  const uCount = data.userCounts();
  const iCount = data.itemCounts();
  const alive = new Uint8Array(n).fill(1);
  let nAlive = n;
  // Each pass drops rows whose user or item is below its minimum, updating counts as it goes;
  // stops when a pass drops nothing. Dropping never un-violates a minimum, so the fixed point is the k-core.
  for (;;) {
    let dropped = 0;
    for (let k = 0; k < n; k++) {
      if (!alive[k]) continue;
      const u = user[k];
      const i = item[k];
      if (uCount[u] < minUser || iCount[i] < minItem) {
        alive[k] = 0;
        uCount[u]--;
        iCount[i]--;
        dropped++;
      }
    }
    nAlive -= dropped;
    if (dropped === 0) break;
  }
  if (nAlive === n) return data;
  const rows = new Int32Array(nAlive);
  let p = 0;
  for (let k = 0; k < n; k++) if (alive[k]) rows[p++] = k;
  return data.subset(rows);
}
