/**
 * The CNN classifier's training step of the conserved-cnn study (paper scale: 16 and 32 channels,
 * batch 128, Adam) per lattice side, with the periodic convolution of nn/conv.ts against the im2col
 * by rolling it replaced (slices and concatenations, then one matrix product), measured in the same
 * run; bench/run.ts also compares it with PyTorch on CPU when that is importable.
 */
import * as tf from '@tensorflow/tfjs-core';
import { secondsPerAdamStep } from './adam-step.js';
import { roll, periodicConv2d } from '../src/nn/conv.js';
import { logSumExp } from '../src/nn/ops.js';
import { Rng } from '../src/sampling/rng.js';

type Conv = (x: tf.Tensor4D, k: tf.Tensor4D) => tf.Tensor4D;

/** The earlier periodic convolution: nine rolled copies of x side by side, times the kernel. */
function rolledIm2col(x: tf.Tensor4D, kernel: tf.Tensor4D): tf.Tensor4D {
  const [B, H, W, Cin] = x.shape;
  const [k, , , Cout] = kernel.shape;
  const half = Math.floor(k / 2);
  const columns: tf.Tensor[] = [];
  for (let u = 0; u < k; u++) {
    const rows = roll(x, u - half, 1);
    for (let v = 0; v < k; v++) columns.push(roll(rows, v - half, 2));
  }
  const flat = tf.reshape(tf.concat(columns, 3), [B * H * W, k * k * Cin]);                     // [B·H·W, k²Cin]
  return tf.reshape(tf.matMul(flat, tf.reshape(kernel, [k * k * Cin, Cout])), [B, H, W, Cout]) as tf.Tensor4D;
}

/** Seconds per step: conv 3×3 → ReLU → 2×2 mean pool → conv 3×3 → ReLU → global mean → dense → softmax cross-entropy. */
function timeWith(conv: Conv, L: number, steps: number, warmup: number): number {
  const B = 128, c1 = 16, c2 = 32;
  const rng = Rng.stream(4, L);
  const normal = (shape: number[], fanIn: number) => tf.variable(tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * Math.sqrt(2 / fanIn)), shape));
  const params = { k1: normal([3, 3, 1, c1], 9), b1: tf.variable(tf.zeros([c1])), k2: normal([3, 3, c1, c2], 9 * c1), b2: tf.variable(tf.zeros([c2])), w: normal([c2, 2], c2), b: tf.variable(tf.zeros([2])) };
  const x = tf.tensor4d(Float32Array.from({ length: B * L * L }, () => (rng.nextU32() & 1 ? 1 : -1)), [B, L, L, 1]); // [B, L, L, 1]
  const labels = tf.oneHot(tf.tensor1d(Int32Array.from({ length: B }, (_, i) => i & 1), 'int32'), 2);              // [B, 2]
  const seconds = secondsPerAdamStep(params, () => {
    const h1 = tf.relu(tf.add(conv(x, params.k1 as tf.Tensor4D), params.b1));                                          // [B, L, L, c₁]
    const pooled = tf.mean(tf.reshape(h1, [B, L / 2, 2, L / 2, 2, c1]), [2, 4]) as tf.Tensor4D;                        // [B, L/2, L/2, c₁]
    const h2 = tf.relu(tf.add(conv(pooled, params.k2 as tf.Tensor4D), params.b2));                                    // [B, L/2, L/2, c₂]
    const z = tf.add(tf.matMul(tf.mean(h2, [1, 2]) as tf.Tensor2D, params.w as tf.Tensor2D), params.b);                // [B, 2]
    return tf.mean(tf.sub(logSumExp(z, 1), tf.sum(tf.mul(z, labels), 1))) as tf.Scalar;
  }, steps, warmup);
  tf.dispose([x, labels, ...Object.values(params)]);
  return seconds;
}

export function timeCnnStep(L: number, steps: number, warmup = 2): { seconds: number; im2colSeconds: number } {
  return { seconds: timeWith((x, k) => periodicConv2d(x, k), L, steps, warmup), im2colSeconds: timeWith(rolledIm2col, L, steps, warmup) };
}
