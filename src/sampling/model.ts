/**
 * What is simulated: the Ising model on the periodic Lx × Ly lattice, either unconstrained or at a
 * fixed magnetization per spin M0 (conserved order parameter), and how chains start.
 */
import type { Rng } from './rng.js';
import type { SquareLattice } from '../lattice/square.js';
import { CRITICAL_TEMPERATURE } from '../exact/onsager.js';

export type ModelKind = 'ising' | 'conserved';
export type Start = 'hot' | 'cold' | 'auto';

/**
 * Number of up spins for magnetization per spin M0 on N sites. M0·N must be (within 0.05 of) an
 * integer with the parity of N, so that N_up = N(1 + M0)/2 is whole; otherwise a RangeError names
 * the nearest allowed values.
 */
export function upSpinsFor(N: number, M0: number, shape = `${N} sites`): number {
  if (!Number.isFinite(M0) || Math.abs(M0) > 1) throw new RangeError(`--magnetization ${M0} is not allowed: M0 is a magnetization per spin in [-1, 1]`);
  const up = (N * (1 + M0)) / 2;
  const nearest = Math.round(up);
  if (Math.abs(up - nearest) > 0.025) {
    const lo = Math.floor(up), hi = Math.ceil(up);
    const fmt = (u: number) => ((2 * u - N) / N).toFixed(4);
    throw new RangeError(`--magnetization ${M0} is not reachable on ${shape}: M0·N must be an integer of the parity of N; nearest allowed values are ${fmt(lo)} and ${fmt(hi)}`);
  }
  return nearest;
}

/** The exact magnetization per spin that `upSpinsFor` realises. */
export function realisedMagnetization(N: number, M0: number): number {
  return (2 * upSpinsFor(N, M0) - N) / N;
}

/**
 * Initial configuration. Unconstrained: all up (cold) or independent random spins (hot). Conserved:
 * exactly N_up up spins, either as one slab (cold: the first N_up sites in row-major order, the
 * phase-separated ground state) or uniformly scattered (hot). 'auto' starts cold below T_c (a hot
 * start there coarsens slowly and can freeze into long-lived stripe states under local dynamics)
 * and hot above.
 */
export function initialConfiguration(
  lattice: SquareLattice,
  rng: Rng,
  options: { T: number; J: number; magnetization: number | null; start: Start },
): Int8Array {
  const { N } = lattice;
  const spins = new Int8Array(N);
  const cold = options.start === 'cold' || (options.start === 'auto' && options.J > 0 && options.T < CRITICAL_TEMPERATURE * options.J);
  if (options.magnetization !== null) {
    const nUp = upSpinsFor(N, options.magnetization, `${lattice.Lx}×${lattice.Ly}`);
    for (let i = 0; i < N; i++) spins[i] = i < nUp ? 1 : -1;
    return cold ? spins : rng.shuffle(spins);
  }
  if (cold) return spins.fill(1);
  for (let i = 0; i < N; i++) spins[i] = rng.nextU32() & 1 ? 1 : -1;
  return spins;
}
