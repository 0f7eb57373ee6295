/**
 * Top-K selection without a full sort: a size-K min-heap over (score, index). Ties are broken by
 * the smaller index first, so results are deterministic. NaN and -Infinity scores are never selected.
 */
export function topK(
  scores: Float32Array | Float64Array,
  k: number,
  skip?: (i: number) => boolean,
): { items: Int32Array; scores: Float32Array } {
  const n = scores.length;
  if (k > n) k = n;
  const hs = new Float64Array(k);
  const hi = new Int32Array(k);
  let size = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    if (!(s > -Infinity)) continue; // NaN / -Infinity: excluded
    if (size < k) {
      if (skip && skip(i)) continue;
      // sift up
      let c = size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (worse(hs[p], hi[p], s, i)) break;
        hs[c] = hs[p];
        hi[c] = hi[p];
        c = p;
      }
      hs[c] = s;
      hi[c] = i;
    } else if (k > 0 && better(s, i, hs[0], hi[0])) {
      if (skip && skip(i)) continue;
      siftDown(hs, hi, size, s, i);
    }
  }
  // pop into descending order
  const items = new Int32Array(size);
  const out = new Float32Array(size);
  for (let pos = size - 1; pos >= 0; pos--) {
    items[pos] = hi[0];
    out[pos] = hs[0];
    const last = pos;
    if (last > 0) siftDown(hs, hi, last, hs[last], hi[last]);
  }
  return { items, scores: out };
}

/** a beats b: higher score, or equal score and smaller index. */
function better(sa: number, ia: number, sb: number, ib: number): boolean {
  return sa > sb || (sa === sb && ia < ib);
}
/** heap order: parent must be "worse" (lower) than child; returns true when (sp, ip) is worse than (s, i). */
function worse(sp: number, ip: number, s: number, i: number): boolean {
  return !better(sp, ip, s, i);
}
function siftDown(hs: Float64Array, hi: Int32Array, size: number, s: number, i: number): void {
  let c = 0;
  for (;;) {
    const l = 2 * c + 1;
    if (l >= size) break;
    let m = l;
    const r = l + 1;
    if (r < size && better(hs[l], hi[l], hs[r], hi[r])) m = r;
    if (better(hs[m], hi[m], s, i)) break;
    hs[c] = hs[m];
    hi[c] = hi[m];
    c = m;
  }
  hs[c] = s;
  hi[c] = i;
}
