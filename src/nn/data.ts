/**
 * From a dataset (data/) to network inputs: configurations as {0, 1} float32 rows, selected by split
 * and temperature. The ±1 → {0, 1} conversion is lattice/square.ts's `spinsToBits`, the one place.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readManifest } from '../data/manifest.js';
import { findGroup, readArray } from '../data/store.js';
import { SPLITS } from '../data/spec.js';
import { spinsToBits } from '../lattice/square.js';

export interface TrainingSet {
  /** [n, L·L] in {0, 1}: spin +1 ↦ 1. */
  x: tf.Tensor2D;
  temperature: Float64Array;
  label: Int8Array | null;
  L: number;
}

/** The configurations of one split (all when absent) of a dataset group, optionally filtered by T. */
export async function loadTrainingSet(dir: string, options: { group?: string; split?: (typeof SPLITS)[number]; keep?: (T: number) => boolean } = {}): Promise<TrainingSet> {
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
  const bits = new Float32Array(rows.length * N);
  rows.forEach((k, r) => spinsToBits(spins.subarray(k * N, (k + 1) * N), bits.subarray(r * N, (r + 1) * N)));
  return {
    x: tf.tensor2d(bits, [rows.length, N]),
    temperature: Float64Array.from(rows, (k) => temperature[k]),
    label: label ? Int8Array.from(rows, (k) => label[k]) : null,
    L,
  };
}
