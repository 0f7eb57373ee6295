/**
 * Small, self-contained evaluation used by the kNN accuracy tests and benchmarks, following the
 * protocols the peer figures were measured with (shared/peers.md, shared/data/ml-100k-split/README.md),
 * so that the numbers are comparable with Surprise and implicit without depending on the evaluator.
 */
import { Rng } from '../../core/rng.js';
import type { Dataset } from '../../data/dataset.js';
import type { BaseRecommender } from '../base.js';

/** RMSE and MAE of model.predict over the rows of `test` (internal ids shared with the training data). */
export function ratingErrors(model: BaseRecommender, test: Dataset): { rmse: number; mae: number } {
  let se = 0;
  let ae = 0;
  for (let k = 0; k < test.size; k++) {
    const d = model.predict(test.user[k], test.item[k]) - test.value[k];
    se += d * d;
    ae += Math.abs(d);
  }
  return { rmse: Math.sqrt(se / test.size), mae: ae / test.size };
}

export interface RankingFigures {
  precision: number;
  recall: number;
  ndcg: number;
  map: number;
  users: number;
}

/**
 * Top-k metrics of the ml-100k-split protocol: full ranking over all items of the model (the train
 * items), train items excluded; relevant = the user's test rows; averaged over users with a test row.
 * P = hits/k; R = hits/|test|; NDCG with binary gains, IDCG over min(k, |test|);
 * MAP = sum over hit ranks r of (hits so far / r) / min(k, |test|).
 */
export function rankingFigures(model: BaseRecommender, test: Dataset, k = 10): RankingFigures {
  const byUser = new Map<number, Set<number>>();
  for (let q = 0; q < test.size; q++) {
    let s = byUser.get(test.user[q]);
    if (!s) byUser.set(test.user[q], (s = new Set<number>()));
    s.add(test.item[q]);
  }
  let p = 0;
  let r = 0;
  let ndcg = 0;
  let map = 0;
  for (const [u, rel] of byUser) {
    const top = model.recommend(u, { n: k }).items;
    let hits = 0;
    let dcg = 0;
    let ap = 0;
    for (let pos = 0; pos < top.length; pos++) {
      if (!rel.has(top[pos])) continue;
      hits++;
      dcg += 1 / Math.log2(pos + 2);
      ap += hits / (pos + 1);
    }
    const m = Math.min(k, rel.size);
    let idcg = 0;
    for (let pos = 0; pos < m; pos++) idcg += 1 / Math.log2(pos + 2);
    p += hits / k;
    r += hits / rel.size;
    ndcg += dcg / idcg;
    map += ap / m;
  }
  const n = byUser.size;
  return { precision: p / n, recall: r / n, ndcg: ndcg / n, map: map / n, users: n };
}

/** The train part as binary implicit data (value 1), as the ml-100k-split protocol asks. */
export function binaryImplicit(train: Dataset): Dataset {
  return train.derive({ kind: 'implicit', ratingScale: null, value: new Float32Array(train.size).fill(1) });
}

/**
 * k-fold row split used by the kNN accuracy checks (fixed here so their figures do not move when the
 * shared splitter changes): rows shuffled with Rng(seed), row at shuffled position p goes to fold p mod k.
 */
export function kFoldSplits(data: Dataset, k: number, seed: number): { train: Dataset; test: Dataset }[] {
  const perm = new Rng(seed).permutation(data.size);
  const out: { train: Dataset; test: Dataset }[] = [];
  for (let f = 0; f < k; f++) {
    const test: number[] = [];
    const train: number[] = [];
    for (let p = 0; p < perm.length; p++) (p % k === f ? test : train).push(perm[p]);
    test.sort((a, b) => a - b);
    train.sort((a, b) => a - b);
    out.push({ train: data.subset(train), test: data.subset(test) });
  }
  return out;
}
