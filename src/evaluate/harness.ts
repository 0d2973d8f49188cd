/**
 * The evaluation harness: judges any set of generated configurations (RBM, MADE, NeuralRG, AE-flow
 * end points…) against reference Monte Carlo configurations or exact enumeration, with error bars.
 *
 * Samples are taken as independent draws (standard errors std/√n); reference datasets are spaced
 * by ≥ 2 τ_int, so the same holds for them. Reported:
 *   ⟨E⟩/N, ⟨|M|⟩/N and their difference in combined standard errors;
 *   the magnetization and energy distributions, their total-variation distance, and a two-sample
 *   χ² homogeneity test of the energy histograms (bins with few counts merged) with its p-value;
 *   C(r), r = 0 … L/2, and its largest deviation in units of the combined error;
 *   at a conserved M0: the fraction of samples that break it, the fraction at energies impossible
 *   at M0 (exact/accessible-energies.ts: enumeration up to 25 spins, beyond it a theorem, with
 *   witness configurations for the possible ones and the rest counted as undetermined), and the
 *   fraction at energies never seen in the reference.
 */
import { bondSum, magnetization, squareLattice } from '../lattice/square.js';
import { maxCorrelationDistance, spatialCorrelation } from '../observables/correlation.js';
import { MAX_ENUMERATION_SPINS, enumerationObservables } from '../exact/enumeration.js';
import { AccessibleEnergies } from '../exact/accessible-energies.js';

export interface Value {
  mean: number;
  error: number;
}

export interface SetSummary {
  count: number;
  energyPerSpin: Value;
  absMagnetization: Value;
  /** Total magnetization M → probability. */
  magnetizationDistribution: Record<string, number>;
  /** Number of unsatisfied bonds u (E = −2N + 2u for J = 1, h = 0) → probability. */
  energyDistribution: Record<string, number>;
  correlation: { r: number; mean: number; error: number }[];
}

export interface Evaluation {
  L: number;
  samples: SetSummary;
  reference: SetSummary & { kind: 'monte-carlo' | 'exact' };
  energyDeviationSigmas: number;
  absMagnetizationDeviationSigmas: number;
  energyTotalVariation: number;
  magnetizationTotalVariation: number;
  /** Two-sample χ² test of the energy histograms (null for an exact reference: then a one-sample test). */
  energyTest: { chi2: number; dof: number; pValue: number };
  correlationMaxDeviation: { r: number; sigmas: number } | null;
  conserved: null | {
    M0: number;
    breakingFraction: Value;
    impossibleEnergyFraction: Value;
    impossibleRule: 'enumeration' | 'theorem';
    /** Samples at energies neither proven impossible nor shown possible (see exact/accessible-energies.ts). */
    undeterminedEnergyFraction: Value;
    unobservedEnergyFraction: Value | null;
  };
}

/** Mean and standard error std/√n of independent values. */
export const meanError = (xs: number[]): Value => {
  const n = xs.length;
  const m = xs.reduce((a, b) => a + b, 0) / n;
  const v = xs.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, n - 1);
  return { mean: m, error: Math.sqrt(v / n) };
};

const fraction = (k: number, n: number): Value => ({ mean: k / n, error: Math.sqrt(Math.max(k, 1) * (1 - k / n)) / n });

/** Per configuration: unsatisfied bonds u, total M, C(r). Accepts ±1 or {0, 1} values. */
function measure(configs: Int8Array, n: number, L: number) {
  const lattice = squareLattice(L);
  const N = L * L;
  const rMax = maxCorrelationDistance(lattice);
  const s = new Int8Array(N);
  const u: number[] = [], M: number[] = [], corr: Float64Array[] = [];
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < N; i++) s[i] = configs[k * N + i] > 0 ? 1 : -1;
    u.push((2 * N - bondSum(lattice, s)) / 2);
    M.push(magnetization(s));
    corr.push(spatialCorrelation(lattice, s, new Float64Array(rMax + 1)));
  }
  return { u, M, corr, N, rMax };
}

function distribution(xs: number[]): Record<string, number> {
  const d: Record<string, number> = {};
  for (const x of xs) d[x] = (d[x] ?? 0) + 1 / xs.length;
  return d;
}

function summarize(m: ReturnType<typeof measure>): SetSummary {
  const { u, M, corr, N, rMax } = m;
  return {
    count: u.length,
    energyPerSpin: meanError(u.map((x) => (-2 * N + 2 * x) / N)),
    absMagnetization: meanError(M.map((x) => Math.abs(x) / N)),
    magnetizationDistribution: distribution(M),
    energyDistribution: distribution(u),
    correlation: Array.from({ length: rMax + 1 }, (_, r) => ({ r, ...meanError(corr.map((c) => c[r])) })),
  };
}

function totalVariation(a: Record<string, number>, b: Record<string, number>): number {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  let s = 0;
  for (const k of keys) s += Math.abs((a[k] ?? 0) - (b[k] ?? 0));
  return s / 2;
}

/** Regularized upper incomplete gamma Q(a, x) (Numerical Recipes' series / continued fraction). */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const lnGammaA = logGamma(a);
  if (x < a + 1) {
    let sum = 1 / a, term = sum;
    for (let n = 1; n < 500; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return 1 - sum * Math.exp(-x + a * Math.log(x) - lnGammaA);
  }
  let b = x + 1 - a, c = 1 / 1e-300, d = 1 / b, h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return Math.exp(-x + a * Math.log(x) - lnGammaA) * h;
}

function logGamma(x: number): number {
  const g = [76.18009172947146, -86.50532032941677, 24.01409824083091, -1.231739572450155, 0.1208650973866179e-2, -0.5395239384953e-5];
  let y = x, tmp = x + 5.5;
  tmp -= (x + 0.5) * Math.log(tmp);
  let ser = 1.000000000190015;
  for (const c of g) ser += c / ++y;
  return -tmp + Math.log((2.5066282746310005 * ser) / x);
}

/**
 * χ² test that two count histograms come from one distribution (or, with `expected` given as
 * probabilities, that counts `a` follow it). Bins are merged in order until each has ≥ 5 expected.
 */
export function homogeneityTest(a: Record<string, number>, na: number, b: Record<string, number>, nb: number | null): { chi2: number; dof: number; pValue: number } {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].map(Number).sort((x, y) => x - y);
  const bins: { ca: number; cb: number }[] = [];
  let cur = { ca: 0, cb: 0 };
  const enough = (c: { ca: number; cb: number }) => (nb === null ? c.cb * na >= 5 : ((c.ca + c.cb) * Math.min(na, nb)) / (na + nb) >= 5);
  for (const k of keys) {
    cur.ca += (a[k] ?? 0) * na;
    cur.cb += nb === null ? (b[k] ?? 0) : (b[k] ?? 0) * nb;
    if (enough(cur)) {
      bins.push(cur);
      cur = { ca: 0, cb: 0 };
    }
  }
  if (cur.ca + cur.cb > 0) {
    if (bins.length) { bins[bins.length - 1].ca += cur.ca; bins[bins.length - 1].cb += cur.cb; } else bins.push(cur);
  }
  let chi2 = 0;
  if (nb === null) {
    for (const c of bins) { const e = c.cb * na; chi2 += (c.ca - e) ** 2 / e; }
  } else {
    for (const c of bins) {
      const tot = c.ca + c.cb;
      const ea = (tot * na) / (na + nb), eb = (tot * nb) / (na + nb);
      chi2 += (c.ca - ea) ** 2 / ea + (c.cb - eb) ** 2 / eb;
    }
  }
  const dof = Math.max(1, bins.length - 1);
  return { chi2, dof, pValue: gammaQ(dof / 2, chi2 / 2) };
}

export function evaluateConfigurations(
  samples: Int8Array, nSamples: number, L: number,
  reference: { kind: 'monte-carlo'; configs: Int8Array; n: number } | { kind: 'exact'; T: number },
  magnetization0: number | null = null,
): Evaluation {
  const N = L * L;
  const ms = measure(samples, nSamples, L);
  const s = summarize(ms);
  let ref: SetSummary;
  let refU: Set<number> | null = null;
  if (reference.kind === 'monte-carlo') {
    const mr = measure(reference.configs, reference.n, L);
    ref = summarize(mr);
    refU = new Set(mr.u);
  } else {
    if (N > MAX_ENUMERATION_SPINS) throw new RangeError(`an exact reference needs at most ${MAX_ENUMERATION_SPINS} spins, L = ${L} has ${N}`);
    const ex = enumerationObservables(L, L, reference.T, 1, 0, magnetization0);
    const energyDistribution: Record<string, number> = {};
    ex.bondSumHistogram.forEach((p, i) => { if (p > 0) energyDistribution[(2 * N - (2 * i - 2 * N)) / 2] = p; });
    ref = { count: Infinity, energyPerSpin: { mean: ex.energyPerSpin, error: 0 }, absMagnetization: { mean: ex.absMagnetization, error: 0 }, magnetizationDistribution: {}, energyDistribution, correlation: [] };
  }
  // in standard errors; two constants (e.g. |M| at a conserved M0) agree when equal up to rounding
  const dev = (a: Value, b: Value) => {
    const d = a.mean - b.mean, e = Math.hypot(a.error, b.error);
    const scale = 1e-12 * Math.max(1, Math.abs(a.mean), Math.abs(b.mean));
    if (e <= scale) return Math.abs(d) <= scale ? 0 : Math.sign(d) * Infinity;
    return d / e;
  };
  let corrMax: Evaluation['correlationMaxDeviation'] = null;
  for (let r = 1; r < Math.min(s.correlation.length, ref.correlation.length); r++) {
    const d = dev(s.correlation[r], ref.correlation[r]);
    if (Number.isFinite(d) && (!corrMax || Math.abs(d) > Math.abs(corrMax.sigmas))) corrMax = { r, sigmas: d };
  }
  let conserved: Evaluation['conserved'] = null;
  if (magnetization0 !== null) {
    const M0 = Math.round(magnetization0 * N);
    if ((M0 + N) % 2 !== 0) throw new RangeError(`magnetization ${magnetization0} gives M = ${M0}, which ${L} × ${L} spins cannot have: M must have the parity of N = ${N}`);
    const breaking = ms.M.filter((m) => m !== M0).length;
    // a sample's energy judged at M0, whatever its own M (that is how a generator that breaks the
    // conservation lands on energies no M0 configuration has)
    const accessible = new AccessibleEnergies(L, (M0 + N) / 2, { witnesses: reference.kind === 'monte-carlo' ? { configs: reference.configs, n: reference.n } : undefined });
    const classes = ms.u.map((u) => accessible.classify(u));
    const impossible = classes.filter((c) => c === 'impossible').length;
    const undetermined = classes.filter((c) => c === 'unknown').length;
    const unobserved = refU ? ms.u.filter((u) => !(refU as Set<number>).has(u)).length : null;
    conserved = {
      M0: magnetization0, breakingFraction: fraction(breaking, nSamples), impossibleEnergyFraction: fraction(impossible, nSamples), impossibleRule: accessible.rule,
      undeterminedEnergyFraction: fraction(undetermined, nSamples),
      unobservedEnergyFraction: unobserved === null ? null : fraction(unobserved, nSamples),
    };
  }
  return {
    L, samples: s, reference: { ...ref, kind: reference.kind },
    energyDeviationSigmas: dev(s.energyPerSpin, ref.energyPerSpin), absMagnetizationDeviationSigmas: dev(s.absMagnetization, ref.absMagnetization),
    energyTotalVariation: totalVariation(s.energyDistribution, ref.energyDistribution),
    magnetizationTotalVariation: reference.kind === 'exact' ? NaN : totalVariation(s.magnetizationDistribution, ref.magnetizationDistribution),
    energyTest: homogeneityTest(s.energyDistribution, nSamples, ref.energyDistribution, reference.kind === 'exact' ? null : ref.count),
    correlationMaxDeviation: corrMax, conserved,
  };
}
