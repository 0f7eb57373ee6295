import { AffinityError } from '../../core/errors.js';
import type { Dataset } from '../../data/dataset.js';

const DAY = 86400;

/**
 * Recency weights for the rows of `data`: 0.5^(age / halfLifeDays), where age is the time from the
 * row's timestamp to the latest timestamp in the data, in days (the newest row weighs 1, a row one
 * half-life older 0.5). Returns null when `halfLifeDays` is 0 (no decay). A positive half-life on
 * data without timestamps is an E_PARAM error naming `field`.
 */
export function recencyWeights(data: Dataset, halfLifeDays: number, field: string): Float64Array | null {
  if (!(halfLifeDays > 0)) return null;
  const time = data.time;
  if (!time) {
    throw new AffinityError('E_PARAM', `${field}: got ${halfLifeDays}; the training data has no timestamps, so expected 0 (no time decay)`, { field });
  }
  let tMax = -Infinity;
  for (let k = 0; k < time.length; k++) if (time[k] > tMax) tMax = time[k];
  const w = new Float64Array(time.length);
  const rate = Math.LN2 / (halfLifeDays * DAY);
  for (let k = 0; k < time.length; k++) w[k] = Math.exp(-(tMax - time[k]) * rate);
  return w;
}
