/**
 * Domain structure of one configuration: which same-sign (geometric) clusters wrap around the
 * periodic lattice, whether it is a stripe state, and the amplitude of the first Fourier mode
 * (the order parameter of phase separation at fixed magnetization).
 */
import type { SquareLattice } from '../lattice/square.js';

export interface Wrapping {
  /** Some + cluster wraps around the x (resp. y) direction. */
  plusX: boolean;
  plusY: boolean;
  minusX: boolean;
  minusY: boolean;
}

/**
 * Labels clusters by breadth-first search, keeping each site's unwrapped displacement from the
 * cluster's first site; reaching a site again with a different displacement means the cluster
 * winds around the torus in that direction (the Machta et al. wrapping test).
 */
export function wrappingClusters(lattice: SquareLattice, spins: Int8Array): Wrapping {
  const { N } = lattice;
  const label = new Int32Array(N).fill(-1);
  const ux = new Int32Array(N);
  const uy = new Int32Array(N);
  const queue = new Int32Array(N);
  const out: Wrapping = { plusX: false, plusY: false, minusX: false, minusY: false };
  const DX = [1, -1, 0, 0];
  const DY = [0, 0, 1, -1];
  for (let seed = 0; seed < N; seed++) {
    if (label[seed] >= 0) continue;
    const s = spins[seed];
    label[seed] = seed;
    ux[seed] = 0;
    uy[seed] = 0;
    let head = 0, tail = 0;
    queue[tail++] = seed;
    let wx = false, wy = false;
    while (head < tail) {
      const i = queue[head++];
      for (let d = 0; d < 4; d++) {
        const j = lattice.neighbors[4 * i + d];
        if (spins[j] !== s) continue;
        const ex = ux[i] + DX[d], ey = uy[i] + DY[d];
        if (label[j] < 0) {
          label[j] = seed;
          ux[j] = ex;
          uy[j] = ey;
          queue[tail++] = j;
        } else {
          if (ux[j] !== ex) wx = true;
          if (uy[j] !== ey) wy = true;
        }
      }
    }
    if (s > 0) {
      out.plusX ||= wx;
      out.plusY ||= wy;
    } else {
      out.minusX ||= wx;
      out.minusY ||= wy;
    }
  }
  return out;
}

/**
 * A stripe state: clusters of both signs wrap around the same direction, so the configuration is
 * split by domain walls that span the lattice (no cluster of either sign wraps both ways). Below
 * T_c these are long-lived under local dynamics after a quench; in equilibrium their weight falls
 * as exp(−2σL/T) with the interface tension σ.
 */
export function isStripeState(lattice: SquareLattice, spins: Int8Array): boolean {
  const w = wrappingClusters(lattice, spins);
  if ((w.plusX && w.plusY) || (w.minusX && w.minusY)) return false;
  return (w.plusX && w.minusX) || (w.plusY && w.minusY);
}

/**
 * ψ = max over the two lattice directions of |Σ_i s_i e^{2πi x_i / L}| / N: the first Fourier mode
 * of the magnetization profile, ≈ 2/π for a perfect two-stripe state and O(N^{-1/2}) when disordered.
 */
export function firstModeAmplitude(lattice: SquareLattice, spins: Int8Array, rows = new Float64Array(lattice.Ly), cols = new Float64Array(lattice.Lx)): number {
  const { Lx, Ly, N } = lattice;
  rows.fill(0);
  cols.fill(0);
  for (let y = 0, i = 0; y < Ly; y++) {
    for (let x = 0; x < Lx; x++, i++) {
      const s = spins[i];
      rows[y] += s;
      cols[x] += s;
    }
  }
  const amplitude = (profile: Float64Array, L: number) => {
    let re = 0, im = 0;
    for (let k = 0; k < L; k++) {
      const phase = (2 * Math.PI * k) / L;
      re += profile[k] * Math.cos(phase);
      im += profile[k] * Math.sin(phase);
    }
    return Math.hypot(re, im) / N;
  };
  return Math.max(amplitude(cols, Lx), amplitude(rows, Ly));
}
