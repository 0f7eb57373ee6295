import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AffinityError } from '../core/errors.js';
import type { Dataset } from '../data/dataset.js';
import { alignRows, findColumn } from '../data/features.js';
import { resolveDataset } from '../data/fetch.js';
import { loadMovieLensDir } from '../data/side.js';
import { splitDataset } from '../data/split.js';
import { generateSynthetic } from '../data/synthetic.js';
import { evaluate } from '../eval/evaluate.js';
import { DEFAULT_PROTOCOL } from '../eval/protocol.js';
import { formatTable } from '../eval/report.js';
import { createModel } from '../models/registry.js';
import { Progress } from './progress.js';

/** Finds MovieLens 100K: AFFINITY_DATA, ../shared/data, a registered folder or the cache, else download. */
async function demoData(progress: Progress): Promise<{ data: Dataset; label: string }> {
  const candidates = [process.env.AFFINITY_DATA, resolve('..', 'shared', 'data')].filter((p): p is string => !!p).map((p) => join(p, 'ml-100k'));
  let dir = candidates.find((p) => existsSync(join(p, 'u.data')));
  if (!dir) {
    try {
      dir = await resolveDataset('ml-100k', { onProgress: progress.forBytes('fetching ml-100k (MB)') });
    } catch (e) {
      if (!(e instanceof AffinityError)) throw e;
      progress.note(`MovieLens 100K is not available (${e.message.split('\n')[0]}); using the synthetic catalogue instead`);
    }
  }
  if (dir) return { data: (await loadMovieLensDir(dir)).dataset, label: `MovieLens 100K (${dir})` };
  return { data: generateSynthetic({ users: 2000, items: 1500, interactions: 100000, seed: 7, kind: 'explicit' }), label: 'synthetic catalogue (seed 7)' };
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('train on a demo dataset (MovieLens 100K when available, else synthetic), evaluate, and show recommendations')
    .option('--quiet', 'no progress output')
    .action(async (flags: { quiet?: boolean }) => {
      const progress = new Progress(flags.quiet);
      const { data, label } = await demoData(progress);
      progress.note(`demo data: ${label}: ${data.size} interactions, ${data.nUsers} users, ${data.nItems} items`);
      const implicit = data.toImplicit(4);
      const protocol = { ...DEFAULT_PROTOCOL, implicit: true, k: [10], metrics: ['precision@10', 'recall@10', 'ndcg@10', 'map@10', 'coverage@10', 'novelty@10'] };
      const folds = splitDataset(implicit, protocol.split, protocol.seed);
      const report = await evaluate({
        data: implicit,
        folds,
        protocol,
        models: [{ name: 'popularity' }, { name: 'item-knn' }],
        dataLabel: label,
        onProgress: (e) => progress.update(`${e.model} ${e.phase}`, e.done, e.total),
      });
      progress.stop();
      process.stdout.write(`${formatTable(report)}\n`);
      const model = createModel('item-knn');
      await model.fit(implicit);
      const titles = data.itemFeatures ? findColumn(data.itemFeatures, 'title') : undefined;
      const rowOf = data.itemFeatures ? alignRows(data.itemFeatures, data.items) : null;
      const name = (i: number): string => (titles?.kind === 'text' && rowOf && rowOf[i] >= 0 ? titles.values[rowOf[i]] : `item ${data.items.id(i)}`);
      for (const u of [0, 1, 2]) {
        const user = data.users.id(u);
        const recs = model.recommend(u, { n: 5 });
        process.stdout.write(`\nTop 5 for user ${user}:\n`);
        recs.items.forEach((i, k) => process.stdout.write(`  ${k + 1}. ${name(i)}  (${recs.scores[k].toFixed(3)})\n`));
      }
    });
}
