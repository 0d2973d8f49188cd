/**
 * NumPy `.npy` files, format version 1.0 (numpy/lib/format.py, NEP 1):
 *
 *   bytes 0–5   magic "\x93NUMPY"
 *   bytes 6–7   format version 1, 0
 *   bytes 8–9   header length H, uint16 little-endian
 *   H bytes     ASCII Python dict literal {'descr': …, 'fortran_order': False, 'shape': (…), }
 *               padded with spaces and ended by '\n' so that 10 + H is a multiple of 64
 *   then        the array data, C order, little-endian
 *
 * Large arrays are written block by block (NpyBlockWriter), so they need not fit in memory.
 */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';

export type NpyDtype = 'int8' | 'uint8' | 'int32' | 'float32' | 'float64';

const DESCR: Record<NpyDtype, string> = { int8: '|i1', uint8: '|u1', int32: '<i4', float32: '<f4', float64: '<f8' };
const BYTES: Record<NpyDtype, number> = { int8: 1, uint8: 1, int32: 4, float32: 4, float64: 8 };
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export type TypedArrayOf<D extends NpyDtype> = D extends 'int8' ? Int8Array : D extends 'uint8' ? Uint8Array
  : D extends 'int32' ? Int32Array : D extends 'float32' ? Float32Array : Float64Array;

export function bytesPerElement(dtype: NpyDtype): number {
  return BYTES[dtype];
}

/** Python's tuple literal: (n,) for one axis, (a, b, c) otherwise. */
function shapeLiteral(shape: number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** The complete header (magic through padding), as numpy ≥ 1.9 writes it for version 1.0. */
export function npyHeader(dtype: NpyDtype, shape: number[]): Uint8Array {
  for (const n of shape) if (!Number.isInteger(n) || n < 0) throw new RangeError(`npy: shape ${JSON.stringify(shape)} is not a list of integers ≥ 0`);
  const dict = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${shapeLiteral(shape)}, }`;
  const unpadded = 10 + dict.length + 1;
  const total = Math.ceil(unpadded / 64) * 64;
  const headerLength = total - 10;
  if (headerLength > 0xffff) throw new RangeError('npy: header longer than 65535 bytes needs format version 2');
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = headerLength & 0xff;
  out[9] = headerLength >> 8;
  const text = dict + ' '.repeat(total - unpadded) + '\n';
  for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i);
  return out;
}

/** Raw little-endian bytes of a typed array (this platform is little-endian, as Node requires). */
export function rawBytes(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** A whole .npy file in memory. */
export function encodeNpy(dtype: NpyDtype, shape: number[], data: ArrayBufferView): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.byteLength !== count * BYTES[dtype]) throw new RangeError(`npy: ${data.byteLength} data bytes do not fit shape ${JSON.stringify(shape)} of ${dtype}`);
  const header = npyHeader(dtype, shape);
  const out = new Uint8Array(header.length + data.byteLength);
  out.set(header, 0);
  out.set(rawBytes(data), header.length);
  return out;
}

/**
 * An .npy file written in any order: the header first and the full size allocated, then blocks of
 * elements at their offsets (dataset tasks finish out of order), then fsync on close.
 */
export class NpyBlockWriter {
  private readonly fd: number;
  private readonly dataOffset: number;
  private readonly bytes: number;

  constructor(path: string, readonly dtype: NpyDtype, readonly shape: number[]) {
    const header = npyHeader(dtype, shape);
    this.dataOffset = header.length;
    this.bytes = shape.reduce((a, b) => a * b, 1) * BYTES[dtype];
    this.fd = openSync(path, 'w');
    writeSync(this.fd, header, 0, header.length, 0);
    ftruncateSync(this.fd, this.dataOffset + this.bytes);
  }

  /** Writes raw element bytes starting at element `offset` (C order). */
  writeAt(offset: number, chunk: Uint8Array): void {
    const at = offset * BYTES[this.dtype];
    if (at + chunk.length > this.bytes) throw new RangeError(`npy: block at element ${offset} runs past the end of the array`);
    let off = 0;
    while (off < chunk.length) off += writeSync(this.fd, chunk, off, chunk.length - off, this.dataOffset + at + off);
  }

  close(): void {
    try {
      fsyncSync(this.fd);
    } finally {
      closeSync(this.fd);
    }
  }
}

export interface NpyInfo {
  dtype: NpyDtype;
  shape: number[];
  /** Byte offset of the data. */
  dataOffset: number;
}

/** Parses and checks a version 1.0 header; throws an Error naming what is wrong. */
export function parseNpyHeader(bytes: Uint8Array): NpyInfo {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new Error('not a .npy file (bad magic string)');
  if (bytes[6] !== 1 || bytes[7] !== 0) throw new Error(`npy format version ${bytes[6]}.${bytes[7]} is not supported (only 1.0)`);
  const headerLength = bytes[8] | (bytes[9] << 8);
  const dataOffset = 10 + headerLength;
  if (bytes.length < dataOffset) throw new Error('npy header is truncated');
  if (dataOffset % 64 !== 0) throw new Error(`npy header is not 64-byte aligned (${dataOffset})`);
  const text = String.fromCharCode(...bytes.subarray(10, dataOffset));
  if (!text.endsWith('\n')) throw new Error('npy header does not end with a newline');
  const m = /^\{'descr': '([^']+)', 'fortran_order': (True|False), 'shape': \(([\d, ]*)\), \} *\n$/.exec(text);
  if (!m) throw new Error(`npy header is not a dict of descr, fortran_order, shape: ${JSON.stringify(text.trim())}`);
  const dtype = (Object.keys(DESCR) as NpyDtype[]).find((d) => DESCR[d] === m[1]);
  if (!dtype) throw new Error(`npy dtype ${m[1]} is not supported (allowed: ${Object.values(DESCR).join(', ')})`);
  if (m[2] !== 'False') throw new Error('npy arrays in Fortran order are not supported');
  const shape = m[3].split(',').map((x) => x.trim()).filter((x) => x !== '').map(Number);
  return { dtype, shape, dataOffset };
}

/** Header of a file on disk, read without loading the data. */
export function readNpyInfo(path: string): NpyInfo & { fileBytes: number } {
  const fd = openSync(path, 'r');
  try {
    const head = new Uint8Array(10);
    readSync(fd, head, 0, 10, 0);
    const len = 10 + (head[8] | (head[9] << 8));
    const all = new Uint8Array(len);
    const got = readSync(fd, all, 0, len, 0);
    const info = parseNpyHeader(all.subarray(0, got));
    return { ...info, fileBytes: fstatSync(fd).size };
  } finally {
    closeSync(fd);
  }
}

/** Reads a whole .npy file into a typed array of its dtype. */
export function readNpy(path: string): { dtype: NpyDtype; shape: number[]; data: Int8Array | Uint8Array | Int32Array | Float32Array | Float64Array } {
  const bytes = readFileSync(path);
  const u8 = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const info = parseNpyHeader(u8);
  const count = info.shape.reduce((a, b) => a * b, 1);
  const need = count * BYTES[info.dtype];
  if (u8.length - info.dataOffset !== need) throw new Error(`${path}: ${u8.length - info.dataOffset} data bytes, shape ${JSON.stringify(info.shape)} needs ${need}`);
  const buf = u8.slice(info.dataOffset).buffer; // own, aligned copy
  const data = info.dtype === 'int8' ? new Int8Array(buf) : info.dtype === 'uint8' ? new Uint8Array(buf)
    : info.dtype === 'int32' ? new Int32Array(buf) : info.dtype === 'float32' ? new Float32Array(buf) : new Float64Array(buf);
  return { dtype: info.dtype, shape: info.shape, data };
}
