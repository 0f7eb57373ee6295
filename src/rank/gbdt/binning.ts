/**
 * Quantile binning of a row-major Float32Array feature matrix for histogram split finding.
 * Bin 0 holds missing values (NaN); a finite x goes to bin 1 + #{edges < x}, so a split "bins <= b"
 * is exactly "x <= edges[b - 1] or x is NaN". Edges lie between distinct sample values.
 */
import { paramError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';

export interface Bins {
  nCols: number;
  /** edges[f]: ascending cut values of feature f (at most maxBins - 2 of them). */
  edges: Float32Array[];
  /** Number of bins of feature f (edges + 2: the NaN bin and one more than the cuts). */
  nBins: Int32Array;
  maxBins: number;
}

/** Cut points for every feature from (a sample of at most `sampleRows` of) the rows. */
export function fitBins(x: Float32Array, nRows: number, nCols: number, maxBins: number, sampleRows = 100_000, seed = 1): Bins {
  if (!(Number.isInteger(maxBins) && maxBins >= 3 && maxBins <= 256)) throw paramError('maxBins', maxBins, 'an integer in 3..256');
  if (x.length !== nRows * nCols) throw paramError('features', x.length, `nRows * nCols = ${nRows * nCols} values`);
  let rows: Int32Array;
  if (nRows > sampleRows) {
    rows = new Rng(seed).permutation(nRows).subarray(0, sampleRows).slice().sort();
  } else {
    rows = new Int32Array(nRows);
    for (let r = 0; r < nRows; r++) rows[r] = r;
  }
  const edges: Float32Array[] = [];
  const nBins = new Int32Array(nCols);
  const vals = new Float32Array(rows.length);
  for (let f = 0; f < nCols; f++) {
    let m = 0;
    for (let k = 0; k < rows.length; k++) {
      const v = x[rows[k] * nCols + f];
      if (v === v) vals[m++] = v;
    }
    const sorted = vals.subarray(0, m).sort();
    // distinct values with counts
    const distinct: number[] = [];
    const counts: number[] = [];
    for (let k = 0; k < m; k++) {
      if (k === 0 || sorted[k] !== sorted[k - 1]) {
        distinct.push(sorted[k]);
        counts.push(1);
      } else counts[counts.length - 1]++;
    }
    const maxCuts = maxBins - 2;
    const cuts: number[] = [];
    if (distinct.length - 1 <= maxCuts) {
      for (let k = 0; k + 1 < distinct.length; k++) cuts.push(mid(distinct[k], distinct[k + 1]));
    } else {
      // equal-frequency cuts over the distinct values, weighted by counts
      const per = m / (maxCuts + 1);
      let acc = 0;
      let next = per;
      for (let k = 0; k + 1 < distinct.length && cuts.length < maxCuts; k++) {
        acc += counts[k];
        if (acc >= next) {
          cuts.push(mid(distinct[k], distinct[k + 1]));
          while (next <= acc) next += per;
        }
      }
    }
    edges.push(Float32Array.from(cuts));
    nBins[f] = cuts.length + 2;
  }
  return { nCols, edges, nBins, maxBins };
}

/** A cut strictly between a and b that survives rounding to float32 (a < cut <= b never equals a). */
function mid(a: number, b: number): number {
  const c = Math.fround(a + (b - a) / 2);
  return c >= b ? a : c; // adjacent floats: cut at a (x <= a goes left, b goes right)
}

/** Bin of value v for feature edges e. */
export function binOf(e: Float32Array, v: number): number {
  if (v !== v) return 0;
  let lo = 0;
  let hi = e.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (e[m] < v) lo = m + 1;
    else hi = m;
  }
  return lo + 1;
}

/** Feature-major binned matrix: out[f * nRows + r] = bin of x[r, f]. */
export function binMatrix(bins: Bins, x: Float32Array, nRows: number): Uint8Array {
  const nCols = bins.nCols;
  const out = new Uint8Array(nRows * nCols);
  for (let f = 0; f < nCols; f++) {
    const e = bins.edges[f];
    const base = f * nRows;
    for (let r = 0; r < nRows; r++) out[base + r] = binOf(e, x[r * nCols + f]);
  }
  return out;
}

/** The threshold value of split "bins <= b" of feature f (x <= threshold or NaN goes left). */
export function splitThreshold(bins: Bins, f: number, b: number): number {
  return b === 0 ? -Infinity : bins.edges[f][b - 1];
}
