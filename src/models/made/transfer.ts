/**
 * Temperature transfer of a learned Hamiltonian (Wang, Jiang & Zhou, Figs. 3–4): Metropolis chains
 * with the weight exp(−H_θ(s)/T) = p_θ(s)^{T_train/T}. Every chain proposes one single-site change
 * per step (a spin flip, or a block sum replaced by one of the other K − 1 values, both symmetric),
 * and the proposals of all chains at all temperatures go through the network as one batch.
 *
 * Glossary: R = temperatures × chains rows, N sites, K values per site.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../sampling/rng.js';
import { estimateSeries } from '../../observables/analysis.js';
import { encode, madeLogProb, type Made } from './made.js';

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
  const rngs = Array.from({ length: R }, (_, r) => Rng.stream(o.seed, 0x7e, r));
  const values = new Int32Array(R * N);
  for (let r = 0; r < R; r++) for (let i = 0; i < N; i++) values[r * N + i] = rngs[r].below(K);
  const logProb = (v: Int32Array) => {
    const lp = tf.tidy(() => madeLogProb(made, encode(made, v, R)));
    const out = Float64Array.from(lp.dataSync());
    lp.dispose();
    return out;
  };
  const current = logProb(values);
  const proposal = new Int32Array(R * N);
  const series: number[][] = Array.from({ length: R }, () => []);
  const accepted = new Float64Array(nT);
  const spacing = Math.max(1, Math.floor(o.sweeps / Math.max(1, o.snapshots)));
  const kept: number[][] = Array.from({ length: nT }, () => []);
  const total = (o.thermalize + o.sweeps) * N;
  for (let t = 0; t < total; t++) {
    proposal.set(values);
    const sites = new Int32Array(R);
    for (let r = 0; r < R; r++) {
      const i = rngs[r].below(N);
      sites[r] = i;
      const old = values[r * N + i];
      proposal[r * N + i] = K === 2 ? 1 - old : (old + 1 + rngs[r].below(K - 1)) % K;
    }
    const next = logProb(proposal);
    for (let r = 0; r < R; r++) {
      const q = Math.floor(r / C);
      const u = rngs[r].uniform();
      if (Math.log(u) < beta[q] * (next[r] - current[r])) {
        values[r * N + sites[r]] = proposal[r * N + sites[r]];
        current[r] = next[r];
        if (t >= o.thermalize * N) accepted[q]++;
      }
    }
    if ((t + 1) % N === 0 && t >= o.thermalize * N) {
      for (let r = 0; r < R; r++) series[r].push(o.order(values, r));
      const measured = series[0].length;
      if (measured % spacing === 0 && measured / spacing <= o.snapshots) {
        for (let r = 0; r < R; r++) for (let i = 0; i < N; i++) kept[Math.floor(r / C)].push(values[r * N + i]);
      }
    }
    if ((t + 1) % N === 0) o.onProgress?.((t + 1) / N, o.thermalize + o.sweeps);
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
