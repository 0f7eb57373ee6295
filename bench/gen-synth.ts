/**
 * Generates a large synthetic dataset and reports time and peak memory.
 *
 *   node --import tsx bench/gen-synth.ts [--users 400000] [--items 50000] [--interactions 20000000]
 *        [--factors 16] [--oversample 4] [--kind implicit|explicit] [--seed 1] [--out file.tsv.gz] [--splits]
 *
 * --splits also times splitDataset (random, user-ratio, temporal, user-temporal, loo, 5-fold) and kCore on the result.
 */
import { kCore } from '../src/data/kcore.js';
import { splitDataset } from '../src/data/split.js';
import type { SplitSpec } from '../src/data/split-types.js';
import { generateSynthetic, writeSyntheticTsv, type SyntheticOptions } from '../src/data/synthetic.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

const opts: SyntheticOptions = {
  users: Number(arg('users', '400000')),
  items: Number(arg('items', '50000')),
  interactions: Number(arg('interactions', '20000000')),
  factors: Number(arg('factors', '16')),
  oversample: Number(arg('oversample', '4')),
  kind: arg('kind', 'implicit') === 'explicit' ? 'explicit' : 'implicit',
  seed: Number(arg('seed', '1')),
};
const out = arg('out', '');

const mb = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const d = generateSynthetic(opts);
const t1 = performance.now();
const cpu = process.cpuUsage(cpu0);
const counts = Array.from(d.itemCounts()).sort((a, b) => b - a);
const head = counts.slice(0, Math.round(d.nItems / 10)).reduce((s, x) => s + x, 0) / d.size;
const uc = Array.from(d.userCounts()).sort((a, b) => a - b);
console.log(
  `generated ${d.size.toLocaleString('en')} rows (${d.nUsers.toLocaleString('en')} users x ${d.nItems.toLocaleString('en')} items, ` +
    `f=${opts.factors}, oversample=${opts.oversample}) in ${((t1 - t0) / 1000).toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU`,
);
console.log(
  `top 10% items hold ${(100 * head).toFixed(1)}% of rows; rows per user min/median/max ${uc[0]}/${uc[uc.length >> 1]}/${uc[uc.length - 1]}; ` +
    `items with rows ${counts.filter((c) => c > 0).length}`,
);
if (out) {
  const t2 = performance.now();
  await writeSyntheticTsv(out, d);
  console.log(`wrote ${out} in ${((performance.now() - t2) / 1000).toFixed(2)} s`);
}
if (process.argv.includes('--splits')) {
  const specs: SplitSpec[] = [
    { kind: 'random', testFraction: 0.2 },
    { kind: 'user-ratio', testFraction: 0.2 },
    { kind: 'temporal', testFraction: 0.2 },
    { kind: 'user-temporal', lastN: 1 },
    { kind: 'leave-one-out', pick: 'latest' },
    { kind: 'kfold', k: 5 },
  ];
  for (const spec of specs) {
    const t = performance.now();
    const folds = splitDataset(d, spec, 42);
    console.log(`split ${spec.kind}: ${folds.length} fold(s), ${folds[0].testRows.length.toLocaleString('en')} test rows in fold 0, ${((performance.now() - t) / 1000).toFixed(2)} s`);
  }
  const t = performance.now();
  const core = kCore(d, 10, 10);
  console.log(`kCore(10, 10): ${core.size.toLocaleString('en')} rows kept, ${((performance.now() - t) / 1000).toFixed(2)} s`);
}
console.log(`peak RSS ${mb(process.resourceUsage().maxRSS * 1024)}, heap used ${mb(process.memoryUsage().heapUsed)}`);
