/**
 * Gradient-boosted regression trees on typed arrays: quantile-binned histograms, leaf-wise trees,
 * row bagging and feature subsampling per tree, L2 on leaf values; objectives squared error,
 * logistic and LambdaMART. Deterministic given `seed`.
 */
import { AffinityError, paramError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { checkShape, type FeatureSchema, type Ranker, type RankerState, type RankingData } from '../types.js';
import { binMatrix, fitBins } from './binning.js';
import { initialScore, lambdaGradients, maxDcg, pointGradients, type ObjectiveName } from './objectives.js';
import { predictTree, TreeGrower, type Tree } from './tree.js';

export interface GbdtParams {
  objective: ObjectiveName;
  nTrees: number;
  learningRate: number;
  maxLeaves: number;
  maxDepth: number;
  minSamplesLeaf: number;
  minHessianLeaf: number;
  /** L2 penalty on leaf values. */
  lambda: number;
  minGain: number;
  /** Each row joins a tree's bag with this probability (bagging without replacement). */
  subsample: number;
  /** Fraction of features each tree may split on. */
  featureFraction: number;
  maxBins: number;
  /** LambdaMART: sigmoid steepness, NDCG truncation, per-query gradient normalisation. */
  sigma: number;
  truncation: number;
  norm: boolean;
  seed: number;
}

export const GBDT_DEFAULTS: GbdtParams = {
  objective: 'lambdarank',
  nTrees: 100,
  learningRate: 0.1,
  maxLeaves: 31,
  maxDepth: 8,
  minSamplesLeaf: 20,
  minHessianLeaf: 1e-3,
  lambda: 1,
  minGain: 0,
  subsample: 1,
  featureFraction: 1,
  maxBins: 64,
  sigma: 1,
  truncation: 20,
  norm: true,
  seed: 1,
};

function checkParams(p: GbdtParams): void {
  if (!['squared', 'logistic', 'lambdarank'].includes(p.objective)) throw paramError('objective', p.objective, "'squared', 'logistic' or 'lambdarank'");
  const int = (k: keyof GbdtParams, min: number): void => {
    const v = p[k];
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= min)) throw paramError(k, v, `an integer >= ${min}`);
  };
  const frac = (k: keyof GbdtParams): void => {
    const v = p[k];
    if (!(typeof v === 'number' && v > 0 && v <= 1)) throw paramError(k, v, 'a number in (0, 1]');
  };
  int('nTrees', 1);
  int('maxLeaves', 2);
  int('maxDepth', 1);
  int('minSamplesLeaf', 1);
  int('truncation', 1);
  int('maxBins', 3);
  frac('subsample');
  frac('featureFraction');
  if (!(p.learningRate > 0)) throw paramError('learningRate', p.learningRate, 'a positive number');
  if (!(p.lambda >= 0)) throw paramError('lambda', p.lambda, 'a number >= 0');
  if (!(p.sigma > 0)) throw paramError('sigma', p.sigma, 'a positive number');
  if (!(p.minGain >= 0) || !(p.minHessianLeaf >= 0)) throw paramError('minGain', p.minGain, 'numbers >= 0 for minGain and minHessianLeaf');
}

export interface GbdtTrainOptions {
  /** Called after each tree with the training loss (objective 'squared'/'logistic') or NDCG (lambdarank). */
  onTree?: (tree: number, metric: number) => void;
}

export class Gbdt implements Ranker {
  readonly kind = 'gbdt';
  private constructor(
    readonly params: GbdtParams,
    readonly schema: FeatureSchema,
    readonly initScore: number,
    readonly trees: Tree[],
    /** Total split gain per feature (aligned with schema.names). */
    readonly importance: Float64Array,
  ) {}

  static train(data: RankingData, params: Partial<GbdtParams> = {}, opts: GbdtTrainOptions = {}): Gbdt {
    const p: GbdtParams = { ...GBDT_DEFAULTS, ...params };
    checkParams(p);
    const { features: x, nRows, nCols, labels, groupPtr } = data;
    checkShape(data.schema, x, nRows, nCols, 'Gbdt.train');
    if (nRows === 0) throw new AffinityError('E_EMPTY', 'Gbdt.train: no training rows');
    if (labels.length !== nRows) throw paramError('labels', labels.length, `${nRows} labels, one per row`);
    if (groupPtr[0] !== 0 || groupPtr[groupPtr.length - 1] !== nRows) throw paramError('groupPtr', [groupPtr[0], groupPtr[groupPtr.length - 1]], `query boundaries from 0 to ${nRows}`);
    const rng = new Rng(p.seed);
    const bins = fitBins(x, nRows, nCols, p.maxBins, 100_000, p.seed);
    const binned = binMatrix(bins, x, nRows);
    const grower = new TreeGrower(bins, nRows, p);
    const init = initialScore(p.objective, labels);
    const scores = new Float64Array(nRows).fill(init);
    const grad = new Float32Array(nRows);
    const hess = new Float32Array(nRows);
    const importance = new Float64Array(nCols);
    const nq = groupPtr.length - 1;
    const invMax = new Float64Array(nq);
    if (p.objective === 'lambdarank') {
      for (let q = 0; q < nq; q++) {
        const m = maxDcg(labels, groupPtr[q], groupPtr[q + 1], p.truncation);
        invMax[q] = m > 0 ? 1 / m : 0;
      }
    }
    const trees: Tree[] = [];
    const nBag = p.subsample < 1 ? Math.max(1, Math.round(p.subsample * nRows)) : nRows;
    const bag = new Int32Array(nRows);
    const leafIdx = new Int32Array(nRows);
    const nFeat = Math.max(1, Math.round(p.featureFraction * nCols));
    const mask = new Uint8Array(nCols);
    for (let t = 0; t < p.nTrees; t++) {
      const metric =
        p.objective === 'lambdarank'
          ? lambdaGradients(labels, scores, groupPtr, grad, hess, p, invMax)
          : pointGradients(p.objective, labels, scores, grad, hess);
      let rows: Int32Array;
      if (nBag < nRows) {
        // Bernoulli bag: each row with probability `subsample`, in row order (no sort needed)
        let m = 0;
        for (let r = 0; r < nRows; r++) if (rng.next() < p.subsample) bag[m++] = r;
        rows = bag.subarray(0, Math.max(1, m));
      } else {
        for (let r = 0; r < nRows; r++) bag[r] = r;
        rows = bag;
      }
      if (nFeat < nCols) {
        mask.fill(0);
        const perm = rng.permutation(nCols);
        for (let k = 0; k < nFeat; k++) mask[perm[k]] = 1;
      } else mask.fill(1);
      const { tree, leafOfRow } = grower.grow({ bins, binned, nRows, grad, hess, rows, featureMask: mask, importance });
      trees.push(tree);
      // rows of the bag: their leaf is known from the partition; the others walk the tree
      leafIdx.fill(-1);
      leafOfRow(leafIdx);
      for (let r = 0; r < nRows; r++) {
        const l = leafIdx[r];
        scores[r] += l >= 0 ? tree.leafValue[l] : predictTree(tree, x, r * nCols);
      }
      opts.onTree?.(t, metric);
    }
    return new Gbdt(p, data.schema, init, trees, importance);
  }

  score(features: Float32Array, nRows: number, nCols: number): Float32Array {
    checkShape(this.schema, features, nRows, nCols, 'Gbdt.score');
    const out = new Float32Array(nRows);
    const trees = this.trees;
    for (let r = 0; r < nRows; r++) {
      const off = r * nCols;
      let s = this.initScore;
      for (let t = 0; t < trees.length; t++) s += predictTree(trees[t], features, off);
      out[r] = s;
    }
    return out;
  }

  /** Features by total gain, best first. */
  featureImportance(): { name: string; gain: number }[] {
    return this.schema.names.map((name, k) => ({ name, gain: this.importance[k] })).sort((a, b) => b.gain - a.gain);
  }

  toJSON(): RankerState {
    return {
      format: 'affinity-ranker',
      formatVersion: 1,
      kind: this.kind,
      schema: this.schema,
      params: this.params,
      initScore: this.initScore,
      importance: Array.from(this.importance),
      trees: this.trees.map((t) => ({
        feature: Array.from(t.feature),
        threshold: Array.from(t.threshold, (v) => (v === -Infinity ? null : v === Infinity ? 'inf' : v)),
        left: Array.from(t.left),
        right: Array.from(t.right),
        leafValue: Array.from(t.leafValue),
      })),
    };
  }

  static fromJSON(s: RankerState, where = 'ranker'): Gbdt {
    const bad = (what: string): AffinityError => new AffinityError('E_MODEL_FILE', `${where}: ${what}; expected a GBDT ranker state`, { file: where });
    if (!Array.isArray(s.trees) || typeof s.initScore !== 'number' || typeof s.params !== 'object' || s.params === null) throw bad('missing trees, initScore or params');
    const nCols = s.schema.names.length;
    const trees = (s.trees as Record<string, unknown>[]).map((t, k): Tree => {
      const nums = (key: string): number[] => {
        const a = t[key];
        if (!Array.isArray(a)) throw bad(`tree ${k}: no ${key}`);
        return a as number[];
      };
      const tree: Tree = {
        feature: Int32Array.from(nums('feature')),
        threshold: Float32Array.from(nums('threshold') as unknown[], (v) => (v === null ? -Infinity : v === 'inf' ? Infinity : Number(v))),
        left: Int32Array.from(nums('left')),
        right: Int32Array.from(nums('right')),
        leafValue: Float32Array.from(nums('leafValue')),
      };
      const n = tree.feature.length;
      if (tree.threshold.length !== n || tree.left.length !== n || tree.right.length !== n) throw bad(`tree ${k}: node arrays of different lengths`);
      for (let i = 0; i < n; i++) {
        if (tree.feature[i] < 0 || tree.feature[i] >= nCols) throw bad(`tree ${k}: feature ${tree.feature[i]} out of range`);
        for (const c of [tree.left[i], tree.right[i]]) if (c >= n || (c >= 0 && c <= i) || ~c >= tree.leafValue.length) throw bad(`tree ${k}: bad child ${c}`);
      }
      return tree;
    });
    const imp = Array.isArray(s.importance) ? Float64Array.from(s.importance as number[]) : new Float64Array(nCols);
    return new Gbdt({ ...GBDT_DEFAULTS, ...(s.params as Partial<GbdtParams>) }, s.schema, s.initScore, trees, imp);
  }
}
