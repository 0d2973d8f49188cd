/**
 * What a chain accumulates while it measures, in one place for `simulate` chains and dataset tasks.
 *
 * Per measurement k (averaged over the replicas measured together):
 *   series.{e, e2, absM, m, m2, m4}  per-spin energy and magnetization moments
 *   histogram                        counts of each total energy E, in `BATCHES` batches
 *   correlation                      C(r) sums in `BATCHES` batches (every `correlationEvery` measurements)
 * Batches split the run into equal consecutive parts, so batch means give error bars.
 */
import { bondSum, magnetization, type SquareLattice } from '../lattice/square.js';
import { maxCorrelationDistance, spatialCorrelation } from './correlation.js';

export const PRIMARIES = ['e', 'e2', 'absM', 'm', 'm2', 'm4'] as const;
export type Primary = (typeof PRIMARIES)[number];

export const BATCHES = 32;

/** Plain data (typed arrays, Maps, numbers): crosses worker boundaries and checkpoints unchanged. */
export interface Measurements {
  series: Record<Primary, Float64Array>;
  /** Per batch: total energy E (exact float key) → number of configurations. */
  histogram: Map<number, number>[];
  /** Per batch: Σ C(r) over evaluated configurations, and how many (batch-major, rMax+1 each). */
  correlationSums: Float64Array;
  correlationCounts: Float64Array;
}

export function emptyMeasurements(lattice: SquareLattice, measurements: number): Measurements {
  const rMax = maxCorrelationDistance(lattice);
  return {
    series: Object.fromEntries(PRIMARIES.map((p) => [p, new Float64Array(measurements)])) as Record<Primary, Float64Array>,
    histogram: Array.from({ length: BATCHES }, () => new Map<number, number>()),
    correlationSums: new Float64Array(BATCHES * (rMax + 1)),
    correlationCounts: new Float64Array(BATCHES),
  };
}

/** Own copies of restored measurements (deserialized arrays may be views into one shared buffer). */
export function copyMeasurements(m: Measurements): Measurements {
  return {
    series: Object.fromEntries(PRIMARIES.map((p) => [p, m.series[p].slice()])) as Record<Primary, Float64Array>,
    histogram: m.histogram.map((h) => new Map(h)),
    correlationSums: m.correlationSums.slice(),
    correlationCounts: m.correlationCounts.slice(),
  };
}

/**
 * Records measurement k of `measurements` from `replicas` configurations, read one at a time
 * through `configurationOf(r, out)`. Returns E/N and M/N of the last configuration read.
 */
export function recordMeasurement(
  acc: Measurements, lattice: SquareLattice, J: number, h: number,
  k: number, measurements: number, withCorrelation: boolean,
  replicas: number, configurationOf: (r: number, out: Int8Array) => void, config: Int8Array, corr: Float64Array,
): void {
  const { N } = lattice;
  const rMax = corr.length - 1;
  const batch = Math.floor((k * BATCHES) / measurements);
  const hist = acc.histogram[batch];
  let e = 0, e2 = 0, absM = 0, m = 0, m2 = 0, m4 = 0;
  for (let r = 0; r < replicas; r++) {
    configurationOf(r, config);
    const M = magnetization(config);
    const E = -J * bondSum(lattice, config) - h * M;
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
      for (let d = 0; d <= rMax; d++) acc.correlationSums[batch * (rMax + 1) + d] += corr[d];
      acc.correlationCounts[batch]++;
    }
  }
  const s = acc.series;
  s.e[k] = e / replicas;
  s.e2[k] = e2 / replicas;
  s.absM[k] = absM / replicas;
  s.m[k] = m / replicas;
  s.m2[k] = m2 / replicas;
  s.m4[k] = m4 / replicas;
}
