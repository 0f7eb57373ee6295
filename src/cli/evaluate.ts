import type { Command } from 'commander';
import { AffinityError, paramError } from '../core/errors.js';
import { loadTrainTest } from '../data/load.js';
import { parseSplit, splitDataset } from '../data/split.js';
import type { SplitFold } from '../data/split-types.js';
import type { Dataset } from '../data/dataset.js';
import { evaluate } from '../eval/evaluate.js';
import { evaluateColdItems, evaluateColdUsers, formatColdTable, parseColdProtocol } from '../eval/cold.js';
import { DEFAULT_PROTOCOL, type Protocol } from '../eval/protocol.js';
import { formatTable } from '../eval/report.js';
import { parseModelSpec } from '../models/params.js';
import { getModelEntry } from '../models/registry.js';
import { loadPipelineConfig } from '../pipeline/config.js';
import { DATA_OPTION_HELP, attachSideData, intOption, loadOptionsFrom, numOption, readData, type DataFlags } from './common.js';
import { Progress } from './progress.js';
import { writeFileSync } from 'node:fs';

interface EvalFlags extends DataFlags {
  data?: string;
  train?: string;
  test?: string;
  protocol?: string;
  models: string;
  metrics?: string;
  k?: string;
  implicit?: boolean;
  threshold?: string;
  ranking?: string;
  candidates?: string;
  includeSeen?: boolean;
  seed?: string;
  perUser?: string;
  groupBy?: string;
  json?: boolean;
  quiet?: boolean;
  pipeline?: string;
}

export function registerEvaluate(program: Command): void {
  const cmd = program
    .command('evaluate')
    .description('evaluate one or more models side by side on one split (terminal table or --json)')
    .option('--data <path>', 'interactions file or MovieLens folder, split by --protocol')
    .option('--train <file>', 'predefined training file (with --test)')
    .option('--test <file>', 'predefined test file (with --train)')
    .option('--protocol <split>', 'split of --data: cv5 | kfold:K | random:0.2 | user:0.2 | temporal:0.2 | user-temporal:last=1 | user-temporal:0.2 | loo | loo:random (default user:0.2); cold start: cold-items:0.2 | cold-users:0,1,3,5,10 (with --data; a cold-users model spec onboarding+MODEL folds in the answers to the onboarding list)')
    .requiredOption('--models <list>', 'comma-separated model specs, e.g. baseline,knn-means,item-knn:k=50 (see `affinity models`)')
    .option('--metrics <list>', 'e.g. rmse,mae or precision@10,recall@10,ndcg@10,map@10,coverage@10 (default: by data kind)')
    .option('--k <list>', 'cut-offs for @K metrics, e.g. 10 or 5,10,20 (default 10)')
    .option('--implicit', 'train on implicit feedback: rows (>= --threshold if given) become 1')
    .option('--threshold <r>', 'relevance threshold: test rows with value >= r are relevant (and, with --implicit, train rows below r are dropped)')
    .option('--ranking <mode>', 'full (default) | sampled:N | sampled:N:popularity')
    .option('--candidates <set>', 'train (default: items with a training row) | all')
    .option('--include-seen', 'do not remove training items from rankings')
    .option('--seed <n>', 'seed of the split and of sampling (default 42)')
    .option('--per-user <file>', 'write per-user metric values (first fold) to this JSON file')
    .option('--group-by <feature>', 'fairness: metric gaps between user groups (a user feature name, or "activity")')
    .option('--pipeline <file>', "pipeline configuration (JSON) for the 'pipeline' model (default: src/pipeline/default-pipeline.json)")
    .option('--json', 'print one JSON object on stdout (progress goes to stderr)')
    .option('--quiet', 'no progress output');
  for (const [f, d] of DATA_OPTION_HELP) cmd.option(f, d);
  cmd.addHelpText(
    'after',
    `
Examples:
  affinity evaluate --data ../shared/data/ml-100k/u.data --protocol cv5 --seed 0 --models baseline,knn-means,knn-baseline-item --metrics rmse,mae --json
  affinity evaluate --train ../shared/data/ml-100k-split/train.tsv --test ../shared/data/ml-100k-split/test.tsv --implicit --models popularity,item-knn --k 10 --json
  affinity evaluate --data ratings.csv --protocol loo --implicit --threshold 4 --ranking sampled:100 --models item-knn,popularity --metrics hit@10,ndcg@10
  affinity evaluate --data ../shared/data/ml-100k --implicit --protocol cold-items:0.2 --models popularity,als,content,cold-items,hybrid
  affinity evaluate --data ../shared/data/ml-100k --protocol cold-users:0,1,3,5,10 --models popularity,segment-popularity,onboarding+als,als,hybrid`,
  );
  cmd.action(async (flags: EvalFlags) => {
    process.exitCode = await runEvaluate(flags);
  });
}

async function runEvaluate(flags: EvalFlags): Promise<number> {
  const progress = new Progress(flags.quiet);
  const seed = intOption('--seed', flags.seed) ?? DEFAULT_PROTOCOL.seed;
  const coldProtocol = flags.protocol ? parseColdProtocol(flags.protocol) : null;
  const models = flags.models
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (coldProtocol ? parseColdModelSpec(s) : parseModelSpec(s)));
  for (const m of models) getModelEntry(m.name); // fail fast on unknown names
  if (flags.pipeline) {
    if (!models.some((m) => m.name === 'pipeline')) throw paramError('--pipeline', flags.pipeline, "a --models list with the 'pipeline' model");
    loadPipelineConfig(flags.pipeline); // validate before any fitting
    for (const m of models) if (m.name === 'pipeline' && m.params.config === undefined) m.params.config = flags.pipeline;
  }
  const protocol: Protocol = {
    ...DEFAULT_PROTOCOL,
    seed,
    excludeSeen: !flags.includeSeen,
    implicit: !!flags.implicit,
    relevanceThreshold: numOption('--threshold', flags.threshold) ?? null,
    k: flags.k ? flags.k.split(',').map((s) => intOption('--k', s.trim(), 1) as number) : [10],
    metrics: flags.metrics ? flags.metrics.split(',').map((s) => s.trim()).filter(Boolean) : [],
    ranking: parseRanking(flags.ranking),
    candidates: parseCandidates(flags.candidates),
  };

  let data: Dataset;
  let folds: SplitFold[];
  let label: string;
  if (flags.train || flags.test) {
    if (!flags.train || !flags.test) throw new AffinityError('E_PARAM', '--train and --test go together (give both files)', { field: flags.train ? '--test' : '--train' });
    if (flags.data) throw new AffinityError('E_PARAM', '--data cannot be combined with --train/--test', { field: '--data' });
    if (coldProtocol) throw paramError('--protocol', flags.protocol, 'a split of --data (cold-start protocols hold out items or users of --data themselves; give --data, not --train/--test)');
    const r = await loadTrainTest(flags.train, flags.test, loadOptionsFrom(flags, progress));
    progress.stop();
    data = await attachSideData(r.data, flags);
    folds = [r.fold];
    protocol.split = { kind: 'predefined', train: flags.train, test: flags.test };
    label = `${flags.train} + ${flags.test}`;
  } else if (flags.data) {
    const r = await readData(flags.data, flags, progress);
    data = r.data;
    if (coldProtocol) return runColdProtocol(data, coldProtocol, flags, seed, progress);
    protocol.split = parseSplit(flags.protocol ?? 'user:0.2');
    folds = splitDataset(data, protocol.split, seed);
    label = flags.data;
  } else {
    throw new AffinityError('E_PARAM', 'evaluate: give --data <file> (with --protocol) or --train <file> --test <file>', { field: '--data' });
  }
  progress.note(`data: ${data.size} interactions, ${data.nUsers} users, ${data.nItems} items; ${folds.length} fold(s)`);

  const report = await evaluate({
    data,
    folds,
    protocol,
    models,
    dataLabel: label,
    perUser: !!flags.perUser,
    ...(flags.groupBy ? { groupBy: flags.groupBy } : {}),
    onProgress: (e) => progress.update(`${e.model} fold ${e.fold + 1}/${e.folds} ${e.phase}`, e.done, e.total, { loss: e.loss }),
  });
  progress.stop();
  if (flags.perUser) {
    writeFileSync(flags.perUser, JSON.stringify(report.results.map((r) => ({ model: r.model, perUser: r.perUser ?? [] }))));
    for (const r of report.results) delete r.perUser;
  }
  if (flags.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(`${formatTable(report)}\n`);
  return 0;
}

/** `--protocol cold-items:F` / `cold-users:0,1,3,5,10` (src/eval/cold.ts). */
async function runColdProtocol(data: Dataset, cold: NonNullable<ReturnType<typeof parseColdProtocol>>, flags: EvalFlags, seed: number, progress: Progress): Promise<number> {
  progress.stop();
  const threshold = numOption('--threshold', flags.threshold) ?? null;
  if (flags.implicit) data = data.toImplicit(threshold ?? -Infinity);
  const models = flags.models.split(',').map((s) => s.trim()).filter(Boolean).map((s) => ({ ...parseColdModelSpec(s), label: s }));
  const opts = { seed, label: flags.data, threshold: flags.implicit ? null : threshold };
  const rep = cold.kind === 'cold-items' ? await evaluateColdItems(data, models, { ...opts, fraction: cold.fraction }) : await evaluateColdUsers(data, models, { ...opts, known: cold.known, category: 'genres' in featureNames(data) ? 'genres' : undefined });
  process.stdout.write(flags.json ? `${JSON.stringify(rep)}\n` : `${formatColdTable(rep)}\n`);
  return 0;
}

/**
 * A model spec of the cold-start protocols: `name[:k=v...]`, or `onboarding+name[:k=v...]` for
 * cold-users (the known items are the user's answers to the onboarding list, then `name` folds
 * them in), e.g. `onboarding+als`.
 */
function parseColdModelSpec(s: string): { name: string; params: Record<string, string> } {
  const onb = /^onboarding\+/.exec(s);
  return parseModelSpec(onb ? s.slice(onb[0].length) : s);
}

function featureNames(data: Dataset): Record<string, true> {
  const out: Record<string, true> = {};
  for (const c of data.itemFeatures?.columns ?? []) if (c.kind === 'multi' || c.kind === 'categorical') out[c.name] = true;
  return out;
}

function parseRanking(s: string | undefined): Protocol['ranking'] {
  if (!s || s === 'full') return { kind: 'full' };
  const [kind, n, sampler] = s.split(':');
  const negatives = Number(n);
  if (kind !== 'sampled' || !Number.isInteger(negatives) || negatives < 1 || (sampler && sampler !== 'uniform' && sampler !== 'popularity')) {
    throw paramError('--ranking', s, 'full, sampled:N or sampled:N:popularity (N a positive integer)');
  }
  return { kind: 'sampled', negatives, sampler: (sampler as 'uniform' | 'popularity' | undefined) ?? 'uniform' };
}

function parseCandidates(s: string | undefined): Protocol['candidates'] {
  if (!s) return 'train';
  if (s !== 'train' && s !== 'all') throw paramError('--candidates', s, 'train or all');
  return s;
}
