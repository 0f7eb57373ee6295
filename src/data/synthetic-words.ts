import type { Rng } from '../core/rng.js';

/**
 * Word lists and text builders for the synthetic generator: readable item titles ("Crimson River
 * Lantern"), category names and short descriptions whose vocabulary depends on the category (so
 * content-based models have a real signal to find).
 */

const ADJECTIVES = [
  'Crimson', 'Silent', 'Golden', 'Hidden', 'Northern', 'Velvet', 'Amber', 'Wild', 'Quiet', 'Bright',
  'Electric', 'Frozen', 'Gentle', 'Hollow', 'Iron', 'Jade', 'Lucky', 'Midnight', 'Noble', 'Ancient',
  'Paper', 'Rapid', 'Scarlet', 'Silver', 'Tiny', 'Urban', 'Vivid', 'Wandering', 'Autumn', 'Blue',
  'Copper', 'Distant', 'Emerald', 'Fading', 'Glass', 'Humble', 'Indigo', 'Lunar', 'Misty', 'Open',
  'Painted', 'Royal', 'Solar', 'Stormy', 'Sunny', 'Twin', 'Violet', 'Winter', 'Young', 'Clever',
  'Brave', 'Cosmic', 'Dusty', 'Final', 'Grand', 'Honest', 'Lost', 'Modern', 'Old', 'Secret',
  'Swift', 'Broken', 'Cedar', 'Marble',
];

const NOUNS = [
  'River', 'Lantern', 'Harbor', 'Garden', 'Mountain', 'Falcon', 'Compass', 'Orchard', 'Signal', 'Thread',
  'Canyon', 'Meadow', 'Anchor', 'Beacon', 'Castle', 'Delta', 'Echo', 'Forest', 'Glacier', 'Horizon',
  'Island', 'Journey', 'Kettle', 'Ladder', 'Mirror', 'Needle', 'Ocean', 'Pepper', 'Quarry', 'Raven',
  'Saddle', 'Tower', 'Valley', 'Window', 'Willow', 'Bridge', 'Cabin', 'Dragon', 'Ember', 'Feather',
  'Gate', 'Hammer', 'Ivy', 'Jungle', 'Kite', 'Lotus', 'Maple', 'Nest', 'Pebble', 'Prairie',
  'Quill', 'Ribbon', 'Stone', 'Tide', 'Voyage', 'Wharf', 'Atlas', 'Bell', 'Clock', 'Dune',
  'Fjord', 'Grove', 'Hearth', 'Summit',
];

/** Category name and theme words used in its items' descriptions. */
const CATEGORIES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['Books', ['novel', 'chapters', 'author', 'story', 'pages', 'reading']],
  ['Music', ['album', 'melody', 'rhythm', 'vocals', 'tracks', 'guitar']],
  ['Movies', ['film', 'director', 'scenes', 'cast', 'screen', 'drama']],
  ['Games', ['levels', 'players', 'quest', 'puzzle', 'strategy', 'multiplayer']],
  ['Kitchen', ['cooking', 'recipes', 'pan', 'spices', 'baking', 'chef']],
  ['Garden', ['plants', 'soil', 'flowers', 'seeds', 'outdoor', 'watering']],
  ['Sports', ['training', 'fitness', 'team', 'running', 'gear', 'match']],
  ['Travel', ['luggage', 'journey', 'maps', 'adventure', 'packing', 'trips']],
  ['Toys', ['kids', 'play', 'colorful', 'building', 'imagination', 'family']],
  ['Beauty', ['skin', 'fragrance', 'care', 'natural', 'glow', 'routine']],
  ['Electronics', ['battery', 'wireless', 'screen', 'charging', 'device', 'smart']],
  ['Home', ['cozy', 'decor', 'living', 'cushions', 'lighting', 'interior']],
  ['Outdoors', ['camping', 'hiking', 'trail', 'tent', 'weatherproof', 'nature']],
  ['Art', ['canvas', 'paint', 'brushes', 'sketch', 'color', 'gallery']],
  ['Office', ['desk', 'notes', 'productivity', 'organizer', 'paper', 'meetings']],
  ['Pets', ['dogs', 'cats', 'treats', 'leash', 'grooming', 'playtime']],
  ['Fashion', ['cotton', 'style', 'jacket', 'fit', 'season', 'tailored']],
  ['Health', ['wellness', 'vitamins', 'sleep', 'balance', 'everyday', 'calm']],
  ['Science', ['experiments', 'lab', 'discovery', 'physics', 'curious', 'data']],
  ['History', ['empire', 'century', 'archives', 'battles', 'legacy', 'ancient']],
  ['Crafts', ['yarn', 'knitting', 'handmade', 'glue', 'patterns', 'sewing']],
  ['Automotive', ['engine', 'tires', 'road', 'maintenance', 'garage', 'driving']],
  ['Podcasts', ['episodes', 'interviews', 'hosts', 'listening', 'weekly', 'talk']],
  ['Food', ['organic', 'snacks', 'flavor', 'coffee', 'chocolate', 'fresh']],
];

const AUDIENCES = ['beginners', 'families', 'collectors', 'weekends', 'everyday use', 'gift giving', 'experts', 'quiet evenings'];
const QUALITIES = ['well made', 'surprisingly light', 'built to last', 'easy to love', 'a little quirky', 'beautifully simple'];

const ROMAN = ['', ' II', ' III', ' IV', ' V', ' VI', ' VII', ' VIII', ' IX', ' X'];

/** Names of `n` categories (the first 24 are plain words, then numbered variants). */
export function categoryNames(n: number): string[] {
  const out: string[] = [];
  for (let c = 0; c < n; c++) {
    const base = CATEGORIES[c % CATEGORIES.length][0];
    const round = Math.floor(c / CATEGORIES.length);
    out.push(round < ROMAN.length ? base + ROMAN[round] : `${base} ${round + 1}`);
  }
  return out;
}

export const SEGMENT_NAMES = ['casual', 'enthusiast', 'bargain-hunter', 'explorer', 'loyalist', 'trend-setter', 'collector', 'newcomer'];

/** Segment names for `n` segments. */
export function segmentNames(n: number): string[] {
  const out: string[] = [];
  for (let s = 0; s < n; s++) out.push(s < SEGMENT_NAMES.length ? SEGMENT_NAMES[s] : `segment-${s + 1}`);
  return out;
}

const pick = <T>(rng: Rng, arr: readonly T[]): T => arr[rng.int(arr.length)];

/** "Adjective Noun Noun" (two different nouns). */
export function makeTitle(rng: Rng): string {
  const a = pick(rng, ADJECTIVES);
  const n1 = rng.int(NOUNS.length);
  let n2 = rng.int(NOUNS.length - 1);
  if (n2 >= n1) n2++;
  return `${a} ${NOUNS[n1]} ${NOUNS[n2]}`;
}

/** A two-sentence description using the category's theme words. */
export function makeDescription(rng: Rng, title: string, category: number, categoryName: string): string {
  const theme = CATEGORIES[category % CATEGORIES.length][1];
  const w1 = rng.int(theme.length);
  let w2 = rng.int(theme.length - 1);
  if (w2 >= w1) w2++;
  return (
    `${title}: a ${pick(rng, QUALITIES)} pick from our ${categoryName} range, about ${theme[w1]} and ${theme[w2]}. ` +
    `Made for ${pick(rng, AUDIENCES)}.`
  );
}
