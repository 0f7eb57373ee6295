/**
 * A small, safe expression language for business rules over item attributes (no eval / Function):
 *
 *   expr    := or
 *   or      := and (('||' | 'or') and)*
 *   and     := not (('&&' | 'and') not)*
 *   not     := ('!' | 'not') not | cmp
 *   cmp     := add (('==' | '!=' | '<' | '<=' | '>' | '>=' | 'in') add)?
 *   add     := mul (('+' | '-') mul)*
 *   mul     := unary (('*' | '/' | '%') unary)*
 *   unary   := '-' unary | primary
 *   primary := number | "string" | 'string' | true | false | name | name '(' args ')' | '(' expr ')' | '[' list ']'
 *
 * Example: `price < 50 && category != "Horror" && !outOfStock`. Parse errors are E_PARSE naming the
 * rule (`where`), the column and what was expected.
 */
import { parseError } from '../../core/errors.js';

export type Node =
  | { t: 'num'; v: number; pos: number }
  | { t: 'str'; v: string; pos: number }
  | { t: 'bool'; v: boolean; pos: number }
  | { t: 'var'; name: string; pos: number }
  | { t: 'list'; items: Node[]; pos: number }
  | { t: 'call'; name: string; args: Node[]; pos: number }
  | { t: 'not'; a: Node; pos: number }
  | { t: 'neg'; a: Node; pos: number }
  | { t: 'bin'; op: BinOp; a: Node; b: Node; pos: number };

export type BinOp = '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | '+' | '-' | '*' | '/' | '%';

type Tok = { k: 'num'; v: number; pos: number } | { k: 'str'; v: string; pos: number } | { k: 'id'; v: string; pos: number } | { k: 'op'; v: string; pos: number } | { k: 'end'; pos: number };

const OPS = ['||', '&&', '==', '!=', '<=', '>=', '<', '>', '!', '+', '-', '*', '/', '%', '(', ')', '[', ']', ','];

function describe(t: Tok): string {
  if (t.k === 'end') return 'end of the rule';
  if (t.k === 'str') return `string ${JSON.stringify(t.v)}`;
  return `'${String(t.v)}'`;
}

function tokenize(src: string, where: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const fail = (pos: number, problem: string, expected: string): never => {
    throw parseError(where, 1, `column ${pos + 1}: ${problem}`, expected);
  };
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    if ((c >= '0' && c <= '9') || (c === '.' && src[i + 1] >= '0' && src[i + 1] <= '9')) {
      const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i));
      const text = m ? m[0] : c;
      i += text.length;
      out.push({ k: 'num', v: Number(text), pos: start });
      continue;
    }
    if (c === '"' || c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) fail(start, 'unterminated string', `a closing ${c}`);
        const d = src[i];
        if (d === c) break;
        if (d === '\\') {
          const e = src[i + 1];
          if (e === undefined) fail(i, 'unterminated escape', `a character after \\`);
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          i += 2;
        } else {
          s += d;
          i++;
        }
      }
      i++;
      out.push({ k: 'str', v: s, pos: start });
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(src.slice(i));
      const text = m ? m[0] : c;
      i += text.length;
      out.push({ k: 'id', v: text, pos: start });
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) fail(start, `unexpected character ${JSON.stringify(c)}`, 'a number, a "string", a name, an operator or a parenthesis');
    else {
      i += op.length;
      out.push({ k: 'op', v: op, pos: start });
    }
  }
  out.push({ k: 'end', pos: src.length });
  return out;
}

/** Parses a rule expression. `where` names the rule in errors (e.g. 'rerank[2].filter'). */
export function parseRule(src: string, where = 'rule'): Node {
  const toks = tokenize(src, where);
  let p = 0;
  const peek = (): Tok => toks[p];
  const fail = (t: Tok, expected: string): never => {
    throw parseError(where, 1, `column ${t.pos + 1}: unexpected ${describe(t)}`, expected);
  };
  const isOp = (v: string): boolean => {
    const t = toks[p];
    return t.k === 'op' && t.v === v;
  };
  const isWord = (v: string): boolean => {
    const t = toks[p];
    return t.k === 'id' && t.v === v;
  };
  const expect = (v: string, what: string): void => {
    if (!isOp(v)) fail(peek(), what);
    p++;
  };

  const or = (): Node => {
    let a = and();
    while (isOp('||') || isWord('or')) {
      const pos = toks[p++].pos;
      a = { t: 'bin', op: '||', a, b: and(), pos };
    }
    return a;
  };
  const and = (): Node => {
    let a = not();
    while (isOp('&&') || isWord('and')) {
      const pos = toks[p++].pos;
      a = { t: 'bin', op: '&&', a, b: not(), pos };
    }
    return a;
  };
  const not = (): Node => {
    if (isOp('!') || isWord('not')) {
      const pos = toks[p++].pos;
      return { t: 'not', a: not(), pos };
    }
    return cmp();
  };
  const CMP = ['==', '!=', '<', '<=', '>', '>='];
  const cmp = (): Node => {
    const a = add();
    const t = peek();
    if ((t.k === 'op' && CMP.includes(t.v)) || (t.k === 'id' && t.v === 'in')) {
      p++;
      const b = add();
      const n: Node = { t: 'bin', op: t.v as BinOp, a, b, pos: t.pos };
      const u = peek();
      if ((u.k === 'op' && CMP.includes(u.v)) || (u.k === 'id' && u.v === 'in')) fail(u, "'&&', '||' or ')' (comparisons do not chain)");
      return n;
    }
    return a;
  };
  const add = (): Node => {
    let a = mul();
    while (isOp('+') || isOp('-')) {
      const t = toks[p++] as { v: string; pos: number };
      a = { t: 'bin', op: t.v as BinOp, a, b: mul(), pos: t.pos };
    }
    return a;
  };
  const mul = (): Node => {
    let a = unary();
    while (isOp('*') || isOp('/') || isOp('%')) {
      const t = toks[p++] as { v: string; pos: number };
      a = { t: 'bin', op: t.v as BinOp, a, b: unary(), pos: t.pos };
    }
    return a;
  };
  const unary = (): Node => {
    if (isOp('-')) {
      const pos = toks[p++].pos;
      return { t: 'neg', a: unary(), pos };
    }
    return primary();
  };
  const primary = (): Node => {
    const t = peek();
    if (t.k === 'num') {
      p++;
      return { t: 'num', v: t.v, pos: t.pos };
    }
    if (t.k === 'str') {
      p++;
      return { t: 'str', v: t.v, pos: t.pos };
    }
    if (t.k === 'id') {
      if (['and', 'or', 'not', 'in'].includes(t.v)) fail(t, 'a value (a number, a "string", a name or a parenthesis)');
      p++;
      if (t.v === 'true' || t.v === 'false') return { t: 'bool', v: t.v === 'true', pos: t.pos };
      if (isOp('(')) {
        p++;
        const args: Node[] = [];
        if (!isOp(')')) {
          args.push(or());
          while (isOp(',')) {
            p++;
            args.push(or());
          }
        }
        expect(')', `',' or ')' to close the arguments of ${t.v}(`);
        return { t: 'call', name: t.v, args, pos: t.pos };
      }
      return { t: 'var', name: t.v, pos: t.pos };
    }
    if (t.k === 'op' && t.v === '(') {
      p++;
      const e = or();
      expect(')', "')'");
      return e;
    }
    if (t.k === 'op' && t.v === '[') {
      p++;
      const items: Node[] = [];
      if (!isOp(']')) {
        items.push(or());
        while (isOp(',')) {
          p++;
          items.push(or());
        }
      }
      expect(']', "',' or ']' to close the list");
      return { t: 'list', items, pos: t.pos };
    }
    return fail(t, 'a value (a number, a "string", a name, a list or a parenthesis)');
  };

  if (peek().k === 'end') fail(peek(), 'an expression');
  const e = or();
  if (peek().k !== 'end') fail(peek(), "an operator ('&&', '||', a comparison, ...) or the end of the rule");
  return e;
}
