/**
 * Evaluation helpers shared by the model tests and the bench scripts, following the protocols the peer
 * figures were measured with (shared/peers.md, shared/data/ml-100k-split/README.md): the metrics are
 * those of src/eval/metrics.ts, the split is read with src/data/load.ts (`loadTrainTest`).
 */
import { join } from 'node:path';
import { Rng } from '../../src/core/rng.js';
import type { Dataset } from '../../src/data/dataset.js';
import { loadTrainTest } from '../../src/data/load.js';
import { loadItemFeatures } from '../../src/data/side.js';
import { apAt, mae, ndcgAt, precisionAt, recallAt, relevantSet, rmse } from '../../src/eval/metrics.js';
import type { Recommender } from '../../src/models/recommender.js';

/** The fixed ML-100K implicit split: binary train rows (value 1, timestamps kept), test rows over the train ids. */
export interface ImplicitSplit {
  train: Dataset;
  /** Per user index: the test items (internal indices), empty for users without test rows. */
  test: Int32Array[];
  /** The test rows themselves (values as in test.tsv). */
  testData: Dataset;
}

/**
 * Loads train.tsv / test.tsv of `dir` (`user\titem\trating\tts`) with `loadTrainTest` (kind implicit);
 * train values are set to 1. With `itemsFile` (a u.item file), its item features are attached.
 */
export async function loadImplicitSplit(dir: string, itemsFile?: string): Promise<ImplicitSplit> {
  const { data, fold } = await loadTrainTest(join(dir, 'train.tsv'), join(dir, 'test.tsv'), { columns: ['user', 'item', 'rating', 'time'], kind: 'implicit' });
  const all = itemsFile ? data.withFeatures({ itemFeatures: await loadItemFeatures(itemsFile) }) : data;
  const train = all.subset(fold.trainRows);
  const testData = all.subset(fold.testRows);
  return { train: train.derive({ value: new Float32Array(train.size).fill(1) }), test: testLists(testData, all.nUsers), testData };
}

/** Per user index (0..users-1): the items of that user's rows in `test`, in row order. */
export function testLists(test: Dataset, users = test.nUsers): Int32Array[] {
  const lists: number[][] = Array.from({ length: users }, () => []);
  for (let r = 0; r < test.size; r++) lists[test.user[r]].push(test.item[r]);
  return lists.map((l) => Int32Array.from(l));
}

/** Items without a row in `train` (to keep them out of the candidates, as the peers' protocol does). */
export function untrainedItems(train: Dataset): number[] {
  const counts = train.itemCounts();
  const deny: number[] = [];
  for (let i = 0; i < counts.length; i++) if (counts[i] === 0) deny.push(i);
  return deny;
}

export interface TopNFigures {
  precision: number;
  recall: number;
  ndcg: number;
  map: number;
  users: number;
}

/**
 * P/R/NDCG/MAP@k (src/eval/metrics.ts, the definitions of the split's README) of `model.recommend`
 * (train items excluded, `deny` items too), averaged over the users with at least one test item.
 * `test` is either per-user item lists or a Dataset of test rows.
 */
export function topNFigures(model: Recommender, test: Int32Array[] | Dataset, k = 10, opts: { deny?: ArrayLike<number> } = {}): TopNFigures {
  const lists = Array.isArray(test) ? test : testLists(test);
  let p = 0;
  let r = 0;
  let nd = 0;
  let ap = 0;
  let users = 0;
  for (let u = 0; u < lists.length; u++) {
    if (lists[u].length === 0) continue;
    const rel = relevantSet(lists[u]);
    const ranked = model.recommend(u, { n: k, deny: opts.deny }).items;
    p += precisionAt(ranked, rel, k);
    r += recallAt(ranked, rel, k);
    nd += ndcgAt(ranked, rel, k);
    ap += apAt(ranked, rel, k);
    users++;
  }
  return { precision: p / users, recall: r / users, ndcg: nd / users, map: ap / users, users };
}

/** RMSE and MAE (src/eval/metrics.ts) of `model.predict` over the rows of `test` (ids shared with the training data); 0 for no rows. */
export function ratingErrors(model: Recommender, test: Dataset): { rmse: number; mae: number } {
  const n = test.size;
  if (n === 0) return { rmse: 0, mae: 0 };
  const pred = new Float64Array(n);
  for (let k = 0; k < n; k++) pred[k] = model.predict(test.user[k], test.item[k]);
  return { rmse: rmse(test.value, pred), mae: mae(test.value, pred) };
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
