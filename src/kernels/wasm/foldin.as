// AssemblyScript: SGD fold-in of one user of a biased matrix factorisation (SVD / SVD++ fold-in) against
// the user's gathered item rows. The TypeScript reference is foldSgd in src/kernels/ts/blas.ts.

/**
 * `passes` SGD passes over rows k = 0..n-1 in order (x: n rows of f f32, the items' q_i; y: n f64
 * targets r_k - offset - b_i - q_i·z; p: the f f32 user vector, updated in place):
 *   e = y_k - bu - x_k·p;  bu += lrB (e - regB bu);  p = (1 - lrP regP) p + lrP e x_k
 * Returns the final bu (lrB = 0 keeps it at its start value).
 */
export function foldSgd(n: i32, f: i32, x: usize, y: usize, p: usize, passes: i32, bu: f64, lrB: f64, regB: f64, lrP: f64, regP: f64): f64 {
  const row = <usize>f << 2;
  const f4 = f & ~3;
  const decay = <f32>(1.0 - lrP * regP);
  const dv = f32x4.splat(decay);
  for (let s = 0; s < passes; s++) {
    for (let k = 0; k < n; k++) {
      const xr = x + <usize>k * row;
      let a0 = f32x4.splat(0);
      let a1 = f32x4.splat(0);
      let t = 0;
      for (; t + 8 <= f; t += 8) {
        const o = <usize>t << 2;
        a0 = f32x4.add(a0, f32x4.mul(v128.load(xr + o), v128.load(p + o)));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(xr + o, 16), v128.load(p + o, 16)));
      }
      for (; t < f4; t += 4) {
        const o = <usize>t << 2;
        a0 = f32x4.add(a0, f32x4.mul(v128.load(xr + o), v128.load(p + o)));
      }
      a0 = f32x4.add(a0, a1);
      let dot: f64 = <f64>(f32x4.extract_lane(a0, 0) + f32x4.extract_lane(a0, 1) + f32x4.extract_lane(a0, 2) + f32x4.extract_lane(a0, 3));
      for (; t < f; t++) {
        const o = <usize>t << 2;
        dot += <f64>load<f32>(xr + o) * <f64>load<f32>(p + o);
      }
      const e = load<f64>(y + (<usize>k << 3)) - bu - dot;
      bu += lrB * (e - regB * bu);
      const le = <f32>(lrP * e);
      const lv = f32x4.splat(le);
      t = 0;
      for (; t < f4; t += 4) {
        const o = <usize>t << 2;
        v128.store(p + o, f32x4.add(f32x4.mul(dv, v128.load(p + o)), f32x4.mul(lv, v128.load(xr + o))));
      }
      for (; t < f; t++) {
        const o = <usize>t << 2;
        store<f32>(p + o, decay * load<f32>(p + o) + le * load<f32>(xr + o));
      }
    }
  }
  return bu;
}
