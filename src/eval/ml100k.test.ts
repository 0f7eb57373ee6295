import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedData, SKIP_NO_DATA } from '../../test/helpers/data.js';
import { loadTrainTest } from '../data/load.js';
import type { Dataset } from '../data/dataset.js';
import { BaseRecommender, type SavedParts } from '../models/base.js';
import type { ModelCapabilities, Params } from '../models/recommender.js';
import { DEFAULT_PROTOCOL } from './protocol.js';
import { evaluateModels } from './runner.js';
import { formatTable } from './report.js';

/** Popularity computed here: score = number of training rows of the item (top-K ties: smaller index). */
class Pop extends BaseRecommender<Params> {
  readonly capabilities: ModelCapabilities = { rating: false, similarItems: false, similarUsers: false };
  private counts: Float32Array = new Float32Array(0);
  protected train(data: Dataset): Record<string, never> {
    this.counts = new Float32Array(data.nItems);
    for (let k = 0; k < data.size; k++) this.counts[data.item[k]]++;
    return {};
  }
  scoreAll(_user: number, out: Float32Array): void {
    out.set(this.counts);
  }
  protected saveParts(): SavedParts {
    return { stateVersion: 1, meta: {}, arrays: { counts: this.counts } };
  }
  protected loadParts(p: SavedParts): void {
    this.counts = p.arrays.counts as Float32Array;
  }
}

const train = sharedData('ml-100k-split/train.tsv');
const testFile = sharedData('ml-100k-split/test.tsv');

// Peer harness figures (shared/peers.md): popularity P@10 = 0.1125, NDCG@10 = 0.1517 on this split.
test('ml-100k-split: popularity matches the peers harness (P@10, NDCG@10)', { skip: train && testFile ? false : SKIP_NO_DATA }, async () => {
  const { data, fold } = await loadTrainTest(train!, testFile!, { columns: ['user', 'item', 'rating', 'time'] });
  assert.equal(fold.trainRows.length, 44296);
  assert.equal(fold.testRows.length, 11033);
  const report = await evaluateModels({
    data,
    folds: [fold],
    protocol: { ...DEFAULT_PROTOCOL, split: { kind: 'predefined', train: 'train.tsv', test: 'test.tsv' }, implicit: true, k: [10], metrics: ['p@10', 'r@10', 'ndcg@10', 'map@10', 'coverage@10'] },
    models: [{ name: 'popularity', task: 'ranking', create: () => new Pop('popularity', {}) }],
    dataLabel: 'ml-100k-split',
  });
  const m = report.results[0].metrics;
  console.log(formatTable(report));
  assert.ok(Math.abs(m['precision@10'] - 0.1125) <= 0.003, `P@10 ${m['precision@10']}`);
  assert.ok(Math.abs(m['ndcg@10'] - 0.1517) <= 0.003, `NDCG@10 ${m['ndcg@10']}`);
  assert.equal(report.results[0].perUser, undefined);
  assert.equal(report.protocol.items, 1409 + 0); // every test item also appears in train
});
