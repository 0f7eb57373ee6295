/**
 * Content-based models on the ML-100K implicit split (../shared/data/ml-100k-split, u.item genres +
 * title + year): NDCG@10 and P@10 under the peers.md protocol, and fit time.
 *   AFFINITY_DATA=../shared/data node --import tsx bench/content-ml100k.ts
 */
import { join } from 'node:path';
import { loadImplicitSplit, topNFigures, untrainedItems } from '../test/helpers/split-eval.js';
import { createModel } from '../src/models/registry.js';

const root = process.env.AFFINITY_DATA ?? '../shared/data';
const { train, testData: test } = await loadImplicitSplit(join(root, 'ml-100k-split'), join(root, 'ml-100k/u.item'));
const specs: Record<string, string | number>[] = [
  {},
  { columns: 'genres' },
  { columns: 'genres', popularityWeight: 0 },
  { popularityWeight: 0.2 },
];
console.log('| content params | NDCG@10 | P@10 | fit s |\n|---|---|---|---|');
for (const spec of specs) {
  const m = createModel('content', spec);
  const t0 = performance.now();
  await m.fit(train);
  const fit = (performance.now() - t0) / 1000;
  const r = topNFigures(m, test, 10, { deny: untrainedItems(train) });
  const label = Object.entries(spec).map(([k, v]) => `${k}=${v}`).join(' ') || '(defaults: all columns)';
  console.log(`| ${label} | ${r.ndcg.toFixed(4)} | ${r.precision.toFixed(4)} | ${fit.toFixed(3)} |`);
}
