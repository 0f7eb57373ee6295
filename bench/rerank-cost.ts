/** Cost of a re-rank chain over 1000 candidates on the ML-100K catalogue. Run: npx tsx bench/rerank-cost.ts ../shared/data/ml-100k */
import { loadMovieLensDir } from '../src/data/side.js';
import { ItemCatalog, MemoryItemStats } from '../src/pipeline/catalog.js';
import { applyAll, buildRerankers, intraListDiversity } from '../src/pipeline/rerank/index.js';
import { explainReasons } from '../src/pipeline/explain.js';
import { Rng } from '../src/core/rng.js';

const dir = process.argv[2] ?? '../shared/data/ml-100k';
const { dataset } = await loadMovieLensDir(dir);
const catalog = ItemCatalog.fromDataset(dataset);
const rng = new Rng(42);
const m = 1000;
const perm = rng.permutation(catalog.nItems).slice(0, m);
const list = { items: perm, scores: Float32Array.from(perm, () => rng.next()), source: new Uint8Array(m), sourceNames: ['model'] };
const chain = buildRerankers([
  { type: 'availability' },
  { type: 'filter', expr: 'year >= 1970 && category != "Horror"' },
  { type: 'boost', when: 'category == "Comedy"', factor: 1.2 },
  { type: 'freshness', weight: 0.3, halfLifeDays: 60 },
  { type: 'novelty', weight: 0.2 },
  { type: 'fatigue', maxShown: 3 },
  { type: 'mmr', lambda: 0.7, depth: 20 },
  { type: 'cap', by: 'category', max: 4 },
  { type: 'no-adjacent' },
  { type: 'explore', strategy: 'thompson', slots: 1 },
], 'rerank', catalog);
const stats = new MemoryItemStats(catalog.nItems);
const times: number[] = [];
let ild = 0;
for (let r = 0; r < 300; r++) {
  const req = { user: r, history: { items: new Int32Array(0), values: new Float32Array(0), times: null }, now: 893286638 };
  const t0 = performance.now();
  const out = applyAll(chain, list, req, { catalog, stats, n: 10, seed: 1 });
  explainReasons(out, req, catalog);
  times.push(performance.now() - t0);
  ild += intraListDiversity(catalog, out.items, 10);
}
times.sort((a, b) => a - b);
console.log(`chain of ${chain.length} re-rankers + explanations over ${m} candidates: p50 ${times[150].toFixed(2)} ms, p99 ${times[296].toFixed(2)} ms; ILD@10 ${(ild / 300).toFixed(3)} (input ILD@10 ${intraListDiversity(catalog, list.items, 10).toFixed(3)})`);
