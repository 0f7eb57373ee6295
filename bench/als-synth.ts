// ALS on synth-5m (100k users x 20k items, 5M rows): seconds per iteration with 1 and 2 threads,
// top-10 for all users excluding seen, peak RSS. Compare with implicit 0.7.2 in shared/peers.md.
// Run: node --import tsx bench/als-synth.ts [path/to/synth-5m.tsv.gz] [iterations]
import { loadInteractions } from '../src/data/load.js';
import { createModel } from '../src/models/registry.js';
import type { AlsRecommender } from '../src/models/als/index.js';
import { getKernels } from '../src/kernels/index.js';

const path = process.argv[2] ?? `${process.env.AFFINITY_DATA ?? '../shared/data'}/synth-5m/synth-5m.tsv.gz`;
const iterations = Number(process.argv[3] ?? 5);
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1];
const t0 = performance.now();
const { dataset } = await loadInteractions(path, { columns: ['user', 'item', 'count'], kind: 'implicit' });
console.log(`loaded ${dataset.size} rows, ${dataset.nUsers} users x ${dataset.nItems} items in ${((performance.now() - t0) / 1000).toFixed(1)} s; kernels: ${getKernels().kind}`);
let model: AlsRecommender | null = null;
for (const threads of [1, 2]) {
  const m = createModel('als', { factors: 64, regularization: 0.01, alpha: 1, iterations, cgSteps: 3, threads }) as AlsRecommender;
  // CPU seconds per iteration (all threads of the process) next to wall time: the host is shared
  const cpu: number[] = [];
  let c0 = process.cpuUsage();
  const r = await m.fit(dataset, {
    onProgress: () => {
      const d = process.cpuUsage(c0);
      cpu.push((d.user + d.system) / 1e6);
      c0 = process.cpuUsage();
    },
  });
  cpu[0] = NaN; // the first also counts data preparation
  const it = r.iterationSeconds ?? [];
  console.log(`ALS cg3 f64 threads=${threads}: ${median(it).toFixed(3)} s/iteration (median of ${it.length}: ${it.map((s) => s.toFixed(2)).join(' ')}), fit ${r.fitSeconds.toFixed(1)} s; CPU s/iteration ${median(cpu.slice(1)).toFixed(3)}`);
  if (model) model.release();
  model = m;
}
{
  const m = createModel('als', { factors: 64, regularization: 0.01, alpha: 1, iterations: 2, solver: 'cholesky', threads: 2 }) as AlsRecommender;
  const r = await m.fit(dataset);
  console.log(`ALS cholesky f64 threads=2: ${median(r.iterationSeconds ?? []).toFixed(3)} s/iteration (${(r.iterationSeconds ?? []).map((s) => s.toFixed(2)).join(' ')})`);
  m.release();
}
for (const threads of [1, 2]) {
  const t1 = performance.now();
  const c1 = process.cpuUsage();
  const all = await model!.recommendAll(10, threads);
  const cu = process.cpuUsage(c1);
  let checksum = 0;
  for (let u = 0; u < dataset.nUsers; u++) checksum += all.items[u * 10];
  console.log(`top-10 for all ${dataset.nUsers} users (excluding seen), threads=${threads}: ${((performance.now() - t1) / 1000).toFixed(2)} s wall, ${((cu.user + cu.system) / 1e6).toFixed(2)} s CPU (checksum ${checksum})`);
}
const t2 = performance.now();
const some = Int32Array.from({ length: 10000 }, (_, u) => u);
model!.recommendBatch(some, { n: 10 });
console.log(`recommendBatch (sync API) for 10k users: ${((performance.now() - t2) / 1000).toFixed(2)} s`);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
