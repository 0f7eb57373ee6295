// AssemblyScript: packed-panel batch scoring, top-K selection and recommend-all rows (see kernels.as).

/**
 * Packs Y (nItems x f, row-major) into panels of 8 items: panel p, factor k holds
 * Y[8p + j, k] for j = 0..7 at P[(p * f + k) * 8 + j] (zero past the last item).
 */
export function packItems(nItems: i32, f: i32, y: usize, p: usize): void {
  const nPanels = (nItems + 7) >> 3;
  memory.fill(p, 0, (<usize>nPanels * <usize>f) << 5);
  for (let i = 0; i < nItems; i++) {
    const src = y + <usize>i * (<usize>f << 2);
    const dst = p + ((<usize>(i >> 3) * <usize>f) << 5) + (<usize>(i & 7) << 2);
    for (let k = 0; k < f; k++) store<f32>(dst + (<usize>k << 5), load<f32>(src + (<usize>k << 2)));
  }
}

@inline function storeScores(out: usize, nValid: i32, a: v128, b: v128): void {
  if (nValid >= 8) {
    v128.store(out, a);
    v128.store(out, b, 16);
    return;
  }
  for (let j = 0; j < nValid; j++) {
    const v = j < 4 ? a : b;
    const lane = j & 3;
    const x = lane == 0 ? f32x4.extract_lane(v, 0) : lane == 1 ? f32x4.extract_lane(v, 1) : lane == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3);
    store<f32>(out + (<usize>j << 2), x);
  }
}

/**
 * out[u * nItems + i] = U[u,:] . Y[i,:] with Y given packed by packItems. Item tiles of 256 stay in
 * cache while all users of the call are scored against them, four users x eight items at a time.
 */
export function scorePacked(nUsers: i32, u: usize, nItems: i32, p: usize, f: i32, out: usize): void {
  const row = <usize>f << 2;
  const nPanels = (nItems + 7) >> 3;
  const outRow = <usize>nItems << 2;
  const TILE = 32; // panels per tile (256 items)
  for (let t0 = 0; t0 < nPanels; t0 += TILE) {
    const t1 = min(nPanels, t0 + TILE);
    let j = 0;
    for (; j + 4 <= nUsers; j += 4) {
      const u0 = u + <usize>j * row;
      const u1 = u0 + row;
      const u2 = u1 + row;
      const u3 = u2 + row;
      for (let pp = t0; pp < t1; pp++) {
        const pb = p + ((<usize>pp * <usize>f) << 5);
        let a0 = f32x4.splat(0), b0 = f32x4.splat(0), a1 = f32x4.splat(0), b1 = f32x4.splat(0);
        let a2 = f32x4.splat(0), b2 = f32x4.splat(0), a3 = f32x4.splat(0), b3 = f32x4.splat(0);
        for (let k = 0; k < f; k++) {
          const q = pb + (<usize>k << 5);
          const pa = v128.load(q);
          const pb2 = v128.load(q, 16);
          const o = <usize>k << 2;
          const s0 = v128.load32_splat(u0 + o);
          const s1 = v128.load32_splat(u1 + o);
          const s2 = v128.load32_splat(u2 + o);
          const s3 = v128.load32_splat(u3 + o);
          a0 = f32x4.add(a0, f32x4.mul(s0, pa));
          b0 = f32x4.add(b0, f32x4.mul(s0, pb2));
          a1 = f32x4.add(a1, f32x4.mul(s1, pa));
          b1 = f32x4.add(b1, f32x4.mul(s1, pb2));
          a2 = f32x4.add(a2, f32x4.mul(s2, pa));
          b2 = f32x4.add(b2, f32x4.mul(s2, pb2));
          a3 = f32x4.add(a3, f32x4.mul(s3, pa));
          b3 = f32x4.add(b3, f32x4.mul(s3, pb2));
        }
        const nv = min(8, nItems - (pp << 3));
        const ob = out + <usize>j * outRow + (<usize>(pp << 3) << 2);
        storeScores(ob, nv, a0, b0);
        storeScores(ob + outRow, nv, a1, b1);
        storeScores(ob + 2 * outRow, nv, a2, b2);
        storeScores(ob + 3 * outRow, nv, a3, b3);
      }
    }
    for (; j < nUsers; j++) {
      const u0 = u + <usize>j * row;
      for (let pp = t0; pp < t1; pp++) {
        const pb = p + ((<usize>pp * <usize>f) << 5);
        let a0 = f32x4.splat(0), b0 = f32x4.splat(0);
        for (let k = 0; k < f; k++) {
          const q = pb + (<usize>k << 5);
          const s0 = v128.load32_splat(u0 + (<usize>k << 2));
          a0 = f32x4.add(a0, f32x4.mul(s0, v128.load(q)));
          b0 = f32x4.add(b0, f32x4.mul(s0, v128.load(q, 16)));
        }
        storeScores(out + <usize>j * outRow + (<usize>(pp << 3) << 2), min(8, nItems - (pp << 3)), a0, b0);
      }
    }
  }
}

// top-K: a size-k min-heap over (score, index) with the tie rule of src/core/topk.ts (higher score,
// then smaller index, wins); NaN and -Infinity are never selected. hs/hi: k f32 / k i32 of scratch.
@inline function better(sa: f32, ia: i32, sb: f32, ib: i32): bool {
  return sa > sb || (sa == sb && ia < ib);
}

function siftDown(hs: usize, hi: usize, size: i32, s: f32, i: i32): void {
  let c = 0;
  for (;;) {
    const l = 2 * c + 1;
    if (l >= size) break;
    let m = l;
    const r = l + 1;
    if (r < size && better(load<f32>(hs + (<usize>l << 2)), load<i32>(hi + (<usize>l << 2)), load<f32>(hs + (<usize>r << 2)), load<i32>(hi + (<usize>r << 2)))) m = r;
    const ms = load<f32>(hs + (<usize>m << 2));
    const mi = load<i32>(hi + (<usize>m << 2));
    if (better(ms, mi, s, i)) break;
    store<f32>(hs + (<usize>c << 2), ms);
    store<i32>(hi + (<usize>c << 2), mi);
    c = m;
  }
  store<f32>(hs + (<usize>c << 2), s);
  store<i32>(hi + (<usize>c << 2), i);
}

/**
 * The k best of scores[0..n), best first, into items/outScores; returns how many (<= k). Scans four
 * scores at a time against the heap's minimum once the heap is full. scratch: 8 k bytes.
 */
export function selectTop(n: i32, scores: usize, k: i32, items: usize, outScores: usize, scratch: usize): i32 {
  if (k > n) k = n;
  if (k <= 0) return 0;
  const hs = scratch;
  const hi = scratch + (<usize>k << 2);
  let size = 0;
  let i = 0;
  // fill
  for (; i < n && size < k; i++) {
    const s = load<f32>(scores + (<usize>i << 2));
    if (!(s > -Infinity)) continue;
    let c = size++;
    while (c > 0) {
      const pp = (c - 1) >> 1;
      const ps = load<f32>(hs + (<usize>pp << 2));
      const pi = load<i32>(hi + (<usize>pp << 2));
      if (!better(ps, pi, s, i)) break;
      store<f32>(hs + (<usize>c << 2), ps);
      store<i32>(hi + (<usize>c << 2), pi);
      c = pp;
    }
    store<f32>(hs + (<usize>c << 2), s);
    store<i32>(hi + (<usize>c << 2), i);
  }
  if (size == k) {
    // every later index is larger, so only a strictly higher score than the minimum can enter
    let min = load<f32>(hs);
    for (; i + 4 <= n; i += 4) {
      if (!v128.any_true(f32x4.gt(v128.load(scores + (<usize>i << 2)), f32x4.splat(min)))) continue;
      for (let j = i; j < i + 4; j++) {
        const s = load<f32>(scores + (<usize>j << 2));
        if (s > min) {
          siftDown(hs, hi, size, s, j);
          min = load<f32>(hs);
        }
      }
    }
    for (; i < n; i++) {
      const s = load<f32>(scores + (<usize>i << 2));
      if (s > min) {
        siftDown(hs, hi, size, s, i);
        min = load<f32>(hs);
      }
    }
  }
  const count = size;
  for (let pos = size - 1; pos >= 0; pos--) {
    store<i32>(items + (<usize>pos << 2), load<i32>(hi));
    store<f32>(outScores + (<usize>pos << 2), load<f32>(hs));
    if (pos > 0) siftDown(hs, hi, pos, load<f32>(hs + (<usize>pos << 2)), load<i32>(hi + (<usize>pos << 2)));
  }
  return count;
}

/**
 * Top-k for every user of [start, end): scores against the packed items (16 users per pass), the
 * user's stored items (CSR indptr/indices) set to -Infinity, users without any get `fallback` scores;
 * row v of outItems/outScores (k each) gets the list, padded with -1 / -Infinity.
 * scratch: 16 * nItems * 4 + 8 k bytes.
 */
export function recommendRows(
  u: usize, f: i32, p: usize, nItems: i32, indptr: usize, indices: usize, fallback: usize,
  k: i32, outItems: usize, outScores: usize, scratch: usize, start: i32, end: i32,
): void {
  const RB = 16;
  const rowBytes = <usize>nItems << 2;
  const heap = scratch + <usize>RB * rowBytes;
  for (let s = start; s < end; s += RB) {
    const e = min(end, s + RB);
    scorePacked(e - s, u + <usize>s * (<usize>f << 2), nItems, p, f, scratch);
    for (let v = s; v < e; v++) {
      const sc = scratch + <usize>(v - s) * rowBytes;
      const lo = load<i32>(indptr + (<usize>v << 2));
      const hi = load<i32>(indptr + (<usize>(v + 1) << 2));
      if (hi == lo) memory.copy(sc, fallback, rowBytes);
      else for (let q = lo; q < hi; q++) store<f32>(sc + (<usize>load<i32>(indices + (<usize>q << 2)) << 2), -Infinity);
      const oi = outItems + ((<usize>v * <usize>k) << 2);
      const os = outScores + ((<usize>v * <usize>k) << 2);
      const c = selectTop(nItems, sc, k, oi, os, heap);
      for (let j = c; j < k; j++) {
        store<i32>(oi + (<usize>j << 2), -1);
        store<f32>(os + (<usize>j << 2), -Infinity);
      }
    }
  }
}
