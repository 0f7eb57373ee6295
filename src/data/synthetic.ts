import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import type { Writable } from 'node:stream';
import { AffinityError, paramError } from '../core/errors.js';
import { IdMap } from '../core/idmap.js';
import { Rng } from '../core/rng.js';
import { Dataset, type FeedbackKind } from './dataset.js';
import type { FeatureTable } from './features.js';
import { AliasTable, dot, ItemSampler, userActivity } from './synthetic-sampler.js';
import { categoryNames, makeDescription, makeTitle, segmentNames } from './synthetic-words.js';

/**
 * Synthetic interaction data with a known latent-factor ground truth, for tests and benchmarks.
 *
 * Model: user and item vectors have f components each ~ N(0, variance 1/sqrt(f)), so an affinity
 * a(u,i) = p_u . q_i has variance about 1. Item i's vector is sqrt(rho) * centroid(category i) +
 * sqrt(1-rho) * noise, so items of one category are alike. Item popularity follows a power law over
 * a random ranking, pop(rank r) ∝ (r + 10)^-exponent. User u's chance to pick item i is
 * ∝ pop(i) * exp(strength * a(u,i)); u's n_u distinct items are drawn by sampling-importance-resampling
 * (see ItemSampler): oversample * n_u + 16 candidates from a proposal that already holds the category
 * part of the affinity, weighted by target/proposal, then n_u of them chosen without replacement ∝ weight.
 * This approximates exact sampling in O(rows * oversample * f) time; a larger `oversample` is closer.
 * User activity is heavy-tailed (Lomax, shape 1.5) between `minPerUser` and `maxPerUser`, scaled so
 * that the row count is exactly `interactions`.
 * Items are released in id order over the first 80% of the period; an interaction happens after
 * both the item's release and the user's arrival. Explicit ratings are round(2.5 + a + 0.6 noise)
 * clamped to 1..5; implicit counts are 1 + floor(Exp(1) * 0.6 exp(a / 2)).
 */
export interface SyntheticOptions {
  users: number;
  items: number;
  /** Exact number of distinct (user, item) rows. */
  interactions: number;
  /** Latent factors of the ground truth (default 16). */
  factors?: number;
  /** Number of item categories (default 20). */
  categories?: number;
  /** Power-law exponent of item popularity (default 0.9). */
  popularityExponent?: number;
  /** Multiplies the affinity inside exp() (default 1; 0 = popularity only). */
  affinityStrength?: number;
  /** Share of an item vector's variance that comes from its category centroid, 0..1 (default 0.5). */
  categoryStrength?: number;
  /** Minimum rows per user (default 5, lowered to interactions/users when that is smaller). */
  minPerUser?: number;
  /** Maximum rows per user (default max(1000, 20 x the mean), never above items / 2). */
  maxPerUser?: number;
  /** 'implicit' (counts, default) or 'explicit' (ratings 1..5). */
  kind?: FeedbackKind;
  /** Number of user segments (default 4). */
  segments?: number;
  /** First timestamp, unix seconds (default 1,600,000,000). */
  start?: number;
  /** Length of the period in days (default 365). */
  periodDays?: number;
  /** Candidate draws per row in the sampler (default 4); larger is closer to exact sampling, and slower. */
  oversample?: number;
  /** Generate titles and descriptions (default true). */
  text?: boolean;
  seed?: number;
}

/** The hidden parameters the data was drawn from. */
export interface SyntheticTruth {
  factors: number;
  /** users x factors, row-major. */
  userFactors: Float32Array;
  /** items x factors, row-major. */
  itemFactors: Float32Array;
  /** Popularity probabilities (sum 1), per item index. */
  popularity: Float64Array;
  itemCategory: Int32Array;
  userSegment: Int32Array;
}

export function generateSynthetic(opts: SyntheticOptions): Dataset {
  return generateSyntheticWithTruth(opts).data;
}

export function generateSyntheticWithTruth(opts: SyntheticOptions): { data: Dataset; truth: SyntheticTruth } {
  const nU = posInt('users', opts.users);
  const nI = posInt('items', opts.items);
  const N = posInt('interactions', opts.interactions);
  const f = posInt('factors', opts.factors ?? 16);
  const nC = posInt('categories', opts.categories ?? 20);
  const nS = posInt('segments', opts.segments ?? 4);
  const expo = nonNeg('popularityExponent', opts.popularityExponent ?? 0.9);
  const strength = nonNeg('affinityStrength', opts.affinityStrength ?? 1);
  const rho = opts.categoryStrength ?? 0.5;
  if (!(rho >= 0 && rho <= 1)) throw paramError('categoryStrength', rho, 'a number in 0..1');
  const over = nonNeg('oversample', opts.oversample ?? 4);
  const kind = opts.kind ?? 'implicit';
  if (kind !== 'implicit' && kind !== 'explicit') throw paramError('kind', kind, "'implicit' or 'explicit'");
  const start = opts.start ?? 1_600_000_000;
  const period = nonNeg('periodDays', opts.periodDays ?? 365) * 86400;
  const cap = Math.max(1, Math.floor(nI / 2));
  const maxPer = Math.min(cap, posInt('maxPerUser', opts.maxPerUser ?? Math.max(1000, Math.round((20 * N) / nU))));
  if (N > nU * maxPer) throw paramError('interactions', N, `at most users x maxPerUser (at most items / 2) = ${nU * maxPer}`);
  const minPer = Math.min(posInt('minPerUser', opts.minPerUser ?? 5), Math.floor(N / nU), maxPer);

  const rng = new Rng(opts.seed ?? 0);
  const rngVec = rng.fork();
  const rngAct = rng.fork();
  const rngSample = rng.fork();
  const rngRow = rng.fork();
  const rngText = rng.fork();

  // --- ground truth: category centroids, item and user vectors, segments
  const sd = Math.pow(f, -0.25); // variance 1/sqrt(f)
  const centroids = new Float32Array(nC * f);
  for (let k = 0; k < centroids.length; k++) centroids[k] = sd * rngVec.normal();
  const catWeights = new Float64Array(nC);
  for (let c = 0; c < nC; c++) catWeights[c] = 1 / Math.sqrt(c + 2);
  const catAlias = new AliasTable(catWeights);
  const itemCategory = new Int32Array(nI);
  const Q = new Float32Array(nI * f);
  const a1 = Math.sqrt(rho);
  const a2 = Math.sqrt(1 - rho);
  for (let i = 0; i < nI; i++) {
    const c = catAlias.sample(rngVec);
    itemCategory[i] = c;
    for (let k = 0; k < f; k++) Q[i * f + k] = a1 * centroids[c * f + k] + a2 * sd * rngVec.normal();
  }
  const P = new Float32Array(nU * f);
  for (let k = 0; k < P.length; k++) P[k] = sd * rngVec.normal();
  const protos = new Float32Array(nS * f);
  for (let k = 0; k < protos.length; k++) protos[k] = rngVec.normal();
  const userSegment = new Int32Array(nU);
  for (let u = 0; u < nU; u++) {
    let best = 0;
    let bestV = -Infinity;
    for (let s = 0; s < nS; s++) {
      const v = dot(P, u * f, protos, s * f, f);
      if (v > bestV) {
        bestV = v;
        best = s;
      }
    }
    userSegment[u] = best;
  }

  // --- popularity (power law over a random ranking)
  const rankOf = rngVec.permutation(nI);
  const pop = new Float64Array(nI);
  let popSum = 0;
  for (let i = 0; i < nI; i++) popSum += pop[i] = Math.pow(rankOf[i] + 10, -expo);
  for (let i = 0; i < nI; i++) pop[i] /= popSum;
  const popMass = new Float64Array(nC);
  for (let i = 0; i < nI; i++) popMass[itemCategory[i]] += pop[i];
  const sampler = new ItemSampler(f, P, Q, pop, itemCategory, centroids, a1, strength, popMass);

  // --- per-user activity, exactly N in total
  const counts = userActivity(nU, N, minPer, maxPer, rngAct);

  // --- sampling
  const user = new Int32Array(N);
  const item = new Int32Array(N);
  const value = new Float32Array(N);
  const time = new Float64Array(N);
  const chosen = new Int32Array(maxPer);
  const chosenAff = new Float64Array(maxPer);
  let row = 0;
  for (let u = 0; u < nU; u++) {
    const n = counts[u];
    if (n === 0) continue;
    sampler.sample(u, n, over, rngSample, chosen, chosenAff);
    const join = start + 0.5 * period * rngRow.next();
    for (let j = 0; j < n; j++) {
      const i = chosen[j];
      const a = chosenAff[j];
      user[row] = u;
      item[row] = i;
      const release = start + (0.8 * period * i) / nI;
      const from = release > join ? release : join;
      time[row] = Math.floor(from + (start + period - from) * rngRow.next());
      if (kind === 'explicit') {
        const r = Math.round(2.5 + a + 0.6 * rngRow.normal());
        value[row] = r < 1 ? 1 : r > 5 ? 5 : r;
      } else {
        let e = rngRow.next();
        while (e === 0) e = rngRow.next();
        value[row] = 1 + Math.floor(-Math.log(e) * 0.6 * Math.exp(a / 2));
      }
      row++;
    }
  }

  // --- id maps and side data
  const users = new IdMap();
  for (let u = 0; u < nU; u++) users.add(String(u));
  const items = new IdMap();
  for (let i = 0; i < nI; i++) items.add(String(i));
  const catNames = categoryNames(nC);
  const withText = opts.text ?? true;
  const titles: string[] = new Array<string>(nI);
  const descriptions: string[] = new Array<string>(nI);
  const price = new Float64Array(nI);
  const catPrice = new Float64Array(nC);
  for (let c = 0; c < nC; c++) catPrice[c] = Math.log(5 + 95 * rngText.next());
  for (let i = 0; i < nI; i++) {
    const c = itemCategory[i];
    if (withText) {
      titles[i] = makeTitle(rngText);
      descriptions[i] = makeDescription(rngText, titles[i], c, catNames[c]);
    } else {
      titles[i] = '';
      descriptions[i] = '';
    }
    price[i] = Math.round(100 * Math.exp(catPrice[c] + 0.4 * rngText.normal())) / 100;
  }
  const itemFeatures: FeatureTable = {
    ids: items,
    columns: [
      { kind: 'categorical', name: 'category', codes: itemCategory, vocab: catNames },
      { kind: 'text', name: 'title', values: titles },
      { kind: 'text', name: 'description', values: descriptions },
      { kind: 'numeric', name: 'price', values: price },
    ],
  };
  const userFeatures: FeatureTable = {
    ids: users,
    columns: [{ kind: 'categorical', name: 'segment', codes: userSegment, vocab: segmentNames(nS) }],
  };
  const data = new Dataset({
    users,
    items,
    user,
    item,
    value,
    time,
    kind,
    ratingScale: kind === 'explicit' ? [1, 5] : null,
    userFeatures,
    itemFeatures,
    source: `synthetic(users=${nU}, items=${nI}, interactions=${N}, seed=${opts.seed ?? 0})`,
  });
  return { data, truth: { factors: f, userFactors: P, itemFactors: Q, popularity: pop, itemCategory, userSegment } };
}

/**
 * Streams a dataset as `user<TAB>item<TAB>value<TAB>time` lines (no header; time omitted when the
 * dataset has none), gzip-compressed when `gzip` is true (default: when the path ends in .gz).
 */
export async function writeSyntheticTsv(path: string, data: Dataset, gzip = path.endsWith('.gz')): Promise<void> {
  const file = createWriteStream(path);
  const failed = new Promise<never>((_, reject) => {
    file.on('error', (e) => reject(new AffinityError('E_IO', `${path}: cannot write (${e.message})`)));
  });
  failed.catch(() => undefined);
  const gz = gzip ? createGzip({ level: 4 }) : null;
  if (gz) gz.pipe(file);
  const out: Writable = gz ?? file;
  const uIds = data.users.toArray();
  const iIds = data.items.toArray();
  const { user, item, value, time } = data;
  const chunk = 65536;
  for (let s = 0; s < data.size; s += chunk) {
    const e = Math.min(data.size, s + chunk);
    let text = '';
    for (let k = s; k < e; k++) {
      text += time
        ? `${uIds[user[k]]}\t${iIds[item[k]]}\t${value[k]}\t${time[k]}\n`
        : `${uIds[user[k]]}\t${iIds[item[k]]}\t${value[k]}\n`;
    }
    if (!out.write(text)) await Promise.race([once(out, 'drain'), failed]);
  }
  out.end();
  await Promise.race([once(file, 'finish'), failed]);
}

function posInt(field: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw paramError(field, v, 'an integer >= 1');
  return v;
}

function nonNeg(field: string, v: number): number {
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw paramError(field, v, 'a finite number >= 0');
  return v;
}

export { AliasTable };
