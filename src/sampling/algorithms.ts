/**
 * The registry of Monte Carlo algorithms: one entry per transition rule, with what it conserves
 * and what it requires. `createRule` is the only place that maps a name to an implementation.
 */
import type { Rng } from './rng.js';
import type { Rule, RuleInit } from './rule.js';
import { metropolisRule } from './rules/metropolis.js';
import { heatbathRule } from './rules/heatbath.js';
import { wolffRule } from './rules/wolff.js';
import { exchangeRule, kawasakiRule } from './rules/exchange.js';
import { multispinRule } from './rules/multispin.js';
import { geometricRule } from './rules/geometric.js';

export const ALGORITHMS = ['metropolis', 'checkerboard', 'multispin', 'heatbath', 'wolff', 'kawasaki', 'exchange', 'geometric'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export interface AlgorithmInfo {
  /** Keeps the number of up spins fixed (conserved-magnetization model). */
  conservesMagnetization: boolean;
  /** A cluster algorithm: its work unit is spins flipped, not attempts. */
  cluster: boolean;
  description: string;
}

export const ALGORITHM_INFO: Record<Algorithm, AlgorithmInfo> = {
  metropolis: { conservesMagnetization: false, cluster: false, description: 'single-spin Metropolis, typewriter order' },
  checkerboard: { conservesMagnetization: false, cluster: false, description: 'single-spin Metropolis, checkerboard order' },
  multispin: { conservesMagnetization: false, cluster: false, description: 'multispin-coded checkerboard Metropolis (h = 0), WebAssembly SIMD when it fits' },
  heatbath: { conservesMagnetization: false, cluster: false, description: 'heat-bath (Glauber) single-spin update' },
  wolff: { conservesMagnetization: false, cluster: true, description: 'Wolff single-cluster algorithm (h = 0, J > 0)' },
  kawasaki: { conservesMagnetization: true, cluster: false, description: 'Kawasaki nearest-neighbour spin exchange (fixed M)' },
  exchange: { conservesMagnetization: true, cluster: false, description: 'non-local up/down spin exchange (fixed M)' },
  geometric: { conservesMagnetization: true, cluster: true, description: 'geometric cluster algorithm, point inversions (Heringa & Blöte; fixed M)' },
};

export function isAlgorithm(name: string): name is Algorithm {
  return (ALGORITHMS as readonly string[]).includes(name);
}

/** Builds the rule; `rng` seeds rules that keep a random state of their own (the SIMD kernel). */
export function createRule(algorithm: Algorithm, init: RuleInit, rng: Rng): Rule {
  switch (algorithm) {
    case 'metropolis':
      return metropolisRule(init, 'typewriter');
    case 'checkerboard':
      return metropolisRule(init, 'checkerboard');
    case 'multispin':
      return multispinRule(init, rng);
    case 'heatbath':
      return heatbathRule(init);
    case 'wolff':
      return wolffRule(init);
    case 'kawasaki':
      return kawasakiRule(init);
    case 'exchange':
      return exchangeRule(init);
    case 'geometric':
      return geometricRule(init);
  }
}
