import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dataset } from './dataset.js';
import { kCore } from './kcore.js';

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
