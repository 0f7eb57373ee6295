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
import { topNFigures, untrainedItems } from '../test/helpers/split-eval.js';

const args = process.argv.slice(2);
const dir = args[0] && !args[0].includes('=') ? args.shift() as string : '../shared/data';
const extra: Record<string, string> = {};
for (const a of args) {
  const eq = a.indexOf('=');
  extra[a.slice(0, eq)] = a.slice(eq + 1);
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
    const m = topNFigures(model, test, 10, { deny: untrainedItems(train) });
    const cpu = (c.user + c.system) / 1e6;
    console.log(
      `${label} ${JSON.stringify(params)}: NDCG@10 ${m.ndcg.toFixed(4)}  P@10 ${m.precision.toFixed(4)}  R@10 ${m.recall.toFixed(4)}  fit ${rep.fitSeconds.toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU  (${m.users} users)`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
