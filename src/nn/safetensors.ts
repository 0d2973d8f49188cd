/**
 * Model weights in the safetensors format (huggingface/safetensors), readable from Python with
 * `safetensors.numpy.load_file` or a few lines of NumPy:
 *
 *   8 bytes      N, the header length, unsigned little-endian
 *   N bytes      JSON: {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, …,
 *                       "__metadata__": {"key": "string value", …}}, padded with spaces to 8 bytes
 *   the rest     the tensors' bytes, little-endian, C order, at their offsets
 */
import * as tf from '@tensorflow/tfjs-core';
import { readBytes, writeFileAtomicSync } from '../io/files.js';

type Dtype = 'F32' | 'F64' | 'I32' | 'I8' | 'U8';
type Data = Float32Array | Float64Array | Int32Array | Int8Array | Uint8Array;

export interface NamedArray {
  dtype: Dtype;
  shape: number[];
  data: Data;
}

const CTOR = { F32: Float32Array, F64: Float64Array, I32: Int32Array, I8: Int8Array, U8: Uint8Array } as const;

export function encodeSafetensors(arrays: Record<string, NamedArray>, metadata: Record<string, string> = {}): Uint8Array {
  const names = Object.keys(arrays).sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const a = arrays[name];
    const count = a.shape.reduce((x, y) => x * y, 1);
    if (count !== a.data.length) throw new RangeError(`safetensors: ${name} has ${a.data.length} values, shape ${JSON.stringify(a.shape)} needs ${count}`);
    header[name] = { dtype: a.dtype, shape: a.shape, data_offsets: [offset, offset + a.data.byteLength] };
    offset += a.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const name of names) {
    const d = arrays[name].data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
    at += d.byteLength;
  }
  return out;
}

export function decodeSafetensors(bytes: Uint8Array): { arrays: Record<string, NamedArray>; metadata: Record<string, string> } {
  if (bytes.length < 8) throw new Error('safetensors: file shorter than its 8-byte header length');
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (8 + n > bytes.length) throw new Error('safetensors: header runs past the end of the file');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype: Dtype; shape: number[]; data_offsets: [number, number] }>;
  const base = 8 + n;
  const arrays: Record<string, NamedArray> = {};
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as unknown as Record<string, string>;
      continue;
    }
    const Ctor = CTOR[entry.dtype];
    if (!Ctor) throw new Error(`safetensors: ${name} has dtype ${entry.dtype}, not one of ${Object.keys(CTOR).join(', ')}`);
    const [begin, end] = entry.data_offsets;
    if (base + end > bytes.length || end < begin) throw new Error(`safetensors: ${name} lies outside the file`);
    const copy = new Uint8Array(bytes.subarray(base + begin, base + end)); // own, aligned buffer (Buffer.slice would be a view)
    const data = new Ctor(copy.buffer) as Data;
    if (data.length !== entry.shape.reduce((x, y) => x * y, 1)) throw new Error(`safetensors: ${name} has ${data.length} values for shape ${JSON.stringify(entry.shape)}`);
    arrays[name] = { dtype: entry.dtype, shape: entry.shape, data };
  }
  return { arrays, metadata };
}

/** Saves float32 tensors (model weights) atomically. */
export function saveTensors(path: string, tensors: Record<string, tf.Tensor>, metadata: Record<string, string> = {}): void {
  const arrays: Record<string, NamedArray> = {};
  for (const [name, t] of Object.entries(tensors)) arrays[name] = { dtype: 'F32', shape: t.shape, data: Float32Array.from(t.dataSync() as Float32Array) };
  writeFileAtomicSync(path, encodeSafetensors(arrays, metadata));
}

export function loadTensors(path: string): { tensors: Record<string, tf.Tensor>; metadata: Record<string, string> } {
  return tensorsFromBytes(readBytes(path));
}

/** Tensors of a safetensors file already in memory (a browser's fetch). */
export function tensorsFromBytes(bytes: Uint8Array): { tensors: Record<string, tf.Tensor>; metadata: Record<string, string> } {
  const { arrays, metadata } = decodeSafetensors(bytes);
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, a] of Object.entries(arrays)) tensors[name] = tf.tensor(a.data as Float32Array, a.shape, a.dtype === 'I32' ? 'int32' : 'float32');
  return { tensors, metadata };
}
