/**
 * The full pipeline against its single candidate models, and NDCG@10 against intra-list diversity as
 * the MMR lambda goes from 0 to 1 (SVG written beside the doc).
 *
 *   AFFINITY_DATA=../shared/data node --import tsx bench/pipeline-quality.ts ml-100k-split
 *   AFFINITY_DATA=../shared/data node --import tsx bench/pipeline-quality.ts ml-latest-small
 *
 * ml-100k-split: the fixed implicit split (train.tsv / test.tsv, u.item genres), every test row relevant.
 * ml-latest-small: ratings >= 4, per-user 80/20 (user:0.2), seed 42, movies.csv genres.
 * The pipeline is built once on the training data; every variant re-uses its models and ranker and
 * changes only the ranking or re-ranking steps. Prints one JSON object; writes docs/bench/pipeline-mmr-<data>.svg.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTrainTest } from '../src/data/load.js';
import { loadItemFeatures, loadMovieLensDir } from '../src/data/side.js';
import { splitDataset } from '../src/data/split.js';
import type { Dataset } from '../src/data/dataset.js';
import type { SplitFold } from '../src/data/split-types.js';
import { evaluate, evaluateModels, type ModelFactory } from '../src/eval/evaluate.js';
import { prepareFold } from '../src/eval/fold.js';
import { DEFAULT_PROTOCOL, type Protocol } from '../src/eval/protocol.js';
import { PipelineModel } from '../src/models/pipeline/index.js';
import { defaultPipelineConfig, type PipelineConfig, type RerankConfig } from '../src/pipeline/config.js';
import { Pipeline } from '../src/pipeline/pipeline.js';
import { lineChart } from '../src/viz/svg.js';

const root = process.env.AFFINITY_DATA ?? '../shared/data';
const which = process.argv[2] ?? 'ml-100k-split';
const metrics = ['precision@10', 'recall@10', 'ndcg@10', 'coverage@10', 'diversity@10', 'novelty@10'];

let data: Dataset;
let folds: SplitFold[];
const protocol: Protocol = { ...DEFAULT_PROTOCOL, implicit: true, metrics, seed: 42 };
if (which === 'ml-100k-split') {
  const r = await loadTrainTest(join(root, 'ml-100k-split/train.tsv'), join(root, 'ml-100k-split/test.tsv'));
  data = r.data.withFeatures({ itemFeatures: await loadItemFeatures(join(root, 'ml-100k/u.item')) });
  folds = [r.fold];
  protocol.split = { kind: 'predefined', train: 'ml-100k-split/train.tsv', test: 'ml-100k-split/test.tsv' };
} else if (which === 'ml-latest-small') {
  data = (await loadMovieLensDir(join(root, 'ml-latest-small'))).dataset;
  protocol.split = { kind: 'user-ratio', testFraction: 0.2 };
  protocol.relevanceThreshold = 4;
  folds = splitDataset(data, protocol.split, 42);
} else throw new Error(`unknown data ${which}; expected ml-100k-split or ml-latest-small`);

const cfg = defaultPipelineConfig();
const fold = prepareFold(data, folds[0], protocol);
const t0 = performance.now();
const base = await Pipeline.build(cfg, fold.fitRanking);
const buildSeconds = (performance.now() - t0) / 1000;

/** The built pipeline with other ranking / re-ranking steps (same models, sources and ranker). */
function variant(change: Partial<PipelineConfig>): Pipeline {
  return new Pipeline({ config: { ...cfg, ...change }, data: base.data, models: new Map(base.models), sources: base.sources.slice(), catalog: base.catalog, fine: base.fine, coarse: base.coarse });
}
function factory(name: string, p: Pipeline): ModelFactory {
  return {
    name,
    task: 'ranking',
    create: () => {
      const m = new PipelineModel('pipeline', { config: '' });
      m.prebuilt = p;
      return m;
    },
  };
}
const common = { data, folds, protocol, dataLabel: which };
const singles = await evaluate({ ...common, models: cfg.models.map((m) => ({ name: m.model, params: m.params ?? {} })).concat([{ name: 'ease', params: {} }, { name: 'popularity', params: {} }]) });
const stages = await evaluateModels({
  ...common,
  models: [
    factory('pipeline (default)', base),
    factory('candidates + LambdaMART, no re-ranking', variant({ rerank: [] })),
    factory('candidates only (union order)', variant({ ranking: { type: 'none' }, rerank: [] })),
  ],
});
const lambdas = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
const sweep = await evaluateModels({ ...common, models: lambdas.map((l) => factory(`mmr ${l}`, variant({ rerank: [{ type: 'mmr', lambda: l } as RerankConfig] }))) });
const pts = sweep.results.map((r, k) => ({ lambda: lambdas[k], ndcg: r.metrics['ndcg@10'], diversity: r.metrics['diversity@10'] }));
const svgPath = `docs/bench/pipeline-mmr-${which}.svg`;
writeFileSync(svgPath, mmrChart(which, pts, singles.results.map((r) => ({ name: r.label ?? r.model, ndcg: r.metrics['ndcg@10'], diversity: r.metrics['diversity@10'] }))));
const pick = (r: { model: string; label?: string; metrics: Record<string, number>; fitSeconds: number; predictSeconds: number }) => ({
  model: r.label ?? r.model,
  ...Object.fromEntries(metrics.map((m) => [m, Number(r.metrics[m].toFixed(4))])),
  fitSeconds: Number(r.fitSeconds.toFixed(2)),
  predictSeconds: Number(r.predictSeconds.toFixed(2)),
});
console.log(JSON.stringify({ data: which, buildSeconds: Number(buildSeconds.toFixed(1)), ranker: base.fine?.kind, singles: singles.results.map(pick), stages: stages.results.map(pick), mmr: pts, svg: svgPath }, null, 1));

/** NDCG@10 against diversity: the MMR sweep as a line, every single model as its own point. */
export function mmrChart(name: string, sweep: { lambda: number; ndcg: number; diversity: number }[], single: { name: string; ndcg: number; diversity: number }[]): string {
  return lineChart(
    [
      { name: 'pipeline, MMR lambda 1 (left) -> 0 (right)', x: sweep.map((p) => p.diversity), y: sweep.map((p) => p.ndcg) },
      ...single.map((m) => ({ name: m.name.split(':')[0], x: [m.diversity], y: [m.ndcg] })),
    ],
    { title: `${name}: NDCG@10 vs intra-list diversity@10 (genres)`, xLabel: 'intra-list diversity@10', yLabel: 'NDCG@10' },
  );
}
