import { crc32, inflateRawSync } from 'node:zlib';
import { AffinityError } from '../core/errors.js';

/**
 * A small ZIP reader: the central directory (ZIP64 included), stored and deflated entries, CRC-32
 * checked. Enough for dataset archives; encrypted entries and other compression methods are refused
 * with E_FORMAT.
 */
export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflate. */
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  isDirectory: boolean;
}

const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_LOC64 = 0x07064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

function bad(file: string, problem: string): AffinityError {
  return new AffinityError('E_FORMAT', `${file}: not a readable ZIP archive (${problem})`, { file });
}

function u64(v: DataView, off: number): number {
  return v.getUint32(off, true) + v.getUint32(off + 4, true) * 4294967296;
}

/** The entries of a ZIP archive held in memory, in central-directory order. */
export function readZipEntries(buf: Uint8Array, file = 'archive.zip'): ZipEntry[] {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const len = buf.byteLength;
  if (len < 22) throw bad(file, `only ${len} bytes`);
  let eocd = -1;
  for (let p = len - 22; p >= Math.max(0, len - 22 - 65535); p--) {
    if (v.getUint32(p, true) === SIG_EOCD) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) throw bad(file, 'no end-of-central-directory record');
  let count = v.getUint16(eocd + 10, true);
  let cdSize = v.getUint32(eocd + 12, true);
  let cdOffset = v.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || v.getUint32(loc, true) !== SIG_LOC64) throw bad(file, 'ZIP64 locator missing');
    const e64 = u64(v, loc + 8);
    if (e64 + 56 > len || v.getUint32(e64, true) !== SIG_EOCD64) throw bad(file, 'ZIP64 end record missing');
    count = u64(v, e64 + 32);
    cdSize = u64(v, e64 + 40);
    cdOffset = u64(v, e64 + 48);
  }
  if (cdOffset + cdSize > len) throw bad(file, 'central directory beyond the end of the file (truncated download?)');
  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > len || v.getUint32(p, true) !== SIG_CENTRAL) throw bad(file, `central directory entry ${k} is damaged`);
    const flags = v.getUint16(p + 8, true);
    const method = v.getUint16(p + 10, true);
    const crc = v.getUint32(p + 16, true);
    let compressedSize = v.getUint32(p + 20, true);
    let size = v.getUint32(p + 24, true);
    const nameLen = v.getUint16(p + 28, true);
    const extraLen = v.getUint16(p + 30, true);
    const commentLen = v.getUint16(p + 32, true);
    let localOffset = v.getUint32(p + 42, true);
    const nameBytes = buf.subarray(p + 46, p + 46 + nameLen);
    const name = Buffer.from(nameBytes).toString(flags & 0x800 ? 'utf8' : 'latin1');
    // ZIP64 extra field: the 64-bit values of the fields that are 0xffffffff, in this order
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = v.getUint16(x, true);
      const sz = v.getUint16(x + 2, true);
      if (id === 0x0001) {
        let q = x + 4;
        if (size === 0xffffffff) (size = u64(v, q), (q += 8));
        if (compressedSize === 0xffffffff) (compressedSize = u64(v, q), (q += 8));
        if (localOffset === 0xffffffff) localOffset = u64(v, q);
      }
      x += 4 + sz;
    }
    entries.push({ name, method, flags, crc32: crc, compressedSize, size, localOffset, isDirectory: name.endsWith('/') });
    p = xEnd + commentLen;
  }
  return entries;
}

/** The uncompressed bytes of one entry, CRC-32 checked. */
export function extractZipEntry(buf: Uint8Array, entry: ZipEntry, file = 'archive.zip'): Buffer {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const p = entry.localOffset;
  if (p + 30 > buf.byteLength || v.getUint32(p, true) !== SIG_LOCAL) throw bad(file, `local header of ${entry.name} is damaged`);
  if (entry.flags & 0x1) throw new AffinityError('E_FORMAT', `${file}: ${entry.name} is encrypted; encrypted ZIP entries are not supported`, { file });
  const start = p + 30 + v.getUint16(p + 26, true) + v.getUint16(p + 28, true);
  const end = start + entry.compressedSize;
  if (end > buf.byteLength) throw bad(file, `${entry.name} runs past the end of the file (truncated download?)`);
  const raw = buf.subarray(start, end);
  let out: Buffer;
  if (entry.method === 0) out = Buffer.from(raw);
  else if (entry.method === 8) {
    try {
      out = inflateRawSync(raw);
    } catch (e) {
      throw bad(file, `${entry.name} does not inflate: ${(e as Error).message}`);
    }
  } else {
    throw new AffinityError('E_FORMAT', `${file}: ${entry.name} uses compression method ${entry.method}; expected 0 (stored) or 8 (deflate)`, { file });
  }
  if (out.length !== entry.size) throw bad(file, `${entry.name} is ${out.length} bytes, the directory says ${entry.size}`);
  const c = crc32(out) >>> 0;
  if (c !== entry.crc32 >>> 0) {
    throw new AffinityError('E_CHECKSUM', `${file}: ${entry.name} fails its CRC-32 (got ${hex(c)}, expected ${hex(entry.crc32)}); the archive is damaged`, { file });
  }
  return out;
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
