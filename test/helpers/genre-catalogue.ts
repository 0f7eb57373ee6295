/**
 * The small structured catalogue of the serving tests: 60 items in 3 genres (item i in GENRES[i % 3]),
 * 40 users each preferring one genre (about 85% of their 12 events in it; every 4th event a purchase).
 */
import { Rng } from '../../src/core/rng.js';
import type { EventInput, ItemInput, Store } from '../../src/store/types.js';

export const GENRES = ['drama', 'comedy', 'horror'];

/** The 60 items i0..i59 with title and genre. */
export function genreItems(): ItemInput[] {
  return Array.from({ length: 60 }, (_, i) => ({ id: `i${i}`, title: `Item ${i}`, categories: [GENRES[i % 3]] }));
}

/** The 480 events of users u0..u39 (Rng seed 7), timestamps from 1_700_000_000_000 ms. */
export function genreEvents(): EventInput[] {
  const rng = new Rng(7);
  const events: EventInput[] = [];
  for (let u = 0; u < 40; u++) {
    const g = u % 3;
    for (let k = 0; k < 12; k++) {
      const inGenre = rng.next() < 0.85;
      let item = Math.floor(rng.next() * 20) * 3 + (inGenre ? g : (g + 1 + Math.floor(rng.next() * 2)) % 3);
      if (item >= 60) item -= 3;
      events.push({ user: `u${u}`, item: `i${item}`, type: k % 4 === 0 ? 'purchase' : 'view', timestamp: 1_700_000_000_000 + u * 1000 + k });
    }
  }
  return events;
}

/** Upserts `items` (default genreItems()) and inserts genreEvents() into `store`. */
export async function seedGenres(store: Store, items: ItemInput[] = genreItems()): Promise<void> {
  await store.upsertItems(items);
  await store.insertEvents(genreEvents());
}
