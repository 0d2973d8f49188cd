/**
 * Kernels that tfjs-wasm 4.22 runs slowly on the shapes of spinflow's training steps, replaced on the
 * wasm backend by loops in JS straight on its heap (the memory its tensors live in). Each fast path
 * takes only the case it was measured on and hands every other call to the original kernel.
 * Per call on one thread, fresh inputs, original → here (two runs each on the idle machine):
 *   BatchMatMul asking for transposeA/B   (every backward pass) an explicit transpose, then the plain
 *                                         XNNPACK product: 512×900 by 900×128 40 → 3.6 ms
 *   GatherV2 on axis 1 of [R, C]          (the NeuralRG layers' site permutations): [256, 256] 5.5 → 0.6–0.8 ms
 *   SplitV, Concat on axis 1 of [R, C]    (RealNVP's s and t, and their gradient): [16384, 8] → 2 × 4
 *                                         2.8–6.2 → 0.8–1.2 ms, 2 × [16384, 4] → [16384, 8] 3.2–5.3 → 1.4–2.4 ms
 *   Sum over the rows of [R, C]           (tfjs transposes first): [16384, 64] 5.9–6.3 → 4.1–4.2 ms; bias
 *                                         gradients keep their product with a row of ones (nn/gradients.ts)
 * A NeuralRG training step at paper scale (L = 16, depth 4, batch 256, idle machine, 2 threads):
 * 3.73 → 3.14 s with these paths.
 * The tests compare every path with the cpu backend, values and gradients.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The parts of tfjs-wasm's backend used here (version pinned in package.json). */
interface WasmBackend {
  disposeData(id: unknown): void;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /** A view of the tensor's memory; taken again after every makeOutput, which may grow the heap. */
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

interface KernelArgs {
  inputs: Record<string, tf.TensorInfo> | tf.TensorInfo[];
  attrs: Record<string, unknown>;
  backend: WasmBackend;
}

type KernelResult = tf.TensorInfo | tf.TensorInfo[];

let installed = false;

/** Replaces the slow wasm kernels once (the wasm backend must be registered). */
export function installWasmKernels(): void {
  if (installed) return;
  installed = true;
  override('BatchMatMul', untransposedMatMul);
  override('Sum', sumOverRows);
  override('GatherV2', gatherColumns);
  override('SplitV', splitColumns);
  override('Concat', concatColumns);
}

/** Wraps the wasm kernel `name`: `fast` returns its result, or null to run the original. */
function override(name: string, fast: (args: KernelArgs, original: tf.KernelFunc) => KernelResult | null): void {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) return;
  const original = kernel.kernelFunc;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...kernel, kernelFunc: (args) => fast(args as unknown as KernelArgs, original) ?? original(args) });
}

const heap = (backend: WasmBackend, t: tf.TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
const isMatrix = (t: tf.TensorInfo) => t.dtype === 'float32' && t.shape.length === 2;
const axisOf = (axis: unknown, shape: number[]) => tf.util.parseAxisParam(axis as number | number[], shape);

/** BatchMatMul with transposeA/B = a transpose in 32 × 32 tiles, then the untransposed product. */
function untransposedMatMul(args: KernelArgs, original: tf.KernelFunc): KernelResult | null {
  const { inputs, attrs, backend } = args as unknown as { inputs: { a: tf.TensorInfo; b: tf.TensorInfo }; attrs: { transposeA: boolean; transposeB: boolean }; backend: WasmBackend };
  if (!attrs.transposeA && !attrs.transposeB) return null;
  const transpose = tf.getKernel('Transpose', 'wasm');
  const flip = (t: tf.TensorInfo) => {
    const r = t.shape.length;
    if (t.dtype === 'float32' && t.shape.slice(0, r - 2).every((d) => d === 1)) return transposeMatrix(t, backend);
    const perm = [...Array(r).keys()];
    [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
    return transpose!.kernelFunc({ inputs: { x: t }, attrs: { perm }, backend } as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  };
  const a = attrs.transposeA ? flip(inputs.a) : inputs.a;
  const b = attrs.transposeB ? flip(inputs.b) : inputs.b;
  const out = original({ ...args, inputs: { a, b }, attrs: { ...attrs, transposeA: false, transposeB: false } } as unknown as Parameters<tf.KernelFunc>[0]);
  if (a !== inputs.a) backend.disposeData(a.dataId);
  if (b !== inputs.b) backend.disposeData(b.dataId);
  return out;
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
  const src = backend.typedArrayFromHeap(t) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
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

/** Σ over the rows of a float32 [R, C] (accumulated in float64), keepDims or not. */
function sumOverRows({ inputs, attrs, backend }: KernelArgs): KernelResult | null {
  const x = (inputs as Record<string, tf.TensorInfo>).x;
  if (!isMatrix(x)) return null;
  const axes = axisOf(attrs.axis, x.shape);
  if (axes.length !== 1 || axes[0] !== 0) return null;
  const [R, C] = x.shape;
  const out = backend.makeOutput(attrs.keepDims ? [1, C] : [C], 'float32');
  const src = heap(backend, x), acc = new Float64Array(C);
  for (let r = 0; r < R; r++) {
    const row = r * C;
    for (let c = 0; c < C; c++) acc[c] += src[row + c];
  }
  heap(backend, out).set(acc);
  return out;
}

/** Columns of a float32 [R, C] picked by int32 indices (all in range: else the original reports it). */
function gatherColumns({ inputs, attrs, backend }: KernelArgs): KernelResult | null {
  const { x, indices } = inputs as Record<string, tf.TensorInfo>;
  if (!isMatrix(x) || indices.dtype !== 'int32' || indices.shape.length !== 1 || ((attrs.batchDims as number) ?? 0) !== 0) return null;
  if (axisOf(attrs.axis, x.shape)[0] !== 1) return null;
  const [R, C] = x.shape, K = indices.shape[0];
  if ((backend.typedArrayFromHeap(indices) as Int32Array).some((i) => i < 0 || i >= C)) return null;
  const out = backend.makeOutput([R, K], 'float32');
  const src = heap(backend, x), dst = heap(backend, out), idx = backend.typedArrayFromHeap(indices) as Int32Array;
  for (let r = 0; r < R; r++) {
    const from = r * C, to = r * K;
    for (let k = 0; k < K; k++) dst[to + k] = src[from + idx[k]];
  }
  return out;
}

/** A float32 [R, C] split into column blocks. */
function splitColumns({ inputs, attrs, backend }: KernelArgs): KernelResult | null {
  const x = (inputs as Record<string, tf.TensorInfo>).x;
  if (!isMatrix(x) || axisOf(attrs.axis, x.shape)[0] !== 1) return null;
  const [R, C] = x.shape;
  const widths = tf.backend_util.prepareSplitSize(x, attrs.numOrSizeSplits as number | number[], 1);
  const outs = widths.map((w) => backend.makeOutput([R, w], 'float32'));
  const src = heap(backend, x);
  let c0 = 0;
  outs.forEach((out, k) => {
    const w = widths[k], dst = heap(backend, out);
    for (let r = 0; r < R; r++) {
      const from = r * C + c0, to = r * w;
      for (let j = 0; j < w; j++) dst[to + j] = src[from + j];
    }
    c0 += w;
  });
  return outs;
}

/** float32 [R, C_k] joined along the columns. */
function concatColumns({ inputs, attrs, backend }: KernelArgs): KernelResult | null {
  const xs = inputs as tf.TensorInfo[];
  if (!Array.isArray(xs) || xs.length === 0 || xs.some((t) => !isMatrix(t) || t.shape[0] !== xs[0].shape[0])) return null;
  if (axisOf(attrs.axis, xs[0].shape)[0] !== 1) return null;
  const R = xs[0].shape[0], C = xs.reduce((s, t) => s + t.shape[1], 0);
  const out = backend.makeOutput([R, C], 'float32');
  const dst = heap(backend, out);
  let c0 = 0;
  for (const t of xs) {
    const w = t.shape[1], src = heap(backend, t);
    for (let r = 0; r < R; r++) {
      const from = r * w, to = r * C + c0;
      for (let j = 0; j < w; j++) dst[to + j] = src[from + j];
    }
    c0 += w;
  }
  return out;
}
