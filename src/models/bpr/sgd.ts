import { Rng } from '../../core/rng.js';

/**
 * The BPR training arrays, shared by the main thread and the Hogwild workers (all may live on
 * SharedArrayBuffers). Positives are a CSR (users x items, indices ascending per row) with
 * `rowUser[p]` the user of entry p.
 */
export interface BprArrays {
  userFactors: Float32Array;
  itemFactors: Float32Array;
  itemBias: Float32Array;
  indptr: Int32Array;
  indices: Int32Array;
  rowUser: Int32Array;
  /** Alias table over positive entries (recency weights), or null for uniform over entries. */
  posProb: Float64Array | null;
  posAlias: Int32Array | null;
  /** Alias table over items (popularity^beta), or null for uniform negatives. */
  negProb: Float64Array | null;
  negAlias: Int32Array | null;
  nItems: number;
  factors: number;
}

export interface EpochResult {
  /** Samples whose pair was already ordered correctly (score of positive > negative) before the update. */
  correct: number;
  /** Samples without a valid negative after `MAX_TRIES` draws (the user liked (nearly) everything). */
  skipped: number;
}

/** Draws of a negative before a sample is skipped. */
export const MAX_TRIES = 32;

/** Is `item` in the sorted slice indices[lo, hi)? */
function contains(indices: Int32Array, lo: number, hi: number, item: number): boolean {
  hi--;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = indices[mid];
    if (v === item) return true;
    if (v < item) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Samples drawn together: the positives of a batch first, then their negatives (the WASM kernel's order). */
export const BATCH = 64;

/**
 * `samples` SGD steps of BPR (Rendle et al. 2009) with item biases: a positive (u, i) drawn over
 * the positive entries, a negative j drawn uniformly or by popularity and redrawn while it is a
 * positive of u; with x = b_i - b_j + u·(v_i - v_j) and z = 1/(1 + e^x) (the gradient of ln σ(x)):
 *   u += lr·(z·(v_i - v_j) - reg·u),  v_i += lr·(z·u - reg·v_i),  v_j += lr·(-z·u - reg·v_j),
 *   b_i += lr·(z - reg·b_i),  b_j += lr·(-z - reg·b_j).
 * Samples come in batches of BATCH: the batch's positives are drawn first, then each one's negative,
 * then the updates run in order (sampling does not depend on the factors, so this is plain SGD; the
 * WASM kernel uses the batch to overlap its memory accesses).
 * Random numbers: xoshiro128** (as core/rng.ts) inlined on int32 locals, seeded by `seed`
 * through splitmix32; the class is ~15x slower in this loop (its uint32 fields are heap numbers).
 */
export function bprEpoch(a: BprArrays, lr: number, reg: number, samples: number, seed: number): EpochResult {
  const { userFactors: U, itemFactors: V, itemBias: B, indptr, indices, rowUser } = a;
  const posProb = a.posProb ?? EMPTY_F64;
  const posAlias = a.posAlias ?? EMPTY_I32;
  const negProb = a.negProb ?? EMPTY_F64;
  const negAlias = a.negAlias ?? EMPTY_I32;
  const weightedPos = a.posProb !== null && a.posAlias !== null;
  const weightedNeg = a.negProb !== null && a.negAlias !== null;
  const f = a.factors;
  const nItems = a.nItems;
  const nnz = indices.length;
  // splitmix32 -> xoshiro128** state
  let sm = seed | 0;
  const mix = (): number => {
    sm = (sm + 0x9e3779b9) | 0;
    let z = sm;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return z ^ (z >>> 16);
  };
  let s0 = mix();
  let s1 = mix();
  let s2 = mix();
  let s3 = mix();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  const bp = new Int32Array(BATCH);
  const bj = new Int32Array(BATCH);
  let correct = 0;
  let skipped = 0;
  for (let s0b = 0; s0b < samples; s0b += BATCH) {
    const nb = Math.min(BATCH, samples - s0b);
    // each draw: r = next xoshiro128** output as uint32 / 2^32 in [0, 1)
    let m5 = 0;
    let r = 0;
    let t9 = 0;
    for (let b = 0; b < nb; b++) {
      m5 = Math.imul(s1, 5);
      r = (Math.imul((m5 << 7) | (m5 >>> 25), 9) >>> 0) / 4294967296;
      t9 = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t9; s3 = (s3 << 11) | (s3 >>> 21);
      let p = (r * nnz) | 0;
      if (weightedPos) {
        m5 = Math.imul(s1, 5);
        r = (Math.imul((m5 << 7) | (m5 >>> 25), 9) >>> 0) / 4294967296;
        t9 = s1 << 9;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t9; s3 = (s3 << 11) | (s3 >>> 21);
        if (r >= posProb[p]) p = posAlias[p];
      }
      bp[b] = p;
    }
    for (let b = 0; b < nb; b++) {
      const u = rowUser[bp[b]];
      const lo = indptr[u];
      const hi = indptr[u + 1];
      let j = -1;
      for (let t = 0; t < MAX_TRIES; t++) {
        m5 = Math.imul(s1, 5);
        r = (Math.imul((m5 << 7) | (m5 >>> 25), 9) >>> 0) / 4294967296;
        t9 = s1 << 9;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t9; s3 = (s3 << 11) | (s3 >>> 21);
        let c = (r * nItems) | 0;
        if (weightedNeg) {
          m5 = Math.imul(s1, 5);
          r = (Math.imul((m5 << 7) | (m5 >>> 25), 9) >>> 0) / 4294967296;
          t9 = s1 << 9;
          s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t9; s3 = (s3 << 11) | (s3 >>> 21);
          if (r >= negProb[c]) c = negAlias[c];
        }
        if (!contains(indices, lo, hi, c)) {
          j = c;
          break;
        }
      }
      bj[b] = j;
    }
    for (let b = 0; b < nb; b++) {
      const j = bj[b];
      if (j < 0) {
        skipped++;
        continue;
      }
      const u = rowUser[bp[b]];
      const i = indices[bp[b]];
      const uo = u * f;
      const io = i * f;
      const jo = j * f;
      let x0 = 0;
      let x1 = 0;
      let k = 0;
      for (; k + 1 < f; k += 2) {
        x0 += U[uo + k] * (V[io + k] - V[jo + k]);
        x1 += U[uo + k + 1] * (V[io + k + 1] - V[jo + k + 1]);
      }
      if (k < f) x0 += U[uo + k] * (V[io + k] - V[jo + k]);
      const x = B[i] - B[j] + x0 + x1;
      if (x > 0) correct++;
      const z = 1 / (1 + Math.exp(x));
      const lz = lr * z;
      const decay = 1 - lr * reg;
      for (k = 0; k < f; k++) {
        const uk = U[uo + k];
        const vi = V[io + k];
        const vj = V[jo + k];
        U[uo + k] = decay * uk + lz * (vi - vj);
        V[io + k] = decay * vi + lz * uk;
        V[jo + k] = decay * vj - lz * uk;
      }
      B[i] += lr * (z - reg * B[i]);
      B[j] += lr * (-z - reg * B[j]);
    }
  }
  return { correct, skipped };
}

/**
 * Steps [start, end) of an epoch, seeded as the WASM kernel `bprSteps` seeds a chunk (seed ^ start *
 * 0x9e3779b1, so step ranges draw the same triples on any thread): the TypeScript reference of that
 * kernel. With start = 0 it is `bprEpoch(a, lr, reg, end, seed)`.
 */
export function bprSteps(a: BprArrays, lr: number, reg: number, seed: number, start: number, end: number): EpochResult {
  return bprEpoch(a, lr, reg, Math.max(0, end - start), chunkSeed(seed, start));
}

/** Seed of the step range starting at `start` (as bprSteps in src/kernels/wasm/bpr.as). */
export function chunkSeed(seed: number, start: number): number {
  return (seed ^ Math.imul(start, 0x9e3779b1)) | 0;
}

const EMPTY_F64 = new Float64Array(1);
const EMPTY_I32 = new Int32Array(1);

/** Seed of worker `w` in epoch `e` (so a run is reproducible up to Hogwild's races). */
export function epochSeed(seed: number, epoch: number, worker: number): number {
  return new Rng(((seed >>> 0) ^ Math.imul(epoch + 1, 0x9e3779b1) ^ Math.imul(worker + 1, 0x85ebca77)) >>> 0).nextU32();
}
