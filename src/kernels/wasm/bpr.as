// AssemblyScript: BPR SGD steps on shared factor arrays (see kernels.as). The TypeScript reference is
// bprSteps in src/models/bpr/sgd.ts: the same random stream (splitmix32-seeded xoshiro128**), the same
// triples and the same update; only the f32 SIMD dot/update rounds differently from the f64 reference.

// xoshiro128** state of this instance (wasm globals: one set per thread's instance).
let s0: u32 = 0;
let s1: u32 = 0;
let s2: u32 = 0;
let s3: u32 = 0;
let sm: u32 = 0;

@inline function mix(): u32 {
  sm += 0x9e3779b9;
  let z = sm;
  z = (z ^ (z >>> 16)) * 0x85ebca6b;
  z = (z ^ (z >>> 13)) * 0xc2b2ae35;
  return z ^ (z >>> 16);
}

/** Next output in [0, 1) as f64 (uint32 / 2^32). */
@inline function nextUnit(): f64 {
  const m5 = s1 * 5;
  const r = rotl<u32>(m5, 7) * 9;
  const t9 = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t9;
  s3 = rotl<u32>(s3, 11);
  return <f64>r / 4294967296.0;
}

/** Is `item` in the sorted slice indices[lo, hi)? Branch-free lower bound (no mispredicted halvings). */
@inline function contains(indices: usize, lo: i32, hi: i32, item: i32): bool {
  let n = hi - lo;
  if (n <= 0) return false;
  let base = indices + (<usize>lo << 2);
  while (n > 1) {
    const half = n >> 1;
    base = select<usize>(base + (<usize>half << 2), base, load<i32>(base + (<usize>half << 2) - 4) < item);
    n -= half;
  }
  return load<i32>(base) == item;
}

// Samples drawn together (BATCH in src/models/bpr/sgd.ts): positives, then negatives, then updates.
const BATCH: i32 = 64;
// Updates run this many samples behind the touches that pull the next rows into cache.
const AHEAD: i32 = 3;

/** Loads every 64-byte line of a row (so its cache misses overlap with the current update). */
@inline function touch(p: usize, bytes: usize): f32 {
  let t: f32 = 0;
  for (let o: usize = 0; o < bytes; o += 64) t += load<f32>(p + o);
  return t;
}

/**
 * SGD steps [start, end) of one BPR epoch (Rendle 2009, with item biases). The random stream of the
 * call is seeded by seed ^ start * 0x9e3779b1, so a chunk of steps draws the same triples on any
 * thread. posProb / negProb = 0: uniform positives / negatives, else alias tables (f64 prob, i32 alias).
 * Batches of BATCH samples: the positives are drawn first (their row loads overlap), then each one's
 * negative, then the updates in order while the rows of the sample AHEAD are touched.
 * scratch: 4 * BATCH i32 + 16 bytes. Returns correct + skipped * 2^32 (pairs already ordered before
 * the update; samples without a negative).
 */
export function bprSteps(
  u: usize, v: usize, b: usize, indptr: usize, indices: usize, rowUser: usize,
  posProb: usize, posAlias: usize, negProb: usize, negAlias: usize,
  nItems: i32, nnz: i32, f: i32, lr: f64, reg: f64, seed: i32,
  scratch: usize, start: i32, end: i32,
): f64 {
  sm = <u32>seed ^ (<u32>start * <u32>0x9e3779b1);
  s0 = mix();
  s1 = mix();
  s2 = mix();
  s3 = mix();
  if ((s0 | s1 | s2 | s3) == 0) s0 = 1;
  const row = <usize>f << 2;
  const f4 = f & ~3;
  const decay = <f32>(1.0 - lr * reg);
  const dv = f32x4.splat(decay);
  const bu = scratch;
  const bi = scratch + (<usize>BATCH << 2);
  const blo = scratch + (<usize>BATCH << 3);
  const bj = scratch + <usize>BATCH * 12;
  let sink: f32 = 0;
  let correct: i32 = 0;
  let skipped: i32 = 0;
  for (let s = start; s < end; s += BATCH) {
    const nb = min(BATCH, end - s);
    for (let q = 0; q < nb; q++) {
      let p = <i32>(nextUnit() * <f64>nnz);
      if (posProb != 0) {
        const r = nextUnit();
        if (r >= load<f64>(posProb + (<usize>p << 3))) p = load<i32>(posAlias + (<usize>p << 2));
      }
      const uu = load<i32>(rowUser + (<usize>p << 2));
      store<i32>(bu + (<usize>q << 2), uu);
      store<i32>(bi + (<usize>q << 2), load<i32>(indices + (<usize>p << 2)));
      const lo = load<i32>(indptr + (<usize>uu << 2));
      store<i32>(blo + (<usize>q << 2), lo);
      // the first probes of the negative's membership search
      const mid = (lo + load<i32>(indptr + (<usize>uu << 2), 4)) >>> 1;
      sink += <f32>load<i32>(indices + (<usize>mid << 2)) + <f32>load<i32>(indices + (<usize>lo << 2));
    }
    for (let q = 0; q < nb; q++) {
      const uu = load<i32>(bu + (<usize>q << 2));
      const lo = load<i32>(blo + (<usize>q << 2));
      const hi = load<i32>(indptr + (<usize>uu << 2), 4);
      let j = -1;
      for (let t = 0; t < 32; t++) {
        let c = <i32>(nextUnit() * <f64>nItems);
        if (negProb != 0) {
          const r = nextUnit();
          if (r >= load<f64>(negProb + (<usize>c << 3))) c = load<i32>(negAlias + (<usize>c << 2));
        }
        if (!contains(indices, lo, hi, c)) {
          j = c;
          break;
        }
      }
      store<i32>(bj + (<usize>q << 2), j);
    }
    for (let q = 0; q < min(AHEAD, nb); q++) {
      const j = load<i32>(bj + (<usize>q << 2));
      if (j < 0) continue;
      sink += touch(u + <usize>load<i32>(bu + (<usize>q << 2)) * row, row) + touch(v + <usize>load<i32>(bi + (<usize>q << 2)) * row, row) + touch(v + <usize>j * row, row);
    }
    for (let q = 0; q < nb; q++) {
      const qa = q + AHEAD;
      if (qa < nb) {
        const ja = load<i32>(bj + (<usize>qa << 2));
        if (ja >= 0) {
          sink += touch(u + <usize>load<i32>(bu + (<usize>qa << 2)) * row, row) + touch(v + <usize>load<i32>(bi + (<usize>qa << 2)) * row, row) + touch(v + <usize>ja * row, row);
        }
      }
      const j = load<i32>(bj + (<usize>q << 2));
      if (j < 0) {
        skipped++;
        continue;
      }
      const i = load<i32>(bi + (<usize>q << 2));
      const up = u + <usize>load<i32>(bu + (<usize>q << 2)) * row;
      const ip = v + <usize>i * row;
      const jp = v + <usize>j * row;
      let a0 = f32x4.splat(0);
      let a1 = f32x4.splat(0);
      let k = 0;
      for (; k + 8 <= f; k += 8) {
        const o = <usize>k << 2;
        a0 = f32x4.add(a0, f32x4.mul(v128.load(up + o), f32x4.sub(v128.load(ip + o), v128.load(jp + o))));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(up + o, 16), f32x4.sub(v128.load(ip + o, 16), v128.load(jp + o, 16))));
      }
      for (; k < f4; k += 4) {
        const o = <usize>k << 2;
        a0 = f32x4.add(a0, f32x4.mul(v128.load(up + o), f32x4.sub(v128.load(ip + o), v128.load(jp + o))));
      }
      a0 = f32x4.add(a0, a1);
      let dot: f64 = <f64>(f32x4.extract_lane(a0, 0) + f32x4.extract_lane(a0, 1) + f32x4.extract_lane(a0, 2) + f32x4.extract_lane(a0, 3));
      for (; k < f; k++) {
        const o = <usize>k << 2;
        dot += <f64>load<f32>(up + o) * (<f64>load<f32>(ip + o) - <f64>load<f32>(jp + o));
      }
      const bip = b + (<usize>i << 2);
      const bjp = b + (<usize>j << 2);
      const biv = <f64>load<f32>(bip);
      const bjv = <f64>load<f32>(bjp);
      const x = biv - bjv + dot;
      if (x > 0) correct++;
      const z = 1.0 / (1.0 + Math.exp(x));
      const lz = <f32>(lr * z);
      const lv = f32x4.splat(lz);
      k = 0;
      for (; k < f4; k += 4) {
        const o = <usize>k << 2;
        const uk = v128.load(up + o);
        const vi = v128.load(ip + o);
        const vj = v128.load(jp + o);
        v128.store(up + o, f32x4.add(f32x4.mul(dv, uk), f32x4.mul(lv, f32x4.sub(vi, vj))));
        v128.store(ip + o, f32x4.add(f32x4.mul(dv, vi), f32x4.mul(lv, uk)));
        v128.store(jp + o, f32x4.sub(f32x4.mul(dv, vj), f32x4.mul(lv, uk)));
      }
      for (; k < f; k++) {
        const o = <usize>k << 2;
        const uk = load<f32>(up + o);
        const vi = load<f32>(ip + o);
        const vj = load<f32>(jp + o);
        store<f32>(up + o, decay * uk + lz * (vi - vj));
        store<f32>(ip + o, decay * vi + lz * uk);
        store<f32>(jp + o, decay * vj - lz * uk);
      }
      store<f32>(bip, <f32>(biv + lr * (z - reg * biv)));
      store<f32>(bjp, <f32>(bjv + lr * (-z - reg * bjv)));
    }
  }
  // keeps the touches (their loads) from being optimised away
  store<f32>(scratch + <usize>BATCH * 16, sink);
  return <f64>correct + <f64>skipped * 4294967296.0;
}
