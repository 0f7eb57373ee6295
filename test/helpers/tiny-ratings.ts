import { Dataset } from '../../src/data/dataset.js';

/**
 * 3 users x 3 items with ratings on [1, 5], mu = 18 / 6 = 3 (the hand-computed example of the
 * baseline tests): A: x 5, y 3; B: x 4, z 1; C: y 2, z 3.
 */
export function tinyRatings(): Dataset {
  return Dataset.fromTriples(
    [
      ['A', 'x', 5],
      ['A', 'y', 3],
      ['B', 'x', 4],
      ['B', 'z', 1],
      ['C', 'y', 2],
      ['C', 'z', 3],
    ],
    { ratingScale: [1, 5] },
  );
}
