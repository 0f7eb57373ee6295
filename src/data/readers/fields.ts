/**
 * Byte-level field splitting and number parsing for the line readers: fields are byte ranges of the
 * line's Buffer, so a row costs no strings unless an id is new.
 */
import type { IdMap } from '../../core/idmap.js';

/** Fields of one line: field k spans buf[fs[k], fe[k]). Reused from line to line. */
export class Fields {
  n = 0;
  fs = new Int32Array(16);
  fe = new Int32Array(16);
  buf: Buffer = Buffer.alloc(0);

  push(s: number, e: number): void {
    if (this.n === this.fs.length) {
      const a = new Int32Array(this.n * 2);
      a.set(this.fs);
      this.fs = a;
      const b = new Int32Array(this.n * 2);
      b.set(this.fe);
      this.fe = b;
    }
    this.fs[this.n] = s;
    this.fe[this.n] = e;
    this.n++;
  }

  text(k: number, enc: BufferEncoding = 'utf8'): string {
    return this.buf.toString(enc, this.fs[k], this.fe[k]);
  }

  texts(enc: BufferEncoding = 'utf8'): string[] {
    const out: string[] = [];
    for (let k = 0; k < this.n; k++) out.push(this.text(k, enc));
    return out;
  }
}

const SP = 32;
const TAB = 9;
const QUOTE = 34;

/**
 * Splits buf[s, e) on the one-byte delimiter `d`. With `quotes`, RFC-4180 quoted fields ("a,b" and
 * doubled "" inside) are unescaped in place. Spaces around unquoted fields are trimmed.
 * Returns null, or the problem when the quoting is broken.
 */
export function splitDelimited(buf: Buffer, s: number, e: number, d: number, quotes: boolean, out: Fields): string | null {
  out.n = 0;
  out.buf = buf;
  let p = s;
  for (;;) {
    while (p < e && buf[p] === SP && d !== SP) p++;
    if (quotes && p < e && buf[p] === QUOTE) {
      let w = p;
      let q = p + 1;
      const start = p;
      for (;;) {
        if (q >= e) return 'unterminated quoted field';
        const c = buf[q];
        if (c === QUOTE) {
          if (q + 1 < e && buf[q + 1] === QUOTE) {
            buf[w++] = QUOTE;
            q += 2;
            continue;
          }
          q++;
          break;
        }
        buf[w++] = c;
        q++;
      }
      out.push(start, w);
      while (q < e && buf[q] === SP && d !== SP) q++;
      if (q >= e) return null;
      if (buf[q] !== d) return 'text after a closing quote';
      p = q + 1;
      if (p === e) {
        out.push(e, e);
        return null;
      }
      continue;
    }
    let q = p;
    while (q < e && buf[q] !== d) q++;
    let t = q;
    while (t > p && (buf[t - 1] === SP || buf[t - 1] === TAB) && d !== TAB) t--;
    out.push(p, t);
    if (q >= e) return null;
    p = q + 1;
    if (p === e) {
      out.push(e, e);
      return null;
    }
  }
}

/** Splits on a multi-byte delimiter such as '::' (MovieLens 1M/10M .dat). */
export function splitMulti(buf: Buffer, s: number, e: number, delim: Buffer, out: Fields): void {
  out.n = 0;
  out.buf = buf;
  const d0 = delim[0];
  const dl = delim.length;
  let p = s;
  let q = s;
  while (q <= e - dl) {
    if (buf[q] === d0) {
      let ok = true;
      for (let j = 1; j < dl; j++)
        if (buf[q + j] !== delim[j]) {
          ok = false;
          break;
        }
      if (ok) {
        out.push(p, q);
        q += dl;
        p = q;
        continue;
      }
    }
    q++;
  }
  out.push(p, e);
}

/** Splits on runs of spaces and tabs; leading and trailing whitespace is ignored. */
export function splitWhitespace(buf: Buffer, s: number, e: number, out: Fields): void {
  out.n = 0;
  out.buf = buf;
  let p = s;
  while (p < e) {
    while (p < e && (buf[p] === SP || buf[p] === TAB)) p++;
    if (p >= e) break;
    let q = p;
    while (q < e && buf[q] !== SP && buf[q] !== TAB) q++;
    out.push(p, q);
    p = q;
  }
}

/** True when buf[s, e) is empty or only spaces / tabs. */
export function isBlank(buf: Buffer, s: number, e: number): boolean {
  for (let p = s; p < e; p++) if (buf[p] !== SP && buf[p] !== TAB) return false;
  return true;
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * Parses buf[s, e) as a plain decimal number (`-12`, `4.5`, `1e3`); NaN when it is anything else
 * (callers then look at the text: 'NaN' / 'inf' / dates / words). Exact (one correctly rounded
 * division) for up to 15 significant digits; longer numbers go through Number().
 */
export function parseNum(buf: Buffer, s: number, e: number): number {
  while (s < e && buf[s] === SP) s++;
  while (e > s && buf[e - 1] === SP) e--;
  if (s >= e) return NaN;
  let p = s;
  let neg = false;
  const c0 = buf[p];
  if (c0 === 45 || c0 === 43) {
    neg = c0 === 45;
    p++;
  }
  let m = 0;
  let digits = 0;
  let frac = 0;
  let any = false;
  while (p < e) {
    const c = buf[p] - 48;
    if (c < 0 || c > 9) break;
    m = m * 10 + c;
    if (m > 0) digits++;
    any = true;
    p++;
  }
  if (p < e && buf[p] === 46) {
    p++;
    while (p < e) {
      const c = buf[p] - 48;
      if (c < 0 || c > 9) break;
      m = m * 10 + c;
      if (m > 0) digits++;
      frac++;
      any = true;
      p++;
    }
  }
  if (!any) return NaN;
  let exp = 0;
  if (p < e && (buf[p] === 101 || buf[p] === 69)) {
    p++;
    let eneg = false;
    if (p < e && (buf[p] === 45 || buf[p] === 43)) {
      eneg = buf[p] === 45;
      p++;
    }
    let eany = false;
    while (p < e) {
      const c = buf[p] - 48;
      if (c < 0 || c > 9) break;
      exp = exp * 10 + c;
      eany = true;
      p++;
    }
    if (!eany) return NaN;
    if (eneg) exp = -exp;
  }
  if (p !== e) return NaN;
  const e10 = exp - frac;
  let v: number;
  if (digits <= 15 && e10 >= -22 && e10 <= 22) v = e10 < 0 ? m / POW10[-e10] : m * POW10[e10];
  else v = Number(buf.toString('latin1', s, e));
  return neg ? -v : v;
}

const NON_FINITE = new Set(['nan', 'inf', '+inf', '-inf', 'infinity', '+infinity', '-infinity']);

/** True for the spellings of NaN and infinity ('NaN', 'inf', '-Infinity', ...). */
export function isNonFiniteWord(text: string): boolean {
  return NON_FINITE.has(text.trim().toLowerCase());
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Unix seconds of an ISO-8601 date or date-time (UTC when no zone is given); NaN when not one. */
export function parseIsoSeconds(text: string): number {
  const t = text.trim();
  const m = ISO_DATE.exec(t);
  if (!m) return NaN;
  let iso = t.replace(' ', 'T');
  if (!m[4]) iso += 'T00:00:00';
  if (!m[7]) iso += 'Z';
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms / 1000 : NaN;
}

const ID_TABLE_MAX = 1 << 22;

/**
 * Id lookup with a fast path for canonical decimal ids (no leading zeros, < 2^22): their map index is
 * cached in a typed array, so a repeated numeric id costs no string. Other ids go through the IdMap.
 */
export class IdCache {
  private table = new Int32Array(1024).fill(-1);

  constructor(
    readonly map: IdMap,
    private readonly enc: BufferEncoding = 'utf8',
  ) {}

  /** Index of the id in buf[s, e) (added when new). */
  get(buf: Buffer, s: number, e: number): number {
    const len = e - s;
    if (len > 0 && len <= 7 && (buf[s] !== 48 || len === 1)) {
      let v = 0;
      let p = s;
      for (; p < e; p++) {
        const c = buf[p] - 48;
        if (c < 0 || c > 9) break;
        v = v * 10 + c;
      }
      if (p === e && v < ID_TABLE_MAX) {
        let t = this.table;
        if (v >= t.length) {
          let size = t.length;
          while (size <= v) size *= 2;
          const grown = new Int32Array(Math.min(size, ID_TABLE_MAX)).fill(-1);
          grown.set(t);
          this.table = t = grown;
        }
        let i = t[v];
        if (i < 0) {
          i = this.map.add(String(v));
          t[v] = i;
        }
        return i;
      }
    }
    return this.map.add(buf.toString(this.enc, s, e));
  }

  /** Index of an id given as a string. */
  getText(id: string): number {
    return this.map.add(id);
  }
}
