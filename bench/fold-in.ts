// Fold-in (Recommender.scoreHistory / recommendHistory) on ML-100K.
// 1. For every user of a model trained on all users: overlap@10 of recommend(u) with
//    recommendHistory(u's training history), and the time of one recommendHistory (scoreHistory + top-10).
// 2. 10% of the users held out of training (seeded), folded in from their training history: NDCG@10
//    on their test items, next to the same users' NDCG@10 in the full model.
// Data: shared/data/ml-100k-split (train.tsv as binary interactions) for als, bpr, ease, item-knn;
// svd / svdpp on the explicit ratings of ml-100k/u.data without the split's test rows (same test rows);
// svd:solve / svdpp:solve: the same models folded in by the least-squares solve (foldInUser method 'solve').
// Usage: node --import tsx bench/fold-in.ts [dataDir] [model,model,...]
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { IdMap } from '../src/core/idmap.js';
import { Rng } from '../src/core/rng.js';
import { Dataset } from '../src/data/dataset.js';
import { ndcgAt, relevantSet } from '../src/eval/metrics.js';
import { loadImplicitSplit } from '../test/helpers/split-eval.js';
import { createModel } from '../src/models/registry.js';
import type { Params, Recommender, ScoredItems } from '../src/models/recommender.js';
import { FactorRatingModel } from '../src/models/svd/index.js';

interface Case {
  /** Row label; the registry name is the part before ':' (svd:solve = svd with foldInUser method 'solve'). */
  model: string;
  params: Params;
  train: Dataset;
  test: Int32Array[];
}

/** u.data minus the split's test rows, as explicit ratings, with the test rows over its id maps. */
function explicitCase(root: string): { train: Dataset; test: Int32Array[] } {
  const rows = (f: string): string[][] => readFileSync(f, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => l.split('\t'));
  const testRows = rows(join(root, 'ml-100k-split', 'test.tsv'));
  const inTest = new Set(testRows.map((r) => `${r[0]}\t${r[1]}`));
  const users = new IdMap();
  const items = new IdMap();
  const u: number[] = [];
  const i: number[] = [];
  const v: number[] = [];
  const t: number[] = [];
  for (const r of rows(join(root, 'ml-100k', 'u.data'))) {
    if (inTest.has(`${r[0]}\t${r[1]}`)) continue;
    u.push(users.add(r[0]));
    i.push(items.add(r[1]));
    v.push(Number(r[2]));
    t.push(Number(r[3]));
  }
  const train = new Dataset({
    users,
    items,
    user: Int32Array.from(u),
    item: Int32Array.from(i),
    value: Float32Array.from(v),
    time: Float64Array.from(t),
    kind: 'explicit',
    ratingScale: [1, 5],
    source: 'ml-100k u.data minus ml-100k-split test rows',
  });
  const lists: number[][] = Array.from({ length: users.size }, () => []);
  for (const r of testRows) {
    const uu = users.get(r[0]);
    const ii = items.get(r[1]);
    if (uu >= 0 && ii >= 0) lists[uu].push(ii);
  }
  return { train, test: lists.map((l) => Int32Array.from(l)) };
}

function rowOf(d: Dataset, u: number): { items: Int32Array; values: Float32Array } {
  const { indptr, indices, data } = d.csr();
  return { items: indices.subarray(indptr[u], indptr[u + 1]), values: data.subarray(indptr[u], indptr[u + 1]) };
}

function overlap(a: Int32Array, b: Int32Array): number {
  const s = new Set(a);
  let o = 0;
  for (const x of b) if (s.has(x)) o++;
  return o;
}

/** The fold-in under test: recommendHistory, or for 'svd:solve' / 'svdpp:solve' the least-squares fold-in. */
function folder(label: string, m: Recommender): (items: Int32Array, values: Float32Array) => ScoredItems {
  if (label.endsWith(':solve')) {
    if (!(m instanceof FactorRatingModel)) throw new Error(`${label}: not an SVD model`);
    return (items, values) => m.recommendFolded(m.foldInUser(items, values, { method: 'solve' }), { n: 10 });
  }
  return (items, values) => m.recommendHistory(items, values, { n: 10 });
}

async function run(c: Case): Promise<string> {
  const { train, test } = c;
  const name = c.model.split(':')[0];
  const full = createModel(name, c.params);
  const foldFull = folder(c.model, full);
  const fit = await full.fit(train, { threads: 1 });
  const users: number[] = [];
  for (let u = 0; u < train.nUsers; u++) if (rowOf(train, u).items.length > 0) users.push(u);
  // warm-up (JIT), then one timed recommendHistory per user
  for (const u of users.slice(0, 50)) foldFull(rowOf(train, u).items, rowOf(train, u).values);
  // wall clock and CPU time (process.cpuUsage: time on a core, so not inflated by waiting for one
  // on a loaded host) of each call
  const times = new Float64Array(users.length);
  const cpu = new Float64Array(users.length);
  let ov = 0;
  users.forEach((u, k) => {
    const h = rowOf(train, u);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = foldFull(h.items, h.values);
    times[k] = performance.now() - t0;
    const c = process.cpuUsage(c0);
    cpu[k] = (c.user + c.system) / 1000;
    ov += overlap(full.recommend(u, { n: 10 }).items, r.items);
  });
  const stats = (a: Float64Array): [number, number, number] => {
    const sorted = Float64Array.from(a).sort();
    return [a.reduce((x, y) => x + y, 0) / a.length, sorted[Math.floor(0.5 * sorted.length)], sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))]];
  };
  const [mean, p50, p99] = stats(times);
  const [cpuMean, , cpuP99] = stats(cpu);

  // hold out 10% of the users (seeded), train without them, fold them in
  const perm = new Rng(42).permutation(train.nUsers);
  const held = new Uint8Array(train.nUsers);
  for (let k = 0; k < Math.round(0.1 * train.nUsers); k++) held[perm[k]] = 1;
  const keep: number[] = [];
  for (let r = 0; r < train.size; r++) if (!held[train.user[r]]) keep.push(r);
  const part = createModel(name, c.params);
  await part.fit(train.subset(keep), { threads: 1 });
  const foldPart = folder(c.model, part);
  let nFold = 0;
  let nFull = 0;
  let nUsers = 0;
  let hov = 0;
  for (let u = 0; u < train.nUsers; u++) {
    if (!held[u] || test[u].length === 0) continue;
    const h = rowOf(train, u);
    const rel = relevantSet(test[u]);
    const folded = foldPart(h.items, h.values).items;
    const own = full.recommend(u, { n: 10 }).items;
    nFold += ndcgAt(folded, rel, 10);
    nFull += ndcgAt(own, rel, 10);
    hov += overlap(own, folded);
    nUsers++;
  }
  return [
    c.model,
    fit.fitSeconds.toFixed(2),
    (ov / users.length).toFixed(2),
    mean.toFixed(3),
    p50.toFixed(3),
    p99.toFixed(3),
    cpuMean.toFixed(3),
    cpuP99.toFixed(3),
    nUsers,
    (nFold / nUsers).toFixed(4),
    (nFull / nUsers).toFixed(4),
    (hov / nUsers).toFixed(2),
  ].join(' | ');
}

async function main(): Promise<void> {
  const root = process.argv[2] ?? process.env.AFFINITY_DATA ?? '../shared/data';
  const only = process.argv[3]?.split(',');
  const split = await loadImplicitSplit(join(root, 'ml-100k-split'));
  const explicit = explicitCase(root);
  const cases: Case[] = [
    { model: 'als', params: {}, ...split },
    { model: 'bpr', params: {}, ...split },
    { model: 'svd', params: {}, ...explicit },
    { model: 'svdpp', params: {}, ...explicit },
    { model: 'svd:solve', params: {}, ...explicit },
    { model: 'svdpp:solve', params: {}, ...explicit },
    { model: 'ease', params: { lambda: 500 }, ...split },
    { model: 'item-knn', params: {}, ...split },
  ];
  console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores, shared), 1 thread`);
  console.log('| model | fit s | overlap@10 (all users) | fold-in + top-10 mean ms | p50 ms | p99 ms | CPU mean ms | CPU p99 ms | held-out users | NDCG@10 folded in | NDCG@10 in full model | overlap@10 folded vs full |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const c of cases) if (!only || only.includes(c.model)) console.log(`| ${await run(c)} |`);
}

await main();
