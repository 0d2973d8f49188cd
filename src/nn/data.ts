/**
 * From a dataset (data/) to network inputs: configurations as {0, 1} float32 rows, selected by split
 * and temperature. Spin +1 ↦ 1, −1 ↦ 0, as lattice/square.ts's `spinsToBits`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readManifest } from '../data/manifest.js';
import { findGroup, readArray } from '../data/store.js';
import { SPLITS } from '../data/spec.js';

export interface TrainingSet {
  /** [n, L·L] in {0, 1}: spin +1 ↦ 1. */
  x: tf.Tensor2D;
  temperature: Float64Array;
  label: Int8Array | null;
  L: number;
}

export interface ConfigurationSet {
  /** [n, L·L] in {0, 1}: spin +1 ↦ 1. */
  bits: Uint8Array;
  n: number;
  temperature: Float64Array;
  label: Int8Array | null;
  L: number;
}

/** The configurations of one split (all when absent) of a dataset group as bits, optionally filtered by T. */
export async function loadConfigurations(dir: string, options: { group?: string; split?: (typeof SPLITS)[number]; keep?: (T: number) => boolean } = {}): Promise<ConfigurationSet> {
  const manifest = readManifest(dir);
  const g = findGroup(manifest, options.group);
  const [n, L] = g.arrays.spins.shape;
  const spins = (await readArray(dir, manifest, g, 'spins')) as Int8Array;
  const temperature = (await readArray(dir, manifest, g, 'temperature')) as Float64Array;
  const split = (await readArray(dir, manifest, g, 'split')) as Uint8Array;
  const label = g.arrays.label ? ((await readArray(dir, manifest, g, 'label')) as Int8Array) : null;
  const code = options.split === undefined ? -1 : SPLITS.indexOf(options.split);
  const rows: number[] = [];
  for (let k = 0; k < n; k++) if ((code < 0 || split[k] === code) && (!options.keep || options.keep(temperature[k]))) rows.push(k);
  const N = L * L;
  const bits = new Uint8Array(rows.length * N);
  rows.forEach((k, r) => {
    for (let i = 0; i < N; i++) bits[r * N + i] = spins[k * N + i] > 0 ? 1 : 0;
  });
  return {
    bits, n: rows.length, L,
    temperature: Float64Array.from(rows, (k) => temperature[k]),
    label: label ? Int8Array.from(rows, (k) => label[k]) : null,
  };
}

/**
 * Rows `rows` of an [n, width] matrix held in JS (bits or floats), as a float32 tensor [B, width].
 * Training batches are copied here rather than gathered by tfjs: tfjs-wasm's GatherV2 took 42 of the
 * 77 ms of an autoencoder step (batch 512 of 900 sites), the copy takes well under a millisecond.
 */
export function gatherRows(data: Uint8Array | Float32Array, width: number, rows: ArrayLike<number>): tf.Tensor2D {
  const out = new Float32Array(rows.length * width);
  for (let r = 0; r < rows.length; r++) out.set(data.subarray(rows[r] * width, (rows[r] + 1) * width), r * width);
  return tf.tensor2d(out, [rows.length, width]);
}

/** The configurations of one split (all when absent) of a dataset group, optionally filtered by T. */
export async function loadTrainingSet(dir: string, options: { group?: string; split?: (typeof SPLITS)[number]; keep?: (T: number) => boolean } = {}): Promise<TrainingSet> {
  const c = await loadConfigurations(dir, options);
  return { x: tf.tensor2d(Float32Array.from(c.bits), [c.n, c.L * c.L]), temperature: c.temperature, label: c.label, L: c.L };
}
