/**
 * One Markov chain: build the rule, thermalize, then sweep and measure (observables/accumulator.ts,
 * averaged over the rule's replicas at each measurement). Everything a chain returns is plain data
 * (typed arrays, numbers), so it crosses worker boundaries unchanged.
 */
import { Rng } from './rng.js';
import { squareLattice } from '../lattice/square.js';
import { createRule, type Algorithm } from './algorithms.js';
import type { RuleState } from './rule.js';
import { initialConfiguration, type Start } from './model.js';
import { maxCorrelationDistance } from '../observables/correlation.js';
import { copyMeasurements, emptyMeasurements, recordMeasurement, type Measurements } from '../observables/accumulator.js';

export { PRIMARIES, BATCHES, type Primary } from '../observables/accumulator.js';

export interface ChainSpec {
  Lx: number;
  Ly: number;
  T: number;
  J: number;
  h: number;
  algorithm: Algorithm;
  /** Fixed magnetization per spin (conserved model), or null. */
  magnetization: number | null;
  thermalize: number;
  sweeps: number;
  /** Sweeps between measurements. */
  measureEvery: number;
  /** Measurements between C(r) evaluations (0: no correlation). */
  correlationEvery: number;
  seed: number;
  /** Stream index of this chain: chains draw from Rng.stream(seed, chain, …) wherever they run. */
  chain: number;
  start: Start;
}

/** What a chain accumulates while it measures. */
export interface ChainMeasurements extends Measurements {
  /** Work (attempts or flipped spins) and update time of the measurement-phase sweeps. */
  work: number;
  updateSeconds: number;
}

export interface ChainResult extends ChainMeasurements {
  spec: ChainSpec;
  N: number;
  replicas: number;
  measurements: number;
  /** Final configuration of replica 0 (for checkpoints and datasets). */
  final: Int8Array;
}

export type ProgressCallback = (sweepsDone: number, sweepsTotal: number) => void;

/** Everything a chain needs to continue exactly where it stopped (plain data, clonable). */
export interface ChainCheckpoint extends ChainMeasurements {
  spec: ChainSpec;
  /** Sweeps done so far, thermalization included. */
  sweepsDone: number;
  /** Whether the rule's `freeze()` has run (thermalization over). */
  frozen: boolean;
  measurementsDone: number;
  rule: RuleState;
  rng: number[];
}

export interface ChainCheckpointing {
  /** Asked between sweeps and measurements: true when a checkpoint should be taken now. */
  due(): boolean;
  save(checkpoint: ChainCheckpoint): void;
  /** Continue from here instead of starting afresh. */
  resume?: ChainCheckpoint;
}

/**
 * Runs one chain. With `checkpointing`, its state is saved whenever `due()` says so, and a chain
 * resumed from a checkpoint ends with exactly the result of an uninterrupted one.
 */
export function runChain(spec: ChainSpec, onProgress?: ProgressCallback, checkpointing?: ChainCheckpointing): ChainResult {
  const lattice = squareLattice(spec.Lx, spec.Ly);
  const { N } = lattice;
  const params = { J: spec.J, h: spec.h, T: spec.T };
  const initial = initialConfiguration(lattice, Rng.stream(spec.seed, spec.chain, 1), { ...params, magnetization: spec.magnetization, start: spec.start });
  let rng = Rng.stream(spec.seed, spec.chain, 0);
  const rule = createRule(spec.algorithm, { lattice, params, initial }, Rng.stream(spec.seed, spec.chain, 2));
  const R = rule.replicas;
  const total = spec.thermalize + spec.sweeps;
  const measurements = Math.floor(spec.sweeps / spec.measureEvery);
  const rMax = maxCorrelationDistance(lattice);

  let sweepsDone = 0;
  let frozen = false;
  let k = 0;
  let work = 0;
  let updateMs = 0;
  let acc = emptyMeasurements(lattice, measurements);
  const resume = checkpointing?.resume;
  if (resume) {
    if (JSON.stringify(resume.spec) !== JSON.stringify(spec)) throw new RangeError('checkpoint does not fit: it was taken for other chain parameters');
    rule.restoreState(resume.rule);
    rng = Rng.fromState(resume.rng);
    ({ sweepsDone, frozen, work } = resume);
    acc = copyMeasurements(resume);
    k = resume.measurementsDone;
    updateMs = resume.updateSeconds * 1000;
  }
  const checkpoint = () => {
    if (!checkpointing?.due()) return;
    checkpointing.save({
      spec, sweepsDone, frozen, measurementsDone: k, rule: rule.saveState(), rng: rng.saveState(),
      ...acc, work, updateSeconds: updateMs / 1000,
    });
  };
  const progressStep = Math.max(1, Math.floor(total / 200));
  const tick = (n: number) => {
    const before = sweepsDone;
    sweepsDone += n;
    if (onProgress && Math.floor(sweepsDone / progressStep) !== Math.floor(before / progressStep)) onProgress(sweepsDone, total);
  };

  while (sweepsDone < spec.thermalize) {
    rule.sweep(rng);
    tick(1);
    checkpoint();
  }
  if (!frozen) {
    rule.freeze?.();
    frozen = true;
  }

  const corr = new Float64Array(rMax + 1);
  const config = new Int8Array(N);
  const configurationOf = (r: number, out: Int8Array) => rule.configuration(r, out);
  for (; k < measurements; ) {
    const t0 = performance.now();
    for (let s = 0; s < spec.measureEvery; s++) work += rule.sweep(rng);
    updateMs += performance.now() - t0;
    const withCorrelation = spec.correlationEvery > 0 && k % spec.correlationEvery === 0;
    recordMeasurement(acc, lattice, spec.J, spec.h, k, measurements, withCorrelation, R, configurationOf, config, corr);
    k++;
    tick(spec.measureEvery);
    checkpoint();
  }
  // sweeps not divisible by measureEvery: run the remainder so the chain does what was asked
  while (sweepsDone < total) {
    rule.sweep(rng);
    tick(1);
  }
  return {
    spec, N, replicas: R, measurements, ...acc,
    work, updateSeconds: updateMs / 1000, final: rule.configuration(0),
  };
}
