/**
 * The periodic Lx × Ly square lattice.
 *
 * Site i = x + Lx·y (row-major, x fastest). A spin configuration is an `Int8Array` of ±1 of length
 * N = Lx·Ly. Each site owns two bonds, to its right (x+1) and lower (y+1) neighbours, so there are
 * 2N bonds; for Lx = 2 (or Ly = 2) the two horizontal bonds of a site join the same pair, exactly
 * as in the transfer-matrix and Kaufman counting.
 */

export interface SquareLattice {
  readonly Lx: number;
  readonly Ly: number;
  /** Number of sites, Lx·Ly. */
  readonly N: number;
  /** Neighbour table, 4 entries per site: right, left, down, up. */
  readonly neighbors: Int32Array;
}

const cache = new Map<string, SquareLattice>();

export function squareLattice(Lx: number, Ly: number = Lx): SquareLattice {
  if (!Number.isInteger(Lx) || Lx < 2) throw new RangeError(`Lx = ${Lx} is not allowed: the lattice side must be an integer ≥ 2`);
  if (!Number.isInteger(Ly) || Ly < 2) throw new RangeError(`Ly = ${Ly} is not allowed: the lattice side must be an integer ≥ 2`);
  const key = `${Lx}x${Ly}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const N = Lx * Ly;
  const neighbors = new Int32Array(4 * N);
  for (let y = 0; y < Ly; y++) {
    for (let x = 0; x < Lx; x++) {
      const i = x + Lx * y;
      neighbors[4 * i] = ((x + 1) % Lx) + Lx * y;
      neighbors[4 * i + 1] = ((x + Lx - 1) % Lx) + Lx * y;
      neighbors[4 * i + 2] = x + Lx * ((y + 1) % Ly);
      neighbors[4 * i + 3] = x + Lx * ((y + Ly - 1) % Ly);
    }
  }
  const lattice: SquareLattice = { Lx, Ly, N, neighbors };
  cache.set(key, lattice);
  return lattice;
}

/**
 * Neighbour d (0 right, 1 left, 2 down, 3 up — the order of `neighbors`) of site i, from its
 * coordinates. Hot loops use this instead of the table: at large L the 4N-entry table falls out of
 * cache (Kawasaki at L = 1024 ran 4× slower with it).
 */
export function neighbourOf(i: number, d: number, Lx: number, N: number): number {
  const x = i % Lx;
  if (d === 0) return x === Lx - 1 ? i - x : i + 1;
  if (d === 1) return x === 0 ? i - x + Lx - 1 : i - 1;
  if (d === 2) return i + Lx < N ? i + Lx : i + Lx - N;
  return i >= Lx ? i - Lx : i - Lx + N;
}

/** Σ_j s_j over the 4 neighbours of site i, from coordinates (see `neighbourOf`). */
export function neighbourSum(spins: Int8Array, i: number, Lx: number, N: number): number {
  const x = i % Lx;
  const row = i - x;
  return (
    spins[x === Lx - 1 ? row : i + 1] +
    spins[x === 0 ? row + Lx - 1 : i - 1] +
    spins[i + Lx < N ? i + Lx : i + Lx - N] +
    spins[i >= Lx ? i - Lx : i - Lx + N]
  );
}

/** Σ over the 2N bonds of s_i s_j: an even integer in [-2N, 2N]; the energy is −J times it. */
export function bondSum(lattice: SquareLattice, spins: Int8Array): number {
  const { Lx, Ly } = lattice;
  let sum = 0;
  for (let y = 0; y < Ly; y++) {
    const row = Lx * y;
    const below = Lx * ((y + 1) % Ly);
    for (let x = 0; x < Lx; x++) {
      const s = spins[row + x];
      const right = x + 1 === Lx ? row : row + x + 1;
      sum += s * (spins[right] + spins[below + x]);
    }
  }
  return sum;
}

/**
 * Unsatisfied bonds (neighbours with different values) of the configuration stored from `offset`
 * in `values`: ±1 spins or {0, 1} bits alike. Counts the same 2N bonds as `bondSum`, so for spins
 * u = (2N − bondSum)/2.
 */
export function unsatisfiedBonds(lattice: SquareLattice, values: ArrayLike<number>, offset = 0): number {
  const { N, neighbors } = lattice;
  let u = 0;
  for (let i = 0; i < N; i++) {
    const v = values[offset + i];
    u += (v !== values[offset + neighbors[4 * i]] ? 1 : 0) + (v !== values[offset + neighbors[4 * i + 2]] ? 1 : 0);
  }
  return u;
}

/** Total magnetization Σ s_i. */
export function magnetization(spins: Int8Array): number {
  let m = 0;
  for (let i = 0; i < spins.length; i++) m += spins[i];
  return m;
}

/** Total energy H = −J Σ⟨ij⟩ s_i s_j − h Σ s_i. */
export function energy(lattice: SquareLattice, spins: Int8Array, J = 1, h = 0): number {
  return -J * bondSum(lattice, spins) - (h === 0 ? 0 : h * magnetization(spins));
}

/** Energy per spin, E/N. */
export function energyPerSpin(lattice: SquareLattice, spins: Int8Array, J = 1, h = 0): number {
  return energy(lattice, spins, J, h) / lattice.N;
}

/** The one conversion from ±1 spins to {0, 1} network inputs (up spin → 1). */
export function spinsToBits(spins: Int8Array, out: Float32Array = new Float32Array(spins.length)): Float32Array {
  for (let i = 0; i < spins.length; i++) out[i] = spins[i] > 0 ? 1 : 0;
  return out;
}

/** The inverse of `spinsToBits`: values ≥ 0.5 become +1. */
export function bitsToSpins(bits: ArrayLike<number>, out: Int8Array = new Int8Array(bits.length)): Int8Array {
  for (let i = 0; i < bits.length; i++) out[i] = bits[i] >= 0.5 ? 1 : -1;
  return out;
}

/** Sublattice (checkerboard colour) of site i: (x + y) mod 2. */
export function sublattice(lattice: SquareLattice, i: number): 0 | 1 {
  const x = i % lattice.Lx;
  const y = (i - x) / lattice.Lx;
  return ((x + y) & 1) as 0 | 1;
}
