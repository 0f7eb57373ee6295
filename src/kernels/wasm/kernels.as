// AssemblyScript source of the WASM SIMD kernels (compiled by scripts/build-wasm.mjs to kernels.wasm).
// Every pointer is a byte address in the one (shared) linear memory; matrices are row-major f32 unless
// named *64. Lengths need not be multiples of 4: each loop has a scalar tail. Mirrors src/kernels/ts/.
// The file has an .as extension so that tsc/esbuild (which see src/**/*.ts) leave it alone.

export function heapBase(): usize {
  return __heap_base;
}

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

@inline function dotI(n: i32, x: usize, y: usize): f32 {
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    a0 = f32x4.add(a0, f32x4.mul(v128.load(x + o), v128.load(y + o)));
    a1 = f32x4.add(a1, f32x4.mul(v128.load(x + o, 16), v128.load(y + o, 16)));
  }
  if (i + 4 <= n) {
    const o = <usize>i << 2;
    a0 = f32x4.add(a0, f32x4.mul(v128.load(x + o), v128.load(y + o)));
    i += 4;
  }
  let s = hsum(f32x4.add(a0, a1));
  for (; i < n; i++) {
    const o = <usize>i << 2;
    s += load<f32>(x + o) * load<f32>(y + o);
  }
  return s;
}

/** y += a * x */
@inline function axpyI(n: i32, a: f32, x: usize, y: usize): void {
  const va = f32x4.splat(a);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(va, v128.load(x + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + a * load<f32>(x + o));
  }
}

/** y = x + b * y (CG direction update) */
@inline function xpbyI(n: i32, x: usize, b: f32, y: usize): void {
  const vb = f32x4.splat(b);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(v128.load(x + o), f32x4.mul(vb, v128.load(y + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(x + o) + b * load<f32>(y + o));
  }
}

@inline function zeroI(n: i32, x: usize): void {
  memory.fill(x, 0, <usize>n << 2);
}

/**
 * out = G v for a symmetric f x f matrix G: out = sum_k v[k] G[k,:], 32 outputs at a time held in
 * eight accumulators, then 4 at a time, then a scalar tail (row j . v, G being symmetric).
 */
@inline function symvI(f: i32, g: usize, v: usize, out: usize): void {
  const row = <usize>f << 2;
  let c = 0;
  for (; c + 32 <= f; c += 32) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
    let q = g + (<usize>c << 2);
    for (let k = 0; k < f; k++) {
      const s = v128.load32_splat(v + (<usize>k << 2));
      a0 = f32x4.add(a0, f32x4.mul(s, v128.load(q)));
      a1 = f32x4.add(a1, f32x4.mul(s, v128.load(q, 16)));
      a2 = f32x4.add(a2, f32x4.mul(s, v128.load(q, 32)));
      a3 = f32x4.add(a3, f32x4.mul(s, v128.load(q, 48)));
      a4 = f32x4.add(a4, f32x4.mul(s, v128.load(q, 64)));
      a5 = f32x4.add(a5, f32x4.mul(s, v128.load(q, 80)));
      a6 = f32x4.add(a6, f32x4.mul(s, v128.load(q, 96)));
      a7 = f32x4.add(a7, f32x4.mul(s, v128.load(q, 112)));
      q += row;
    }
    const o = out + (<usize>c << 2);
    v128.store(o, a0);
    v128.store(o, a1, 16);
    v128.store(o, a2, 32);
    v128.store(o, a3, 48);
    v128.store(o, a4, 64);
    v128.store(o, a5, 80);
    v128.store(o, a6, 96);
    v128.store(o, a7, 112);
  }
  for (; c + 4 <= f; c += 4) {
    let a0 = f32x4.splat(0);
    let q = g + (<usize>c << 2);
    for (let k = 0; k < f; k++) {
      a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(v + (<usize>k << 2)), v128.load(q)));
      q += row;
    }
    v128.store(out + (<usize>c << 2), a0);
  }
  for (; c < f; c++) store<f32>(out + (<usize>c << 2), dotI(f, g + <usize>c * row, v));
}

export function dot(n: i32, x: usize, y: usize): f32 {
  return dotI(n, x, y);
}

export function axpy(n: i32, a: f32, x: usize, y: usize): void {
  axpyI(n, a, x, y);
}

export function scal(n: i32, a: f32, x: usize): void {
  const va = f32x4.splat(a);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(x + o, f32x4.mul(va, v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, a * load<f32>(x + o));
  }
}

/** out[i] = dot(M[i,:], v) for four consecutive rows at once, then the remainder. */
export function scoreRows(nRows: i32, f: i32, m: usize, v: usize, out: usize): void {
  const row = <usize>f << 2;
  let r = 0;
  for (; r + 4 <= nRows; r += 4) {
    const m0 = m + <usize>r * row;
    const m1 = m0 + row;
    const m2 = m1 + row;
    const m3 = m2 + row;
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let a2 = f32x4.splat(0);
    let a3 = f32x4.splat(0);
    let k = 0;
    for (; k + 4 <= f; k += 4) {
      const o = <usize>k << 2;
      const vv = v128.load(v + o);
      a0 = f32x4.add(a0, f32x4.mul(vv, v128.load(m0 + o)));
      a1 = f32x4.add(a1, f32x4.mul(vv, v128.load(m1 + o)));
      a2 = f32x4.add(a2, f32x4.mul(vv, v128.load(m2 + o)));
      a3 = f32x4.add(a3, f32x4.mul(vv, v128.load(m3 + o)));
    }
    let s0 = hsum(a0);
    let s1 = hsum(a1);
    let s2 = hsum(a2);
    let s3 = hsum(a3);
    for (; k < f; k++) {
      const o = <usize>k << 2;
      const x = load<f32>(v + o);
      s0 += x * load<f32>(m0 + o);
      s1 += x * load<f32>(m1 + o);
      s2 += x * load<f32>(m2 + o);
      s3 += x * load<f32>(m3 + o);
    }
    const q = out + (<usize>r << 2);
    store<f32>(q, s0);
    store<f32>(q, s1, 4);
    store<f32>(q, s2, 8);
    store<f32>(q, s3, 12);
  }
  for (; r < nRows; r++) store<f32>(out + (<usize>r << 2), dotI(f, m + <usize>r * row, v));
}

/**
 * Batched scoring: out[u * nItems + i] = U[u,:] . Y[i,:] for nUsers user rows, tiled over items so a
 * tile of Y stays in cache while every user of the block is scored against it.
 */
export function scoreBlock(nUsers: i32, u: usize, nItems: i32, y: usize, f: i32, out: usize): void {
  const row = <usize>f << 2;
  const TILE = 256;
  for (let t = 0; t < nItems; t += TILE) {
    const n = min(TILE, nItems - t);
    for (let j = 0; j < nUsers; j++) {
      scoreRows(n, f, y + <usize>t * row, u + <usize>j * row, out + ((<usize>j * <usize>nItems + <usize>t) << 2));
    }
  }
}

/** A += alpha * X^T X for X (k x f, row-major), A f x f (full, symmetric). Four rows per pass. */
export function syrk(k: i32, f: i32, alpha: f32, x: usize, a: usize): void {
  const row = <usize>f << 2;
  let r = 0;
  for (; r + 4 <= k; r += 4) {
    const x0 = x + <usize>r * row;
    const x1 = x0 + row;
    const x2 = x1 + row;
    const x3 = x2 + row;
    for (let j = 0; j < f; j++) {
      const o = <usize>j << 2;
      const c0 = f32x4.splat(alpha * load<f32>(x0 + o));
      const c1 = f32x4.splat(alpha * load<f32>(x1 + o));
      const c2 = f32x4.splat(alpha * load<f32>(x2 + o));
      const c3 = f32x4.splat(alpha * load<f32>(x3 + o));
      const ar = a + <usize>j * row;
      let i = 0;
      for (; i + 4 <= f; i += 4) {
        const p = <usize>i << 2;
        let s = f32x4.add(f32x4.mul(c0, v128.load(x0 + p)), f32x4.mul(c1, v128.load(x1 + p)));
        s = f32x4.add(s, f32x4.add(f32x4.mul(c2, v128.load(x2 + p)), f32x4.mul(c3, v128.load(x3 + p))));
        v128.store(ar + p, f32x4.add(v128.load(ar + p), s));
      }
      for (; i < f; i++) {
        const p = <usize>i << 2;
        const s0 = f32x4.extract_lane(c0, 0) * load<f32>(x0 + p) + f32x4.extract_lane(c1, 0) * load<f32>(x1 + p);
        const s1 = f32x4.extract_lane(c2, 0) * load<f32>(x2 + p) + f32x4.extract_lane(c3, 0) * load<f32>(x3 + p);
        store<f32>(ar + p, load<f32>(ar + p) + (s0 + s1));
      }
    }
  }
  for (; r < k; r++) {
    const xr = x + <usize>r * row;
    for (let j = 0; j < f; j++) axpyI(f, alpha * load<f32>(xr + (<usize>j << 2)), xr, a + <usize>j * row);
  }
}

/** G = X^T X (k x f rows), G f x f. */
export function gram(k: i32, f: i32, x: usize, g: usize): void {
  zeroI(f * f, g);
  syrk(k, f, 1, x, g);
}

// ---- Cholesky (lower, in place, row-major); returns 0 when the matrix is not positive definite ----

@inline function dot64(n: i32, x: usize, y: usize): f64 {
  let a = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    a = f64x2.add(a, f64x2.mul(v128.load(x + o), v128.load(y + o)));
  }
  let s = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
  if (i < n) {
    const o = <usize>i << 3;
    s += load<f64>(x + o) * load<f64>(y + o);
  }
  return s;
}

export function cholesky64(f: i32, a: usize): i32 {
  const row = <usize>f << 3;
  for (let j = 0; j < f; j++) {
    const aj = a + <usize>j * row;
    const d = load<f64>(aj + (<usize>j << 3)) - dot64(j, aj, aj);
    if (!(d > 0)) return 0;
    const l = Math.sqrt(d);
    store<f64>(aj + (<usize>j << 3), l);
    const inv = 1 / l;
    for (let i = j + 1; i < f; i++) {
      const ai = a + <usize>i * row;
      const p = ai + (<usize>j << 3);
      store<f64>(p, (load<f64>(p) - dot64(j, ai, aj)) * inv);
    }
  }
  return 1;
}

/** Solves (L L^T) x = b in place in b, L from cholesky64 (upper triangle ignored). */
export function cholSolve64(f: i32, l: usize, b: usize): void {
  const row = <usize>f << 3;
  for (let i = 0; i < f; i++) {
    const li = l + <usize>i * row;
    const p = b + (<usize>i << 3);
    store<f64>(p, (load<f64>(p) - dot64(i, li, b)) / load<f64>(li + (<usize>i << 3)));
  }
  for (let i = f - 1; i >= 0; i--) {
    const li = l + <usize>i * row;
    const p = b + (<usize>i << 3);
    const xi = load<f64>(p) / load<f64>(li + (<usize>i << 3));
    store<f64>(p, xi);
    const vx = f64x2.splat(-xi);
    let k = 0;
    for (; k + 2 <= i; k += 2) {
      const o = <usize>k << 3;
      v128.store(b + o, f64x2.add(v128.load(b + o), f64x2.mul(vx, v128.load(li + o))));
    }
    if (k < i) {
      const o = <usize>k << 3;
      store<f64>(b + o, load<f64>(b + o) - xi * load<f64>(li + o));
    }
  }
}

export function cholesky32(f: i32, a: usize): i32 {
  const row = <usize>f << 2;
  for (let j = 0; j < f; j++) {
    const aj = a + <usize>j * row;
    const d = load<f32>(aj + (<usize>j << 2)) - dotI(j, aj, aj);
    if (!(d > 0)) return 0;
    const l = Mathf.sqrt(d);
    store<f32>(aj + (<usize>j << 2), l);
    const inv: f32 = 1 / l;
    for (let i = j + 1; i < f; i++) {
      const ai = a + <usize>i * row;
      const p = ai + (<usize>j << 2);
      store<f32>(p, (load<f32>(p) - dotI(j, ai, aj)) * inv);
    }
  }
  return 1;
}

export function cholSolve32(f: i32, l: usize, b: usize): void {
  const row = <usize>f << 2;
  for (let i = 0; i < f; i++) {
    const li = l + <usize>i * row;
    const p = b + (<usize>i << 2);
    store<f32>(p, (load<f32>(p) - dotI(i, li, b)) / load<f32>(li + (<usize>i << 2)));
  }
  for (let i = f - 1; i >= 0; i--) {
    const li = l + <usize>i * row;
    const p = b + (<usize>i << 2);
    const xi = load<f32>(p) / load<f32>(li + (<usize>i << 2));
    store<f32>(p, xi);
    axpyI(i, -xi, li, b);
  }
}

// ---- sparse x dense ----

/** out[r,:] = sum_p data[p] * B[indices[p],:] over the rows of a CSR matrix (out nRows x f). */
export function csrDense(nRows: i32, indptr: usize, indices: usize, data: usize, b: usize, f: i32, out: usize): void {
  const row = <usize>f << 2;
  for (let r = 0; r < nRows; r++) {
    const o = out + <usize>r * row;
    zeroI(f, o);
    const e = load<i32>(indptr + (<usize>(r + 1) << 2));
    for (let p = load<i32>(indptr + (<usize>r << 2)); p < e; p++) {
      axpyI(f, load<f32>(data + (<usize>p << 2)), b + <usize>load<i32>(indices + (<usize>p << 2)) * row, o);
    }
  }
}

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
    for (let q = s; q < e; q++) {
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
      for (let q = s; q < e; q++) {
        const cm1 = confM1(load<f32>(data + (<usize>q << 2)), alpha, binary);
        if (cm1 == 0) continue;
        const yi = y + <usize>load<i32>(indices + (<usize>q << 2)) * row;
        axpyI(f, cm1 * dotI(f, yi, pv), yi, ap);
      }
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
 * bytes (8-aligned). Returns the number of rows whose system was not positive definite (left unchanged).
 */
export function implicitChol(
  indptr: usize, indices: usize, data: usize, y: usize, x: usize, g: usize, f: i32,
  alpha: f32, binary: i32, scratch: usize, start: i32, end: i32,
): i32 {
  const row = <usize>f << 2;
  const a32 = scratch;
  const a64 = scratch + <usize>f * row;
  const b64 = a64 + (<usize>(f * f) << 3);
  let bad = 0;
  for (let u = start; u < end; u++) {
    const s = load<i32>(indptr + (<usize>u << 2));
    const e = load<i32>(indptr + (<usize>(u + 1) << 2));
    memory.copy(a32, g, <usize>f * row);
    memory.fill(b64, 0, <usize>f << 3);
    for (let q = s; q < e; q++) {
      const v = load<f32>(data + (<usize>q << 2));
      const cm1 = confM1(v, alpha, binary);
      const yi = y + <usize>load<i32>(indices + (<usize>q << 2)) * row;
      if (cm1 != 0) syrk(1, f, cm1, yi, a32);
      if (v > 0) {
        const c = <f64>(cm1 + 1);
        for (let k = 0; k < f; k++) {
          const o = b64 + (<usize>k << 3);
          store<f64>(o, load<f64>(o) + c * <f64>load<f32>(yi + (<usize>k << 2)));
        }
      }
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
    for (let q = s; q < e; q++) {
      const yi = y + <usize>load<i32>(indices + (<usize>q << 2)) * row;
      syrk(1, f, 1, yi, a32);
      const rv = <f64>(load<f32>(data + (<usize>q << 2)) - offset);
      for (let k = 0; k < f; k++) {
        const o = b64 + (<usize>k << 3);
        store<f64>(o, load<f64>(o) + rv * <f64>load<f32>(yi + (<usize>k << 2)));
      }
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

// ---- batched scoring on packed item panels, top-K selection ----

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
