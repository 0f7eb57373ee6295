import { readFileSync } from 'node:fs';
import { parseError } from '../../core/errors.js';
import { IdMap } from '../../core/idmap.js';
import { Dataset } from '../../data/dataset.js';
import type { Recommender } from '../recommender.js';

/** RMSE and MAE of `model.predict` over the rows of `test` (ids shared with the training data). */
export function ratingErrors(model: Recommender, test: Dataset): { rmse: number; mae: number } {
  let se = 0;
  let ae = 0;
  const n = test.size;
  for (let k = 0; k < n; k++) {
    const d = test.value[k] - model.predict(test.user[k], test.item[k]);
    se += d * d;
    ae += Math.abs(d);
  }
  return { rmse: n ? Math.sqrt(se / n) : 0, mae: n ? ae / n : 0 };
}

/**
 * Reads a `user<TAB>item<TAB>rating[<TAB>time]` file (MovieLens u.data) into an explicit Dataset with
 * rating scale [min, max] of the file. For benchmarks and tests; applications use src/data/load.ts.
 */
export function readRatingsTsv(path: string): Dataset {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const users = new IdMap();
  const items = new IdMap();
  const u: number[] = [];
  const i: number[] = [];
  const v: number[] = [];
  const t: number[] = [];
  let lo = Infinity;
  let hi = -Infinity;
  for (let l = 0; l < lines.length; l++) {
    const line = lines[l].trim();
    if (!line) continue;
    const f = line.split('\t');
    if (f.length < 3) throw parseError(path, l + 1, `${f.length} fields`, '3 or 4 TAB-separated fields: user item rating [timestamp]');
    const r = Number(f[2]);
    if (!Number.isFinite(r)) throw parseError(path, l + 1, `rating ${JSON.stringify(f[2])} is not a number`, 'a numeric rating');
    u.push(users.add(f[0]));
    i.push(items.add(f[1]));
    v.push(r);
    t.push(f.length > 3 ? Number(f[3]) : 0);
    if (r < lo) lo = r;
    if (r > hi) hi = r;
  }
  return new Dataset({
    users,
    items,
    user: Int32Array.from(u),
    item: Int32Array.from(i),
    value: Float32Array.from(v),
    time: Float64Array.from(t),
    kind: 'explicit',
    ratingScale: [lo, hi],
    source: path,
  });
}
