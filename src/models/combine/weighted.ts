import { readHistory } from '../history.js';
import { paramError, throwIfAborted } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { topK } from '../../core/topk.js';
import type { Dataset } from '../../data/dataset.js';
import { ndcgAt, relevantSet } from '../../eval/metrics.js';
import type { SavedParts } from '../base.js';
import type { BaseRecommender } from '../base.js';
import { scoreKnownUser } from '../../coldstart/history.js';
import type { ParamSpecs } from '../params.js';
import type { AnyTypedArray, FitOptions, FitReport } from '../recommender.js';
import { CompositeRecommender, historyOf, minMaxNormalise, parseComponents, parseNumbers, zNormalise } from './composite.js';

export const WEIGHTED_PARAMS: ParamSpecs = {
  models: { default: 'als+popularity', doc: "Component models joined by '+' (their params after ';', e.g. ease;lambda=200+popularity)." },
  weights: { default: '', doc: "mode 'fixed': one weight per component joined by '+', e.g. 0.7+0.3 (default: equal weights)." },
  mode: {
    default: 'fixed',
    choices: ['fixed', 'learned', 'history'],
    doc: "'fixed': the given weights; 'learned': weights chosen by grid search (step 0.1 on the simplex) maximising NDCG@10 on a validation split carved from the training data; 'history': two components (content/cold first, CF second), CF weight = sigmoid(steepness * (n - pivot)) for a user with n interactions.",
  },
  normalise: { default: 'minmax', choices: ['minmax', 'z'], doc: 'Per-user score normalisation before mixing: min-max to [0,1] or z-score.' },
  pivot: { default: 5, min: 0, doc: "mode 'history': history length at which both components weigh 1/2." },
  steepness: { default: 0.7, min: 0, doc: "mode 'history': slope of the sigmoid blend per interaction." },
  validationFraction: { default: 0.2, min: 0.01, max: 0.9, doc: "mode 'learned': per-user fraction of rows held out for validation (users with >= 5 rows)." },
  validationUsers: { default: 500, min: 10, integer: true, doc: "mode 'learned': at most this many validation users (seeded sample)." },
  seed: { default: 42, integer: true, doc: 'Seed of the validation split.' },
};

/**
 * Weighted hybrid: a weighted sum of per-user normalised component scores, with fixed weights,
 * weights learned on a validation split, or a per-user sigmoid blend by history length.
 */
export class WeightedHybrid extends CompositeRecommender {
  weights: Float64Array = new Float64Array(0);

  protected componentSpecs(): { name: string; params: Record<string, string> }[] {
    return parseComponents(`${this.name}.models`, String(this.params.models));
  }

  protected async train(data: Dataset, opts: FitOptions): Promise<Partial<FitReport>> {
    const specs = this.componentSpecs();
    const k = specs.length;
    const mode = String(this.params.mode);
    if (mode === 'history' && k !== 2) throw paramError(`${this.name}.models`, this.params.models, "two components in mode 'history' (content/cold first, CF second)");
    const w = String(this.params.weights);
    this.weights = Float64Array.from(w ? parseNumbers(`${this.name}.weights`, w, k) : new Array<number>(k).fill(1 / k));
    if (mode === 'learned') this.weights = Float64Array.from(await this.learnWeights(data, opts));
    throwIfAborted(opts.signal);
    await this.fitComponents(data, opts);
    return {};
  }

  /** Grid search over the weight simplex (step 0.1) on a per-user validation split of `data`. */
  private async learnWeights(data: Dataset, opts: FitOptions): Promise<number[]> {
    const rng = new Rng(Number(this.params.seed));
    const frac = Number(this.params.validationFraction);
    const trainRows: number[] = [];
    const valOf = new Map<number, number[]>();
    // row positions per user
    const byUser: number[][] = Array.from({ length: data.nUsers }, () => []);
    for (let r = 0; r < data.size; r++) byUser[data.user[r]].push(r);
    for (let u = 0; u < data.nUsers; u++) {
      const rows = byUser[u];
      if (rows.length < 5) {
        for (const r of rows) trainRows.push(r);
        continue;
      }
      const perm = rng.permutation(rows.length);
      const nVal = Math.max(1, Math.round(rows.length * frac));
      const val: number[] = [];
      for (let t = 0; t < rows.length; t++) (t < nVal ? val : trainRows).push(rows[perm[t]]);
      valOf.set(u, val.map((r) => data.item[r]));
    }
    const train = data.subset(trainRows);
    const comps = this.buildComponents();
    for (const c of comps) await c.fit(train, opts);
    let users = [...valOf.keys()];
    const cap = Number(this.params.validationUsers);
    if (users.length > cap) {
      const p = rng.permutation(users.length);
      users = Array.from(p.subarray(0, cap), (i) => users[i]).sort((a, b) => a - b);
    }
    const k = comps.length;
    const n = data.nItems;
    const seen = train.csr();
    // normalised component scores per validation user, kept for the grid
    const cached = users.map((u) => {
      const per = comps.map((c) => {
        const s = new Float32Array(n);
        c.scoreAll(u, s);
        this.normalise(s);
        return s;
      });
      return { u, per, rel: relevantSet(Int32Array.from(new Set(valOf.get(u)))) };
    });
    const grid = simplexGrid(k, 10);
    let best = grid[0];
    let bestScore = -1;
    const mix = new Float32Array(n);
    for (const g of grid) {
      throwIfAborted(opts.signal);
      let total = 0;
      for (const c of cached) {
        mix.fill(0);
        for (let j = 0; j < k; j++) {
          const wj = g[j];
          if (wj === 0) continue;
          const s = c.per[j];
          for (let i = 0; i < n; i++) mix[i] += wj * s[i];
        }
        for (let p = seen.indptr[c.u]; p < seen.indptr[c.u + 1]; p++) mix[seen.indices[p]] = -Infinity;
        total += ndcgAt(topK(mix, 10).items, c.rel, 10);
      }
      if (total > bestScore + 1e-12) {
        bestScore = total;
        best = g;
      }
    }
    opts.onProgress?.({ phase: 'weights', done: 1, total: 1, metrics: { validationNdcg10: cached.length ? bestScore / cached.length : 0 } });
    return best;
  }

  private normalise(s: Float32Array): void {
    if (this.params.normalise === 'z') zNormalise(s);
    else minMaxNormalise(s);
  }

  /** Component weights for a user with `n` interactions. */
  weightsFor(n: number): Float64Array {
    if (this.params.mode !== 'history') return this.weights;
    const wcf = 1 / (1 + Math.exp(-Number(this.params.steepness) * (n - Number(this.params.pivot))));
    return Float64Array.of(1 - wcf, wcf);
  }

  private mix(w: Float64Array, fill: (c: BaseRecommender, out: Float32Array) => void, out: Float32Array): void {
    out.fill(0);
    const tmp = this.buf(0);
    this.components.forEach((c, j) => {
      if (w[j] === 0) return;
      fill(c, tmp);
      this.normalise(tmp);
      const wj = w[j];
      for (let i = 0; i < out.length; i++) out[i] += wj * tmp[i];
    });
  }

  scoreAll(user: number, out: Float32Array): void {
    this.assertFitted();
    const n = this.hasHistory(user) ? this.seen.indptr[user + 1] - this.seen.indptr[user] : 0;
    this.mix(this.weightsFor(n), (c, o) => c.scoreAll(user, o), out);
  }

  override scoreHistory(rawItems: ArrayLike<number>, rawValues: ArrayLike<number> | null, out: Float32Array): void {
    this.assertFitted();
    const { items, values } = readHistory(this.name, this.nItems, rawItems, rawValues);
    this.mix(this.weightsFor(items.length), (c, o) => historyOf(c, items, values, o), out);
  }

  /** For a user without training rows who gave `items` (features + history, see coldstart/history.ts). */
  scoreUserHistory(user: number, rawItems: ArrayLike<number>, rawValues: ArrayLike<number> | null, out: Float32Array): void {
    this.assertFitted();
    const { items, values } = readHistory(this.name, this.nItems, rawItems, rawValues);
    this.mix(this.weightsFor(items.length), (c, o) => scoreKnownUser(c, user, items, values, o), out);
  }

  protected override ownParts(): { meta: Record<string, unknown>; arrays: Record<string, AnyTypedArray> } {
    return { meta: {}, arrays: { weights: this.weights } };
  }
  protected override loadOwnParts(parts: SavedParts): void {
    const w = parts.arrays.weights;
    this.weights = w instanceof Float64Array ? w : new Float64Array(this.components.length).fill(1 / this.components.length);
  }
}

/** All weight vectors of k components on the simplex with the given number of steps (k = 1: [1]). */
export function simplexGrid(k: number, steps: number): number[][] {
  const out: number[][] = [];
  const rec = (prefix: number[], left: number): void => {
    if (prefix.length === k - 1) {
      out.push([...prefix, left / steps]);
      return;
    }
    for (let a = 0; a <= left; a++) rec([...prefix, a / steps], left - a);
  };
  rec([], steps);
  return out;
}
