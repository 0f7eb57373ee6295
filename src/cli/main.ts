#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { AffinityError } from '../core/errors.js';
import { registerData } from './data.js';
import { registerEvaluate } from './evaluate.js';
import { registerModels } from './models.js';
import { registerRecommend } from './recommend.js';
import { registerTrain } from './train.js';
import { registerDemo } from './demo.js';
import { registerServe } from './serve.js';

/** Runs the `affinity` CLI with the given arguments; resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('affinity')
    .description('Affinity: a recommender engine for Node.js — load data, train, evaluate, recommend')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage and examples)')
    .exitOverride();
  registerData(program);
  registerTrain(program);
  registerEvaluate(program);
  registerRecommend(program);
  registerModels(program);
  registerDemo(program);
  registerServe(program);
  program.addHelpText(
    'after',
    `
Examples:
  affinity data fetch ml-100k
  affinity data inspect ../shared/data/ml-100k/u.data
  affinity evaluate --data ../shared/data/ml-100k/u.data --protocol cv5 --models baseline,knn-means --metrics rmse,mae
  affinity train --data ../shared/data/ml-100k/u.data --model item-knn --out /tmp/m.aff
  affinity recommend --model /tmp/m.aff --user 196 -n 10`,
  );
  try {
    process.exitCode = 0;
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof AffinityError) {
      process.stderr.write(`\naffinity: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`\naffinity: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

// Run when executed directly (node dist/cli/main.js ...).
if (import.meta.url === `file://${process.argv[1]}`) {
  run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
