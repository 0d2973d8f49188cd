/**
 * Seedable, splittable pseudo-random numbers: xoshiro128** (Blackman & Vigna), 32-bit output.
 *
 * Every random draw in spinflow comes from an `Rng` built by `Rng.stream(seed, ...path)`: the
 * stream for chain 3 of a run with seed 42 is `Rng.stream(42, 3)` in whatever worker it runs, so
 * results never depend on how chains are spread over threads. Streams are derived by hashing the
 * seed and the path with SplitMix64, which gives statistically independent starting states.
 */

const MASK64 = (1n << 64n) - 1n;

function splitMix64(state: bigint): [bigint, bigint] {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return [next, z ^ (z >> 31n)];
}

/** Largest seed accepted: seeds are integers in [0, 2^53). */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

export class Rng {
  /** xoshiro128** state; exposed so hot loops can keep it in locals and write it back. */
  readonly state: Uint32Array;

  private constructor(state: Uint32Array) {
    this.state = state;
  }

  /** The stream named by `seed` and a path of non-negative integers (chain, replica, ...). */
  static stream(seed: number, ...path: number[]): Rng {
    for (const v of [seed, ...path]) {
      if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`rng seed/stream ${v} must be an integer in [0, 2^53)`);
    }
    let h = BigInt(seed);
    for (const p of path) {
      // Absorb each path element through one SplitMix64 step so (a, b) and (b, a) differ.
      const [, mixed] = splitMix64(h ^ ((BigInt(p) + 1n) * 0xd1b54a32d192ed03n & MASK64));
      h = mixed;
    }
    const s = new Uint32Array(4);
    let st = h;
    for (let i = 0; i < 2; i++) {
      const [next, z] = splitMix64(st);
      st = next;
      s[2 * i] = Number(z & 0xffffffffn);
      s[2 * i + 1] = Number(z >> 32n);
    }
    if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1; // the all-zero state is a fixed point
    return new Rng(s);
  }

  /** A child stream: deterministic in (this stream's current state, index), independent of it. */
  split(index: number): Rng {
    const s = this.state;
    const seed = (s[0] * 0x100000 + (s[1] & 0xfffff)) % MAX_SEED;
    return Rng.stream(seed, s[2], s[3], index);
  }

  /** Copy of the current state (for checkpoints). */
  saveState(): number[] {
    return Array.from(this.state);
  }

  static fromState(state: ArrayLike<number>): Rng {
    if (state.length !== 4) throw new RangeError('rng state must have 4 words');
    return new Rng(Uint32Array.from(state));
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.state;
    const s0 = s[0], s1 = s[1], s2 = s[2] ^ s0, s3 = s[3] ^ s1;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s[0] = s0 ^ s3;
    s[1] = s1 ^ s2;
    s[2] = s2 ^ t;
    s[3] = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * Uniform integer in [0, n) for integer 1 ≤ n < 2^32, without bias (Lemire's multiply-and-reject:
   * the costly 2^32 mod n is needed only when the low word falls below n, with probability n/2^32).
   */
  below(n: number): number {
    let x = this.nextU32();
    let low = Math.imul(x, n) >>> 0;
    if (low < n) {
      const threshold = 4294967296 % n; // low words below it would over-represent some values
      while (low < threshold) {
        x = this.nextU32();
        low = Math.imul(x, n) >>> 0;
      }
    }
    return n <= SMALL_N ? Math.floor((x * n) / 4294967296) : mulHigh(x, n);
  }

  /** Shuffles `a` in place (Fisher–Yates, from the last element down) and returns it. */
  shuffle<A extends { length: number; [i: number]: number }>(a: A): A {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** Standard normal deviate (Box–Muller, one value per call). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }
}

/** Below this, x·n < 2^53 is exact in a double, so floor(x·n / 2^32) needs no 16-bit pieces. */
const SMALL_N = 2 ** 21;

/** floor(x * n / 2^32) exactly for 32-bit x and n. */
function mulHigh(x: number, n: number): number {
  const xl = x & 0xffff, xh = x >>> 16;
  const nl = n & 0xffff, nh = n >>> 16;
  const ll = xl * nl, lh = xl * nh, hl = xh * nl, hh = xh * nh;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return hh + Math.floor(lh / 65536) + Math.floor(hl / 65536) + Math.floor(mid / 65536);
}

/**
 * The seed of one point of a sweep (an N_l, a temperature, a replica …), derived from the study's
 * seed and the point's name alone: a point draws the same numbers whichever other points run, in
 * whatever order, on whatever engine.
 */
export function pointSeed(seed: number, point: string): number {
  let h1 = 0x811c9dc5, h2 = 0x01000193;
  for (let i = 0; i < point.length; i++) {
    const c = point.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return Rng.stream(seed, h1, h2).below(0x7fffffff);
}
