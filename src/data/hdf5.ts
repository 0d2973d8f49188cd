/**
 * HDF5 storage through h5wasm (the HDF5 C library compiled to WebAssembly, from npm): one file with
 * a group per dataset group holding the same arrays as the .npy files. Loaded only when asked for.
 * The HDF5 library stamps object times into the file, so unlike .npy files an HDF5 file is not
 * byte-identical between runs; its arrays are.
 */
import { renameSync, rmSync } from 'node:fs';
import type { NpyDtype } from './npy.js';
import { streamFile } from '../io/stream.js';

const H5_DTYPE: Record<NpyDtype, string> = { int8: '<b', uint8: '<B', int32: '<i', float32: '<f', float64: '<d' };

type H5 = typeof import('h5wasm/node').default;

async function h5(): Promise<H5> {
  const mod = (await import('h5wasm/node')).default;
  await mod.ready;
  return mod;
}

export interface Hdf5Group {
  name: string;
  L: number;
  n: number;
  /** Part files whose concatenation is the group's spins. */
  parts: string[];
  arrays: Record<string, { dtype: NpyDtype; data: ArrayBufferView }>;
}

export async function writeHdf5(path: string, groups: Hdf5Group[]): Promise<void> {
  const lib = await h5();
  const tmp = `${path}.tmp`;
  rmSync(tmp, { force: true });
  const file = new lib.File(tmp, 'w');
  try {
    for (const g of groups) {
      const group = file.create_group(g.name);
      const N = g.L * g.L;
      const chunkRows = Math.max(1, Math.min(g.n, Math.floor((1 << 20) / N)));
      const spins = group.create_dataset({ name: 'spins', data: new Int8Array(0), shape: [0, g.L, g.L], maxshape: [null, g.L, g.L], chunks: [chunkRows, g.L, g.L], dtype: H5_DTYPE.int8 });
      spins.resize([g.n, g.L, g.L]);
      let row = 0;
      let carry = new Uint8Array(0);
      for (const part of g.parts) {
        streamFile(part, (chunk) => {
          const bytes = carry.length ? concat(carry, chunk) : chunk;
          const rows = Math.floor(bytes.length / N);
          if (rows > 0) spins.write_slice([[row, row + rows]], new Int8Array(bytes.buffer, bytes.byteOffset, rows * N).slice());
          row += rows;
          carry = bytes.slice(rows * N);
        });
      }
      if (row !== g.n || carry.length !== 0) throw new Error(`hdf5: group ${g.name} has ${row} configurations, expected ${g.n}`);
      for (const [name, a] of Object.entries(g.arrays)) group.create_dataset({ name, data: a.data as Float64Array, shape: [g.n], dtype: H5_DTYPE[a.dtype] });
    }
  } finally {
    file.close();
  }
  renameSync(tmp, path);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Reads one array of an HDF5 dataset file (or rows [start, stop) of it). */
export async function readHdf5Array(path: string, dataset: string, rows?: [number, number]): Promise<{ shape: number[]; dtype: string; data: ArrayBufferView }> {
  const lib = await h5();
  const file = new lib.File(path, 'r');
  try {
    const ds = file.get(dataset);
    if (!ds || !(ds instanceof lib.Dataset)) throw new Error(`${path} has no dataset ${dataset}`);
    const data = (rows ? ds.slice([rows]) : ds.value) as unknown as ArrayBufferView;
    return { shape: ds.shape ?? [], dtype: String(ds.dtype), data };
  } finally {
    file.close();
  }
}
