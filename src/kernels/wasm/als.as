// AssemblyScript: ALS row solvers (see kernels.as, the entry, and src/kernels/ts/als.ts, the reference).
import { dotI, axpyI, xpbyI, zeroI, symvI, scal, syrkLower, cholesky64, cholSolve64, dot2, axpy2, D1, D2 } from './blas';

// ---- ALS row solvers (ranges of rows [start, end), so that threads can split the work) ----

/** Confidence minus one and preference of a stored value (implicit ALS): c = 1 + alpha |v|, p = v > 0. */
@inline function confM1(v: f32, alpha: f32, binary: i32): f32 {
  if (binary) return v != 0 ? alpha : 0;
  return alpha * Mathf.abs(v);
}

/**
 * Implicit ALS, conjugate gradient (Hu et al. 2008; Takacs et al. 2011), warm-started from X:
 * for each row u, `steps` CG steps on (G + sum_i (c_ui - 1) y_i y_i^T) x_u = sum_i c_ui p_ui y_i, where
 * G = Y^T Y + reg I. scratch: 3 f floats.
 */
export function implicitCg(
  indptr: usize, indices: usize, data: usize, y: usize, x: usize, g: usize, f: i32,
  alpha: f32, steps: i32, binary: i32, scratch: usize, start: i32, end: i32,
): void {
  const row = <usize>f << 2;
  const r = scratch;
  const pv = scratch + row;
  const ap = pv + row;
  for (let u = start; u < end; u++) {
    const xu = x + <usize>u * row;
    const s = load<i32>(indptr + (<usize>u << 2));
    const e = load<i32>(indptr + (<usize>(u + 1) << 2));
    symvI(f, g, xu, r);
    scal(f, -1, r);
    // r += sum_i (c p - (c - 1) y_i.x) y_i, two stored cells per pass
    let q = s;
    for (; q + 2 <= e; q += 2) {
      const v1 = load<f32>(data + (<usize>q << 2));
      const v2 = load<f32>(data + (<usize>q << 2), 4);
      const c1 = confM1(v1, alpha, binary);
      const c2 = confM1(v2, alpha, binary);
      const y1 = y + <usize>load<i32>(indices + (<usize>q << 2)) * row;
      const y2 = y + <usize>load<i32>(indices + (<usize>q << 2), 4) * row;
      dot2(f, y1, y2, xu);
      const p1: f32 = v1 > 0 ? c1 + 1 : 0;
      const p2: f32 = v2 > 0 ? c2 + 1 : 0;
      axpy2(f, p1 - c1 * D1, y1, p2 - c2 * D2, y2, r);
    }
    if (q < e) {
      const v = load<f32>(data + (<usize>q << 2));
      const cm1 = confM1(v, alpha, binary);
      const yi = y + <usize>load<i32>(indices + (<usize>q << 2)) * row;
      const pref: f32 = v > 0 ? cm1 + 1 : 0;
      axpyI(f, pref - cm1 * dotI(f, yi, xu), yi, r);
    }
    memory.copy(pv, r, row);
    let rs = dotI(f, r, r);
    for (let it = 0; it < steps; it++) {
      if (rs < 1e-20) break;
      symvI(f, g, pv, ap);
      // ap += sum_i (c - 1) (y_i.p) y_i, pairing the cells with c != 1
      let pend: usize = 0;
      let pendC: f32 = 0;
      for (let q = s; q < e; q++) {
        const cm1 = confM1(load<f32>(data + (<usize>q << 2)), alpha, binary);
        if (cm1 == 0) continue;
        const yi = y + <usize>load<i32>(indices + (<usize>q << 2)) * row;
        if (!pend) {
          pend = yi;
          pendC = cm1;
          continue;
        }
        dot2(f, pend, yi, pv);
        axpy2(f, pendC * D1, pend, cm1 * D2, yi, ap);
        pend = 0;
      }
      if (pend) axpyI(f, pendC * dotI(f, pend, pv), pend, ap);
      const a = rs / dotI(f, pv, ap);
      axpyI(f, a, pv, xu);
      axpyI(f, -a, ap, r);
      const rsNew = dotI(f, r, r);
      xpbyI(f, r, rsNew / rs, pv);
      rs = rsNew;
    }
  }
}

/** Copies an f x f f32 matrix into f64 and factors/solves: x (f32) = A^-1 b, b given in f64. Returns ok. */
@inline function solveDense(f: i32, a32: usize, a64: usize, b64: usize, xu: usize): i32 {
  const ff = f * f;
  for (let k = 0; k < ff; k++) store<f64>(a64 + (<usize>k << 3), <f64>load<f32>(a32 + (<usize>k << 2)));
  if (!cholesky64(f, a64)) return 0;
  cholSolve64(f, a64, b64);
  for (let k = 0; k < f; k++) store<f32>(xu + (<usize>k << 2), <f32>load<f64>(b64 + (<usize>k << 3)));
  return 1;
}

/**
 * Implicit ALS, exact: x_u = (G + sum_i (c-1) y_i y_i^T)^-1 sum_i c p y_i. scratch: f*f*4 + f*f*8 + f*8
 * + 16 f + 16 bytes (8-aligned). Returns the number of rows whose system was not positive definite (left unchanged).
 */
export function implicitChol(
  indptr: usize, indices: usize, data: usize, y: usize, x: usize, g: usize, f: i32,
  alpha: f32, binary: i32, scratch: usize, start: i32, end: i32,
): i32 {
  const row = <usize>f << 2;
  const a32 = scratch;
  const a64 = scratch + <usize>f * row;
  const b64 = a64 + (<usize>(f * f) << 3);
  const gath = (b64 + (<usize>f << 3) + 15) & ~15; // four rows sqrt(c - 1) y_i for syrkLower
  let bad = 0;
  for (let u = start; u < end; u++) {
    const s = load<i32>(indptr + (<usize>u << 2));
    const e = load<i32>(indptr + (<usize>(u + 1) << 2));
    memory.copy(a32, g, <usize>f * row);
    memory.fill(b64, 0, <usize>f << 3);
    let cnt = 0;
    for (let q = s; q < e; q++) {
      const v = load<f32>(data + (<usize>q << 2));
      const cm1 = confM1(v, alpha, binary);
      const yi = y + <usize>load<i32>(indices + (<usize>q << 2)) * row;
      if (cm1 != 0) {
        const w = Mathf.sqrt(cm1);
        const dst = gath + <usize>cnt * row;
        for (let k = 0; k < f; k++) store<f32>(dst + (<usize>k << 2), w * load<f32>(yi + (<usize>k << 2)));
        if (++cnt == 4) {
          syrkLower(4, f, gath, a32);
          cnt = 0;
        }
      }
      if (v > 0) {
        const c = <f64>(cm1 + 1);
        for (let k = 0; k < f; k++) {
          const o = b64 + (<usize>k << 3);
          store<f64>(o, load<f64>(o) + c * <f64>load<f32>(yi + (<usize>k << 2)));
        }
      }
    }
    if (cnt) {
      // rows past cnt are zero so that no stale value (or 0 * NaN) enters
      memory.fill(gath + <usize>cnt * row, 0, <usize>(4 - cnt) * row);
      syrkLower(4, f, gath, a32);
    }
    if (!solveDense(f, a32, a64, b64, x + <usize>u * row)) bad++;
  }
  return bad;
}

/**
 * Explicit ALS with weighted-lambda regularisation (Zhou et al. 2008):
 * x_u = (sum_i y_i y_i^T + lambda n_u I)^-1 sum_i (r_ui - offset) y_i; rows without data get 0.
 * scratch as implicitChol. Returns the number of rows that could not be solved.
 */
export function explicitRows(
  indptr: usize, indices: usize, data: usize, y: usize, x: usize, f: i32,
  lambda: f32, offset: f32, scratch: usize, start: i32, end: i32,
): i32 {
  const row = <usize>f << 2;
  const a32 = scratch;
  const a64 = scratch + <usize>f * row;
  const b64 = a64 + (<usize>(f * f) << 3);
  const gath = (b64 + (<usize>f << 3) + 15) & ~15;
  let bad = 0;
  for (let u = start; u < end; u++) {
    const s = load<i32>(indptr + (<usize>u << 2));
    const e = load<i32>(indptr + (<usize>(u + 1) << 2));
    const xu = x + <usize>u * row;
    if (e == s) {
      zeroI(f, xu);
      continue;
    }
    memory.fill(a32, 0, <usize>f * row);
    memory.fill(b64, 0, <usize>f << 3);
    let cnt = 0;
    for (let q = s; q < e; q++) {
      const yi = y + <usize>load<i32>(indices + (<usize>q << 2)) * row;
      memory.copy(gath + <usize>cnt * row, yi, row);
      if (++cnt == 4) {
        syrkLower(4, f, gath, a32);
        cnt = 0;
      }
      const rv = <f64>(load<f32>(data + (<usize>q << 2)) - offset);
      for (let k = 0; k < f; k++) {
        const o = b64 + (<usize>k << 3);
        store<f64>(o, load<f64>(o) + rv * <f64>load<f32>(yi + (<usize>k << 2)));
      }
    }
    if (cnt) {
      // rows past cnt are zero so that no stale value (or 0 * NaN) enters
      memory.fill(gath + <usize>cnt * row, 0, <usize>(4 - cnt) * row);
      syrkLower(4, f, gath, a32);
    }
    const lam = lambda * <f32>(e - s);
    for (let k = 0; k < f; k++) {
      const o = a32 + <usize>k * row + (<usize>k << 2);
      store<f32>(o, load<f32>(o) + lam);
    }
    if (!solveDense(f, a32, a64, b64, xu)) bad++;
  }
  return bad;
}

/**
 * Implicit ALS data term over rows [start, end): sum_u x_u^T G x_u + sum_i [c (p - s)^2 - s^2], s = x_u.y_i,
 * with G = Y^T Y (no regularisation). scratch: f floats.
 */
export function implicitLoss(
  indptr: usize, indices: usize, data: usize, y: usize, x: usize, g: usize, f: i32,
  alpha: f32, binary: i32, scratch: usize, start: i32, end: i32,
): f64 {
  const row = <usize>f << 2;
  let total: f64 = 0;
  for (let u = start; u < end; u++) {
    const xu = x + <usize>u * row;
    symvI(f, g, xu, scratch);
    total += <f64>dotI(f, xu, scratch);
    const e = load<i32>(indptr + (<usize>(u + 1) << 2));
    for (let q = load<i32>(indptr + (<usize>u << 2)); q < e; q++) {
      const v = load<f32>(data + (<usize>q << 2));
      const c = <f64>confM1(v, alpha, binary) + 1;
      const sc = <f64>dotI(f, xu, y + <usize>load<i32>(indices + (<usize>q << 2)) * row);
      const pref: f64 = v > 0 ? 1 : 0;
      total += c * (pref - sc) * (pref - sc) - sc * sc;
    }
  }
  return total;
}
