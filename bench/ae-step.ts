/**
 * The autoencoder training step of the NN-flow study (Acevedo et al.: 900 → N_l → 900, batch 512,
 * Adam) on a TensorFlow.js backend, timed per step; bench/run.ts compares it with PyTorch on CPU.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Optimizer } from '../src/nn/train.js';
import { binaryCrossEntropyWithLogits } from '../src/nn/ops.js';
import { Rng } from '../src/sampling/rng.js';

export function timeAeStep(hidden: number, steps: number, warmup = 5): number {
  const nIn = 900, batch = 512;
  const rng = Rng.stream(1, 99);
  const data = tf.tensor2d(Float32Array.from({ length: batch * 8 * nIn }, () => rng.nextU32() & 1), [batch * 8, nIn]);
  const init = (rows: number, cols: number) => tf.variable(tf.tensor2d(Float32Array.from({ length: rows * cols }, () => rng.normal() / Math.sqrt(rows)), [rows, cols]));
  const params = { w1: init(nIn, hidden), b1: tf.variable(tf.zeros([hidden])), w2: init(hidden, nIn), b2: tf.variable(tf.zeros([nIn])) };
  const opt = new Optimizer({ kind: 'adam', learningRate: 1e-3 }, params);
  const names = Object.keys(params) as (keyof typeof params)[];
  const step = (k: number) => {
    const xb = tf.slice(data, [(k % 8) * batch, 0], [batch, nIn]);                                     // [512, 900]
    const { value, grads } = tf.variableGrads(() => {
      const h = tf.sigmoid(tf.add(tf.matMul(xb, params.w1), params.b1));                               // [512, N_l]
      const z = tf.add(tf.matMul(h, params.w2), params.b2);                                             // [512, 900]
      return tf.mean(binaryCrossEntropyWithLogits(z, xb)) as tf.Scalar;
    }, names.map((n) => params[n]));
    const byName = Object.fromEntries(names.map((n) => [n, grads[params[n].name]]));
    opt.apply(byName, 1e-3);
    value.dataSync();
    tf.dispose([xb, value, ...Object.values(grads)]);
  };
  for (let k = 0; k < warmup; k++) step(k);
  const t0 = performance.now();
  for (let k = 0; k < steps; k++) step(k);
  const seconds = (performance.now() - t0) / 1000 / steps;
  opt.dispose();
  tf.dispose([data, ...Object.values(params)]);
  return seconds;
}
