import { paramError } from '../core/errors.js';
import type { SplitFold } from './split-types.js';

/**
 * MT19937 seeded like numpy's legacy `np.random.RandomState(seed)` (init_genrand), with its
 * 32-bit tempered output. Only here to reproduce the folds of peer figures measured with
 * Surprise / scikit-learn; Affinity's own randomness comes from core/rng.
 */
export class Mt19937 {
  private readonly mt = new Uint32Array(624);
  private idx = 624;

  constructor(seed: number) {
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const p = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, p) + i) >>> 0;
    }
  }

  nextU32(): number {
    if (this.idx >= 624) this.twist();
    let y = this.mt[this.idx++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  private twist(): void {
    const mt = this.mt;
    for (let i = 0; i < 624; i++) {
      const y = (mt[i] & 0x80000000) | (mt[(i + 1) % 624] & 0x7fffffff);
      mt[i] = mt[(i + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.idx = 0;
  }

  /** Uniform integer in [0, max] by masked rejection (numpy's `random_interval`, max < 2^32). */
  interval(max: number): number {
    if (max === 0) return 0;
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    for (;;) {
      const v = (this.nextU32() & mask) >>> 0;
      if (v <= max) return v;
    }
  }
}

/** `np.random.RandomState(seed).shuffle(np.arange(n))`. */
export function numpyPermutation(n: number, seed: number): Int32Array {
  const rng = new Mt19937(seed);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.interval(i);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/**
 * The folds of Surprise's `KFold(n_splits=k, shuffle=True, random_state=seed)` over `n` rows in
 * file order (the protocol of the Surprise figures in shared/peers.md, with seed 0): row positions
 * are shuffled with numpy's legacy generator, then cut into k consecutive test blocks, the first
 * n % k blocks one row longer.
 */
export function surpriseKFold(n: number, k: number, seed: number): SplitFold[] {
  if (!(Number.isInteger(k) && k >= 2 && k <= n)) throw paramError('k', k, `an integer in 2..${n}`);
  const idx = numpyPermutation(n, seed);
  const folds: SplitFold[] = [];
  let stop = 0;
  for (let f = 0; f < k; f++) {
    const start = stop;
    stop += Math.floor(n / k) + (f < n % k ? 1 : 0);
    const testRows = idx.slice(start, stop);
    const trainRows = new Int32Array(n - (stop - start));
    trainRows.set(idx.subarray(0, start), 0);
    trainRows.set(idx.subarray(stop), start);
    folds.push({ fold: f, trainRows, testRows });
  }
  return folds;
}
