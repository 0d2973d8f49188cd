/** Monte Carlo reference configurations made in the page with spinflow's own rules. */
import { createRule } from '../src/sampling/algorithms.js';
import { Rng } from '../src/sampling/rng.js';
import { squareLattice } from '../src/lattice/square.js';
import { initialConfiguration } from '../src/sampling/model.js';

/**
 * n configurations ±1 ([n, L²]) of the L × L Ising model at T (J = 1, h = 0): Wolff, or Kawasaki at
 * fixed magnetization per spin M0, thermalized, then one configuration every `spacing` sweeps.
 */
export function monteCarloConfigurations(L: number, T: number, n: number, seed: number, M0: number | null): Int8Array {
  const lattice = squareLattice(L);
  const rng = Rng.stream(seed, 20);
  const algorithm = M0 === null ? 'wolff' : 'kawasaki';
  const initial = initialConfiguration(lattice, rng, { T, J: 1, magnetization: M0, start: 'auto' });
  const rule = createRule(algorithm, { lattice, params: { T, J: 1, h: 0 }, initial }, rng);
  // Kawasaki is local and conserving: slow, so it gets many more sweeps between samples
  const thermalize = M0 === null ? 200 : 4000, spacing = M0 === null ? 2 : 40;
  for (let s = 0; s < thermalize; s++) rule.sweep(rng);
  rule.freeze?.();
  const out = new Int8Array(n * lattice.N);
  for (let k = 0; k < n; k++) {
    for (let s = 0; s < spacing; s++) rule.sweep(rng);
    rule.configuration(0, out.subarray(k * lattice.N, (k + 1) * lattice.N));
  }
  return out;
}
