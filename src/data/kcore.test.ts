import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dataset } from './dataset.js';
import { readFileSync } from 'node:fs';
import { kCore } from './kcore.js';
import { sharedData, SKIP_NO_DATA } from '../../test/helpers/data.js';

const pairs = (d: Dataset): string[] =>
  Array.from(d.user, (u, k) => `${d.users.id(u)}-${d.items.id(d.item[k])}`);

test('kCore drops users and items iteratively until stable', () => {
  // a, b, c each rate x, y; c also rates z; d rates only z and w; e rates only x.
  // 2-core: pass 1 drops e (1 row) and w (1 row) -> d has 1 row (z) -> drop d -> z has 1 row (c) -> drop.
  const d = Dataset.fromTriples([
    ['a', 'x', 5], ['a', 'y', 4],
    ['b', 'x', 3], ['b', 'y', 2],
    ['c', 'x', 1], ['c', 'y', 5], ['c', 'z', 4],
    ['d', 'z', 3], ['d', 'w', 2],
    ['e', 'x', 1],
  ]);
  const core = kCore(d, 2, 2);
  assert.deepEqual(pairs(core), ['a-x', 'a-y', 'b-x', 'b-y', 'c-x', 'c-y']);
  assert.equal(core.users, d.users); // id maps kept
  assert.equal(core.nUsers, 5);
  assert.deepEqual([...core.userCounts()], [2, 2, 2, 0, 0]);
  assert.deepEqual([...core.value], [5, 4, 3, 2, 1, 5]);
  // items need 3 rows: x (a, b, c, e) and y (a, b, c) stay; z and w go, so d has no rows left; e keeps x.
  assert.deepEqual(pairs(kCore(d, 1, 3)), ['a-x', 'a-y', 'b-x', 'b-y', 'c-x', 'c-y', 'e-x']);
  // nothing to drop returns the same dataset
  assert.equal(kCore(d, 1, 1), d);
  // a 3-core of this data is empty
  assert.equal(kCore(d, 3, 3).size, 0);
  assert.throws(() => kCore(d, -1, 2), /minUser: got -1/);
});

const udata = sharedData('ml-100k/u.data');
test('kCore on MovieLens 100K matches an independent computation', { skip: udata ? false : SKIP_NO_DATA }, () => {
  const rows = readFileSync(udata!, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => l.split('\t'))
    .map((f) => [f[0], f[1], Number(f[2])] as const);
  const d = Dataset.fromTriples(rows);
  // reference figures from a separate Python implementation of the same fixed point
  for (const [mu, mi, n, nu, ni] of [[10, 10, 97953, 943, 1152], [50, 50, 69222, 513, 560], [100, 20, 65874, 335, 836]]) {
    const c = kCore(d, mu, mi);
    assert.equal(c.size, n);
    assert.equal(c.userCounts().filter((x) => x > 0).length, nu);
    assert.equal(c.itemCounts().filter((x) => x > 0).length, ni);
    assert.ok(c.userCounts().every((x) => x === 0 || x >= mu));
    assert.ok(c.itemCounts().every((x) => x === 0 || x >= mi));
  }
});
