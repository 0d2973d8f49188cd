/**
 * Temperature transfer of a learned Hamiltonian (Wang, Jiang & Zhou, Figs. 3–4): Metropolis chains
 * with the weight exp(−H_θ(s)/T) = p_θ(s)^{T_train/T}. Every step proposes one single-site change
 * (a spin flip, or a block sum replaced by one of the other K − 1 values, both symmetric), priced
 * incrementally: only the units of the MADE that see the changed site are recomputed
 * (incremental.ts). Each chain has its own random stream, so results do not depend on how chains
 * are grouped; the network state is re-evaluated from scratch every few sweeps against drift.
 *
 * Glossary: R = temperatures × chains rows, N sites, K values per site.
 */
import { Rng } from '../../sampling/rng.js';
import { estimateSeries } from '../../observables/analysis.js';
import { MadeState, madeTables } from './incremental.js';
import type { Made } from './made.js';

/** Sweeps between full re-evaluations of a chain's network state (the incremental sums drift by rounding). */
const REFRESH_SWEEPS = 8;

export interface TransferOptions {
  /** Temperature of the training configurations (H_θ = −T_train log p_θ). */
  trainTemperature: number;
  temperatures: number[];
  chainsPerTemperature: number;
  /** Sweeps (N steps each) discarded, then measured. */
  thermalize: number;
  sweeps: number;
  seed: number;
  /** Snapshots of every chain kept for the harness, spread evenly over the measured sweeps. */
  snapshots: number;
  /** Order parameter of one row of site values (e.g. |Σ s|/N). */
  order: (values: Int32Array, row: number) => number;
  onProgress?: (done: number, total: number) => void;
}

export interface TransferPoint {
  T: number;
  /** Mean order parameter over chains and measured sweeps, its error (Γ-method per chain, chains combined) and τ_int in sweeps. */
  mean: number;
  error: number;
  tauInt: number;
  acceptance: number;
  /** Snapshots of the chains at this T (every measured sweep a multiple of the spacing), [chains·snapshots, N]. */
  snapshots: Int32Array;
}

export function transferMetropolis(made: Made, o: TransferOptions): TransferPoint[] {
  const { sites: N, categories: K } = made.spec;
  const C = o.chainsPerTemperature, nT = o.temperatures.length, R = nT * C;
  const beta = o.temperatures.map((T) => {
    if (!(T > 0)) throw new RangeError(`temperature ${T} is not allowed: expected T > 0`);
    return o.trainTemperature / T;
  });
  const state = new MadeState(madeTables(made));
  const { positionOf } = state.t;
  const values = new Int32Array(R * N);
  const series: number[][] = Array.from({ length: R }, () => []);
  const accepted = new Float64Array(nT);
  const spacing = Math.max(1, Math.floor(o.sweeps / Math.max(1, o.snapshots)));
  const kept: number[][] = Array.from({ length: nT }, () => []);
  const sweepsPerChain = o.thermalize + o.sweeps;
  for (let r = 0; r < R; r++) {
    const q = Math.floor(r / C), rng = Rng.stream(o.seed, 0x7e, r), row = r * N;
    for (let i = 0; i < N; i++) values[row + i] = rng.below(K);
    state.evaluate(values, row);
    for (let sweep = 0; sweep < sweepsPerChain; sweep++) {
      const measuring = sweep >= o.thermalize;
      for (let step = 0; step < N; step++) {
        const i = rng.below(N);
        const old = values[row + i];
        const v = K === 2 ? 1 - old : (old + 1 + rng.below(K - 1)) % K;
        const dLogP = state.trial(positionOf[i], v);
        if (Math.log(rng.uniform()) < beta[q] * dLogP) {
          state.commit();
          values[row + i] = v;
          if (measuring) accepted[q]++;
        }
      }
      if ((sweep + 1) % REFRESH_SWEEPS === 0) state.evaluate(values, row);
      if (measuring) {
        series[r].push(o.order(values, r));
        const measured = series[r].length;
        if (measured % spacing === 0 && measured / spacing <= o.snapshots) for (let i = 0; i < N; i++) kept[q].push(values[row + i]);
      }
    }
    o.onProgress?.((r + 1) * sweepsPerChain, R * sweepsPerChain);
  }
  return o.temperatures.map((T, q) => {
    const chains = series.slice(q * C, (q + 1) * C).map((s) => estimateSeries(s));
    const mean = chains.reduce((a, e) => a + e.mean, 0) / C;
    const error = Math.sqrt(chains.reduce((a, e) => a + e.error * e.error, 0)) / C;
    return {
      T, mean, error, tauInt: chains.reduce((a, e) => a + e.tauInt, 0) / C, acceptance: accepted[q] / (C * o.sweeps * N),
      snapshots: Int32Array.from(kept[q]),
    };
  });
}

/** |Σ s| / N for bits (spin MADE). */
export function spinOrder(values: Int32Array, row: number, N: number): number {
  let s = 0;
  for (let i = row * N; i < (row + 1) * N; i++) s += 2 * values[i] - 1;
  return Math.abs(s) / N;
}
