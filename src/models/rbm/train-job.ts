/**
 * One RBM per (dataset group, temperature) as a plain-data job: CD-k (or persistent CD) with Adam
 * until the mean |θ| plateaus (the paper's criterion; recorded), then raw Gibbs samples from random
 * starts and, beyond the paper, a Metropolis–Hastings chain with the RBM as proposal and the true
 * Boltzmann weight as target (sampling/neural-mh.ts), started from the raw samples.
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadConfigurations } from '../../nn/data.js';
import { permutation } from '../../nn/train.js';
import { Rng } from '../../sampling/rng.js';
import { checkpointTimer, loadCheckpoint, saveCheckpoint, writeFileAtomicSync } from '../../io/checkpoint.js';
import { importanceStarts, neuralMetropolis } from '../../sampling/neural-mh.js';
import { AdamAscent, contrastiveGradient, Rbm, rbmProposal } from './rbm.js';

export interface RbmTrainArgs {
  dataDir: string;
  group: string;
  T: number;
  maxEpochs: number;
  batchSize: number;
  learningRate: number;
  k: number;
  /** Persistent CD: the negative chains continue from one batch to the next instead of restarting at the data. */
  persistent: boolean;
  /** Plateau: stop when mean |θ| over the last `window` epochs differs from the window before by < tolerance (relative). */
  window: number;
  tolerance: number;
  samples: number;
  samplingSteps: number;
  /** Metropolis–Hastings steps per chain (0: no corrected chain). */
  mhSteps: number;
  /** MH chains, resampled from the raw samples by their weight π/p (≤ samples). */
  mhChains: number;
  /** Block-Gibbs steps per MH proposal (any number keeps the chain exact). */
  mhGibbs: number;
  /** Sweeps of local moves with the Boltzmann target after every MH step (sampling/neural-mh.ts). */
  mhLocal: number;
  /** Up spins of the conserved sector the MH chain is restricted to, or null. */
  upSpins: number | null;
  seed: number;
  weights: string;
}

export interface RbmTrainResult {
  L: number;
  T: number;
  epochs: number;
  plateau: boolean;
  meanAbsTheta: number[];
  /** Raw generated configurations, {0, 1}, [samples, L²]. */
  samples: number[];
  trainSeconds: number;
  mh: null | {
    /** Final states of the chains, {0, 1}, [mhChains, L²]. */
    samples: number[];
    acceptance: number;
    acceptanceError: number;
    outsideSector: number;
    tauEnergy: number;
    stuckChains: number;
    /** Effective sample size of the raw pool the starts were resampled from. */
    startsEffectiveSize: number;
    /** Mean E/N over chains after each step. */
    meanEnergyTrace: number[];
    seconds: number;
  };
}

interface RbmCheckpoint {
  epoch: number;
  W: Float64Array;
  b: Float64Array;
  c: Float64Array;
  adam: { step: number; m: Float64Array[]; v: Float64Array[] };
  chains: Uint8Array | null;
  meanAbsTheta: number[];
  gaps: number[];
  stopped: boolean;
}

export async function trainRbmJob(a: RbmTrainArgs): Promise<RbmTrainResult> {
  const done = `${a.weights}.result.json`;
  if (existsSync(a.weights) && existsSync(done)) return JSON.parse(readFileSync(done, 'utf8')) as RbmTrainResult;
  const t0 = performance.now();
  const set = await loadConfigurations(a.dataDir, { group: a.group, split: 'train', keep: (T) => T === a.T });
  const n = set.n;
  if (n === 0) throw new Error(`no training configurations at T = ${a.T} in group ${a.group}`);
  const V = set.L * set.L;
  const tag = Math.round(a.T * 1e6);
  const rbm = Rbm.random(V, V, Rng.stream(a.seed, 9, V, tag));
  const adam = new AdamAscent([rbm.W, rbm.b, rbm.c], a.learningRate);
  const grads: [Float64Array, Float64Array, Float64Array] = [new Float64Array(V * V), new Float64Array(V), new Float64Array(V)];
  const B = Math.min(a.batchSize, n);
  // persistent chains start at data configurations
  let st: RbmCheckpoint = { epoch: 0, W: rbm.W, b: rbm.b, c: rbm.c, adam: adam.save(), chains: a.persistent ? set.bits.slice(0, B * V) : null, meanAbsTheta: [], gaps: [], stopped: false };
  const ckPath = `${a.weights}.ckpt`, key = JSON.stringify({ ...a, mhSteps: 0, mhChains: 0, mhGibbs: 0, mhLocal: 0 });
  const resume = loadCheckpoint<RbmCheckpoint>(ckPath, 'rbm-training', key);
  if (resume) {
    rbm.W.set(resume.W); rbm.b.set(resume.b); rbm.c.set(resume.c);
    rbm.changed();
    adam.restore(resume.adam);
    st = { ...resume, W: rbm.W, b: rbm.b, c: rbm.c };
  }
  const save = () => saveCheckpoint<RbmCheckpoint>(ckPath, 'rbm-training', key, { ...st, adam: adam.save() });
  const due = checkpointTimer(30);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const data = new Uint8Array(B * V), negatives = new Uint8Array(B * V);
  const batches = Math.floor(n / B); // equal batches; the remainder joins the next epoch's shuffle
  while (st.epoch < a.maxEpochs && !st.stopped) {
    const order = permutation(n, Rng.stream(a.seed + tag, 0, st.epoch));
    let gap = 0;
    for (let q = 0; q < batches; q++) {
      const rng = Rng.stream(a.seed + tag, 1, st.epoch, q);
      for (let r = 0; r < B; r++) data.set(set.bits.subarray(order[q * B + r] * V, (order[q * B + r] + 1) * V), r * V);
      negatives.set(st.chains ?? data);
      for (let r = 0; r < B; r++) rbm.gibbs(negatives, r, a.k, rng);
      if (st.chains) st.chains.set(negatives);
      gap += contrastiveGradient(rbm, data, negatives, B, grads);
      adam.apply(grads);
      rbm.changed();
    }
    st.meanAbsTheta.push(rbm.meanAbsParameter());
    st.gaps.push(gap / batches);
    st.epoch++;
    const th = st.meanAbsTheta, w = a.window;
    if (th.length >= 2 * w) {
      const last = mean(th.slice(-w)), before = mean(th.slice(-2 * w, -w));
      if (Math.abs(last - before) < a.tolerance * Math.abs(before)) st.stopped = true;
    }
    if (due()) save();
  }
  save();
  writeFileAtomicSync(`${a.weights}.metrics.jsonl`, st.meanAbsTheta.map((m, e) => JSON.stringify({ epoch: e, meanAbsTheta: m, freeEnergyGap: st.gaps[e] })).join('\n') + '\n');
  rbm.save(a.weights);
  const trainSeconds = (performance.now() - t0) / 1000;
  const raw = rbm.sample(a.samples, a.samplingSteps, Rng.stream(a.seed, 10, V, tag).nextU32());
  let mh: RbmTrainResult['mh'] = null;
  if (a.mhSteps > 0) {
    const t1 = performance.now();
    const chains = Math.min(a.mhChains, a.samples);
    const proposal = rbmProposal(rbm, a.mhGibbs, a.upSpins);
    // starts resampled from all raw samples by their weight π/p (sampling/neural-mh.ts)
    const { starts, effectiveSize } = importanceStarts(proposal, raw, a.samples, chains, { L: set.L, T: a.T, upSpins: a.upSpins, seed: a.seed + tag });
    const r = neuralMetropolis(proposal, { L: set.L, T: a.T, upSpins: a.upSpins, starts, chains, steps: a.mhSteps, seed: a.seed + tag, localSweeps: a.mhLocal });
    const trace = Array.from({ length: a.mhSteps }, (_, t) => {
      let s = 0;
      for (let c = 0; c < chains; c++) s += r.energies[c * a.mhSteps + t];
      return s / chains;
    });
    mh = {
      samples: Array.from(r.final), acceptance: r.acceptance, acceptanceError: r.acceptanceError, outsideSector: r.outsideSector,
      tauEnergy: r.tauEnergy, stuckChains: r.stuckChains, meanEnergyTrace: trace, startsEffectiveSize: effectiveSize, seconds: (performance.now() - t1) / 1000,
    };
  }
  const result: RbmTrainResult = {
    L: set.L, T: a.T, epochs: st.epoch, plateau: st.stopped, meanAbsTheta: st.meanAbsTheta,
    samples: Array.from(raw), trainSeconds, mh,
  };
  writeFileAtomicSync(done, JSON.stringify(result));
  return result;
}
