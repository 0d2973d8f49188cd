/**
 * Variational training of a NeuralRG flow (Li & Wang, Algorithm 1, eq. 5): each step draws a batch
 * z ~ N(0, 1) from its own stream, sets x = g(z), and minimizes mean[ln q(x) − ln π(x)] (q_sym for a
 * symmetric flow; by the symmetry of π and q_sym the sign η need not be drawn). The loss is the
 * variational free energy, an upper bound of −ln Z; its relative error against the exact value is
 * recorded each epoch. Resumable through nn/train.ts checkpoints.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { train } from '../../nn/train.js';
import { writeFileAtomicSync } from '../../io/checkpoint.js';
import { createFlow, disposeFlow, flowParams, generate, logProbabilityGenerated, saveFlow, type FlowSpec } from './flow.js';
import { exactFreeEnergy, isingFieldSource, logTarget } from './source.js';
import { Rng } from '../../sampling/rng.js';

export interface NeuralRgTrainArgs {
  flow: FlowSpec;
  T: number;
  epochs: number;
  stepsPerEpoch: number;
  batchSize: number;
  learningRate: number;
  /** Steps of linear learning-rate warm-up (0: none). */
  warmupSteps?: number;
  seed: number;
  weights: string;
}

export interface NeuralRgTrainResult {
  weights: string;
  exactFreeEnergy: number;
  /** Per epoch: mean loss (variational free energy), its relative error against −ln Z. */
  epochs: { epoch: number; freeEnergy: number; relativeError: number }[];
  /** Final estimate on fresh batches: mean and standard error of ln q − ln π. */
  finalFreeEnergy: { mean: number; error: number };
  finalRelativeError: number;
  seconds: number;
  secondsPerStep: number;
}

export async function trainNeuralRgJob(a: NeuralRgTrainArgs): Promise<NeuralRgTrainResult> {
  const done = `${a.weights}.result.json`;
  if (existsSync(a.weights) && existsSync(done)) return JSON.parse(readFileSync(done, 'utf8')) as NeuralRgTrainResult;
  const t0 = performance.now();
  const src = isingFieldSource(a.flow.L, a.T);
  const exact = exactFreeEnergy(src);
  const N = src.N;
  const inverse = tf.tensor2d(Float32Array.from(src.inverse), [N, N]);
  const flow = createFlow(a.flow, Rng.stream(a.seed, 30, a.flow.L, a.flow.depth));
  const lossOf = (z: tf.Tensor2D) => tf.tidy(() => {
    const { x, logDet } = generate(flow, z);
    const logq = logProbabilityGenerated(flow, z, x, logDet);
    return tf.sub(logq, logTarget(src, x, inverse)) as tf.Tensor1D; // [B]
  });
  const draw = (rng: Rng, n: number) => tf.tensor2d(Float32Array.from({ length: n * N }, () => rng.normal()), [n, N]);
  try {
    const r = train({
      params: flowParams(flow), optimizer: { kind: 'adam', learningRate: a.learningRate }, epochs: a.epochs, batchSize: a.batchSize, trainSize: a.batchSize * a.stepsPerEpoch,
      seed: a.seed, warmupSteps: a.warmupSteps,
      loss: (_batch, rng) => tf.tidy(() => tf.mean(lossOf(draw(rng, a.batchSize))) as tf.Scalar),
      checkpoint: { path: `${a.weights}.ckpt`, key: JSON.stringify(a), everySeconds: 30 },
      metricsPath: `${a.weights}.metrics.jsonl`,
    });
    saveFlow(a.weights, flow);
    // the final variational free energy on 8 fresh batches
    const rng = Rng.stream(a.seed, 31);
    const values: number[] = [];
    for (let k = 0; k < 8; k++) {
      const l = tf.tidy(() => lossOf(draw(rng, a.batchSize)));
      values.push(...l.dataSync());
      l.dispose();
    }
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const error = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1) / values.length);
    const seconds = (performance.now() - t0) / 1000;
    const result: NeuralRgTrainResult = {
      weights: a.weights, exactFreeEnergy: exact,
      epochs: r.metrics.map((m) => ({ epoch: m.epoch, freeEnergy: m.trainLoss, relativeError: (m.trainLoss - exact) / Math.abs(exact) })),
      finalFreeEnergy: { mean, error }, finalRelativeError: (mean - exact) / Math.abs(exact), seconds, secondsPerStep: seconds / Math.max(1, r.epochs * a.stepsPerEpoch),
    };
    writeFileAtomicSync(done, JSON.stringify(result));
    return result;
  } finally {
    disposeFlow(flow);
    inverse.dispose();
  }
}
