import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSynthetic } from '../../data/synthetic.js';
import { modelConformance } from '../conformance.js';
import { createModel } from '../registry.js';
import { PipelineModel } from './pipeline-model.js';

// A small pipeline (exact ANN so that results do not depend on a native library's graph build).
const dir = mkdtempSync(join(tmpdir(), 'affinity-pipeline-model-'));
const config = join(dir, 'pipeline.json');
writeFileSync(
  config,
  JSON.stringify({
    n: 10,
    seed: 3,
    models: [
      { name: 'als', model: 'als', params: { factors: 8, iterations: 6, threads: 1 } },
      { name: 'knn', model: 'item-knn', params: { k: 10 } },
    ],
    candidates: [
      { type: 'ann', model: 'als', quota: 12, ann: { backend: 'exact' } },
      { type: 'item2item', model: 'knn', quota: 8 },
      { type: 'popular', quota: 5 },
    ],
    ranking: { type: 'gbdt-lambdamart', holdoutFraction: 0.25, gbdt: { nTrees: 10, maxLeaves: 7, minSamplesLeaf: 5 } },
    rerank: [{ type: 'mmr', lambda: 0.8 }, { type: 'explore', slots: 1, strategy: 'epsilon', epsilon: 0.2 }],
  }),
);

modelConformance('pipeline', () => createModel('pipeline', { config }));

test('pipeline model: recommend is the pipeline list, then popularity; scores agree with scoreAll', async () => {
  const data = generateSynthetic({ users: 80, items: 100, interactions: 1600, seed: 11, categories: 6, text: false });
  const m = createModel('pipeline', { config }) as PipelineModel;
  await m.fit(data);
  for (const u of [0, 9, 40]) {
    const req = m.pipeline.request(u);
    const direct = m.pipeline.recommend(req, 10);
    const r = m.recommend(u, { n: 10 });
    assert.deepEqual([...r.items], [...direct.items]);
    assert.deepEqual([...r.scores], Array.from({ length: 10 }, (_, k) => Math.fround(2 - k / 25)));
    // asking for more than the 25 candidates: the rest by popularity, never a seen item
    const all = m.recommend(u, { n: 60 });
    assert.equal(all.items.length, 60);
    assert.deepEqual([...all.items.subarray(0, 10)], [...r.items]);
    for (let k = 25; k < 60; k++) assert.ok(all.scores[k] < 1 && all.scores[k] > 0);
    const seen = new Set(req.history.items);
    for (const i of all.items) assert.ok(!seen.has(i));
    const s = new Float32Array(m.nItems);
    m.scoreAll(u, s);
    all.items.forEach((i, k) => assert.equal(s[i], all.scores[k]));
  }
});
