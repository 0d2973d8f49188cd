/**
 * Exhaustive enumeration of the periodic Lx × Ly Ising model (N = Lx·Ly ≤ 25 spins): the joint
 * density of states g(B, M) over the bond sum B = Σ⟨ij⟩ s_i s_j and the magnetization M = Σ s_i,
 * and from it exact thermodynamics at any T, J, h, also at fixed magnetization.
 *
 * Glossary: B ∈ {−2N, −2N+2, …, 2N} (energy E = −J B − h M), M ∈ {−N, −N+2, …, N};
 * g is stored as g[bIndex·(N+1) + mIndex] with bIndex = (B + 2N)/2, mIndex = (M + N)/2.
 */
import { squareLattice, type SquareLattice } from '../lattice/square.js';
import { binderCumulant, specificHeat, susceptibility, type Moments } from '../observables/moments.js';

export const MAX_ENUMERATION_SPINS = 25;

export interface DensityOfStates {
  readonly lattice: SquareLattice;
  /** Counts g(B, M), (2N+1) × (N+1). */
  readonly g: Float64Array;
}

const cache = new Map<string, DensityOfStates>();

/** g(B, M) by a Gray-code walk over all 2^N configurations, updating B and M per single flip. */
export function densityOfStates(Lx: number, Ly: number = Lx): DensityOfStates {
  const lattice = squareLattice(Lx, Ly);
  const { N, neighbors } = lattice;
  if (N > MAX_ENUMERATION_SPINS) throw new RangeError(`${Lx}×${Ly} has ${N} spins: exhaustive enumeration allows at most ${MAX_ENUMERATION_SPINS}`);
  const key = `${Lx}x${Ly}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const nb = neighbors;
  const s = new Int8Array(N).fill(1);
  let B = 2 * N;
  let M = N;
  const rows = 2 * N + 1;
  const cols = N + 1;
  const counts = new Uint32Array(rows * cols); // per-cell counts ≤ 2^25 fit in 32 bits
  counts[((B + 2 * N) >> 1) * cols + ((M + N) >> 1)]++;
  const total = 2 ** N;
  for (let k = 1; k < total; k++) {
    // Gray code: step k flips the bit at the position of k's lowest set bit.
    const i = 31 - Math.clz32(k & -k);
    const si = s[i];
    const h = s[nb[4 * i]] + s[nb[4 * i + 1]] + s[nb[4 * i + 2]] + s[nb[4 * i + 3]];
    B -= 2 * si * h;
    M -= 2 * si;
    s[i] = -si;
    counts[((B + 2 * N) >> 1) * cols + ((M + N) >> 1)]++;
  }
  const dos: DensityOfStates = { lattice, g: Float64Array.from(counts) };
  cache.set(key, dos);
  return dos;
}

export interface ExactObservables extends Moments {
  L: number;
  Lx: number;
  Ly: number;
  T: number;
  J: number;
  h: number;
  /** Fixed magnetization per spin, or null for the unconstrained ensemble. */
  magnetization: number | null;
  logZ: number;
  freeEnergyPerSpin: number;
  energyPerSpin: number;
  absMagnetization: number;
  specificHeat: number;
  susceptibility: number;
  binder: number;
  /** Probability of each bond sum B = 2·index − 2N (energy per spin −J·B/N − h·M/N). */
  bondSumHistogram: Float64Array;
}

/**
 * Exact observables from g(B, M). With `magnetization` (per spin) given, only states with that M
 * enter (the conserved-magnetization ensemble).
 */
export function enumerationObservables(
  Lx: number,
  Ly: number,
  T: number,
  J = 1,
  h = 0,
  magnetization: number | null = null,
): ExactObservables {
  const { lattice, g } = densityOfStates(Lx, Ly);
  const N = lattice.N;
  const cols = N + 1;
  const beta = 1 / T;
  let mOnly = -1;
  if (magnetization !== null) {
    const Mtot = Math.round(magnetization * N);
    if (Math.abs(Mtot - magnetization * N) > 1e-6 * N || ((Mtot + N) & 1) !== 0 || Math.abs(Mtot) > N) {
      throw new RangeError(`magnetization ${magnetization} is not reachable on ${Lx}×${Ly}`);
    }
    mOnly = (Mtot + N) / 2;
  }
  // log-weights, shifted by their maximum for a stable sum
  let maxLog = -Infinity;
  for (let b = 0; b <= 2 * N; b++) {
    for (let mi = 0; mi <= N; mi++) {
      if (g[b * cols + mi] === 0 || (mOnly >= 0 && mi !== mOnly)) continue;
      const l = beta * (J * (2 * b - 2 * N) + h * (2 * mi - N));
      if (l > maxLog) maxLog = l;
    }
  }
  let Z = 0, sumE = 0, sumE2 = 0, sumAbsM = 0, sumM = 0, sumM2 = 0, sumM4 = 0;
  const hist = new Float64Array(2 * N + 1);
  for (let b = 0; b <= 2 * N; b++) {
    for (let mi = 0; mi <= N; mi++) {
      const count = g[b * cols + mi];
      if (count === 0 || (mOnly >= 0 && mi !== mOnly)) continue;
      const B = 2 * b - 2 * N;
      const M = 2 * mi - N;
      const w = count * Math.exp(beta * (J * B + h * M) - maxLog);
      const e = (-J * B - h * M) / N;
      const m = M / N;
      Z += w;
      sumE += w * e;
      sumE2 += w * e * e;
      sumAbsM += w * Math.abs(m);
      sumM += w * m;
      sumM2 += w * m * m;
      sumM4 += w * m * m * m * m;
      hist[b] += w;
    }
  }
  for (let b = 0; b < hist.length; b++) hist[b] /= Z;
  const mo: Moments = { e: sumE / Z, e2: sumE2 / Z, absM: sumAbsM / Z, m: sumM / Z, m2: sumM2 / Z, m4: sumM4 / Z };
  const logZ = Math.log(Z) + maxLog;
  return {
    L: Lx, Lx, Ly, T, J, h, magnetization,
    ...mo,
    logZ,
    freeEnergyPerSpin: (-T * logZ) / N,
    energyPerSpin: mo.e,
    absMagnetization: mo.absM,
    specificHeat: specificHeat(mo, N, T),
    susceptibility: susceptibility(mo, N, T, J, h),
    binder: binderCumulant(mo),
    bondSumHistogram: hist,
  };
}
