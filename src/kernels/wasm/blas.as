// AssemblyScript source of the WASM SIMD kernels, BLAS part (kernels.as is the entry that build-wasm compiles).
// Every pointer is a byte address in the one (shared) linear memory; matrices are row-major f32 unless
// named *64. Lengths need not be multiples of 4: each loop has a scalar tail. Mirrors src/kernels/ts/.
// The file has an .as extension so that tsc/esbuild (which see src/**/*.ts) leave it alone.

export function heapBase(): usize {
  return __heap_base;
}

@inline export function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

@inline export function dotI(n: i32, x: usize, y: usize): f32 {
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

/** Results of dot2 (wasm globals: one pair per instance, i.e. per thread). */
export let D1: f32 = 0;
export let D2: f32 = 0;

/** D1 = x1 . y, D2 = x2 . y in one pass over y (two rows against one vector). */
@inline export function dot2(n: i32, x1: usize, x2: usize, y: usize): void {
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let b0 = f32x4.splat(0);
  let b1 = f32x4.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const y0 = v128.load(y + o);
    const y1 = v128.load(y + o, 16);
    a0 = f32x4.add(a0, f32x4.mul(v128.load(x1 + o), y0));
    b0 = f32x4.add(b0, f32x4.mul(v128.load(x2 + o), y0));
    a1 = f32x4.add(a1, f32x4.mul(v128.load(x1 + o, 16), y1));
    b1 = f32x4.add(b1, f32x4.mul(v128.load(x2 + o, 16), y1));
  }
  if (i + 4 <= n) {
    const o = <usize>i << 2;
    const y0 = v128.load(y + o);
    a0 = f32x4.add(a0, f32x4.mul(v128.load(x1 + o), y0));
    b0 = f32x4.add(b0, f32x4.mul(v128.load(x2 + o), y0));
    i += 4;
  }
  let s1 = hsum(f32x4.add(a0, a1));
  let s2 = hsum(f32x4.add(b0, b1));
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const yy = load<f32>(y + o);
    s1 += load<f32>(x1 + o) * yy;
    s2 += load<f32>(x2 + o) * yy;
  }
  D1 = s1;
  D2 = s2;
}

/** y += a1 * x1 + a2 * x2 */
@inline export function axpy2(n: i32, a1: f32, x1: usize, a2: f32, x2: usize, y: usize): void {
  const v1 = f32x4.splat(a1);
  const v2 = f32x4.splat(a2);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.add(f32x4.mul(v1, v128.load(x1 + o)), f32x4.mul(v2, v128.load(x2 + o)))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + (a1 * load<f32>(x1 + o) + a2 * load<f32>(x2 + o)));
  }
}

/** y += a * x */
@inline export function axpyI(n: i32, a: f32, x: usize, y: usize): void {
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
@inline export function xpbyI(n: i32, x: usize, b: f32, y: usize): void {
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

@inline export function zeroI(n: i32, x: usize): void {
  memory.fill(x, 0, <usize>n << 2);
}

/**
 * out = G v for a symmetric f x f matrix G: out = sum_k v[k] G[k,:], 32 outputs at a time held in
 * eight accumulators, then 4 at a time, then a scalar tail (row j . v, G being symmetric).
 */
@inline export function symvI(f: i32, g: usize, v: usize, out: usize): void {
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

/**
 * Lower triangle (and up to three entries past the diagonal) of A += X^T X for X (k <= 4 rows, f
 * columns): the rank-k update of the ALS normal equations, whose upper triangle Cholesky ignores.
 */
export function syrkLower(k: i32, f: i32, x: usize, a: usize): void {
  const row = <usize>f << 2;
  const x0 = x;
  const x1 = x0 + row;
  const x2 = x1 + row;
  const x3 = x2 + row;
  for (let j = 0; j < f; j++) {
    const o = <usize>j << 2;
    const c0 = f32x4.splat(load<f32>(x0 + o));
    const c1 = f32x4.splat(k > 1 ? load<f32>(x1 + o) : 0);
    const c2 = f32x4.splat(k > 2 ? load<f32>(x2 + o) : 0);
    const c3 = f32x4.splat(k > 3 ? load<f32>(x3 + o) : 0);
    const ar = a + <usize>j * row;
    const lim = min(f, (j + 4) & ~3);
    let i = 0;
    for (; i + 4 <= lim; i += 4) {
      const p = <usize>i << 2;
      let s = f32x4.add(f32x4.mul(c0, v128.load(x0 + p)), f32x4.mul(c1, v128.load(x1 + p)));
      s = f32x4.add(s, f32x4.add(f32x4.mul(c2, v128.load(x2 + p)), f32x4.mul(c3, v128.load(x3 + p))));
      v128.store(ar + p, f32x4.add(v128.load(ar + p), s));
    }
    for (; i <= j; i++) {
      const p = <usize>i << 2;
      let s = f32x4.extract_lane(c0, 0) * load<f32>(x0 + p);
      if (k > 1) s += f32x4.extract_lane(c1, 0) * load<f32>(x1 + p);
      if (k > 2) s += f32x4.extract_lane(c2, 0) * load<f32>(x2 + p);
      if (k > 3) s += f32x4.extract_lane(c3, 0) * load<f32>(x3 + p);
      store<f32>(ar + p, load<f32>(ar + p) + s);
    }
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

