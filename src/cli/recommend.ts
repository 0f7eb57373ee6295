import type { Command } from 'commander';
import { AffinityError } from '../core/errors.js';
import type { BaseRecommender } from '../models/base.js';
import { loadModel } from '../models/registry.js';
import { intOption } from './common.js';
import { renderTable } from './table.js';

interface RecommendFlags {
  model: string;
  user?: string;
  item?: string;
  similarUsers?: string;
  n?: string;
  includeSeen?: boolean;
  deny?: string;
  allow?: string;
  json?: boolean;
}

export function registerRecommend(program: Command): void {
  program
    .command('recommend')
    .description('top-N items for a user, or items similar to an item, from a saved model')
    .requiredOption('--model <file>', 'a model saved by `affinity train --out`')
    .option('--user <id>', 'recommend for this user (external id)')
    .option('--item <id>', 'list items similar to this item (external id)')
    .option('--similar-users <id>', 'list users similar to this user (models that support it)')
    .option('-n, --n <n>', 'how many (default 10)')
    .option('--include-seen', 'also return items the user already interacted with')
    .option('--allow <ids>', 'comma-separated item ids: only these may be returned')
    .option('--deny <ids>', 'comma-separated item ids: never return these')
    .option('--json', 'print JSON on stdout')
    .addHelpText(
      'after',
      `
Examples:
  affinity recommend --model /tmp/m.aff --user 196 -n 10
  affinity recommend --model /tmp/m.aff --item 50 -n 5 --json`,
    )
    .action((flags: RecommendFlags) => {
      process.exitCode = recommend(flags);
    });
}

function recommend(flags: RecommendFlags): number {
  const model = loadModel(flags.model);
  const n = intOption('-n', flags.n, 0) ?? 10;
  const itemIdx = (ids: string | undefined): number[] | undefined =>
    ids
      ?.split(',')
      .map((s) => model.items.get(s.trim()))
      .filter((i) => i >= 0);
  let rows: { id: string; score: number }[];
  let title: string;
  if (flags.user !== undefined) {
    const u = model.users.get(flags.user);
    rows = toRows(model, model.recommend(u, { n, excludeSeen: !flags.includeSeen, allow: itemIdx(flags.allow), deny: itemIdx(flags.deny) }), 'item');
    title = u < 0 ? `user ${flags.user} is not in the training data: fallback recommendations` : `top ${n} for user ${flags.user}`;
  } else if (flags.item !== undefined) {
    const i = model.items.require(flags.item, 'item');
    rows = toRows(model, model.similarItems(i, n), 'item');
    title = `items similar to ${flags.item}`;
  } else if (flags.similarUsers !== undefined) {
    const u = model.users.require(flags.similarUsers, 'user');
    rows = toRows(model, model.similarUsers(u, n), 'user');
    title = `users similar to ${flags.similarUsers}`;
  } else {
    throw new AffinityError('E_PARAM', 'recommend: give --user <id>, --item <id> or --similar-users <id>', { field: '--user' });
  }
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ model: model.name, results: rows })}\n`);
  } else {
    process.stdout.write(`${title} (${model.name})\n`);
    process.stdout.write(renderTable(['rank', 'id', 'score'], rows.map((r, k) => [String(k + 1), r.id, r.score.toFixed(4)])));
  }
  return 0;
}

function toRows(model: BaseRecommender, r: { items: Int32Array; scores: Float32Array }, kind: 'item' | 'user'): { id: string; score: number }[] {
  const ids = kind === 'item' ? model.items : model.users;
  return Array.from(r.items, (i, k) => ({ id: ids.id(i), score: r.scores[k] }));
}
