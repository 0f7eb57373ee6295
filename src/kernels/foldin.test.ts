import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.js';
import { getKernels, tsKernels } from './index.js';

test('foldSgd: one pass by hand (TS reference and the kernel in use)', () => {
  for (const k of [tsKernels, getKernels()]) {
    const x = k.arena.f32(4);
    x.set([1, 0, 0, 2]);
    const y = k.arena.f64(2);
    y.set([3, 4]);
    const p = k.arena.f32(2);
    // k=0: e = 3, bu = 0.5 * 3 = 1.5, p = [0.3, 0]; k=1: e = 4 - 1.5 - 0 = 2.5,
    // bu = 1.5 + 0.5 (2.5 - 0.2 * 1.5) = 2.6, p = 0.95 [0.3, 0] + 0.1 * 2.5 [0, 2] = [0.285, 0.5]
    const bu = k.foldSgd(2, 2, x, 0, y, 0, p, 0, 1, 0, 0.5, 0.2, 0.1, 0.5);
    assert.ok(Math.abs(bu - 2.6) < 1e-6, `${k.kind} bu ${bu}`);
    assert.ok(Math.abs(p[0] - 0.285) < 1e-6 && Math.abs(p[1] - 0.5) < 1e-6, `${k.kind} p ${p}`);
    // lrB = 0 keeps bu; zero passes change nothing
    assert.equal(k.foldSgd(2, 2, x, 0, y, 0, p, 0, 3, 1.25, 0, 0.2, 0.1, 0.5), 1.25);
    assert.equal(k.foldSgd(2, 2, x, 0, y, 0, p, 0, 0, 7, 0.5, 0.2, 0.1, 0.5), 7);
    for (const a of [x, y, p]) k.arena.free(a);
  }
});

test('foldSgd: the kernel in use matches the TS reference (offsets, f not a multiple of 4)', () => {
  const k = getKernels();
  const rng = new Rng(5);
  for (const f of [1, 3, 4, 8, 13, 64, 100]) {
    const n = 37;
    const x = k.arena.f32(n * f + 5);
    const y = k.arena.f64(n + 2);
    const p = k.arena.f32(f + 3);
    for (let t = 0; t < x.length; t++) x[t] = rng.normal() * 0.3;
    for (let t = 0; t < y.length; t++) y[t] = rng.normal();
    const x2 = Float32Array.from(x);
    const y2 = Float64Array.from(y);
    const p2 = new Float32Array(f + 3);
    const b1 = k.foldSgd(n, f, x, 5, y, 2, p, 3, 10, 0.1, 0.01, 0.1, 0.01, 0.1);
    const b2 = tsKernels.foldSgd(n, f, x2, 5, y2, 2, p2, 3, 10, 0.1, 0.01, 0.1, 0.01, 0.1);
    assert.ok(Math.abs(b1 - b2) < 1e-4, `f=${f} bu ${b1} vs ${b2}`);
    let norm = 0;
    for (let t = 0; t < f + 3; t++) {
      assert.ok(Math.abs(p[t] - p2[t]) < 1e-4, `f=${f} p[${t}] ${p[t]} vs ${p2[t]}`);
      norm += p2[t] * p2[t];
    }
    assert.ok(norm > 1e-4, 'the passes moved p');
    assert.equal(p[0] + p[1] + p[2], 0, 'entries before the offset untouched');
    for (const a of [x, y, p]) k.arena.free(a);
  }
});
