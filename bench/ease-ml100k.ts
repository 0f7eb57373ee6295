// EASE on the ML-100K implicit split (shared/data/ml-100k-split): fit seconds and P/R/NDCG/MAP@10
// for several lambdas, against the dense numpy reference in shared/peers.md (λ=500: P 0.2255, NDCG 0.3253).
// Usage: node --import tsx bench/ease-ml100k.ts [dataDir] [lambda,lambda,...]
import { join } from 'node:path';
import { createModel } from '../src/models/registry.js';
import { loadImplicitSplit, topNFigures } from '../test/helpers/split-eval.js';

async function main(): Promise<void> {
  const root = process.argv[2] ?? process.env.AFFINITY_DATA ?? '../shared/data';
  const lambdas = (process.argv[3] ?? '500,200,100,50').split(',').map(Number);
  const split = await loadImplicitSplit(join(root, 'ml-100k-split'));
  console.log(`train ${split.train.size} rows, ${split.train.nUsers} users, ${split.train.nItems} items`);
  console.log('lambda\tfit_s\tP@10\tR@10\tNDCG@10\tMAP@10\ttop10_all_users_s');
  for (const lambda of lambdas) {
    const fits: number[] = [];
    let model = createModel('ease', { lambda });
    for (let rep = 0; rep < 3; rep++) {
      model = createModel('ease', { lambda });
      fits.push((await model.fit(split.train)).fitSeconds);
    }
    fits.sort((a, b) => a - b);
    const t0 = performance.now();
    const r = topNFigures(model, split.test, 10);
    const evalS = (performance.now() - t0) / 1000;
    console.log([lambda, fits[1].toFixed(3), r.precision.toFixed(4), r.recall.toFixed(4), r.ndcg.toFixed(4), r.map.toFixed(4), evalS.toFixed(3)].join('\t'));
  }
}

await main();
