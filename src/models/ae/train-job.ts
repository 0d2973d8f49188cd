/**
 * One autoencoder training, as a plain-data job (nn/parallel.ts runs several on worker threads):
 * train on the configurations of a dataset group with T ≥ T_cut, monitor the validation split, save
 * the weights. A job whose weights already exist returns at once; an interrupted one resumes from
 * its checkpoint.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { gatherRows, loadConfigurations, loadTrainingSet } from '../../nn/data.js';
import { train, type EpochMetrics } from '../../nn/train.js';
import { Rng } from '../../sampling/rng.js';
import { createAutoencoder, disposeAutoencoder, mseLoss, physicsLoss, saveAutoencoder, type Activation, type PhysicsWeights } from './autoencoder.js';

export interface AeTrainArgs {
  dataDir: string;
  group?: string;
  hidden: number;
  tCut: number;
  activation: Activation;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Physics-aware loss weights (absent: the paper's plain MSE). */
  physics?: PhysicsWeights;
  /** Where the weights go (safetensors); the checkpoint is `${weights}.ckpt`, metrics `${weights}.metrics.jsonl`. */
  weights: string;
}

export interface AeTrainResult {
  weights: string;
  trainSize: number;
  metrics: EpochMetrics[];
}

export async function trainAutoencoderJob(a: AeTrainArgs): Promise<AeTrainResult> {
  const metricsPath = `${a.weights}.metrics.jsonl`;
  if (existsSync(a.weights) && existsSync(metricsPath)) {
    const metrics = readFileSync(metricsPath, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as EpochMetrics);
    return { weights: a.weights, trainSize: -1, metrics };
  }
  const keep = (T: number) => T >= a.tCut - 1e-9;
  const trainSet = await loadConfigurations(a.dataDir, { group: a.group, split: 'train', keep });
  const validation = await loadTrainingSet(a.dataDir, { group: a.group, split: 'validation', keep });
  const n = trainSet.n;
  if (n === 0) throw new Error(`no training configurations with T ≥ T_cut = ${a.tCut}`);
  const N = trainSet.L * trainSet.L;
  // one stream per (seed, N_l, T_cut): the same model whatever else the sweep contains
  const L = trainSet.L;
  const lossOf = (x: tf.Tensor2D) => (a.physics ? physicsLoss(ae, x, L, a.physics) : mseLoss(ae, x));
  const ae = createAutoencoder({ inputs: N, hidden: a.hidden, activation: a.activation }, Rng.stream(a.seed, 5, a.hidden, Math.round(a.tCut * 1e6)));
  try {
    const result = train({
      params: ae.params, optimizer: { kind: 'adam', learningRate: a.learningRate }, epochs: a.epochs, batchSize: a.batchSize, trainSize: n,
      seed: a.seed + a.hidden * 7919 + Math.round(a.tCut * 1e6),
      loss: (batch) => tf.tidy(() => lossOf(gatherRows(trainSet.bits, N, batch))),
      validate: validation.x.shape[0] > 0 ? () => tf.tidy(() => lossOf(validation.x).dataSync()[0]) : undefined,
      checkpoint: { path: `${a.weights}.ckpt`, key: JSON.stringify(a), everySeconds: 30 },
      metricsPath,
    });
    saveAutoencoder(a.weights, ae, { hidden: String(a.hidden), tCut: String(a.tCut), epochs: String(a.epochs) });
    return { weights: a.weights, trainSize: n, metrics: result.metrics };
  } finally {
    disposeAutoencoder(ae);
    validation.x.dispose();
  }
}
