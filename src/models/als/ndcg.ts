/** Small top-N metrics for the ALS tests and benchmarks (the protocol of data/ml-100k-split/README.md). */
import type { Dataset } from '../../data/dataset.js';
import type { BaseRecommender } from '../base.js';

/** Mean P@k and NDCG@k (binary gains, IDCG over min(k, |test_u|)) over users with test rows. */
export function rankingAtK(model: BaseRecommender, test: Dataset, k = 10): { precision: number; ndcg: number; users: number } {
  const byUser = new Map<number, Set<number>>();
  for (let r = 0; r < test.size; r++) {
    let s = byUser.get(test.user[r]);
    if (!s) byUser.set(test.user[r], (s = new Set()));
    s.add(test.item[r]);
  }
  const users = Int32Array.from([...byUser.keys()].sort((a, b) => a - b));
  const recs = model.recommendBatch(users, { n: k });
  let p = 0;
  let nd = 0;
  users.forEach((u, j) => {
    const rel = byUser.get(u)!;
    let dcg = 0;
    let hits = 0;
    recs[j].items.forEach((i, r) => {
      if (rel.has(i)) {
        hits++;
        dcg += 1 / Math.log2(r + 2);
      }
    });
    let idcg = 0;
    for (let r = 0; r < Math.min(k, rel.size); r++) idcg += 1 / Math.log2(r + 2);
    p += hits / k;
    nd += dcg / idcg;
  });
  return { precision: p / users.length, ndcg: nd / users.length, users: users.length };
}
