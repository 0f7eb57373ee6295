import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AffinityError } from '../core/errors.js';
import { generateSynthetic } from '../data/synthetic.js';
import { defaultPipelineConfig, parsePipelineConfig, validatePipelineConfig, type PipelineConfig } from './config.js';
import { candidateScorer, Pipeline } from './pipeline.js';
import { loadPipeline, savePipeline } from './pipeline-io.js';

function errorOf(text: string): AffinityError {
  try {
    parsePipelineConfig(text, 'p.json');
  } catch (e) {
    assert.ok(e instanceof AffinityError);
    return e;
  }
  assert.fail('expected a configuration error');
}

test('config: every error names the JSON path and what was expected', () => {
  const e = errorOf('{"models":[],"candidates":[{"type":"popular","quota":5},{"type":"popular","quota":-1}]}');
  assert.equal(e.code, 'E_PARAM');
  assert.equal(e.message, 'p.json: /candidates/1/quota: expected a positive integer');
  assert.equal(e.field, '/candidates/1/quota');
  // several problems: one line each
  const m = errorOf('{"n":0,"models":[{"name":"als"}],"candidates":[{"type":"foo","quota":5}],"rerank":[{"type":"mmr","lambda":2}],"ranking":{"type":"gbdt-lambdamart","gbdt":{"nTree":5}}}').message.split('\n');
  assert.deepEqual(m.slice(0, 3), [
    'p.json: /n: expected a positive integer',
    'p.json: /models/0/model: expected a required property "model"',
    "p.json: /candidates/0/type: expected one of 'ann', 'item2item', 'model', 'popular', 'trending', 'new'",
  ]);
  assert.ok(m.some((l) => l.startsWith('p.json: /ranking/gbdt/nTree: expected no property "nTree"')), m.join('\n'));
  assert.ok(m.includes('p.json: /rerank/0/lambda: expected a number in [0, 1]'), m.join('\n'));
  // references between parts
  assert.equal(
    errorOf('{"models":[{"name":"als","model":"als"}],"candidates":[{"type":"ann","model":"bpr","quota":5}],"ranking":{"type":"model","model":"x"}}').message,
    'p.json: /candidates/0/model: expected one of the declared models ("als")\np.json: /ranking/model: expected one of the declared models ("als")',
  );
  assert.match(errorOf('{"models":[],"candidates":[{"type":"popular","quota":1},{"type":"popular","quota":2}]}').message, /\/candidates\/1\/name: expected a source name not used before/);
  // JSON syntax: E_PARSE with the line
  const p = errorOf('{"models":[],\n"candidates":[}');
  assert.equal(p.code, 'E_PARSE');
  assert.match(p.message, /^p\.json:2: invalid JSON/);
});

test('config: the documented default pipeline', () => {
  const c = defaultPipelineConfig();
  assert.equal(c.n, 10);
  assert.deepEqual(c.models.map((m) => m.model), ['als', 'item-knn']);
  assert.deepEqual(c.candidates.map((s) => s.type), ['ann', 'item2item', 'popular', 'new']);
  assert.equal(c.ranking.type, 'gbdt-lambdamart');
  assert.deepEqual(c.rerank, [
    { type: 'mmr', lambda: 0.8 },
    { type: 'cap', by: 'category', max: 3 },
    { type: 'explore', slots: 1, strategy: 'epsilon', epsilon: 0.1 },
  ]);
  assert.equal(c.explanations, true);
  // defaults are filled
  const d = validatePipelineConfig({ models: [], candidates: [{ type: 'popular', quota: 3 }] });
  assert.deepEqual({ n: d.n, ranking: d.ranking, rerank: d.rerank, explanations: d.explanations }, { n: 10, ranking: { type: 'none' }, rerank: [], explanations: true });
});

const data = generateSynthetic({ users: 120, items: 150, interactions: 3000, seed: 5, categories: 8, text: false });
const small: PipelineConfig = validatePipelineConfig({
  n: 10,
  seed: 7,
  models: [
    { name: 'als', model: 'als', params: { factors: 8, iterations: 5, threads: 1 } },
    { name: 'knn', model: 'item-knn', params: { k: 20 } },
  ],
  candidates: [
    { type: 'ann', model: 'als', quota: 30, ann: { backend: 'exact' } },
    { type: 'item2item', model: 'knn', quota: 20 },
    { type: 'popular', quota: 10 },
    { type: 'new', quota: 5, maxAgeDays: 60 },
  ],
  ranking: { type: 'gbdt-lambdamart', holdoutFraction: 0.2, gbdt: { nTrees: 15, maxLeaves: 7 } },
  rerank: [
    { type: 'mmr', lambda: 0.8 },
    { type: 'cap', by: 'category', max: 3 },
    { type: 'explore', slots: 1, strategy: 'epsilon', epsilon: 0.5 },
  ],
});
const built = Pipeline.build(small, data);

test('pipeline: n unique unseen items with sources and explanations; caps hold; anonymous histories', async () => {
  const p = await built;
  assert.equal(p.fine?.kind, 'gbdt');
  const names = new Set(['als-ann', 'item2item', 'popular', 'new', 'explore']);
  let explored = 0;
  for (const u of [0, 3, 17, 60, 119]) {
    const req = p.request(u);
    const r = p.recommend(req, 10);
    assert.equal(r.items.length, 10);
    assert.equal(new Set(r.items).size, 10);
    const seen = new Set(req.history.items);
    assert.ok(req.history.items.length > 0);
    for (const i of r.items) assert.ok(!seen.has(i), `user ${u}: seen item ${i} recommended`);
    assert.equal(r.sources.length, 10);
    assert.equal(r.explanations.length, 10);
    r.sources.forEach((s, k) => {
      assert.ok(names.has(s), `source ${s}`);
      assert.ok(r.explanations[k].length > 0);
      if (s === 'explore') {
        explored++;
        assert.equal(r.explanations[k], 'Exploring something different');
      }
      const m = /^Because you watched (.*)$/.exec(r.explanations[k]);
      if (m) assert.ok([...seen].some((i) => p.catalog.title(i) === m[1]), `anchor ${m[1]} is not in the history`);
    });
  }
  assert.ok(explored > 0, 'the exploration slot was never used at epsilon 0.5');
  // without exploration, at most 3 items per category among the 10
  const capped = new Pipeline({ config: { ...small, rerank: small.rerank.slice(0, 2) }, data: p.data, models: new Map(p.models), sources: p.sources.slice(), catalog: p.catalog, fine: p.fine, coarse: p.coarse });
  for (const u of [1, 2, 50]) {
    const r = capped.recommend(capped.request(u), 10);
    const count = new Map<number, number>();
    for (const i of r.items) for (const c of p.catalog.categoriesOf(i)) count.set(c, (count.get(c) ?? 0) + 1);
    for (const [c, k] of count) assert.ok(k <= 3, `user ${u}: ${k} items of category ${c}`);
  }
  // an anonymous user known by a history
  const h = Int32Array.of(4, 9, 22, 40);
  const a = p.recommend(p.historyRequest(h, new Float32Array(4).fill(1)), 10);
  assert.equal(a.items.length, 10);
  for (const i of a.items) assert.ok(!h.includes(i));
  // nothing known at all: popular and new items
  const cold = p.recommend(p.request(-1), 10);
  assert.equal(cold.items.length, 10);
  for (const s of cold.sources) assert.ok(['popular', 'new', 'explore'].includes(s), s);
  // deterministic
  assert.deepEqual(p.recommend(p.request(3), 10), p.recommend(p.request(3), 10));
});

test('pipeline: save -> load gives the same results', async () => {
  const p = await built;
  const dir = mkdtempSync(join(tmpdir(), 'affinity-pipeline-'));
  try {
    const path = join(dir, 'p.affm');
    savePipeline(p, path);
    const q = loadPipeline(path);
    assert.deepEqual(q.config, p.config);
    for (const u of [0, 5, 77, -1]) assert.deepEqual(q.recommend(q.request(u), 10), p.recommend(p.request(u), 10), `user ${u}`);
    const h = Int32Array.of(1, 2, 3);
    const v = new Float32Array(3).fill(1);
    assert.deepEqual(q.recommend(q.historyRequest(h, v), 7), p.recommend(p.historyRequest(h, v), 7));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pipeline: presentation rows and group recommendations', async () => {
  const p = await built;
  const req = p.request(4);
  const rows = p.rows(req, { perRow: 5 });
  assert.equal(rows[0].kind, 'top');
  assert.deepEqual([...rows[0].items], [...p.recommend(req, 5).items]);
  const kinds = rows.map((r) => r.kind);
  assert.ok(kinds.includes('because') && kinds.includes('trending') && kinds.includes('new'), kinds.join(','));
  const all = rows.flatMap((r) => [...r.items]);
  assert.equal(new Set(all).size, all.length, 'an item appears in two rows');
  const seen = new Set(req.history.items);
  for (const i of all) assert.ok(!seen.has(i));
  for (const r of rows.filter((x) => x.kind === 'because')) {
    assert.ok(seen.has(r.anchor));
    assert.equal(r.title, `Because you watched ${p.catalog.title(r.anchor)}`);
  }
  // groups: every strategy gives n unique items none of the members has seen
  const members = [p.request(1), p.request(2), p.request(3)];
  const seenAny = new Set(members.flatMap((m) => [...m.history.items]));
  for (const s of ['average', 'least-misery', 'most-pleasure', 'fair'] as const) {
    const g = p.group(members, s);
    assert.equal(g.items.length, 10);
    assert.equal(new Set(g.items).size, 10);
    for (const i of g.items) assert.ok(!seenAny.has(i), `${s}: seen item ${i}`);
    assert.equal(g.satisfaction.length, 3);
  }
});

test('pipeline: the ALS feature scorer equals ALS scoreItems on the candidates', async () => {
  const p = await built;
  const als = p.models.get('als');
  assert.ok(als);
  const fast = candidateScorer(als);
  assert.notEqual(fast, als);
  const items = [0, 5, 17, 99, 140];
  for (const u of [0, 10, 119, -1]) {
    const a = fast.scoreItems(u, items);
    const b = als.scoreItems(u, items);
    items.forEach((_, k) => assert.ok(Math.abs(a[k] - b[k]) <= 1e-5 * (1 + Math.abs(b[k])), `user ${u}: ${a[k]} vs ${b[k]}`));
  }
});
