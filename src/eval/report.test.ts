import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PROTOCOL } from './protocol.js';
import type { EvaluationReport } from './protocol.js';
import { formatTable, toJson } from './report.js';

const report: EvaluationReport = {
  protocol: { ...DEFAULT_PROTOCOL, split: { kind: 'kfold', k: 2 }, metrics: ['rmse', 'ndcg@10'], data: 'ml-100k', trainRows: 80, testRows: 20, users: 5, items: 9, folds: 2 },
  results: [
    {
      model: 'svd',
      params: { factors: 10 },
      metrics: { rmse: 0.93441, 'ndcg@10': 0.2 },
      std: { rmse: 0.0064, 'ndcg@10': 0.01 },
      fitSeconds: 0.8612,
      predictSeconds: 0.0123,
      folds: [
        { metrics: { rmse: 0.93, 'ndcg@10': 0.19 }, fitSeconds: 0.8, predictSeconds: 0.01 },
        { metrics: { rmse: 0.94, 'ndcg@10': 0.21 }, fitSeconds: 0.9, predictSeconds: 0.01 },
      ],
    },
    { model: 'popularity', params: {}, metrics: { 'ndcg@10': NaN }, std: {}, fitSeconds: 12.34, predictSeconds: 0.5 },
  ],
};

test('formatTable: protocol lines, aligned columns, mean ± std, missing values as -', () => {
  const t = formatTable(report);
  const lines = t.split('\n');
  assert.equal(lines[0], 'data ml-100k (80 train, 20 test rows, 5 users, 9 items); split 2-fold; seed 42');
  assert.equal(lines[1], 'full ranking over train items, seen excluded; relevant: every test row');
  assert.equal(lines[2], '');
  assert.equal(lines[3], 'model                  rmse          ndcg@10  fit s  predict s');
  assert.equal(lines[4], '----------  ---------------  ---------------  -----  ---------');
  assert.equal(lines[5], 'svd         0.9344 ± 0.0064  0.2000 ± 0.0100  0.861      0.012');
  assert.equal(lines[6], 'popularity                -                -   12.3      0.500');
});

test('toJson keeps the report shape and writes NaN as null', () => {
  const back = JSON.parse(toJson(report)) as EvaluationReport;
  assert.equal(back.results[0].metrics.rmse, 0.93441);
  assert.equal(back.results[1].metrics['ndcg@10'], null);
  assert.equal(back.protocol.data, 'ml-100k');
  assert.deepEqual(back.results[0].folds![1].metrics, { rmse: 0.94, 'ndcg@10': 0.21 });
});
