import type { Command } from 'commander';
import { getModelEntry, modelNames } from '../models/registry.js';
import { renderTable } from './table.js';

export function registerModels(program: Command): void {
  program
    .command('models [name]')
    .description('list the models, or show one model\'s parameters with their defaults')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  affinity models\n  affinity models item-knn')
    .action((name: string | undefined, flags: { json?: boolean }) => {
      if (name) {
        const e = getModelEntry(name);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify({ name: e.name, summary: e.summary, task: e.task, params: e.params })}\n`);
          return;
        }
        process.stdout.write(`${e.name} (${e.task}): ${e.summary}\n\n`);
        const rows = Object.entries(e.params).map(([k, s]) => [k, JSON.stringify(s.default), s.choices ? `${s.doc} [${s.choices.join('|')}]` : s.doc]);
        process.stdout.write(renderTable(['param', 'default', 'meaning'], rows));
        return;
      }
      const entries = modelNames().map(getModelEntry);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(entries.map((e) => ({ name: e.name, task: e.task, summary: e.summary })))}\n`);
        return;
      }
      process.stdout.write(renderTable(['model', 'task', 'summary'], entries.map((e) => [e.name, e.task, e.summary])));
    });
}
