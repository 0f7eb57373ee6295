// AssemblyScript source of the hybrid model's SIMD row kernels (compiled to hybrid.wasm by
// build-hybrid-wasm.mjs beside it; the .wasm is committed). Pointers are byte addresses in one shared
// linear memory (imported), rows are f32 and 16-byte aligned, f is a multiple of 4 (the caller pads).
// The file has an .as extension so that tsc/esbuild leave it alone.

export function heapBase(): usize {
  return __heap_base;
}

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** x . y over f floats. */
export function dot(f: i32, x: usize, y: usize): f32 {
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let i = 0;
  for (; i + 8 <= f; i += 8) {
    const o = <usize>i << 2;
    a0 = f32x4.add(a0, f32x4.mul(v128.load(x + o), v128.load(y + o)));
    a1 = f32x4.add(a1, f32x4.mul(v128.load(x + o, 16), v128.load(y + o, 16)));
  }
  for (; i < f; i += 4) {
    const o = <usize>i << 2;
    a0 = f32x4.add(a0, f32x4.mul(v128.load(x + o), v128.load(y + o)));
  }
  return hsum(f32x4.add(a0, a1));
}

/** out += w x over f floats. */
export function axpy(f: i32, w: f32, x: usize, out: usize): void {
  const ws = f32x4.splat(w);
  for (let i = 0; i < f; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.add(v128.load(out + o), f32x4.mul(ws, v128.load(x + o))));
  }
}

/** out = a - b over f floats. */
export function sub(f: i32, a: usize, b: usize, out: usize): void {
  for (let i = 0; i < f; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.sub(v128.load(a + o), v128.load(b + o)));
  }
}

/**
 * AdaGrad step on one embedding row: g = s·grad[c]; emb -= lr·g/√G; G += g²; then, with alpha > 0,
 * emb *= (1 - alpha·lr/√G_old) (L2).
 */
export function adagrad(f: i32, s: f32, grad: usize, emb: usize, G: usize, lr: f32, alpha: f32): void {
  const ss = f32x4.splat(s);
  const lrs = f32x4.splat(lr);
  const one = f32x4.splat(1);
  const al = f32x4.splat(alpha);
  const decay = alpha != 0;
  for (let i = 0; i < f; i += 4) {
    const o = <usize>i << 2;
    const g = f32x4.mul(ss, v128.load(grad + o));
    const acc = v128.load(G + o);
    const rate = f32x4.div(lrs, f32x4.sqrt(acc));
    let e = f32x4.sub(v128.load(emb + o), f32x4.mul(rate, g));
    if (decay) e = f32x4.mul(e, f32x4.sub(one, f32x4.mul(al, rate)));
    v128.store(emb + o, e);
    v128.store(G + o, f32x4.add(acc, f32x4.mul(g, g)));
  }
}

/**
 * AdaDelta step on one row: G = ρG + (1-ρ)g²; rate = √(M+ε)/√(G+ε); u = rate·g; M = ρM + (1-ρ)u²;
 * emb = (emb - u)(1 - alpha·rate).
 */
export function adadelta(f: i32, s: f32, grad: usize, emb: usize, G: usize, M: usize, rho: f32, eps: f32, alpha: f32): void {
  const ss = f32x4.splat(s);
  const r = f32x4.splat(rho);
  const r1 = f32x4.splat(1 - rho);
  const e = f32x4.splat(eps);
  const one = f32x4.splat(1);
  const al = f32x4.splat(alpha);
  for (let i = 0; i < f; i += 4) {
    const o = <usize>i << 2;
    const g = f32x4.mul(ss, v128.load(grad + o));
    const gs = f32x4.add(f32x4.mul(r, v128.load(G + o)), f32x4.mul(r1, f32x4.mul(g, g)));
    v128.store(G + o, gs);
    const m = v128.load(M + o);
    const rate = f32x4.div(f32x4.sqrt(f32x4.add(m, e)), f32x4.sqrt(f32x4.add(gs, e)));
    const u = f32x4.mul(rate, g);
    v128.store(M + o, f32x4.add(f32x4.mul(r, m), f32x4.mul(r1, f32x4.mul(u, u))));
    v128.store(emb + o, f32x4.mul(f32x4.sub(v128.load(emb + o), u), f32x4.sub(one, f32x4.mul(al, rate))));
  }
}

/**
 * Σ_p val[p]·(E[idx[p]]·user + bias[idx[p]]) over p in [start, end): the score of one feature row
 * (idx, val: i32 / f32 arrays; E rows of f floats; bias f32) against a representation.
 */
export function scoreRow(f: i32, E: usize, idx: usize, val: usize, bias: usize, start: i32, end: i32, user: usize): f32 {
  let s: f32 = 0;
  const rb = <usize>f << 2;
  for (let p = start; p < end; p++) {
    const j = <usize>load<i32>(idx + (<usize>p << 2));
    s += load<f32>(val + (<usize>p << 2)) * (dot(f, E + j * rb, user) + load<f32>(bias + (j << 2)));
  }
  return s;
}

/** out = Σ_p val[p]·E[idx[p]]; returns Σ_p val[p]·bias[idx[p]] (a representation and its bias). */
export function representRow(f: i32, E: usize, idx: usize, val: usize, bias: usize, start: i32, end: i32, out: usize): f32 {
  for (let i = 0; i < f; i += 4) v128.store(out + (<usize>i << 2), f32x4.splat(0));
  let b: f32 = 0;
  const rb = <usize>f << 2;
  for (let p = start; p < end; p++) {
    const j = <usize>load<i32>(idx + (<usize>p << 2));
    const w = load<f32>(val + (<usize>p << 2));
    axpy(f, w, E + j * rb, out);
    b += w * load<f32>(bias + (j << 2));
  }
  return b;
}

/** AdaGrad steps on the embedding rows of one feature row: row idx[p] gets adagrad(f, s·val[p], ...). */
export function adagradRows(f: i32, s: f32, grad: usize, E: usize, G: usize, idx: usize, val: usize, start: i32, end: i32, lr: f32, alpha: f32): void {
  const rb = <usize>f << 2;
  for (let p = start; p < end; p++) {
    const j = <usize>load<i32>(idx + (<usize>p << 2));
    adagrad(f, s * load<f32>(val + (<usize>p << 2)), grad, E + j * rb, G + j * rb, lr, alpha);
  }
}
