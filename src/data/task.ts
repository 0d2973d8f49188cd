/**
 * One dataset task: the configurations of one group at one temperature, from one Markov chain.
 *
 *   1. thermalize until a measured criterion holds (checked at n = minSweeps·2^k sweeps): over
 *      the last half, the means of its two quarters agree within 3σ and n/2 ≥ 50 τ_int, for the
 *      energy and for the slow order parameter (|m|, or the first Fourier mode ψ at fixed M);
 *   2. freeze the rule (Wolff fixes its clusters per sweep) and run a pilot of n/2 sweeps with the
 *      kernel that production uses; spacing = ⌈2 τ⌉ sweeps, τ the larger τ_int of the two over
 *      the pilot, raised by twice its statistical error (a short pilot errs low as often as high);
 *   3. save a configuration every `spacing` sweeps and measure it (E, M moments, C(r), energy
 *      histogram, ψ, stripe state), so the reference observables are those of the saved set.
 *
 * Configurations go to an append-only part file; a checkpoint (state, counts) is written after the
 * part file is flushed, so a task resumed after a kill truncates the part file to the checkpoint's
 * count and continues with exactly the bytes an uninterrupted run writes.
 */
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { Rng } from '../sampling/rng.js';
import { bondSum, magnetization, squareLattice } from '../lattice/square.js';
import { createRule, type Algorithm } from '../sampling/algorithms.js';
import { initialConfiguration, type ModelKind } from '../sampling/model.js';
import type { RuleState } from '../sampling/rule.js';
import { copyMeasurements, emptyMeasurements, recordMeasurement, type Measurements } from '../observables/accumulator.js';
import { estimateSeries, tauUpperBound } from '../observables/analysis.js';
import { maxCorrelationDistance } from '../observables/correlation.js';
import { firstModeAmplitude, isStripeState } from '../observables/domains.js';
import { loadCheckpoint, saveCheckpoint } from '../io/checkpoint.js';

export interface TaskSpec {
  group: number;
  /** Index of the temperature in its group. */
  index: number;
  L: number;
  model: ModelKind;
  magnetization: number | null;
  algorithm: Algorithm;
  T: number;
  J: number;
  h: number;
  perTemperature: number;
  seed: number;
  thermalization: { minSweeps: number; maxSweeps: number };
}

export interface TaskResult {
  spec: TaskSpec;
  thermalizationSweeps: number;
  /** False when `maxSweeps` passed before the criterion held. */
  thermalized: boolean;
  /** τ_int (sweeps) of E and of the order parameter over the pilot run. */
  tauEnergy: number;
  tauOrder: number;
  spacing: number;
  /** Per saved configuration (R = 1): series.e is E/N, series.m is M/N. */
  measurements: Measurements;
  /** Order parameter per saved configuration: |m| (ising) or ψ (conserved). */
  order: Float64Array;
  stripes: number;
}

interface TaskCheckpoint {
  spec: TaskSpec;
  thermalSweeps: number;
  nextCheck: number;
  thermalE: Float64Array;
  thermalO: Float64Array;
  thermalized: boolean | null;
  /** Pilot sweeps done (after thermalization, with the frozen rule) and the pilot's length. */
  pilotSweeps: number;
  pilotLength: number;
  pilotE: Float64Array;
  pilotO: Float64Array;
  spacing: number;
  tauEnergy: number;
  tauOrder: number;
  /** Configurations saved and flushed to the part file. */
  saved: number;
  /** Sweeps done towards the next saved configuration. */
  measurements: Measurements;
  order: Float64Array;
  stripes: number;
  rule: RuleState;
  rng: number[];
  done: TaskResult | null;
}

const KIND = 'dataset-task';

export interface TaskFiles {
  /** Append-only int8 configurations. */
  part: string;
  checkpoint: string;
}

/** The finished result of a task whose checkpoint says done, else null. */
export function finishedTask(spec: TaskSpec, files: TaskFiles): TaskResult | null {
  return loadCheckpoint<TaskCheckpoint>(files.checkpoint, KIND, JSON.stringify(spec))?.done ?? null;
}

/** Whether the thermalization criterion holds for the first n entries of every series. */
export function thermalized(series: Float64Array[], n: number): { ok: boolean } {
  const half = Math.floor(n / 2), q = Math.floor((3 * n) / 4);
  let ok = true;
  for (const x of series) {
    const a = estimateSeries(x.subarray(half, q));
    const b = estimateSeries(x.subarray(q, n));
    const whole = estimateSeries(x.subarray(half, n));
    const sigma = Math.hypot(a.error, b.error);
    const drift = Math.abs(a.mean - b.mean);
    if (!(drift <= 3 * sigma || drift <= 1e-12 * Math.max(1, Math.abs(a.mean)))) ok = false;
    if (!(n - half >= 50 * whole.tauInt)) ok = false;
  }
  return { ok };
}

/**
 * Runs (or resumes) a task. `checkpointDue` is asked between sweeps; `onProgress` gets the number
 * of configurations saved so far.
 */
export function runTask(spec: TaskSpec, files: TaskFiles, checkpointDue: () => boolean, onProgress?: (saved: number) => void): TaskResult {
  const key = JSON.stringify(spec);
  const resume = loadCheckpoint<TaskCheckpoint>(files.checkpoint, KIND, key);
  if (resume?.done) return resume.done;

  const lattice = squareLattice(spec.L);
  const { N } = lattice;
  const params = { J: spec.J, h: spec.h, T: spec.T };
  const path = [spec.group, spec.index];
  const initial = initialConfiguration(lattice, Rng.stream(spec.seed, ...path, 1), { ...params, magnetization: spec.magnetization, start: 'auto' });
  const rule = createRule(spec.algorithm, { lattice, params, initial }, Rng.stream(spec.seed, ...path, 2));
  let rng = Rng.stream(spec.seed, ...path, 0);
  const n = spec.perTemperature;
  const { minSweeps, maxSweeps } = spec.thermalization;

  const st: Omit<TaskCheckpoint, 'rule' | 'rng' | 'done'> = {
    spec, thermalSweeps: 0, nextCheck: minSweeps,
    thermalE: new Float64Array(minSweeps), thermalO: new Float64Array(minSweeps),
    thermalized: null, pilotSweeps: 0, pilotLength: 0, pilotE: new Float64Array(0), pilotO: new Float64Array(0), spacing: 0, tauEnergy: NaN, tauOrder: NaN,
    saved: 0, measurements: emptyMeasurements(lattice, n), order: new Float64Array(n), stripes: 0,
  };
  if (resume) {
    rule.restoreState(resume.rule);
    rng = Rng.fromState(resume.rng);
    Object.assign(st, resume, { measurements: copyMeasurements(resume.measurements), order: resume.order.slice(), thermalE: resume.thermalE.slice(), thermalO: resume.thermalO.slice(), pilotE: resume.pilotE.slice(), pilotO: resume.pilotO.slice() });
  }

  // the part file holds exactly the checkpoint's configurations (a kill may have left more)
  const fd = openSync(files.part, existsSync(files.part) ? 'r+' : 'w');
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  try {
    ftruncateSync(fd, st.saved * N);
    let written = st.saved * N;
    const flush = () => {
      for (const chunk of pending) {
        let off = 0;
        while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off, written + off);
        written += chunk.length;
      }
      pending = [];
      pendingBytes = 0;
      fsyncSync(fd);
    };
    let savedInMemory = st.saved;
    const checkpoint = (done: TaskResult | null) => {
      flush();
      st.saved = savedInMemory;
      saveCheckpoint<TaskCheckpoint>(files.checkpoint, KIND, key, { ...st, rule: rule.saveState(), rng: rng.saveState(), done });
    };

    const config = new Int8Array(N);
    const rows = new Float64Array(spec.L), cols = new Float64Array(spec.L);
    const orderOf = (c: Int8Array) => (spec.model === 'conserved' ? firstModeAmplitude(lattice, c, rows, cols) : Math.abs(magnetization(c)) / N);

    const measure = (e: Float64Array, o: Float64Array, k: number) => {
      rule.configuration(0, config);
      e[k] = (-spec.J * bondSum(lattice, config) - spec.h * magnetization(config)) / N;
      o[k] = orderOf(config);
    };
    // 1. thermalization with a measured criterion
    while (st.thermalized === null) {
      while (st.thermalSweeps < st.nextCheck) {
        rule.sweep(rng);
        measure(st.thermalE, st.thermalO, st.thermalSweeps++);
        if (checkpointDue()) checkpoint(null);
      }
      const { ok } = thermalized([st.thermalE, st.thermalO], st.thermalSweeps);
      if (ok || st.nextCheck >= maxSweeps) {
        st.thermalized = ok;
        st.pilotLength = st.thermalSweeps - Math.floor(st.thermalSweeps / 2);
        st.pilotE = new Float64Array(st.pilotLength);
        st.pilotO = new Float64Array(st.pilotLength);
        st.thermalE = new Float64Array(0);
        st.thermalO = new Float64Array(0);
        rule.freeze?.();
      } else {
        st.nextCheck = Math.min(2 * st.nextCheck, maxSweeps);
        const grow = (a: Float64Array) => {
          const b = new Float64Array(st.nextCheck);
          b.set(a);
          return b;
        };
        st.thermalE = grow(st.thermalE);
        st.thermalO = grow(st.thermalO);
      }
    }
    // 2. pilot with the production kernel: τ_int → spacing
    if (st.spacing === 0) {
      while (st.pilotSweeps < st.pilotLength) {
        rule.sweep(rng);
        measure(st.pilotE, st.pilotO, st.pilotSweeps++);
        if (checkpointDue()) checkpoint(null);
      }
      st.tauEnergy = estimateSeries(st.pilotE).tauInt;
      st.tauOrder = estimateSeries(st.pilotO).tauInt;
      st.spacing = Math.max(1, Math.ceil(2 * tauUpperBound(Math.max(st.tauEnergy, st.tauOrder), st.pilotLength)));
      st.pilotE = new Float64Array(0);
      st.pilotO = new Float64Array(0);
    }

    // 3. production: one configuration every `spacing` sweeps
    const corr = new Float64Array(maxCorrelationDistance(lattice) + 1);
    const configurationOf = (r: number, out: Int8Array) => rule.configuration(r, out);
    while (savedInMemory < n) {
      for (let s = 0; s < st.spacing; s++) rule.sweep(rng);
      const k = savedInMemory;
      recordMeasurement(st.measurements, lattice, spec.J, spec.h, k, n, true, 1, configurationOf, config, corr);
      st.order[k] = orderOf(config);
      if (isStripeState(lattice, config)) st.stripes++;
      const copy = new Uint8Array(N);
      copy.set(new Uint8Array(config.buffer, config.byteOffset, N));
      pending.push(copy);
      pendingBytes += N;
      savedInMemory++;
      onProgress?.(savedInMemory);
      if (checkpointDue() || pendingBytes > 64 << 20) checkpoint(null);
    }
    const result: TaskResult = {
      spec, thermalizationSweeps: st.thermalSweeps + st.pilotLength, thermalized: Boolean(st.thermalized), tauEnergy: st.tauEnergy, tauOrder: st.tauOrder,
      spacing: st.spacing, measurements: st.measurements, order: st.order, stripes: st.stripes,
    };
    checkpoint(result);
    return result;
  } finally {
    closeSync(fd);
  }
}
