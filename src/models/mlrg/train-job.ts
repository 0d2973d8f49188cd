/**
 * One MLRG model trained end to end (Hou & You, Fig. 1): each step the moderator C_θ proposes a batch
 * of teacher couplings J_tch by HMC (detached), flows them to J(1) = J_std by the neural ODE, and the
 * loss — the teacher–student divergence of the visible marginals — is back-propagated to θ through
 * ∇_J C_θ. Two modes:
 *   exact  KL(p_tch ‖ p_std) from the enumerated visible states: deterministic given the couplings
 *          (the paper's own suggestion for removing the training noise);
 *   cd     the paper's contrastive divergence: teacher samples by block Gibbs, CD-k for the student.
 * Resumable through nn/train.ts checkpoints; a finished job returns its saved result.
 *
 * Glossary: B = teacher couplings per step (chains × replicas); P = free couplings; S = visible
 * states; d = components per spin; M = Gibbs samples per coupling (cd mode).
 */
import { existsSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { train } from '../../nn/train.js';
import { logCosh, logSumExp } from '../../nn/ops.js';
import { writeFileAtomicSync } from '../../io/checkpoint.js';
import { InputError } from '../../errors.js';
import { couplingFold, foldCouplings, representation, type MirrorConvention } from '../../lattice/c4v.js';
import { Rng } from '../../sampling/rng.js';
import { blockRbm, gibbsVisible, klDivergence, logVisibleProbabilities, type BlockRbm } from './rbm.js';
import { createMonotone, disposeMonotone, MonotoneF64, proposeCouplings, rgFlow, saveMonotone, type Monotone } from './monotone.js';

export const MLRG_MODES = ['exact', 'cd'] as const;
export type MlrgMode = (typeof MLRG_MODES)[number];

export interface MlrgTrainArgs {
  rep: string;
  /** How the bond mirror acts on source spins (lattice/c4v.ts); default 'abstract', the authors'. */
  mirror?: MirrorConvention;
  mode: MlrgMode;
  epochs: number;
  stepsPerEpoch: number;
  /** HMC chains and replicas per chain: B = chains · replicas teacher couplings per step. */
  chains: number;
  replicas: number;
  /** β of Eq. (14), raised linearly from 0 over the first `betaWarmup` fraction of the epochs. */
  betaMax: number;
  betaWarmup: number;
  /** Prior widths: J0 (the bare Ising coupling) gets `priorScale`, every other coupling `otherScale` (default priorScale/√P). */
  priorScale: number;
  otherScale?: number;
  hmcSteps: number;
  leapfrog: number;
  hmcStepSize: number;
  /** RK4 steps for ℓ = 0 → 1 (0: the authors' single Euler step J − ∇C). */
  odeSteps: number;
  hidden: number[];
  learningRate: number;
  /** cd mode: samples per teacher coupling, Gibbs sweeps of the teacher, CD-k of the student. */
  samples: number;
  gibbsSteps: number;
  cdSteps: number;
  seed: number;
  weights: string;
  /**
   * Draw the teacher couplings in the fundamental domain of the irrep sign flips (lattice/c4v.ts
   * couplingFold; A1+E: J0, J1, J2 ≥ 0) instead of the whole space, so that the learned map need
   * not be odd in the couplings those flips negate. Default false (the paper's whole-space prior).
   */
  fold?: boolean;
  /**
   * Beyond the paper: this many of each step's teacher couplings are replaced by points on the
   * current monotone's own flow, J(J0, ℓ) with J0 uniform in (0, 1.5) and ℓ uniform in 1 … 4
   * (folded with `fold`), so that training covers where the RG flow goes. Default 0.
   */
  flowTeachers?: number;
}

export interface MlrgTrainResult {
  weights: string;
  /** The training arguments (JSON) the weights were trained with. */
  key: string;
  rep: string;
  mode: MlrgMode;
  couplings: number;
  /**
   * Per epoch: mean loss (exact: KL in bits; cd: the CD loss), the exact KL in bits on a fixed set of
   * 64 teacher couplings drawn from the prior (comparable across epochs and modes), β, and the HMC
   * acceptance of the epoch's last proposal.
   */
  epochs: { epoch: number; loss: number; klBits: number; beta: number; acceptance: number }[];
  seconds: number;
  secondsPerStep: number;
}

/** The student's field features of the first `count` states as a tensor [count·d, P] (cross graph: one hidden site). */
function studentFeatures(student: BlockRbm, count: number): tf.Tensor2D {
  const rows = count * student.hiddenRep.d;
  return tf.tensor2d(Float32Array.from(student.features.subarray(0, rows * student.couplings)), [rows, student.couplings]);
}

/** ln p_std(x) for all states, [B, S], from the student couplings J [B, P]. */
export function studentLogProbabilities(features: tf.Tensor2D, J: tf.Tensor2D, states: number): tf.Tensor2D {
  const h = tf.matMul(J, features, false, true); // [B, S·d]
  const lw = tf.sum(tf.reshape(logCosh(h), [J.shape[0], states, -1]), 2); // [B, S]
  return tf.sub(lw, logSumExp(lw, 1, true)) as tf.Tensor2D;
}

/** Free energy F(x) = −Σ_a ln cosh h_a(x) of sampled states, [B, M], from state indices [B·M]. */
function studentFreeEnergies(features: tf.Tensor2D, J: tf.Tensor2D, idx: Int32Array, d: number, M: number): tf.Tensor2D {
  const B = J.shape[0], P = J.shape[1];
  const rows = tf.reshape(tf.gather(tf.reshape(features, [-1, d * P]), tf.tensor1d(idx, 'int32')), [B, M, d, P]); // [B, M, d, P]
  const h = tf.sum(tf.mul(rows, tf.reshape(J, [B, 1, 1, P])), 3); // [B, M, d]
  return tf.neg(tf.sum(logCosh(h), 2)) as tf.Tensor2D;
}

export async function trainMlrgJob(a: MlrgTrainArgs): Promise<MlrgTrainResult> {
  const done = `${a.weights}.result.json`, key = JSON.stringify(a);
  // a finished job is reused only if it was trained with these very arguments: a resumed study with
  // other --set values must not analyse models of other settings (nor overwrite them)
  if (existsSync(a.weights) && existsSync(done)) {
    const saved = JSON.parse(readFileSync(done, 'utf8')) as MlrgTrainResult;
    if (saved.key !== key) throw new InputError(`${a.weights} was trained with other settings: rerun without --resume, or with another --out`);
    return saved;
  }
  const t0 = performance.now();
  const rep = representation(a.rep);
  const teacher = blockRbm('square', rep, rep, a.mirror), student = blockRbm('cross', rep, rep, a.mirror);
  // one state of each Z2 pair (s and S−1−s have equal probability in both machines): S/2 states
  const P = teacher.couplings, S = teacher.states / 2, d = rep.d;
  const fold = (s: number) => (s >= S ? 2 * S - 1 - s : s);
  const monotone: Monotone = createMonotone(P, a.hidden, Rng.stream(a.seed, 60));
  const features = studentFeatures(student, S);
  const betaAt = (epoch: number) => a.betaMax * Math.min(1, epoch / Math.max(1e-9, a.betaWarmup * a.epochs));
  // what beforeBatch prepares for the batch's loss
  let batch: { J: Float64Array[]; pTeacher: Float32Array; entropyTerm: number; data?: Int32Array; acceptance: number } = { J: [], pTeacher: new Float32Array(0), entropyTerm: 0, acceptance: 1 };
  // a fixed validation set of teacher couplings, with their exact teacher marginals
  const widths = Array.from({ length: P }, (_, p) => (p === 0 ? a.priorScale : a.otherScale ?? a.priorScale / Math.sqrt(P)));
  const vrng = Rng.stream(a.seed, 61);
  const signFold = a.fold ? couplingFold(rep, rep, a.mirror) : undefined;
  const validation = Array.from({ length: 64 }, () => { const J = Float64Array.from(widths, (w) => w * vrng.normal()); return signFold ? foldCouplings(signFold, J) : J; });
  const validationTeacher = validation.map((J) => logVisibleProbabilities(teacher, J, S));
  const validationKlBits = () => {
    const f = new MonotoneF64(monotone);
    let kl = 0;
    validation.forEach((J, i) => { kl += klDivergence(validationTeacher[i], logVisibleProbabilities(student, f.flow(J, 1, a.odeSteps), S)); });
    return kl / validation.length / Math.LN2;
  };
  let lastAcceptance = NaN;
  try {
    const r = train({
      params: monotone.params, optimizer: { kind: 'adam', learningRate: a.learningRate }, epochs: a.epochs, batchSize: 1, trainSize: a.stepsPerEpoch, seed: a.seed,
      beforeBatch: (rng, step) => {
        const proposal = proposeCouplings(monotone, { chains: a.chains, replicas: a.replicas, beta: betaAt(step.epoch), priorScale: widths, steps: a.hmcSteps, leapfrog: a.leapfrog, stepSize: a.hmcStepSize, fold: signFold }, rng);
        const onFlow = Math.min(a.flowTeachers ?? 0, proposal.J.length);
        if (onFlow > 0) {
          const f = new MonotoneF64(monotone);
          for (let k = 0; k < onFlow; k++) {
            let J: Float64Array = Float64Array.from({ length: P }, (_, p) => (p === 0 ? 1.5 * rng.uniform() : 0));
            const levels = 1 + Math.floor(4 * rng.uniform());
            for (let l = 0; l < levels; l++) { J = f.flow(J, 1, a.odeSteps); if (signFold) J = foldCouplings(signFold, J); }
            // a flow that ran off (ordered phase) teaches nothing the prior does not
            if (!J.every((v) => Number.isFinite(v) && Math.abs(v) < 5)) continue;
            // replace the β = 0 replicas first: they are the prior draws
            proposal.J[(k * Math.max(1, a.replicas)) % proposal.J.length] = J;
          }
        }
        const B = proposal.J.length;
        const pTeacher = new Float32Array(a.mode === 'exact' ? B * S : 0);
        let entropyTerm = 0; // Σ_b Σ_x p ln p, the KL's part without the student
        if (a.mode === 'exact') proposal.J.forEach((J, b) => {
          const lp = logVisibleProbabilities(teacher, J, S);
          for (let x = 0; x < S; x++) {
            const p = Math.exp(lp[x]);
            pTeacher[b * S + x] = p;
            if (p > 0) entropyTerm += p * lp[x];
          }
        });
        let data: Int32Array | undefined;
        if (a.mode === 'cd') {
          data = new Int32Array(B * a.samples);
          proposal.J.forEach((J, b) => data!.set(gibbsVisible(teacher, J, a.samples, a.gibbsSteps, rng).map(fold), b * a.samples));
        }
        batch = { J: proposal.J, pTeacher, entropyTerm: entropyTerm / B, data, acceptance: proposal.acceptance };
        lastAcceptance = proposal.acceptance;
      },
      loss: (_b, rng) => {
        const B = batch.J.length;
        const Jt = tf.tensor2d(Float32Array.from(batch.J.flatMap((j) => Array.from(j))), [B, P]); // [B, P], detached
        const J1 = rgFlow(monotone, Jt, 1, a.odeSteps); // [B, P]
        if (a.mode === 'exact') {
          // the batch's exact KL in bits, Σ p ln p − Σ p ln q
          const logQ = studentLogProbabilities(features, J1, S); // [B, S]
          const crossEntropy = tf.div(tf.sum(tf.mul(tf.tensor2d(batch.pTeacher, [B, S]), logQ)), B);
          return tf.div(tf.sub(batch.entropyTerm, crossEntropy), Math.LN2) as tf.Scalar;
        }
        // contrastive divergence: F(data) − F(model), model samples by CD-k from the data at J(1) (detached)
        const j1 = J1.dataSync();
        const model = new Int32Array(batch.data!.length);
        for (let b = 0; b < B; b++) {
          const Jb = Float64Array.from(j1.subarray(b * P, (b + 1) * P));
          model.set(gibbsVisible(student, Jb, a.samples, a.cdSteps, rng, batch.data!.subarray(b * a.samples, (b + 1) * a.samples)).map(fold), b * a.samples);
        }
        const fData = studentFreeEnergies(features, J1, batch.data!, d, a.samples);
        const fModel = studentFreeEnergies(features, J1, model, d, a.samples);
        return tf.mean(tf.sub(fData, fModel)) as tf.Scalar;
      },
      // deterministic given the weights and the epoch's last batch, so a resumed run records the same
      epochExtras: () => ({ klBits: validationKlBits(), acceptance: lastAcceptance }),
      checkpoint: { path: `${a.weights}.ckpt`, key, everySeconds: 30 },
      metricsPath: `${a.weights}.metrics.jsonl`,
    });
    saveMonotone(a.weights, monotone, { model: 'mlrg-monotone', rep: a.rep, mode: a.mode });
    const seconds = (performance.now() - t0) / 1000;
    const result: MlrgTrainResult = {
      weights: a.weights, key, rep: a.rep, mode: a.mode, couplings: P,
      epochs: r.metrics.map((m) => ({ epoch: m.epoch, loss: m.trainLoss, klBits: m.extra?.klBits ?? NaN, beta: betaAt(m.epoch), acceptance: m.extra?.acceptance ?? NaN })),
      seconds, secondsPerStep: seconds / Math.max(1, r.epochs * a.stepsPerEpoch),
    };
    writeFileAtomicSync(done, JSON.stringify(result));
    return result;
  } finally {
    features.dispose();
    disposeMonotone(monotone);
  }
}
