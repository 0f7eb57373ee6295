/**
 * item-kNN (cosine, K = 20) fit on synthetic implicit data, 20M interactions by default: time of the
 * similarity computation for 1 and 2 threads, and peak RSS (memory stays bounded: the similarity is
 * built row by row with one dense accumulator per thread and stored as at most K neighbours per item).
 *
 *   node --import tsx bench/knn-20m.ts [rows=20000000] [users=500000] [items=50000] [threads=1,2] [k=20] [similarity=cosine]
 *
 * (`node --expose-gc` makes the memory figures cleaner but is not needed.)
 */
import { generateSynthetic } from '../src/data/synthetic.js';
import { createModel } from '../src/models/registry.js';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=') as [string, string]));
const rows = Number(args.rows ?? 20_000_000);
const users = Number(args.users ?? 500_000);
const items = Number(args.items ?? 50_000);
const threadList = (args.threads ?? '1,2').split(',').map(Number);
const k = Number(args.k ?? 20);
const similarity = args.similarity ?? 'cosine';

const mb = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MB`;
const peak = (): string => mb(process.resourceUsage().maxRSS * 1024);

let t = performance.now();
const data = generateSynthetic({ users, items, interactions: rows, text: false, seed: 1, maxPerUser: 2000 });
console.log(`generated ${data.size} rows, ${data.nUsers} users x ${data.nItems} items in ${((performance.now() - t) / 1000).toFixed(1)} s; peak RSS ${peak()}`);
t = performance.now();
const csr = data.csr();
data.csc();
console.log(`CSR + CSC built in ${((performance.now() - t) / 1000).toFixed(1)} s; peak RSS ${peak()}`);
// work of the co-occurrence loop: sum over users of n_u^2
let work = 0;
let maxRow = 0;
for (let u = 0; u < csr.nRows; u++) {
  const n = csr.indptr[u + 1] - csr.indptr[u];
  work += n * n;
  if (n > maxRow) maxRow = n;
}
console.log(`co-occurrence work: ${(work / 1e9).toFixed(2)} G multiply-adds (largest user row ${maxRow})`);

for (const threads of threadList) {
  const m = createModel('item-knn', { k, similarity, threads });
  const rss0 = process.memoryUsage().rss;
  const r = await m.fit(data);
  const st = m.toState();
  const nnz = (st.arrays.simIdx as Int32Array).length;
  console.log(
    `item-knn ${similarity} K=${k} threads=${threads}: fit ${r.fitSeconds.toFixed(1)} s (${((work / r.fitSeconds) / 1e6).toFixed(0)} M/s), ` +
      `${nnz} similarities kept; RSS before fit ${mb(rss0)}, peak RSS so far ${peak()}`,
  );
  // a few recommendations, to show the model serves
  t = performance.now();
  for (let u = 0; u < 1000; u++) m.recommend(u, { n: 10 });
  console.log(`  top-10 for 1000 users: ${(performance.now() - t).toFixed(0)} ms`);
}
