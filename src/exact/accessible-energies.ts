/**
 * Which energies a configuration with a fixed number of up spins can have on the periodic L × L
 * lattice (J = 1, h = 0): the set a conserved-magnetization generator must stay inside.
 *
 * Glossary: N = L², n₊ up spins, m = min(n₊, N − n₊) minority spins, u unsatisfied bonds
 * (E = −2N + 2u), u_h / u_v the unsatisfied horizontal / vertical bonds.
 *
 * Up to 25 spins the answer is exact by enumeration (exact/enumeration.ts). Beyond, each energy is
 *   possible   when a witness configuration is known (one seen in reference data at the same n₊,
 *              or found by `findWitness`, a search at fixed n₊) — verified by recomputing u;
 *   impossible when the theorem below excludes it;
 *   unknown    otherwise (reported as such, never guessed).
 *
 * Theorem (L ≥ 3). u is possible only if u is even (every row and column ring changes sign an even
 * number of times), u ≤ 4m (each unsatisfied bond touches a minority spin), and one of
 *  (C) u ≥ p(m) = 2⌈2√m⌉, the least perimeter of m cells in the plane (Harary & Harborth 1976;
 *      additive over components and √a + √b ≥ √(a+b), so it also bounds disconnected sets);
 *  (A) u ≥ 2L, and u = 2L only if n₊ ≡ 0 (mod L), and u = 2L + 2 only if n₊ ≢ 0 (mod L).
 * Proof. If some row and some column are both uniform they share a site, hence a sign; the
 * opposite spins lie in the complement of that row and column, an (L−1) × (L−1) square that is a
 * disk of the torus, so their boundary is a planar perimeter: u ≥ p(count) ≥ p(m) since p is
 * non-decreasing and count ≥ m when the opposite spins are the majority — case (C). Otherwise every
 * column (or, symmetrically, every row) is non-uniform, so u_v ≥ 2L. If u = 2L then u_h = 0: all
 * rows are uniform and n₊ is a multiple of L. If u = 2L + 2, either u_h = 0 — all rows uniform,
 * all columns alike, u_v = L·(changes per column), impossible since L ∤ 2L + 2 for L ≥ 3 — or
 * u_h = 2 and u_v = 2L: one row holds 1 … L−1 up spins and the others are uniform, so n₊ ≢ 0
 * (mod L). ∎
 * At M = 0 and even L this forbids u = 2L + 2, the first level above the two-stripe ground state
 * (u = 2L): the energy Azizi & Pleimling find in ≈ 23 % of their RBM samples at T = 1 (Fig. 6).
 */
import { squareLattice, unsatisfiedBonds } from '../lattice/square.js';
import { Rng } from '../sampling/rng.js';
import { densityOfStates, MAX_ENUMERATION_SPINS } from './enumeration.js';

export type Accessibility = 'possible' | 'impossible' | 'unknown';

/** The least perimeter 2⌈2√n⌉ of n cells of the square lattice (0 for n = 0), in integers. */
export function minimalPerimeter(n: number): number {
  if (n <= 0) return 0;
  let k = Math.ceil(2 * Math.sqrt(n));
  while ((k - 1) * (k - 1) >= 4 * n) k--; // guard the floating-point ceil: least k with k² ≥ 4n
  while (k * k < 4 * n) k++;
  return 2 * k;
}

/** Why the theorem excludes u unsatisfied bonds at n₊ up spins on the L × L torus, or null. */
export function impossibilityReason(L: number, upSpins: number, u: number): string | null {
  if (!Number.isInteger(L) || L < 3) throw new RangeError(`L = ${L} is not allowed here: the theorem needs an integer L ≥ 3`);
  const N = L * L;
  const m = Math.min(upSpins, N - upSpins);
  if (u < 0 || u > 2 * N) return `u = ${u} lies outside 0 … 2N`;
  if (u % 2 !== 0) return 'u is odd, but every row and column changes sign an even number of times';
  if (u > 4 * m) return `u = ${u} exceeds 4m = ${4 * m}: each unsatisfied bond touches one of the m = ${m} minority spins`;
  const p = minimalPerimeter(m);
  if (u >= p) return null; // case (C) allows it
  if (u < 2 * L) return `u = ${u} is below both 2L = ${2 * L} and the least perimeter ${p} of m = ${m} cells`;
  if (u === 2 * L && upSpins % L !== 0) return `u = 2L needs two straight interfaces, so n₊ = ${upSpins} a multiple of L (or a perimeter ${p} ≤ 2L)`;
  if (u === 2 * L + 2 && upSpins % L === 0) return `u = 2L + 2 needs one row with 1 … L−1 up spins, so n₊ = ${upSpins} not a multiple of L (or a perimeter ${p} ≤ 2L + 2)`;
  return null;
}

/** Unsatisfied bonds of a ±1 configuration on the L × L torus. */
const unsatisfied = (s: Int8Array, L: number) => unsatisfiedBonds(squareLattice(L), s);

/** Start configurations with exactly `upSpins` up spins, spread over the energy range. */
function starts(L: number, upSpins: number, rng: Rng): Int8Array[] {
  const N = L * L;
  const rows = new Int8Array(N).fill(-1); // rows filled in order: two interfaces, u ≈ 2L
  for (let i = 0; i < upSpins; i++) rows[i] = 1;
  const random = new Int8Array(N).fill(-1);
  for (const i of rng.shuffle(Int32Array.from({ length: N }, (_, i) => i)).subarray(0, upSpins)) random[i] = 1;
  const checker = new Int8Array(N).fill(-1); // as close to a checkerboard as n₊ allows: u near its top
  const order = Int32Array.from({ length: N }, (_, i) => i).sort((a, b) => (((a % L) + Math.floor(a / L)) % 2) - (((b % L) + Math.floor(b / L)) % 2) || a - b);
  for (let k = 0; k < upSpins; k++) checker[order[N - 1 - k]] = 1;
  const minority = Math.min(upSpins, N - upSpins), sign = upSpins <= N - upSpins ? 1 : -1;
  const droplet = new Int8Array(N).fill(-sign); // the minority as one compact block: u near p(m)
  const width = Math.min(L, Math.ceil(Math.sqrt(minority)));
  for (let k = 0; k < minority; k++) droplet[(k % width) + L * Math.floor(k / width)] = sign;
  return [rows, droplet, checker, random];
}

/**
 * Exchange dynamics at fixed n₊ on configuration `s` (changed in place): half the moves swap an up
 * spin with a down neighbour, half any up with any down spin. `accept(cur, next)` decides each
 * move; `visit(u)` sees every accepted energy and returns true to stop. Returns the final u.
 */
function exchangeWalk(s: Int8Array, L: number, moves: number, rng: Rng, accept: (cur: number, next: number) => boolean, visit: (u: number) => boolean): number {
  const N = L * L;
  const { neighbors } = squareLattice(L);
  let cur = unsatisfied(s, L);
  if (visit(cur)) return cur;
  const ups: number[] = [], downs: number[] = [];
  const downIndex = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    if (s[i] < 0) downIndex[i] = downs.length;
    (s[i] > 0 ? ups : downs).push(i);
  }
  if (ups.length === 0 || downs.length === 0) return cur;
  const local = (i: number, j: number) => {
    let c = 0;
    for (let d = 0; d < 4; d++) {
      c += s[i] !== s[neighbors[4 * i + d]] ? 1 : 0;
      const b = neighbors[4 * j + d];
      if (b !== i) c += s[j] !== s[b] ? 1 : 0; // the bond i–j once
    }
    return c;
  };
  for (let t = 0; t < moves; t++) {
    const a = rng.below(ups.length);
    let b: number;
    if (rng.uniform() < 0.5) {
      const j0 = neighbors[4 * ups[a] + rng.below(4)];
      if (s[j0] > 0) continue;
      b = downIndex[j0];
    } else {
      b = rng.below(downs.length);
    }
    const i = ups[a], j = downs[b];
    const before = local(i, j);
    s[i] = -1; s[j] = 1;
    const next = cur + local(i, j) - before;
    if (accept(cur, next)) {
      ups[a] = j; downs[b] = i; downIndex[i] = b; cur = next;
      if (visit(cur)) return cur;
    } else {
      s[i] = 1; s[j] = -1;
    }
  }
  return cur;
}

/**
 * Energies seen by Kawasaki-like dynamics at fixed n₊ over a ladder of inverse temperatures, from
 * ferromagnetic (β > 0, from the low-energy starts) through β = 0 to antiferromagnetic (β < 0, from
 * the checkerboard): every energy returned has a witness configuration, so it is possible.
 */
export function exploreEnergies(L: number, upSpins: number, seed = 1, sweepsPerTemperature = 40): Set<number> {
  const N = L * L;
  if (!Number.isInteger(upSpins) || upSpins < 0 || upSpins > N) throw new RangeError(`upSpins = ${upSpins} is not allowed: expected an integer 0 … ${N}`);
  const rng = Rng.stream(seed, 0x77, L, upSpins);
  const seen = new Set<number>();
  const ladder = [3, 2, 1.5, 1.2, 1, 0.8, 0.6, 0.45, 0.3, 0.15, 0];
  const [rows, droplet, checker, random] = starts(L, upSpins, rng);
  for (const [s, betas] of [[rows, ladder], [droplet, ladder], [checker, ladder.map((b) => -b)], [random, ladder]] as const) {
    for (const beta of betas) {
      exchangeWalk(s, L, sweepsPerTemperature * N, rng, (cur, next) => next <= cur || rng.uniform() < Math.exp(-2 * beta * (next - cur)), (u) => (seen.add(u), false));
    }
  }
  return seen;
}

/**
 * A configuration with exactly `upSpins` up spins and `u` unsatisfied bonds, or null: exchange
 * dynamics that drift toward the target energy (Metropolis on |u − target|) from each start. A
 * witness proves possibility (it is re-verified from scratch); failing to find one proves nothing.
 */
export function findWitness(L: number, upSpins: number, u: number, seed = 1, sweeps = 400): Int8Array | null {
  const N = L * L;
  if (!Number.isInteger(upSpins) || upSpins < 0 || upSpins > N) throw new RangeError(`upSpins = ${upSpins} is not allowed: expected an integer 0 … ${N}`);
  const rng = Rng.stream(seed, 0x78, L, upSpins, u);
  for (const s of starts(L, upSpins, rng)) {
    const end = exchangeWalk(s, L, sweeps * N, rng, (cur, next) => {
      const worse = Math.abs(next - u) - Math.abs(cur - u);
      return worse <= 0 || rng.uniform() < Math.exp(-2 * worse);
    }, (x) => x === u);
    if (end === u && unsatisfied(s, L) === u) return s;
  }
  return null;
}

/**
 * Classifies energies at a fixed n₊, caching the answers: by enumeration up to 25 spins (unless
 * `enumerate` is false), otherwise by the theorem and witnesses (`witnesses`: reference
 * configurations, those at n₊ certify their energies; then exploration and a targeted search).
 */
export class AccessibleEnergies {
  readonly rule: 'enumeration' | 'theorem';
  private readonly known = new Map<number, Accessibility>();
  private readonly g: Float64Array | null;
  private explored = false;

  private readonly seed: number;

  constructor(readonly L: number, readonly upSpins: number, options: { witnesses?: { configs: Int8Array; n: number }; seed?: number; enumerate?: boolean } = {}) {
    const N = L * L;
    const { witnesses, seed = 1, enumerate = true } = options;
    this.seed = seed;
    this.g = enumerate && N <= MAX_ENUMERATION_SPINS ? densityOfStates(L, L).g : null;
    this.rule = this.g ? 'enumeration' : 'theorem';
    if (witnesses && !this.g) {
      const s = new Int8Array(N);
      for (let k = 0; k < witnesses.n; k++) {
        let up = 0;
        for (let i = 0; i < N; i++) up += (s[i] = witnesses.configs[k * N + i] > 0 ? 1 : -1) > 0 ? 1 : 0;
        if (up === upSpins) this.known.set(unsatisfied(s, L), 'possible');
      }
    }
  }

  classify(u: number): Accessibility {
    const hit = this.known.get(u);
    if (hit) return hit;
    const N = this.L * this.L;
    let a: Accessibility;
    if (this.g) {
      const b = 2 * N - u; // bond-sum index (B + 2N)/2 with B = 2N − 2u
      a = b >= 0 && b <= 2 * N && this.g[b * (N + 1) + this.upSpins] > 0 ? 'possible' : 'impossible';
    } else if (impossibilityReason(this.L, this.upSpins, u) !== null) {
      a = 'impossible';
    } else {
      if (!this.explored) {
        for (const x of exploreEnergies(this.L, this.upSpins, this.seed)) this.known.set(x, 'possible');
        this.explored = true;
        if (this.known.get(u)) return 'possible';
      }
      a = findWitness(this.L, this.upSpins, u, this.seed) ? 'possible' : 'unknown';
    }
    this.known.set(u, a);
    return a;
  }
}
