/**
 * ANN backends against exact search: recall@10, queries per second (one query at a time, one thread),
 * build time and memory, on random Gaussian vectors (the hard case: no cluster structure).
 * Usage: node --import tsx bench/ann-1m.ts [--n 1000000] [--dim 64] [--metric cos|ip] [--data spectral|gauss] [--decay 0.5]
 *        [--backends usearch,hnswlib,hnsw] [--ef 32,64,128] [--m 16] [--efc 128] [--queries 300] [--threads 0]
 *        [--index-file PATH]  (own backends: load PATH.<backend> when present, else build and save it)
 * `npm run bench -- ann` runs it with the defaults (1M x 64, cos, usearch + hnswlib-node).
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import { Rng } from '../src/core/rng.js';
import { existsSync } from 'node:fs';
import { buildAnnIndex, createAnnIndex, loadAnnIndex, type AnnIndex } from '../src/ann/index.js';

const args = process.argv.slice(2);
function arg(name: string, def: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : def;
}
const N = Number(arg('n', '1000000'));
const DIM = Number(arg('dim', '64'));
const METRIC = arg('metric', 'cos') as 'cos' | 'ip';
const BACKENDS = arg('backends', 'usearch,hnswlib').split(',');
const EFS = arg('ef', '32,64,128').split(',').map(Number);
const M = Number(arg('m', '16'));
const EFC = Number(arg('efc', '128'));
const NQ = Number(arg('queries', '300'));
const THREADS = Number(arg('threads', '0'));
/** Reuse a built index between runs (own backends): loaded when the file exists, else written after the build. */
const INDEX_FILE = arg('index-file', '');
const K = 10;

const DATA = arg('data', 'spectral');
const DECAY = Number(arg('decay', '0.5'));
/**
 * 'gauss': isotropic N(0, I) (no structure at all: the worst case for any graph index). 'spectral':
 * coordinate j ~ N(0, (j+1)^-decay), the decaying spectrum of trained factor / embedding vectors
 * (their singular values fall off; a rotation would not change any distance).
 */
function gaussian(n: number, seed: number): Float32Array {
  const r = new Rng(seed);
  const v = new Float32Array(n * DIM);
  const sd = Float64Array.from({ length: DIM }, (_, j) => (DATA === 'gauss' ? 1 : Math.pow(j + 1, -DECAY)));
  for (let i = 0; i < v.length; i++) v[i] = r.normal() * sd[i % DIM];
  return v;
}
const mb = (b: number): string => (b / 2 ** 20).toFixed(0);
const now = (): number => performance.now();

console.log(`# ann: ${N} x ${DIM} ${METRIC}, data ${DATA}${DATA === 'gauss' ? '' : ` decay ${DECAY}`}, M ${M}, efConstruction ${EFC}, ${NQ} queries, k ${K}; ${os.cpus().length} x ${os.cpus()[0]?.model}, node ${process.version}`);
const data = gaussian(N, 1);
const queries = gaussian(NQ, 2);
const q = (i: number): Float32Array => queries.subarray(i * DIM, (i + 1) * DIM);

// exact reference
let t = now();
const exact = buildAnnIndex('exact', data, { dim: DIM, metric: METRIC });
const exactBuild = (now() - t) / 1000;
const truth: Int32Array[] = [];
t = now();
for (let i = 0; i < NQ; i++) truth.push(exact.search(q(i), K).items);
const exactQps = NQ / ((now() - t) / 1000);
console.log(JSON.stringify({ backend: 'exact', build_s: +exactBuild.toFixed(2), qps: +exactQps.toFixed(1), memory_mb: +mb(exact.memoryBytes()) }));

function recall(search: (i: number) => ArrayLike<number>): { recall: number; qps: number } {
  let hit = 0;
  const t0 = now();
  const res: ArrayLike<number>[] = [];
  for (let i = 0; i < NQ; i++) res.push(search(i));
  const qps = NQ / ((now() - t0) / 1000);
  for (let i = 0; i < NQ; i++) {
    const s = new Set(truth[i]);
    for (let j = 0; j < res[i].length; j++) if (s.has(res[i][j])) hit++;
  }
  return { recall: hit / (NQ * K), qps };
}

interface HnswlibIndex {
  initIndex(o: { maxElements: number; m?: number; efConstruction?: number; randomSeed?: number }): void;
  addPoint(p: number[], label: number): void;
  setEf(ef: number): void;
  searchKnn(p: number[], k: number): { neighbors: number[]; distances: number[] };
}

for (const b of BACKENDS) {
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  t = now();
  let search: (i: number) => ArrayLike<number>;
  let setEf: (ef: number) => void;
  let own = 0;
  if (b === 'hnswlib') {
    const { HierarchicalNSW } = createRequire(import.meta.url)('hnswlib-node') as { HierarchicalNSW: new (space: string, dim: number) => HnswlibIndex };
    const h = new HierarchicalNSW(METRIC === 'cos' ? 'cosine' : 'ip', DIM);
    h.initIndex({ maxElements: N, m: M, efConstruction: EFC, randomSeed: 42 });
    for (let i = 0; i < N; i++) h.addPoint(Array.from(data.subarray(i * DIM, (i + 1) * DIM)), i);
    search = (i) => h.searchKnn(Array.from(q(i)), K).neighbors;
    setEf = (ef) => h.setEf(ef);
  } else {
    const file = INDEX_FILE ? `${INDEX_FILE}.${b}` : '';
    let idx: AnnIndex;
    if (file && existsSync(file)) {
      idx = loadAnnIndex(file);
      console.log(`# loaded ${file} (build time below is the load time)`);
    } else {
      idx = createAnnIndex(b, { dim: DIM, metric: METRIC, m: M, efConstruction: EFC, threads: THREADS });
      const keys = Int32Array.from({ length: N }, (_, i) => i);
      idx.add(keys, data);
      if (file) idx.save(file);
    }
    search = (i) => idx.search(q(i), K).items;
    setEf = (ef) => (idx.efSearch = ef);
    own = idx.memoryBytes();
  }
  const build = (now() - t) / 1000;
  const rss = process.memoryUsage().rss - rss0;
  for (const ef of EFS) {
    setEf(ef);
    const r = recall(search);
    console.log(JSON.stringify({
      backend: b, n: N, dim: DIM, metric: METRIC, m: M, efConstruction: EFC, efSearch: ef,
      build_s: +build.toFixed(1), rss_delta_mb: +mb(rss), index_mb: own ? +mb(own) : undefined,
      recall10: +r.recall.toFixed(4), qps: Math.round(r.qps), speedup_vs_exact: +(r.qps / exactQps).toFixed(1),
    }));
  }
}
