/**
 * Fold-in of a user into a trained SVD / SVD++ model from their ratings, item side fixed (mu, b_i,
 * q_i and, for SVD++, the implicit term z of the rated items). Two methods on the same gathered rows
 * (the known rated items' q_i, targets y_k = r_k - offset - b_i - q_i·z, in the kernel arena):
 *
 * - 'sgd': `steps` SGD passes over the ratings in the given order from b_u = 0, p_u = 0, with the
 *   model's lr_bu / lr_pu / reg_bu / reg_pu, as training updates a user (Kernels.foldSgd: WASM SIMD):
 *     e = y_k - b_u - q_i·p_u;  b_u += lr_bu (e - reg_bu b_u);  p_u += lr_pu (e q_i - reg_pu p_u)
 * - 'solve': the regularised least-squares b_u, p_u
 *     minimise Σ_k (y_k - b_u - q_i·p_u)² + n (reg_bu b_u² + reg_pu ‖p_u‖²)
 *   over the n known rated items: one (f+1) x (f+1) Cholesky solve (f x f and b_u = 0 for unbiased
 *   models), then `steps` SGD passes as above. The penalty is n times the per-step one: that is the
 *   fixed point of the SGD passes of training, where each of the n steps of an epoch decays b_u and
 *   p_u by lr x reg. Gram by syrk, solve by cholesky64 / cholSolve64 (WASM SIMD when available).
 *
 * Items unknown to the model are ignored; no known rated item gives b_u = 0, p_u = 0.
 */
import { AffinityError } from '../../core/errors.js';
import type { Kernels } from '../../kernels/index.js';
import type { FoldedUser } from './analysis.js';
import type { FactorState } from './factor-model.js';
import type { SgdRates } from './sgd.js';

export type FoldInMethod = 'solve' | 'sgd';
export const FOLD_IN_METHODS: readonly FoldInMethod[] = ['solve', 'sgd'];

export function foldIn(
  st: FactorState,
  kernels: Kernels,
  itemKnown: Uint8Array,
  items: Int32Array,
  ratings: Float64Array,
  implicit: Float32Array | null,
  rates: SgdRates,
  method: FoldInMethod,
  steps: number,
): FoldedUser {
  const f = st.f;
  const q = st.qi;
  const z = implicit ?? new Float32Array(f);
  let n = 0;
  for (let k = 0; k < items.length; k++) if (itemKnown[items[k]]) n++;
  const vector = new Float32Array(f);
  let bu = 0;
  let rmse = 0;
  if (n > 0) {
    const s = scratchFor(kernels, n, f);
    const { x, y, p } = s;
    for (let k = 0, row = 0; k < items.length; k++) {
      const i = items[k];
      if (!itemKnown[i]) continue;
      const oi = i * f;
      const ox = row * f;
      let dz = 0;
      for (let t = 0; t < f; t++) {
        const v = q[oi + t];
        x[ox + t] = v;
        dz += v * z[t];
      }
      y[row] = ratings[k] - st.offset - st.bi[i] - dz;
      row++;
    }
    p.fill(0, 0, f);
    if (method === 'solve') bu = solve(st.biased, kernels, s, n, f, rates);
    if (steps > 0) bu = kernels.foldSgd(n, f, x, 0, y, 0, p, 0, steps, bu, st.biased ? rates.lrBu : 0, rates.regBu, rates.lrPu, rates.regPu);
    // training RMSE of the result over the known ratings
    let sse = 0;
    for (let k = 0; k < n; k++) {
      let dot = 0;
      for (let t = 0; t < f; t++) dot += x[k * f + t] * p[t];
      const e = y[k] - bu - dot;
      sse += e * e;
    }
    rmse = Math.sqrt(sse / n);
    for (let t = 0; t < f; t++) vector[t] = p[t];
  }
  for (let t = 0; t < f; t++) vector[t] += z[t];
  return { bias: bu, vector, items: items.slice(), rmse };
}

/** The least-squares solve of 'solve' on the gathered rows: p (f32) set, b_u returned. */
function solve(biased: boolean, kernels: Kernels, s: Scratch, n: number, f: number, rates: SgdRates): number {
  const { x, y, p, g, m, b } = s;
  const o = biased ? 1 : 0; // unknown 0 is b_u for biased models
  const d = f + o;
  g.fill(0, 0, f * f);
  kernels.syrk(n, f, 1, x, 0, g, 0);
  // m = [[n (1 + reg_bu), Σ q_i^T], [Σ q_i, Q^T Q + n reg_pu I]]; b = [Σ y_k, Σ y_k q_i]
  m.fill(0, 0, d * d);
  b.fill(0, 0, d);
  for (let r = 0; r < f; r++) for (let c = 0; c < f; c++) m[(r + o) * d + c + o] = g[r * f + c];
  for (let t = 0; t < f; t++) m[(t + o) * d + t + o] += n * rates.regPu;
  for (let k = 0; k < n; k++) {
    const yk = y[k];
    const ox = k * f;
    b[0] += o * yk;
    for (let t = 0; t < f; t++) b[t + o] += yk * x[ox + t];
    if (biased) for (let t = 0; t < f; t++) m[t + 1] += x[ox + t];
  }
  if (biased) {
    m[0] = n * (1 + rates.regBu);
    for (let t = 1; t < d; t++) m[t * d] = m[t];
  }
  if (!kernels.cholesky64(d, m, 0)) {
    throw new AffinityError('E_PARAM', 'foldInUser: the least-squares system is not positive definite (raise reg_pu / reg_bu)', { field: 'reg_pu' });
  }
  kernels.cholSolve64(d, m, 0, b, 0);
  for (let t = 0; t < f; t++) p[t] = b[t + o];
  return biased ? b[0] : 0;
}

interface Scratch {
  /** n x f gathered q_i. */
  x: Float32Array;
  /** n targets. */
  y: Float64Array;
  /** The user vector p_u (f). */
  p: Float32Array;
  /** f x f Gram. */
  g: Float32Array;
  /** (f+1) x (f+1) system and its Cholesky factor. */
  m: Float64Array;
  /** f+1 right-hand side / solution. */
  b: Float64Array;
}
const scratch = new WeakMap<Kernels, Scratch>();

/**
 * Reused arena buffers (allocating and freeing arena blocks per call costs about as much as the
 * solve), grown on demand. Fold-in is synchronous, so one set per kernel set (one per thread) is
 * never used by two calls at once.
 */
function scratchFor(kernels: Kernels, n: number, f: number): Scratch {
  const a = kernels.arena;
  let s = scratch.get(kernels);
  if (!s) {
    const rows = Math.max(n, 256);
    s = { x: a.f32(rows * f), y: a.f64(rows), p: a.f32(f), g: a.f32(f * f), m: a.f64((f + 1) * (f + 1)), b: a.f64(f + 1) };
    scratch.set(kernels, s);
  }
  if (s.y.length < n || s.x.length < n * f) {
    a.free(s.x);
    a.free(s.y);
    const rows = Math.max(n, 2 * s.y.length);
    s.x = a.f32(rows * f);
    s.y = a.f64(rows);
  }
  if (s.p.length < f) {
    for (const arr of [s.p, s.g, s.m, s.b]) a.free(arr);
    s.p = a.f32(f);
    s.g = a.f32(f * f);
    s.m = a.f64((f + 1) * (f + 1));
    s.b = a.f64(f + 1);
  }
  return s;
}
