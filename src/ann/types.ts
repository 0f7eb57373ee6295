/**
 * Approximate nearest-neighbour search over factor or embedding vectors. One interface, several
 * backends chosen by name (src/ann/index.ts): 'exact' (brute force on the WASM scoring kernels, the
 * reference), 'hnsw' (HNSW in TypeScript on typed arrays) and 'usearch' (the usearch native library).
 * Keys are non-negative int32 (item indices); scores are similarities, higher is better: the inner
 * product for 'ip', the cosine for 'cos'.
 */
export type AnnMetric = 'ip' | 'cos';
export type AnnBackend = 'exact' | 'hnsw' | 'usearch';
export const ANN_BACKENDS: readonly AnnBackend[] = ['exact', 'hnsw', 'usearch'];

export interface AnnOptions {
  /** Vector length. */
  dim: number;
  /** 'ip' (inner product, default) or 'cos' (cosine; vectors are normalised on the way in). */
  metric?: AnnMetric;
  /** HNSW links per node on the upper layers (layer 0 gets 2M). Default 16. */
  m?: number;
  /** Candidate list size while building. Default 128. */
  efConstruction?: number;
  /** Candidate list size while searching (raised to k when smaller). Default 64. */
  efSearch?: number;
  /** Seed of the level draws ('hnsw'). Default 42. */
  seed?: number;
  /** Threads for bulk add and batch search where the backend has them (0 = all cores). Default 0. */
  threads?: number;
}

export interface AnnResult {
  /** Keys, best first. */
  items: Int32Array;
  scores: Float32Array;
}

export interface AnnIndex {
  readonly backend: AnnBackend;
  readonly dim: number;
  readonly metric: AnnMetric;
  /** Live keys (added and not removed). */
  readonly size: number;
  /** Candidate list size while searching; may be changed at any time. */
  efSearch: number;
  /**
   * Adds `keys.length` vectors (rows of `vectors`, row-major, keys.length x dim). A key already in
   * the index gets the new vector.
   */
  add(keys: ArrayLike<number>, vectors: Float32Array): void;
  /** Removes keys; returns how many were present. */
  remove(keys: ArrayLike<number>): number;
  has(key: number): boolean;
  /**
   * The k keys most similar to `query`, best first. Keys with exclude[key] != 0 are never returned
   * (the search widens until k others are found or the index is exhausted).
   */
  search(query: Float32Array, k: number, exclude?: Uint8Array | null): AnnResult;
  /** Writes the index to a file that loadAnnIndex reads back. */
  save(path: string): void;
  /** Bytes held by the index (vectors + graph), as far as the backend can tell. */
  memoryBytes(): number;
}

/** Fills the AnnOptions defaults. */
export interface ResolvedAnnOptions {
  dim: number;
  metric: AnnMetric;
  m: number;
  efConstruction: number;
  efSearch: number;
  seed: number;
  threads: number;
}
