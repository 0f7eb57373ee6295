import { AffinityError, paramError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { Dataset } from './dataset.js';
import { surpriseKFold } from './numpy-kfold.js';
import type { SplitFold, SplitSpec } from './split-types.js';

/**
 * Train/test splits of a Dataset (every SplitSpec kind except 'predefined', which the loader builds
 * from two files). All splits are deterministic for a seed; row positions in each fold come out in
 * ascending order. Train and test of a fold are disjoint and together hold every row.
 */
export function splitDataset(data: Dataset, spec: SplitSpec, seed: number): SplitFold[] {
  const n = data.size;
  switch (spec.kind) {
    case 'random': {
      const f = checkFraction('testFraction', spec.testFraction);
      const nTest = Math.round(n * f);
      return [foldFromMask(0, maskOf(n, sampleRows(n, nTest, new Rng(seed))))];
    }
    case 'user-ratio':
      return [userRatio(data, checkFraction('testFraction', spec.testFraction), spec.minTrain ?? 1, seed)];
    case 'temporal':
      return [temporal(data, checkFraction('testFraction', spec.testFraction))];
    case 'user-temporal':
      return [userTemporal(data, spec.lastN, spec.testFraction)];
    case 'leave-one-out':
      return [leaveOneOut(data, spec.pick, seed)];
    case 'kfold':
      return kFold(n, spec.k, seed);
    case 'predefined':
      throw new AffinityError(
        'E_PARAM',
        `split kind 'predefined' (train ${spec.train}, test ${spec.test}) is not computed by splitDataset; use loadTrainTest to read the two files`,
        { field: 'kind' },
      );
    default: {
      const k: never = spec;
      throw paramError('kind', (k as { kind: unknown }).kind, "one of 'random', 'user-ratio', 'temporal', 'user-temporal', 'leave-one-out', 'kfold', 'predefined'");
    }
  }
}

/** The train and test Datasets of a fold (same id maps and side data as `data`). */
export function applySplit(data: Dataset, fold: SplitFold): { train: Dataset; test: Dataset } {
  return { train: data.subset(fold.trainRows), test: data.subset(fold.testRows) };
}

const ACCEPTED =
  "one of 'cv5' or 'kfold:5' (k-fold), 'random:0.2', 'user:0.2' (per-user ratio), 'temporal:0.2', " +
  "'user-temporal:last=1' or 'user-temporal:0.2', 'loo' or 'loo:latest' or 'loo:random' (leave-one-out)";

/** Parses the CLI form of a split (`--protocol`). */
export function parseSplit(text: string): SplitSpec {
  const t = text.trim().toLowerCase();
  const bad = (): AffinityError => paramError('--protocol', text, ACCEPTED);
  const frac = (s: string): number => {
    if (!/^(0?\.\d+|0|1|\d+(\.\d+)?)$/.test(s)) throw bad();
    const v = Number(s);
    if (!(v > 0 && v < 1)) throw bad();
    return v;
  };
  const int = (s: string, min: number): number => {
    if (!/^\d+$/.test(s)) throw bad();
    const v = Number(s);
    if (v < min) throw bad();
    return v;
  };
  let m: RegExpMatchArray | null;
  if ((m = t.match(/^cv(\d+)$/)) || (m = t.match(/^k-?fold:(\d+)$/))) return { kind: 'kfold', k: int(m[1], 2) };
  if ((m = t.match(/^random:(.+)$/))) return { kind: 'random', testFraction: frac(m[1]) };
  if ((m = t.match(/^user(?:-ratio)?:(.+)$/))) {
    const parts = m[1].split(',');
    const spec: SplitSpec = { kind: 'user-ratio', testFraction: frac(parts[0]) };
    for (const p of parts.slice(1)) {
      const mm = p.match(/^min(?:train)?=(\d+)$/);
      if (!mm) throw bad();
      spec.minTrain = int(mm[1], 0);
    }
    return spec;
  }
  if ((m = t.match(/^temporal:(.+)$/))) return { kind: 'temporal', testFraction: frac(m[1]) };
  if ((m = t.match(/^user-temporal:(.+)$/))) {
    const mm = m[1].match(/^last=(\d+)$/);
    if (mm) return { kind: 'user-temporal', lastN: int(mm[1], 1) };
    return { kind: 'user-temporal', testFraction: frac(m[1]) };
  }
  if (t === 'loo' || t === 'loo:latest' || t === 'leave-one-out') return { kind: 'leave-one-out', pick: 'latest' };
  if (t === 'loo:random') return { kind: 'leave-one-out', pick: 'random' };
  throw bad();
}

function checkFraction(field: string, f: number): number {
  if (typeof f !== 'number' || !(f > 0 && f < 1)) throw paramError(field, f, 'a number strictly between 0 and 1');
  return f;
}

function requireTime(data: Dataset, kind: string): Float64Array {
  if (!data.time) {
    throw new AffinityError(
      'E_PARAM',
      `split kind '${kind}' needs timestamps, but the dataset${data.source ? ` (${data.source})` : ''} has none; timestamps are required for temporal splits (use 'random', 'user-ratio', 'kfold' or 'loo:random' instead)`,
      { field: 'kind' },
    );
  }
  return data.time;
}

/** A uniform random k-subset of 0..n-1 (the first k steps of a Fisher-Yates shuffle). */
function sampleRows(n: number, k: number, rng: Rng): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p.subarray(0, k);
}

function maskOf(n: number, testRows: ArrayLike<number>): Uint8Array {
  const mask = new Uint8Array(n);
  for (let k = 0; k < testRows.length; k++) mask[testRows[k]] = 1;
  return mask;
}

/** Rows with mask 1 -> test, others -> train, both ascending. */
function foldFromMask(fold: number, mask: Uint8Array): SplitFold {
  let nTest = 0;
  for (let r = 0; r < mask.length; r++) nTest += mask[r];
  const testRows = new Int32Array(nTest);
  const trainRows = new Int32Array(mask.length - nTest);
  let a = 0;
  let b = 0;
  for (let r = 0; r < mask.length; r++) {
    if (mask[r]) testRows[a++] = r;
    else trainRows[b++] = r;
  }
  return { fold, trainRows, testRows };
}

/** Rows grouped by user: rows of user u are order[ptr[u] .. ptr[u+1]), in ascending row order. */
function groupByUser(data: Dataset): { ptr: Int32Array; order: Int32Array } {
  const nU = data.nUsers;
  const ptr = new Int32Array(nU + 1);
  const user = data.user;
  for (let k = 0; k < user.length; k++) ptr[user[k] + 1]++;
  for (let u = 0; u < nU; u++) ptr[u + 1] += ptr[u];
  const fill = ptr.slice(0, nU);
  const order = new Int32Array(user.length);
  for (let k = 0; k < user.length; k++) order[fill[user[k]]++] = k;
  return { ptr, order };
}

function userRatio(data: Dataset, f: number, minTrain: number, seed: number): SplitFold {
  if (!Number.isInteger(minTrain) || minTrain < 0) throw paramError('minTrain', minTrain, 'an integer >= 0');
  const rng = new Rng(seed);
  const { ptr, order } = groupByUser(data);
  const mask = new Uint8Array(data.size);
  for (let u = 0; u < data.nUsers; u++) {
    const s = ptr[u];
    const n = ptr[u + 1] - s;
    if (n === 0) continue;
    const nTest = Math.min(Math.round(n * f), Math.max(0, n - minTrain));
    if (nTest === 0) continue;
    // partial Fisher-Yates: the first nTest positions of the user's block become a uniform sample
    for (let i = 0; i < nTest; i++) {
      const j = i + rng.int(n - i);
      const t = order[s + i];
      order[s + i] = order[s + j];
      order[s + j] = t;
      mask[order[s + i]] = 1;
    }
  }
  return foldFromMask(0, mask);
}

function temporal(data: Dataset, f: number): SplitFold {
  const time = requireTime(data, 'temporal');
  const n = data.size;
  const nTest = Math.round(n * f);
  const mask = new Uint8Array(n);
  if (nTest > 0) {
    const sorted = Float64Array.from(time).sort();
    const threshold = sorted[n - nTest];
    // rows strictly later than the threshold are test; among rows at the threshold, the later rows (by position) are
    let later = 0;
    for (let r = 0; r < n; r++) {
      if (Number.isNaN(time[r])) throw paramError(`time[${r}]`, 'NaN', 'a timestamp (temporal split)');
      if (time[r] > threshold) {
        mask[r] = 1;
        later++;
      }
    }
    let need = nTest - later;
    for (let r = n - 1; r >= 0 && need > 0; r--) {
      if (time[r] === threshold) {
        mask[r] = 1;
        need--;
      }
    }
  }
  return foldFromMask(0, mask);
}

/** Sorts a user's block by (time, row position) with insertion sort on short blocks, else a comparator sort. */
function sortBlockByTime(order: Int32Array, s: number, e: number, time: Float64Array): void {
  if (e - s <= 32) {
    for (let i = s + 1; i < e; i++) {
      const r = order[i];
      const t = time[r];
      let j = i - 1;
      while (j >= s && (time[order[j]] > t || (time[order[j]] === t && order[j] > r))) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = r;
    }
  } else {
    order.subarray(s, e).sort((a, b) => time[a] - time[b] || a - b);
  }
}

function userTemporal(data: Dataset, lastN: number | undefined, f: number | undefined): SplitFold {
  const time = requireTime(data, 'user-temporal');
  if ((lastN === undefined) === (f === undefined)) {
    throw paramError('lastN', lastN ?? null, "exactly one of lastN or testFraction for split kind 'user-temporal'");
  }
  if (lastN !== undefined && (!Number.isInteger(lastN) || lastN < 1)) throw paramError('lastN', lastN, 'an integer >= 1');
  if (f !== undefined) checkFraction('testFraction', f);
  const { ptr, order } = groupByUser(data);
  const mask = new Uint8Array(data.size);
  for (let u = 0; u < data.nUsers; u++) {
    const s = ptr[u];
    const e = ptr[u + 1];
    const n = e - s;
    if (n < 2) continue;
    const want = lastN !== undefined ? lastN : Math.round(n * (f as number));
    const nTest = Math.min(want, n - 1); // at least one row stays in train
    if (nTest <= 0) continue;
    sortBlockByTime(order, s, e, time);
    for (let i = e - nTest; i < e; i++) mask[order[i]] = 1;
  }
  return foldFromMask(0, mask);
}

function leaveOneOut(data: Dataset, pick: 'latest' | 'random', seed: number): SplitFold {
  if (pick !== 'latest' && pick !== 'random') throw paramError('pick', pick, "'latest' or 'random'");
  const time = pick === 'latest' ? requireTime(data, 'leave-one-out (latest)') : null;
  const rng = new Rng(seed);
  const { ptr, order } = groupByUser(data);
  const mask = new Uint8Array(data.size);
  for (let u = 0; u < data.nUsers; u++) {
    const s = ptr[u];
    const n = ptr[u + 1] - s;
    if (n < 2) continue; // users with a single row stay in train
    let chosen: number;
    if (time) {
      // rows are in ascending position, so '>=' makes the later row win ties
      chosen = order[s];
      for (let i = s + 1; i < s + n; i++) if (time[order[i]] >= time[chosen]) chosen = order[i];
    } else {
      chosen = order[s + rng.int(n)];
    }
    mask[chosen] = 1;
  }
  return foldFromMask(0, mask);
}

/**
 * k-fold over rows. The shuffle is numpy's legacy MT19937 permutation, so `cv5` with seed 0 gives
 * exactly the folds of Surprise's `KFold(n_splits=5, shuffle=True, random_state=0)` on the same file
 * order — the protocol of the Surprise figures we compare with (see numpy-kfold.ts).
 */
function kFold(n: number, k: number, seed: number): SplitFold[] {
  if (!Number.isInteger(k) || k < 2) throw paramError('k', k, 'an integer >= 2');
  if (k > n) throw paramError('k', k, `at most the number of rows (${n})`);
  return surpriseKFold(n, k, seed).map((f) => ({ fold: f.fold, trainRows: f.trainRows.sort(), testRows: f.testRows.sort() }));
}
