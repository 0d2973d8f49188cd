/**
 * The dataset manifest (`manifest.json`): everything needed to know what the arrays are, how they
 * were made and what they should reproduce. It holds no timestamps, so a dataset is byte-for-byte
 * reproducible from its seed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Estimate } from '../observables/analysis.js';
import type { CorrelationPoint } from '../observables/summary.js';
import type { FiniteLatticeValues } from '../exact/finite-lattice.js';
import type { InfiniteLatticeValues } from '../exact/onsager.js';
import type { NpyDtype } from './npy.js';
import type { DatasetSpec } from './spec.js';
import { InputError } from '../errors.js';

export const MANIFEST_FORMAT = 'spinflow-dataset';
export const MANIFEST_VERSION = 1;
export const MANIFEST = 'manifest.json';
export const HDF5_FILE = 'dataset.h5';

export interface ArrayEntry {
  dtype: NpyDtype;
  shape: number[];
  /** npy: file path relative to the dataset folder; hdf5: the dataset's path inside dataset.h5. */
  path: string;
  /** SHA-256 of the .npy file (npy storage only). */
  sha256?: string;
}

export interface TemperatureEntry {
  T: number;
  /** Index of this temperature's first configuration in the group's arrays. */
  offset: number;
  count: number;
  splits: { train: number; validation: number; test: number };
  thermalizationSweeps: number;
  thermalized: boolean;
  /** τ_int in sweeps over the last half of thermalization; spacing = ⌈2 max τ⌉ sweeps. */
  tauIntEnergy: number;
  tauIntOrder: number;
  spacing: number;
  /** τ_int of the saved configurations' series, in units of saved configurations (≈ ½ if independent). */
  sampleTauIntEnergy: number;
  sampleTauIntOrder: number;
  /**
   * Below T_c: fraction of saved configurations that are stripe states (domain walls spanning the
   * lattice; at fixed M0 = 0 that is the equilibrium state). Null above T_c, where wrapping
   * clusters of both signs are ordinary disorder, not stripes.
   */
  stripeFraction: number | null;
  monteCarlo: {
    energyPerSpin: Estimate;
    absMagnetization: Estimate;
    magnetization: Estimate;
    specificHeat: Estimate;
    susceptibility: Estimate;
    binder: Estimate;
    /** |m| for the ising model, the first Fourier-mode amplitude ψ at fixed magnetization. */
    orderParameter: Estimate;
    correlation: CorrelationPoint[];
  };
  exact: FiniteLatticeValues | null;
  infinite: InfiniteLatticeValues | null;
}

export interface GroupEntry {
  name: string;
  count: number;
  arrays: Record<string, ArrayEntry>;
  temperatures: TemperatureEntry[];
}

export interface Manifest {
  format: string;
  version: number;
  spinflow: { version: string; commit: string | null };
  spec: DatasetSpec;
  splitCodes: Record<string, number>;
  arrays: Record<string, string>;
  /** hdf5 storage: the one file and its SHA-256. */
  file?: { path: string; sha256: string };
  groups: GroupEntry[];
}

export const ARRAY_DESCRIPTIONS: Record<string, string> = {
  spins: 'int8 ±1, shape [n, L, L], site (x, y) at [k, y, x]',
  temperature: 'float64 [n], the temperature of each configuration',
  energy: 'float64 [n], energy per spin E/N = −(J Σ_<ij> s_i s_j + h Σ_i s_i)/N',
  magnetization: 'float64 [n], magnetization per spin M/N',
  split: 'uint8 [n], 0 train, 1 validation, 2 test',
  label: 'int8 [n], 1 for T < T_c (ordered), 0 above',
};

const PACKAGE_ROOT = new URL('../../../', import.meta.url);

export function spinflowVersion(): string {
  return (JSON.parse(readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8')) as { version: string }).version;
}

/** The git commit of the spinflow checkout this runs from, when it is one (read from .git, no git binary). */
export function gitCommit(): string | null {
  try {
    const git = new URL('.git/', PACKAGE_ROOT);
    const head = readFileSync(new URL('HEAD', git), 'utf8').trim();
    if (/^[0-9a-f]{40}$/.test(head)) return head;
    const ref = /^ref: (.+)$/.exec(head)?.[1];
    if (!ref) return null;
    const loose = new URL(ref, git);
    if (existsSync(loose)) return readFileSync(loose, 'utf8').trim();
    const packed = readFileSync(new URL('packed-refs', git), 'utf8');
    return packed.split('\n').find((l) => l.endsWith(` ${ref}`))?.split(' ')[0] ?? null;
  } catch {
    return null;
  }
}

export function readManifest(dir: string): Manifest {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) throw new InputError(`${dir} holds no dataset: ${MANIFEST} is missing (an interrupted generation? rerun it with --resume)`);
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch (e) {
    throw new InputError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (m.format !== MANIFEST_FORMAT) throw new InputError(`${path} is not a spinflow dataset manifest (format ${JSON.stringify(m.format)})`);
  if (m.version !== MANIFEST_VERSION) throw new InputError(`${path} has dataset format version ${m.version}: this spinflow reads version ${MANIFEST_VERSION}`);
  return m;
}
