/**
 * The similarity kernel: for a range of rows x of an "x by y" sparse matrix (x = the entities being
 * compared: items for item-kNN, users for user-kNN), accumulates co-occurrence sums with every other
 * x' over their common y (the classic sparse "sum over common raters" loop: for each y of x, for
 * each x' of y) in dense per-row accumulators, turns them into similarities and keeps the best
 * `maxNeighbours` positive ones, sorted by similarity (descending; ties by smaller index).
 *
 * Plain data in, plain data out: runs the same on the main thread and in `sim-worker.ts`, so results
 * do not depend on the number of threads.
 */

/** sim = sum of products (values already weighted / normalised: implicit's cosine, BM25, TF-IDF). */
export const MODE_DOT = 0;
/** Surprise's cosine: sum(a b) / sqrt(sum a^2 * sum b^2), all sums over common y only. */
export const MODE_COSINE = 1;
/** Surprise's pearson: correlation over common y, centred by the means over the common y. */
export const MODE_PEARSON = 2;
/** Surprise's msd: 1 / (mean squared difference over common y + 1). */
export const MODE_MSD = 3;
/** |common| / (|y of x| + |y of x'| - |common|). */
export const MODE_JACCARD = 4;

/** The inputs of the kernel; every array may live in a SharedArrayBuffer. */
export interface SimInput {
  /** Number of x entities (rows of X). */
  nX: number;
  /** X: rows = x over y. */
  xPtr: Int32Array;
  xIdx: Int32Array;
  xVal: Float32Array;
  /** Y = transpose of X: rows = y over x. */
  yPtr: Int32Array;
  yIdx: Int32Array;
  yVal: Float32Array;
  mode: number;
  /** Pairs with fewer common y get no similarity. */
  minSupport: number;
  /** Shrinkage lambda: sim *= (n - off) / (n - off + lambda), n = common support; 0 = none. */
  shrinkage: number;
  /** off in the shrinkage formula: 1 for Surprise's pearson_baseline, 0 otherwise. */
  shrinkOffset: number;
  /** Neighbours kept per row (the most similar); 0 = every positive similarity. */
  maxNeighbours: number;
  /** Keep x itself among its neighbours (implicit's ItemItemRecommender does). */
  includeSelf: boolean;
}

/** Rows lo..hi-1 of the similarity matrix; ptr is relative (ptr[0] = 0). */
export interface SimRows {
  ptr: Int32Array;
  idx: Int32Array;
  val: Float64Array;
}

/** Per-thread scratch space, reused across rows and chunks. */
export class SimScratch {
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly c: Float64Array;
  readonly d: Float64Array;
  readonly e: Float64Array;
  readonly freq: Int32Array;
  readonly touched: Int32Array;
  readonly mark: Uint8Array;
  readonly candIdx: Int32Array;
  readonly candVal: Float64Array;
  constructor(n: number, mode: number) {
    const need = (m: boolean): number => (m ? n : 0);
    this.a = new Float64Array(n);
    this.b = new Float64Array(need(mode === MODE_COSINE || mode === MODE_PEARSON));
    this.c = new Float64Array(need(mode === MODE_COSINE || mode === MODE_PEARSON));
    this.d = new Float64Array(need(mode === MODE_PEARSON));
    this.e = new Float64Array(need(mode === MODE_PEARSON));
    this.freq = new Int32Array(n);
    this.touched = new Int32Array(n);
    this.mark = new Uint8Array(n);
    this.candIdx = new Int32Array(n);
    this.candVal = new Float64Array(n);
  }
}

/** Computes rows lo..hi-1. */
export function computeRows(inp: SimInput, lo: number, hi: number, scratch?: SimScratch): SimRows {
  const s = scratch ?? new SimScratch(inp.nX, inp.mode);
  const ptr = new Int32Array(hi - lo + 1);
  let cap = Math.max(16, (hi - lo) * (inp.maxNeighbours > 0 ? Math.min(inp.maxNeighbours, inp.nX) : 32));
  let idx = new Int32Array(cap);
  let val = new Float64Array(cap);
  let out = 0;
  for (let x = lo; x < hi; x++) {
    const n = row(inp, x, s);
    if (out + n > cap) {
      while (out + n > cap) cap *= 2;
      const ni = new Int32Array(cap);
      ni.set(idx.subarray(0, out));
      idx = ni;
      const nv = new Float64Array(cap);
      nv.set(val.subarray(0, out));
      val = nv;
    }
    idx.set(s.candIdx.subarray(0, n), out);
    val.set(s.candVal.subarray(0, n), out);
    out += n;
    ptr[x - lo + 1] = out;
  }
  return { ptr, idx: idx.slice(0, out), val: val.slice(0, out) };
}

/** One row: leaves its neighbours in scratch.candIdx / candVal (best first) and returns how many. */
function row(inp: SimInput, x: number, s: SimScratch): number {
  const { xPtr, xIdx, xVal, yPtr, yIdx, yVal, mode } = inp;
  const { a, b, c, d, e, freq, touched, mark } = s;
  let nt = 0;
  const p0 = xPtr[x];
  const p1 = xPtr[x + 1];
  // accumulate over common y (the loops are split by mode to keep them tight)
  const needFreq = mode !== MODE_DOT || inp.minSupport > 1 || inp.shrinkage > 0;
  if (mode === MODE_DOT && !needFreq) {
    // the hot path of implicit item-kNN: one accumulator, no support counts
    for (let p = p0; p < p1; p++) {
      const y = xIdx[p];
      const w = xVal[p];
      for (let q = yPtr[y], qe = yPtr[y + 1]; q < qe; q++) {
        const j = yIdx[q];
        if (mark[j] === 0) {
          mark[j] = 1;
          touched[nt++] = j;
        }
        a[j] += w * yVal[q];
      }
    }
  } else if (mode === MODE_DOT) {
    for (let p = p0; p < p1; p++) {
      const y = xIdx[p];
      const w = xVal[p];
      for (let q = yPtr[y], qe = yPtr[y + 1]; q < qe; q++) {
        const j = yIdx[q];
        if (mark[j] === 0) {
          mark[j] = 1;
          touched[nt++] = j;
        }
        a[j] += w * yVal[q];
        freq[j]++;
      }
    }
  } else if (mode === MODE_COSINE) {
    for (let p = p0; p < p1; p++) {
      const y = xIdx[p];
      const w = xVal[p];
      const ww = w * w;
      for (let q = yPtr[y], qe = yPtr[y + 1]; q < qe; q++) {
        const j = yIdx[q];
        if (mark[j] === 0) {
          mark[j] = 1;
          touched[nt++] = j;
        }
        const v = yVal[q];
        a[j] += w * v;
        b[j] += ww;
        c[j] += v * v;
        freq[j]++;
      }
    }
  } else if (mode === MODE_PEARSON) {
    for (let p = p0; p < p1; p++) {
      const y = xIdx[p];
      const w = xVal[p];
      const ww = w * w;
      for (let q = yPtr[y], qe = yPtr[y + 1]; q < qe; q++) {
        const j = yIdx[q];
        if (mark[j] === 0) {
          mark[j] = 1;
          touched[nt++] = j;
        }
        const v = yVal[q];
        a[j] += w * v;
        b[j] += ww;
        c[j] += v * v;
        d[j] += w;
        e[j] += v;
        freq[j]++;
      }
    }
  } else if (mode === MODE_MSD) {
    for (let p = p0; p < p1; p++) {
      const y = xIdx[p];
      const w = xVal[p];
      for (let q = yPtr[y], qe = yPtr[y + 1]; q < qe; q++) {
        const j = yIdx[q];
        if (mark[j] === 0) {
          mark[j] = 1;
          touched[nt++] = j;
        }
        const diff = w - yVal[q];
        a[j] += diff * diff;
        freq[j]++;
      }
    }
  } else {
    for (let p = p0; p < p1; p++) {
      const y = xIdx[p];
      for (let q = yPtr[y], qe = yPtr[y + 1]; q < qe; q++) {
        const j = yIdx[q];
        if (mark[j] === 0) {
          mark[j] = 1;
          touched[nt++] = j;
        }
        freq[j]++;
      }
    }
  }
  const { candIdx, candVal } = s;
  if (!needFreq && inp.maxNeighbours > 0) return selectDot(inp, x, s, nt);
  // similarities of the touched x', positive ones become candidates; reset the accumulators
  const minSup = inp.minSupport;
  const lambda = inp.shrinkage;
  const off = inp.shrinkOffset;
  const nx = p1 - p0;
  let nc = 0;
  for (let t = 0; t < nt; t++) {
    const j = touched[t];
    const n = needFreq ? freq[j] : minSup;
    let sim = 0;
    if (n >= minSup && (j !== x || inp.includeSelf)) {
      if (mode === MODE_DOT) sim = a[j];
      else if (mode === MODE_COSINE) {
        const den = Math.sqrt(b[j] * c[j]);
        sim = den > 0 ? a[j] / den : 0;
      } else if (mode === MODE_PEARSON) {
        const num = n * a[j] - d[j] * e[j];
        const den = Math.sqrt((n * b[j] - d[j] * d[j]) * (n * c[j] - e[j] * e[j]));
        sim = den > 0 ? num / den : 0;
      } else if (mode === MODE_MSD) sim = 1 / (a[j] / n + 1);
      else sim = n / (nx + (xPtr[j + 1] - xPtr[j]) - n);
      if (lambda > 0) sim *= (n - off) / (n - off + lambda);
      if (sim > 0 && Number.isFinite(sim)) {
        candIdx[nc] = j;
        candVal[nc] = sim;
        nc++;
      }
    }
    a[j] = 0;
    freq[j] = 0;
    mark[j] = 0;
  }
  if (b.length) for (let t = 0; t < nt; t++) b[touched[t]] = c[touched[t]] = 0;
  if (d.length) for (let t = 0; t < nt; t++) d[touched[t]] = e[touched[t]] = 0;
  const m = inp.maxNeighbours;
  if (m > 0 && nc > m) {
    selectTop(candIdx, candVal, nc, m);
    nc = m;
  }
  sortDesc(candIdx, candVal, nc);
  return nc;
}

/**
 * The fast path's selection: dot similarities straight into a size-m heap (no candidate list),
 * resetting the accumulators on the way; leaves the kept neighbours best first.
 */
function selectDot(inp: SimInput, x: number, s: SimScratch, nt: number): number {
  const { a, mark, touched, candIdx, candVal } = s;
  const m = inp.maxNeighbours;
  const self = inp.includeSelf;
  let size = 0;
  for (let t = 0; t < nt; t++) {
    const j = touched[t];
    const sim = a[j];
    a[j] = 0;
    mark[j] = 0;
    if (!(sim > 0) || (j === x && !self)) continue;
    if (size < m) {
      candIdx[size] = j;
      candVal[size] = sim;
      if (++size === m) for (let i = (m >> 1) - 1; i >= 0; i--) siftDown(candIdx, candVal, m, i);
    } else if (sim > candVal[0] || (sim === candVal[0] && j < candIdx[0])) {
      candIdx[0] = j;
      candVal[0] = sim;
      siftDown(candIdx, candVal, m, 0);
    }
  }
  sortDesc(candIdx, candVal, size);
  return size;
}

/** a ranks before b: higher similarity, or equal similarity and smaller index. */
function before(va: number, ia: number, vb: number, ib: number): boolean {
  return va > vb || (va === vb && ia < ib);
}

/** Moves the best m of the first n entries to the front (unordered), with a size-m min-heap. */
function selectTop(idx: Int32Array, val: Float64Array, n: number, m: number): void {
  // heap in positions 0..m-1, root = the worst kept
  for (let i = (m >> 1) - 1; i >= 0; i--) siftDown(idx, val, m, i);
  for (let t = m; t < n; t++) {
    if (before(val[t], idx[t], val[0], idx[0])) {
      idx[0] = idx[t];
      val[0] = val[t];
      siftDown(idx, val, m, 0);
    }
  }
}

function siftDown(idx: Int32Array, val: Float64Array, size: number, start: number): void {
  let c = start;
  const v = val[c];
  const i = idx[c];
  for (;;) {
    const l = 2 * c + 1;
    if (l >= size) break;
    let w = l;
    const r = l + 1;
    if (r < size && before(val[l], idx[l], val[r], idx[r])) w = r; // the worse child
    if (!before(v, i, val[w], idx[w])) break; // (v, i) is already worse than both children
    val[c] = val[w];
    idx[c] = idx[w];
    c = w;
  }
  val[c] = v;
  idx[c] = i;
}

/** Sorts the first n entries best first (heap sort on the parallel arrays: no allocation). */
function sortDesc(idx: Int32Array, val: Float64Array, n: number): void {
  if (n < 2) return;
  // min-heap by rank (root = worst), then repeatedly move the root to the end
  for (let i = (n >> 1) - 1; i >= 0; i--) siftDown(idx, val, n, i);
  for (let end = n - 1; end > 0; end--) {
    const ti = idx[0];
    const tv = val[0];
    idx[0] = idx[end];
    val[0] = val[end];
    idx[end] = ti;
    val[end] = tv;
    siftDown(idx, val, end, 0);
  }
}
