/**
 * Reading a dataset's arrays back, whatever its storage (npy files or one HDF5 file), so studies
 * and `dataset verify` see the same thing. Spins can be read in blocks of configurations.
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy, readNpyInfo, bytesPerElement } from './npy.js';
import { readHdf5Array } from './hdf5.js';
import type { GroupEntry, Manifest } from './manifest.js';
import { InputError } from '../errors.js';

export type AnyArray = Int8Array | Uint8Array | Int32Array | Float32Array | Float64Array;

export function findGroup(manifest: Manifest, name?: string): GroupEntry {
  if (name === undefined) {
    if (manifest.groups.length === 1) return manifest.groups[0];
    throw new InputError(`the dataset has ${manifest.groups.length} groups: name one of ${manifest.groups.map((g) => g.name).join(', ')}`);
  }
  const g = manifest.groups.find((x) => x.name === name);
  if (!g) throw new InputError(`group ${name} is not in the dataset: allowed are ${manifest.groups.map((x) => x.name).join(', ')}`);
  return g;
}

/** A whole per-configuration array (temperature, energy, magnetization, split, label, or spins). */
export async function readArray(dir: string, manifest: Manifest, group: GroupEntry, name: string): Promise<AnyArray> {
  const entry = group.arrays[name];
  if (!entry) throw new InputError(`group ${group.name} has no array ${name}: it has ${Object.keys(group.arrays).join(', ')}`);
  if (manifest.spec.storage === 'hdf5') return (await readHdf5Array(join(dir, manifest.file?.path ?? ''), entry.path)).data as AnyArray;
  return readNpy(join(dir, entry.path)).data;
}

/**
 * Calls `sink(first, block)` with consecutive blocks of configurations (int8, count × L × L),
 * reading at most about `blockBytes` at a time.
 */
export async function forEachSpinBlock(dir: string, manifest: Manifest, group: GroupEntry, sink: (first: number, block: Int8Array) => void, blockBytes = 32 << 20): Promise<void> {
  const entry = group.arrays.spins;
  const [n, Ly, Lx] = entry.shape;
  const N = Lx * Ly;
  const rows = Math.max(1, Math.floor(blockBytes / N));
  if (manifest.spec.storage === 'hdf5') {
    const path = join(dir, manifest.file?.path ?? '');
    for (let k = 0; k < n; k += rows) {
      const stop = Math.min(n, k + rows);
      sink(k, (await readHdf5Array(path, entry.path, [k, stop])).data as Int8Array);
    }
    return;
  }
  const path = join(dir, entry.path);
  if (!existsSync(path)) throw new Error(`${entry.path} is missing`);
  const info = readNpyInfo(path);
  if (info.fileBytes !== info.dataOffset + n * N * bytesPerElement('int8')) throw new Error(`${entry.path} has ${info.fileBytes} bytes, its shape needs ${info.dataOffset + n * N}`);
  const fd = openSync(path, 'r');
  try {
    for (let k = 0; k < n; k += rows) {
      const count = Math.min(rows, n - k);
      const block = new Int8Array(count * N);
      const got = readSync(fd, block, 0, block.length, info.dataOffset + k * N);
      if (got !== block.length) throw new Error(`${entry.path} ends early at configuration ${k}`);
      sink(k, block);
    }
  } finally {
    closeSync(fd);
  }
}
