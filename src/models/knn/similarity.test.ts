import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../core/rng.js';
import { Dataset } from '../../data/dataset.js';
import type { Baselines } from '../baseline/baselines.js';
import { computeSimilarity, type SimilarityOptions, type SimMatrix } from './similarity.js';

/**
 * 3 users x 4 items (ratings; '-' = missing):
 *        i0 i1 i2 i3
 *   u0    5  3  4  -
 *   u1    3  1  2  3
 *   u2    4  -  3  5
 */
function small(): Dataset {
  return Dataset.fromTriples(
    [
      ['u0', 'i0', 5], ['u0', 'i1', 3], ['u0', 'i2', 4],
      ['u1', 'i0', 3], ['u1', 'i1', 1], ['u1', 'i2', 2], ['u1', 'i3', 3],
      ['u2', 'i0', 4], ['u2', 'i2', 3], ['u2', 'i3', 5],
    ],
    { ratingScale: [1, 5] },
  );
}

/** sim(a, b) from the sparse result (0 when absent). */
function get(m: SimMatrix, a: number, b: number): number {
  for (let p = m.ptr[a]; p < m.ptr[a + 1]; p++) if (m.idx[p] === b) return m.val[p];
  return 0;
}

async function sims(o: Partial<SimilarityOptions> & Pick<SimilarityOptions, 'kind'>): Promise<SimMatrix> {
  return computeSimilarity(small().csr(), { userBased: true, ...o });
}

const close = (a: number, b: number, msg: string): void => assert.ok(Math.abs(a - b) < 1e-6, `${msg}: ${a} vs ${b}`);

describe('similarities (hand-computed on a 3 x 4 matrix)', () => {
  it("cosine (Surprise: norms over common items)", async () => {
    const m = await sims({ kind: 'cosine' });
    // u0,u1 common i0..i2: 26 / sqrt(50 * 14); u0,u2 common i0,i2: 32 / sqrt(41 * 25); u1,u2: 33 / sqrt(22 * 50)
    close(get(m, 0, 1), 26 / Math.sqrt(700), 'u0 u1');
    close(get(m, 0, 2), 32 / Math.sqrt(1025), 'u0 u2');
    close(get(m, 1, 2), 33 / Math.sqrt(1100), 'u1 u2');
    close(get(m, 2, 1), get(m, 1, 2), 'symmetric');
    assert.equal(get(m, 0, 0), 0, 'self is left out');
    // rows best first
    assert.deepEqual(Array.from(m.idx.subarray(m.ptr[0], m.ptr[1])), [2, 1]);
  });

  it('cosine with full norms (implicit) on the binary matrix', async () => {
    const d = small();
    const bin = d.derive({ value: new Float32Array(d.size).fill(1) });
    const m = await computeSimilarity(bin.csr(), { kind: 'cosine', userBased: true, fullNorms: true, includeSelf: true });
    close(get(m, 0, 1), 3 / Math.sqrt(12), 'u0 u1');
    close(get(m, 0, 2), 2 / 3, 'u0 u2');
    close(get(m, 1, 2), 3 / Math.sqrt(12), 'u1 u2');
    close(get(m, 1, 1), 1, 'self included');
  });

  it('msd: 1 / (mean squared difference + 1)', async () => {
    const m = await sims({ kind: 'msd' });
    close(get(m, 0, 1), 1 / (12 / 3 + 1), 'u0 u1'); // diffs 2,2,2
    close(get(m, 0, 2), 1 / (2 / 2 + 1), 'u0 u2'); // diffs 1,1
    close(get(m, 1, 2), 1 / (6 / 3 + 1), 'u1 u2'); // diffs -1,-1,-2
  });

  it('pearson over common items, centred by the means over those items', async () => {
    const m = await sims({ kind: 'pearson' });
    close(get(m, 0, 1), 1, 'u0 u1'); // (1,-1,0) vs (1,-1,0)
    close(get(m, 0, 2), 1, 'u0 u2');
    // u1 (3,2,3) vs u2 (4,3,5) over i0,i2,i3: 1 / sqrt(6/9 * 2)
    close(get(m, 1, 2), 1 / Math.sqrt(4 / 3), 'u1 u2');
    // item-based: i1,i3 share only u1 -> zero variance -> no similarity
    const mi = await computeSimilarity(small().csr(), { kind: 'pearson', userBased: false });
    assert.equal(get(mi, 1, 3), 0);
    close(get(mi, 0, 1), 1, 'i0 i1');
  });

  it('pearson_baseline: residuals from baselines, shrinkage (n-1)/(n-1+100), negatives dropped', async () => {
    const b: Baselines = { mu: 3.5, bu: new Float64Array(3), bi: new Float64Array(4) };
    const m0 = await sims({ kind: 'pearson_baseline', baselines: b, shrinkage: 0 });
    // u0 (1.5, 0.5) vs u2 (0.5, -0.5) over i0, i2: 0.5 / sqrt(2.5 * 0.5)
    close(get(m0, 0, 2), 0.5 / Math.sqrt(1.25), 'u0 u2');
    assert.equal(get(m0, 0, 1), 0, 'negative (-0.25) dropped');
    const m = await sims({ kind: 'pearson_baseline', baselines: b });
    close(get(m, 0, 2), (0.5 / Math.sqrt(1.25)) * (1 / 101), 'shrunk with the default 100');
    // min support is at least 2 for pearson_baseline: nothing changes here, all pairs share >= 2 items
    const b2: Baselines = { mu: 3, bu: Float64Array.from([1, -1, 0.5]), bi: Float64Array.from([0.5, -1, 0, 0.5]) };
    const m2 = await sims({ kind: 'pearson_baseline', baselines: b2, shrinkage: 0 });
    // residuals r - (3 + bu + bi): u0 (0.5, 0, 0, -), u1 (0.5, 0, 0, 0.5), u2 (0, -, -0.5, 1)
    close(get(m2, 0, 1), 0.25 / Math.sqrt(0.25 * 0.25), 'u0 u1');
    close(get(m2, 1, 2), 0.5 / Math.sqrt(0.5 * 1.25), 'u1 u2');
    assert.equal(get(m2, 0, 2), 0, 'zero correlation is not kept');
  });

  it('adjusted cosine: ratings centred by the user mean, cosine over common raters', async () => {
    const m = await computeSimilarity(small().csr(), { kind: 'adjusted_cosine', userBased: false });
    // centred: u0 (1,-1,0,-), u1 (0.75,-1.25,-0.25,0.75), u2 (0,-,-1,1)
    // i0,i3 over u1,u2: (0.75*0.75 + 0*1) / sqrt((0.5625 + 0) * (0.5625 + 1))
    close(get(m, 0, 3), 0.5625 / Math.sqrt(0.5625 * 1.5625), 'i0 i3');
    // i0,i2 over u0..u2: (0 + (-0.1875) + 0) -> negative, dropped
    assert.equal(get(m, 0, 2), 0);
  });

  it('jaccard, minimum support and shrinkage', async () => {
    const m = await sims({ kind: 'jaccard' });
    close(get(m, 0, 1), 3 / 4, 'u0 u1');
    close(get(m, 0, 2), 2 / 4, 'u0 u2');
    close(get(m, 1, 2), 3 / 4, 'u1 u2');
    const ms = await sims({ kind: 'jaccard', minSupport: 3 });
    assert.equal(get(ms, 0, 2), 0, 'u0,u2 share 2 items < 3');
    close(get(ms, 0, 1), 3 / 4, 'u0 u1 kept');
    const sh = await sims({ kind: 'msd', shrinkage: 2 });
    close(get(sh, 0, 2), 0.5 * (2 / 4), 'msd shrunk n/(n+2)');
  });

  it('bm25 and tfidf weights as implicit (item-based, binary)', async () => {
    const d = small();
    const bin = d.derive({ value: new Float32Array(d.size).fill(1) });
    // item-based X = items x users; idf per user = log(4) - log1p(#items of the user)
    const idf = [Math.log(4) - Math.log(4), Math.log(4) - Math.log(5), Math.log(4) - Math.log(4)];
    const tf = await computeSimilarity(bin.csr(), { kind: 'tfidf', userBased: false, includeSelf: true });
    // only u1 has a non-zero idf, so every item row normalises to the unit vector on u1
    close(get(tf, 0, 3), 1, 'tfidf i0 i3');
    assert.ok(idf[1] < 0);
    // bm25: rows = items with lengths (3, 2, 3, 2), avg 2.5; weight = (K1+1) / (K1 * lengthNorm + 1) * idf
    const K1 = 1.2;
    const B = 0.75;
    const w = (len: number, u: number): number => ((K1 + 1) / (K1 * (1 - B + (B * len) / 2.5) + 1)) * idf[u];
    const bm = await computeSimilarity(bin.csr(), { kind: 'bm25', userBased: false, includeSelf: true, K1, B });
    // i1 (u0,u1) . i3 (u1,u2): only u1 contributes, product of two negative weights -> positive
    close(get(bm, 1, 3), w(2, 1) * w(2, 1), 'bm25 i1 i3');
  });

  it('maxNeighbours keeps the most similar, best first', async () => {
    const m = await sims({ kind: 'msd', maxNeighbours: 1 });
    assert.deepEqual(Array.from(m.ptr), [0, 1, 2, 3]);
    assert.deepEqual(Array.from(m.idx), [2, 2, 0]); // u0 -> u2 (0.5), u1 -> u2 (1/3), u2 -> u0 (0.5)
  });
});

describe('parallel similarities', () => {
  it('threads = 2 (worker threads) gives exactly the single-thread result', async () => {
    const rng = new Rng(7);
    const rows: [number, number, number][] = [];
    const seen = new Set<number>();
    while (rows.length < 6000) {
      const u = rng.int(300);
      const i = Math.floor(Math.pow(rng.next(), 2) * 500);
      if (seen.has(u * 1000 + i)) continue;
      seen.add(u * 1000 + i);
      rows.push([u, i, 1 + rng.int(5)]);
    }
    const d = Dataset.fromTriples(rows, { ratingScale: [1, 5] });
    for (const kind of ['pearson', 'msd', 'bm25'] as const) {
      const o: SimilarityOptions = { kind, userBased: false, maxNeighbours: kind === 'bm25' ? 20 : 0 };
      const one = await computeSimilarity(d.csr(), o, { threads: 1 });
      const two = await computeSimilarity(d.csr(), o, { threads: 2 });
      assert.ok(one.idx.length > 1000, `${kind}: ${one.idx.length} similarities`);
      assert.deepEqual(two.ptr, one.ptr, kind);
      assert.deepEqual(two.idx, one.idx, kind);
      assert.deepEqual(two.val, one.val, kind);
    }
  });

  it('the fused dot-product selection equals the general path', async () => {
    const rng = new Rng(3);
    const rows: [number, number, number][] = [];
    for (let k = 0; k < 3000; k++) rows.push([rng.int(200), Math.floor(Math.pow(rng.next(), 2) * 150), 1 + rng.int(3)]);
    const ui = Dataset.fromTriples(rows, { kind: 'implicit' }).csr();
    for (const kind of ['cosine', 'bm25', 'tfidf'] as const) {
      const o: SimilarityOptions = { kind, userBased: false, fullNorms: true, includeSelf: true };
      const general = await computeSimilarity(ui, { ...o, maxNeighbours: 0 });
      const fused = await computeSimilarity(ui, { ...o, maxNeighbours: 1000 });
      assert.deepEqual(fused, general, kind);
      const top5 = await computeSimilarity(ui, { ...o, maxNeighbours: 5 });
      for (let r = 0; r < general.n; r++) {
        const want = Array.from(general.idx.subarray(general.ptr[r], Math.min(general.ptr[r + 1], general.ptr[r] + 5)));
        assert.deepEqual(Array.from(top5.idx.subarray(top5.ptr[r], top5.ptr[r + 1])), want, `${kind} row ${r}`);
      }
    }
  });

  it('an aborted signal stops the computation with E_ABORTED', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(computeSimilarity(small().csr(), { kind: 'msd', userBased: true }, { threads: 2, signal: ac.signal }), (e: unknown) => (e as { code?: string }).code === 'E_ABORTED');
  });
});
