/**
 * Wolff single-cluster algorithm (h = 0, J > 0): grow a cluster of aligned spins from a random
 * seed, adding each aligned neighbour with probability p_add = 1 − e^{−2J/T}, and flip it.
 *
 * A sweep is a fixed number of clusters. While thermalizing, a sweep grows clusters until at least
 * N spins have flipped and records the mean cluster size; `freeze()` then fixes clusters per sweep
 * to round(N / ⟨cluster size⟩), so measurements come from one fixed Markov kernel (a stopping rule
 * that depends on cluster sizes would bias what is measured at the sweep's end).
 */
import type { Rng } from '../rng.js';
import type { Rule, RuleInit } from '../rule.js';
import { threshold } from './thresholds.js';

export function wolffRule(init: RuleInit): Rule {
  const { lattice, params } = init;
  if (params.h !== 0) throw new RangeError(`wolff needs h = 0, got h = ${params.h}`);
  if (!(params.J > 0)) throw new RangeError(`wolff needs a ferromagnetic coupling J > 0, got J = ${params.J}`);
  const { N, neighbors: nb } = lattice;
  const spins = Int8Array.from(init.initial);
  const addThreshold = threshold(1 - Math.exp((-2 * params.J) / params.T));
  const stack = new Int32Array(N);
  let clustersPerSweep = 0; // 0: adaptive (thermalization)
  let clusters = 0;
  let flippedTotal = 0;

  /** Grows and flips one cluster; returns its size. Spins are flipped as they join (no visited array). */
  function cluster(rng: Rng): number {
    const seed = rng.below(N);
    const s = spins[seed];
    spins[seed] = -s;
    stack[0] = seed;
    let top = 1;
    let size = 1;
    while (top > 0) {
      const i = stack[--top];
      const b = i << 2;
      for (let d = 0; d < 4; d++) {
        const j = nb[b + d];
        if (spins[j] === s && rng.nextU32() < addThreshold) {
          spins[j] = -s;
          stack[top++] = j;
          size++;
        }
      }
    }
    return size;
  }

  return {
    algorithm: 'wolff',
    lattice,
    replicas: 1,
    sweep(rng: Rng): number {
      let flipped = 0;
      if (clustersPerSweep > 0) {
        for (let c = 0; c < clustersPerSweep; c++) flipped += cluster(rng);
      } else {
        while (flipped < N) {
          flipped += cluster(rng);
          clusters++;
        }
        flippedTotal += flipped;
      }
      return flipped;
    },
    freeze(): void {
      // Without thermalization sweeps there is nothing to calibrate on: stay adaptive.
      if (clusters > 0) clustersPerSweep = Math.max(1, Math.round((N * clusters) / flippedTotal));
    },
    configuration(_replica = 0, out = new Int8Array(N)): Int8Array {
      out.set(spins);
      return out;
    },
  };
}
