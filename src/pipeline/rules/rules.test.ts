import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AffinityError } from '../../core/errors.js';
import { ItemCatalog } from '../catalog.js';
import type { RequestContext } from '../types.js';
import { compileRule, parseRule } from './index.js';

// items: 0 Comedy+Drama price 20; 1 Horror price 10 outOfStock; 2 Sci-Fi price 80; 3 no category, price NaN
const catalog = new ItemCatalog({
  nItems: 4,
  titles: ['A', 'B', 'C', 'D'],
  categories: { indptr: Int32Array.from([0, 2, 3, 4, 4]), codes: Int32Array.from([0, 1, 2, 3]), names: ['Comedy', 'Drama', 'Horror', 'Sci-Fi'] },
  outOfStock: Uint8Array.from([0, 1, 0, 0]),
  minAge: Float32Array.from([0, 18, 0, 0]),
  popularity: Float32Array.from([10, 5, 1, 0]),
  numeric: { price: Float64Array.from([20, 10, 80, NaN]) },
  strings: { brand: { indptr: Int32Array.from([0, 1, 2, 3, 3]), codes: Int32Array.from([0, 1, 0]), vocab: ['acme', 'zeta'] } },
});
const req: RequestContext = { user: 0, history: { items: new Int32Array(0), values: new Float32Array(0), times: null }, now: 0, context: { userAge: 16, hour: 20 } };
const env = { req, score: 2 };
const which = (expr: string): number[] => {
  const r = compileRule(expr, catalog);
  return [0, 1, 2, 3].filter((i) => r.test(i, env));
};

test('rules: the example filter', () => {
  assert.deepEqual(which('price < 50 && category != "Horror" && !outOfStock'), [0]);
  assert.deepEqual(which('price < 50 and not outOfStock'), [0]);
});

test('rules: multi-valued ==, !=, in, has; missing values', () => {
  assert.deepEqual(which('category == "Drama"'), [0]);
  assert.deepEqual(which('category != "Drama"'), [1, 2, 3]);
  assert.deepEqual(which('category in ["Horror", "Sci-Fi"]'), [1, 2]);
  assert.deepEqual(which('has(category, "Comedy") || brand == "zeta"'), [0, 1]);
  assert.deepEqual(which('price >= 0'), [0, 1, 2]); // NaN compares false
  assert.deepEqual(which('len(category) == 0'), [3]);
  assert.deepEqual(which("brand == 'acme'"), [0, 2]);
});

test('rules: arithmetic, precedence, request values and score', () => {
  const r = compileRule('price * 2 + 1 - -3 % 2', catalog);
  assert.equal(r.number(0, env), 20 * 2 + 1 + 1); // -3 % 2 = -1
  assert.equal(compileRule('(1 + 2) * 3', catalog).number(0, env), 9);
  assert.equal(compileRule('1 + 2 * 3', catalog).number(0, env), 7);
  assert.deepEqual(which('minAge > userAge'), [1]);
  assert.deepEqual(which('hour >= 18 && popularity > 4'), [0, 1]);
  assert.equal(compileRule('score * 10', catalog).number(2, env), 20);
  assert.equal(compileRule('max(price, 50)', catalog).number(0, env), 50);
  assert.ok(Math.abs(compileRule('log2(popularity)', catalog).number(0, env) - Math.log2(10)) < 1e-12);
  assert.equal(compileRule('true || false && false', catalog).test(0, env), true);
  assert.equal(compileRule('!true || false', catalog).test(0, env), false);
});

test('rules: parse errors name the column and what was expected', () => {
  const err = (src: string, re: RegExp): void => {
    assert.throws(() => parseRule(src, 'rerank[1].expr'), (e: unknown) => e instanceof AffinityError && e.code === 'E_PARSE' && re.test(e.message));
  };
  err('price < ', /^rerank\[1\]\.expr:1: column 9: unexpected end of the rule; expected a value/);
  err('price < 50 &&', /column 14: .*expected a value/);
  err('(price < 50', /column 12: .*expected '\)'/);
  err('price < 50 price', /column 12: unexpected 'price'; expected an operator/);
  err('category == "Horror', /column 13: unterminated string; expected a closing "/);
  err('price $ 3', /column 7: unexpected character "\$"/);
  err('1 < 2 < 3', /comparisons do not chain/);
  err('', /column 1: .*expected an expression/);
  err('[1, 2', /expected ',' or '\]'/);
});

test('rules: unknown names and functions are E_PARAM with the known names', () => {
  assert.throws(() => compileRule('colour == "red"', catalog, 'f'), (e: unknown) => e instanceof AffinityError && e.code === 'E_PARAM' && /^f: column 1: unknown name "colour"; expected one of price, brand, category/.test(e.message));
  assert.throws(() => compileRule('foo(price)', catalog, 'f'), /unknown function foo\(\)/);
  assert.throws(() => compileRule('log(1, 2)', catalog, 'f'), /takes 1 argument/);
});
