/**
 * Phase classifiers for the conserved-magnetization study (Azizi & Pleimling, Sec. "CNN"):
 *   cnn    periodic conv 3×3 (c₁) → ReLU → 2×2 average pool → periodic conv 3×3 (c₂) → ReLU →
 *          global average pool → dense → 2 logits {disordered, ordered}
 *   dense  the control the paper argues fails at M0 = 0: N → 64 (ReLU) → 2 logits
 * The paper gives "two blocks of convolution and pooling, then a dense layer with softmax"; the
 * second pooling is global here, so one network shape fits every L (30/2 = 15 is odd).
 *
 * Glossary: B batch, L side, N = L², c₁/c₂ channels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { periodicConv2d } from '../../nn/conv.js';
import { logSumExp } from '../../nn/ops.js';
import { loadTensors, saveTensors } from '../../nn/safetensors.js';
import type { Rng } from '../../sampling/rng.js';

export type Architecture = 'cnn' | 'dense';

export interface ClassifierSpec {
  architecture: Architecture;
  L: number;
  channels: [number, number];
  denseHidden: number;
}

export interface Classifier {
  spec: ClassifierSpec;
  params: Record<string, tf.Variable>;
}

function heNormal(shape: number[], fanIn: number, rng: Rng): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => rng.normal() * Math.sqrt(2 / fanIn)), shape);
}

export function createClassifier(spec: ClassifierSpec, rng: Rng): Classifier {
  const [c1, c2] = spec.channels;
  const N = spec.L * spec.L;
  const v = (t: tf.Tensor) => tf.variable(t);
  const params: Record<string, tf.Variable> = spec.architecture === 'cnn'
    ? {
      k1: v(heNormal([3, 3, 1, c1], 9, rng)), b1: v(tf.zeros([c1])),            // [3, 3, 1, c₁]
      k2: v(heNormal([3, 3, c1, c2], 9 * c1, rng)), b2: v(tf.zeros([c2])),      // [3, 3, c₁, c₂]
      w: v(heNormal([c2, 2], c2, rng)), b: v(tf.zeros([2])),                     // [c₂, 2]
    }
    : {
      w1: v(heNormal([N, spec.denseHidden], N, rng)), b1: v(tf.zeros([spec.denseHidden])),
      w: v(heNormal([spec.denseHidden, 2], spec.denseHidden, rng)), b: v(tf.zeros([2])),
    };
  return { spec, params };
}

/** Logits [B, 2] for inputs x: [B, N] with spins mapped to ±1 (from {0, 1} bits: 2x − 1). */
export function logits(model: Classifier, bits: tf.Tensor2D): tf.Tensor2D {
  const p = model.params;
  const B = bits.shape[0];
  const x = tf.sub(tf.mul(bits, 2), 1);                                                    // [B, N] in ±1
  if (model.spec.architecture === 'dense') {
    const h = tf.relu(tf.add(tf.matMul(x as tf.Tensor2D, p.w1 as tf.Tensor2D), p.b1));      // [B, H]
    return tf.add(tf.matMul(h as tf.Tensor2D, p.w as tf.Tensor2D), p.b) as tf.Tensor2D;     // [B, 2]
  }
  const L = model.spec.L;
  const [c1] = model.spec.channels;
  const img = tf.reshape(x, [B, L, L, 1]) as tf.Tensor4D;                                  // [B, L, L, 1]
  const h1 = tf.relu(tf.add(periodicConv2d(img, p.k1 as tf.Tensor4D), p.b1));              // [B, L, L, c₁]
  const pooled = tf.mean(tf.reshape(h1, [B, L / 2, 2, L / 2, 2, c1]), [2, 4]);              // [B, L/2, L/2, c₁]
  const h2 = tf.relu(tf.add(periodicConv2d(pooled as tf.Tensor4D, p.k2 as tf.Tensor4D), p.b2)); // [B, L/2, L/2, c₂]
  const features = tf.mean(h2, [1, 2]);                                                    // [B, c₂]
  return tf.add(tf.matMul(features as tf.Tensor2D, p.w as tf.Tensor2D), p.b) as tf.Tensor2D; // [B, 2]
}

/** Mean softmax cross-entropy; labels ∈ {0 disordered, 1 ordered}. */
export function crossEntropy(model: Classifier, bits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const z = logits(model, bits);
  const picked = tf.sum(tf.mul(z, tf.oneHot(tf.cast(labels, 'int32'), 2)), 1);
  return tf.mean(tf.sub(logSumExp(z, 1), picked)) as tf.Scalar;
}

/** Softmax probability of "ordered" per row, in blocks. */
export function orderedProbability(model: Classifier, bits: tf.Tensor2D, batch = 512): Float32Array {
  const n = bits.shape[0];
  const out = new Float32Array(n);
  for (let k = 0; k < n; k += batch) {
    const m = Math.min(batch, n - k);
    const p = tf.tidy(() => tf.slice(tf.softmax(logits(model, tf.slice(bits, [k, 0], [m, -1]) as tf.Tensor2D)), [0, 1], [m, 1]));
    out.set(p.dataSync() as Float32Array, k);
    p.dispose();
  }
  return out;
}

export function saveClassifier(path: string, model: Classifier): void {
  saveTensors(path, model.params, { model: 'classifier', spec: JSON.stringify(model.spec) });
}

export function loadClassifier(path: string): Classifier {
  const { tensors, metadata } = loadTensors(path);
  if (metadata.model !== 'classifier') throw new Error(`${path} holds a ${metadata.model ?? 'unknown'} model, not a classifier`);
  return { spec: JSON.parse(metadata.spec) as ClassifierSpec, params: Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, tf.variable(t)])) };
}
