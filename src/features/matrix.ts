/**
 * Entity x feature matrices from side data (item or user FeatureTables), the one representation the
 * content, hybrid and cold-start models share.
 *
 * Feature columns, in this order:
 *   - identity (`identity: true`): one indicator '#<id>' per entity, entity i -> column i (LightFM's layout);
 *   - then each table column in table order (or in `columns` order):
 *     categorical -> one-hot 'col=value'; multi-valued -> 'col=value' per value, weight 1 or 1/sqrt(n)
 *     (`multiWeight: 'sqrt'`); numeric -> 'col', standardised over the entities present (default),
 *     min-max scaled or raw, missing -> 0 (not stored); text -> TF-IDF terms 'col:term' (see tfidf.ts);
 *   - then dense vectors given in `dense` ('name:0' .. 'name:d-1').
 * A column's weights are multiplied by `weights[col]` (default 1). Rows follow `ids`; entities missing
 * from the table get an empty row (plus their identity feature). Rows are finally L2-normalised
 * (default), L1-normalised (rows sum to 1 in absolute value, LightFM's `normalize`) or left as they are.
 */
import type { Csr } from '../core/csr.js';
import { AffinityError, paramError } from '../core/errors.js';
import type { IdMap } from '../core/idmap.js';
import { alignRows, type FeatureColumn, type FeatureTable } from '../data/features.js';
import { TfidfVectorizer, type TfidfOptions } from './tfidf.js';

export interface FeatureMatrix {
  /** rows = entities in the order of `ids`, cols = features, values = weights */
  csr: Csr;
  names: string[];
}

/** Dense vectors aligned to the entities (row i = entity i of `ids`). */
export interface DenseBlock {
  name: string;
  dim: number;
  vectors: Float32Array;
}

export interface FeatureMatrixOptions {
  /** Table columns to use (default: all columns). */
  columns?: string[];
  text?: TfidfOptions;
  numeric?: 'standard' | 'minmax' | 'none';
  /** add one indicator feature per entity (LightFM's default; here default false) */
  identity?: boolean;
  /** Row normalisation (default 'l2'). */
  normalize?: 'l2' | 'l1' | 'none';
  /** Multi-valued columns: each value weighs 1 (default) or 1/sqrt(number of values). */
  multiWeight?: 'one' | 'sqrt';
  /** Per-column multipliers (by table column name, or the dense block's name). */
  weights?: Record<string, number>;
  /** Dense vectors to append (e.g. imported embeddings, see embeddings.ts). */
  dense?: DenseBlock[];
}

/** Parses a comma-separated column list ('' or 'all' = every column). */
export function parseColumns(spec: string): string[] | undefined {
  const s = spec.trim();
  if (s === '' || s === 'all' || s === '*') return undefined;
  return s.split(',').map((c) => c.trim()).filter((c) => c.length > 0);
}

interface Block {
  names: string[];
  /** Appends entity e's (column offset-relative, ascending) entries. */
  emit(e: number, row: number, cols: number[], vals: number[]): void;
}

function columnBlock(col: FeatureColumn, aligned: Int32Array, opts: FeatureMatrixOptions, w: number): Block {
  const name = col.name;
  switch (col.kind) {
    case 'categorical':
      return {
        names: col.vocab.map((v) => `${name}=${v}`),
        emit(_e, row, cols, vals) {
          const c = col.codes[row];
          if (c >= 0) {
            cols.push(c);
            vals.push(w);
          }
        },
      };
    case 'multi': {
      const sqrt = (opts.multiWeight ?? 'one') === 'sqrt';
      return {
        names: col.vocab.map((v) => `${name}=${v}`),
        emit(_e, row, cols, vals) {
          const s = col.indptr[row];
          const e = col.indptr[row + 1];
          if (e <= s) return;
          const codes = Array.from(col.codes.subarray(s, e)).filter((c) => c >= 0).sort((a, b) => a - b);
          const uniq = codes.filter((c, k) => k === 0 || codes[k - 1] !== c);
          const v = sqrt ? w / Math.sqrt(uniq.length) : w;
          for (const c of uniq) {
            cols.push(c);
            vals.push(v);
          }
        },
      };
    }
    case 'numeric': {
      const mode = opts.numeric ?? 'standard';
      let a = 0; // shift
      let b = 1; // scale
      let n = 0;
      let sum = 0;
      let sumSq = 0;
      let min = Infinity;
      let max = -Infinity;
      for (let e = 0; e < aligned.length; e++) {
        const r = aligned[e];
        if (r < 0) continue;
        const x = col.values[r];
        if (Number.isNaN(x)) continue;
        n++;
        sum += x;
        sumSq += x * x;
        if (x < min) min = x;
        if (x > max) max = x;
      }
      if (mode === 'standard' && n > 0) {
        const mean = sum / n;
        const sd = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
        a = mean;
        b = sd > 1e-12 ? 1 / sd : 0;
      } else if (mode === 'minmax' && n > 0) {
        a = min;
        b = max > min ? 1 / (max - min) : 0;
      }
      return {
        names: [name],
        emit(_e, row, cols, vals) {
          const x = col.values[row];
          if (Number.isNaN(x)) return;
          const v = (x - a) * b * w;
          if (v !== 0) {
            cols.push(0);
            vals.push(v);
          }
        },
      };
    }
    case 'text': {
      const docs: string[] = [];
      for (let e = 0; e < aligned.length; e++) if (aligned[e] >= 0) docs.push(col.values[aligned[e]] ?? '');
      const vec = TfidfVectorizer.fit(docs, opts.text ?? {});
      return {
        names: vec.terms.map((t) => `${name}:${t}`),
        emit(_e, row, cols, vals) {
          const v = vec.vector(col.values[row] ?? '');
          for (let k = 0; k < v.indices.length; k++) {
            cols.push(v.indices[k]);
            vals.push(v.data[k] * w);
          }
        },
      };
    }
  }
}

function denseBlock(d: DenseBlock, n: number, w: number): Block {
  if (!(Number.isInteger(d.dim) && d.dim > 0) || d.vectors.length !== n * d.dim) {
    throw paramError(`dense.${d.name}`, `${d.vectors.length} values, dim ${d.dim}`, `${n} entities x dim values`);
  }
  const names: string[] = [];
  for (let j = 0; j < d.dim; j++) names.push(`${d.name}:${j}`);
  return {
    names,
    emit(e, _row, cols, vals) {
      const base = e * d.dim;
      for (let j = 0; j < d.dim; j++) {
        const v = d.vectors[base + j];
        if (v !== 0) {
          cols.push(j);
          vals.push(v * w);
        }
      }
    },
  };
}

/** Builds the entity x feature matrix of `table` for the entities of `ids` (see the file comment). */
export function buildFeatureMatrix(table: FeatureTable | null, ids: IdMap, opts: FeatureMatrixOptions = {}): FeatureMatrix {
  const n = ids.size;
  const aligned = table ? alignRows(table, ids) : new Int32Array(n).fill(-1);
  const weights = opts.weights ?? {};
  const weightOf = (name: string): number => {
    const w = weights[name] ?? 1;
    if (!Number.isFinite(w)) throw paramError(`weights.${name}`, w, 'a finite number');
    return w;
  };
  let cols: FeatureColumn[] = table ? table.columns : [];
  if (opts.columns && opts.columns.length > 0) {
    const byName = new Map(cols.map((c) => [c.name, c]));
    cols = opts.columns.map((c) => {
      const col = byName.get(c);
      if (!col) {
        throw new AffinityError('E_PARAM', `columns: no feature column ${JSON.stringify(c)}; expected one of ${[...byName.keys()].join(', ') || '(no side data given: pass --items FILE / --users FILE)'}`, { field: 'columns' });
      }
      return col;
    });
  }
  const blocks: Block[] = [];
  if (opts.identity) {
    blocks.push({
      names: ids.toArray().map((id) => `#${id}`),
      emit(e, _row, c, v) {
        c.push(e);
        v.push(1);
      },
    });
  }
  for (const c of cols) blocks.push(columnBlock(c, aligned, opts, weightOf(c.name)));
  for (const d of opts.dense ?? []) blocks.push(denseBlock(d, n, weightOf(d.name)));

  const offsets: number[] = [];
  const names: string[] = [];
  for (const b of blocks) {
    offsets.push(names.length);
    for (const s of b.names) names.push(s);
  }
  const indptr = new Int32Array(n + 1);
  const allCols: number[] = [];
  const allVals: number[] = [];
  const rc: number[] = [];
  const rv: number[] = [];
  const norm = opts.normalize ?? 'l2';
  for (let e = 0; e < n; e++) {
    const row = aligned[e];
    const start = allCols.length;
    for (let b = 0; b < blocks.length; b++) {
      const isDenseOrId = (opts.identity && b === 0) || b >= blocks.length - (opts.dense?.length ?? 0);
      if (row < 0 && !isDenseOrId) continue;
      rc.length = 0;
      rv.length = 0;
      blocks[b].emit(e, row, rc, rv);
      for (let k = 0; k < rc.length; k++) {
        allCols.push(rc[k] + offsets[b]);
        allVals.push(rv[k]);
      }
    }
    if (norm !== 'none') {
      let s = 0;
      for (let k = start; k < allVals.length; k++) s += norm === 'l2' ? allVals[k] * allVals[k] : Math.abs(allVals[k]);
      if (s > 0) {
        const inv = norm === 'l2' ? 1 / Math.sqrt(s) : 1 / s;
        for (let k = start; k < allVals.length; k++) allVals[k] *= inv;
      }
    }
    indptr[e + 1] = allCols.length;
  }
  return {
    csr: { nRows: n, nCols: names.length, indptr, indices: Int32Array.from(allCols), data: Float32Array.from(allVals) },
    names,
  };
}

/** Side-by-side concatenation of matrices over the same entities (columns of `a`, then of `b`, ...). */
export function hstack(...ms: FeatureMatrix[]): FeatureMatrix {
  if (ms.length === 0) throw paramError('hstack', 0, 'at least one matrix');
  const n = ms[0].csr.nRows;
  for (const m of ms) if (m.csr.nRows !== n) throw paramError('hstack', m.csr.nRows, `${n} rows in every matrix`);
  let total = 0;
  for (const m of ms) total += m.csr.indptr[n];
  const indptr = new Int32Array(n + 1);
  const indices = new Int32Array(total);
  const data = new Float32Array(total);
  const names: string[] = [];
  const offs: number[] = [];
  for (const m of ms) {
    offs.push(names.length);
    for (const s of m.names) names.push(s);
  }
  let p = 0;
  for (let r = 0; r < n; r++) {
    for (let b = 0; b < ms.length; b++) {
      const c = ms[b].csr;
      for (let q = c.indptr[r]; q < c.indptr[r + 1]; q++) {
        indices[p] = c.indices[q] + offs[b];
        data[p++] = c.data[q];
      }
    }
    indptr[r + 1] = p;
  }
  return { csr: { nRows: n, nCols: names.length, indptr, indices, data }, names };
}
