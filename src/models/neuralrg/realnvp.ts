/**
 * The NeuralRG bijector block (Li & Wang, App. B): a bijection of 4 variables (a 2 × 2 patch) made of
 * RealNVP coupling layers. In the generation direction (latent → physical) a layer with mask m keeps
 * the variables where m = 1 and updates the others,
 *   x = m ⊙ z + (1 − m) ⊙ (z ⊙ e^{s(m ⊙ z)} + t(m ⊙ z)),   ln|det ∂x/∂z| = Σ_{m_i = 0} s_i,
 * with s and t from one multilayer perceptron 4 → H (ELU) → 8 per layer (the paper has two of them;
 * sharing the hidden layer halves the number of small kernels, which dominate the time here), s
 * ending in tanh times a learnable scale, t linear.
 * Layers cycle through the six ways of updating two of the four variables, so every variable is
 * updated and every pair conditions every other.
 *
 * Glossary: B rows (batch × patches), 4 variables per patch, H hidden units, C coupling layers.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../../sampling/rng.js';

export interface BlockSpec {
  couplings: number;
  hidden: number;
}

export interface Block {
  spec: BlockSpec;
  /** Per coupling layer c: W1_c [4, H], b1_c [H], W2_c [H, 8] (s then t), b2_c [8], scale_c [4]. */
  params: Record<string, tf.Variable>;
}

const MASKS = [[1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 0, 1], [0, 1, 1, 0]];

export function createBlock(spec: BlockSpec, rng: Rng, name: string): Block {
  if (!Number.isInteger(spec.couplings) || spec.couplings < 1) throw new RangeError(`couplings = ${spec.couplings}: expected an integer ≥ 1`);
  if (!Number.isInteger(spec.hidden) || spec.hidden < 1) throw new RangeError(`hidden = ${spec.hidden}: expected an integer ≥ 1`);
  const H = spec.hidden;
  const params: Record<string, tf.Variable> = {};
  const dense = (rows: number, cols: number, scale: number) => tf.tensor2d(Float32Array.from({ length: rows * cols }, () => scale * rng.normal()), [rows, cols]);
  for (let c = 0; c < spec.couplings; c++) {
    params[`W1_${c}`] = tf.variable(dense(4, H, 1 / Math.sqrt(4)), true, `${name}_W1_${c}`);
    params[`b1_${c}`] = tf.variable(tf.zeros([H]), true, `${name}_b1_${c}`);
    // small last layer: the block starts near the identity
    params[`W2_${c}`] = tf.variable(dense(H, 8, 0.01 / Math.sqrt(H)), true, `${name}_W2_${c}`);
    params[`b2_${c}`] = tf.variable(tf.zeros([8]), true, `${name}_b2_${c}`);
    params[`scale_${c}`] = tf.variable(tf.ones([4]), true, `${name}_scale_${c}`);
  }
  return { spec, params };
}

/** s and t of coupling layer c for the kept variables m ⊙ y: [B, 4] → two [B, 4], zero where m = 1. */
function scaleShift(block: Block, c: number, kept: tf.Tensor2D, free: tf.Tensor1D): { s: tf.Tensor2D; t: tf.Tensor2D } {
  const p = block.params;
  const h = tf.elu(tf.add(tf.matMul(kept, p[`W1_${c}`] as tf.Tensor2D), p[`b1_${c}`])) as tf.Tensor2D;  // [B, H]
  const out = tf.add(tf.matMul(h, p[`W2_${c}`] as tf.Tensor2D), p[`b2_${c}`]) as tf.Tensor2D;          // [B, 8]
  const [rawS, rawT] = tf.split(out, 2, 1) as [tf.Tensor2D, tf.Tensor2D];                              // [B, 4] each
  const s = tf.mul(tf.mul(tf.tanh(rawS), p[`scale_${c}`]), free) as tf.Tensor2D;
  const t = tf.mul(rawT, free) as tf.Tensor2D;
  return { s, t };
}

/** Generation direction z → x with ln|det ∂x/∂z| per row. */
export function blockGenerate(block: Block, z: tf.Tensor2D): { y: tf.Tensor2D; logDet: tf.Tensor1D } {
  return tf.tidy(() => {
    let y = z;
    let logDet = tf.zeros([z.shape[0]]) as tf.Tensor1D;
    for (let c = 0; c < block.spec.couplings; c++) {
      const m = tf.tensor1d(MASKS[c % MASKS.length]), free = tf.sub(1, m) as tf.Tensor1D;
      const kept = tf.mul(y, m) as tf.Tensor2D;
      const { s, t } = scaleShift(block, c, kept, free);
      y = tf.add(kept, tf.mul(free, tf.add(tf.mul(y, tf.exp(s)), t))) as tf.Tensor2D;
      logDet = tf.add(logDet, tf.sum(s, 1)) as tf.Tensor1D;
    }
    return { y, logDet };
  });
}

/** Inference direction x → z with ln|det ∂z/∂x| per row (minus the generation log-det). */
export function blockInfer(block: Block, x: tf.Tensor2D): { y: tf.Tensor2D; logDet: tf.Tensor1D } {
  return tf.tidy(() => {
    let y = x;
    let logDet = tf.zeros([x.shape[0]]) as tf.Tensor1D;
    for (let c = block.spec.couplings - 1; c >= 0; c--) {
      const m = tf.tensor1d(MASKS[c % MASKS.length]), free = tf.sub(1, m) as tf.Tensor1D;
      const kept = tf.mul(y, m) as tf.Tensor2D;
      const { s, t } = scaleShift(block, c, kept, free);
      y = tf.add(kept, tf.mul(free, tf.mul(tf.sub(y, t), tf.exp(tf.neg(s))))) as tf.Tensor2D;
      logDet = tf.sub(logDet, tf.sum(s, 1)) as tf.Tensor1D;
    }
    return { y, logDet };
  });
}
