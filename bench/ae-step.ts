/**
 * The autoencoder training step of the NN-flow study (Acevedo et al.: 900 → N_l → 900, sigmoid
 * hidden and output units, MSE, Adam, batch 512), as models/ae/train-job.ts takes it: the batch
 * copied from a bit matrix (nn/data.ts gatherRows), the loss of models/ae/autoencoder.ts. Timed per
 * step on a TensorFlow.js backend; bench/run.ts compares it with PyTorch on CPU (bench/py/ae_step.py).
 */
import * as tf from '@tensorflow/tfjs-core';
import { secondsPerAdamStep } from './adam-step.js';
import { gatherRows } from '../src/nn/data.js';
import { createAutoencoder, disposeAutoencoder, mseLoss } from '../src/models/ae/autoencoder.js';
import { Rng } from '../src/sampling/rng.js';

export function timeAeStep(hidden: number, steps: number, warmup = 5): number {
  const nIn = 900, batch = 512, rows = batch * 8;
  const rng = Rng.stream(1, 99);
  const bits = Uint8Array.from({ length: rows * nIn }, () => rng.nextU32() & 1);        // [rows, 900]
  const ae = createAutoencoder({ inputs: nIn, hidden, activation: 'sigmoid' }, rng);
  const randomRows = () => Int32Array.from({ length: batch }, () => rng.below(rows));
  const seconds = secondsPerAdamStep(ae.params, () => tf.tidy(() => mseLoss(ae, gatherRows(bits, nIn, randomRows()))), steps, warmup);
  disposeAutoencoder(ae);
  return seconds;
}
