import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dataset } from './dataset.js';
import { applySplit, parseSplit, splitDataset } from './split.js';
import type { SplitFold } from './split-types.js';
import { AffinityError } from '../core/errors.js';
import { Rng } from '../core/rng.js';

/** 50 users with 1..40 rows each over 60 items, random timestamps (with ties). */
function randomData(withTime = true): Dataset {
  const rng = new Rng(7);
  const rows: [string, string, number, number?][] = [];
  for (let u = 0; u < 50; u++) {
    const n = 1 + (u * 7) % 40;
    const items = rng.permutation(60);
    for (let j = 0; j < n; j++) {
      const r: [string, string, number, number?] = [`u${u}`, `i${items[j]}`, 1 + rng.int(5)];
      if (withTime) r.push(1000 + rng.int(200));
      rows.push(r);
    }
  }
  return Dataset.fromTriples(rows);
}

function checkPartition(n: number, fold: SplitFold): void {
  const seen = new Uint8Array(n);
  for (const r of fold.trainRows) seen[r] += 1;
  for (const r of fold.testRows) seen[r] += 2;
  for (let r = 0; r < n; r++) assert.ok(seen[r] === 1 || seen[r] === 2, `row ${r} in train and test or in neither`);
  for (let i = 1; i < fold.trainRows.length; i++) assert.ok(fold.trainRows[i] > fold.trainRows[i - 1]);
  for (let i = 1; i < fold.testRows.length; i++) assert.ok(fold.testRows[i] > fold.testRows[i - 1]);
}

const same = (a: SplitFold, b: SplitFold): boolean =>
  a.testRows.length === b.testRows.length && a.testRows.every((v, i) => v === b.testRows[i]);

test('random holdout: disjoint, complete, round(n*f) test rows, seeded', () => {
  const d = randomData();
  const [f] = splitDataset(d, { kind: 'random', testFraction: 0.2 }, 1);
  checkPartition(d.size, f);
  assert.equal(f.testRows.length, Math.round(d.size * 0.2));
  assert.ok(same(f, splitDataset(d, { kind: 'random', testFraction: 0.2 }, 1)[0]));
  assert.ok(!same(f, splitDataset(d, { kind: 'random', testFraction: 0.2 }, 2)[0]));
  const { train, test: te } = applySplit(d, f);
  assert.equal(train.size + te.size, d.size);
  assert.equal(train.users, d.users);
  assert.equal(te.item[0], d.item[f.testRows[0]]);
});

test('user-ratio: per user round(n*f) to test, at least minTrain kept', () => {
  const d = randomData();
  for (const minTrain of [1, 3]) {
    const [f] = splitDataset(d, { kind: 'user-ratio', testFraction: 0.3, minTrain }, 5);
    checkPartition(d.size, f);
    const total = d.userCounts();
    const inTest = new Int32Array(d.nUsers);
    for (const r of f.testRows) inTest[d.user[r]]++;
    for (let u = 0; u < d.nUsers; u++) {
      const n = total[u];
      assert.equal(inTest[u], Math.min(Math.round(n * 0.3), Math.max(0, n - minTrain)), `user ${u} with ${n} rows`);
    }
  }
  const a = splitDataset(d, { kind: 'user-ratio', testFraction: 0.3 }, 5)[0];
  assert.ok(same(a, splitDataset(d, { kind: 'user-ratio', testFraction: 0.3 }, 5)[0]));
  assert.ok(!same(a, splitDataset(d, { kind: 'user-ratio', testFraction: 0.3 }, 6)[0]));
});

test('k-fold: folds partition the rows, near-equal sizes, seeded', () => {
  const d = randomData();
  const folds = splitDataset(d, { kind: 'kfold', k: 5 }, 3);
  assert.equal(folds.length, 5);
  const count = new Int32Array(d.size);
  for (const f of folds) {
    checkPartition(d.size, f);
    assert.ok(Math.abs(f.testRows.length - d.size / 5) < 1);
    for (const r of f.testRows) count[r]++;
  }
  assert.ok(count.every((c) => c === 1));
  assert.deepEqual(folds.map((f) => f.fold), [0, 1, 2, 3, 4]);
  assert.ok(same(folds[2], splitDataset(d, { kind: 'kfold', k: 5 }, 3)[2]));
  assert.ok(!same(folds[2], splitDataset(d, { kind: 'kfold', k: 5 }, 4)[2]));
  assert.throws(() => splitDataset(d, { kind: 'kfold', k: 1 }, 3), /k: got 1; expected an integer >= 2/);
});

// hand-made: user a has rows at t = 5, 1, 9, 9 (rows 0..3); user b at 3, 2 (rows 4, 5); user c one row (6)
const timed = (): Dataset =>
  Dataset.fromTriples([
    ['a', 'x', 1, 5],
    ['a', 'y', 2, 1],
    ['a', 'z', 3, 9],
    ['a', 'w', 4, 9],
    ['b', 'x', 5, 3],
    ['b', 'y', 1, 2],
    ['c', 'z', 2, 7],
  ]);

test('temporal: the latest fraction of all rows, ties broken by row order', () => {
  const d = timed();
  // round(7 * 0.3) = 2 -> the two rows at t = 9
  assert.deepEqual([...splitDataset(d, { kind: 'temporal', testFraction: 0.3 }, 0)[0].testRows], [2, 3]);
  // round(7 * 0.2) = 1 -> one of the t = 9 rows: the later one (row 3)
  assert.deepEqual([...splitDataset(d, { kind: 'temporal', testFraction: 0.2 }, 0)[0].testRows], [3]);
  // round(7 * 0.5) = 4 -> t = 9, 9, 7, 5
  const f = splitDataset(d, { kind: 'temporal', testFraction: 0.5 }, 0)[0];
  assert.deepEqual([...f.testRows], [0, 2, 3, 6]);
  assert.deepEqual([...f.trainRows], [1, 4, 5]);
});

test('user-temporal and leave-one-out latest follow each user\'s time order', () => {
  const d = timed();
  assert.deepEqual([...splitDataset(d, { kind: 'user-temporal', lastN: 1 }, 0)[0].testRows], [3, 4]);
  // user a: last 2 of (1, 5, 9, 9) = rows 2, 3; user b: last 1 of 2 rows (capped at n-1) = row 4
  assert.deepEqual([...splitDataset(d, { kind: 'user-temporal', lastN: 2 }, 0)[0].testRows], [2, 3, 4]);
  // fraction 0.5: a -> 2 rows, b -> 1 row, c -> stays in train
  assert.deepEqual([...splitDataset(d, { kind: 'user-temporal', testFraction: 0.5 }, 0)[0].testRows], [2, 3, 4]);
  const loo = splitDataset(d, { kind: 'leave-one-out', pick: 'latest' }, 0)[0];
  assert.deepEqual([...loo.testRows], [3, 4]); // a: tie at 9 -> later row 3; c (one row) stays in train
  checkPartition(d.size, loo);
});

test('user-temporal and leave-one-out latest on larger users: test rows are each user\'s latest', () => {
  const d = randomData(); // users with up to 40 rows and many timestamp ties
  const time = d.time!;
  for (const spec of [{ kind: 'user-temporal', lastN: 3 }, { kind: 'user-temporal', testFraction: 0.25 }, { kind: 'leave-one-out', pick: 'latest' }] as const) {
    const [f] = splitDataset(d, spec, 0);
    checkPartition(d.size, f);
    const counts = d.userCounts();
    const inTest = new Int32Array(d.nUsers);
    // latest train row per user (time, then position) must come before the earliest test row
    const lastTrain = new Int32Array(d.nUsers).fill(-1);
    for (const r of f.trainRows) {
      const u = d.user[r];
      const p = lastTrain[u];
      if (p < 0 || time[r] > time[p] || (time[r] === time[p] && r > p)) lastTrain[u] = r;
    }
    for (const r of f.testRows) {
      const u = d.user[r];
      inTest[u]++;
      const p = lastTrain[u];
      assert.ok(p >= 0 && (time[r] > time[p] || (time[r] === time[p] && r > p)), `${spec.kind}: row ${r} of user ${u}`);
    }
    for (let u = 0; u < d.nUsers; u++) {
      const n = counts[u];
      const want = spec.kind === 'leave-one-out' ? 1 : 'lastN' in spec ? 3 : Math.round(n * 0.25);
      assert.equal(inTest[u], n < 2 ? 0 : Math.min(want, n - 1));
    }
  }
});

test('leave-one-out random: one row per user with >= 2 rows, seeded', () => {
  const d = randomData(false);
  const [f] = splitDataset(d, { kind: 'leave-one-out', pick: 'random' }, 9);
  checkPartition(d.size, f);
  const counts = d.userCounts();
  const inTest = new Int32Array(d.nUsers);
  for (const r of f.testRows) inTest[d.user[r]]++;
  for (let u = 0; u < d.nUsers; u++) assert.equal(inTest[u], counts[u] >= 2 ? 1 : 0);
  assert.ok(same(f, splitDataset(d, { kind: 'leave-one-out', pick: 'random' }, 9)[0]));
  assert.ok(!same(f, splitDataset(d, { kind: 'leave-one-out', pick: 'random' }, 10)[0]));
});

test('temporal kinds without timestamps and predefined throw E_PARAM', () => {
  const d = randomData(false);
  for (const spec of [
    { kind: 'temporal', testFraction: 0.2 },
    { kind: 'user-temporal', lastN: 1 },
    { kind: 'leave-one-out', pick: 'latest' },
  ] as const) {
    assert.throws(
      () => splitDataset(d, spec, 1),
      (e: unknown) => e instanceof AffinityError && e.code === 'E_PARAM' && e.message.includes(spec.kind) && /timestamps are required/.test(e.message),
    );
  }
  assert.throws(() => splitDataset(d, { kind: 'predefined', train: 'a', test: 'b' }, 1), /loadTrainTest/);
  assert.throws(() => splitDataset(d, { kind: 'random', testFraction: 1.5 }, 1), /testFraction: got 1.5/);
});

test('parseSplit accepts the CLI forms and names --protocol on errors', () => {
  assert.deepEqual(parseSplit('cv5'), { kind: 'kfold', k: 5 });
  assert.deepEqual(parseSplit('kfold:10'), { kind: 'kfold', k: 10 });
  assert.deepEqual(parseSplit('random:0.2'), { kind: 'random', testFraction: 0.2 });
  assert.deepEqual(parseSplit('user:0.2'), { kind: 'user-ratio', testFraction: 0.2 });
  assert.deepEqual(parseSplit('user:0.25,min=2'), { kind: 'user-ratio', testFraction: 0.25, minTrain: 2 });
  assert.deepEqual(parseSplit('temporal:0.1'), { kind: 'temporal', testFraction: 0.1 });
  assert.deepEqual(parseSplit('user-temporal:last=1'), { kind: 'user-temporal', lastN: 1 });
  assert.deepEqual(parseSplit('user-temporal:0.2'), { kind: 'user-temporal', testFraction: 0.2 });
  assert.deepEqual(parseSplit('loo'), { kind: 'leave-one-out', pick: 'latest' });
  assert.deepEqual(parseSplit('loo:random'), { kind: 'leave-one-out', pick: 'random' });
  for (const bad of ['cv1', 'random:2', 'random:x', 'user-temporal:last=0', 'holdout', '']) {
    assert.throws(
      () => parseSplit(bad),
      (e: unknown) => e instanceof AffinityError && e.field === '--protocol' && e.message.includes("'user-temporal:last=1'"),
      bad,
    );
  }
});
