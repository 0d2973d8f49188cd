/**
 * Training: a parameter set, an optimizer whose state is plain data (Adam, SGD with momentum),
 * learning-rate schedules, gradient clipping, early stopping, metrics as JSON lines, and
 * checkpoints that make a killed run resume to exactly the weights of an uninterrupted one.
 *
 * Determinism: the order of examples in epoch e is a permutation drawn from Rng.stream(seed, 0, e),
 * and a batch's own randomness (dropout, sampling) from Rng.stream(seed, 1, e, b), so neither
 * depends on where a run was interrupted; the checkpoint holds weights and optimizer state bit for
 * bit (float32).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../sampling/rng.js';
import { checkpointTimer, loadCheckpoint, saveCheckpoint, writeFileAtomicSync } from '../io/checkpoint.js';

export type Params = Record<string, tf.Variable>;

export interface OptimizerConfig {
  kind: 'adam' | 'sgd';
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** SGD momentum (0: plain SGD). */
  momentum?: number;
}

export type Schedule =
  | { kind: 'constant' }
  | { kind: 'step'; every: number; gamma: number }
  | { kind: 'exponential'; gamma: number }
  | { kind: 'cosine'; epochs: number; minFactor?: number };

/** Learning rate of epoch e (0-based) under a schedule. */
export function scheduledRate(base: number, schedule: Schedule, epoch: number): number {
  switch (schedule.kind) {
    case 'constant':
      return base;
    case 'step':
      return base * schedule.gamma ** Math.floor(epoch / schedule.every);
    case 'exponential':
      return base * schedule.gamma ** epoch;
    case 'cosine': {
      const min = schedule.minFactor ?? 0;
      const t = Math.min(1, epoch / Math.max(1, schedule.epochs));
      return base * (min + (1 - min) * 0.5 * (1 + Math.cos(Math.PI * t)));
    }
  }
}

export interface OptimizerState {
  step: number;
  slots: Record<string, Float32Array[]>;
}

/** Adam (Kingma & Ba, with bias correction) or SGD with momentum, on named variables. */
export class Optimizer {
  private step = 0;
  private readonly slots = new Map<string, tf.Variable[]>();

  constructor(readonly config: OptimizerConfig, private readonly params: Params) {
    for (const [name, p] of Object.entries(params)) {
      const n = config.kind === 'adam' ? 2 : config.momentum ? 1 : 0;
      this.slots.set(name, Array.from({ length: n }, () => tf.variable(tf.zerosLike(p), false)));
    }
  }

  apply(grads: Record<string, tf.Tensor>, learningRate: number): void {
    this.step++;
    const { kind } = this.config;
    const b1 = this.config.beta1 ?? 0.9, b2 = this.config.beta2 ?? 0.999, eps = this.config.epsilon ?? 1e-8;
    tf.tidy(() => {
      for (const [name, p] of Object.entries(this.params)) {
        const g = grads[name];
        if (!g) continue;
        const s = this.slots.get(name) as tf.Variable[];
        if (kind === 'adam') {
          const m = tf.add(tf.mul(s[0], b1), tf.mul(g, 1 - b1));
          const v = tf.add(tf.mul(s[1], b2), tf.mul(tf.square(g), 1 - b2));
          s[0].assign(m);
          s[1].assign(v);
          const mHat = tf.div(m, 1 - b1 ** this.step);
          const vHat = tf.div(v, 1 - b2 ** this.step);
          p.assign(tf.sub(p, tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), eps)), learningRate)));
        } else if (s.length === 1) {
          const u = tf.add(tf.mul(s[0], this.config.momentum ?? 0), g);
          s[0].assign(u);
          p.assign(tf.sub(p, tf.mul(u, learningRate)));
        } else {
          p.assign(tf.sub(p, tf.mul(g, learningRate)));
        }
      }
    });
  }

  save(): OptimizerState {
    const slots: Record<string, Float32Array[]> = {};
    for (const [name, s] of this.slots) slots[name] = s.map((v) => Float32Array.from(v.dataSync() as Float32Array));
    return { step: this.step, slots };
  }

  restore(state: OptimizerState): void {
    this.step = state.step;
    for (const [name, s] of this.slots) s.forEach((v, i) => v.assign(tf.tensor(state.slots[name][i], v.shape)));
  }

  dispose(): void {
    for (const s of this.slots.values()) s.forEach((v) => v.dispose());
  }
}

/** Scales gradients so that their global L2 norm is at most `maxNorm`; returns the norm before. */
export function clipByGlobalNorm(grads: Record<string, tf.Tensor>, maxNorm: number): { grads: Record<string, tf.Tensor>; norm: number } {
  const norm = Math.sqrt(Object.values(grads).reduce((a, g) => a + tf.tidy(() => tf.sum(tf.square(g)).dataSync()[0]), 0));
  if (!(norm > maxNorm)) return { grads, norm };
  const scale = maxNorm / norm;
  const out: Record<string, tf.Tensor> = {};
  for (const [k, g] of Object.entries(grads)) {
    out[k] = tf.mul(g, scale);
    g.dispose();
  }
  return { grads: out, norm };
}

export function snapshot(params: Params): Record<string, Float32Array> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Float32Array.from(v.dataSync() as Float32Array)]));
}

export function restoreParams(params: Params, values: Record<string, Float32Array>): void {
  for (const [k, v] of Object.entries(params)) v.assign(tf.tensor(values[k], v.shape));
}

/** The training settings every early-stopped model job shares (CNN, MADE…). */
export interface TrainingJobArgs {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Epochs without a better validation score before stopping. */
  patience: number;
  seed: number;
  /** Where the weights go (safetensors); checkpoints and metrics sit next to them. */
  weights: string;
}

export interface EpochMetrics {
  epoch: number;
  /** Extra per-epoch numbers a caller records (e.g. the RBM's mean |θ|). */
  extra?: Record<string, number>;
  trainLoss: number;
  validationLoss: number | null;
  learningRate: number;
  /** Mean global gradient norm (before clipping) over the epoch's batches. */
  gradNorm: number;
}

export interface TrainOptions {
  params: Params;
  optimizer: OptimizerConfig;
  schedule?: Schedule;
  epochs: number;
  batchSize: number;
  /** Number of training examples; batches are sets of their indices. */
  trainSize: number;
  /** Mean loss of a batch (indices into the training set) as a scalar; `rng` is the batch's own stream. */
  loss: (batch: Int32Array, rng: Rng, step: { epoch: number; batch: number }) => tf.Scalar;
  /**
   * Called before each batch's loss, outside the gradient tape, with the batch's stream (drawn from
   * before `loss` sees it): work whose result must not carry gradients (e.g. proposing the batch's inputs).
   */
  beforeBatch?: (rng: Rng, step: { epoch: number; batch: number }) => void;
  /** Validation loss after each epoch (no gradient). */
  validate?: () => number;
  /** Stop after this many epochs without a better validation loss, and keep the best weights. */
  patience?: number;
  clipNorm?: number;
  /** Linear learning-rate warm-up: step k (0-based, counted over epochs) uses (k + 1)/warmupSteps of the scheduled rate. */
  warmupSteps?: number;
  seed: number;
  /** Resumable runs: `key` names the run (its configuration); a checkpoint of another run is refused. */
  checkpoint?: { path: string; key: string; everySeconds: number };
  /** Rewritten atomically after each epoch: one JSON object per line. */
  metricsPath?: string;
  onEpoch?: (m: EpochMetrics) => void;
  /** Extra numbers recorded into each epoch's metrics. */
  epochExtras?: () => Record<string, number>;
  /** Asked after each epoch with the metrics so far: true stops training (e.g. a plateau criterion). */
  stop?: (metrics: EpochMetrics[]) => boolean;
  /** Called after every batch with (batches done, batches total). */
  onProgress?: (done: number, total: number) => void;
}

export interface TrainResult {
  epochs: number;
  stoppedEarly: boolean;
  bestEpoch: number | null;
  metrics: EpochMetrics[];
}

interface TrainCheckpoint {
  epoch: number;
  batch: number;
  lossSum: number;
  normSum: number;
  params: Record<string, Float32Array>;
  optimizer: OptimizerState;
  best: { loss: number; epoch: number; params: Record<string, Float32Array> } | null;
  badEpochs: number;
  stoppedEarly: boolean;
  metrics: EpochMetrics[];
  finished: TrainResult | null;
}

const KIND = 'training';

/** A seeded Fisher–Yates permutation of 0…n−1. */
export function permutation(n: number, rng: Rng): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return rng.shuffle(p);
}

export function train(o: TrainOptions): TrainResult {
  const opt = new Optimizer(o.optimizer, o.params);
  const schedule = o.schedule ?? { kind: 'constant' };
  const batchesPerEpoch = Math.ceil(o.trainSize / o.batchSize);
  const names = Object.keys(o.params);
  const varList = names.map((n) => o.params[n]);
  let st: TrainCheckpoint = { epoch: 0, batch: 0, lossSum: 0, normSum: 0, params: {}, optimizer: { step: 0, slots: {} }, best: null, badEpochs: 0, stoppedEarly: false, metrics: [], finished: null };
  const ck = o.checkpoint;
  const resume = ck ? loadCheckpoint<TrainCheckpoint>(ck.path, KIND, ck.key) : null;
  if (resume) {
    st = resume;
    restoreParams(o.params, resume.params);
    opt.restore(resume.optimizer);
    if (resume.finished) {
      opt.dispose();
      return resume.finished;
    }
  }
  const due = checkpointTimer(ck?.everySeconds ?? Infinity);
  const save = (finished: TrainResult | null) => {
    if (!ck) return;
    saveCheckpoint<TrainCheckpoint>(ck.path, KIND, ck.key, { ...st, params: snapshot(o.params), optimizer: opt.save(), finished });
  };
  const writeMetrics = () => {
    if (o.metricsPath) writeFileAtomicSync(o.metricsPath, st.metrics.map((m) => JSON.stringify(m)).join('\n') + (st.metrics.length ? '\n' : ''));
  };
  try {
    while (st.epoch < o.epochs && !st.stoppedEarly) {
      const lr = scheduledRate(o.optimizer.learningRate, schedule, st.epoch);
      const order = permutation(o.trainSize, Rng.stream(o.seed, 0, st.epoch));
      for (; st.batch < batchesPerEpoch; ) {
        const batch = order.subarray(st.batch * o.batchSize, Math.min(o.trainSize, (st.batch + 1) * o.batchSize));
        const rng = Rng.stream(o.seed, 1, st.epoch, st.batch);
        const step = { epoch: st.epoch, batch: st.batch };
        o.beforeBatch?.(rng, step);
        const { value, grads } = tf.variableGrads(() => o.loss(batch, rng, step), varList);
        st.lossSum += value.dataSync()[0];
        value.dispose();
        let g = grads as Record<string, tf.Tensor>;
        let norm: number;
        if (o.clipNorm !== undefined) ({ grads: g, norm } = clipByGlobalNorm(g, o.clipNorm));
        else norm = Math.sqrt(Object.values(g).reduce((a, t) => a + tf.tidy(() => tf.sum(tf.square(t)).dataSync()[0]), 0));
        st.normSum += norm;
        // variableGrads names gradients by variable name; map them back to ours
        const byName: Record<string, tf.Tensor> = {};
        names.forEach((n) => (byName[n] = g[o.params[n].name]));
        const warm = o.warmupSteps ? Math.min(1, (st.epoch * batchesPerEpoch + st.batch + 1) / o.warmupSteps) : 1;
        opt.apply(byName, lr * warm);
        tf.dispose(Object.values(g));
        st.batch++;
        o.onProgress?.(st.epoch * batchesPerEpoch + st.batch, o.epochs * batchesPerEpoch);
        if (due()) save(null);
      }
      const validationLoss = o.validate ? o.validate() : null;
      const m: EpochMetrics = { epoch: st.epoch, trainLoss: st.lossSum / batchesPerEpoch, validationLoss, learningRate: lr, gradNorm: st.normSum / batchesPerEpoch, ...(o.epochExtras ? { extra: o.epochExtras() } : {}) };
      st.metrics.push(m);
      o.onEpoch?.(m);
      if (validationLoss !== null && o.patience !== undefined) {
        if (!st.best || validationLoss < st.best.loss) {
          st.best = { loss: validationLoss, epoch: st.epoch, params: snapshot(o.params) };
          st.badEpochs = 0;
        } else if (++st.badEpochs >= o.patience) {
          st.stoppedEarly = true;
        }
      }
      if (o.stop?.(st.metrics)) st.stoppedEarly = true;
      st.epoch++;
      st.batch = 0;
      st.lossSum = 0;
      st.normSum = 0;
      writeMetrics();
      save(null);
    }
    if (st.best && o.patience !== undefined) restoreParams(o.params, st.best.params);
    const result: TrainResult = { epochs: st.epoch, stoppedEarly: st.stoppedEarly, bestEpoch: st.best?.epoch ?? null, metrics: st.metrics };
    save(result);
    return result;
  } finally {
    opt.dispose();
  }
}
