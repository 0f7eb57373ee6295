/**
 * Hybrid (LightFM-style) on the fixed ML-100K implicit split, with and without genre features, next to
 * LightFM's figures in ../shared/peers.md. Same protocol as the peers: candidates = train items, train
 * items removed, top-10, averages over users with test rows.
 *
 *   node --import tsx bench/hybrid-ml100k.ts [dataDir] [key=value ...]   (dataDir default ../shared/data)
 */
import { join } from 'node:path';
import { loadInteractions } from '../src/data/load.js';
import { loadItemFeatures } from '../src/data/side.js';
import { createModel } from '../src/models/registry.js';
import type { BaseRecommender } from '../src/models/base.js';
import type { Dataset } from '../src/data/dataset.js';

const args = process.argv.slice(2);
const dir = args[0] && !args[0].includes('=') ? args.shift() as string : '../shared/data';
const extra: Record<string, string> = {};
for (const a of args) {
  const eq = a.indexOf('=');
  extra[a.slice(0, eq)] = a.slice(eq + 1);
}

export function rankingMetrics(model: BaseRecommender, train: Dataset, test: Dataset, k = 10): { ndcg: number; precision: number; recall: number; users: number } {
  const rel = new Map<number, Set<number>>();
  for (let r = 0; r < test.size; r++) {
    let s = rel.get(test.user[r]);
    if (!s) rel.set(test.user[r], (s = new Set()));
    s.add(test.item[r]);
  }
  const counts = train.itemCounts();
  const deny: number[] = [];
  for (let i = 0; i < counts.length; i++) if (counts[i] === 0) deny.push(i);
  let ndcg = 0;
  let prec = 0;
  let rec = 0;
  for (const [u, s] of rel) {
    const top = model.recommend(u, { n: k, deny });
    let dcg = 0;
    let hits = 0;
    top.items.forEach((i, pos) => {
      if (s.has(i)) {
        hits++;
        dcg += 1 / Math.log2(pos + 2);
      }
    });
    let idcg = 0;
    for (let p = 0; p < Math.min(k, s.size); p++) idcg += 1 / Math.log2(p + 2);
    ndcg += dcg / idcg;
    prec += hits / k;
    rec += hits / s.size;
  }
  const n = rel.size;
  return { ndcg: ndcg / n, precision: prec / n, recall: rec / n, users: n };
}

async function main(): Promise<void> {
  const split = join(dir, 'ml-100k-split');
  const rawTrain = (await loadInteractions(join(split, 'train.tsv'))).dataset;
  const test = (await loadInteractions(join(split, 'test.tsv'), { users: rawTrain.users, items: rawTrain.items })).dataset;
  const items = await loadItemFeatures(join(dir, 'ml-100k/u.item'));
  const train = rawTrain.derive({ kind: 'implicit', value: new Float32Array(rawTrain.size).fill(1), ratingScale: null }).withFeatures({ itemFeatures: items });
  const runs: Array<[string, Record<string, string>]> = [
    ['hybrid, genres', { itemFeatures: 'genres', ...extra }],
    ['hybrid, pure CF (no features)', { itemFeatures: 'none', ...extra }],
    ['hybrid, all u.item columns (genres, year, title)', { itemFeatures: 'all', ...extra }],
  ];
  for (const [label, params] of runs) {
    const model = createModel('hybrid', params);
    const c0 = process.cpuUsage();
    const rep = await model.fit(train);
    const c = process.cpuUsage(c0);
    const m = rankingMetrics(model, train, test);
    const cpu = (c.user + c.system) / 1e6;
    console.log(
      `${label} ${JSON.stringify(params)}: NDCG@10 ${m.ndcg.toFixed(4)}  P@10 ${m.precision.toFixed(4)}  R@10 ${m.recall.toFixed(4)}  fit ${rep.fitSeconds.toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU  (${m.users} users)`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
