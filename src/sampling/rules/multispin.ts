/**
 * Multispin-coded checkerboard Metropolis for the 2D Ising model at h = 0.
 *
 * Many spins are packed into one machine word, all of the same checkerboard colour, and updated
 * together with bitwise logic: with s the word and n1..n4 its four neighbour words, a_j = s ^ n_j
 * marks the anti-aligned neighbours, and half adders on a_1..a_4 give three masks: a ≥ 2 (ΔE ≤ 0,
 * always flip), a = 1 (ΔE = 4|J|, flip with p4 = e^{−4|J|/T}) and a = 0 (ΔE = 8|J|, p8 = e^{−8|J|/T}).
 * For J < 0 the word is complemented first, so a counts aligned neighbours instead.
 *
 * Every spin gets its own uniform U: bit b of the k-th random word is the k-th binary digit of the
 * U of the spin in bit b. U is compared with p lazily, digit by digit — where p's digit is 1, spins
 * whose digit is 0 are accepted (U < p); where it is 0, spins whose digit is 1 are rejected; the
 * rest stay undecided — until no spin of the word is undecided (about 6 random words per 32 spins)
 * or 32 digits are used (the rest is rejected, or accepted when p ≥ 1; resolution 2^−32). The a = 1
 * and a = 0 sets are disjoint, so one stream of random words serves both.
 *
 * The colour-0 sites are all updated, then the colour-1 sites; each half-sweep is a product of
 * independent single-site Metropolis moves and satisfies detailed balance.
 *
 * Layouts:
 *  - 'simd-strip' (Ly % 256 = 0, Lx even, WebAssembly SIMD available): 128 strips, 128 spins per
 *    v128, in `multispin-wasm.ts`. The kernel has its own RNG, seeded from the `Rng` given to
 *    `multispinRule`; the `rng` argument of `sweep` is then not used (runs stay deterministic).
 *  - 'strip' (Ly % 64 = 0, Lx even): bit k of word (x, y') holds spin (x, y' + k·H), H = Ly/32; one
 *    configuration, `replicas` = 1.
 *  - 'replica' (any even Lx, Ly): word (x, y) holds site (x, y) of 32 independent replicas (bit k =
 *    replica k), all started from the initial configuration; `replicas` = 32.
 * Both JS layouts use a padded grid of words with ghost rows and columns refreshed before each
 * half-sweep (rotated by one bit across strip edges in the strip layout), so the kernel is the same.
 */
import type { Rng } from '../rng.js';
import { restoreArray, type Rule, type RuleInit, type RuleState } from '../rule.js';
import type { SquareLattice } from '../../lattice/square.js';
import { requireErgodicSides } from './metropolis.js';
import { MultispinSimdKernel, wasmSimdSupported, type AcceptanceDigits } from './multispin-wasm.js';

export type MultispinLayout = 'simd-strip' | 'strip' | 'replica';

export interface MultispinOptions {
  /** Use the WebAssembly SIMD kernel when the lattice fits it and the runtime supports it (default true). */
  simd?: boolean;
  /** Force a layout (for tests and benchmarks); a RangeError if the lattice does not fit it. */
  layout?: MultispinLayout;
}

function checkSides(Lx: number, Ly: number): void {
  for (const [name, v] of [['Lx', Lx], ['Ly', Ly]] as const) {
    if (!Number.isInteger(v) || v < 2 || v % 2 !== 0) {
      throw new RangeError(`multispin needs even lattice sides ≥ 2 (checkerboard), got ${name} = ${v}`);
    }
  }
}

/** Whether a layout can hold an Lx × Ly lattice (sides already known to be even). */
function fits(layout: MultispinLayout, Lx: number, Ly: number): boolean {
  switch (layout) {
    case 'simd-strip':
      return Ly % 256 === 0 && Lx % 2 === 0 && wasmSimdSupported();
    case 'strip':
      return Ly % 64 === 0 && Lx % 2 === 0;
    case 'replica':
      return Lx % 2 === 0 && Ly % 2 === 0;
  }
}

/** The layout `multispinRule` picks for an Lx × Ly lattice. */
export function multispinLayout(Lx: number, Ly: number, simd = true): MultispinLayout {
  checkSides(Lx, Ly);
  if (simd && fits('simd-strip', Lx, Ly)) return 'simd-strip';
  if (fits('strip', Lx, Ly)) return 'strip';
  return 'replica';
}

/** The 32 binary digits of p (truncated, so P(accept) = ⌊p·2^32⌋/2^32) and the tail mask. */
export function acceptanceDigits(p: number): AcceptanceDigits {
  const digits = new Int32Array(32);
  if (p >= 1) {
    digits.fill(-1);
    return { digits, tail: -1 };
  }
  let f = p > 0 ? p : 0;
  for (let k = 0; k < 32; k++) {
    f *= 2; // exact in binary floating point
    if (f >= 1) {
      digits[k] = -1;
      f -= 1;
    }
  }
  return { digits, tail: 0 };
}

/**
 * n checkerboard sweeps over the padded grid W: (H + 2) rows of S = Lx + 2 words; word (x, y') is
 * W[(y' + 1)·S + x + 1]. `rotate` = 1 for the strip layout (ghost rows rotated by one bit), 0 for the
 * replica layout. The RNG state is read from and written back to `state` (xoshiro128**).
 */
function sweepWords(
  W: Int32Array, Lx: number, H: number, rotate: number, n: number, inv: number,
  D4: Int32Array, D8: Int32Array, tail4: number, tail8: number, state: Uint32Array,
): void {
  const S = Lx + 2;
  const lastRow = H * S; // padded row H: the real row y' = H − 1
  const below = (H + 1) * S; // padded row H + 1: ghost below
  const back = 32 - rotate; // rotate = 0 gives (w << 0) | (w >>> 32 ≡ 0) = w
  let s0 = state[0] | 0, s1 = state[1] | 0, s2 = state[2] | 0, s3 = state[3] | 0;
  for (let iter = 0; iter < n; iter++) {
    for (let c = 0; c < 2; c++) {
      // ghost columns: column 0 ← column Lx, column Lx + 1 ← column 1
      for (let r = S; r <= lastRow; r += S) {
        W[r] = W[r + Lx];
        W[r + Lx + 1] = W[r + 1];
      }
      // ghost rows: above row 0 ← last row rotated left, below row H − 1 ← first row rotated right
      for (let x = 1; x <= Lx; x++) {
        const last = W[lastRow + x];
        const first = W[S + x];
        W[x] = (last << rotate) | (last >>> back);
        W[below + x] = (first >>> rotate) | (first << back);
      }
      for (let y = 0; y < H; y++) {
        const row = (y + 1) * S;
        const end = row + Lx + 1;
        for (let i = row + 1 + ((c ^ y) & 1); i < end; i += 2) {
          const w = W[i];
          const s = w ^ inv;
          const a1 = s ^ W[i + 1];
          const a2 = s ^ W[i - 1];
          const a3 = s ^ W[i + S];
          const a4 = s ^ W[i - S];
          const x1 = a1 ^ a2;
          const x2 = a3 ^ a4;
          const cc = (a1 & a2) | (a3 & a4);
          let acc = cc | (x1 & x2); // a ≥ 2
          let u1 = (x1 ^ x2) & ~cc; // a = 1
          let u0 = ~(x1 | x2 | cc); // a = 0
          for (let k = 0; (u1 | u0) !== 0; k++) {
            if (k === 32) {
              acc |= (u1 & tail4) | (u0 & tail8);
              break;
            }
            // xoshiro128**, as Rng.nextU32
            const m = Math.imul(s1, 5);
            const rnd = Math.imul((m << 7) | (m >>> 25), 9);
            const t = s1 << 9;
            s2 ^= s0;
            s3 ^= s1;
            s1 ^= s2;
            s0 ^= s3;
            s2 ^= t;
            s3 = (s3 << 11) | (s3 >>> 21);
            const d4 = D4[k];
            const d8 = D8[k];
            acc |= ((u1 & d4) | (u0 & d8)) & ~rnd;
            u1 &= ~(rnd ^ d4);
            u0 &= ~(rnd ^ d8);
          }
          W[i] = w ^ acc;
        }
      }
    }
  }
  state[0] = s0;
  state[1] = s1;
  state[2] = s2;
  state[3] = s3;
}

interface Acceptance {
  p4: AcceptanceDigits;
  p8: AcceptanceDigits;
  inverted: boolean;
}

function acceptance(J: number, T: number): Acceptance {
  if (!Number.isFinite(J)) throw new RangeError(`multispin needs a finite coupling, got J = ${J}`);
  if (!(T >= 0)) throw new RangeError(`multispin needs a temperature T ≥ 0, got T = ${T}`);
  const aJ = Math.abs(J);
  const p = (de: number): number => (aJ === 0 ? 1 : T === 0 ? 0 : Math.exp(-(de * aJ) / T));
  return { p4: acceptanceDigits(p(4)), p8: acceptanceDigits(p(8)), inverted: J < 0 };
}

/** The JS rule for the 'strip' and 'replica' layouts. */
class MultispinJsRule implements Rule {
  readonly algorithm = 'multispin';
  readonly lattice: SquareLattice;
  readonly replicas: number;
  readonly layout: 'strip' | 'replica';
  private readonly H: number;
  private readonly words: Int32Array;
  private readonly acc: Acceptance;

  constructor(lattice: SquareLattice, initial: Int8Array, layout: 'strip' | 'replica', acc: Acceptance) {
    this.lattice = lattice;
    this.layout = layout;
    this.acc = acc;
    const { Lx, Ly } = lattice;
    this.replicas = layout === 'strip' ? 1 : 32;
    this.H = layout === 'strip' ? Ly / 32 : Ly;
    this.words = new Int32Array((this.H + 2) * (Lx + 2));
    const { H, words } = this;
    for (let y = 0; y < Ly; y++) {
      for (let x = 0; x < Lx; x++) {
        if (initial[x + Lx * y] <= 0) continue;
        if (layout === 'strip') words[(y % H + 1) * (Lx + 2) + x + 1] |= 1 << Math.floor(y / H);
        else words[(y + 1) * (Lx + 2) + x + 1] = -1;
      }
    }
  }

  saveState(): RuleState {
    return { arrays: [this.words.slice()], numbers: [] };
  }

  restoreState(state: RuleState): void {
    restoreArray(this.words, state.arrays[0], 'multispin words');
  }

  sweep(rng: Rng): number {
    const { Lx, N } = this.lattice;
    const { p4, p8, inverted } = this.acc;
    sweepWords(this.words, Lx, this.H, this.layout === 'strip' ? 1 : 0, 1, inverted ? -1 : 0,
      p4.digits, p8.digits, p4.tail, p8.tail, rng.state);
    return N * this.replicas;
  }

  configuration(replica = 0, out: Int8Array = new Int8Array(this.lattice.N)): Int8Array {
    const { Lx, Ly, N } = this.lattice;
    if (!Number.isInteger(replica) || replica < 0 || replica >= this.replicas) {
      throw new RangeError(`replica = ${replica} is not allowed: this multispin rule has ${this.replicas} replica(s)`);
    }
    if (out.length !== N) throw new RangeError(`output has ${out.length} entries, the lattice ${N} spins`);
    const { H, words } = this;
    const S = Lx + 2;
    for (let y = 0; y < Ly; y++) {
      const bit = this.layout === 'strip' ? Math.floor(y / H) : replica;
      const row = ((this.layout === 'strip' ? y % H : y) + 1) * S + 1;
      for (let x = 0; x < Lx; x++) out[x + Lx * y] = (words[row + x] >>> bit) & 1 ? 1 : -1;
    }
    return out;
  }
}

/** The WebAssembly SIMD rule, layout 'simd-strip'. `sweep`'s rng is unused (the kernel has its own). */
class MultispinSimdRule implements Rule {
  readonly algorithm = 'multispin';
  readonly lattice: SquareLattice;
  readonly replicas = 1;
  readonly layout = 'simd-strip';
  private readonly kernel: MultispinSimdKernel;

  constructor(lattice: SquareLattice, initial: Int8Array, rng: Rng, acc: Acceptance) {
    this.lattice = lattice;
    const seeds: number[] = [];
    for (let i = 0; i < 16; i++) seeds.push(rng.nextU32());
    this.kernel = new MultispinSimdKernel(lattice.Lx, lattice.Ly, seeds, acc.p4, acc.p8, acc.inverted);
    this.kernel.load(initial);
  }

  saveState(): RuleState {
    return { arrays: [this.kernel.unpack()], numbers: this.kernel.rngState() };
  }

  restoreState(state: RuleState): void {
    const spins = new Int8Array(this.lattice.N);
    restoreArray(spins, state.arrays[0], 'spins');
    this.kernel.load(spins);
    this.kernel.setRngState(state.numbers);
  }

  sweep(_rng: Rng): number {
    this.kernel.sweep(1);
    return this.lattice.N;
  }

  configuration(replica = 0, out?: Int8Array): Int8Array {
    if (replica !== 0) throw new RangeError(`replica = ${replica} is not allowed: this multispin rule has 1 replica`);
    return this.kernel.unpack(out);
  }
}

/**
 * Multispin Metropolis for h = 0. `rng` only seeds the SIMD kernel's own generator (16 draws) when
 * the 'simd-strip' layout is used; the JS layouts draw from the `rng` given to each `sweep`.
 */
export function multispinRule(init: RuleInit, rng: Rng, options: MultispinOptions = {}): Rule {
  const { lattice, params, initial } = init;
  const { Lx, Ly, N } = lattice;
  if (params.h !== 0) throw new RangeError(`multispin needs h = 0, got h = ${params.h}`);
  checkSides(Lx, Ly);
  requireErgodicSides('multispin', Lx, Ly);
  if (initial.length !== N) throw new RangeError(`initial configuration has ${initial.length} spins, the ${Lx}×${Ly} lattice ${N}`);
  let layout = multispinLayout(Lx, Ly, options.simd ?? true);
  if (options.layout !== undefined) {
    if (!fits(options.layout, Lx, Ly)) {
      throw new RangeError(`multispin layout '${options.layout}' does not fit ${Lx}×${Ly}: 'simd-strip' needs Ly % 256 = 0 and WebAssembly SIMD, 'strip' Ly % 64 = 0`);
    }
    layout = options.layout;
  }
  const acc = acceptance(params.J, params.T);
  if (layout === 'simd-strip') return new MultispinSimdRule(lattice, initial, rng, acc);
  return new MultispinJsRule(lattice, initial, layout, acc);
}
