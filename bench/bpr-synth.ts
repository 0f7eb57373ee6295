// BPR training speed on shared/data/synth-5m (100k users x 20k items, 4.99M rows, gzip TSV
// user\titem\tcount, 0-based): seconds per epoch at 64 factors with 1 and 2 threads, against
// implicit 0.7.2 (2.17 s/epoch with 1 thread, 2.20 with 2; shared/peers.md).
// Usage: node --import tsx bench/bpr-synth.ts [dataDir] [epochs=5] [threads=1,2]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { IdMap } from '../src/core/idmap.js';
import { Dataset } from '../src/data/dataset.js';
import { createModel } from '../src/models/registry.js';

/** Parses `user\titem\tcount` lines of 0-based integers straight from the bytes. */
function loadSynth(file: string): Dataset {
  const buf = gunzipSync(readFileSync(file));
  let lines = 0;
  for (let k = 0; k < buf.length; k++) if (buf[k] === 10) lines++;
  if (buf.length && buf[buf.length - 1] !== 10) lines++;
  const user = new Int32Array(lines);
  const item = new Int32Array(lines);
  const value = new Float32Array(lines);
  let row = 0;
  let field = 0;
  let acc = 0;
  let maxU = -1;
  let maxI = -1;
  for (let k = 0; k <= buf.length; k++) {
    const c = k < buf.length ? buf[k] : 10;
    if (c >= 48 && c <= 57) acc = acc * 10 + (c - 48);
    else if (c === 9) {
      if (field === 0) user[row] = acc;
      else item[row] = acc;
      field++;
      acc = 0;
    } else if (c === 10) {
      if (field === 2) {
        value[row] = acc;
        if (user[row] > maxU) maxU = user[row];
        if (item[row] > maxI) maxI = item[row];
        row++;
      }
      field = 0;
      acc = 0;
    }
  }
  const users = new IdMap(Array.from({ length: maxU + 1 }, (_, k) => String(k)));
  const items = new IdMap(Array.from({ length: maxI + 1 }, (_, k) => String(k)));
  return new Dataset({ users, items, user: user.subarray(0, row), item: item.subarray(0, row), value: value.subarray(0, row), kind: 'implicit', source: file });
}

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<void> {
  const root = process.argv[2] ?? process.env.AFFINITY_DATA ?? '../shared/data';
  const epochs = Number(process.argv[3] ?? 5);
  const threadList = (process.argv[4] ?? '1,2').split(',').map(Number);
  const t0 = performance.now();
  const data = loadSynth(join(root, 'synth-5m', 'synth-5m.tsv.gz'));
  data.csr();
  console.log(`loaded ${data.size} rows, ${data.nUsers} users x ${data.nItems} items in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log('threads\tepochs\ts/epoch (median)\tall epochs\tCPU s/epoch (median, all threads)\tfinal sampled accuracy\tvs implicit 1-thread 2.17 s');
  for (const threads of threadList) {
    const model = createModel('bpr', { factors: 64, iterations: epochs, threads });
    let acc = 0;
    const cpu: number[] = [];
    let c0 = process.cpuUsage();
    const r = await model.fit(data, {
      onProgress: (e) => {
        acc = e.metrics?.accuracy ?? 0;
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1e6);
        c0 = process.cpuUsage();
      },
    });
    const secs = r.iterationSeconds ?? [];
    const med = median(secs);
    console.log([threads, epochs, med.toFixed(3), secs.map((s) => s.toFixed(2)).join(' '), median(cpu).toFixed(3), acc.toFixed(4), `${(2.17 / med).toFixed(2)}x`].join('\t'));
  }
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}

await main();
