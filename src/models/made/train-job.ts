/**
 * One MADE training as a plain-data job: negative log-likelihood (Adam) on the training split of a
 * dataset group at one temperature, in the chosen degrees of freedom (spins, or 2 × 2 block sums at
 * stride 1 or 2), early stopping on the validation NLL. Resumable; a finished job returns at once.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { gatherRows, loadConfigurations } from '../../nn/data.js';
import { train, type EpochMetrics, type TrainingJobArgs } from '../../nn/train.js';
import { Rng } from '../../sampling/rng.js';
import { writeFileAtomicSync } from '../../io/checkpoint.js';
import { BLOCK_CATEGORIES, blockSumCategories, blocksPerSide } from '../../lattice/blocks.js';
import { createMade, disposeMade, encode, encodeRows, madeLogProb, saveMade, type MadeSpec } from './made.js';

/** Degrees of freedom the MADE models: spins, or block sums at stride 1 or 2. */
export type Dof = 'spin' | 'block1' | 'block2';
export const DOFS: readonly Dof[] = ['spin', 'block1', 'block2'];

export interface MadeTrainArgs extends TrainingJobArgs {
  dataDir: string;
  group: string;
  T: number;
  dof: Dof;
  hidden: number[];
  order: 'raster' | 'random';
  direct: boolean;
}

export interface MadeTrainResult {
  weights: string;
  L: number;
  sites: number;
  trainSize: number;
  /** Validation NLL per site (nats) at the kept epoch. */
  validationNllPerSite: number;
  metrics: EpochMetrics[];
  seconds: number;
}

/** Site values of configurations in the chosen degrees of freedom: bits, or block-sum categories. */
export function toDof(bits: Uint8Array, n: number, L: number, dof: Dof): { values: Int32Array; sites: number; categories: number } {
  if (dof === 'spin') return { values: Int32Array.from(bits), sites: L * L, categories: 2 };
  const stride = dof === 'block1' ? 1 : 2;
  const M = blocksPerSide(L, stride);
  return { values: blockSumCategories(bits, n, L, stride), sites: M * M, categories: BLOCK_CATEGORIES };
}

export function madeSpecFor(sites: number, categories: number, a: Pick<MadeTrainArgs, 'hidden' | 'order' | 'direct' | 'seed'>): MadeSpec {
  const order = Array.from({ length: sites }, (_, i) => i);
  if (a.order === 'random') Rng.stream(a.seed, 21, sites).shuffle(order);
  return { sites, categories, hidden: a.hidden, order, direct: a.direct };
}

export async function trainMadeJob(a: MadeTrainArgs): Promise<MadeTrainResult> {
  const done = `${a.weights}.result.json`;
  if (existsSync(a.weights) && existsSync(done)) return JSON.parse(readFileSync(done, 'utf8')) as MadeTrainResult;
  const t0 = performance.now();
  const keep = (T: number) => Math.abs(T - a.T) < 1e-9;
  const trainSet = await loadConfigurations(a.dataDir, { group: a.group, split: 'train', keep });
  const validationSet = await loadConfigurations(a.dataDir, { group: a.group, split: 'validation', keep });
  if (trainSet.n === 0) throw new Error(`no training configurations at T = ${a.T} in group ${a.group}`);
  const tr = toDof(trainSet.bits, trainSet.n, trainSet.L, a.dof);
  const va = toDof(validationSet.bits, validationSet.n, validationSet.L, a.dof);
  const made = createMade(madeSpecFor(tr.sites, tr.categories, a), Rng.stream(a.seed, 20, tr.sites, tr.categories));
  const rows = encodeRows(made, tr.values, trainSet.n), D = rows.length / trainSet.n; // [n·D]: batches are copied from it (nn/data.ts gatherRows)
  const xv = validationSet.n > 0 ? encode(made, va.values, validationSet.n) : null; // [n_v, D]
  const nll = (batch: tf.Tensor2D) => tf.neg(tf.mean(madeLogProb(made, batch))) as tf.Scalar;
  try {
    const r = train({
      params: made.params, optimizer: { kind: 'adam', learningRate: a.learningRate }, epochs: a.epochs, batchSize: a.batchSize, trainSize: trainSet.n,
      seed: a.seed + tr.sites,
      loss: (batch) => tf.tidy(() => nll(gatherRows(rows, D, batch))),
      validate: xv ? () => tf.tidy(() => nll(xv).dataSync()[0]) : undefined,
      patience: xv ? a.patience : undefined,
      checkpoint: { path: `${a.weights}.ckpt`, key: JSON.stringify(a), everySeconds: 30 },
      metricsPath: `${a.weights}.metrics.jsonl`,
    });
    saveMade(a.weights, made);
    const kept = r.bestEpoch !== null ? r.metrics[r.bestEpoch] : r.metrics[r.metrics.length - 1];
    const result: MadeTrainResult = {
      weights: a.weights, L: trainSet.L, sites: tr.sites, trainSize: trainSet.n,
      validationNllPerSite: (kept?.validationLoss ?? kept?.trainLoss ?? NaN) / tr.sites, metrics: r.metrics, seconds: (performance.now() - t0) / 1000,
    };
    writeFileAtomicSync(done, JSON.stringify(result));
    return result;
  } finally {
    xv?.dispose();
    disposeMade(made);
  }
}
