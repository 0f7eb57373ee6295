import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, tfidf, tokenize, TfidfVectorizer } from './tfidf.js';

const near = (a: number, b: number, tol = 1e-6): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('tokenize: NFKC, lower case, Unicode letters and digits', () => {
  assert.deepEqual(tokenize('Ｆｕｌｌ-width ÉTÉ, naïve café 1995!'), ['full', 'width', 'été', 'naïve', 'café', '1995']);
  assert.deepEqual(tokenize("Schindler's List (1993)"), ["schindler's", 'list', '1993']);
  assert.deepEqual(tokenize('Москва и Санкт-Петербург'), ['москва', 'и', 'санкт', 'петербург']);
  // the segmenter splits scripts without spaces into words
  const ja = tokenize('東京タワーへ行く', { tokenizer: 'segmenter', locale: 'ja' });
  assert.ok(ja.length >= 2, JSON.stringify(ja));
  assert.equal(ja.join(''), '東京タワーへ行く');
});

test('analyze: stop words removed before n-grams', () => {
  assert.deepEqual(analyze('The Lord of the Rings', { ngram: 2 }), ['lord', 'rings', 'lord rings']);
  assert.deepEqual(analyze('The Lord', { stopWords: 'none' }), ['the', 'lord']);
  assert.deepEqual(analyze('red blue', { stopWords: ['Blue'] }), ['red']);
  assert.deepEqual(analyze('a bb ccc', { stopWords: 'none', minTokenLength: 2 }), ['bb', 'ccc']);
});

test('tf-idf by hand: smooth idf, raw tf, L2 rows', () => {
  // N = 2; df(apple) = 1, df(banana) = 2, df(cherry) = 1
  // idf(apple) = ln(3/2) + 1 = 1.4054651, idf(banana) = ln(3/3) + 1 = 1
  // d1 = apple*2, banana*1 -> (2.8109302, 1) / 2.9835 = (0.9421556, 0.3351757)
  // d2 = banana, cherry -> (1, 1.4054651) / 1.7249 = (0.5797387, 0.8148025)
  const { matrix, vectorizer } = tfidf(['apple banana apple', 'banana cherry'], { stopWords: 'none' });
  assert.deepEqual(vectorizer.terms, ['apple', 'banana', 'cherry']);
  near(vectorizer.idf[0], 1.4054651081);
  near(vectorizer.idf[1], 1);
  assert.deepEqual([...matrix.indptr], [0, 2, 4]);
  assert.deepEqual([...matrix.indices], [0, 1, 1, 2]);
  near(matrix.data[0], 0.9421556247);
  near(matrix.data[1], 0.3351757433);
  near(matrix.data[2], 0.5797386715);
  near(matrix.data[3], 0.8148024747);
});

test('tf-idf by hand: sublinear tf and plain idf', () => {
  const docs = ['apple banana apple', 'banana cherry'];
  // tf(apple, d1) = 1 + ln 2; weights (1.6931*1.4055, 1) normalised
  const sub = tfidf(docs, { stopWords: 'none', sublinearTf: true }).matrix;
  near(sub.data[0], 0.9219069698);
  near(sub.data[1], 0.3874113305);
  // idf = ln(N/df) + 1: apple ln 2 + 1 = 1.6931, banana 1
  const plain = tfidf(docs, { stopWords: 'none', smoothIdf: false }).matrix;
  near(plain.data[0], 0.9590558761);
  near(plain.data[1], 0.2832169250);
  const raw = tfidf(docs, { stopWords: 'none', norm: 'none', useIdf: false }).matrix;
  assert.deepEqual([...raw.data], [2, 1, 1, 1]);
});

test('document-frequency limits, max features, unseen terms', () => {
  const docs = ['x y', 'x z', 'x y w', ''];
  // df: x 3, y 2, z 1, w 1 over N = 4
  assert.deepEqual(TfidfVectorizer.fit(docs, { minDf: 2 }).terms, ['x', 'y']);
  assert.deepEqual(TfidfVectorizer.fit(docs, { maxDf: 0.5 }).terms, ['w', 'y', 'z']);
  assert.deepEqual(TfidfVectorizer.fit(docs, { minDf: 0.5, maxDf: 0.5 }).terms, ['y']);
  assert.deepEqual(TfidfVectorizer.fit(docs, { maxFeatures: 2 }).terms, ['x', 'y']);
  const v = TfidfVectorizer.fit(docs);
  const unseen = v.vector('q r s');
  assert.equal(unseen.indices.length, 0);
  assert.equal(v.transform(['']).indptr[1], 0);
  assert.throws(() => TfidfVectorizer.fit(docs, { ngram: 0 }), /text\.ngram/);
  assert.throws(() => TfidfVectorizer.fit(docs, { minDf: 1.5 }), /text\.minDf/);
});
