/**
 * `spinflow dataset generate`: runs every (group, temperature) task on a pool of worker threads,
 * then assembles the arrays and writes the manifest last.
 *
 * Folder layout while generating: DIR/.partial/plan.json (the dataset spec: a resumed run must ask
 * for the same), and per task a part file of configurations and a checkpoint. A dataset is complete
 * exactly when DIR/manifest.json exists; arrays are written to temporary names and renamed, so a
 * kill never leaves a file that looks complete. Each task draws only from its own streams
 * Rng.stream(seed, group, temperature, …), so the bytes do not depend on the number of workers,
 * nor on where the run was killed and resumed.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { sha256File, streamFile } from '../io/stream.js';
import { join } from 'node:path';
import { longestFirst, runOnWorkers } from '../sampling/threads.js';
import { InputError } from '../errors.js';
import { checkpointTimer, writeFileAtomicSync } from '../io/checkpoint.js';
import { CRITICAL_TEMPERATURE, infiniteLattice } from '../exact/onsager.js';
import { finiteLatticeExact } from '../exact/finite-lattice.js';
import { estimateSeries } from '../observables/analysis.js';
import { summarizeChains } from '../observables/summary.js';
import { Rng } from '../sampling/rng.js';
import { NpyBlockWriter, encodeNpy, type NpyDtype } from './npy.js';
import { finishedTask, runTask, type TaskFiles, type TaskResult, type TaskSpec } from './task.js';
import { groupSize, phaseLabel, splitCounts, SPLITS, type DatasetSpec, type GroupSpec } from './spec.js';
import {
  ARRAY_DESCRIPTIONS, HDF5_FILE, MANIFEST, MANIFEST_FORMAT, MANIFEST_VERSION, gitCommit, spinflowVersion,
  type ArrayEntry, type GroupEntry, type Manifest, type TemperatureEntry,
} from './manifest.js';
import { writeHdf5 } from './hdf5.js';

export interface GenerateOptions {
  out: string;
  workers: number;
  resume: boolean;
  /** Seconds between task checkpoints (default 30). */
  checkpointSeconds?: number;
  /** Configurations saved so far, of the total. */
  onProgress?: (done: number, total: number) => void;
}

export interface GenerateReport {
  out: string;
  /** True when DIR already held this very dataset and nothing was run. */
  alreadyComplete: boolean;
  /** Tasks found finished in checkpoints (resume). */
  resumedTasks: number;
  tasks: number;
  configurations: number;
  elapsedSeconds: number;
  manifest: Manifest;
}

const PARTIAL = '.partial';
const PLAN = 'plan.json';

function planText(spec: DatasetSpec): string {
  return `${JSON.stringify(spec, null, 2)}\n`;
}

/** Decides what DIR may be used for; every refusal is an InputError that changes nothing. */
function prepareFolder(spec: DatasetSpec, out: string, resume: boolean): 'fresh' | 'resume' | 'complete' {
  const plan = planText(spec);
  if (existsSync(join(out, MANIFEST))) {
    let same = false;
    try {
      same = planText((JSON.parse(readFileSync(join(out, MANIFEST), 'utf8')) as Manifest).spec) === plan;
    } catch {
      same = false;
    }
    if (same) return 'complete';
    throw new InputError(`--out ${out} holds a different dataset: choose another folder (nothing was changed)`);
  }
  const planPath = join(out, PARTIAL, PLAN);
  if (existsSync(planPath)) {
    if (readFileSync(planPath, 'utf8') !== plan) throw new InputError(`--out ${out} holds an unfinished generation of a different dataset: choose another folder (nothing was changed)`);
    if (!resume) throw new InputError(`--out ${out} holds an interrupted generation of this dataset: add --resume to continue it`);
    return 'resume';
  }
  if (existsSync(out) && readdirSync(out).length > 0) throw new InputError(`--out ${out} is not empty and holds no spinflow dataset: choose an empty or new folder`);
  try {
    mkdirSync(join(out, PARTIAL), { recursive: true });
    writeFileAtomicSync(planPath, plan);
  } catch (e) {
    throw new InputError(`--out ${out} cannot be written: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return 'fresh';
}

export function taskSpecs(spec: DatasetSpec): TaskSpec[] {
  return spec.groups.flatMap((g, gi) => g.temperatures.map((T, ti): TaskSpec => ({
    group: gi, index: ti, L: g.L, model: g.model, magnetization: g.magnetization, algorithm: g.algorithm, T,
    J: spec.J, h: spec.h, perTemperature: g.perTemperature, seed: spec.seed, thermalization: spec.thermalization,
  })));
}

function taskFiles(out: string, t: TaskSpec): TaskFiles {
  const base = join(out, PARTIAL, `g${t.group}-t${t.index}`);
  return { part: `${base}.spins`, checkpoint: `${base}.ckpt` };
}

/**
 * Milliseconds per saved configuration at L = 50, M0 = 0, measured for the two fixed-M rules
 * (spacing ⌈2τ⌉ × time per sweep; stop 20's table in issue 6). The geometric cluster rule is
 * slowest deep in the ordered phase (slab interfaces move slowly), not near T_c.
 */
const CONSERVED_MS_PER_CONFIG_L50: Partial<Record<TaskSpec['algorithm'], [number, number][]>> = {
  geometric: [[1.0, 130], [1.5, 82], [2.0, 9], [2.3, 5], [2.6, 3.4], [3.2, 1.4]],
  exchange: [[1.0, 466], [1.5, 300], [2.0, 104], [2.3, 61], [2.6, 24], [3.2, 5.8]],
};

/** Log-linear interpolation in a (T, cost) table, held constant beyond its ends. */
function interpolateLog(table: [number, number][], T: number): number {
  if (T <= table[0][0]) return table[0][1];
  for (let k = 1; k < table.length; k++) {
    const [T1, c1] = table[k];
    if (T <= T1) {
      const [T0, c0] = table[k - 1];
      return Math.exp(Math.log(c0) + ((T - T0) / (T1 - T0)) * (Math.log(c1) - Math.log(c0)));
    }
  }
  return table[table.length - 1][1];
}

/**
 * Rough relative cost, for handing out the slowest tasks first so that no long task starts last
 * (the outcome never depends on it). Fixed-M rules use the measured table, scaled by L³ (L² sites,
 * spacing taken ∝ L); the others slow down near T_c.
 */
export function expectedCost(t: Pick<TaskSpec, 'L' | 'T' | 'J' | 'model' | 'algorithm' | 'perTemperature'>): number {
  const table = t.model === 'conserved' ? CONSERVED_MS_PER_CONFIG_L50[t.algorithm === 'kawasaki' ? 'exchange' : t.algorithm] : undefined;
  const perConfig = table
    ? interpolateLog(table, t.T / Math.abs(t.J || 1)) * (t.L / 50) ** 3
    : (t.L * t.L) / (Math.abs(t.T - CRITICAL_TEMPERATURE) + 0.1);
  return t.perTemperature * perConfig;
}

async function runTasks(
  tasks: TaskSpec[], out: string, workers: number, checkpointSeconds: number,
  onSaved: (task: number, saved: number) => void, onFinished: (task: number) => void,
): Promise<{ results: TaskResult[]; resumed: number }> {
  const results: (TaskResult | null)[] = tasks.map(() => null);
  const unfinished = tasks.map((_, i) => i).filter((i) => {
    results[i] = finishedTask(tasks[i], taskFiles(out, tasks[i]));
    if (results[i]) {
      onSaved(i, tasks[i].perTemperature);
      onFinished(i);
    }
    return results[i] === null;
  });
  const resumed = tasks.length - unfinished.length;
  const pending = longestFirst(unfinished, (i) => expectedCost(tasks[i]));
  const threads = Math.max(1, Math.min(workers, pending.length));
  if (threads === 1) {
    for (const i of pending) {
      results[i] = runTask(tasks[i], taskFiles(out, tasks[i]), checkpointTimer(checkpointSeconds), (s) => onSaved(i, s));
      onFinished(i);
    }
    return { results: results as TaskResult[], resumed };
  }
  await runOnWorkers<TaskResult>(
    new URL('./worker.js', import.meta.url), pending, threads,
    (id) => ({ id, spec: tasks[id], files: taskFiles(out, tasks[id]), checkpointSeconds }),
    (id, msg) => {
      if (msg.progress !== undefined) onSaved(id, msg.progress as number);
    },
    (id, result) => {
      results[id] = result;
      onFinished(id);
    },
  );
  return { results: results as TaskResult[], resumed };
}

export async function generateDataset(spec: DatasetSpec, options: GenerateOptions): Promise<GenerateReport> {
  const started = performance.now();
  const { out } = options;
  const state = prepareFolder(spec, out, options.resume);
  const tasks = taskSpecs(spec);
  const total = tasks.reduce((a, t) => a + t.perTemperature, 0);
  if (state === 'complete') {
    const manifest = JSON.parse(readFileSync(join(out, MANIFEST), 'utf8')) as Manifest;
    return { out, alreadyComplete: true, resumedTasks: tasks.length, tasks: tasks.length, configurations: total, elapsedSeconds: 0, manifest };
  }
  const saved = tasks.map(() => 0);
  const onSaved = (i: number, s: number) => {
    saved[i] = s;
    options.onProgress?.(saved.reduce((a, b) => a + b, 0), total);
  };
  // npy: each finished task's configurations go to their place in spins.npy at once, while the
  // other tasks run, so little is left to do serially at the end
  const spinsFiles = spec.storage === 'npy' ? spec.groups.map((g) => {
    mkdirSync(join(out, g.name), { recursive: true });
    return new NpyBlockWriter(join(out, g.name, 'spins.npy.tmp'), 'int8', [groupSize(g), g.L, g.L]);
  }) : null;
  const place = (i: number) => {
    if (!spinsFiles) return;
    const t = tasks[i];
    const N = t.L * t.L;
    let at = t.index * t.perTemperature * N;
    streamFile(taskFiles(out, t).part, (chunk) => {
      spinsFiles[t.group].writeAt(at, chunk);
      at += chunk.length;
    });
  };
  const { results, resumed } = await runTasks(tasks, out, options.workers, options.checkpointSeconds ?? 30, onSaved, place);
  spinsFiles?.forEach((f, gi) => {
    f.close();
    renameSync(join(out, spec.groups[gi].name, 'spins.npy.tmp'), join(out, spec.groups[gi].name, 'spins.npy'));
  });
  const manifest = await assemble(spec, out, tasks, results);
  writeFileAtomicSync(join(out, MANIFEST), `${JSON.stringify(manifest, jsonNumbers, 2)}\n`);
  rmSync(join(out, PARTIAL), { recursive: true, force: true });
  return { out, alreadyComplete: false, resumedTasks: resumed, tasks: tasks.length, configurations: total, elapsedSeconds: (performance.now() - started) / 1000, manifest };
}

/** NaN and ±∞ (an undefined error bar) are written as null. */
function jsonNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

/** Per-configuration arrays of one group other than spins, in storage order. */
export function groupArrays(spec: DatasetSpec, g: GroupSpec, gi: number, results: TaskResult[]): Record<string, { dtype: NpyDtype; data: ArrayBufferView }> {
  const n = groupSize(g);
  const temperature = new Float64Array(n);
  const energy = new Float64Array(n);
  const magnetization = new Float64Array(n);
  const split = new Uint8Array(n);
  const label = new Int8Array(n);
  g.temperatures.forEach((T, ti) => {
    const r = results[ti];
    const off = ti * g.perTemperature;
    temperature.fill(T, off, off + g.perTemperature);
    energy.set(r.measurements.series.e, off);
    magnetization.set(r.measurements.series.m, off);
    label.fill(phaseLabel(T, spec.J), off, off + g.perTemperature);
    // a seeded random assignment, so that test configurations are spread over the chain
    const codes = new Uint8Array(g.perTemperature);
    const c = splitCounts(g.perTemperature, g.split);
    codes.fill(1, c.train, c.train + c.validation).fill(2, c.train + c.validation);
    split.set(Rng.stream(spec.seed, gi, ti, 3).shuffle(codes), off);
  });
  const arrays: Record<string, { dtype: NpyDtype; data: ArrayBufferView }> = {
    temperature: { dtype: 'float64', data: temperature },
    energy: { dtype: 'float64', data: energy },
    magnetization: { dtype: 'float64', data: magnetization },
    split: { dtype: 'uint8', data: split },
  };
  if (g.labels) arrays.label = { dtype: 'int8', data: label };
  return arrays;
}

function temperatureEntry(spec: DatasetSpec, g: GroupSpec, ti: number, r: TaskResult, codes: Uint8Array): TemperatureEntry {
  const N = g.L * g.L;
  const o = summarizeChains([{ ...r.measurements, N, spec: { T: r.spec.T, J: spec.J, h: spec.h } }]);
  const count = (code: number) => codes.reduce((a, c) => a + (c === code ? 1 : 0), 0);
  const T = r.spec.T;
  return {
    T, offset: ti * g.perTemperature, count: g.perTemperature,
    splits: { train: count(0), validation: count(1), test: count(2) },
    thermalizationSweeps: r.thermalizationSweeps, thermalized: r.thermalized,
    tauIntEnergy: r.tauEnergy, tauIntOrder: r.tauOrder, spacing: r.spacing,
    sampleTauIntEnergy: o.energyPerSpin.tauInt, sampleTauIntOrder: estimateSeries(r.order).tauInt,
    stripeFraction: T < CRITICAL_TEMPERATURE * spec.J ? r.stripes / g.perTemperature : null,
    monteCarlo: {
      energyPerSpin: o.energyPerSpin, absMagnetization: o.absMagnetization, magnetization: o.magnetization,
      specificHeat: o.specificHeat, susceptibility: o.susceptibility, binder: o.binder,
      orderParameter: estimateSeries(r.order), correlation: o.correlation,
    },
    exact: finiteLatticeExact(g.L, g.L, T, spec.J, spec.h, g.magnetization),
    infinite: g.model === 'ising' && spec.J > 0 && spec.h === 0 ? infiniteLattice(T, spec.J) : null,
  };
}

/** Writes the remaining arrays (npy files, or one HDF5 file) and returns the manifest. */
async function assemble(spec: DatasetSpec, out: string, tasks: TaskSpec[], results: TaskResult[]): Promise<Manifest> {
  const data = spec.groups.map((g, gi) => {
    const mine = results.filter((_, i) => tasks[i].group === gi);
    const parts = tasks.filter((t) => t.group === gi).map((t) => taskFiles(out, t).part);
    return { g, n: groupSize(g), mine, parts, arrays: groupArrays(spec, g, gi, mine) };
  });
  const groups: GroupEntry[] = data.map(({ g, n, mine, parts, arrays }) => {
    const entries: Record<string, ArrayEntry> = {};
    const shapeOf = (name: string) => (name === 'spins' ? [n, g.L, g.L] : [n]);
    if (spec.storage === 'npy') {
      // spins.npy was filled task by task (generateDataset)
      entries.spins = { dtype: 'int8', shape: shapeOf('spins'), path: `${g.name}/spins.npy`, sha256: sha256File(join(out, g.name, 'spins.npy')) };
      for (const [name, a] of Object.entries(arrays)) {
        const bytes = encodeNpy(a.dtype, shapeOf(name), a.data);
        writeFileAtomicSync(join(out, g.name, `${name}.npy`), bytes);
        entries[name] = { dtype: a.dtype, shape: shapeOf(name), path: `${g.name}/${name}.npy`, sha256: createHash('sha256').update(bytes).digest('hex') };
      }
    } else {
      entries.spins = { dtype: 'int8', shape: shapeOf('spins'), path: `/${g.name}/spins` };
      for (const [name, a] of Object.entries(arrays)) entries[name] = { dtype: a.dtype, shape: shapeOf(name), path: `/${g.name}/${name}` };
    }
    const split = arrays.split.data as Uint8Array;
    const temperatures = mine.map((r, ti) => temperatureEntry(spec, g, ti, r, split.subarray(ti * g.perTemperature, (ti + 1) * g.perTemperature)));
    return { name: g.name, count: n, arrays: entries, temperatures };
  });
  let file: Manifest['file'];
  if (spec.storage === 'hdf5') {
    const path = join(out, HDF5_FILE);
    await writeHdf5(path, data.map(({ g, n, parts, arrays }) => ({ name: g.name, L: g.L, n, parts, arrays })));
    file = { path: HDF5_FILE, sha256: sha256File(path) };
  }
  return {
    format: MANIFEST_FORMAT, version: MANIFEST_VERSION,
    spinflow: { version: spinflowVersion(), commit: gitCommit() },
    spec, splitCodes: Object.fromEntries(SPLITS.map((s, i) => [s, i])), arrays: ARRAY_DESCRIPTIONS,
    ...(file ? { file } : {}),
    groups,
  };
}
