/**
 * The ML-100K implicit split protocol of ../shared/data/ml-100k-split (see peers.md): binary train
 * rows, candidates = items with a training row, train items removed, NDCG@10 with binary gains
 * averaged over users with test rows. Used by the content model test and bench/content-ml100k.ts.
 */
import { join } from 'node:path';
import type { Dataset } from '../../data/dataset.js';
import { loadTrainTest } from '../../data/load.js';
import { loadItemFeatures } from '../../data/side.js';
import type { BaseRecommender } from '../base.js';

export interface SplitData {
  train: Dataset;
  test: Dataset;
}

/** Loads train.tsv / test.tsv of `splitDir` (values set to 1) with u.item of `itemsFile` attached. */
export async function loadMl100kSplit(splitDir: string, itemsFile: string): Promise<SplitData> {
  const { data, fold } = await loadTrainTest(join(splitDir, 'train.tsv'), join(splitDir, 'test.tsv'), { kind: 'implicit' });
  const items = await loadItemFeatures(itemsFile);
  const all = data.withFeatures({ itemFeatures: items });
  const train = all.subset(fold.trainRows);
  return { train: train.derive({ value: new Float32Array(train.size).fill(1) }), test: all.subset(fold.testRows) };
}

/** NDCG@k (and HR-style precision@k) of `model` fitted on `train`, over the test users. */
export function ndcgAtK(model: BaseRecommender, train: Dataset, test: Dataset, k = 10): { ndcg: number; precision: number; users: number } {
  const counts = train.itemCounts();
  const deny: number[] = [];
  for (let i = 0; i < counts.length; i++) if (counts[i] === 0) deny.push(i);
  const rel = new Map<number, Set<number>>();
  for (let r = 0; r < test.size; r++) {
    const u = test.user[r];
    let s = rel.get(u);
    if (!s) rel.set(u, (s = new Set()));
    s.add(test.item[r]);
  }
  let ndcg = 0;
  let prec = 0;
  for (const [u, s] of rel) {
    const top = model.recommend(u, { n: k, deny });
    let dcg = 0;
    let hits = 0;
    for (let r = 0; r < top.items.length; r++) {
      if (s.has(top.items[r])) {
        dcg += 1 / Math.log2(r + 2);
        hits++;
      }
    }
    let idcg = 0;
    for (let r = 0; r < Math.min(k, s.size); r++) idcg += 1 / Math.log2(r + 2);
    ndcg += dcg / idcg;
    prec += hits / k;
  }
  return { ndcg: ndcg / rel.size, precision: prec / rel.size, users: rel.size };
}
