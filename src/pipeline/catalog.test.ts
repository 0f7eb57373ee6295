import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dirname } from 'node:path';
import { IdMap } from '../core/idmap.js';
import { Dataset } from '../data/dataset.js';
import type { FeatureTable } from '../data/features.js';
import { loadMovieLensDir } from '../data/side.js';
import { SKIP_NO_DATA, sharedData } from '../../test/helpers/data.js';
import { ItemCatalog, MemoryItemStats } from './catalog.js';
import { MmrReranker, intraListDiversity } from './rerank/index.js';

const DAY = 86_400;

test('catalog from a dataset and its item table', () => {
  const d = Dataset.fromTriples([
    ['u1', 'x', 5, 10 * DAY],
    ['u2', 'x', 3, 3 * DAY],
    ['u1', 'y', 4, 9 * DAY],
    ['u2', 'z', 4, 2 * DAY],
  ]);
  const table: FeatureTable = {
    ids: new IdMap(['z', 'y', 'x']),
    columns: [
      { kind: 'text', name: 'title', values: ['Zed', 'Why', 'Ex'] },
      { kind: 'multi', name: 'genres', indptr: Int32Array.from([0, 1, 3, 3]), codes: Int32Array.from([1, 0, 1]), vocab: ['Rock', 'Jazz'] },
      { kind: 'categorical', name: 'artist', codes: Int32Array.from([0, 0, -1]), vocab: ['Miles'] },
      { kind: 'numeric', name: 'price', values: Float64Array.from([1.5, 2, NaN]) },
      { kind: 'numeric', name: 'outOfStock', values: Float64Array.from([0, 1, 0]) },
    ],
  };
  const c = ItemCatalog.fromDataset(d.withFeatures({ itemFeatures: table }), { now: 10 * DAY, trendingHalfLifeDays: 1 });
  const x = d.items.get('x');
  const y = d.items.get('y');
  const z = d.items.get('z');
  assert.deepEqual([c.title(x), c.title(y), c.title(z)], ['Ex', 'Why', 'Zed']);
  assert.deepEqual(Array.from(c.categoriesOf(y)), [0, 1]);
  assert.equal(c.firstCategoryName(z), 'Jazz');
  assert.equal(c.groupNames[c.group[y]], 'Miles');
  assert.equal(c.group[x], -1);
  assert.deepEqual([c.popularity[x], c.popularity[y]], [2, 1]);
  assert.deepEqual([c.firstSeen[x], c.firstSeen[z]], [3 * DAY, 2 * DAY]);
  assert.ok(Math.abs(c.trending[x] - (1 + Math.pow(2, -7))) < 1e-6);
  assert.ok(Math.abs(c.trending[y] - 0.5) < 1e-6);
  assert.equal(c.ageDays(x, 10 * DAY), 7);
  assert.deepEqual([c.outOfStock[y], c.outOfStock[x]], [1, 0]);
  assert.equal(c.numeric.get('price')?.[z], 1.5);
  assert.ok(Math.abs(c.novelty(x) - 1) < 1e-12); // -log2(2/4)
});

test('item stats', () => {
  const s = new MemoryItemStats(2);
  s.recordImpression(1, 5, 3);
  s.recordClick(1, 5);
  s.recordImpression(2, 5);
  assert.deepEqual([s.impressions(5), s.clicks(5), s.userImpressions(1, 5), s.userImpressions(2, 5), s.totalImpressions(), s.impressions(9)], [4, 1, 3, 1, 4, 0]);
});

const dir = sharedData('ml-100k/u.data');
test('ML-100K catalogue: genres, titles, years; MMR raises diversity of a popularity list', { skip: dir ? false : SKIP_NO_DATA }, async () => {
  const { dataset } = await loadMovieLensDir(dirname(dir as string));
  const c = ItemCatalog.fromDataset(dataset);
  const toy = dataset.items.get('1');
  assert.equal(c.title(toy), 'Toy Story (1995)');
  assert.equal(c.year[toy], 1995);
  assert.deepEqual(Array.from(c.categoriesOf(toy), (k) => c.categoryNames[k]).sort(), ['Animation', "Children's", 'Comedy']);
  assert.equal(c.popularity[dataset.items.get('50')], 583); // Star Wars, the most rated
  // top-100 by popularity, re-ranked with MMR lambda 0.5: diversity of the first 10 goes up
  const order = Array.from({ length: c.nItems }, (_, i) => i).sort((a, b) => c.popularity[b] - c.popularity[a] || a - b).slice(0, 100);
  const list = { items: Int32Array.from(order), scores: Float32Array.from(order, (i) => c.popularity[i]), source: new Uint8Array(100), sourceNames: ['popular'] };
  const req = { user: -1, history: { items: new Int32Array(0), values: new Float32Array(0), times: null }, now: 893286638 };
  const before = intraListDiversity(c, list.items, 10);
  const after = intraListDiversity(c, new MmrReranker({ lambda: 0.5 }).apply(list, req, { catalog: c }).items, 10);
  assert.ok(after > before + 0.05, `${before} -> ${after}`);
});
