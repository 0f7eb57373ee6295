import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseError } from '../../core/errors.js';
import { IdMap } from '../../core/idmap.js';
import { Dataset } from '../../data/dataset.js';
import { apAt, ndcgAt, precisionAt, recallAt, relevantSet } from '../../eval/metrics.js';
import type { Recommender } from '../recommender.js';

/**
 * The fixed ML-100K implicit split of shared/data/ml-100k-split (train.tsv / test.tsv,
 * `user\titem\trating\tts`), as the peer figures were measured: every train row is a binary
 * interaction (value 1, timestamps kept); test rows over the train id maps.
 */
export interface ImplicitSplit {
  train: Dataset;
  /** Per user index: the test items (internal indices), empty for users without test rows. */
  test: Int32Array[];
}

function readRows(file: string): { u: string[]; i: string[]; t: number[] } {
  const u: string[] = [];
  const i: string[] = [];
  const t: number[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, k) => {
    if (line.trim() === '') return;
    const f = line.split('\t');
    const ts = Number(f[3]);
    if (f.length < 4 || !Number.isFinite(ts)) throw parseError(file, k + 1, `got ${JSON.stringify(line)}`, 'user<TAB>item<TAB>rating<TAB>timestamp');
    u.push(f[0]);
    i.push(f[1]);
    t.push(ts);
  });
  return { u, i, t };
}

export function loadImplicitSplit(dir: string): ImplicitSplit {
  const tr = readRows(join(dir, 'train.tsv'));
  const users = new IdMap();
  const items = new IdMap();
  const n = tr.u.length;
  const user = new Int32Array(n);
  const item = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    user[k] = users.add(tr.u[k]);
    item[k] = items.add(tr.i[k]);
  }
  const train = new Dataset({ users, items, user, item, value: new Float32Array(n).fill(1), time: Float64Array.from(tr.t), kind: 'implicit', source: dir });
  const te = readRows(join(dir, 'test.tsv'));
  const lists: number[][] = Array.from({ length: users.size }, () => []);
  for (let k = 0; k < te.u.length; k++) {
    const u = users.get(te.u[k]);
    const i = items.get(te.i[k]);
    if (u >= 0 && i >= 0) lists[u].push(i);
  }
  return { train, test: lists.map((l) => Int32Array.from(l)) };
}

export interface TopNMetrics {
  precision: number;
  recall: number;
  ndcg: number;
  map: number;
  users: number;
}

/** P/R/NDCG/MAP@k (definitions of the split's README), averaged over users with test rows. */
export function evaluateTopN(model: Recommender, test: Int32Array[], k = 10): TopNMetrics {
  let p = 0;
  let r = 0;
  let nd = 0;
  let ap = 0;
  let users = 0;
  for (let u = 0; u < test.length; u++) {
    if (test[u].length === 0) continue;
    const rel = relevantSet(test[u]);
    const ranked = model.recommend(u, { n: k }).items;
    p += precisionAt(ranked, rel, k);
    r += recallAt(ranked, rel, k);
    nd += ndcgAt(ranked, rel, k);
    ap += apAt(ranked, rel, k);
    users++;
  }
  return { precision: p / users, recall: r / users, ndcg: nd / users, map: ap / users, users };
}
