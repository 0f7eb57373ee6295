/**
 * Cold-item benchmark: `node --import tsx bench/coldstart-items.ts <ml-100k|ml-latest-small|citeulike-a> [models]`
 * (AFFINITY_DATA = the shared data folder). Implicit: every rating is a positive. Prints the report JSON.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IdMap } from '../src/core/idmap.js';
import { Dataset } from '../src/data/dataset.js';
import type { FeatureTable } from '../src/data/features.js';
import { loadMovieLensDir } from '../src/data/side.js';
import { evaluateColdItems } from '../src/eval/cold.js';
import { parseModelSpec } from '../src/models/params.js';

const root = process.env.AFFINITY_DATA ?? '../shared/data';
const which = process.argv[2] ?? 'ml-100k';
const models = (process.argv[3] ?? 'popularity,als,cold-items').split(',').map((s) => ({ ...parseModelSpec(s), label: s }));

/** CiteULike-a: users.dat (0-based user lines of item lists) + item-tag.dat + tags.dat. */
export function loadCiteULike(dir: string): Dataset {
  const users = new IdMap();
  const items = new IdMap();
  const u: number[] = [];
  const it: number[] = [];
  readFileSync(join(dir, 'users.dat'), 'utf8').split('\n').forEach((line, lu) => {
    const f = line.trim().split(/\s+/);
    if (f.length < 2) return;
    const uu = users.add(String(lu));
    for (const x of f.slice(1)) (u.push(uu), it.push(items.add(x)));
  });
  const tagNames = readFileSync(join(dir, 'tags.dat'), 'utf8').split('\n').map((s) => s.trim());
  const ids = new IdMap();
  const indptr = [0];
  const codes: number[] = [];
  readFileSync(join(dir, 'item-tag.dat'), 'utf8').split('\n').forEach((line, li) => {
    const f = line.trim().split(/\s+/);
    if (line.trim() === '') return;
    ids.add(String(li));
    for (const x of f.slice(1)) codes.push(Number(x));
    indptr.push(codes.length);
  });
  const itemFeatures: FeatureTable = { ids, columns: [{ kind: 'multi', name: 'tags', indptr: Int32Array.from(indptr), codes: Int32Array.from(codes), vocab: tagNames }] };
  return new Dataset({ users, items, user: Int32Array.from(u), item: Int32Array.from(it), value: new Float32Array(u.length).fill(1), kind: 'implicit', itemFeatures, source: dir });
}

let data: Dataset;
if (which === 'citeulike-a') data = loadCiteULike(join(root, 'citeulike-a'));
else data = (await loadMovieLensDir(join(root, which))).dataset.toImplicit(0);
const t0 = performance.now();
const rep = await evaluateColdItems(data, models, { fraction: 0.2, seed: 42, label: which });
console.log(JSON.stringify({ ...rep, seconds: (performance.now() - t0) / 1000 }, null, 1));
