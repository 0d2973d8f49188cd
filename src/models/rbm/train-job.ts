/**
 * One RBM per (dataset group, temperature) as a plain-data job: CD-k training with Adam until the
 * mean |θ| plateaus (the paper's criterion; recorded), then Gibbs samples from random starts.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { loadTrainingSet } from '../../nn/data.js';
import { train, type EpochMetrics } from '../../nn/train.js';
import { Rng } from '../../sampling/rng.js';
import { writeFileAtomicSync } from '../../io/checkpoint.js';
import { contrastiveLoss, createRbm, gibbs, meanAbsParameter, sampleRbm, saveRbm } from './rbm.js';

export interface RbmTrainArgs {
  dataDir: string;
  group: string;
  T: number;
  maxEpochs: number;
  batchSize: number;
  learningRate: number;
  k: number;
  /** Plateau: stop when mean |θ| over the last `window` epochs differs from the window before by < tolerance (relative). */
  window: number;
  tolerance: number;
  samples: number;
  samplingSteps: number;
  seed: number;
  weights: string;
}

export interface RbmTrainResult {
  L: number;
  T: number;
  epochs: number;
  plateau: boolean;
  meanAbsTheta: number[];
  /** Generated configurations, {0, 1}, [samples, L²]. */
  samples: number[];
  trainSeconds: number;
}

export async function trainRbmJob(a: RbmTrainArgs): Promise<RbmTrainResult> {
  const done = `${a.weights}.result.json`;
  if (existsSync(a.weights) && existsSync(done)) return JSON.parse(readFileSync(done, 'utf8')) as RbmTrainResult;
  const t0 = performance.now();
  const set = await loadTrainingSet(a.dataDir, { group: a.group, split: 'train', keep: (T) => T === a.T });
  const n = set.x.shape[0];
  if (n === 0) throw new Error(`no training configurations at T = ${a.T} in group ${a.group}`);
  const V = set.L * set.L;
  const tag = Math.round(a.T * 1e6);
  const rbm = createRbm(V, V, Rng.stream(a.seed, 9, V, tag));
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const plateau = (m: EpochMetrics[]) => {
    const theta = m.map((e) => e.extra?.meanAbsTheta ?? NaN);
    if (theta.length < 2 * a.window) return false;
    const last = mean(theta.slice(-a.window)), before = mean(theta.slice(-2 * a.window, -a.window));
    return Math.abs(last - before) < a.tolerance * Math.abs(before);
  };
  try {
    const r = train({
      params: rbm.params as unknown as Record<string, tf.Variable>, optimizer: { kind: 'adam', learningRate: a.learningRate },
      epochs: a.maxEpochs, batchSize: a.batchSize, trainSize: n, seed: a.seed + tag,
      loss: (batch, rng) => tf.tidy(() => {
        const data = tf.gather(set.x, tf.tensor1d(batch, 'int32')) as tf.Tensor2D;
        const negatives = gibbs(rbm, data, a.k, rng);   // CD-k: chains start at the data
        return contrastiveLoss(rbm, data, negatives);
      }),
      epochExtras: () => ({ meanAbsTheta: meanAbsParameter(rbm) }),
      stop: plateau,
      checkpoint: { path: `${a.weights}.ckpt`, key: JSON.stringify(a), everySeconds: 30 },
      metricsPath: `${a.weights}.metrics.jsonl`,
    });
    saveRbm(a.weights, rbm);
    const samples = sampleRbm(rbm, a.samples, a.samplingSteps, Rng.stream(a.seed, 10, V, tag));
    const result: RbmTrainResult = {
      L: set.L, T: a.T, epochs: r.epochs, plateau: r.stoppedEarly, meanAbsTheta: r.metrics.map((m) => m.extra?.meanAbsTheta ?? NaN),
      samples: Array.from(samples), trainSeconds: (performance.now() - t0) / 1000,
    };
    writeFileAtomicSync(done, JSON.stringify(result));
    return result;
  } finally {
    tf.dispose([...Object.values(rbm.params), set.x]);
  }
}
