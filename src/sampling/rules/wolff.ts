/**
 * Wolff single-cluster algorithm (h = 0, J > 0): grow a cluster of aligned spins from a random
 * seed, adding each aligned neighbour with probability p_add = 1 − e^{−2J/T}, and flip it.
 *
 * A sweep is a fixed number of clusters, calibrated while thermalizing (cluster-sweeps.ts).
 */
import type { Rng } from '../rng.js';
import { singleConfigurationMethods, type Rule, type RuleInit } from '../rule.js';
import { clusterRuleState, clusterSweeps } from './cluster-sweeps.js';

export function wolffRule(init: RuleInit): Rule {
  const { lattice, params } = init;
  if (params.h !== 0) throw new RangeError(`wolff needs h = 0, got h = ${params.h}`);
  if (!(params.J > 0)) throw new RangeError(`wolff needs a ferromagnetic coupling J > 0, got J = ${params.J}`);
  const { N, Lx } = lattice;
  const spins = Int8Array.from(init.initial);
  // p_add as a 31-bit threshold: a 31-bit random r < t has probability t/2^31
  const addThreshold = Math.floor(2147483648 * (1 - Math.exp((-2 * params.J) / params.T)));
  const stack = new Int32Array(N);
  const nbr = new Int32Array(4);
  const calibration = clusterSweeps(N);

  return {
    algorithm: 'wolff',
    lattice,
    replicas: 1,
    sweep(rng: Rng): number {
      return calibration.sweep(() => growCluster(spins, stack, nbr, Lx, N, addThreshold, rng.below(N), rng.state));
    },
    freeze: () => calibration.freeze(),
    ...singleConfigurationMethods(spins),
    ...clusterRuleState(spins, calibration),
  };
}

/**
 * Grows and flips the cluster of `seed`; returns its size. Spins are flipped as they join, so an
 * aligned neighbour is always an unvisited one. A module-level function with explicit arguments,
 * not a closure: V8 optimised a re-created closure 1.45× slower (0.031 against 0.045 flips/ns), and
 * the xoshiro128** state is kept in locals (hot loop).
 */
function growCluster(
  spins: Int8Array, stack: Int32Array, nbr: Int32Array, Lx: number, N: number,
  addThreshold: number, seed: number, st: Uint32Array,
): number {
  let s0 = st[0] | 0, s1 = st[1] | 0, s2 = st[2] | 0, s3 = st[3] | 0;
  const s = spins[seed];
  spins[seed] = -s;
  stack[0] = seed;
  let top = 1;
  let size = 1;
  while (top > 0) {
    // Neighbours from coordinates (one division per site), not a 4N-entry table that falls out
    // of cache at large L; written out here rather than calling a lattice helper, which measured
    // up to 25 % slower in this loop.
    const i = stack[--top];
    const x = i % Lx;
    nbr[0] = x === Lx - 1 ? i - x : i + 1;
    nbr[1] = x === 0 ? i - x + Lx - 1 : i - 1;
    nbr[2] = i + Lx < N ? i + Lx : i + Lx - N;
    nbr[3] = i >= Lx ? i - Lx : i - Lx + N;
    for (let d = 0; d < 4; d++) {
      const j = nbr[d];
      if (spins[j] !== s) continue;
      const x5 = Math.imul(s1, 5);
      const r = Math.imul((x5 << 7) | (x5 >>> 25), 9) >>> 1; // top 31 bits: an int32 compare
      const tt = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= tt;
      s3 = (s3 << 11) | (s3 >>> 21);
      if (r < addThreshold) {
        spins[j] = -s;
        stack[top++] = j;
        size++;
      }
    }
  }
  st[0] = s0;
  st[1] = s1;
  st[2] = s2;
  st[3] = s3;
  return size;
}
