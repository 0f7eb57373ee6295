/**
 * TF-IDF over free text, in the formulation of scikit-learn's TfidfVectorizer:
 *
 *   tokens   = NFKC-normalised, lower-cased words (Unicode letters, marks and digits; or Intl.Segmenter
 *              word segments), minus stop words, shorter than `minTokenLength` dropped; then the
 *              n-grams of 1..`ngram` consecutive tokens (joined by one space).
 *   tf(t,d)  = count of term t in document d, or 1 + ln(count) with `sublinearTf`.
 *   idf(t)   = ln((1 + N) / (1 + df(t))) + 1 with `smoothIdf` (default), else ln(N / df(t)) + 1,
 *              N = number of documents the vocabulary was fitted on, df = documents containing t.
 *   w(t,d)   = tf(t,d) * idf(t), then each document row divided by its L2 norm (`norm: 'l2'`).
 *
 * Terms kept: document frequency >= minDf (a count when >= 1, a fraction of N when < 1) and
 * <= maxDf (a fraction of N when <= 1, a count when > 1); then the `maxFeatures` most frequent
 * (total count, ties by term). Term columns are in lexicographic order of the term.
 */
import { paramError } from '../core/errors.js';
import type { Csr } from '../core/csr.js';
import { ENGLISH_STOP_WORDS } from './stopwords.js';

export interface TfidfOptions {
  /** 'english' (built-in list, default), 'none', or an explicit list of words. */
  stopWords?: 'english' | 'none' | readonly string[];
  /** Largest n-gram length (1 = single words; default 1). */
  ngram?: number;
  /** Minimum document frequency: a count (>= 1) or a fraction of documents (< 1). Default 1. */
  minDf?: number;
  /** Maximum document frequency: a fraction of documents (<= 1) or a count (> 1). Default 1 (no limit). */
  maxDf?: number;
  /** Keep only the most frequent terms (0 = all; default 0). */
  maxFeatures?: number;
  /** tf = 1 + ln(count) (default false). */
  sublinearTf?: boolean;
  /** idf = ln((1+N)/(1+df)) + 1 (default true); false: ln(N/df) + 1. */
  smoothIdf?: boolean;
  /** Use idf weights at all (default true); false gives (normalised) term frequencies. */
  useIdf?: boolean;
  /** Row normalisation (default 'l2'). */
  norm?: 'l2' | 'none';
  /** 'regex' (default): runs of letters/marks/digits; 'segmenter': Intl.Segmenter word segments (better for scripts without spaces). */
  tokenizer?: 'regex' | 'segmenter';
  /** Locale for the segmenter and lower-casing (default 'en'). */
  locale?: string;
  /** Drop tokens with fewer characters (code points) than this (default 1). */
  minTokenLength?: number;
}

const WORD_RE = /[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}]+)*/gu;

function resolveStopWords(s: TfidfOptions['stopWords']): ReadonlySet<string> {
  if (s === undefined || s === 'english') return ENGLISH_STOP_WORDS;
  if (s === 'none') return new Set();
  if (!Array.isArray(s)) throw paramError('text.stopWords', s, "'english', 'none' or a list of words");
  return new Set(s.map((w) => w.normalize('NFKC').toLowerCase()));
}

/** Splits text into normalised word tokens (before stop words and n-grams). */
export function tokenize(text: string, opts: Pick<TfidfOptions, 'tokenizer' | 'locale'> = {}): string[] {
  const locale = opts.locale ?? 'en';
  const norm = text.normalize('NFKC').toLocaleLowerCase(locale);
  const out: string[] = [];
  if (opts.tokenizer === 'segmenter') {
    const seg = new Intl.Segmenter(locale, { granularity: 'word' });
    for (const s of seg.segment(norm)) if (s.isWordLike) out.push(s.segment);
    return out;
  }
  for (const m of norm.matchAll(WORD_RE)) out.push(m[0]);
  return out;
}

/** The terms (tokens minus stop words, then 1..n-grams) of one document, in order, with repeats. */
export function analyze(text: string, opts: TfidfOptions = {}, stop: ReadonlySet<string> = resolveStopWords(opts.stopWords)): string[] {
  const minLen = opts.minTokenLength ?? 1;
  const toks = tokenize(text, opts).filter((t) => !stop.has(t) && [...t].length >= minLen);
  const n = opts.ngram ?? 1;
  if (n <= 1) return toks;
  const out = toks.slice();
  for (let len = 2; len <= n; len++) {
    for (let s = 0; s + len <= toks.length; s++) out.push(toks.slice(s, s + len).join(' '));
  }
  return out;
}

function validate(o: TfidfOptions): void {
  const n = o.ngram ?? 1;
  if (!(Number.isInteger(n) && n >= 1 && n <= 5)) throw paramError('text.ngram', n, 'an integer 1..5');
  const minDf = o.minDf ?? 1;
  if (!(minDf > 0) || (minDf >= 1 && !Number.isInteger(minDf))) throw paramError('text.minDf', minDf, 'a fraction in (0,1) or an integer count >= 1');
  const maxDf = o.maxDf ?? 1;
  if (!(maxDf > 0) || (maxDf > 1 && !Number.isInteger(maxDf))) throw paramError('text.maxDf', maxDf, 'a fraction in (0,1] or an integer count > 1');
  const mf = o.maxFeatures ?? 0;
  if (!(Number.isInteger(mf) && mf >= 0)) throw paramError('text.maxFeatures', mf, 'a non-negative integer');
  const ml = o.minTokenLength ?? 1;
  if (!(Number.isInteger(ml) && ml >= 1)) throw paramError('text.minTokenLength', ml, 'an integer >= 1');
}

/** A fitted TF-IDF vocabulary: terms (column order) and their idf weights. */
export class TfidfVectorizer {
  readonly terms: string[];
  readonly idf: Float64Array;
  readonly opts: Readonly<TfidfOptions>;
  private readonly index: Map<string, number>;
  private readonly stop: ReadonlySet<string>;

  private constructor(terms: string[], idf: Float64Array, opts: TfidfOptions) {
    this.terms = terms;
    this.idf = idf;
    this.opts = Object.freeze({ ...opts });
    this.index = new Map(terms.map((t, i) => [t, i]));
    this.stop = resolveStopWords(opts.stopWords);
  }

  /** Learns the vocabulary and idf from `docs` ('' = an empty document). */
  static fit(docs: readonly string[], opts: TfidfOptions = {}): TfidfVectorizer {
    validate(opts);
    const stop = resolveStopWords(opts.stopWords);
    const df = new Map<string, number>();
    const total = new Map<string, number>();
    for (const d of docs) {
      if (!d) continue;
      const terms = analyze(d, opts, stop);
      const uniq = new Set<string>();
      for (const t of terms) {
        total.set(t, (total.get(t) ?? 0) + 1);
        uniq.add(t);
      }
      for (const t of uniq) df.set(t, (df.get(t) ?? 0) + 1);
    }
    const N = docs.length;
    const minDf = opts.minDf ?? 1;
    const maxDf = opts.maxDf ?? 1;
    const minCount = minDf >= 1 ? minDf : Math.ceil(minDf * N - 1e-9);
    const maxCount = maxDf > 1 ? maxDf : Math.floor(maxDf * N + 1e-9);
    let kept = [...df.keys()].filter((t) => {
      const c = df.get(t) ?? 0;
      return c >= minCount && c <= maxCount;
    });
    const mf = opts.maxFeatures ?? 0;
    if (mf > 0 && kept.length > mf) {
      kept.sort((a, b) => (total.get(b) ?? 0) - (total.get(a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0));
      kept = kept.slice(0, mf);
    }
    kept.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const idf = new Float64Array(kept.length);
    const smooth = opts.smoothIdf ?? true;
    const useIdf = opts.useIdf ?? true;
    for (let j = 0; j < kept.length; j++) {
      const c = df.get(kept[j]) ?? 0;
      idf[j] = !useIdf ? 1 : smooth ? Math.log((1 + N) / (1 + c)) + 1 : Math.log(N / c) + 1;
    }
    return new TfidfVectorizer(kept, idf, opts);
  }

  get size(): number {
    return this.terms.length;
  }

  /** Column of `term`, or -1. */
  termIndex(term: string): number {
    return this.index.get(term) ?? -1;
  }

  /** Sparse weights of one document: term columns (ascending) and weights. */
  vector(doc: string): { indices: Int32Array; data: Float32Array } {
    const counts = new Map<number, number>();
    if (doc) {
      for (const t of analyze(doc, this.opts, this.stop)) {
        const j = this.index.get(t);
        if (j !== undefined) counts.set(j, (counts.get(j) ?? 0) + 1);
      }
    }
    const cols = [...counts.keys()].sort((a, b) => a - b);
    const indices = Int32Array.from(cols);
    const w = new Float64Array(cols.length);
    const sub = this.opts.sublinearTf ?? false;
    let ss = 0;
    for (let k = 0; k < cols.length; k++) {
      const c = counts.get(cols[k]) ?? 0;
      const tf = sub ? 1 + Math.log(c) : c;
      w[k] = tf * this.idf[cols[k]];
      ss += w[k] * w[k];
    }
    if ((this.opts.norm ?? 'l2') === 'l2' && ss > 0) {
      const inv = 1 / Math.sqrt(ss);
      for (let k = 0; k < w.length; k++) w[k] *= inv;
    }
    return { indices, data: Float32Array.from(w) };
  }

  /** Documents x terms matrix (rows in the order of `docs`). */
  transform(docs: readonly string[]): Csr {
    const indptr = new Int32Array(docs.length + 1);
    const rows: { indices: Int32Array; data: Float32Array }[] = [];
    for (let r = 0; r < docs.length; r++) {
      const v = this.vector(docs[r]);
      rows.push(v);
      indptr[r + 1] = indptr[r] + v.indices.length;
    }
    const indices = new Int32Array(indptr[docs.length]);
    const data = new Float32Array(indptr[docs.length]);
    for (let r = 0; r < docs.length; r++) {
      indices.set(rows[r].indices, indptr[r]);
      data.set(rows[r].data, indptr[r]);
    }
    return { nRows: docs.length, nCols: this.terms.length, indptr, indices, data };
  }
}

/** Fits a vocabulary on `docs` and returns their TF-IDF matrix with the fitted vectorizer. */
export function tfidf(docs: readonly string[], opts: TfidfOptions = {}): { matrix: Csr; vectorizer: TfidfVectorizer } {
  const vectorizer = TfidfVectorizer.fit(docs, opts);
  return { matrix: vectorizer.transform(docs), vectorizer };
}
