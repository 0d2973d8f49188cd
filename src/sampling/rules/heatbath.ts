/**
 * Heat-bath (Glauber) single-spin update in typewriter order: s_i is set to +1 with probability
 * 1 / (1 + e^{−2(J Σ_nb s_j + h)/T}), whatever its old value.
 */
import type { Rng } from '../rng.js';
import { singleConfigurationMethods, type Rule, type RuleInit } from '../rule.js';
import { threshold } from './thresholds.js';

export function heatbathRule(init: RuleInit): Rule {
  const { lattice, params } = init;
  const { N, neighbors: nb } = lattice;
  const spins = Int8Array.from(init.initial);
  const upThreshold = new Float64Array(5); // by (Σ_nb + 4)/2
  for (let sum = -4; sum <= 4; sum += 2) {
    upThreshold[(sum + 4) >> 1] = threshold(1 / (1 + Math.exp((-2 * (params.J * sum + params.h)) / params.T)));
  }
  return {
    algorithm: 'heatbath',
    lattice,
    replicas: 1,
    sweep(rng: Rng): number {
      for (let i = 0; i < N; i++) {
        const b = i << 2;
        const sum = spins[nb[b]] + spins[nb[b + 1]] + spins[nb[b + 2]] + spins[nb[b + 3]];
        spins[i] = rng.nextU32() < upThreshold[(sum + 4) >> 1] ? 1 : -1;
      }
      return N;
    },
    ...singleConfigurationMethods(spins),
  };
}
