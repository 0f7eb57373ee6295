/**
 * One regression tree grown leaf-wise (best-first, as LightGBM) on binned features with gradient /
 * hessian histograms. The histogram of the smaller child is built from its rows; the larger child's
 * is the parent's minus it. Leaf values are Newton steps -G / (H + lambda), scaled by the learning rate.
 */
import type { Bins } from './binning.js';
import { splitThreshold } from './binning.js';

export interface TreeParams {
  maxLeaves: number;
  maxDepth: number;
  minSamplesLeaf: number;
  minHessianLeaf: number;
  lambda: number;
  minGain: number;
  learningRate: number;
}

/**
 * A grown tree. Internal nodes 0..n-1: feature, threshold (x <= threshold or NaN goes left), and
 * children; a child c < 0 is leaf ~c. Leaf values already include the learning rate.
 */
export interface Tree {
  feature: Int32Array;
  threshold: Float32Array;
  left: Int32Array;
  right: Int32Array;
  leafValue: Float32Array;
}

interface Leaf {
  start: number;
  end: number;
  depth: number;
  g: number;
  h: number;
  hist: Float64Array; // per (feature, bin): [g, h, count]
  // best split
  gain: number;
  feature: number;
  bin: number;
  /** Node slot that points at this leaf: parent node index and side (0 left, 1 right), -1 for the root. */
  parent: number;
  side: number;
}

export interface GrowInput {
  bins: Bins;
  binned: Uint8Array; // feature-major
  nRows: number;
  grad: Float32Array;
  hess: Float32Array;
  /** Rows used by this tree (a bag); permuted in place into leaf segments. */
  rows: Int32Array;
  /** Features this tree may split on (1) or not (0). */
  featureMask: Uint8Array;
  /** Accumulates the split gain per feature. */
  importance: Float64Array;
}

const STRIDE = 3;

export class TreeGrower {
  private readonly histSize: number;
  private readonly offsets: Int32Array;
  private readonly tmp: Int32Array;

  constructor(
    private readonly bins: Bins,
    nRows: number,
    private readonly p: TreeParams,
  ) {
    this.offsets = new Int32Array(bins.nCols + 1);
    for (let f = 0; f < bins.nCols; f++) this.offsets[f + 1] = this.offsets[f] + bins.nBins[f] * STRIDE;
    this.histSize = this.offsets[bins.nCols];
    this.tmp = new Int32Array(nRows);
  }

  grow(inp: GrowInput): { tree: Tree; leafOfRow: (leafOut: Int32Array) => void } {
    const p = this.p;
    const rows = inp.rows;
    const feature: number[] = [];
    const threshold: number[] = [];
    const left: number[] = [];
    const right: number[] = [];
    const root = this.makeLeaf(inp, 0, rows.length, 0, -1, 0, null);
    const leaves: Leaf[] = [root];
    while (leaves.length < p.maxLeaves) {
      let best = -1;
      for (let l = 0; l < leaves.length; l++) {
        const lf = leaves[l];
        if (lf.feature >= 0 && (best < 0 || lf.gain > leaves[best].gain)) best = l;
      }
      if (best < 0) break;
      const lf = leaves[best];
      const node = feature.length;
      feature.push(lf.feature);
      threshold.push(splitThreshold(this.bins, lf.feature, lf.bin));
      left.push(0);
      right.push(0);
      if (lf.parent >= 0) (lf.side === 0 ? left : right)[lf.parent] = node;
      inp.importance[lf.feature] += lf.gain;
      const mid = this.partition(inp, lf);
      const nl = mid - lf.start;
      const nr = lf.end - mid;
      const smallLeft = nl <= nr;
      const small = smallLeft
        ? this.makeLeaf(inp, lf.start, mid, lf.depth + 1, node, 0, null)
        : this.makeLeaf(inp, mid, lf.end, lf.depth + 1, node, 1, null);
      const big = smallLeft
        ? this.makeLeaf(inp, mid, lf.end, lf.depth + 1, node, 1, subtract(lf.hist, small.hist))
        : this.makeLeaf(inp, lf.start, mid, lf.depth + 1, node, 0, subtract(lf.hist, small.hist));
      leaves[best] = smallLeft ? small : big;
      leaves.push(smallLeft ? big : small);
    }
    // number leaves in order; point parents at ~leaf
    const leafValue = new Float32Array(leaves.length);
    const segs: { start: number; end: number; leaf: number }[] = [];
    leaves.forEach((lf, k) => {
      leafValue[k] = (-lf.g / (lf.h + p.lambda)) * p.learningRate;
      if (lf.parent >= 0) (lf.side === 0 ? left : right)[lf.parent] = ~k;
      segs.push({ start: lf.start, end: lf.end, leaf: k });
    });
    const tree: Tree = {
      feature: Int32Array.from(feature),
      threshold: Float32Array.from(threshold),
      left: Int32Array.from(left),
      right: Int32Array.from(right),
      leafValue,
    };
    if (feature.length === 0) {
      // a single leaf: encode as a stump whose both sides are leaf 0
      tree.feature = Int32Array.of(0);
      tree.threshold = Float32Array.of(Infinity);
      tree.left = Int32Array.of(~0);
      tree.right = Int32Array.of(~0);
    }
    const leafOfRow = (leafOut: Int32Array): void => {
      for (const s of segs) for (let k = s.start; k < s.end; k++) leafOut[rows[k]] = s.leaf;
    };
    return { tree, leafOfRow };
  }

  private makeLeaf(inp: GrowInput, start: number, end: number, depth: number, parent: number, side: number, hist: Float64Array | null): Leaf {
    const h0 = hist ?? this.buildHist(inp, start, end);
    // totals from feature 0's histogram (every row lands in exactly one bin of each feature)
    let g = 0;
    let h = 0;
    for (let o = 0; o < this.offsets[1]; o += STRIDE) {
      g += h0[o];
      h += h0[o + 1];
    }
    const lf: Leaf = { start, end, depth, g, h, hist: h0, gain: 0, feature: -1, bin: -1, parent, side };
    if (depth < this.p.maxDepth && end - start >= 2 * this.p.minSamplesLeaf) this.findSplit(inp, lf);
    return lf;
  }

  private buildHist(inp: GrowInput, start: number, end: number): Float64Array {
    const hist = new Float64Array(this.histSize);
    const { binned, nRows, grad, hess, rows, featureMask } = inp;
    for (let f = 0; f < this.bins.nCols; f++) {
      if (!featureMask[f] && f !== 0) continue; // feature 0 always built: it gives the totals
      const base = f * nRows;
      const off = this.offsets[f];
      for (let k = start; k < end; k++) {
        const r = rows[k];
        const o = off + binned[base + r] * STRIDE;
        hist[o] += grad[r];
        hist[o + 1] += hess[r];
        hist[o + 2] += 1;
      }
    }
    return hist;
  }

  private findSplit(inp: GrowInput, lf: Leaf): void {
    const { lambda, minSamplesLeaf, minHessianLeaf, minGain } = this.p;
    const hist = lf.hist;
    const n = lf.end - lf.start;
    const parentScore = (lf.g * lf.g) / (lf.h + lambda);
    let bestGain = minGain;
    for (let f = 0; f < this.bins.nCols; f++) {
      if (!inp.featureMask[f]) continue;
      const off = this.offsets[f];
      const nb = this.bins.nBins[f];
      let gl = 0;
      let hl = 0;
      let cl = 0;
      for (let b = 0; b < nb - 1; b++) {
        const o = off + b * STRIDE;
        gl += hist[o];
        hl += hist[o + 1];
        cl += hist[o + 2];
        if (cl < minSamplesLeaf || hl < minHessianLeaf) continue;
        const cr = n - cl;
        if (cr < minSamplesLeaf) break;
        const hr = lf.h - hl;
        if (hr < minHessianLeaf) continue;
        const gr = lf.g - gl;
        const gain = 0.5 * ((gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore);
        if (gain > bestGain) {
          bestGain = gain;
          lf.feature = f;
          lf.bin = b;
          lf.gain = gain;
        }
      }
    }
  }

  /** Stable partition of the leaf's rows: bins <= split bin first. Returns the boundary. */
  private partition(inp: GrowInput, lf: Leaf): number {
    const { binned, nRows, rows } = inp;
    const base = lf.feature * nRows;
    const tmp = this.tmp;
    let w = lf.start;
    let t = 0;
    for (let k = lf.start; k < lf.end; k++) {
      const r = rows[k];
      if (binned[base + r] <= lf.bin) rows[w++] = r;
      else tmp[t++] = r;
    }
    for (let k = 0; k < t; k++) rows[w + k] = tmp[k];
    return w;
  }
}

function subtract(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let k = 0; k < a.length; k++) out[k] = a[k] - b[k];
  return out;
}

/** Value of a tree for row r of a row-major matrix. */
export function predictTree(t: Tree, x: Float32Array, rowOff: number): number {
  let node = 0;
  for (;;) {
    const v = x[rowOff + t.feature[node]];
    const c = v <= t.threshold[node] || v !== v ? t.left[node] : t.right[node];
    if (c < 0) return t.leafValue[~c];
    node = c;
  }
}
