import { paramError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';

/**
 * Sampling machinery of the synthetic generator: alias tables, heavy-tailed user activity, and the
 * per-user item sampler (sampling-importance-resampling with a category-aware proposal).
 */

/**
 * Fills prob/alias[off .. off+len) with a Walker/Vose alias table for weights[off .. off+len)
 * (local indices 0..len-1). Weights must be >= 0 with a positive sum.
 */
export function buildAlias(weights: ArrayLike<number>, off: number, len: number, prob: Float64Array, alias: Int32Array): void {
  let sum = 0;
  for (let i = 0; i < len; i++) sum += weights[off + i];
  const scaled = new Float64Array(len);
  const small = new Int32Array(len);
  const large = new Int32Array(len);
  let ns = 0;
  let nl = 0;
  for (let i = 0; i < len; i++) {
    scaled[i] = (weights[off + i] * len) / sum;
    if (scaled[i] < 1) small[ns++] = i;
    else large[nl++] = i;
  }
  while (ns > 0 && nl > 0) {
    const s = small[--ns];
    const l = large[--nl];
    prob[off + s] = scaled[s];
    alias[off + s] = l;
    scaled[l] = scaled[l] + scaled[s] - 1;
    if (scaled[l] < 1) small[ns++] = l;
    else large[nl++] = l;
  }
  while (nl > 0) prob[off + large[--nl]] = 1;
  while (ns > 0) prob[off + small[--ns]] = 1; // numerical leftovers
}

/** Walker/Vose alias table: O(1) draws from a discrete distribution. */
export class AliasTable {
  private readonly prob: Float64Array;
  private readonly alias: Int32Array;
  readonly n: number;

  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    if (n === 0) throw paramError('weights', [], 'at least one weight');
    let sum = 0;
    for (let i = 0; i < n; i++) {
      if (!(weights[i] >= 0 && Number.isFinite(weights[i]))) throw paramError(`weights[${i}]`, weights[i], 'a finite number >= 0');
      sum += weights[i];
    }
    if (!(sum > 0)) throw paramError('weights', sum, 'a positive total');
    this.n = n;
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    buildAlias(weights, 0, n, this.prob, this.alias);
  }

  sample(rng: Rng): number {
    const x = rng.next() * this.n;
    const i = Math.floor(x);
    return x - i < this.prob[i] ? i : this.alias[i];
  }
}

/** Heavy-tailed per-user counts (Lomax(1.5) weights), each in [minPer, cap], summing to exactly N. */
export function userActivity(nU: number, N: number, minPer: number, cap: number, rng: Rng): Int32Array {
  const w = new Float64Array(nU);
  for (let u = 0; u < nU; u++) {
    let r = rng.next();
    while (r === 0) r = rng.next();
    w[u] = Math.pow(r, -1 / 1.5) - 1;
  }
  const total = (s: number): number => {
    let t = 0;
    for (let u = 0; u < nU; u++) t += Math.min(cap, minPer + s * w[u]);
    return t;
  };
  // the scale s with sum_u min(cap, minPer + s w_u) = N (monotone in s)
  let lo = 0;
  let hi = 1;
  while (total(hi) < N && hi < 1e300) hi *= 2;
  for (let it = 0; it < 100 && hi - lo > 1e-12 * hi; it++) {
    const mid = (lo + hi) / 2;
    if (total(mid) < N) lo = mid;
    else hi = mid;
  }
  const counts = new Int32Array(nU);
  const frac = new Float64Array(nU);
  let sum = 0;
  for (let u = 0; u < nU; u++) {
    const x = Math.min(cap, minPer + lo * w[u]);
    counts[u] = Math.floor(x);
    frac[u] = counts[u] < cap ? x - counts[u] : -1;
    sum += counts[u];
  }
  // the remaining rows go to the users with the largest fractional parts (ties: lower index first)
  let rest = N - sum;
  if (rest > 0 && rest <= nU) {
    const thr = Float64Array.from(frac).sort()[nU - rest];
    for (let u = 0; u < nU && rest > 0; u++) {
      if (frac[u] > thr) {
        counts[u]++;
        rest--;
      }
    }
    for (let u = 0; u < nU && rest > 0; u++) {
      if (frac[u] === thr && counts[u] < cap) {
        counts[u]++;
        rest--;
      }
    }
  }
  for (let u = 0; u < nU && rest > 0; u++) {
    while (counts[u] < cap && rest > 0) {
      counts[u]++;
      rest--;
    }
  }
  return counts;
}

/**
 * Draws each user's distinct items with P ∝ pop(i) exp(strength * p_u . q_i), approximately:
 * candidates come from a proposal that already contains the category part of the affinity
 * (a mixture: with probability 1-eps a category drawn ∝ popMass(c) exp(strength * catShare * p_u . centroid(c)),
 * then an item of it ∝ pop; with probability eps a uniform item), each weighted by target/proposal;
 * n of the distinct candidates are then chosen without replacement ∝ their summed weights
 * (Efraimidis-Spirakis: the n smallest Exp(1)/weight keys).
 */
export class ItemSampler {
  // Internally items are relabelled by g = position in (category, popularity descending) order, so the
  // records of a category's popular items (drawn most often) sit together in memory. Records are
  // compact because the sampler is bound by random memory reads.
  /** Original item of each internal index g. */
  private readonly itemOf: Int32Array;
  /** Per g, stride f + 2: the item vector, pop / popMass(category), category. */
  private readonly rec: Float32Array;
  /** Per g: stamp (user + 1 that last drew g) and slot (its candidate position). */
  private readonly seen: Int32Array;
  /** Per g: [alias threshold * 2^31, alias target g] of its category's alias table over pop. */
  private readonly catTab: Int32Array;
  private readonly catPtr: Int32Array;
  private cand = new Int32Array(256);
  private weight = new Float64Array(256);
  private mult = new Float64Array(256);
  private aff = new Float64Array(256);
  private keys = new Float64Array(256);
  private readonly catCum: Float64Array;
  private readonly catProb: Float64Array;
  private readonly eps = 0.1;

  constructor(
    private readonly f: number,
    private readonly P: Float32Array,
    Q: Float32Array,
    pop: Float64Array,
    itemCat: Int32Array,
    private readonly centroids: Float32Array,
    private readonly catShare: number,
    private readonly strength: number,
    private readonly popMass: Float64Array,
  ) {
    const nI = pop.length;
    const nC = popMass.length;
    const order = Array.from({ length: nI }, (_, i) => i).sort((x, y) => itemCat[x] - itemCat[y] || pop[y] - pop[x] || x - y);
    this.itemOf = Int32Array.from(order);
    this.catPtr = new Int32Array(nC + 1);
    for (let i = 0; i < nI; i++) this.catPtr[itemCat[i] + 1]++;
    for (let c = 0; c < nC; c++) this.catPtr[c + 1] += this.catPtr[c];
    const stride = f + 2;
    this.rec = new Float32Array(nI * stride);
    const popG = new Float64Array(nI);
    for (let g = 0; g < nI; g++) {
      const i = this.itemOf[g];
      const c = itemCat[i];
      this.rec.set(Q.subarray(i * f, i * f + f), g * stride);
      this.rec[g * stride + f] = pop[i] / popMass[c];
      this.rec[g * stride + f + 1] = c;
      popG[g] = pop[i];
    }
    const prob = new Float64Array(nI);
    const alias = new Int32Array(nI);
    this.catTab = new Int32Array(2 * nI);
    for (let c = 0; c < nC; c++) {
      const off = this.catPtr[c];
      const len = this.catPtr[c + 1] - off;
      if (len === 0) continue;
      buildAlias(popG, off, len, prob, alias);
      for (let k = 0; k < len; k++) {
        this.catTab[2 * (off + k)] = prob[off + k] >= 1 ? 0x7fffffff : Math.floor(prob[off + k] * 2147483648);
        this.catTab[2 * (off + k) + 1] = off + alias[off + k];
      }
    }
    this.seen = new Int32Array(2 * nI);
    this.catCum = new Float64Array(nC);
    this.catProb = new Float64Array(nC);
  }

  /**
   * Chooses n distinct items for user u; writes them and their affinities to items/affs[0..n).
   * `oversample` candidate draws per chosen item (plus 16) are made, more if needed to find n distinct items.
   */
  sample(u: number, n: number, oversample: number, rng: Rng, items: Int32Array, affs: Float64Array): void {
    const { f, P, rec, catTab, catPtr, popMass, catCum, catProb, seen, itemOf } = this;
    const stride = f + 2;
    const nC = popMass.length;
    const nI = itemOf.length;
    const pu = u * f;
    // the user's category distribution
    let tot = 0;
    let maxLog = -Infinity;
    for (let c = 0; c < nC; c++) {
      const l = this.strength * this.catShare * dot(P, pu, this.centroids, c * f, f);
      catProb[c] = l;
      if (l > maxLog) maxLog = l;
    }
    for (let c = 0; c < nC; c++) {
      catProb[c] = popMass[c] * Math.exp(catProb[c] - maxLog);
      tot += catProb[c];
    }
    let acc = 0;
    for (let c = 0; c < nC; c++) {
      catProb[c] /= tot;
      acc += catProb[c];
      catCum[c] = acc;
    }
    catCum[nC - 1] = 1;
    const tag = u + 1;
    const eps = this.eps;
    const strength = this.strength;
    const minDraws = Math.ceil(oversample * n) + 16;
    let m = 0;
    let draws = 0;
    while (draws < minDraws || m < n) {
      draws++;
      let g: number;
      const x = rng.next();
      if (x < eps) {
        g = Math.floor((x / eps) * nI); // uniform component (x / eps is uniform in [0, 1))
      } else {
        const xc = (x - eps) / (1 - eps);
        let lo = 0;
        let hi = nC - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (catCum[mid] > xc) hi = mid;
          else lo = mid + 1;
        }
        const off = catPtr[lo];
        const len = catPtr[lo + 1] - off;
        // the integer part picks the slot, the fraction decides between the slot and its alias
        const y = rng.next() * len;
        const k = Math.floor(y);
        g = (y - k) * 2147483648 < catTab[2 * (off + k)] ? off + k : catTab[2 * (off + k) + 1];
      }
      if (seen[2 * g] === tag) {
        this.mult[seen[2 * g + 1]] += 1; // a repeated draw adds its importance weight again
        continue;
      }
      if (m === this.cand.length) this.grow();
      seen[2 * g] = tag;
      seen[2 * g + 1] = m;
      const o = g * stride;
      const a = dot(P, pu, rec, o, f);
      const c = rec[o + f + 1];
      const popOverMass = rec[o + f];
      const q = (1 - eps) * catProb[c] * popOverMass + eps / nI;
      this.cand[m] = g;
      this.aff[m] = a;
      this.weight[m] = (popOverMass * popMass[c] * Math.exp(strength * a - maxLog)) / q;
      this.mult[m] = 1;
      m++;
    }
    const { cand, weight, mult, aff, keys } = this;
    for (let j = 0; j < m; j++) {
      let r = rng.next();
      while (r === 0) r = rng.next();
      keys[j] = -Math.log(r) / (weight[j] * mult[j]);
    }
    if (n < m) selectSmallest(keys, cand, aff, m, n);
    for (let j = 0; j < n; j++) {
      items[j] = itemOf[cand[j]];
      affs[j] = aff[j];
    }
  }

  private grow(): void {
    const n = this.cand.length * 2;
    const c = new Int32Array(n);
    c.set(this.cand);
    this.cand = c;
    this.weight = growF64(this.weight, n);
    this.mult = growF64(this.mult, n);
    this.aff = growF64(this.aff, n);
    this.keys = growF64(this.keys, n);
  }
}

function growF64(a: Float64Array, n: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}

/** Reorders keys[0..m) (with cand/aff alongside) so that the n smallest keys come first (quickselect). */
export function selectSmallest(keys: Float64Array, cand: Int32Array, aff: Float64Array, m: number, n: number): void {
  let lo = 0;
  let hi = m - 1;
  const swap = (a: number, b: number): void => {
    const k = keys[a];
    keys[a] = keys[b];
    keys[b] = k;
    const c = cand[a];
    cand[a] = cand[b];
    cand[b] = c;
    const x = aff[a];
    aff[a] = aff[b];
    aff[b] = x;
  };
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    // median of three as pivot
    if (keys[mid] < keys[lo]) swap(mid, lo);
    if (keys[hi] < keys[lo]) swap(hi, lo);
    if (keys[hi] < keys[mid]) swap(hi, mid);
    const pivot = keys[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (keys[i] < pivot) i++;
      while (keys[j] > pivot) j--;
      if (i <= j) {
        swap(i, j);
        i++;
        j--;
      }
    }
    // [lo..j] <= pivot, [i..hi] >= pivot
    if (n - 1 <= j) hi = j;
    else if (n - 1 >= i) lo = i;
    else break;
  }
}

export function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, f: number): number {
  let s = 0;
  for (let k = 0; k < f; k++) s += a[ao + k] * b[bo + k];
  return s;
}
