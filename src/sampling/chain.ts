/**
 * One Markov chain: build the rule, thermalize, then sweep and measure. Everything a chain
 * returns is plain data (typed arrays, numbers), so it crosses worker boundaries unchanged.
 *
 * Measurements per chain (averaged over the rule's replicas at each measurement):
 *   series.{e, e2, absM, m, m2, m4}  per-spin energy/magnetization moments, one entry per measurement
 *   histogram                        counts of each total energy E, in `batches` batches
 *   correlation                      C(r) sums in `batches` batches (every `correlationEvery` measurements)
 */
import { Rng } from './rng.js';
import { bondSum, magnetization, squareLattice } from '../lattice/square.js';
import { createRule, type Algorithm } from './algorithms.js';
import type { RuleState } from './rule.js';
import { initialConfiguration, type Start } from './model.js';
import { maxCorrelationDistance, spatialCorrelation } from '../observables/correlation.js';

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

export const PRIMARIES = ['e', 'e2', 'absM', 'm', 'm2', 'm4'] as const;
export type Primary = (typeof PRIMARIES)[number];

export const BATCHES = 32;

/** What a chain accumulates while it measures. */
export interface ChainMeasurements {
  series: Record<Primary, Float64Array>;
  /** Per batch: total energy E (exact float key) → number of configurations. */
  histogram: Map<number, number>[];
  /** Per batch: Σ C(r) over evaluated configurations, and how many (batch-major, rMax+1 each). */
  correlationSums: Float64Array;
  correlationCounts: Float64Array;
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
  let series = Object.fromEntries(PRIMARIES.map((p) => [p, new Float64Array(measurements)])) as Record<Primary, Float64Array>;
  let histogram = Array.from({ length: BATCHES }, () => new Map<number, number>());
  let correlationSums: Float64Array = new Float64Array(BATCHES * (rMax + 1));
  let correlationCounts: Float64Array = new Float64Array(BATCHES);
  const resume = checkpointing?.resume;
  if (resume) {
    if (JSON.stringify(resume.spec) !== JSON.stringify(spec)) throw new RangeError('checkpoint does not fit: it was taken for other chain parameters');
    rule.restoreState(resume.rule);
    rng = Rng.fromState(resume.rng);
    ({ sweepsDone, frozen, histogram, work } = resume);
    // own copies: deserialized arrays may be views into one shared buffer
    series = Object.fromEntries(PRIMARIES.map((p) => [p, resume.series[p].slice()])) as Record<Primary, Float64Array>;
    correlationSums = resume.correlationSums.slice();
    correlationCounts = resume.correlationCounts.slice();
    k = resume.measurementsDone;
    updateMs = resume.updateSeconds * 1000;
  }
  const checkpoint = () => {
    if (!checkpointing?.due()) return;
    checkpointing.save({
      spec, sweepsDone, frozen, measurementsDone: k, rule: rule.saveState(), rng: rng.saveState(),
      series, histogram, correlationSums, correlationCounts, work, updateSeconds: updateMs / 1000,
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
  for (; k < measurements; ) {
    const t0 = performance.now();
    for (let s = 0; s < spec.measureEvery; s++) work += rule.sweep(rng);
    updateMs += performance.now() - t0;
    const batch = Math.floor((k * BATCHES) / measurements);
    const withCorrelation = spec.correlationEvery > 0 && k % spec.correlationEvery === 0;
    const hist = histogram[batch];
    let e = 0, e2 = 0, absM = 0, m = 0, m2 = 0, m4 = 0;
    for (let r = 0; r < R; r++) {
      rule.configuration(r, config);
      const M = magnetization(config);
      const E = -spec.J * bondSum(lattice, config) - spec.h * M;
      const ei = E / N, mi = M / N;
      e += ei;
      e2 += ei * ei;
      absM += Math.abs(mi);
      m += mi;
      m2 += mi * mi;
      m4 += mi * mi * mi * mi;
      hist.set(E, (hist.get(E) ?? 0) + 1);
      if (withCorrelation) {
        spatialCorrelation(lattice, config, corr);
        for (let d = 0; d <= rMax; d++) correlationSums[batch * (rMax + 1) + d] += corr[d];
        correlationCounts[batch]++;
      }
    }
    series.e[k] = e / R;
    series.e2[k] = e2 / R;
    series.absM[k] = absM / R;
    series.m[k] = m / R;
    series.m2[k] = m2 / R;
    series.m4[k] = m4 / R;
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
    spec, N, replicas: R, measurements, series, histogram, correlationSums, correlationCounts,
    work, updateSeconds: updateMs / 1000, final: rule.configuration(0),
  };
}
