import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { AffinityError } from '../core/errors.js';
import { IdMap } from '../core/idmap.js';
import type { AnyTypedArray, ModelState } from './recommender.js';

/**
 * The model file format (container version 1):
 *   bytes 0..7   magic "AFFMODEL"
 *   bytes 8..11  container version (u32 LE)
 *   bytes 12..15 header length H (u32 LE)
 *   16..16+H     UTF-8 JSON header: { model, stateVersion, params, meta, arrays: [{name, dtype, offset, length}] }
 *   then the arrays' bytes, each starting at an 8-byte aligned offset (relative to the data start,
 *   which is itself 8-byte aligned). Id maps are stored as JSON string arrays in arrays
 *   "__users"/"__items" (UTF-8 bytes); the seen matrix as "__seen.indptr|indices|data".
 */
export const CONTAINER_VERSION = 1;
const MAGIC = 'AFFMODEL';

const DTYPES = {
  f32: Float32Array,
  f64: Float64Array,
  i32: Int32Array,
  u32: Uint32Array,
  u8: Uint8Array,
  i8: Int8Array,
  i16: Int16Array,
  u16: Uint16Array,
} as const;
type DType = keyof typeof DTYPES;

function dtypeOf(a: AnyTypedArray): DType {
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Float64Array) return 'f64';
  if (a instanceof Int32Array) return 'i32';
  if (a instanceof Uint32Array) return 'u32';
  if (a instanceof Uint8Array) return 'u8';
  if (a instanceof Int8Array) return 'i8';
  if (a instanceof Int16Array) return 'i16';
  return 'u16';
}

interface Header {
  model: string;
  stateVersion: number;
  params: ModelState['params'];
  meta: ModelState['meta'];
  arrays: { name: string; dtype: DType; offset: number; length: number }[];
}

export function encodeState(state: ModelState): Buffer {
  const enc = new TextEncoder();
  const arrays: Record<string, AnyTypedArray> = {
    ...state.arrays,
    __users: enc.encode(JSON.stringify(state.users.toArray())),
    __items: enc.encode(JSON.stringify(state.items.toArray())),
    '__seen.indptr': state.seen.indptr,
    '__seen.indices': state.seen.indices,
    '__seen.data': state.seen.data,
  };
  const entries: Header['arrays'] = [];
  let offset = 0;
  for (const [name, a] of Object.entries(arrays)) {
    entries.push({ name, dtype: dtypeOf(a), offset, length: a.length });
    offset += Math.ceil(a.byteLength / 8) * 8;
  }
  const header: Header = { model: state.name, stateVersion: state.stateVersion, params: state.params, meta: { ...state.meta, seenShape: [state.seen.nRows, state.seen.nCols] }, arrays: entries };
  const hbytes = Buffer.from(JSON.stringify(header), 'utf8');
  const dataStart = Math.ceil((16 + hbytes.length) / 8) * 8;
  const buf = Buffer.alloc(dataStart + offset);
  buf.write(MAGIC, 0, 'latin1');
  buf.writeUInt32LE(CONTAINER_VERSION, 8);
  buf.writeUInt32LE(hbytes.length, 12);
  hbytes.copy(buf, 16);
  entries.forEach((e, k) => {
    const a = Object.values(arrays)[k];
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(buf, dataStart + e.offset);
  });
  return buf;
}

export function decodeState(buf: Buffer, file = '<buffer>'): ModelState {
  if (buf.length < 16 || buf.toString('latin1', 0, 8) !== MAGIC) {
    throw new AffinityError('E_MODEL_FILE', `${file}: not an Affinity model file (missing the AFFMODEL header)`, { file });
  }
  const version = buf.readUInt32LE(8);
  if (version > CONTAINER_VERSION) {
    throw new AffinityError('E_MODEL_FILE', `${file}: model file format version ${version} is newer than this Affinity reads (${CONTAINER_VERSION}); upgrade Affinity`, { file });
  }
  const hlen = buf.readUInt32LE(12);
  let header: Header;
  try {
    header = JSON.parse(buf.toString('utf8', 16, 16 + hlen)) as Header;
  } catch {
    throw new AffinityError('E_MODEL_FILE', `${file}: the model header is damaged (invalid JSON)`, { file });
  }
  const dataStart = Math.ceil((16 + hlen) / 8) * 8;
  const arrays: Record<string, AnyTypedArray> = {};
  for (const e of header.arrays) {
    const Ctor = DTYPES[e.dtype];
    const bytes = e.length * Ctor.BYTES_PER_ELEMENT;
    if (dataStart + e.offset + bytes > buf.length) {
      throw new AffinityError('E_MODEL_FILE', `${file}: truncated (array ${e.name} runs past the end of the file)`, { file });
    }
    // copy into an aligned, owned buffer
    const copy = new Uint8Array(bytes);
    copy.set(buf.subarray(dataStart + e.offset, dataStart + e.offset + bytes));
    arrays[e.name] = new Ctor(copy.buffer, 0, e.length);
  }
  const dec = new TextDecoder();
  const users = new IdMap(JSON.parse(dec.decode(arrays.__users)) as string[]);
  const items = new IdMap(JSON.parse(dec.decode(arrays.__items)) as string[]);
  const [nRows, nCols] = (header.meta.seenShape as [number, number] | undefined) ?? [users.size, items.size];
  const seen = {
    nRows,
    nCols,
    indptr: arrays['__seen.indptr'] as Int32Array,
    indices: arrays['__seen.indices'] as Int32Array,
    data: arrays['__seen.data'] as Float32Array,
  };
  for (const k of ['__users', '__items', '__seen.indptr', '__seen.indices', '__seen.data']) delete arrays[k];
  const meta = { ...header.meta };
  delete meta.seenShape;
  return { name: header.model, stateVersion: header.stateVersion, params: header.params, meta, arrays, users, items, seen };
}

/** Writes atomically (temp file + rename). */
export function writeStateFile(path: string, state: ModelState): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, encodeState(state));
    renameSync(tmp, path);
  } catch (e) {
    throw new AffinityError('E_IO', `${path}: cannot write model file (${(e as Error).message})`, { file: path });
  }
}

export function readStateFile(path: string): ModelState {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new AffinityError('E_IO', `${path}: cannot read model file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file: path });
  }
  return decodeState(buf, path);
}
