import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdMap } from '../core/idmap.js';
import type { FeatureTable } from '../data/features.js';
import { buildFeatureMatrix, hstack, parseColumns } from './matrix.js';

const near = (a: number, b: number, tol = 1e-6): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

// table rows: a, b, c; dataset items in another order and with one item (z) missing from the table
const table: FeatureTable = {
  ids: new IdMap(['a', 'b', 'c']),
  columns: [
    { kind: 'categorical', name: 'brand', codes: Int32Array.from([0, 1, -1]), vocab: ['acme', 'zen'] },
    { kind: 'multi', name: 'genres', indptr: Int32Array.from([0, 2, 3, 3]), codes: Int32Array.from([1, 0, 1]), vocab: ['comedy', 'drama'] },
    { kind: 'numeric', name: 'price', values: Float64Array.from([1, 3, NaN]) },
    { kind: 'text', name: 'title', values: ['red apple', 'green apple', ''] },
  ],
};
const ids = new IdMap(['c', 'a', 'z', 'b']);

function dense(m: ReturnType<typeof buildFeatureMatrix>): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < m.csr.nRows; r++) {
    const row = new Array<number>(m.csr.nCols).fill(0);
    for (let p = m.csr.indptr[r]; p < m.csr.indptr[r + 1]; p++) row[m.csr.indices[p]] = m.csr.data[p];
    out.push(row);
  }
  return out;
}

test('buildFeatureMatrix: one-hot, multi-hot, standardised numeric, TF-IDF text, rows follow ids', () => {
  const m = buildFeatureMatrix(table, ids, { normalize: 'none', text: { stopWords: 'none' } });
  assert.deepEqual(m.names, ['brand=acme', 'brand=zen', 'genres=comedy', 'genres=drama', 'price', 'title:apple', 'title:green', 'title:red']);
  const d = dense(m);
  // price over present values 1, 3: mean 2, sd 1 -> a: -1, b: +1, c missing -> 0
  // title: N = 3 docs (c's is empty); df(apple) = 2 -> idf ln(4/3)+1; red/green df 1 -> ln 2 + 1
  const ia = Math.log(4 / 3) + 1;
  const ir = Math.log(2) + 1;
  const nr = Math.hypot(ia, ir);
  assert.deepEqual(d[0], [0, 0, 0, 0, 0, 0, 0, 0]); // c: no brand, no genres, no price, empty title
  assert.deepEqual(d[1].slice(0, 5), [1, 0, 1, 1, -1]); // a
  near(d[1][5], ia / nr);
  near(d[1][7], ir / nr);
  assert.equal(d[1][6], 0);
  assert.deepEqual(d[2], [0, 0, 0, 0, 0, 0, 0, 0]); // z: not in the table
  assert.deepEqual(d[3].slice(0, 5), [0, 1, 0, 1, 1]); // b
  near(d[3][6], ir / nr);
  // columns ascending in every row
  for (let r = 0; r < 4; r++) for (let p = m.csr.indptr[r] + 1; p < m.csr.indptr[r + 1]; p++) assert.ok(m.csr.indices[p] > m.csr.indices[p - 1]);
});

test('buildFeatureMatrix: identity first, column selection, sqrt multi weights, L2 and L1 rows', () => {
  const m = buildFeatureMatrix(table, ids, { identity: true, columns: ['genres'], multiWeight: 'sqrt', normalize: 'none' });
  assert.deepEqual(m.names, ['#c', '#a', '#z', '#b', 'genres=comedy', 'genres=drama']);
  const d = dense(m);
  assert.deepEqual(d[2], [0, 0, 1, 0, 0, 0]); // z missing from the table: identity only
  near(d[1][4], Math.SQRT1_2);
  near(d[1][5], Math.SQRT1_2);
  const l2 = dense(buildFeatureMatrix(table, ids, { columns: ['genres', 'brand'] }));
  // a: genres comedy, drama + brand acme -> 3 ones / sqrt 3
  for (const v of [l2[1][0], l2[1][1], l2[1][2]]) near(v, 1 / Math.sqrt(3));
  const l1 = dense(buildFeatureMatrix(table, ids, { columns: ['genres', 'brand'], normalize: 'l1' }));
  near(l1[1].reduce((s, v) => s + v, 0), 1);
  const mm = dense(buildFeatureMatrix(table, ids, { columns: ['price'], numeric: 'minmax', normalize: 'none' }));
  assert.deepEqual(mm.map((r) => r[0]), [0, 0, 0, 1]); // a -> 0 (not stored), b -> 1
  const w = dense(buildFeatureMatrix(table, ids, { columns: ['brand'], weights: { brand: 2 }, normalize: 'none' }));
  assert.equal(w[1][0], 2);
});

test('buildFeatureMatrix: no table, dense blocks, unknown columns, hstack', () => {
  const none = buildFeatureMatrix(null, ids, { identity: true });
  assert.equal(none.csr.nCols, 4);
  assert.deepEqual([...none.csr.indices], [0, 1, 2, 3]);
  const emb = buildFeatureMatrix(null, ids, { dense: [{ name: 'emb', dim: 2, vectors: Float32Array.from([3, 4, 0, 0, 1, 0, 0, 2]) }] });
  assert.deepEqual(emb.names, ['emb:0', 'emb:1']);
  assert.deepEqual(dense(emb)[0].map((v) => Math.round(v * 1e6) / 1e6), [0.6, 0.8]);
  assert.throws(() => buildFeatureMatrix(table, ids, { columns: ['nope'] }), (e: Error & { code?: string }) => e.code === 'E_PARAM' && /nope/.test(e.message));
  const h = hstack(buildFeatureMatrix(table, ids, { columns: ['brand'] }), emb);
  assert.deepEqual(h.names, ['brand=acme', 'brand=zen', 'emb:0', 'emb:1']);
  assert.deepEqual(dense(h)[1].slice(0, 2), [1, 0]);
  assert.deepEqual(parseColumns('genres, title'), ['genres', 'title']);
  assert.equal(parseColumns('all'), undefined);
});

test('user features of ML-100K u.user: one-hot age band, gender, occupation, region', { skip: process.env.AFFINITY_DATA ? false : 'AFFINITY_DATA not set' }, async () => {
  const { sharedData } = await import('../../test/helpers/data.js');
  const { loadUserFeatures } = await import('../data/side.js');
  const t = await loadUserFeatures(sharedData('ml-100k/u.user')!);
  const m = buildFeatureMatrix(t, t.ids, { columns: ['ageBand', 'gender', 'occupation', 'region'] });
  assert.equal(m.csr.nRows, 943);
  // one value per column per user (region is missing for non-numeric zip codes): 4 features of weight 1/2 after L2
  let four = 0;
  for (let r = 0; r < 943; r++) {
    const len = m.csr.indptr[r + 1] - m.csr.indptr[r];
    assert.ok(len === 4 || len === 3, `user row ${r}: ${len} features`);
    if (len === 4) four++;
  }
  assert.ok(four > 900, `${four} users with all four features`);
  near(m.csr.data[0], 0.5);
  assert.ok(m.names.includes('gender=F') && m.names.includes('occupation=technician'));
});
