/**
 * From chain results to the observables with error bars that `spinflow simulate` reports.
 * All chains given here share T, lattice and model (replicas of one state point).
 */
import type { Measurements, Primary } from './accumulator.js';
import { combineChains, estimateDerived, estimateSeries, type Estimate } from './analysis.js';
import { binderCumulant, specificHeat as heat, susceptibility as chi, susceptibilityUsesAbs } from './moments.js';

export interface CorrelationPoint {
  r: number;
  mean: number;
  error: number;
}

export interface HistogramPoint {
  energyPerSpin: number;
  probability: number;
  error: number;
}

export interface Observables {
  energyPerSpin: Estimate;
  absMagnetization: Estimate;
  magnetization: Estimate;
  /** ⟨m²⟩ = ⟨Σ_ij s_i s_j⟩ / N², the uniform structure factor over N. */
  structureFactor: Estimate;
  susceptibility: Estimate;
  specificHeat: Estimate;
  binder: Estimate;
  correlation: CorrelationPoint[];
  energyHistogram: HistogramPoint[];
}

/** Measurements of one chain at one state point (a `simulate` chain or a dataset task). */
export interface MeasuredChain extends Measurements {
  N: number;
  spec: { T: number; J: number; h: number };
}

function primary(results: MeasuredChain[], p: Primary): Estimate {
  return combineChains(results.map((r) => estimateSeries(r.series[p])));
}

export function summarizeChains(results: MeasuredChain[]): Observables {
  const { N } = results[0];
  const T = results[0].spec.T;
  const pick = (ps: Primary[]) => results.map((r) => ps.map((p) => r.series[p]));

  // values from moments.ts (the one definition); gradients are their partial derivatives
  const specificHeat = estimateDerived(
    pick(['e', 'e2']),
    ([e, e2]) => heat({ e, e2 }, N, T),
    ([e]) => [(-2 * N * e) / (T * T), N / (T * T)],
  );
  const { J, h } = results[0].spec;
  const orderParameter: Primary = susceptibilityUsesAbs(J, h) ? 'absM' : 'm';
  const susceptibility = estimateDerived(
    pick([orderParameter, 'm2']),
    ([o, m2]) => chi({ absM: o, m: o, m2 }, N, T, J, h),
    ([o]) => [(-2 * N * o) / T, N / T],
  );
  const binder = estimateDerived(
    pick(['m2', 'm4']),
    ([m2, m4]) => binderCumulant({ m2, m4 }),
    ([m2, m4]) => [(2 * m4) / (3 * m2 * m2 * m2), -1 / (3 * m2 * m2)],
  );
  return {
    energyPerSpin: primary(results, 'e'),
    absMagnetization: primary(results, 'absM'),
    magnetization: primary(results, 'm'),
    structureFactor: primary(results, 'm2'),
    susceptibility,
    specificHeat,
    binder,
    correlation: correlationFromBatches(results),
    energyHistogram: histogramFromBatches(results),
  };
}

/** Batch means → mean and standard error of each quantity (batches assumed independent). */
function batchStatistics(values: number[]): { mean: number; error: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = values.reduce((a, v) => a + (v - mean) * (v - mean), 0) / Math.max(1, n - 1);
  return { mean, error: Math.sqrt(variance / n) };
}

function correlationFromBatches(results: MeasuredChain[]): CorrelationPoint[] {
  const width = results[0].correlationSums.length / results[0].correlationCounts.length;
  const points: CorrelationPoint[] = [];
  for (let r = 0; r < width; r++) {
    const batchMeans: number[] = [];
    let sum = 0, count = 0;
    for (const res of results) {
      res.correlationCounts.forEach((c, b) => {
        if (c === 0) return;
        const s = res.correlationSums[b * width + r];
        batchMeans.push(s / c);
        sum += s;
        count += c;
      });
    }
    if (count === 0) return [];
    const { error } = batchStatistics(batchMeans);
    points.push({ r, mean: sum / count, error });
  }
  return points;
}

function histogramFromBatches(results: MeasuredChain[]): HistogramPoint[] {
  const N = results[0].N;
  const batches = results.flatMap((r) => r.histogram);
  const totals = batches.map((b) => [...b.values()].reduce((a, c) => a + c, 0));
  const energies = new Set<number>();
  for (const b of batches) for (const E of b.keys()) energies.add(E);
  const all = totals.reduce((a, c) => a + c, 0);
  return [...energies]
    .sort((a, b) => a - b)
    .map((E) => {
      const fractions: number[] = [];
      let count = 0;
      batches.forEach((b, i) => {
        const c = b.get(E) ?? 0;
        count += c;
        if (totals[i] > 0) fractions.push(c / totals[i]);
      });
      return { energyPerSpin: E / N, probability: count / all, error: batchStatistics(fractions).error };
    });
}
