import type { Csr } from '../core/csr.js';
import type { IdMap } from '../core/idmap.js';
import { alignRows, type FeatureTable } from '../data/features.js';

/** Lower-case word tokens (Unicode letters and digits), at least 2 characters. */
export function tokenize(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]{2,}/gu) ?? []).filter((t) => !/^\d+$/.test(t) || t.length === 4);
}

/**
 * A sparse item x feature matrix (rows aligned to `items`) from a feature table: categorical and
 * multi-valued columns one-hot (weight 1), text columns TF-IDF (sublinear tf, idf = ln(N / df) + 1)
 * with each text column's block L2-normalised, numeric columns standardised (missing = 0), and a
 * constant 1 column (the bias) last. Items without a row get only the bias. Tokens seen in fewer
 * than `minDf` items are dropped.
 */
export function itemFeatureMatrix(table: FeatureTable | null, items: IdMap, minDf = 2): { x: Csr; names: string[] } {
  const n = items.size;
  const rowsOf = table ? alignRows(table, items) : new Int32Array(n).fill(-1);
  const cols: number[][] = Array.from({ length: n }, () => []);
  const vals: number[][] = Array.from({ length: n }, () => []);
  const names: string[] = [];
  for (const c of table?.columns ?? []) {
    const base = names.length;
    if (c.kind === 'categorical' || c.kind === 'multi') {
      for (const v of c.vocab) names.push(`${c.name}=${v}`);
      for (let i = 0; i < n; i++) {
        const r = rowsOf[i];
        if (r < 0) continue;
        if (c.kind === 'categorical') {
          if (c.codes[r] >= 0) (cols[i].push(base + c.codes[r]), vals[i].push(1));
        } else for (let p = c.indptr[r]; p < c.indptr[r + 1]; p++) (cols[i].push(base + c.codes[p]), vals[i].push(1));
      }
    } else if (c.kind === 'numeric') {
      names.push(c.name);
      let s = 0;
      let sq = 0;
      let m = 0;
      for (let i = 0; i < n; i++) {
        const r = rowsOf[i];
        const v = r >= 0 ? c.values[r] : NaN;
        if (!Number.isNaN(v)) (s += v, sq += v * v, m++);
      }
      const mean = m ? s / m : 0;
      const sd = m ? Math.sqrt(Math.max(0, sq / m - mean * mean)) : 0;
      for (let i = 0; i < n; i++) {
        const r = rowsOf[i];
        const v = r >= 0 ? c.values[r] : NaN;
        if (!Number.isNaN(v) && sd > 0) (cols[i].push(base), vals[i].push((v - mean) / sd));
      }
    } else {
      const toks: Map<string, number>[] = [];
      const df = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        const r = rowsOf[i];
        const tf = new Map<string, number>();
        if (r >= 0) for (const t of tokenize(c.values[r])) tf.set(t, (tf.get(t) ?? 0) + 1);
        toks.push(tf);
        for (const t of tf.keys()) df.set(t, (df.get(t) ?? 0) + 1);
      }
      const vocab = new Map<string, number>();
      for (const [t, d] of [...df].sort((a, b) => (a[0] < b[0] ? -1 : 1))) if (d >= minDf) (vocab.set(t, names.length), names.push(`${c.name}:${t}`));
      for (let i = 0; i < n; i++) {
        const entries: [number, number][] = [];
        let norm = 0;
        for (const [t, f] of toks[i]) {
          const col = vocab.get(t);
          if (col === undefined) continue;
          const w = (1 + Math.log(f)) * (Math.log(n / (df.get(t) ?? 1)) + 1);
          entries.push([col, w]);
          norm += w * w;
        }
        const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
        for (const [col, w] of entries) (cols[i].push(col), vals[i].push(w * inv));
      }
    }
  }
  const bias = names.length;
  names.push('(bias)');
  const indptr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) indptr[i + 1] = indptr[i] + cols[i].length + 1;
  const indices = new Int32Array(indptr[n]);
  const data = new Float32Array(indptr[n]);
  for (let i = 0; i < n; i++) {
    const order = cols[i].map((_, k) => k).sort((a, b) => cols[i][a] - cols[i][b]);
    let p = indptr[i];
    for (const k of order) (indices[p] = cols[i][k], data[p] = vals[i][k], p++);
    indices[p] = bias;
    data[p] = 1;
  }
  return { x: { nRows: n, nCols: names.length, indptr, indices, data }, names };
}

/**
 * Ridge regression from sparse features to dense targets: W (d x f) minimising
 * sum over `rows` of ||x_r W - y_r||^2 + lambda ||W||^2, by conjugate gradient on the normal equations
 * (one system per target column, at most `iterations` steps).
 */
export function sparseRidge(x: Csr, rows: Int32Array, y: Float32Array, f: number, lambda: number, iterations = 100): Float32Array {
  const d = x.nCols;
  const w = new Float32Array(d * f);
  const b = new Float64Array(d);
  const r = new Float64Array(d);
  const p = new Float64Array(d);
  const ap = new Float64Array(d);
  const xp = new Float64Array(rows.length);
  const sol = new Float64Array(d);
  const { indptr, indices, data } = x;
  const apply = (v: Float64Array, out: Float64Array): void => {
    for (let k = 0; k < rows.length; k++) {
      const i = rows[k];
      let s = 0;
      for (let q = indptr[i]; q < indptr[i + 1]; q++) s += data[q] * v[indices[q]];
      xp[k] = s;
    }
    for (let j = 0; j < d; j++) out[j] = lambda * v[j];
    for (let k = 0; k < rows.length; k++) {
      const i = rows[k];
      const s = xp[k];
      for (let q = indptr[i]; q < indptr[i + 1]; q++) out[indices[q]] += data[q] * s;
    }
  };
  for (let c = 0; c < f; c++) {
    b.fill(0);
    for (let k = 0; k < rows.length; k++) {
      const i = rows[k];
      const t = y[i * f + c];
      for (let q = indptr[i]; q < indptr[i + 1]; q++) b[indices[q]] += data[q] * t;
    }
    sol.fill(0);
    r.set(b);
    p.set(b);
    let rr = 0;
    for (let j = 0; j < d; j++) rr += r[j] * r[j];
    const stop = rr * 1e-12;
    for (let it = 0; it < iterations && rr > stop && rr > 0; it++) {
      apply(p, ap);
      let pap = 0;
      for (let j = 0; j < d; j++) pap += p[j] * ap[j];
      const alpha = rr / pap;
      let rr2 = 0;
      for (let j = 0; j < d; j++) {
        sol[j] += alpha * p[j];
        r[j] -= alpha * ap[j];
        rr2 += r[j] * r[j];
      }
      const beta = rr2 / rr;
      rr = rr2;
      for (let j = 0; j < d; j++) p[j] = r[j] + beta * p[j];
    }
    for (let j = 0; j < d; j++) w[j * f + c] = sol[j];
  }
  return w;
}
