/**
 * The row multiply-add kernel (`wasm/row-axpy.wat`, WebAssembly SIMD, four f32 lanes, compiled by
 * `npm run build` to `dist/src/nn/wasm/row-axpy.wasm`) and the linear memory it works on:
 *
 *   for j < count:  r = rows[j],  s = scales[r];  if s ≠ 0:  out[c] += s · w[r·cols + c],  from[r] ≤ c < to[r]
 *
 * This is how a layer of binary (or sparse) units adds up its weights: the incremental MADE and the
 * RBM's Gibbs half steps. Where the compiled kernel cannot be read (a browser page) or SIMD is
 * missing, the same loop runs in JS on an ArrayBuffer of the same layout, so callers lay out their
 * arrays once and never branch.
 */
import { readBytes } from '../io/files.js';
import { wasmSimdSupported } from '../sampling/rules/multispin-wasm.js';

/** Every argument is a byte address in the arena (a typed array's `byteOffset`); cols and count are element counts. */
export type AxpyRows = (out: number, w: number, cols: number, rows: number, count: number, scales: number, from: number, to: number) => void;

/** Which loop runs the multiply-adds: the SIMD kernel when available ('auto'), or always JS. */
export type RowKernel = 'auto' | 'js';

/** The pieces of the WebAssembly JS API used here (the project's lib settings do not declare them). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
  Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer };
}
const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
const PAGE = 65536;

let compiled: object | null | undefined;

/** The compiled kernel, or null where it cannot be had (no SIMD, or no file access). */
function kernelModule(): object | null {
  if (compiled === undefined) {
    try {
      compiled = wasmApi && wasmSimdSupported() ? new wasmApi.Module(readBytes(new URL(/* @vite-ignore */ './wasm/row-axpy.wasm', import.meta.url))) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

export interface RowArena {
  buffer: ArrayBuffer;
  axpyRows: AxpyRows;
  /** Whether `axpyRows` is the SIMD kernel. */
  simd: boolean;
  /** A view of `n` elements at the next 16-byte aligned offset (blocks are handed out in order). */
  take<V extends Float32Array | Int32Array>(View: new (b: ArrayBuffer, at: number, n: number) => V, n: number): V;
}

/** Bytes an arena needs for blocks of these element counts (4-byte elements, 16-byte aligned). */
export function arenaBytes(blocks: number[]): number {
  return blocks.reduce((sum, n) => sum + 16 * Math.ceil(n / 4), 0);
}

/** A linear memory of `bytes` bytes and the row multiply-add working on it. */
export function rowArena(bytes: number, kernel: RowKernel = 'auto'): RowArena {
  const mod = kernel === 'auto' ? kernelModule() : null;
  let buffer: ArrayBuffer, axpyRows: AxpyRows, simd: boolean;
  if (mod && wasmApi) {
    const memory = new wasmApi.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)) });
    const instance = new wasmApi.Instance(mod, { env: { memory } });
    [buffer, axpyRows, simd] = [memory.buffer, (instance.exports as { axpyRows: AxpyRows }).axpyRows, true];
  } else {
    buffer = new ArrayBuffer(bytes);
    const f32 = new Float32Array(buffer), i32 = new Int32Array(buffer);
    axpyRows = (out, w, cols, rows, count, scales, from, to) => {
      const o = out >> 2, wb = w >> 2, rb = rows >> 2, sb = scales >> 2, fb = from >> 2, tb = to >> 2;
      for (let j = 0; j < count; j++) {
        const r = i32[rb + j], s = f32[sb + r];
        if (s === 0) continue;
        const base = wb + r * cols, end = i32[tb + r];
        for (let c = i32[fb + r]; c < end; c++) f32[o + c] += s * f32[base + c];
      }
    };
    simd = false;
  }
  let at = 0;
  const take = <V extends Float32Array | Int32Array>(View: new (b: ArrayBuffer, at: number, n: number) => V, n: number): V => {
    if (at + 4 * n > bytes) throw new RangeError(`arena of ${bytes} bytes has no room for ${n} more elements`);
    const view = new View(buffer, at, n);
    at += 16 * Math.ceil(n / 4);
    return view;
  };
  return { buffer, axpyRows, simd, take };
}
