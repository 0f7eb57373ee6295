/**
 * Tuning of the hybrid's defaults for warm items under the cold-items protocol, on a validation seed
 * (the 20% cold-item draw and the warm test rows depend on the seed; the reported figures use seed 42):
 *
 *   AFFINITY_DATA=../shared/data node --import tsx bench/hybrid-cold-tune.ts <ml-100k|ml-latest-small> SEED "spec" ["spec" ...]
 *
 * Each spec is a model spec as on the CLI (e.g. "hybrid:featureWeight=0.5", "als"). Prints one line per
 * model: warm NDCG@10, warm AUC, cold NDCG@10, cold AUC, fit seconds.
 */
import { join } from 'node:path';
import { loadMovieLensDir } from '../src/data/side.js';
import { evaluateColdItems } from '../src/eval/cold.js';
import { parseModelSpec } from '../src/models/params.js';

const root = process.env.AFFINITY_DATA ?? '../shared/data';
const which = process.argv[2] ?? 'ml-latest-small';
const seed = Number(process.argv[3] ?? '7');
const specs = process.argv.slice(4);
if (specs.length === 0) specs.push('hybrid');
const data = (await loadMovieLensDir(join(root, which))).dataset.toImplicit(0);
for (const s of specs) {
  const rep = await evaluateColdItems(data, [{ ...parseModelSpec(s), label: s }], { fraction: 0.2, seed, label: which });
  const r = rep.results[0];
  const m = r.metrics;
  const f = (x: number): string => x.toFixed(4);
  console.log(`${which} seed ${seed} | ${s} | warm ndcg ${f(m['warm.ndcg@10'])} auc ${f(m['warm.auc'])} | cold ndcg ${f(m['cold.ndcg@10'])} auc ${f(m['cold.auc'])} | fit ${r.fitSeconds.toFixed(1)} s`);
}
