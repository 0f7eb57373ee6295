/**
 * Latency of one full pipeline call (candidates -> features -> LambdaMART -> MMR, caps, exploration ->
 * explanations) for one user over a 1M-item catalogue.
 *
 *   node --import tsx bench/pipeline-latency.ts [--items 1000000] [--users 20000] [--rows 1000000] [--requests 500]
 *
 * The catalogue is synthetic (src/data/synthetic.ts: power-law popularity, 20 categories, a year of
 * timestamps). The models of the default pipeline are fitted on it (ALS with 64 factors, `--als-iters`
 * sweeps, default 1: ALS-like factors without a full training; item-kNN k = 50); the ALS item factors go
 * into a usearch HNSW index (M 16, efConstruction 128, efSearch 200). The LambdaMART ranker has the same
 * feature schema and is trained by the default pipeline on a smaller catalogue of the same generator
 * (20k items), then served over the 1M items. Requests: known users drawn at random (their training
 * history as the request history) and anonymous users (-1). Prints p50 / p99 of the whole call, and of
 * each stage for the known users.
 */
import { generateSynthetic } from '../src/data/synthetic.js';
import { Rng } from '../src/core/rng.js';
import type { BaseRecommender } from '../src/models/base.js';
import { createModel } from '../src/models/registry.js';
import { ItemCatalog } from '../src/pipeline/catalog.js';
import { defaultPipelineConfig, type PipelineConfig } from '../src/pipeline/config.js';
import { Pipeline } from '../src/pipeline/pipeline.js';
import { buildSources } from '../src/pipeline/pipeline-build.js';

const args = process.argv.slice(2);
const arg = (name: string, def: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const N_ITEMS = arg('items', 1_000_000);
const N_USERS = arg('users', 20_000);
const N_ROWS = arg('rows', 1_000_000);
const N_REQ = arg('requests', 500);
const ALS_ITERS = arg('als-iters', 1);

const base = defaultPipelineConfig();
const cfg: PipelineConfig = {
  ...base,
  models: base.models.map((m) => (m.model === 'als' ? { ...m, params: { ...m.params, factors: 64, iterations: ALS_ITERS, threads: 0 } } : m)),
  candidates: base.candidates.map((c) => (c.type === 'ann' ? { ...c, ann: { backend: 'usearch' as const, m: 16, efConstruction: 128, efSearch: 200, threads: 0 } } : c)),
  ranking: base.ranking.type === 'gbdt-lambdamart' ? { ...base.ranking, maxQueries: 2000 } : base.ranking,
};
const secs = (t0: number): number => (performance.now() - t0) / 1000;
const log = (s: string): void => void process.stderr.write(`${s}\n`);

// 1. the ranker, trained by the pipeline itself on a smaller catalogue of the same generator
let t = performance.now();
const small = generateSynthetic({ users: 5000, items: 20_000, interactions: 200_000, seed: 1, text: false });
const trained = await Pipeline.build({ ...cfg, models: cfg.models.map((m) => (m.model === 'als' ? { ...m, params: { ...m.params, iterations: 5 } } : m)) }, small);
log(`ranker trained on 20k items in ${secs(t).toFixed(1)} s`);

// 2. the 1M-item catalogue, its models and sources
t = performance.now();
const data = generateSynthetic({ users: N_USERS, items: N_ITEMS, interactions: N_ROWS, seed: 2, text: false });
const genSeconds = secs(t);
log(`data: ${data.nUsers} users, ${data.nItems} items, ${data.size} rows in ${genSeconds.toFixed(1)} s`);
const models = new Map<string, BaseRecommender>();
const fitSeconds: Record<string, number> = {};
for (const decl of cfg.models) {
  t = performance.now();
  const m = createModel(decl.model, decl.params ?? {});
  await m.fit(data);
  models.set(decl.name, m);
  fitSeconds[decl.name] = Number(secs(t).toFixed(1));
  log(`fit ${decl.name}: ${fitSeconds[decl.name]} s`);
}
t = performance.now();
const sources = buildSources(cfg, data, models);
const sourceSeconds = secs(t);
log(`sources (ANN index over ${N_ITEMS} x 64): ${sourceSeconds.toFixed(1)} s`);
const p = new Pipeline({ config: cfg, data, models, sources, catalog: ItemCatalog.fromDataset(data), fine: trained.fine, coarse: null });

// 3. requests
const rng = new Rng(7);
const pct = (v: number[], q: number): number => {
  const s = v.slice().sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const ms = (v: number[]): { p50: number; p99: number; mean: number } => ({
  p50: Number(pct(v, 0.5).toFixed(2)),
  p99: Number(pct(v, 0.99).toFixed(2)),
  mean: Number((v.reduce((a, b) => a + b, 0) / v.length).toFixed(2)),
});
const counts = data.userCounts();
const users: number[] = [];
while (users.length < N_REQ) {
  const u = rng.int(data.nUsers);
  if (counts[u] > 0) users.push(u);
}
for (let w = 0; w < 30; w++) p.recommend(p.request(users[w % users.length]), 10); // warm-up (JIT)
const whole: number[] = [];
const stage = { candidates: [] as number[], features: [] as number[], ranker: [] as number[], rerankExplain: [] as number[] };
let historyLen = 0;
for (const u of users) {
  const req = p.request(u);
  historyLen += req.history.items.length;
  let t0 = performance.now();
  const r = p.recommend(req, 10);
  whole.push(performance.now() - t0);
  if (r.items.length !== 10) throw new Error(`user ${u}: ${r.items.length} items`);
  // the same request stage by stage
  t0 = performance.now();
  const c = p.candidates(req, null);
  const t1 = performance.now();
  const x = p.builder.build(req, c);
  const t2 = performance.now();
  p.fine?.score(x, c.items.length, p.builder.nCols);
  const t3 = performance.now();
  stage.candidates.push(t1 - t0);
  stage.features.push(t2 - t1);
  stage.ranker.push(t3 - t2);
}
// re-ranking + explanations = the whole call minus the three stages (measured on the same requests)
for (let k = 0; k < whole.length; k++) stage.rerankExplain.push(Math.max(0, whole[k] - stage.candidates[k] - stage.features[k] - stage.ranker[k]));
const anon: number[] = [];
for (let k = 0; k < Math.min(200, N_REQ); k++) {
  const t0 = performance.now();
  p.recommend(p.request(-1), 10);
  anon.push(performance.now() - t0);
}
console.log(
  JSON.stringify(
    {
      items: data.nItems,
      users: data.nUsers,
      rows: data.size,
      candidates: sources.reduce((a, s) => a + s.quota, 0),
      features: p.builder.nCols,
      meanHistory: Number((historyLen / users.length).toFixed(1)),
      setupSeconds: { generate: Number(genSeconds.toFixed(1)), fit: fitSeconds, sources: Number(sourceSeconds.toFixed(1)) },
      requests: users.length,
      wholeCallMs: ms(whole),
      stagesMs: Object.fromEntries(Object.entries(stage).map(([k, v]) => [k, ms(v)])),
      anonymousMs: ms(anon),
    },
    null,
    1,
  ),
);
