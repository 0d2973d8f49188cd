/**
 * One phase-classifier training as a plain-data job: train on a dataset group's train split with
 * its phase labels, stop when validation accuracy has not improved for `patience` epochs (keeping
 * the best weights), and return the ordered-probability of every test configuration.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { gatherRows, loadConfigurations, loadTrainingSet } from '../../nn/data.js';
import { train, type EpochMetrics, type TrainingJobArgs } from '../../nn/train.js';
import { Rng } from '../../sampling/rng.js';
import { writeFileAtomicSync } from '../../io/checkpoint.js';
import { createClassifier, crossEntropy, orderedProbability, saveClassifier, type Architecture } from './classifier.js';

/** One classifier training; its test predictions go to `${weights}.test.json`. */
export interface CnnTrainArgs extends TrainingJobArgs {
  dataDir: string;
  group: string;
  architecture: Architecture;
  channels: [number, number];
}

export interface CnnTrainResult {
  L: number;
  metrics: EpochMetrics[];
  /** Test configurations: temperature and predicted probability of the ordered phase. */
  test: { T: number[]; p: number[] };
  trainSeconds: number;
}

export async function trainClassifierJob(a: CnnTrainArgs): Promise<CnnTrainResult> {
  const done = `${a.weights}.test.json`;
  if (existsSync(a.weights) && existsSync(done)) return JSON.parse(readFileSync(done, 'utf8')) as CnnTrainResult;
  const t0 = performance.now();
  const trainSet = await loadConfigurations(a.dataDir, { group: a.group, split: 'train' });
  const validation = await loadTrainingSet(a.dataDir, { group: a.group, split: 'validation' });
  const test = await loadTrainingSet(a.dataDir, { group: a.group, split: 'test' });
  if (!trainSet.label) throw new Error(`dataset group ${a.group} has no phase labels (generate it with --labels or the conserved-cnn preset)`);
  const trainLabels = trainSet.label, N = trainSet.L * trainSet.L;
  const model = createClassifier({ architecture: a.architecture, L: trainSet.L, channels: a.channels, denseHidden: 64 }, Rng.stream(a.seed, 6, trainSet.L, a.architecture === 'cnn' ? 0 : 1));
  const accuracy = () => {
    const p = orderedProbability(model, validation.x);
    let right = 0;
    p.forEach((q, i) => { if ((q > 0.5 ? 1 : 0) === validation.label?.[i]) right++; });
    return right / p.length;
  };
  try {
    const r = train({
      params: model.params, optimizer: { kind: 'adam', learningRate: a.learningRate }, epochs: a.epochs, batchSize: a.batchSize,
      trainSize: trainSet.n, seed: a.seed + trainSet.L,
      loss: (batch) => tf.tidy(() => {
        const y = tf.tensor1d(Float32Array.from(batch, (k) => trainLabels[k]), 'float32');
        return crossEntropy(model, gatherRows(trainSet.bits, N, batch), y);
      }),
      // early stopping on validation accuracy (lower "loss" = higher accuracy)
      validate: () => -accuracy(),
      patience: a.patience,
      checkpoint: { path: `${a.weights}.ckpt`, key: JSON.stringify(a), everySeconds: 30 },
      metricsPath: `${a.weights}.metrics.jsonl`,
    });
    saveClassifier(a.weights, model);
    const p = orderedProbability(model, test.x);
    const result: CnnTrainResult = { L: trainSet.L, metrics: r.metrics, test: { T: Array.from(test.temperature), p: Array.from(p) }, trainSeconds: (performance.now() - t0) / 1000 };
    writeFileAtomicSync(done, JSON.stringify(result));
    return result;
  } finally {
    tf.dispose([...Object.values(model.params), validation.x, test.x]);
  }
}
