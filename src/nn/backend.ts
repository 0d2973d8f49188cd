/**
 * The one place that chooses and starts the TensorFlow.js backend.
 *
 *   wasm        XNNPACK through WebAssembly SIMD: the CPU default
 *   cpu         plain JavaScript kernels: slow, always there
 *   webgpu      GPUs, through the optional npm package `webgpu` (Dawn) in Node, natively in browsers
 *   tensorflow  @tensorflow/tfjs-node when the user has it (it cannot install from npm alone)
 *
 * Starting a backend also registers spinflow's gradients (nn/gradients.ts) and, on wasm, routes
 * transposed matrix products through an explicit transpose: tfjs-wasm runs a MatMul that asks for
 * transposeA/B at ≈ 3 GFLOP/s against ≈ 32 for the plain XNNPACK kernel (512×900 by 900×128:
 * 40 ms against 3.6), and every backward pass asks for one.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerGradients } from './gradients.js';
import { InputError } from '../errors.js';

export const BACKENDS = ['wasm', 'cpu', 'webgpu', 'tensorflow'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface BackendInfo {
  name: BackendName;
  /** How the backend was chosen or what it runs on, for reports. */
  detail: string;
}

let current: BackendInfo | null = null;

async function load(name: BackendName): Promise<string> {
  switch (name) {
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      return 'JavaScript kernels';
    case 'wasm': {
      await import('@tensorflow/tfjs-backend-wasm');
      return 'WebAssembly SIMD (XNNPACK), 1 thread';
    }
    case 'webgpu': {
      const g = globalThis as unknown as { navigator?: { gpu?: unknown } };
      if (!g.navigator?.gpu) {
        let dawn: { create: (flags: string[]) => unknown; globals: Record<string, unknown> };
        try {
          dawn = (await import('webgpu' as string)) as typeof dawn;
        } catch {
          throw new InputError('--backend webgpu needs the optional package `webgpu` (npm install webgpu), or a browser with WebGPU');
        }
        Object.assign(globalThis, dawn.globals);
        Object.defineProperty(globalThis, 'navigator', { value: { ...(g.navigator ?? {}), gpu: dawn.create([]) }, configurable: true });
      }
      await import('@tensorflow/tfjs-backend-webgpu');
      return 'WebGPU';
    }
    case 'tensorflow':
      try {
        await import('@tensorflow/tfjs-node' as string);
      } catch {
        throw new InputError('--backend tensorflow needs @tensorflow/tfjs-node, which is not installed (its install downloads libtensorflow)');
      }
      return 'libtensorflow (tfjs-node)';
  }
}

/**
 * Starts `requested` (or, with 'auto', the fastest that works: webgpu when a GPU answers, else
 * wasm, else cpu) and returns what runs. Asking for a backend that cannot start is an InputError.
 */
export async function initBackend(requested: BackendName | 'auto' = 'auto'): Promise<BackendInfo> {
  if (requested !== 'auto' && !(BACKENDS as readonly string[]).includes(requested)) {
    throw new InputError(`--backend ${requested} is unknown: allowed are auto, ${BACKENDS.join(', ')}`);
  }
  if (current && (requested === 'auto' || requested === current.name)) return current;
  registerGradients();
  const candidates: BackendName[] = requested === 'auto' ? ['webgpu', 'wasm', 'cpu'] : [requested];
  let lastError = '';
  for (const name of candidates) {
    try {
      const detail = await load(name);
      if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') failed`);
      await tf.ready();
      if (name === 'wasm') untransposeMatMul();
      current = { name, detail: requested === 'auto' ? `${detail} (auto)` : detail };
      return current;
    } catch (e) {
      lastError = (e as Error).message;
      if (requested !== 'auto') throw e instanceof InputError ? e : new InputError(`--backend ${name} could not start: ${lastError}`);
    }
  }
  throw new Error(`no TensorFlow.js backend could start (last error: ${lastError})`);
}

export function backendInfo(): BackendInfo | null {
  return current;
}

/** The parts of tfjs-wasm's backend used here (version pinned in package.json). */
interface WasmBackend {
  disposeData(id: unknown): void;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/**
 * A float32 matrix transposed in 32 × 32 tiles, straight in the wasm heap: tfjs-wasm's generic
 * Transpose kernel took 7.6 ms for 512 × 900 (16 ns per element), this about 1.
 */
function transposeMatrix(t: tf.TensorInfo, backend: WasmBackend): tf.TensorInfo {
  const r = t.shape.length;
  const rows = t.shape[r - 2], cols = t.shape[r - 1];
  const shape = t.shape.slice();
  shape[r - 2] = cols;
  shape[r - 1] = rows;
  const out = backend.makeOutput(shape, 'float32');
  const src = backend.typedArrayFromHeap(t);
  const dst = backend.typedArrayFromHeap(out);
  const B = 32;
  for (let i0 = 0; i0 < rows; i0 += B) {
    const i1 = Math.min(rows, i0 + B);
    for (let j0 = 0; j0 < cols; j0 += B) {
      const j1 = Math.min(cols, j0 + B);
      for (let i = i0; i < i1; i++) {
        const row = i * cols;
        for (let j = j0; j < j1; j++) dst[j * rows + i] = src[row + j];
      }
    }
  }
  return out;
}

let untransposed = false;

/** On wasm: BatchMatMul with transposeA/B = explicit Transpose kernel + untransposed product. */
function untransposeMatMul(): void {
  if (untransposed) return;
  untransposed = true;
  const original = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!original || !transpose) return;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      const { inputs, attrs, backend } = args as unknown as { inputs: { a: tf.TensorInfo; b: tf.TensorInfo }; attrs: { transposeA: boolean; transposeB: boolean }; backend: WasmBackend };
      if (!attrs.transposeA && !attrs.transposeB) return original.kernelFunc(args);
      const flip = (t: tf.TensorInfo) => {
        const r = t.shape.length;
        if (t.dtype === 'float32' && t.shape.slice(0, r - 2).every((d) => d === 1)) return transposeMatrix(t, backend);
        const perm = [...Array(r).keys()];
        [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
        return transpose.kernelFunc({ inputs: { x: t }, attrs: { perm }, backend } as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
      };
      const a = attrs.transposeA ? flip(inputs.a) : inputs.a;
      const b = attrs.transposeB ? flip(inputs.b) : inputs.b;
      const out = original.kernelFunc({ ...args, inputs: { a, b }, attrs: { ...attrs, transposeA: false, transposeB: false } } as unknown as Parameters<tf.KernelFunc>[0]);
      if (a !== inputs.a) backend.disposeData(a.dataId);
      if (b !== inputs.b) backend.disposeData(b.dataId);
      return out;
    },
  });
}
