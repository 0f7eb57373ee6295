/**
 * Streaming line reader. Reads a file in ~1 MiB chunks (gunzipping transparently when the file starts
 * with the gzip magic bytes 1f 8b) and hands out batches of whole lines as byte ranges of a Buffer, so
 * parsers can find delimiters and parse numbers without creating a string per line. Memory use is one
 * chunk plus the partial line carried over, never the whole text.
 */
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { createGunzip } from 'node:zlib';
import { AffinityError, parseError } from '../../core/errors.js';

export type TextEncoding = 'utf8' | 'latin1';

export interface LineReadOptions {
  /** 'utf8' (default: invalid UTF-8 is reported per line) or 'latin1' (every byte is a character). */
  encoding?: TextEncoding;
  /** Called after each chunk with bytes read from disk (compressed bytes for gzip) and the file size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Chunk size in bytes (default 1 MiB). */
  chunkSize?: number;
}

/**
 * A batch of whole lines. Line k spans buf[starts[k], ends[k]) without its LF / CRLF terminator.
 * The arrays are reused: a batch is valid until the next one is requested.
 */
export interface LineBatch {
  readonly buf: Buffer;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly count: number;
  /** 1-based line number of line 0 of this batch. */
  readonly firstLine: number;
  /** With encoding 'utf8': batch indices of lines that are not valid UTF-8 (ascending), else null. */
  readonly invalidUtf8: Int32Array | null;
}

/** The error of a line that is not valid UTF-8. */
export function utf8Error(file: string, line: number): AffinityError {
  return parseError(file, line, 'invalid UTF-8', 'UTF-8 text (use --encoding latin1 for Latin-1 / ISO-8859-1 files such as MovieLens u.item)');
}

/** True when the file starts with the gzip magic bytes 1f 8b. */
export function isGzipFile(path: string): boolean {
  const fd = openFile(path);
  try {
    const b = Buffer.alloc(2);
    const n = readSync(fd, b, 0, 2, 0);
    return n === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

function openFile(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (e) {
    throw new AffinityError('E_IO', `${path}: cannot open (${(e as Error).message}); expected a readable file`, { file: path });
  }
}

/** Size of the file in bytes (E_IO when it cannot be read). */
export function fileSize(path: string): number {
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new Error('is a directory');
    return st.size;
  } catch (e) {
    throw new AffinityError('E_IO', `${path}: cannot open (${(e as Error).message}); expected a readable file`, { file: path });
  }
}

/**
 * Size of the text a file holds, for sizing row buffers: the file size for plain files; for gzip files
 * the trailer's ISIZE (last 4 bytes, little-endian: the uncompressed size mod 2^32, exact for a
 * single-member gzip under 4 GiB). A trailer smaller than the compressed file (a wrapped size of a
 * larger file) gives null: unknown. E_IO when the file cannot be read.
 */
export function textBytes(path: string): number | null {
  const size = fileSize(path);
  if (!isGzipFile(path)) return size;
  if (size < 18) return null; // 10-byte header + 8-byte trailer at least
  const fd = openFile(path);
  try {
    const b = Buffer.alloc(4);
    if (readSync(fd, b, 0, 4, size - 4) !== 4) return null;
    const isize = b.readUInt32LE(0);
    return isize >= size ? isize : null;
  } finally {
    closeSync(fd);
  }
}

/** Streams the file as batches of whole lines (see LineBatch). A UTF-8 byte-order mark is dropped. */
export async function* readLineBatches(path: string, opts: LineReadOptions = {}): AsyncGenerator<LineBatch> {
  const total = fileSize(path);
  const gz = isGzipFile(path);
  const utf8 = (opts.encoding ?? 'utf8') === 'utf8';
  const raw = createReadStream(path, { highWaterMark: opts.chunkSize ?? 1 << 20 });
  let bytesRead = 0;
  let src: NodeJS.ReadableStream = raw;
  if (gz) {
    raw.on('data', (b: string | Buffer) => {
      bytesRead += b.length;
    });
    const gunzip = createGunzip({ chunkSize: opts.chunkSize ?? 1 << 20 });
    raw.on('error', (e) => gunzip.destroy(e));
    src = raw.pipe(gunzip);
  }
  let starts = new Int32Array(1 << 14);
  let ends = new Int32Array(1 << 14);
  let carry: Buffer | null = null;
  let lineNo = 1;
  let first = true;
  const emit = (buf: Buffer, from: number, to: number): LineBatch => {
    // lines in buf[from, to): every line ends with '\n' except possibly the last one when final
    let n = 0;
    let p = from;
    while (p < to) {
      let q = buf.indexOf(10, p);
      if (q < 0 || q >= to) q = to;
      if (n === starts.length) {
        const s2 = new Int32Array(n * 2);
        s2.set(starts);
        starts = s2;
        const e2 = new Int32Array(n * 2);
        e2.set(ends);
        ends = e2;
      }
      starts[n] = p;
      ends[n] = q > p && buf[q - 1] === 13 ? q - 1 : q;
      n++;
      p = q + 1;
    }
    let invalid: Int32Array | null = null;
    if (utf8 && !isUtf8(buf.subarray(from, to))) {
      const bad: number[] = [];
      for (let k = 0; k < n; k++) if (!isUtf8(buf.subarray(starts[k], ends[k]))) bad.push(k);
      invalid = Int32Array.from(bad);
    }
    const batch: LineBatch = { buf, starts, ends, count: n, firstLine: lineNo, invalidUtf8: invalid };
    lineNo += n;
    return batch;
  };
  try {
    for await (const chunk of src as AsyncIterable<Buffer>) {
      if (!gz) bytesRead += chunk.length;
      let buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
      let from = 0;
      if (first && buf.length >= 3) {
        if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) from = 3;
        first = false;
      }
      const last = buf.lastIndexOf(10);
      if (last < from) {
        carry = from ? buf.subarray(from) : buf;
        opts.onProgress?.(bytesRead, total);
        continue;
      }
      carry = last + 1 < buf.length ? Buffer.from(buf.subarray(last + 1)) : null;
      buf = buf.subarray(0, last + 1);
      const batch = emit(buf, from, last + 1);
      opts.onProgress?.(bytesRead, total);
      if (batch.count) yield batch;
    }
    if (carry && carry.length) {
      let from = 0;
      if (first && carry.length >= 3 && carry[0] === 0xef && carry[1] === 0xbb && carry[2] === 0xbf) from = 3;
      const batch = emit(carry, from, carry.length);
      if (batch.count) yield batch;
    }
  } catch (e) {
    if (e instanceof AffinityError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (gz && (err.code === 'Z_DATA_ERROR' || err.code === 'Z_BUF_ERROR' || /unexpected end|incorrect header|invalid/i.test(err.message))) {
      throw parseError(path, lineNo, `corrupt or truncated gzip data (${err.message})`, 'a complete gzip file');
    }
    throw new AffinityError('E_IO', `${path}: read failed (${err.message}); expected a readable file`, { file: path });
  } finally {
    raw.destroy();
  }
}

/** One decoded line with its 1-based number. */
export interface TextLine {
  text: string;
  line: number;
}

/**
 * Streams the file's lines as strings (for small side files; the interaction loaders work on batches).
 * Invalid UTF-8 throws E_PARSE naming file:line.
 */
export async function* readLines(path: string, opts: LineReadOptions = {}): AsyncGenerator<TextLine> {
  const enc = opts.encoding ?? 'utf8';
  for await (const b of readLineBatches(path, opts)) {
    if (b.invalidUtf8 && b.invalidUtf8.length) throw utf8Error(path, b.firstLine + b.invalidUtf8[0]);
    for (let k = 0; k < b.count; k++) yield { text: b.buf.toString(enc, b.starts[k], b.ends[k]), line: b.firstLine + k };
  }
}

/** The first `maxLines` lines (stops reading early), for format detection. Invalid UTF-8 is decoded lossily. */
export async function peekLines(path: string, maxLines = 40, encoding: TextEncoding = 'utf8'): Promise<string[]> {
  const out: string[] = [];
  for await (const b of readLineBatches(path, { encoding: 'latin1', chunkSize: 1 << 16 })) {
    for (let k = 0; k < b.count && out.length < maxLines; k++) out.push(b.buf.toString(encoding, b.starts[k], b.ends[k]));
    if (out.length >= maxLines) break;
  }
  return out;
}
