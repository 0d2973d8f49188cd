/**
 * The NeuralRG flow (Li & Wang, Figs. 1, 2c–d): a MERA-like hierarchy of bijector blocks on the
 * L × L lattice, L = 2^k. At level n the active variables sit on the sublattice of spacing d = 2^n.
 * Read in the renormalization direction (physical x → latent z), level n first applies a
 * disentangler to the 2 × 2 patches of active variables shifted by d, then a decimator to the
 * unshifted patches; the decimator keeps one of its four outputs active for level n + 1 and the
 * other three become latent variables. All blocks of one layer share their weights. The generator
 * g: z → x runs the same blocks backwards, from the coarsest level down, and
 *   ln q(x) = ln N(z; 0, 1) − ln|det ∂x/∂z|,  z = g⁻¹(x).
 * The Z2-symmetrized density (their App. D) is q_sym(x) = ½ [q(x) + q(−x)]; a sample is η g(z) with a
 * random sign η.
 *
 * Glossary: B batch, N = L² sites, P patches of a layer, depth levels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../sampling/rng.js';
import { readBytes, writeFileAtomicSync } from '../../io/files.js';
import { decodeSafetensors, encodeSafetensors, type NamedArray } from '../../nn/safetensors.js';
import { logSumExp } from '../../nn/ops.js';
import { blockGenerate, blockInfer, createBlock, type Block, type BlockSpec } from './realnvp.js';

export interface FlowSpec {
  L: number;
  /** Levels of disentangler + decimator, 1 … log₂ L. */
  depth: number;
  block: BlockSpec;
  /** Use q_sym(x) = ½ [q(x) + q(−x)]. */
  symmetric: boolean;
}

export interface Layer {
  kind: 'disentangler' | 'decimator';
  level: number;
  block: Block;
  /** Site indices of the patches, [P·4] (patch-major, corners in the order (0,0), (d,0), (0,d), (d,d)). */
  sites: Int32Array;
  /** Permutation putting the patch sites first, and its inverse. */
  order: Int32Array;
  inverse: Int32Array;
}

export interface Flow {
  spec: FlowSpec;
  /** Layers in the renormalization order (level 0 disentangler first). */
  layers: Layer[];
}

function checkSpec(spec: FlowSpec): void {
  const { L, depth } = spec;
  const levels = Math.log2(L);
  if (!Number.isInteger(L) || L < 2 || !Number.isInteger(levels)) throw new RangeError(`L = ${L} is not allowed: the hierarchy needs L = 2^k ≥ 2`);
  if (!Number.isInteger(depth) || depth < 1 || depth > levels) throw new RangeError(`depth = ${depth} is not allowed for L = ${L}: expected 1 … ${levels}`);
}

/** Sites of the 2 × 2 patches of spacing d whose corners are offset by `offset` and 2d apart. */
function patchSites(L: number, d: number, offset: number): Int32Array {
  const out: number[] = [];
  for (let y0 = offset; y0 < L + offset; y0 += 2 * d) {
    for (let x0 = offset; x0 < L + offset; x0 += 2 * d) {
      for (const [dx, dy] of [[0, 0], [d, 0], [0, d], [d, d]]) out.push(((y0 + dy) % L) * L + ((x0 + dx) % L));
    }
  }
  return Int32Array.from(out);
}

function layer(kind: Layer['kind'], level: number, L: number, block: Block): Layer {
  const d = 2 ** level;
  const sites = patchSites(L, d, kind === 'disentangler' ? d % L : 0);
  const inPatch = new Set(sites);
  if (inPatch.size !== sites.length) throw new Error(`${kind} at level ${level}: patches overlap`);
  const order = Int32Array.from([...sites, ...Array.from({ length: L * L }, (_, i) => i).filter((i) => !inPatch.has(i))]);
  const inverse = new Int32Array(order.length);
  order.forEach((site, k) => (inverse[site] = k));
  return { kind, level, block, sites, order, inverse };
}

/** Makes variable names unique in the process (tfjs refuses a name twice). */
let flowsCreated = 0;

export function createFlow(spec: FlowSpec, rng: Rng): Flow {
  checkSpec(spec);
  const id = ++flowsCreated;
  const layers: Layer[] = [];
  for (let n = 0; n < spec.depth; n++) {
    // at the last level of side 2 the shifted patches are the same four sites: no disentangler there
    if (2 ** (n + 1) < spec.L) layers.push(layer('disentangler', n, spec.L, createBlock(spec.block, rng, `flow${id}_dis${n}`)));
    layers.push(layer('decimator', n, spec.L, createBlock(spec.block, rng, `flow${id}_dec${n}`)));
  }
  return { spec, layers };
}

/** One layer applied to x: [B, N] in the given direction, with its log-det per row. */
function applyLayer(ly: Layer, x: tf.Tensor2D, direction: 'generate' | 'infer'): { y: tf.Tensor2D; logDet: tf.Tensor1D } {
  return tf.tidy(() => {
    const B = x.shape[0], P4 = ly.sites.length;
    const permuted = tf.gather(x, tf.tensor1d(ly.order, 'int32'), 1) as tf.Tensor2D;   // [B, N]
    const patches = tf.reshape(tf.slice(permuted, [0, 0], [B, P4]), [-1, 4]) as tf.Tensor2D; // [B·P, 4]
    const { y, logDet } = direction === 'generate' ? blockGenerate(ly.block, patches) : blockInfer(ly.block, patches);
    const rest = tf.slice(permuted, [0, P4], [B, x.shape[1] - P4]);
    const joined = tf.concat([tf.reshape(y, [B, P4]), rest], 1);
    return {
      y: tf.gather(joined, tf.tensor1d(ly.inverse, 'int32'), 1) as tf.Tensor2D,
      logDet: tf.sum(tf.reshape(logDet, [B, P4 / 4]), 1) as tf.Tensor1D,
    };
  });
}

/** x = g(z) and ln|det ∂x/∂z|: [B, N] → [B, N], [B]. */
export function generate(flow: Flow, z: tf.Tensor2D): { x: tf.Tensor2D; logDet: tf.Tensor1D } {
  return tf.tidy(() => {
    let x = z;
    let logDet = tf.zeros([z.shape[0]]) as tf.Tensor1D;
    for (let k = flow.layers.length - 1; k >= 0; k--) {
      const r = applyLayer(flow.layers[k], x, 'generate');
      x = r.y;
      logDet = tf.add(logDet, r.logDet) as tf.Tensor1D;
    }
    return { x, logDet };
  });
}

/** z = g⁻¹(x) and ln|det ∂z/∂x|. */
export function infer(flow: Flow, x: tf.Tensor2D): { z: tf.Tensor2D; logDet: tf.Tensor1D } {
  return tf.tidy(() => {
    let z = x;
    let logDet = tf.zeros([x.shape[0]]) as tf.Tensor1D;
    for (const ly of flow.layers) {
      const r = applyLayer(ly, z, 'infer');
      z = r.y;
      logDet = tf.add(logDet, r.logDet) as tf.Tensor1D;
    }
    return { z, logDet };
  });
}

/** ln N(z; 0, 1) per row. */
export function logPrior(z: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sub(tf.mul(-0.5, tf.sum(tf.square(z), 1)), (z.shape[1] / 2) * Math.log(2 * Math.PI)) as tf.Tensor1D);
}

/** ln q(x) of the flow (not symmetrized). */
export function logProbabilityPlain(flow: Flow, x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const { z, logDet } = infer(flow, x);
    return tf.add(logPrior(z), logDet) as tf.Tensor1D;
  });
}

/** ln q(x), or ln q_sym(x) = ln ½ [q(x) + q(−x)] when the spec asks for the symmetrized density. */
export function logProbability(flow: Flow, x: tf.Tensor2D): tf.Tensor1D {
  if (!flow.spec.symmetric) return logProbabilityPlain(flow, x);
  return tf.tidy(() => symmetrized(logProbabilityPlain(flow, x), logProbabilityPlain(flow, tf.neg(x) as tf.Tensor2D)));
}

/** ln q_sym(x) = ln ½ [q(x) + q(−x)] from ln q(x) and ln q(−x), each [B]. */
function symmetrized(logqX: tf.Tensor1D, logqMinusX: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => tf.sub(logSumExp(tf.stack([logqX, logqMinusX], 1), 1), Math.LN2) as tf.Tensor1D); // [B, 2] → [B]
}

/**
 * ln q(x), or ln q_sym(x), of x = g(z) from its own generation: ln q(x) = ln N(z; 0, 1) − ln|det ∂x/∂z|
 * needs no inference pass, so q_sym costs one (of −x) instead of two. This is the training loss's
 * density: a NeuralRG step at paper scale (L = 16, depth 4, idle machine) takes 2.43 s, 3.14 with two passes.
 */
export function logProbabilityGenerated(flow: Flow, z: tf.Tensor2D, x: tf.Tensor2D, logDet: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const plain = tf.sub(logPrior(z), logDet) as tf.Tensor1D;
    return flow.spec.symmetric ? symmetrized(plain, logProbabilityPlain(flow, tf.neg(x) as tf.Tensor2D)) : plain;
  });
}

/**
 * n samples x (with their latent z and sign η) and ln q(x): z ~ N(0, 1) and η = ±1 from `rng`, so
 * sampling is reproducible; with a symmetric spec x = η g(z), otherwise x = g(z).
 */
export function sampleFlow(flow: Flow, n: number, rng: Rng): { x: tf.Tensor2D; z: tf.Tensor2D; logq: tf.Tensor1D } {
  const N = flow.spec.L ** 2;
  const z = tf.tensor2d(Float32Array.from({ length: n * N }, () => rng.normal()), [n, N]);
  const eta = tf.tensor2d(Float32Array.from({ length: n }, () => (flow.spec.symmetric && rng.uniform() < 0.5 ? -1 : 1)), [n, 1]);
  const out = tf.tidy(() => {
    const { x, logDet } = generate(flow, z);
    // q_sym(−x) = q_sym(x): the sign does not change the density
    return { x: tf.mul(x, eta) as tf.Tensor2D, logq: logProbabilityGenerated(flow, z, x, logDet) };
  });
  eta.dispose();
  return { x: out.x, z, logq: out.logq };
}

export function flowParams(flow: Flow): Record<string, tf.Variable> {
  const out: Record<string, tf.Variable> = {};
  flow.layers.forEach((ly, k) => {
    for (const [name, v] of Object.entries(ly.block.params)) out[`layer${k}.${name}`] = v;
  });
  return out;
}

export function saveFlow(path: string, flow: Flow): void {
  const arrays: Record<string, NamedArray> = {};
  for (const [name, v] of Object.entries(flowParams(flow))) arrays[name] = { dtype: 'F32', shape: v.shape, data: Float32Array.from(v.dataSync() as Float32Array) };
  writeFileAtomicSync(path, encodeSafetensors(arrays, { model: 'neuralrg-flow', spec: JSON.stringify(flow.spec) }));
}

export function loadFlow(path: string): Flow {
  return flowFromBytes(readBytes(path), path);
}

/** A flow from the bytes of its safetensors file; `path` is used in errors. */
export function flowFromBytes(bytes: Uint8Array, path = 'the file'): Flow {
  const { arrays, metadata } = decodeSafetensors(bytes);
  if (metadata.model !== 'neuralrg-flow') throw new Error(`${path} holds a ${metadata.model ?? 'unknown'} model, not a NeuralRG flow`);
  const flow = createFlow(JSON.parse(metadata.spec) as FlowSpec, Rng.stream(0, 0));
  for (const [name, v] of Object.entries(flowParams(flow))) {
    const a = arrays[name];
    if (!a || a.data.length !== v.size) throw new Error(`${path}: parameter ${name} is missing or has the wrong size`);
    v.assign(tf.tensor(Float32Array.from(a.data), v.shape));
  }
  return flow;
}

export function disposeFlow(flow: Flow): void {
  tf.dispose(Object.values(flowParams(flow)));
}
