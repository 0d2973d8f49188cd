/**
 * What a dataset is made of: groups of configurations (one lattice, model and algorithm each) at a
 * grid of temperatures, and the paper presets that fix all of it at quick or paper scale.
 *
 * A preset is the one place that holds a study's data parameters; its comments say where in the
 * paper each number comes from.
 */
import { CRITICAL_TEMPERATURE } from '../exact/onsager.js';
import { ALGORITHM_INFO, isAlgorithm, ALGORITHMS, type Algorithm } from '../sampling/algorithms.js';
import { realisedMagnetization, type ModelKind } from '../sampling/model.js';
import { MAX_SEED } from '../sampling/rng.js';
import { InputError } from '../errors.js';

export type Scale = 'quick' | 'paper';
export type Storage = 'npy' | 'hdf5';

/** Split codes stored in `split.npy`. */
export const SPLITS = ['train', 'validation', 'test'] as const;

export interface GroupSpec {
  /** Folder (npy) or HDF5 group of this group's arrays. */
  name: string;
  model: ModelKind;
  L: number;
  /** Realised magnetization per spin of the conserved model, else null. */
  magnetization: number | null;
  algorithm: Algorithm;
  temperatures: number[];
  perTemperature: number;
  /** Fractions of each temperature's configurations held out; the rest is train. */
  split: { validation: number; test: number };
  /** Store `label` = 1 for T < T_c (ordered), 0 above (the supervised phase label). */
  labels: boolean;
}

export interface DatasetSpec {
  preset: string | null;
  scale: Scale | null;
  seed: number;
  J: number;
  h: number;
  storage: Storage;
  /** Thermalization runs at least `minSweeps` and gives up (recording it) after `maxSweeps`. */
  thermalization: { minSweeps: number; maxSweeps: number };
  groups: GroupSpec[];
}

const TC = CRITICAL_TEMPERATURE;
const round = (x: number) => Number(x.toPrecision(12));
const linspace = (a: number, b: number, n: number) => Array.from({ length: n }, (_, k) => round(a + ((b - a) * k) / (n - 1)));
const range = (a: number, b: number, step: number) => Array.from({ length: Math.floor((b - a) / step + 1e-9) + 1 }, (_, k) => round(a + k * step));

type PresetGroups = (scale: Scale) => GroupSpec[];

function ising(name: string, L: number, temperatures: number[], perTemperature: number, split: GroupSpec['split'], labels = false): GroupSpec {
  return { name, model: 'ising', L, magnetization: null, algorithm: 'wolff', temperatures, perTemperature, split, labels };
}

function conserved(name: string, L: number, M0: number, temperatures: number[], perTemperature: number, split: GroupSpec['split'], labels = false): GroupSpec {
  return { name, model: 'conserved', L, magnetization: realisedMagnetization(L * L, M0), algorithm: 'geometric', temperatures, perTemperature, split, labels };
}

export const PRESETS: Record<string, { title: string; groups: PresetGroups }> = {
  // Acevedo et al., Sec. II: L = 30, 200 evenly spaced T in [0.02, 4.5], 400 configurations each;
  // 60 000 train (10 % of it validation) and 20 000 test (100 per temperature).
  'ae-flow': {
    title: 'autoencoder NN flow (Acevedo et al.): Ising L = 30, 200 temperatures in [0.02, 4.5]',
    groups: (s) => [s === 'paper'
      ? ising('ising-L30', 30, linspace(0.02, 4.5, 200), 400, { validation: 0.075, test: 0.25 })
      : ising('ising-L16', 16, linspace(0.02, 4.5, 40), 200, { validation: 0.075, test: 0.25 })],
  },
  // Azizi & Pleimling, CNN section: M0 = 0, L = 20, 30, 40, 50, T = 1.0 + (n − 1)·0.1, n = 1…23,
  // 70/10/20 per temperature, label 1 below T_c. "For every system size … we generate 10^5
  // configurations at temperatures T = 1.0 + (n − 1)ΔT": read as 10^5 per size over the 23
  // temperatures (10^5 at each temperature would be 2.3·10^6 per size).
  // Deviation at paper scale: seven more temperatures 2.18…2.34 (step 0.02) between the paper's
  // 2.1, 2.2, 2.3, 2.4. On the paper's ΔT = 0.1 grid the L = 40, 50 curves fall from p > 0.95 to
  // p < 0.05 within two grid steps, so the 0.5 crossing is a straight-line interpolation across
  // the whole transition and the collapse fit cannot resolve ν. The 10^5 configurations per size
  // are kept, spread over the 30 temperatures: ⌈10^5/30⌉ = 3334 each.
  'conserved-cnn': {
    title: 'CNN phase classifier (Azizi & Pleimling): conserved M0 = 0, L = 20…50, T = 1.0…3.2',
    groups: (s) => {
      const paper = s === 'paper';
      const T = range(1.0, 3.2, 0.1);
      if (paper) T.push(...[2.18, 2.22, 2.24, 2.26, 2.28, 2.32, 2.34]), T.sort((a, b) => a - b);
      return (paper ? [20, 30, 40, 50] : [12, 16, 20]).map((L) =>
        conserved(`conserved-L${L}`, L, 0, T, paper ? Math.ceil(100_000 / T.length) : 400, { validation: 0.1, test: 0.2 }, true));
    },
  },
  // Azizi & Pleimling, RBM section: L = 8 and 12; M0 = 0, an excess of 30 majority spins (L = 12,
  // Fig. 7 right), and the non-conserved model (Fig. 8); 10 000 training configurations per
  // temperature (we add 2 000 held out for test); temperatures of Figs. 5–8.
  rbm: {
    title: 'RBM generation (Azizi & Pleimling): L = 8, 12; conserved M0 = 0, excess 30, and non-conserved',
    groups: (s) => {
      const T = [1.0, 1.5, 2.0, round(TC), 2.5, 3.0, 3.5];
      const n = s === 'paper' ? 12_000 : 1_200;
      const split = { validation: 0, test: 1 / 6 };
      return [
        conserved('conserved-L8-M0', 8, 0, T, n, split),
        conserved('conserved-L12-M0', 12, 0, T, n, split),
        conserved('conserved-L12-excess30', 12, 30 / 144, T, n, split),
        ising('ising-L8', 8, T, n, split),
        ising('ising-L12', 12, T, n, split),
      ];
    },
  },
  // Wang, Jiang & Zhou: 60 000 configurations of the 16 × 16 model at T = 2.5 (Fig. 3's star);
  // the reference grid gives the Monte Carlo curves of Fig. 3 the MADE predictions are compared with.
  made: {
    title: 'MADE Hamiltonian (Wang, Jiang & Zhou): L = 16 at T = 2.5, reference grid T = 1.0…4.0',
    groups: (s) => [
      ising('train', 16, [2.5], s === 'paper' ? 60_000 : 10_000, { validation: 0.1, test: 0 }),
      ising('reference', 16, s === 'paper' ? range(1.0, 4.0, 0.1) : range(1.0, 4.0, 0.25), s === 'paper' ? 2_000 : 400, { validation: 0, test: 1 }),
    ],
  },
};

export const PRESET_NAMES = Object.keys(PRESETS);

export function thermalizationFor(scale: Scale | null): DatasetSpec['thermalization'] {
  return scale === 'paper' ? { minSweeps: 2000, maxSweeps: 1 << 21 } : { minSweeps: 1000, maxSweeps: 1 << 18 };
}

export function presetSpec(name: string, scale: Scale, seed: number, storage: Storage): DatasetSpec {
  const preset = PRESETS[name];
  if (!preset) throw new InputError(`--preset ${name} is unknown: allowed are ${PRESET_NAMES.join(', ')}`);
  return checkSpec({ preset: name, scale, seed, J: 1, h: 0, storage, thermalization: thermalizationFor(scale), groups: preset.groups(scale) });
}

export interface CustomOptions {
  L: number[];
  temperatures: number[];
  perTemperature: number;
  model: string;
  magnetization?: number;
  algorithm?: string;
  split?: number[];
  labels?: boolean;
  seed: number;
  storage: Storage;
  scale?: Scale;
}

/** A dataset from explicit options: one group per lattice side. */
export function customSpec(o: CustomOptions): DatasetSpec {
  if (o.model !== 'ising' && o.model !== 'conserved') throw new InputError(`--model ${o.model} is unknown: allowed are ising, conserved`);
  if (o.model === 'ising' && o.magnetization !== undefined) throw new InputError('--magnetization needs --model conserved (the ising model has no fixed magnetization)');
  const algorithm = o.algorithm ?? (o.model === 'conserved' ? 'geometric' : 'wolff');
  if (!isAlgorithm(algorithm)) throw new InputError(`--algorithm ${algorithm} is unknown: allowed are ${ALGORITHMS.join(', ')}`);
  const [train, validation, test] = o.split ?? [0.8, 0.1, 0.1];
  if (o.split && (o.split.length !== 3 || o.split.some((f) => !(f >= 0)) || Math.abs(train + validation + test - 1) > 1e-9)) {
    throw new InputError(`--split ${o.split.join(',')} is not allowed: give three fractions train,validation,test ≥ 0 that sum to 1`);
  }
  const groups = o.L.map((L): GroupSpec => {
    if (!Number.isInteger(L) || L < 4) throw new InputError(`--L ${L} is not allowed: the lattice side must be an integer ≥ 4`);
    let magnetization: number | null = null;
    if (o.model === 'conserved') {
      try {
        magnetization = realisedMagnetization(L * L, o.magnetization ?? 0);
      } catch (e) {
        throw new InputError((e as Error).message.replace(`${L * L} sites`, `${L}×${L}`));
      }
    }
    const name = o.model === 'conserved' ? `conserved-L${L}-M${magnetization}` : `ising-L${L}`;
    return { name, model: o.model as ModelKind, L, magnetization, algorithm, temperatures: o.temperatures, perTemperature: o.perTemperature, split: { validation, test }, labels: Boolean(o.labels) };
  });
  return checkSpec({ preset: null, scale: o.scale ?? null, seed: o.seed, J: 1, h: 0, storage: o.storage, thermalization: thermalizationFor(o.scale ?? null), groups });
}

/** Every rule a dataset must satisfy, as one-line InputErrors naming the bad value. */
export function checkSpec(spec: DatasetSpec): DatasetSpec {
  if (!Number.isInteger(spec.seed) || spec.seed < 0 || spec.seed > MAX_SEED) throw new InputError(`--seed ${spec.seed} is not allowed: expected an integer in [0, ${MAX_SEED}]`);
  if (spec.groups.length === 0) throw new InputError('no lattice size given: --L takes one side or a comma list');
  const names = new Set<string>();
  for (const g of spec.groups) {
    if (names.has(g.name)) throw new InputError(`--L lists ${g.L} twice`);
    names.add(g.name);
    if (g.temperatures.length === 0) throw new InputError('--temperatures is empty: give a comma list (2.0,2.5) or a range start:stop:step with start ≤ stop');
    for (const T of g.temperatures) if (!(T > 0) || !Number.isFinite(T)) throw new InputError(`--temperatures contains ${T}: temperatures must be finite numbers > 0`);
    if (new Set(g.temperatures).size !== g.temperatures.length) throw new InputError(`--temperatures lists a temperature twice (${g.temperatures.join(',')})`);
    if (!Number.isInteger(g.perTemperature) || g.perTemperature < 1) throw new InputError(`--per-temperature ${g.perTemperature} is not allowed: expected an integer ≥ 1`);
    const info = ALGORITHM_INFO[g.algorithm];
    if (info.conservesMagnetization !== (g.model === 'conserved')) {
      const allowed = Object.entries(ALGORITHM_INFO).filter(([, i]) => i.conservesMagnetization === (g.model === 'conserved')).map(([a]) => a);
      throw new InputError(`--algorithm ${g.algorithm} does not fit --model ${g.model}: allowed are ${allowed.join(', ')}`);
    }
    if (g.algorithm === 'multispin' && g.L % 64 !== 0) {
      throw new InputError(`--algorithm multispin on L = ${g.L} runs 32 replicas, and a dataset keeps one chain per temperature: use wolff, checkerboard, metropolis or heatbath, or L a multiple of 64`);
    }
    if (g.L * g.L * g.perTemperature * g.temperatures.length > 2 ** 40) throw new InputError(`group ${g.name} would hold more than 2^40 spins`);
  }
  return spec;
}

/** Sites, temperatures and configurations of a group, in storage order (temperature-major). */
export function groupSize(g: GroupSpec): number {
  return g.temperatures.length * g.perTemperature;
}

/** How many of `n` configurations go to validation and test; the rest is train. */
export function splitCounts(n: number, split: GroupSpec['split']): { train: number; validation: number; test: number } {
  const test = Math.round(n * split.test);
  const validation = Math.min(n - test, Math.round(n * split.validation));
  return { train: n - test - validation, validation, test };
}

export function phaseLabel(T: number, J: number): number {
  return T < CRITICAL_TEMPERATURE * J ? 1 : 0;
}
