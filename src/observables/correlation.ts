/**
 * The spatial correlation of eq. (5) of Azizi & Pleimling:
 *   C(r) = (1 / 2N) Σ_i s_i (s_{i + r x̂} + s_{i + r ŷ}),   r = 0 … ⌊min(Lx, Ly)/2⌋,
 * a per-configuration quantity (not connected); C(0) = 1 and C(1) = B/(2N) with B the bond sum.
 */
import type { SquareLattice } from '../lattice/square.js';

export function maxCorrelationDistance(lattice: SquareLattice): number {
  return Math.floor(Math.min(lattice.Lx, lattice.Ly) / 2);
}

export function spatialCorrelation(
  lattice: SquareLattice,
  spins: Int8Array,
  out: Float64Array = new Float64Array(maxCorrelationDistance(lattice) + 1),
): Float64Array {
  const { Lx, Ly, N } = lattice;
  const rMax = out.length - 1;
  for (let r = 0; r <= rMax; r++) {
    let sum = 0;
    for (let y = 0; y < Ly; y++) {
      const row = Lx * y;
      const rowR = Lx * ((y + r) % Ly);
      for (let x = 0; x < Lx; x++) {
        const xr = x + r < Lx ? x + r : x + r - Lx;
        sum += spins[row + x] * (spins[row + xr] + spins[rowR + x]);
      }
    }
    out[r] = sum / (2 * N);
  }
  return out;
}
