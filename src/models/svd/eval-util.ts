import type { Dataset } from '../../data/dataset.js';
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
