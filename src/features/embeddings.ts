/**
 * Dense vectors supplied by the user (item or user embeddings computed elsewhere), aligned to an
 * IdMap, and the plug-in point for a local sentence-embedding model.
 *
 * File formats (detected from the name and first line):
 *   - CSV / TSV / whitespace: `id v1 v2 ... vd` per line (an optional header line whose second field is
 *     not a number is skipped); '#' comment lines and blank lines are skipped;
 *   - JSONL: `{"id": "...", "vector": [...]}` per line;
 *   - word2vec text: a first line `count dim`, then `id v1 ... vd`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AffinityError, parseError } from '../core/errors.js';
import type { IdMap } from '../core/idmap.js';
import type { DenseBlock } from './matrix.js';

export type EmbeddingFormat = 'csv' | 'tsv' | 'jsonl' | 'word2vec' | 'auto';

export interface Embeddings {
  dim: number;
  /** Row i = the vector of entity i of the ids it was aligned to; zeros where missing. */
  vectors: Float32Array;
  /** Entities of the ids with no vector in the file. */
  missing: number;
  /** Vectors in the file whose id is not among the ids (ignored). */
  unused: number;
}

function splitFields(line: string, format: EmbeddingFormat): string[] {
  if (format === 'csv') return line.split(',').map((s) => s.trim());
  if (format === 'tsv') return line.split('\t').map((s) => s.trim());
  return line.trim().split(/\s+/);
}

/** Parses embedding text (`file` names it in errors) into id -> vector. */
export function parseEmbeddings(text: string, file: string, format: EmbeddingFormat = 'auto'): { dim: number; byId: Map<string, Float32Array> } {
  const lines = text.split(/\r?\n/);
  let fmt = format;
  const firstIdx = lines.findIndex((l) => l.trim() !== '' && !l.startsWith('#'));
  const first = firstIdx >= 0 ? lines[firstIdx].trim() : '';
  if (fmt === 'auto') {
    if (first.startsWith('{')) fmt = 'jsonl';
    else if (/^\d+\s+\d+$/.test(first)) fmt = 'word2vec';
    else if (file.toLowerCase().endsWith('.csv') || (first.includes(',') && !first.includes('\t'))) fmt = 'csv';
    else if (first.includes('\t')) fmt = 'tsv';
    else fmt = 'word2vec'; // whitespace-separated, no header line
  }
  let dim = -1;
  const byId = new Map<string, Float32Array>();
  for (let ln = 0; ln < lines.length; ln++) {
    const raw = lines[ln];
    const line = raw.trim();
    const no = ln + 1;
    if (line === '' || line.startsWith('#')) continue;
    let id: string;
    let vals: ArrayLike<unknown>;
    if (fmt === 'jsonl') {
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch {
        throw parseError(file, no, 'not valid JSON', '{"id": ..., "vector": [numbers]}');
      }
      const o = obj as { id?: unknown; vector?: unknown };
      if (typeof obj !== 'object' || obj === null || (typeof o.id !== 'string' && typeof o.id !== 'number') || !Array.isArray(o.vector)) {
        throw parseError(file, no, 'missing "id" or "vector"', '{"id": string or number, "vector": [numbers]}');
      }
      id = String(o.id);
      vals = o.vector;
    } else {
      const f = splitFields(line, fmt);
      if (ln === firstIdx && fmt === 'word2vec' && f.length === 2 && /^\d+$/.test(f[0]) && /^\d+$/.test(f[1])) {
        dim = Number(f[1]);
        continue;
      }
      if (ln === firstIdx && f.length > 1 && !Number.isFinite(Number(f[1]))) continue; // header line
      id = f[0];
      vals = f.slice(1);
    }
    if (vals.length === 0) throw parseError(file, no, `id ${JSON.stringify(id)} has no vector`, 'an id followed by numbers');
    if (dim < 0) dim = vals.length;
    if (vals.length !== dim) throw parseError(file, no, `dimension mismatch: ${vals.length} values`, `${dim} values like the ${byId.size ? 'lines before' : 'header'}`);
    const v = new Float32Array(dim);
    for (let j = 0; j < dim; j++) {
      const x = typeof vals[j] === 'number' ? (vals[j] as number) : Number(vals[j]);
      if (!Number.isFinite(x) || vals[j] === '') throw parseError(file, no, `value ${j + 1} (${JSON.stringify(vals[j])}) is not a number`, 'finite numbers');
      v[j] = x;
    }
    if (byId.has(id)) throw parseError(file, no, `duplicate id ${JSON.stringify(id)}`, 'one vector per id');
    byId.set(id, v);
  }
  if (byId.size === 0) throw new AffinityError('E_EMPTY', `${file}: no vectors; expected lines of an id and numbers`, { file });
  return { dim, byId };
}

/** Aligns parsed vectors to `ids` (missing -> zero vector, counted). */
export function alignEmbeddings(byId: Map<string, Float32Array>, dim: number, ids: IdMap): Embeddings {
  const vectors = new Float32Array(ids.size * dim);
  let missing = 0;
  let used = 0;
  for (let i = 0; i < ids.size; i++) {
    const v = byId.get(ids.id(i));
    if (v) {
      vectors.set(v, i * dim);
      used++;
    } else missing++;
  }
  return { dim, vectors, missing, unused: byId.size - used };
}

/** Reads an embedding file and aligns it to `ids`. */
export function loadEmbeddings(path: string, ids: IdMap, format: EmbeddingFormat = 'auto'): Embeddings {
  if (!existsSync(path)) throw new AffinityError('E_IO', `${path}: cannot open (no such file); expected an embedding file`, { file: path });
  const { dim, byId } = parseEmbeddings(readFileSync(path, 'utf8'), path, format);
  return alignEmbeddings(byId, dim, ids);
}

/** Embeddings as a block for buildFeatureMatrix's `dense` option. */
export function denseBlock(name: string, e: Embeddings): DenseBlock {
  return { name, dim: e.dim, vectors: e.vectors };
}

/** A local text encoder: `encode` returns texts.length x dim values, row-major. */
export interface SentenceEncoder {
  dim: number;
  encode(texts: string[]): Promise<Float32Array>;
}

/** Encodes texts of the entities of `ids` (missing or '' -> zero vector) with `enc`, in batches. */
export async function encodeTexts(enc: SentenceEncoder, texts: string[], batch = 64): Promise<Float32Array> {
  const out = new Float32Array(texts.length * enc.dim);
  for (let s = 0; s < texts.length; s += batch) {
    const part = texts.slice(s, s + batch);
    const v = await enc.encode(part);
    if (v.length !== part.length * enc.dim) throw new AffinityError('E_FORMAT', `sentence encoder returned ${v.length} values; expected ${part.length} x ${enc.dim}`);
    for (let k = 0; k < part.length; k++) if (part[k]) out.set(v.subarray(k * enc.dim, (k + 1) * enc.dim), (s + k) * enc.dim);
  }
  return out;
}

const RUNTIMES = ['onnxruntime-node', '@xenova/transformers', '@huggingface/transformers'];

/**
 * Looks for a local sentence-embedding model in `dir`: `model.onnx` (or onnx/model.onnx) and
 * `tokenizer.json`, run by an ONNX runtime package installed beside Affinity. Affinity ships no runtime
 * and downloads nothing: without the files or a runtime this throws E_UNSUPPORTED saying what to
 * install and where to put the model; everything else (TF-IDF, imported embeddings) works regardless.
 */
export async function loadLocalEncoder(dir: string): Promise<SentenceEncoder> {
  const model = [join(dir, 'model.onnx'), join(dir, 'onnx', 'model.onnx')].find((p) => existsSync(p));
  const tok = join(dir, 'tokenizer.json');
  if (!model || !existsSync(tok)) {
    throw new AffinityError(
      'E_UNSUPPORTED',
      `${dir}: no local sentence-embedding model (expected model.onnx or onnx/model.onnx and tokenizer.json, e.g. an exported all-MiniLM-L6-v2); ` +
        'nothing is downloaded: put the files there, or import precomputed vectors with loadEmbeddings (CSV/TSV, JSONL or word2vec text)',
      { file: dir },
    );
  }
  for (const name of RUNTIMES) {
    try {
      await import(name);
    } catch {
      continue;
    }
    throw new AffinityError('E_UNSUPPORTED', `${dir}: found ${name}, but Affinity has no adapter for it yet; compute the vectors with it and import them with loadEmbeddings`, { file: dir });
  }
  throw new AffinityError(
    'E_UNSUPPORTED',
    `${dir}: the model files are there but no ONNX runtime is installed (npm install onnxruntime-node beside Affinity); meanwhile import precomputed vectors with loadEmbeddings`,
    { file: dir },
  );
}
