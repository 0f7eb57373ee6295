import type { Command } from 'commander';
import { datasetInfo, listDatasets, registerLocalDir, resolveDataset, verificationOf } from '../data/fetch.js';
import { DATA_OPTION_HELP, readData, type DataFlags } from './common.js';
import { Progress } from './progress.js';
import { renderTable } from './table.js';
import { describeDataset } from './describe.js';

export function registerData(program: Command): void {
  const data = program.command('data').description('fetch, register and inspect datasets');

  data
    .command('fetch [name]')
    .description('download a public dataset (checksum-verified, cached), or show where it is')
    .option('--list', 'list the datasets that can be fetched, where they are and how they are verified')
    .option('--json', 'with --list: print the list as JSON')
    .addHelpText(
      'after',
      '\nOffline, a fetch stops with E_OFFLINE and says where to put the zip or its files, or how to register a folder.\n' +
        'ml-1m is not checksum-verified (no SHA-256 recorded): its files are only checked for presence.\n' +
        '\nExamples:\n  affinity data fetch --list\n  affinity data fetch ml-100k\n  affinity data register ml-100k ../shared/data/ml-100k',
    )
    .action(async (name: string | undefined, flags: { list?: boolean; json?: boolean }) => {
      if (flags.list || !name) {
        const list = listDatasets();
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(list)}\n`);
          return;
        }
        const rows = list.map((d) => [d.name, d.title, d.status, d.verification, d.path ?? d.url ?? '']);
        process.stdout.write(renderTable(['dataset', 'title', 'status', 'verified', 'where'], rows));
        return;
      }
      const progress = new Progress(false);
      const dir = await resolveDataset(name, { onProgress: progress.forBytes(`fetching ${name} (MB)`) });
      progress.stop();
      const info = datasetInfo(name);
      if (info && verificationOf(info) !== 'sha256') process.stderr.write(`note: ${name} is ${verificationOf(info)}\n`);
      process.stdout.write(`${name}: ${dir}\n`);
    });

  data
    .command('register <name> <dir>')
    .description('use a local folder for a dataset instead of downloading it (e.g. ../shared/data/ml-100k)')
    .action((name: string, dir: string) => {
      registerLocalDir(name, dir);
      process.stdout.write(`${name} -> ${dir}\n`);
    });

  const inspect = data
    .command('inspect <path>')
    .description('load a file (or MovieLens folder) and print its format, counts, density, value and time ranges')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  affinity data inspect ../shared/data/ml-100k/u.data\n  affinity data inspect events.csv --columns user,item,event,time --event-weights view=1,cart=3,purchase=5');
  for (const [f, d] of DATA_OPTION_HELP) inspect.option(f, d);
  inspect.action(async (path: string, flags: DataFlags & { json?: boolean }) => {
    const progress = new Progress(!!flags.json);
    const { data, result, seconds } = await readData(path, flags, progress);
    const info = { path, format: result.format, rowsRead: result.rowsRead, skipped: result.skipped.count, skippedByKind: result.skipped.byKind, skippedExamples: result.skipped.examples, loadSeconds: Math.round(seconds * 1000) / 1000, ...describeDataset(data) };
    if (flags.json) process.stdout.write(`${JSON.stringify(info)}\n`);
    // the skipped rows' examples are printed on stderr (reportSkipped); the table keeps the counts
    else process.stdout.write(renderTable(['property', 'value'], Object.entries(info).filter(([k]) => k !== 'skippedExamples').map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)])));
  });
}
