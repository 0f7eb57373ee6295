import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Rng } from '../core/rng.js';
import { findColumn } from './features.js';
import { selectSmallest } from './synthetic-sampler.js';
import { AliasTable, generateSynthetic, generateSyntheticWithTruth, writeSyntheticTsv, type SyntheticOptions } from './synthetic.js';

const small: SyntheticOptions = { users: 400, items: 300, interactions: 12000, factors: 8, categories: 6, seed: 11 };

test('alias table draws match the weights', () => {
  const w = [1, 2, 3, 0, 4];
  const t = new AliasTable(w);
  const rng = new Rng(3);
  const c = new Float64Array(5);
  const draws = 200000;
  for (let k = 0; k < draws; k++) c[t.sample(rng)]++;
  for (let i = 0; i < 5; i++) assert.ok(Math.abs(c[i] / draws - w[i] / 10) < 0.005, `weight ${i}: ${c[i] / draws}`);
  assert.equal(c[3], 0);
});

test('selectSmallest puts the n smallest keys first, carrying their companions', () => {
  const rng = new Rng(4);
  for (const [m, n] of [[1, 1], [10, 3], [257, 100], [1000, 999], [64, 1]]) {
    const keys = new Float64Array(m);
    for (let j = 0; j < m; j++) keys[j] = rng.int(50); // many ties
    const cand = Int32Array.from(keys, (_, j) => j);
    const aff = Float64Array.from(keys, (k) => k * 2);
    const sortedKeys = Float64Array.from(keys).sort();
    selectSmallest(keys, cand, aff, m, n);
    assert.deepEqual(Float64Array.from(keys.subarray(0, n)).sort(), sortedKeys.subarray(0, n));
    for (let j = 0; j < m; j++) assert.equal(aff[j], keys[j] * 2);
    assert.deepEqual(Int32Array.from(cand).sort(), Int32Array.from({ length: m }, (_, j) => j));
  }
});

test('deterministic for a seed, different for another seed', () => {
  const a = generateSynthetic(small);
  const b = generateSynthetic(small);
  const c = generateSynthetic({ ...small, seed: 12 });
  assert.deepEqual(a.item, b.item);
  assert.deepEqual(a.time, b.time);
  assert.deepEqual(a.value, b.value);
  assert.deepEqual(findColumn(a.itemFeatures!, 'title'), findColumn(b.itemFeatures!, 'title'));
  assert.notDeepEqual(a.item, c.item);
});

test('counts, distinct pairs, ranges, timestamps and side data', () => {
  const { data: d } = generateSyntheticWithTruth({ ...small, kind: 'explicit', minPerUser: 5 });
  assert.equal(d.size, 12000);
  assert.equal(d.nUsers, 400);
  assert.equal(d.nItems, 300);
  assert.equal(d.csr().indices.length, 12000); // no duplicate (user, item) pairs
  const uc = d.userCounts();
  assert.ok(uc.every((c) => c >= 5 && c <= 150));
  assert.ok(Math.max(...uc) > 3 * (12000 / 400), 'heavy-tailed activity');
  const start = 1_600_000_000;
  const end = start + 365 * 86400;
  for (let k = 0; k < d.size; k++) {
    const v = d.value[k];
    assert.ok(Number.isInteger(v) && v >= 1 && v <= 5);
    const release = start + (0.8 * 365 * 86400 * d.item[k]) / 300;
    assert.ok(d.time![k] >= Math.floor(release) && d.time![k] <= end);
  }
  assert.deepEqual(d.ratingScale, [1, 5]);
  const cat = findColumn(d.itemFeatures!, 'category');
  const title = findColumn(d.itemFeatures!, 'title');
  const desc = findColumn(d.itemFeatures!, 'description');
  const price = findColumn(d.itemFeatures!, 'price');
  const seg = findColumn(d.userFeatures!, 'segment');
  assert.ok(cat?.kind === 'categorical' && cat.codes.length === 300 && cat.vocab[0] === 'Books');
  assert.ok(title?.kind === 'text' && /^[A-Z][a-z]+ [A-Z][a-z]+ [A-Z][a-z]+$/.test(title.values[0]));
  assert.ok(desc?.kind === 'text' && desc.values[0].startsWith(title.values[0]) && desc.values[0].includes(cat.vocab[cat.codes[0]]));
  assert.ok(price?.kind === 'numeric' && price.values.every((p) => p > 0));
  assert.ok(seg?.kind === 'categorical' && seg.codes.length === 400 && seg.codes.every((s) => s >= 0 && s < 4));
  // later items appear later: mean time of the newest third of items is later than of the oldest third
  let tOld = 0, nOld = 0, tNew = 0, nNew = 0;
  for (let k = 0; k < d.size; k++) {
    if (d.item[k] < 100) (tOld += d.time![k], nOld++);
    else if (d.item[k] >= 200) (tNew += d.time![k], nNew++);
  }
  assert.ok(tNew / nNew - tOld / nOld > 30 * 86400);
});

test('edge sizes: fewer rows than users, and every user at the half-catalogue cap', () => {
  const sparse = generateSynthetic({ users: 100, items: 50, interactions: 60, seed: 1 });
  assert.equal(sparse.size, 60);
  assert.ok(sparse.userCounts().every((c) => c <= 25));
  const full = generateSynthetic({ users: 10, items: 10, interactions: 50, seed: 1, categories: 3 });
  assert.deepEqual([...full.userCounts()], new Array(10).fill(5));
  assert.equal(full.csr().indices.length, 50);
  assert.throws(() => generateSynthetic({ users: 10, items: 10, interactions: 51 }), /interactions: got 51; expected at most users x maxPerUser/);
  assert.throws(() => generateSynthetic({ users: 0, items: 10, interactions: 5 }), /users: got 0; expected an integer >= 1/);
});

test('power-law popularity: the top 10% of items hold far more than 10% of rows', () => {
  const d = generateSynthetic({ users: 1000, items: 1000, interactions: 30000, seed: 5, affinityStrength: 0.5 });
  const c = Array.from(d.itemCounts()).sort((a, b) => b - a);
  const head = c.slice(0, 100).reduce((s, x) => s + x, 0) / d.size;
  assert.ok(head > 0.3, `head share ${head}`);
  // popularity only (strength 0): head share follows the power law closely
  const d0 = generateSynthetic({ users: 1000, items: 1000, interactions: 30000, seed: 5, affinityStrength: 0 });
  const c0 = Array.from(d0.itemCounts()).sort((a, b) => b - a);
  assert.ok(c0.slice(0, 100).reduce((s, x) => s + x, 0) / d0.size > 0.3);
});

test('ground truth is recoverable: rows lean towards high-affinity items, ratings follow affinity', () => {
  const { data: d, truth } = generateSyntheticWithTruth({ ...small, kind: 'explicit' });
  const f = truth.factors;
  const aff = (u: number, i: number): number => {
    let s = 0;
    for (let k = 0; k < f; k++) s += truth.userFactors[u * f + k] * truth.itemFactors[i * f + k];
    return s;
  };
  // mean affinity of observed pairs vs. popularity-drawn pairs for the same users
  const popAlias = new AliasTable(truth.popularity);
  const rng = new Rng(1);
  let obs = 0;
  let base = 0;
  const a = new Float64Array(d.size);
  for (let k = 0; k < d.size; k++) {
    a[k] = aff(d.user[k], d.item[k]);
    obs += a[k];
    base += aff(d.user[k], popAlias.sample(rng));
  }
  obs /= d.size;
  base /= d.size;
  assert.ok(obs - base > 0.4, `observed ${obs} vs popularity-only ${base}`);
  // exact sampling (each user's n_u items without replacement, P ∝ pop exp(a), over all items) tilts a
  // little more; the sampler gets most of the way
  const uc = d.userCounts();
  let exact = 0;
  const keys = new Float64Array(d.nItems);
  for (let u = 0; u < d.nUsers; u++) {
    for (let i = 0; i < d.nItems; i++) keys[i] = -Math.log(1 - rng.next()) / (truth.popularity[i] * Math.exp(aff(u, i)));
    const idx = Array.from(keys.keys()).sort((x, y) => keys[x] - keys[y]);
    for (let j = 0; j < uc[u]; j++) exact += aff(u, idx[j]);
  }
  exact /= d.size;
  assert.ok(obs > 0.8 * exact && obs <= exact * 1.05, `sampler ${obs} vs exact ${exact}`);
  // correlation of rating and true affinity
  let ma = 0, mv = 0;
  for (let k = 0; k < d.size; k++) (ma += a[k], mv += d.value[k]);
  ma /= d.size;
  mv /= d.size;
  let sab = 0, saa = 0, svv = 0;
  for (let k = 0; k < d.size; k++) {
    const x = a[k] - ma;
    const y = d.value[k] - mv;
    sab += x * y;
    saa += x * x;
    svv += y * y;
  }
  const corr = sab / Math.sqrt(saa * svv);
  assert.ok(corr > 0.6, `corr ${corr}`);
  assert.ok(mv > 3 && mv < 4.3, `mean rating ${mv}`);
});

test('writeSyntheticTsv streams plain and gzip TSV', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'affinity-synth-'));
  try {
    const d = generateSynthetic({ users: 50, items: 40, interactions: 500, seed: 2, text: false });
    const gz = join(dir, 'x.tsv.gz');
    await writeSyntheticTsv(gz, d);
    const lines = gunzipSync(readFileSync(gz)).toString('utf8').trimEnd().split('\n');
    assert.equal(lines.length, 500);
    assert.deepEqual(lines[7].split('\t'), [d.users.id(d.user[7]), d.items.id(d.item[7]), String(d.value[7]), String(d.time![7])]);
    const plain = join(dir, 'x.tsv');
    await writeSyntheticTsv(plain, d, false);
    assert.equal(readFileSync(plain, 'utf8'), lines.join('\n') + '\n');
    await assert.rejects(writeSyntheticTsv(join(dir, 'missing', 'x.tsv'), d), /cannot write/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
