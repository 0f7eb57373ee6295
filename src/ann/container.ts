/**
 * The ANN file format: 8 magic bytes "AFANN01\n", a little-endian u32 header length, a JSON header
 * (backend, options, named sections with their type and length), then the sections, each starting on
 * an 8-byte boundary.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { AffinityError } from '../core/errors.js';
import type { AnnBackend, ResolvedAnnOptions } from './types.js';

const MAGIC = 'AFANN01\n';
type Section = Float32Array | Int32Array | Uint8Array;
const CTORS = { f32: Float32Array, i32: Int32Array, u8: Uint8Array } as const;
type SectionType = keyof typeof CTORS;

export interface AnnFile {
  backend: AnnBackend;
  options: ResolvedAnnOptions;
  meta: Record<string, number>;
  sections: Record<string, Section>;
}

function typeOf(a: Section): SectionType {
  return a instanceof Float32Array ? 'f32' : a instanceof Int32Array ? 'i32' : 'u8';
}

export function writeAnnFile(path: string, f: AnnFile): void {
  const names = Object.keys(f.sections);
  const header = JSON.stringify({
    backend: f.backend,
    options: f.options,
    meta: f.meta,
    sections: names.map((n) => ({ name: n, type: typeOf(f.sections[n]), length: f.sections[n].length })),
  });
  const hb = Buffer.from(header, 'utf8');
  const parts: Buffer[] = [Buffer.from(MAGIC, 'latin1')];
  const len = Buffer.alloc(4);
  len.writeUInt32LE(hb.length, 0);
  parts.push(len, hb);
  let pos = 12 + hb.length;
  for (const n of names) {
    const pad = (8 - (pos % 8)) % 8;
    if (pad) parts.push(Buffer.alloc(pad));
    const a = f.sections[n];
    const b = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    parts.push(b);
    pos += pad + b.length;
  }
  try {
    writeFileSync(path, Buffer.concat(parts));
  } catch (e) {
    throw new AffinityError('E_IO', `${path}: cannot write the ANN index (${(e as Error).message})`);
  }
}

export function readAnnFile(path: string): AnnFile {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new AffinityError('E_IO', `${path}: cannot read the ANN index (${(e as Error).message})`);
  }
  const bad = (what: string): AffinityError => new AffinityError('E_MODEL_FILE', `${path}: ${what}; expected an ANN index written by AnnIndex.save`);
  if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MAGIC) throw bad('not an ANN index file (bad magic bytes)');
  const hl = buf.readUInt32LE(8);
  if (12 + hl > buf.length) throw bad('truncated header');
  let h: { backend: AnnBackend; options: ResolvedAnnOptions; meta: Record<string, number>; sections: { name: string; type: SectionType; length: number }[] };
  try {
    h = JSON.parse(buf.toString('utf8', 12, 12 + hl)) as typeof h;
  } catch {
    throw bad('header is not JSON');
  }
  const sections: Record<string, Section> = {};
  let pos = 12 + hl;
  for (const s of h.sections ?? []) {
    const C = CTORS[s.type];
    if (!C || !Number.isInteger(s.length) || s.length < 0) throw bad(`section ${s.name} has a bad type or length`);
    pos += (8 - (pos % 8)) % 8;
    const bytes = s.length * C.BYTES_PER_ELEMENT;
    if (pos + bytes > buf.length) throw bad(`section ${s.name} is truncated`);
    const copy = new Uint8Array(bytes);
    copy.set(buf.subarray(pos, pos + bytes));
    sections[s.name] = new C(copy.buffer, 0, s.length);
    pos += bytes;
  }
  return { backend: h.backend, options: h.options, meta: h.meta ?? {}, sections };
}
