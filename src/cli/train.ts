import type { Command } from 'commander';
import { paramError } from '../core/errors.js';
import { createModel, getModelEntry, saveModel } from '../models/registry.js';
import { parseModelSpec } from '../models/params.js';
import { DATA_OPTION_HELP, peakRssMB, readData, type DataFlags } from './common.js';
import { Progress } from './progress.js';

interface TrainFlags extends DataFlags {
  data: string;
  model: string;
  out?: string;
  param?: string[];
  factors?: string;
  iterations?: string;
  threads?: string;
  seed?: string;
  implicit?: boolean;
  threshold?: string;
  json?: boolean;
  quiet?: boolean;
}

export function registerTrain(program: Command): void {
  const cmd = program
    .command('train')
    .description('fit a model on interaction data and save it')
    .requiredOption('--data <path>', 'interactions file (CSV/TSV/JSONL/MovieLens, .gz ok) or a MovieLens folder')
    .requiredOption('--model <spec>', 'model name with optional params, e.g. item-knn or item-knn:k=50:similarity=bm25 (see `affinity models`)')
    .option('--out <file>', 'where to save the fitted model (.aff)')
    .option('--param <key=value...>', 'model parameter (repeatable)')
    .option('--factors <n>', 'shortcut for the model parameter "factors"')
    .option('--iterations <n>', 'shortcut for the model parameter "iterations" (or "epochs")')
    .option('--threads <n>', 'shortcut for the model parameter "threads" (0 = all cores)')
    .option('--seed <n>', 'shortcut for the model parameter "seed"')
    .option('--implicit', 'treat the data as implicit feedback (binary 1 per row; with --threshold, rows >= threshold)')
    .option('--threshold <r>', 'with --implicit: keep rows with value >= r')
    .option('--json', 'print one JSON object with timings on stdout')
    .option('--quiet', 'no progress output');
  for (const [f, d] of DATA_OPTION_HELP) cmd.option(f, d);
  cmd.addHelpText(
    'after',
    `
Examples:
  affinity train --data ../shared/data/ml-100k/u.data --model item-knn --out /tmp/m.aff
  affinity train --data ratings.csv --model knn-baseline-item --out knn.aff
  affinity train --data synth-5m.tsv.gz --columns user,item,count --model als --factors 64 --iterations 15 --threads 1 --out /tmp/als.aff --json`,
  );
  cmd.action(async (flags: TrainFlags) => {
    process.exitCode = await train(flags);
  });
}

async function train(flags: TrainFlags): Promise<number> {
  const progress = new Progress(flags.quiet);
  const spec = parseModelSpec(flags.model);
  const entry = getModelEntry(spec.name);
  const params: Record<string, unknown> = { ...spec.params };
  for (const kv of flags.param ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw paramError('--param', kv, 'key=value');
    params[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const shortcut = (flag: string, value: string | undefined, names: string[]): void => {
    if (value === undefined) return;
    const name = names.find((n) => n in entry.params);
    if (!name) throw paramError(flag, value, `a model with a parameter ${names.join(' or ')} (${entry.name} has: ${Object.keys(entry.params).join(', ') || 'none'})`);
    params[name] = value;
  };
  shortcut('--factors', flags.factors, ['factors']);
  shortcut('--iterations', flags.iterations, ['iterations', 'epochs']);
  shortcut('--threads', flags.threads, ['threads']);
  shortcut('--seed', flags.seed, ['seed']);

  const model = createModel(entry.name, params);
  let { data, seconds: loadSeconds } = await readData(flags.data, flags, progress);
  if (flags.implicit) data = data.toImplicit(flags.threshold !== undefined ? Number(flags.threshold) : -Infinity, true);
  progress.note(`loaded ${data.size} interactions (${data.nUsers} users, ${data.nItems} items) in ${loadSeconds.toFixed(2)} s`);
  const report = await model.fit(data, { onProgress: progress.forModel(entry.name) });
  progress.stop();
  if (flags.out) saveModel(model, flags.out);
  const out = {
    model: model.name,
    params: model.params,
    rows: data.size,
    users: data.nUsers,
    items: data.nItems,
    loadSeconds: round(loadSeconds),
    fitSeconds: round(report.fitSeconds),
    iterationSeconds: report.iterationSeconds?.map(round),
    loss: report.loss,
    peakRssMB: peakRssMB(),
    out: flags.out ?? null,
  };
  if (flags.json) process.stdout.write(`${JSON.stringify(out)}\n`);
  else {
    process.stdout.write(`trained ${model.name} on ${data.size} rows in ${out.fitSeconds} s (load ${out.loadSeconds} s, peak RSS ${out.peakRssMB} MB)\n`);
    if (flags.out) process.stdout.write(`saved to ${flags.out}\n`);
  }
  return 0;
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
