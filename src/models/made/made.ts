/**
 * MADE, the masked autoencoder for distribution estimation (Germain, Gregor, Murray & Larochelle
 * 2015), as used by Wang, Jiang & Zhou to learn H_θ(s) = −T log p_θ(s) from configurations: a fully
 * connected network whose weight masks make output i depend only on the sites before i in a chosen
 * order, so p_θ(s) = Π_i p_θ(s_i | s_<i) is normalized by construction.
 *
 * Sites take K values: K = 2 are spins (one input bit, one Bernoulli logit per site); K > 2 are
 * categories (2 × 2 block sums S ∈ {−4, −2, 0, 2, 4}: one-hot inputs and a softmax per site).
 * Degrees: input and output of the site at position d of the order have degree d = 1 … N; hidden
 * unit k of a layer of width H has degree 1 + ⌊k (N − 1) / H⌋, spread evenly over 1 … N − 1. A
 * hidden unit sees inputs of degree ≤ its own, the next layer sees units of degree ≤ its own, and
 * output d sees the last hidden layer's units of degree < d (and, with `direct`, inputs of degree < d).
 *
 * Glossary: B batch, N sites, K values per site, C = 1 (K = 2) or K channels per site,
 * D = N·C input and output width, H_l hidden widths.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../sampling/rng.js';
import { readBytes, writeFileAtomicSync } from '../../io/files.js';
import { decodeSafetensors, encodeSafetensors, type NamedArray } from '../../nn/safetensors.js';
import { binaryCrossEntropyWithLogits } from '../../nn/ops.js';
import type { ModelProposal } from '../../sampling/neural-mh.js';
import { MadeState, madeTables } from './incremental.js';

export interface MadeSpec {
  sites: number;
  /** Values per site: 2 for spins, K > 2 for categories. */
  categories: number;
  hidden: number[];
  /** order[d] is the site at position d (a permutation of 0 … N−1). */
  order: number[];
  /** Direct input → output connections (Germain et al.'s option; the paper's network has none). */
  direct: boolean;
}

export interface Made {
  spec: MadeSpec;
  params: Record<string, tf.Variable>;
  /** One 0/1 mask per weight matrix, same names with a `mask_` prefix. */
  masks: Record<string, tf.Tensor2D>;
}

export const channels = (K: number) => (K === 2 ? 1 : K);

/** The masks of a spec: name → Float32Array [rows, cols] with its shape. */
function buildMasks(spec: MadeSpec): Record<string, { data: Float32Array; shape: [number, number] }> {
  const { sites: N, categories: K, hidden, order } = spec;
  const C = channels(K);
  const position = new Int32Array(N);
  order.forEach((site, d) => (position[site] = d + 1));
  const inputDegree = Int32Array.from({ length: N * C }, (_, u) => position[Math.floor(u / C)]);
  let prev = inputDegree;
  const masks: Record<string, { data: Float32Array; shape: [number, number] }> = {};
  hidden.forEach((H, l) => {
    const deg = Int32Array.from({ length: H }, (_, k) => 1 + Math.floor((k * Math.max(1, N - 1)) / H));
    const m = new Float32Array(prev.length * H);
    for (let a = 0; a < prev.length; a++) for (let k = 0; k < H; k++) m[a * H + k] = deg[k] >= prev[a] ? 1 : 0;
    masks[`W${l}`] = { data: m, shape: [prev.length, H] };
    prev = deg;
  });
  const out = new Float32Array(prev.length * N * C);
  for (let a = 0; a < prev.length; a++) for (let u = 0; u < N * C; u++) out[a * N * C + u] = prev[a] < inputDegree[u] ? 1 : 0;
  masks.Wout = { data: out, shape: [prev.length, N * C] };
  if (spec.direct) {
    const d = new Float32Array(N * C * N * C);
    for (let a = 0; a < N * C; a++) for (let u = 0; u < N * C; u++) d[a * N * C + u] = inputDegree[a] < inputDegree[u] ? 1 : 0;
    masks.Wdirect = { data: d, shape: [N * C, N * C] };
  }
  return masks;
}

function checkSpec(spec: MadeSpec): void {
  const { sites: N, categories: K, hidden, order } = spec;
  if (!Number.isInteger(N) || N < 2) throw new RangeError(`MADE sites = ${N}: expected an integer ≥ 2`);
  if (!Number.isInteger(K) || K < 2) throw new RangeError(`MADE categories = ${K}: expected an integer ≥ 2`);
  if (hidden.length === 0 || hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new RangeError(`MADE hidden = ${hidden.join(',')}: expected one or more integer widths ≥ 1`);
  if (order.length !== N || new Set(order).size !== N || order.some((s) => !Number.isInteger(s) || s < 0 || s >= N)) throw new RangeError(`MADE order is not a permutation of 0 … ${N - 1}`);
}

/** Makes variable names unique in the process (tfjs refuses a name twice). */
let madesCreated = 0;

/** Glorot-uniform weights (masked afterwards in the forward pass), zero biases. */
export function createMade(spec: MadeSpec, rng: Rng): Made {
  checkSpec(spec);
  const id = ++madesCreated;
  const masks = buildMasks(spec);
  const params: Record<string, tf.Variable> = {};
  for (const [name, m] of Object.entries(masks)) {
    const [rows, cols] = m.shape;
    const limit = Math.sqrt(6 / (rows + cols));
    params[name] = tf.variable(tf.tensor2d(Float32Array.from({ length: rows * cols }, () => (2 * rng.uniform() - 1) * limit), [rows, cols]), true, `made${id}_${name}`);
    const bias = name === 'Wdirect' ? null : name === 'Wout' ? 'bout' : `b${name.slice(1)}`;
    if (bias) params[bias] = tf.variable(tf.zeros([cols]), true, `made${id}_${bias}`);
  }
  return { spec, params, masks: Object.fromEntries(Object.entries(masks).map(([k, m]) => [k, tf.tensor2d(m.data, m.shape)])) };
}

/** Network inputs from site values (bits for K = 2, category indices 0 … K−1 otherwise): [B, N] → [B, D]. */
export function encode(made: Made, values: ArrayLike<number>, batch: number): tf.Tensor2D {
  const x = encodeRows(made, values, batch);
  return tf.tensor2d(x, [batch, x.length / batch]);
}

/** `encode`'s rows as a plain [batch · D] array (training batches are copied from it). */
export function encodeRows(made: Made, values: ArrayLike<number>, batch: number): Float32Array {
  const { sites: N, categories: K } = made.spec;
  if (K === 2) return Float32Array.from(values);
  const x = new Float32Array(batch * N * K);
  for (let r = 0; r < batch * N; r++) x[r * K + values[r]] = 1;
  return x;
}

/** Output logits: [B, D] → [B, D] (one Bernoulli logit per site, or K logits per site). */
export function madeLogits(made: Made, x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const { params, masks, spec } = made;
    let h: tf.Tensor2D = x;
    spec.hidden.forEach((_, l) => {
      h = tf.relu(tf.add(tf.matMul(h, tf.mul(params[`W${l}`], masks[`W${l}`]) as tf.Tensor2D), params[`b${l}`])) as tf.Tensor2D; // [B, H_l]
    });
    let out = tf.add(tf.matMul(h, tf.mul(params.Wout, masks.Wout) as tf.Tensor2D), params.bout) as tf.Tensor2D;              // [B, D]
    if (spec.direct) out = tf.add(out, tf.matMul(x, tf.mul(params.Wdirect, masks.Wdirect) as tf.Tensor2D)) as tf.Tensor2D;
    return out;
  });
}

/** log p_θ(s) per row: [B, D] → [B]. */
export function madeLogProb(made: Made, x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const { sites: N, categories: K } = made.spec;
    const z = madeLogits(made, x);
    if (K === 2) return tf.neg(tf.sum(binaryCrossEntropyWithLogits(z, x), 1)) as tf.Tensor1D;
    const logp = tf.logSoftmax(tf.reshape(z, [-1, N, K]));                    // [B, N, K]
    return tf.sum(tf.mul(logp, tf.reshape(x, [-1, N, K])), [1, 2]) as tf.Tensor1D;
  });
}

/** log p_θ of many configurations given as site values, in batches. */
export function logProbOf(made: Made, values: ArrayLike<number>, n: number, batch = 1024): Float64Array {
  const N = made.spec.sites;
  const out = new Float64Array(n);
  for (let k = 0; k < n; k += batch) {
    const m = Math.min(batch, n - k);
    const lp = tf.tidy(() => madeLogProb(made, encode(made, Array.prototype.slice.call(values, k * N, (k + m) * N) as number[], m)));
    out.set(lp.dataSync(), k);
    lp.dispose();
  }
  return out;
}

/**
 * n exact samples from p_θ (site values [n, N]) and their log p_θ, row r drawn with `rngs[r]`: one
 * forward pass per sample on the CPU, every hidden unit computed once the sites it sees are drawn
 * (incremental.ts), instead of one batched pass per site.
 */
export function sampleMade(made: Made, n: number, rngs: Rng[]): { values: Int32Array; logProb: Float64Array } {
  const N = made.spec.sites;
  const state = new MadeState(madeTables(made));
  const values = new Int32Array(n * N);
  const logProb = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    logProb[r] = state.sample(rngs[r]);
    state.read(values, r * N);
  }
  return { values, logProb };
}

export function saveMade(path: string, made: Made): void {
  const arrays: Record<string, NamedArray> = {};
  for (const [name, v] of Object.entries(made.params)) arrays[name] = { dtype: 'F32', shape: v.shape, data: Float32Array.from(v.dataSync() as Float32Array) };
  writeFileAtomicSync(path, encodeSafetensors(arrays, { model: 'made', spec: JSON.stringify(made.spec) }));
}

export function loadMade(path: string): Made {
  return madeFromBytes(readBytes(path), path);
}

/** A MADE from the bytes of its safetensors file; `path` is used in errors. */
export function madeFromBytes(bytes: Uint8Array, path = 'the file'): Made {
  const { arrays, metadata } = decodeSafetensors(bytes);
  if (metadata.model !== 'made') throw new Error(`${path} holds a ${metadata.model ?? 'unknown'} model, not a MADE`);
  const spec = JSON.parse(metadata.spec) as MadeSpec;
  const made = createMade(spec, Rng.stream(0, 0));
  for (const [name, v] of Object.entries(made.params)) {
    const a = arrays[name];
    if (!a || a.data.length !== v.size) throw new Error(`${path}: parameter ${name} is missing or has the wrong size`);
    v.assign(tf.tensor(Float32Array.from(a.data), v.shape));
  }
  return made;
}

export function disposeMade(made: Made): void {
  tf.dispose([...Object.values(made.params), ...Object.values(made.masks)]);
}

/**
 * A spin MADE as an independence proposal for sampling/neural-mh.ts: fresh exact samples from p_θ
 * whatever the current state, with F = −log p_θ.
 */
export function madeProposal(made: Made): ModelProposal {
  if (made.spec.categories !== 2) throw new RangeError('a MADE proposal for Ising spins needs a spin MADE (2 categories)');
  return {
    propose(_current, next, chains, rngs) {
      next.set(sampleMade(made, chains, rngs).values);
    },
    freeEnergy(states, chains) {
      return logProbOf(made, states, chains).map((x) => -x);
    },
  };
}
