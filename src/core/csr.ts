/**
 * Compressed sparse rows on typed arrays. The interaction matrix is users x items (rows = users)
 * everywhere in Affinity; its transpose (items x users) is the CSC view. This orientation is fixed.
 */
export interface Csr {
  readonly nRows: number;
  readonly nCols: number;
  /** Row r spans indices/data [indptr[r], indptr[r+1]). Length nRows + 1. */
  readonly indptr: Int32Array;
  /** Column index of each non-zero, ascending within a row. */
  readonly indices: Int32Array;
  readonly data: Float32Array;
}

export type DuplicatePolicy = 'last' | 'sum' | 'max' | 'first';

/**
 * Builds a CSR matrix from coordinates. Column indices come out sorted within each row; duplicate
 * (row, col) pairs are merged by `dup` ('last' = the later one in input order wins).
 */
export function cooToCsr(
  nRows: number,
  nCols: number,
  rows: Int32Array,
  cols: Int32Array,
  vals: Float32Array | null,
  dup: DuplicatePolicy = 'last',
): Csr {
  const n = rows.length;
  const counts = new Int32Array(nRows + 1);
  for (let k = 0; k < n; k++) counts[rows[k] + 1]++;
  for (let r = 0; r < nRows; r++) counts[r + 1] += counts[r];
  const indptr = counts.slice();
  const fill = counts.slice(0, nRows);
  // order[k] = input position of the k-th entry in row-major order (stable within a row)
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[fill[rows[k]]++] = k;
  const indices = new Int32Array(n);
  const data = new Float32Array(n);
  let out = 0;
  const newPtr = new Int32Array(nRows + 1);
  const tmp: number[] = [];
  for (let r = 0; r < nRows; r++) {
    const s = indptr[r];
    const e = indptr[r + 1];
    newPtr[r] = out;
    // sort the row's entries by (col, input position) — stable keeps input order among duplicates
    tmp.length = 0;
    for (let p = s; p < e; p++) tmp.push(order[p]);
    tmp.sort((a, b) => cols[a] - cols[b] || a - b);
    let lastCol = -1;
    for (let t = 0; t < tmp.length; t++) {
      const k = tmp[t];
      const c = cols[k];
      const v = vals ? vals[k] : 1;
      if (c === lastCol) {
        const q = out - 1;
        if (dup === 'last') data[q] = v;
        else if (dup === 'sum') data[q] += v;
        else if (dup === 'max') data[q] = Math.max(data[q], v);
        // 'first': keep
      } else {
        indices[out] = c;
        data[out] = v;
        out++;
        lastCol = c;
      }
    }
  }
  newPtr[nRows] = out;
  return {
    nRows,
    nCols,
    indptr: newPtr,
    indices: out === n ? indices : indices.slice(0, out),
    data: out === n ? data : data.slice(0, out),
  };
}

/** The transpose (CSR of the transposed matrix, i.e. the CSC view of `m`). Indices stay sorted. */
export function transpose(m: Csr): Csr {
  const nnz = m.indptr[m.nRows];
  const indptr = new Int32Array(m.nCols + 1);
  for (let p = 0; p < nnz; p++) indptr[m.indices[p] + 1]++;
  for (let c = 0; c < m.nCols; c++) indptr[c + 1] += indptr[c];
  const fill = indptr.slice(0, m.nCols);
  const indices = new Int32Array(nnz);
  const data = new Float32Array(nnz);
  for (let r = 0; r < m.nRows; r++) {
    for (let p = m.indptr[r]; p < m.indptr[r + 1]; p++) {
      const q = fill[m.indices[p]]++;
      indices[q] = r;
      data[q] = m.data[p];
    }
  }
  return { nRows: m.nCols, nCols: m.nRows, indptr, indices, data };
}

/** Number of stored entries. */
export function nnz(m: Csr): number {
  return m.indptr[m.nRows];
}

/** Column indices of row r (a view, no copy). */
export function rowIndices(m: Csr, r: number): Int32Array {
  return m.indices.subarray(m.indptr[r], m.indptr[r + 1]);
}

/** Values of row r (a view, no copy). */
export function rowData(m: Csr, r: number): Float32Array {
  return m.data.subarray(m.indptr[r], m.indptr[r + 1]);
}

/** Binary search for column c in row r; returns the position in indices/data or -1. */
export function findInRow(m: Csr, r: number, c: number): number {
  let lo = m.indptr[r];
  let hi = m.indptr[r + 1] - 1;
  const idx = m.indices;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = idx[mid];
    if (v === c) return mid;
    if (v < c) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** An empty matrix of the given shape. */
export function emptyCsr(nRows: number, nCols: number): Csr {
  return { nRows, nCols, indptr: new Int32Array(nRows + 1), indices: new Int32Array(0), data: new Float32Array(0) };
}
