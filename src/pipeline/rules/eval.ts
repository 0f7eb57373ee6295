/**
 * Compiles a parsed rule to closures over the item index, resolving every name against the catalogue
 * once (unknown names are E_PARAM errors naming the rule, the column and the known names).
 *
 * Names: every numeric and string attribute of the catalogue, and the built-ins `category`
 * (multi-valued), `group`, `title`, `popularity`, `trending`, `novelty`, `year`, `age` (days since
 * first seen), `hidden`, `outOfStock`, `minAge`, `score` (the item's current score); request values
 * `userAge`, `hour`, `weekday`, `device`. Values are numbers, strings, booleans, lists or missing
 * (NaN numbers and absent strings). A multi-valued attribute `==` a string means "contains"; `!=`
 * "does not contain"; `in [..]` "any in". Comparisons with a missing value are false (`!=` true).
 * Functions: has(attr, "x"), log, log2, exp, sqrt, abs, min, max, len.
 */
import { AffinityError } from '../../core/errors.js';
import type { ItemCatalog, StringAttribute } from '../catalog.js';
import type { RequestContext } from '../types.js';
import { parseRule, type Node } from './parse.js';

export type Value = number | string | boolean | null | readonly string[];

/** Per-call inputs besides the item. */
export interface RuleEnv {
  req: RequestContext;
  /** The item's current score (for `score`). */
  score: number;
}

type Fn = (item: number, env: RuleEnv) => Value;

export interface CompiledRule {
  readonly source: string;
  /** The value of the expression for an item. */
  value(item: number, env: RuleEnv): Value;
  /** Truthiness: true, non-zero numbers, non-empty strings and lists. */
  test(item: number, env: RuleEnv): boolean;
  /** As a number (booleans 1/0; anything else NaN). */
  number(item: number, env: RuleEnv): number;
}

export function truthy(v: Value): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0 && v === v;
  if (typeof v === 'string') return v.length > 0;
  if (v === null) return false;
  return v.length > 0;
}

function toNumber(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return NaN;
}

function stringsOf(a: StringAttribute, item: number): readonly string[] {
  const out: string[] = [];
  for (let p = a.indptr[item]; p < a.indptr[item + 1]; p++) out.push(a.vocab[a.codes[p]]);
  return out;
}

/** Equality: lists contain, missing never equals. */
function equals(x: Value, y: Value): boolean {
  if (x === null || y === null) return false;
  if (typeof x === 'object') return typeof y === 'object' ? y.some((v) => x.includes(v)) : x.includes(String(y));
  if (typeof y === 'object') return y.includes(String(x));
  if (typeof x === 'number' && typeof y === 'number') return x === y;
  if (typeof x === 'boolean' || typeof y === 'boolean') return toNumber(x) === toNumber(y);
  return String(x) === String(y);
}

function listOf(v: Value): readonly Value[] {
  return typeof v === 'object' && v !== null ? v : [v];
}

/** Parses and compiles `src` against the catalogue. */
export function compileRule(src: string, catalog: ItemCatalog, where = 'rule'): CompiledRule {
  const ast = parseRule(src, where);
  const fail = (pos: number, problem: string, expected: string): never => {
    throw new AffinityError('E_PARAM', `${where}: column ${pos + 1}: ${problem}; expected ${expected}`, { field: where });
  };
  const builtins: Record<string, Fn> = {
    category: (i) => {
      const out: string[] = [];
      for (let p = catalog.catIndptr[i]; p < catalog.catIndptr[i + 1]; p++) out.push(catalog.categoryNames[catalog.catCodes[p]]);
      return out;
    },
    group: (i) => (catalog.group[i] >= 0 ? (catalog.groupNames[catalog.group[i]] ?? null) : null),
    title: (i) => catalog.title(i),
    popularity: (i) => catalog.popularity[i],
    trending: (i) => catalog.trending[i],
    novelty: (i) => catalog.novelty(i),
    year: (i) => catalog.year[i],
    age: (i, e) => catalog.ageDays(i, e.req.now),
    hidden: (i) => catalog.hidden[i] !== 0,
    outOfStock: (i) => catalog.outOfStock[i] !== 0,
    minAge: (i) => catalog.minAge[i],
    score: (_i, e) => e.score,
    userAge: (_i, e) => e.req.context?.userAge ?? NaN,
    hour: (_i, e) => e.req.context?.hour ?? NaN,
    weekday: (_i, e) => e.req.context?.weekday ?? NaN,
    device: (_i, e) => e.req.context?.device ?? null,
  };
  const resolve = (name: string, pos: number): Fn => {
    const num = catalog.numeric.get(name);
    if (num) return (i) => num[i];
    const str = catalog.strings.get(name);
    if (str) return (i) => stringsOf(str, i);
    const b = builtins[name];
    if (b) return b;
    const known = [...catalog.numeric.keys(), ...catalog.strings.keys(), ...Object.keys(builtins)];
    return fail(pos, `unknown name ${JSON.stringify(name)}`, `one of ${[...new Set(known)].join(', ')}`);
  };
  const math1: Record<string, (x: number) => number> = { log: Math.log, log2: Math.log2, exp: Math.exp, sqrt: Math.sqrt, abs: Math.abs };

  const compile = (n: Node): Fn => {
    switch (n.t) {
      case 'num': {
        const v = n.v;
        return () => v;
      }
      case 'str': {
        const v = n.v;
        return () => v;
      }
      case 'bool': {
        const v = n.v;
        return () => v;
      }
      case 'var':
        return resolve(n.name, n.pos);
      case 'list': {
        const fs = n.items.map(compile);
        return (i, e) => fs.map((f) => String(f(i, e)));
      }
      case 'not': {
        const a = compile(n.a);
        return (i, e) => !truthy(a(i, e));
      }
      case 'neg': {
        const a = compile(n.a);
        return (i, e) => -toNumber(a(i, e));
      }
      case 'call': {
        const args = n.args.map(compile);
        const m1 = math1[n.name];
        if (m1) {
          if (args.length !== 1) fail(n.pos, `${n.name}() takes 1 argument, got ${args.length}`, '1 argument');
          const a = args[0];
          return (i, e) => m1(toNumber(a(i, e)));
        }
        if (n.name === 'min' || n.name === 'max') {
          if (args.length < 1) fail(n.pos, `${n.name}() needs arguments`, 'at least 1 argument');
          const f = n.name === 'min' ? Math.min : Math.max;
          return (i, e) => f(...args.map((a) => toNumber(a(i, e))));
        }
        if (n.name === 'has') {
          if (args.length !== 2) fail(n.pos, `has() takes 2 arguments, got ${args.length}`, 'has(attribute, "value")');
          const [a, b] = args;
          return (i, e) => equals(a(i, e), b(i, e));
        }
        if (n.name === 'len') {
          if (args.length !== 1) fail(n.pos, `len() takes 1 argument, got ${args.length}`, '1 argument');
          const a = args[0];
          return (i, e) => {
            const v = a(i, e);
            return typeof v === 'object' && v !== null ? v.length : typeof v === 'string' ? v.length : NaN;
          };
        }
        return fail(n.pos, `unknown function ${n.name}()`, 'one of has, len, log, log2, exp, sqrt, abs, min, max');
      }
      case 'bin': {
        const a = compile(n.a);
        const b = compile(n.b);
        switch (n.op) {
          case '||':
            return (i, e) => truthy(a(i, e)) || truthy(b(i, e));
          case '&&':
            return (i, e) => truthy(a(i, e)) && truthy(b(i, e));
          case '==':
            return (i, e) => equals(a(i, e), b(i, e));
          case '!=':
            return (i, e) => !equals(a(i, e), b(i, e));
          case 'in':
            return (i, e) => {
              const x = a(i, e);
              const ys = b(i, e);
              if (x === null) return false;
              const xs = listOf(x);
              const ls = listOf(ys);
              return xs.some((v) => ls.some((w) => equals(v, w)));
            };
          case '<':
          case '<=':
          case '>':
          case '>=': {
            const op = n.op;
            return (i, e) => {
              const x = a(i, e);
              const y = b(i, e);
              if (typeof x === 'string' && typeof y === 'string') {
                return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
              }
              const u = toNumber(x);
              const v = toNumber(y);
              return op === '<' ? u < v : op === '<=' ? u <= v : op === '>' ? u > v : u >= v; // NaN: false
            };
          }
          case '+':
            return (i, e) => {
              const x = a(i, e);
              const y = b(i, e);
              if (typeof x === 'string' || typeof y === 'string') return String(x ?? '') + String(y ?? '');
              return toNumber(x) + toNumber(y);
            };
          case '-':
            return (i, e) => toNumber(a(i, e)) - toNumber(b(i, e));
          case '*':
            return (i, e) => toNumber(a(i, e)) * toNumber(b(i, e));
          case '/':
            return (i, e) => toNumber(a(i, e)) / toNumber(b(i, e));
          case '%':
            return (i, e) => toNumber(a(i, e)) % toNumber(b(i, e));
        }
      }
    }
  };
  const f = compile(ast);
  return {
    source: src,
    value: f,
    test: (i, e) => truthy(f(i, e)),
    number: (i, e) => toNumber(f(i, e)),
  };
}
