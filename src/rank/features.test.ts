import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cooToCsr } from '../core/csr.js';
import { Dataset } from '../data/dataset.js';
import { createModel } from '../models/registry.js';
import type { CandidateSet, RequestContext } from '../pipeline/types.js';
import { FeatureBuilder } from './features.js';

const DAY = 86_400;

// items a b c d e; categories: a,b -> X; c -> Y; d -> X,Y; e -> Y
function fixture(): Dataset {
  return Dataset.fromTriples(
    [
      ['u1', 'a', 1, 100],
      ['u1', 'b', 1, 200],
      ['u1', 'c', 1, 300],
      ['u2', 'a', 1, 50],
      ['u2', 'd', 1, 400],
      ['u3', 'a', 1, 500],
      ['u3', 'e', 1, 600],
      ['u2', 'e', 1, 700],
    ],
    { kind: 'implicit' },
  );
}

test('features of two candidates, hand-computed column by column', async () => {
  const data = fixture();
  const I = (id: string) => data.items.require(id);
  const pop = createModel('popularity');
  await pop.fit(data);
  const cats = { indptr: Int32Array.of(0, 1, 2, 3, 5, 6), codes: Int32Array.of(0, 0, 1, 0, 1, 1), nCategories: 2 };
  const content = cooToCsr(5, 2, Int32Array.of(0, 1, 2, 3, 3, 4), Int32Array.of(0, 0, 1, 0, 1, 1), Float32Array.of(1, 1, 1, Math.SQRT1_2, Math.SQRT1_2, 1));
  const fb = FeatureBuilder.fit({ data, sourceNames: ['pop', 'knn'], models: [{ name: 'pop', model: pop }], itemContent: content, itemCategories: cats, devices: ['mobile'] });
  assert.deepEqual(fb.schema.names, [
    'source:pop', 'source:pop:from', 'source:knn', 'source:knn:from', 'cf:pop', 'cf:pop:pct', 'content:sim', 'item:logPop', 'item:popPct', 'item:ageDays',
    'user:logActivity', 'user:catAffinity', 'ctx:hourSin', 'ctx:hourCos',
    'ctx:wd0', 'ctx:wd1', 'ctx:wd2', 'ctx:wd3', 'ctx:wd4', 'ctx:wd5', 'ctx:wd6', 'ctx:dev:mobile', 'ctx:dev:other',
  ]);
  const now = 400 + 3 * DAY;
  const u1 = data.users.require('u1');
  const req: RequestContext = {
    user: u1,
    history: { items: Int32Array.of(I('a'), I('b'), I('c')), values: new Float32Array(3).fill(1), times: Float64Array.of(100, 200, 300) },
    now,
    context: { hour: 6, weekday: 2, device: 'tablet' },
  };
  // candidate d from 'knn' with score 0.5, e from 'pop' with score 2, and 'x' from a source the builder does not know
  const cands: CandidateSet = { items: Int32Array.of(I('d'), I('e'), I('b')), sourceScore: Float32Array.of(0.5, 2, 9), source: Uint8Array.of(1, 0, 2), sourceNames: ['pop', 'knn', 'x'] };
  const x = fb.build(req, cands);
  const row = (k: number) => Array.from(x.subarray(k * fb.nCols, (k + 1) * fb.nCols));
  const f = Math.fround;
  const near = (got: number[], want: number[]) => want.forEach((w, k) => assert.ok(Number.isNaN(w) ? Number.isNaN(got[k]) : Math.abs(got[k] - w) < 1e-6, `col ${fb.schema.names[k]}: ${got[k]} vs ${w}`));
  // d: popularity count 1; content cos([2,1], [1,1]/sqrt2) = 3/sqrt(10); first seen 400 -> 3 days; affinity mean(2/3, 1/3)
  near(row(0), [0, 0, 0.5, 1, 1, 0.5, 3 / Math.sqrt(10), Math.log1p(1), 0, 3, Math.log1p(3), 0.5, 1, f(Math.cos(Math.PI / 2)), 0, 0, 1, 0, 0, 0, 0, 0, 1]);
  // e: count 2; cos([2,1],[0,1]) = 1/sqrt5; first seen 600; affinity Y = 1/3
  near(row(1), [2, 1, 0, 0, 2, 1, 1 / Math.sqrt(5), Math.log1p(2), 3 / 5, (now - 600) / DAY, Math.log1p(3), 1 / 3, 1, f(Math.cos(Math.PI / 2)), 0, 0, 1, 0, 0, 0, 0, 0, 1]);
  // unknown source: no source features; cf pct over the three candidates' counts (1, 2, 1): d and b share rank 2
  near(row(2).slice(0, 6), [0, 0, 0, 0, 1, 0.5]);
  // anonymous user without history or context: CF by history, affinity NaN, hour NaN, no one-hots
  const anon: RequestContext = { user: -1, history: { items: new Int32Array(0), values: new Float32Array(0), times: null }, now };
  const y = fb.build(anon, cands);
  near(Array.from(y.subarray(4, 6)), [1, 0.5]);
  near(Array.from(y.subarray(10, fb.nCols)), [0, NaN, NaN, NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.throws(() => fb.build({ ...req, context: { weekday: 7 } }, cands), /context.weekday: got 7/);
  assert.throws(() => fb.build(req, { ...cands, items: Int32Array.of(99, 0, 1) }), /item index 99 out of range/);
});
