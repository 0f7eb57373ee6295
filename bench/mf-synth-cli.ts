/**
 * Issue 3's speed figures on synth-5m (100k users x 20k items, 4.99M rows) through the CLI, exactly as
 * the issue writes them:
 *   affinity train --data ../shared/data/synth-5m/synth-5m.tsv.gz --columns user,item,count --model als
 *     --factors 64 --iterations 15 --threads 1 --out /tmp/als.aff --json
 * for als and bpr at 1 and 2 threads. Prints each run's iterationSeconds median, fitSeconds, loadSeconds
 * and peakRssMB (the CLI's JSON), then one JSON line. The CLI runs from the sources (tsx) unless
 * --dist is given (then bin/affinity.js, after `npm run build`).
 *
 *   node --import tsx bench/mf-synth-cli.ts [--models als,bpr] [--threads 1,2] [--iterations 15] [--bpr-iterations 5] [--repeat 1] [--dist]
 */
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const k = args.indexOf(name);
  return k >= 0 && k + 1 < args.length ? args[k + 1] : def;
};
const data = opt('--data', `${process.env.AFFINITY_DATA ?? '../shared/data'}/synth-5m/synth-5m.tsv.gz`);
const models = opt('--models', 'als,bpr').split(',');
const threadList = opt('--threads', '1,2').split(',');
const repeat = Number(opt('--repeat', '1'));
const cli = args.includes('--dist') ? ['bin/affinity.js'] : ['--import', 'tsx', 'src/cli/main.ts'];

interface TrainJson {
  loadSeconds: number;
  fitSeconds: number;
  iterationSeconds?: number[];
  peakRssMB: number;
}

const median = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const rows: Array<Record<string, unknown>> = [];
for (const model of models) {
  const iterations = model === 'bpr' ? opt('--bpr-iterations', '5') : opt('--iterations', '15');
  for (const threads of threadList) {
    for (let r = 0; r < repeat; r++) {
      const argv = ['train', '--data', data, '--columns', 'user,item,count', '--model', model, '--factors', '64', '--iterations', iterations, '--threads', threads, '--out', `/tmp/${model}.aff`, '--json'];
      // bash's `time` adds the CPU seconds of the whole run (user + sys): the host is shared, wall time alone misleads
      const cmd = [process.execPath, ...cli, ...argv].map((a) => `'${a}'`).join(' ');
      const p = spawnSync('bash', ['-c', `TIMEFORMAT='cpu %U %S'; time ${cmd}`], { encoding: 'utf8', maxBuffer: 1 << 24 });
      if (p.status !== 0) throw new Error(`affinity ${argv.join(' ')} failed (${p.status}): ${p.stderr.slice(-2000)}`);
      const line = p.stdout.trim().split('\n').pop() ?? '';
      const j = JSON.parse(line) as TrainJson;
      const its = j.iterationSeconds ?? [];
      const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(p.stderr);
      const cpuSeconds = m ? Number(m[1]) + Number(m[2]) : NaN;
      const row = { model, threads: Number(threads), iterations: Number(iterations), iterationSecondsMedian: median(its), iterationSeconds: its, fitSeconds: j.fitSeconds, loadSeconds: j.loadSeconds, peakRssMB: j.peakRssMB, cpuSeconds };
      rows.push(row);
      console.log(`${model}\tthreads ${threads}\tper iteration (median) ${median(its).toFixed(3)} s\tfit ${j.fitSeconds.toFixed(2)} s\tload ${j.loadSeconds.toFixed(2)} s\tpeak RSS ${j.peakRssMB} MB\tprocess CPU ${cpuSeconds.toFixed(1)} s\t[${its.map((s) => s.toFixed(2)).join(' ')}]`);
    }
  }
}
console.log(JSON.stringify({ data, runs: rows }));
