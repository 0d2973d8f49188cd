/**
 * Equilibrium configurations for references: one chain (Wolff for the Ising model, non-local
 * exchange at fixed magnetization), `thermalize` sweeps discarded, then one configuration every
 * `spacing` sweeps. For small lattices and tests; datasets (data/) measure τ_int and choose the
 * spacing themselves.
 */
import { squareLattice } from '../lattice/square.js';
import { createRule } from './algorithms.js';
import { initialConfiguration } from './model.js';
import { Rng } from './rng.js';

export function equilibriumConfigurations(L: number, T: number, n: number, seed: number, options: { magnetization?: number | null; spacing?: number; thermalize?: number } = {}): Int8Array {
  const { magnetization = null, spacing = 5, thermalize = 200 } = options;
  const lattice = squareLattice(L);
  const params = { J: 1, h: 0, T };
  const rule = createRule(magnetization === null ? 'wolff' : 'exchange', { lattice, params, initial: initialConfiguration(lattice, Rng.stream(seed, 1), { ...params, magnetization, start: 'auto' }) }, Rng.stream(seed, 2));
  const rng = Rng.stream(seed, 0);
  for (let k = 0; k < thermalize; k++) rule.sweep(rng);
  rule.freeze?.();
  const out = new Int8Array(n * lattice.N);
  const c = new Int8Array(lattice.N);
  for (let k = 0; k < n; k++) {
    for (let s = 0; s < spacing; s++) rule.sweep(rng);
    rule.configuration(0, c);
    out.set(c, k * lattice.N);
  }
  return out;
}
