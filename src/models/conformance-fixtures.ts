import { IdMap } from '../core/idmap.js';
import { Rng } from '../core/rng.js';
import { Dataset } from '../data/dataset.js';
import type { FeatureTable } from '../data/features.js';

/**
 * Small fixed datasets of the model conformance suite (see conformance.ts). Both are seeded and
 * built on typed arrays; each has one extra user ('u-cold') and one extra item ('i-cold') that are
 * known to the id maps but have no rows, so every model meets the cold-start case.
 */
export interface Fixture {
  data: Dataset;
  /** Index of the user without rows. */
  coldUser: number;
  /** Index of the item without rows. */
  coldItem: number;
}

const T0 = 1_000_000_000;
const DAY = 86_400;

function idMap(prefix: string, n: number, cold: string): IdMap {
  const m = new IdMap();
  for (let k = 0; k < n; k++) m.add(`${prefix}${k}`);
  m.add(cold);
  return m;
}

/**
 * Explicit ratings 1..5: 50 users x 40 items (+ the cold pair), 8..17 ratings per user, drawn from
 * a 2-factor model with user and item biases and noise; every item (but the cold one) has a rating.
 * Timestamps are spread over 100 days from 2001-09-09.
 */
export function explicitFixture(seed = 7): Fixture {
  const nU = 50;
  const nI = 40;
  const rng = new Rng(seed);
  const bu = new Float64Array(nU);
  const bi = new Float64Array(nI);
  const pu = new Float64Array(nU * 2);
  const qi = new Float64Array(nI * 2);
  for (let u = 0; u < nU; u++) {
    bu[u] = 0.4 * rng.normal();
    pu[2 * u] = 0.8 * rng.normal();
    pu[2 * u + 1] = 0.8 * rng.normal();
  }
  for (let i = 0; i < nI; i++) {
    bi[i] = 0.5 * rng.normal();
    qi[2 * i] = 0.8 * rng.normal();
    qi[2 * i + 1] = 0.8 * rng.normal();
  }
  const rated = new Uint8Array(nU * nI);
  for (let u = 0; u < nU; u++) {
    const k = 8 + rng.int(10);
    const perm = rng.permutation(nI);
    for (let t = 0; t < k; t++) rated[u * nI + perm[t]] = 1;
  }
  for (let i = 0; i < nI; i++) {
    let any = false;
    for (let u = 0; u < nU && !any; u++) any = rated[u * nI + i] === 1;
    if (!any) rated[(i % nU) * nI + i] = 1;
  }
  const users: number[] = [];
  const items: number[] = [];
  for (let u = 0; u < nU; u++) {
    for (let i = 0; i < nI; i++) {
      if (rated[u * nI + i]) {
        users.push(u);
        items.push(i);
      }
    }
  }
  const n = users.length;
  const value = new Float32Array(n);
  const time = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const u = users[k];
    const i = items[k];
    const r = 3.5 + bu[u] + bi[i] + pu[2 * u] * qi[2 * i] + pu[2 * u + 1] * qi[2 * i + 1] + 0.3 * rng.normal();
    value[k] = Math.min(5, Math.max(1, Math.round(r)));
    time[k] = T0 + rng.int(100 * DAY);
  }
  const data = new Dataset({
    users: idMap('u', nU, 'u-cold'),
    items: idMap('i', nI, 'i-cold'),
    user: Int32Array.from(users),
    item: Int32Array.from(items),
    value,
    time,
    kind: 'explicit',
    ratingScale: [1, 5],
    source: `explicit fixture (seed ${seed})`,
  });
  return { data, coldUser: nU, coldItem: nI };
}

/**
 * Implicit "checkerboard": 40 users x 30 items (+ the cold pair); users 0..19 interact with 9 of
 * the 15 even items, users 20..39 with 9 of the 15 odd items (value 1, timestamps over 30 days).
 * A model that learns co-occurrence ranks a user's own-parity items first.
 */
export function checkerboardFixture(seed = 11): Fixture {
  const nU = 40;
  const nI = 30;
  const perUser = 9;
  const rng = new Rng(seed);
  const users: number[] = [];
  const items: number[] = [];
  for (let u = 0; u < nU; u++) {
    const parity = u < nU / 2 ? 0 : 1;
    const perm = rng.permutation(nI / 2);
    const chosen = Array.from(perm.subarray(0, perUser), (j) => 2 * j + parity).sort((a, b) => a - b);
    for (const i of chosen) {
      users.push(u);
      items.push(i);
    }
  }
  const n = users.length;
  const time = new Float64Array(n);
  for (let k = 0; k < n; k++) time[k] = T0 + rng.int(30 * DAY);
  const data = new Dataset({
    users: idMap('u', nU, 'u-cold'),
    items: idMap('i', nI, 'i-cold'),
    user: Int32Array.from(users),
    item: Int32Array.from(items),
    value: new Float32Array(n).fill(1),
    time,
    kind: 'implicit',
    source: `checkerboard fixture (seed ${seed})`,
  });
  return { data, coldUser: nU, coldItem: nI };
}

/** Parity group of a checkerboard user (0 = even items, 1 = odd items). */
export function checkerboardParity(user: number): number {
  return user < 20 ? 0 : 1;
}

const WORDS = ['red', 'green', 'blue', 'quick', 'slow', 'bright', 'dark', 'river', 'stone', 'song', 'night', 'story'];

/**
 * A synthetic item feature table for the fixtures (every item, the cold one included): categorical
 * 'group' = item index parity (the checkerboard's structure), multi-valued 'tags' (index mod 3 and
 * mod 5), numeric 'size' and a text 'title' of seeded words. For content and hybrid models.
 */
export function syntheticItemFeatures(data: Dataset, seed = 5): FeatureTable {
  const n = data.nItems;
  const rng = new Rng(seed);
  const group = new Int32Array(n);
  const indptr = new Int32Array(n + 1);
  const codes = new Int32Array(2 * n);
  const size = new Float64Array(n);
  const title: string[] = [];
  for (let i = 0; i < n; i++) {
    group[i] = i % 2;
    codes[2 * i] = i % 3;
    codes[2 * i + 1] = 3 + (i % 5);
    indptr[i + 1] = 2 * i + 2;
    size[i] = (i * 7) % 11;
    title.push(`${WORDS[rng.int(WORDS.length)]} ${WORDS[rng.int(WORDS.length)]} ${i % 2 === 0 ? 'even' : 'odd'}`);
  }
  return {
    ids: data.items.clone(),
    columns: [
      { kind: 'categorical', name: 'group', codes: group, vocab: ['even', 'odd'] },
      { kind: 'multi', name: 'tags', indptr, codes, vocab: ['m3-0', 'm3-1', 'm3-2', 'm5-0', 'm5-1', 'm5-2', 'm5-3', 'm5-4'] },
      { kind: 'numeric', name: 'size', values: size },
      { kind: 'text', name: 'title', values: title },
    ],
  };
}

/** The fixture's data with `syntheticItemFeatures` attached. */
export function withSyntheticItemFeatures(data: Dataset): Dataset {
  return data.withFeatures({ itemFeatures: syntheticItemFeatures(data) });
}
