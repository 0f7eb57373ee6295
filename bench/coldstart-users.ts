/**
 * New-user benchmark: `node --import tsx bench/coldstart-users.ts [ml-100k] [svg-path]` (AFFINITY_DATA =
 * the shared data folder). Implicit (every rating a positive); NDCG@10 by number of known interactions
 * (0, 1, 3, 5, 10); writes the curve as SVG. Prints the report JSON.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMovieLensDir } from '../src/data/side.js';
import { evaluateColdUsers, type ColdModelSpec } from '../src/eval/cold.js';
import { modelNames } from '../src/models/registry.js';
import { lineChart } from '../src/viz/svg.js';

const root = process.env.AFFINITY_DATA ?? '../shared/data';
const which = process.argv[2] ?? 'ml-100k';
const out = process.argv[3] ?? 'docs/bench/new-users.svg';
const data = (await loadMovieLensDir(join(root, which))).dataset.toImplicit(0);
const known = [0, 1, 3, 5, 10];
const models: ColdModelSpec[] = [
  { name: 'popularity', params: {}, label: 'popularity' },
  { name: 'segment-popularity', params: {}, label: 'segment popularity' },
  { name: 'als', params: {}, label: 'onboarding + ALS fold-in' },
  { name: 'als', params: {}, label: 'ALS fold-in (random known)' },
  { name: 'weighted', params: { models: 'segment-popularity+als', mode: 'history', pivot: '3', steepness: '1' }, label: 'hybrid: segment pop. -> ALS by history' },
];
if (modelNames().includes('hybrid')) models.push({ name: 'hybrid', params: {}, label: 'hybrid (LightFM-style)' });
const t0 = performance.now();
const rep = await evaluateColdUsers(data, models, { known, seed: 42, category: 'genres', label: which });
const svg = lineChart(
  rep.results.map((r) => ({ name: r.label, x: known, y: known.map((n) => r.metrics[String(n)]) })),
  { title: `New users on ${which}: NDCG@10 by known interactions`, xLabel: 'known interactions of the new user', yLabel: 'NDCG@10', yMin: 0 },
);
writeFileSync(out, svg);
console.log(JSON.stringify({ ...rep, svg: out, seconds: (performance.now() - t0) / 1000 }, null, 1));
