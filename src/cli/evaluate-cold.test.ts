import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { Rng } from '../core/rng.js';
import { AffinityError } from '../core/errors.js';
import type { ColdItemsReport, ColdUsersReport } from '../eval/cold.js';
import { registerEvaluate } from './evaluate.js';

/**
 * A small MovieLens-100K-format folder (u.data, u.item with 19 genre flags, u.user): 60 users, 40
 * items in two genre groups; even users mostly rate genre-0 items, odd users genre-1 items, 20
 * ratings each (so every user qualifies as a cold-users test user: >= 10 + 5 rows).
 */
function writeMl100k(dir: string): void {
  const rng = new Rng(11);
  const data: string[] = [];
  for (let u = 1; u <= 60; u++) {
    const g = u % 2;
    const own = rng.permutation(20);
    const other = rng.permutation(20);
    const items = [...Array.from(own.subarray(0, 16), (k) => 2 * k + g), ...Array.from(other.subarray(0, 4), (k) => 2 * k + 1 - g)];
    items.forEach((i, t) => data.push(`${u}\t${i + 1}\t${i % 2 === g ? 4 + rng.int(2) : 1 + rng.int(2)}\t${880000000 + 1000 * u + t}`));
  }
  writeFileSync(join(dir, 'u.data'), `${data.join('\n')}\n`);
  const items: string[] = [];
  for (let i = 0; i < 40; i++) {
    const flags = new Array<number>(19).fill(0);
    flags[1 + (i % 2)] = 1; // Action or Adventure by group
    flags[5 + (i % 3)] = 1;
    items.push(`${i + 1}|Movie ${i + 1} (199${i % 10})|01-Jan-199${i % 10}||http://example.org/${i + 1}|${flags.join('|')}`);
  }
  writeFileSync(join(dir, 'u.item'), `${items.join('\n')}\n`, 'latin1');
  const occ = ['student', 'engineer', 'writer'];
  const users: string[] = [];
  for (let u = 1; u <= 60; u++) users.push(`${u}|${18 + (u % 40)}|${u % 2 ? 'M' : 'F'}|${occ[u % 3]}|1000${u % 10}`);
  writeFileSync(join(dir, 'u.user'), `${users.join('\n')}\n`);
}

/** Runs `affinity evaluate ...args` in process; resolves to what it printed on stdout. */
async function evaluateCli(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerEvaluate(program);
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  // the CLI writes strings; the test runner's own (binary) messages pass through
  process.stdout.write = ((c: string | Uint8Array, ...rest: never[]) => (typeof c === 'string' ? (chunks.push(c), true) : write(c, ...rest))) as typeof process.stdout.write;
  try {
    await program.parseAsync(['evaluate', ...args, '--quiet'], { from: 'user' });
  } finally {
    process.stdout.write = write;
  }
  return chunks.join('');
}

describe('evaluate --protocol cold-items / cold-users (CLI)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'aff-cold-cli-'));
    writeMl100k(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('cold-items:0.25 on a MovieLens folder: 10 cold items; pure CF is random on them, content is not', async () => {
    const out = await evaluateCli(['--data', dir, '--implicit', '--protocol', 'cold-items:0.25', '--models', 'popularity,als:factors=4:iterations=5,content,cold-items:model=als;factors=4;iterations=5', '--json']);
    const rep = JSON.parse(out) as ColdItemsReport;
    assert.equal(rep.protocol.kind, 'cold-items');
    assert.equal(rep.protocol.coldItems, 10);
    assert.equal(rep.protocol.warmItems, 30);
    assert.deepEqual(rep.results.map((r) => r.label), ['popularity', 'als:factors=4:iterations=5', 'content', 'cold-items:model=als;factors=4;iterations=5']);
    const m = Object.fromEntries(rep.results.map((r) => [r.model, r.metrics]));
    assert.equal(m.popularity['cold.auc'], 0.5); // every cold item has popularity 0: all ties
    // genre features tell the groups apart: the content models rank cold items well above chance
    assert.ok(m.content['cold.auc'] > 0.7, `content cold AUC ${m.content['cold.auc']}`);
    assert.ok(m['cold-items']['cold.auc'] > 0.7, `cold-items cold AUC ${m['cold-items']['cold.auc']}`);
    // ALS never updates the (tiny, random) initial factors of items without rows: no better than chance
    assert.ok(m.content['cold.auc'] > m.als['cold.auc'] + 0.2, `content ${m.content['cold.auc']} vs als cold AUC ${m.als['cold.auc']}`);
    // cold-items keeps ALS's warm figures (warm items keep their factors)
    assert.equal(m['cold-items']['warm.ndcg@10'], m.als['warm.ndcg@10']);
    for (const r of rep.results) for (const v of Object.values(r.metrics)) assert.ok(v >= 0 && v <= 1, `${r.label}: ${v}`);
  });

  it('cold-items with --items FILE on a ratings file gives the same report as the folder', async () => {
    const args = ['--implicit', '--protocol', 'cold-items:0.25', '--models', 'content', '--json'];
    const a = JSON.parse(await evaluateCli(['--data', dir, ...args])) as ColdItemsReport;
    const b = JSON.parse(await evaluateCli(['--data', join(dir, 'u.data'), '--items', join(dir, 'u.item'), ...args])) as ColdItemsReport;
    assert.deepEqual(b.results[0].metrics, a.results[0].metrics);
  });

  it('cold-users:0,1,3,10: one NDCG@10 per history length for every model, onboarding+MODEL included', async () => {
    const out = await evaluateCli(['--data', dir, '--protocol', 'cold-users:0,1,3,10', '--models', 'popularity,segment-popularity,als:factors=4:iterations=5,onboarding+als:factors=4:iterations=5', '--json']);
    const rep = JSON.parse(out) as ColdUsersReport;
    assert.equal(rep.protocol.kind, 'cold-users');
    assert.equal(rep.protocol.testUsers, 12); // 20% of the 60 users with >= 15 rows
    assert.equal(rep.protocol.minRows, 15);
    assert.equal(rep.protocol.onboarding, 'by genres');
    assert.equal(rep.results.length, 4);
    for (const r of rep.results) {
      assert.deepEqual(Object.keys(r.metrics).sort(), ['0', '1', '10', '3']);
      for (const v of Object.values(r.metrics)) assert.ok(v >= 0 && v <= 1, `${r.label}: ${v}`);
    }
    const [pop, , als, onb] = rep.results;
    assert.equal(onb.label, 'onboarding+als:factors=4:iterations=5');
    assert.equal(onb.model, 'als');
    // no history: ALS falls back to popularity; with 10 known items the fold-in finds the user's group
    assert.equal(als.metrics['0'], pop.metrics['0']);
    assert.ok(als.metrics['10'] > pop.metrics['10'] + 0.1, `als ${als.metrics['10']} vs popularity ${pop.metrics['10']}`);
  });

  it('a cold-start protocol with --train/--test is an error naming --protocol', async () => {
    await assert.rejects(
      evaluateCli(['--train', join(dir, 'u.data'), '--test', join(dir, 'u.data'), '--protocol', 'cold-items:0.2', '--models', 'popularity']),
      (e: unknown) => e instanceof AffinityError && e.field === '--protocol',
    );
    await assert.rejects(evaluateCli(['--data', dir, '--protocol', 'cold-items:1.5', '--models', 'popularity']), (e: unknown) => e instanceof AffinityError && e.field === '--protocol');
  });
});
