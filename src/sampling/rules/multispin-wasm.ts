/**
 * Loader and wrapper of the WebAssembly SIMD multispin kernel (`../wasm/multispin.wat`, compiled by
 * `npm run build` to `dist/src/sampling/wasm/multispin.wasm`): 128 spins per v128 in the
 * "simd-strip" layout, Ly % 256 = 0 and Lx even. See the .wat file for the layout and the memory map.
 *
 * The kernel keeps its own 4-lane xoshiro128** state, seeded once from 16 words of the `Rng` given
 * to the constructor; runs are therefore deterministic in the seed, but the `Rng` passed to each
 * sweep is not consulted.
 */
import { readBytes } from '../../io/files.js';

const DIGITS = 0;
const TAILS = 1024;
const RNG = 1056;
const SPINS = 2048;
const PAGE = 65536;

/** A minimal module using a v128 instruction: validates only where SIMD is supported. */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x11, 0x0b, // code: i32.const 0; i32x4.splat; end
]);

/**
 * The few pieces of the WebAssembly JS API used here, typed locally: the project compiles against
 * lib ES2022 and @types/node, which do not declare the WebAssembly namespace.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
}
const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

let simd: boolean | undefined;

/** Whether this runtime has WebAssembly with fixed-width SIMD. */
export function wasmSimdSupported(): boolean {
  if (simd === undefined) {
    try {
      simd = wasmApi !== undefined && wasmApi.validate(SIMD_PROBE);
    } catch {
      simd = false;
    }
  }
  return simd;
}

let compiled: object | undefined;
let providedBytes: Uint8Array | undefined;

/**
 * Where files cannot be read (a browser), the compiled kernel's bytes, fetched by the caller; call
 * before the first SIMD multispin rule is built.
 */
export function provideMultispinKernel(bytes: Uint8Array): void {
  providedBytes = bytes;
  compiled = undefined;
}

function module(): object {
  if (!compiled) {
    if (!wasmApi) throw new Error('WebAssembly is not available in this runtime');
    // dist/src/sampling/rules/multispin-wasm.js → dist/src/sampling/wasm/multispin.wasm (Node only: the
    // page fetches its own copy, so Vite is told to leave this URL alone)
    compiled = new wasmApi.Module(providedBytes ?? readBytes(new URL(/* @vite-ignore */ '../wasm/multispin.wasm', import.meta.url)));
  }
  return compiled;
}

interface KernelExports {
  memory: WasmMemory;
  sweep(lx: number, h: number, n: number, inv: number): void;
  rotl1(lo: bigint, hi: bigint, lane: number): bigint;
  rotr1(lo: bigint, hi: bigint, lane: number): bigint;
}

/** The acceptance probabilities as the kernel wants them: 32 binary digits and a tail mask each. */
export interface AcceptanceDigits {
  /** Digit k (k = 0..31, weight 2^-(k+1)) of p as 0 or −1 (all bits set). */
  readonly digits: Int32Array;
  /** −1 when p ≥ 1 (spins undecided after 32 digits are accepted), else 0. */
  readonly tail: number;
}

/** One lattice in one wasm instance (own linear memory). */
export class MultispinSimdKernel {
  readonly Lx: number;
  readonly Ly: number;
  /** Rows per strip, Ly / 128. */
  readonly H: number;
  private readonly exports: KernelExports;
  private readonly inv: number;
  private words: Uint32Array;

  /**
   * @param seeds 16 32-bit words: lane l of the kernel's xoshiro128** starts from seeds[4l..4l+3]
   * @param inverted true for J < 0 (aligned neighbours then cost energy)
   */
  constructor(Lx: number, Ly: number, seeds: ArrayLike<number>, p4: AcceptanceDigits, p8: AcceptanceDigits, inverted: boolean) {
    if (Ly % 256 !== 0 || Lx % 2 !== 0 || Lx < 2) throw new RangeError(`the SIMD multispin kernel needs Lx even and Ly a multiple of 256, got ${Lx}×${Ly}`);
    this.Lx = Lx;
    this.Ly = Ly;
    this.H = Ly / 128;
    this.inv = inverted ? -1 : 0;
    const instance = new wasmApi!.Instance(module(), {});
    this.exports = instance.exports as unknown as KernelExports;
    const bytes = SPINS + 16 * (this.H + 2) * (Lx + 2);
    const memory = this.exports.memory;
    if (bytes > memory.buffer.byteLength) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
    this.words = new Uint32Array(memory.buffer);
    const w = this.words;
    for (let k = 0; k < 32; k++) {
      w.fill(p4.digits[k] >>> 0, (DIGITS + 32 * k) / 4, (DIGITS + 32 * k + 16) / 4);
      w.fill(p8.digits[k] >>> 0, (DIGITS + 32 * k + 16) / 4, (DIGITS + 32 * k + 32) / 4);
    }
    w.fill(p4.tail >>> 0, TAILS / 4, TAILS / 4 + 4);
    w.fill(p8.tail >>> 0, TAILS / 4 + 4, TAILS / 4 + 8);
    // state word j of lane l lives at RNG + 16·j + 4·l
    for (let lane = 0; lane < 4; lane++) {
      let any = 0;
      for (let j = 0; j < 4; j++) {
        const v = seeds[4 * lane + j] >>> 0;
        w[RNG / 4 + 4 * j + lane] = v;
        any |= v;
      }
      if (any === 0) w[RNG / 4 + lane] = 1; // the all-zero state is a fixed point
    }
  }

  /** Index (in 32-bit words) of the first lane of word (x, y'), 0 ≤ y' < H. */
  private base(x: number, yp: number): number {
    return SPINS / 4 + 4 * ((yp + 1) * (this.Lx + 2) + x + 1);
  }

  /** Packs a ±1 configuration (site x + Lx·y) into the kernel. */
  load(spins: Int8Array): void {
    const { Lx, Ly, H } = this;
    if (spins.length !== Lx * Ly) throw new RangeError(`configuration has ${spins.length} spins, the lattice ${Lx * Ly}`);
    const w = this.words;
    for (let yp = 0; yp < H; yp++) {
      for (let x = 0; x < Lx; x++) {
        const b = this.base(x, yp);
        let l0 = 0, l1 = 0, l2 = 0, l3 = 0;
        for (let k = 0; k < 32; k++) {
          const bit = 1 << k;
          if (spins[x + Lx * (yp + k * H)] > 0) l0 |= bit;
          if (spins[x + Lx * (yp + (k + 32) * H)] > 0) l1 |= bit;
          if (spins[x + Lx * (yp + (k + 64) * H)] > 0) l2 |= bit;
          if (spins[x + Lx * (yp + (k + 96) * H)] > 0) l3 |= bit;
        }
        w[b] = l0;
        w[b + 1] = l1;
        w[b + 2] = l2;
        w[b + 3] = l3;
      }
    }
  }

  /** Unpacks the configuration into `out` (±1, site x + Lx·y). */
  unpack(out: Int8Array = new Int8Array(this.Lx * this.Ly)): Int8Array {
    const { Lx, Ly, H } = this;
    if (out.length !== Lx * Ly) throw new RangeError(`output has ${out.length} entries, the lattice ${Lx * Ly} spins`);
    const w = this.words;
    for (let yp = 0; yp < H; yp++) {
      for (let x = 0; x < Lx; x++) {
        const b = this.base(x, yp);
        for (let k = 0; k < 128; k++) {
          out[x + Lx * (yp + k * H)] = (w[b + (k >>> 5)] >>> (k & 31)) & 1 ? 1 : -1;
        }
      }
    }
    return out;
  }

  /** n full checkerboard sweeps. */
  sweep(n = 1): void {
    this.exports.sweep(this.Lx, this.H, n, this.inv);
  }

  /** The kernel's RNG state (16 words, lane-major as given to the constructor), for checkpoints. */
  rngState(): number[] {
    const out: number[] = [];
    for (let lane = 0; lane < 4; lane++) for (let j = 0; j < 4; j++) out.push(this.words[RNG / 4 + 4 * j + lane]);
    return out;
  }

  /** Restores a state saved by `rngState` (checkpoint resume). */
  setRngState(state: ArrayLike<number>): void {
    if (state.length !== 16) throw new RangeError(`the SIMD kernel's RNG state has 16 words, got ${state.length}`);
    for (let lane = 0; lane < 4; lane++) for (let j = 0; j < 4; j++) this.words[RNG / 4 + 4 * j + lane] = state[4 * lane + j] >>> 0;
  }

  /** Test hook: the kernel's 128-bit rotations of (lo, hi) by one bit, as [lo, hi]. */
  rotate(lo: bigint, hi: bigint, direction: 'left' | 'right'): [bigint, bigint] {
    const f = direction === 'left' ? this.exports.rotl1 : this.exports.rotr1;
    return [BigInt.asUintN(64, f(lo, hi, 0)), BigInt.asUintN(64, f(lo, hi, 1))];
  }
}
