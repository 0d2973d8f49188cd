/**
 * Li & Wang, "Neural Network Renormalization Group" (Figs. 3, 4, S1, S2): a MERA-like RealNVP flow
 * trained by the variational (reverse-KL) loss on the continuous relaxation of the critical Ising
 * model, its free energy against the exact value (Kaufman), hybrid Monte Carlo in the latent space
 * against HMC in the physical space for the structure factor, the response of the top latent
 * variables and the mutual information of latent against physical variables (KSG), the relative error against T and
 * depth, generated samples as images, and the generated Ising spins judged by the harness.
 *
 * Pipeline: trainings (the main flow and the T × depth sweep) as parallel worker jobs → HMC chains
 * with the main flow → Wolff references → figures and numbers.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CRITICAL_TEMPERATURE } from '../exact/onsager.js';
import { sha256File } from '../io/stream.js';
import { Rng, pointSeed } from '../sampling/rng.js';
import { simulate } from '../sampling/simulate.js';
import { equilibriumConfigurations } from '../sampling/configurations.js';
import { evaluateConfigurations } from '../evaluate/harness.js';
import { disposeFlow, generate, infer, loadFlow, sampleFlow, type FlowSpec } from '../models/neuralrg/flow.js';
import { ksgMutualInformation } from '../observables/mutual-information.js';
import { equilibriumStart, hmc } from '../models/neuralrg/hmc.js';
import { isingFieldSource, spinsFromField } from '../models/neuralrg/source.js';
import type { NeuralRgTrainArgs, NeuralRgTrainResult } from '../models/neuralrg/train-job.js';
import { Report } from '../report/report.js';
import { heatmaps, linePlot, spinImages } from '../report/plot.js';
import { runNeuralStudy, studyJobs, type Study, type StudyContext, type StudyOutcome } from './study.js';

type Config = {
  L: number; depth: number; couplings: number; hidden: number; symmetric: 'yes' | 'no'; epochs: number; stepsPerEpoch: number; batchSize: number; learningRate: number; warmupSteps: number;
  hmcChains: number; hmcSteps: number; equilibriumSteps: number; leapfrog: number; latentStepSize: number; physicalStepSize: number;
  sweepTemperatures: number[]; sweepDepths: number[]; sweepEpochs: number; samples: number;
};

export const neuralRgStudy: Study<Config> = {
  name: 'neuralrg',
  title: 'Neural network renormalization group: a hierarchical RealNVP flow for the critical Ising model (Li & Wang, Figs. 3, 4, S1, S2)',
  sweepTasks: 'one flow per (depth, T), plus the main flow at T_c',
  params: {
    L: { kind: 'integer', min: 2, description: 'lattice side, a power of 2 (paper 16, S1 32)' },
    depth: { kind: 'integer', min: 1, description: 'levels of disentangler + decimator (≤ log₂ L)' },
    couplings: { kind: 'integer', min: 1, description: 'RealNVP coupling layers per block (paper 10)' },
    hidden: { kind: 'integer', min: 1, description: 'hidden units of the s, t network (paper 64)' },
    symmetric: { kind: 'choice', choices: ['yes', 'no'], description: 'Z2-symmetrized density q_sym (App. D; the paper\'s main run)' },
    epochs: { kind: 'integer', min: 1, description: 'training epochs' },
    stepsPerEpoch: { kind: 'integer', min: 1, description: 'optimizer steps per epoch' },
    batchSize: { kind: 'integer', min: 1, description: 'latent samples per step' },
    learningRate: { kind: 'number', min: 1e-6, max: 1, description: 'Adam learning rate' },
    warmupSteps: { kind: 'integer', min: 0, description: 'steps of linear learning-rate warm-up of every flow (0: none)' },
    hmcChains: { kind: 'integer', min: 2, description: 'parallel HMC chains (latent and physical each)' },
    hmcSteps: { kind: 'integer', min: 4, description: 'HMC steps per chain' },
    equilibriumSteps: { kind: 'integer', min: 4, description: 'steps of the physical HMC started at exact draws of π(x), for its τ_int in equilibrium' },
    leapfrog: { kind: 'integer', min: 1, description: 'leapfrog steps per HMC step' },
    latentStepSize: { kind: 'number', min: 1e-4, max: 10, description: 'leapfrog step in the latent space' },
    physicalStepSize: { kind: 'number', min: 1e-4, max: 10, description: 'leapfrog step in the physical space' },
    sweepTemperatures: { kind: 'list', description: 'Fig. S1/S2: temperatures of the T × depth sweep' },
    sweepDepths: { kind: 'list', description: 'Fig. S1/S2: depths of the sweep' },
    sweepEpochs: { kind: 'integer', min: 1, description: 'epochs of each sweep training' },
    samples: { kind: 'integer', min: 10, description: 'generated configurations judged by the harness' },
  },
  defaults: (scale) => scale === 'paper'
    // batch 64 at learning rate 1e-3 (L = 16, depth 4): 0.72 % relative error after 1500 steps of 0.66 s here; batch 256
    // at 3e-4 (2.4 s a step) was still at 31 % after 88 steps, and batch 256 at 1e-3 diverged within 10 steps.
    // Warm-up over 100 steps: without it the depth-4 flow at T = 2.0 diverged in its first 50 steps (loss 1.6e12);
    // with it, the same seed is at −574.6 after 100 (exact −662.7).
    // HMC: 64 chains × 1000 steps of 5 leapfrog steps (≈ 80 min here at ≈ 5 s a latent step): started at flow
    // samples, the latent chain's structure factor was still falling after 300 steps (0.69 → 0.60, Wolff 0.544) and
    // took ≈ 200 steps to level off in a 32-chain run, though its τ_int over steps 150–300 was 10
    ? { L: 16, depth: 4, couplings: 10, hidden: 64, symmetric: 'yes', epochs: 40, stepsPerEpoch: 50, batchSize: 64, learningRate: 1e-3, warmupSteps: 100, hmcChains: 64, hmcSteps: 1000, equilibriumSteps: 10000, leapfrog: 5, latentStepSize: 0.3, physicalStepSize: 0.1, sweepTemperatures: [2.0, 2.1, 2.2, 2.3, 2.4, 2.5, 2.6, 2.7], sweepDepths: [1, 2, 3, 4], sweepEpochs: 30, samples: 2000 }
    : { L: 8, depth: 3, couplings: 4, hidden: 32, symmetric: 'yes', epochs: 10, stepsPerEpoch: 50, batchSize: 64, learningRate: 3e-3, warmupSteps: 0, hmcChains: 64, hmcSteps: 100, equilibriumSteps: 2000, leapfrog: 5, latentStepSize: 0.3, physicalStepSize: 0.1, sweepTemperatures: [2.0, 2.7], sweepDepths: [1, 3], sweepEpochs: 3, samples: 500 },
  async run(cfg: Config, ctx: StudyContext): Promise<StudyOutcome> {
    return runNeuralStudy(ctx, 'neuralrg', (work, backend) => runIn(work, cfg, ctx, this.title, backend.name, backend.detail));
  },
};

async function runIn(work: string, cfg: Config, ctx: StudyContext, title: string, backendName: 'wasm' | 'cpu' | 'webgpu' | 'tensorflow', backendDetail: string): Promise<StudyOutcome> {
  const models = join(work, 'models');
  mkdirSync(models, { recursive: true });
  const Tc = CRITICAL_TEMPERATURE;
  const spec = (depth: number): FlowSpec => ({ L: cfg.L, depth, block: { couplings: cfg.couplings, hidden: cfg.hidden }, symmetric: cfg.symmetric === 'yes' });
  const base = { stepsPerEpoch: cfg.stepsPerEpoch, batchSize: cfg.batchSize, learningRate: cfg.learningRate, warmupSteps: cfg.warmupSteps, seed: ctx.seed };
  const jobs: { label: string; T: number; depth: number; args: NeuralRgTrainArgs }[] = [
    { label: 'main', T: Tc, depth: cfg.depth, args: { ...base, flow: spec(cfg.depth), T: Tc, epochs: cfg.epochs, weights: join(models, `flow-main.safetensors`) } },
  ];
  for (const depth of cfg.sweepDepths) {
    for (const T of cfg.sweepTemperatures) jobs.push({ label: 'sweep', T, depth, args: { ...base, flow: spec(depth), T, epochs: cfg.sweepEpochs, weights: join(models, `flow-d${depth}-T${T}.safetensors`) } });
  }
  const t0 = performance.now();
  const module = new URL('../models/neuralrg/train-job.js', import.meta.url).href;
  const label = (j: (typeof jobs)[number]) => `${j.label} depth=${j.depth} T=${j.T}`;
  const total = jobs.length + 2 * cfg.hmcSteps + cfg.equilibriumSteps + 1; // progress: trainings, HMC steps, the analysis
  const results = await studyJobs<NeuralRgTrainResult>(ctx, jobs.map((j) => ({ module, fn: 'trainNeuralRgJob', args: { ...j.args, seed: pointSeed(ctx.seed, label(j)) }, label: label(j) })), backendName, (d) => ctx.onProgress?.(d, total));
  const trainSeconds = (performance.now() - t0) / 1000;
  const main = results[0];
  const report = new Report('neuralrg', title, { scale: ctx.scale, config: cfg, backend: backendDetail, trainSeconds, secondsPerStep: main.secondsPerStep });

  // Fig. 3a: relative error of the variational free energy vs epoch
  report.figure({
    name: 'fig3a-free-energy', caption: `Fig. 3a: relative error of the variational free energy against the exact −ln Z = ${main.exactFreeEnergy.toFixed(4)} (Kaufman + Gaussian integral), L = ${cfg.L}, T = T_c, depth ${cfg.depth}${cfg.symmetric === 'yes' ? ', q_sym' : ''}`,
    data: { columns: ['epoch', 'freeEnergy', 'relativeError'], rows: main.epochs.map((e) => [e.epoch, e.freeEnergy, e.relativeError]) },
    svg: linePlot({ title: `Variational free energy, L = ${cfg.L}, T_c`, xLabel: 'epoch', yLabel: 'relative error', series: [{ name: 'relative error', style: 'both', points: main.epochs.map((e) => ({ x: e.epoch, y: e.relativeError })) }] }),
  });
  const relError = { mean: main.finalRelativeError, error: main.finalFreeEnergy.error / Math.abs(main.exactFreeEnergy) };
  report.compare({ quantity: `relative error of the variational free energy, L = ${cfg.L}, T_c`, spinflow: relError, paper: '≈ 1 % near T_c (L = 32), 0.45 % at T = 2.0', note: `F_var = ${main.finalFreeEnergy.mean.toFixed(4)} ± ${main.finalFreeEnergy.error.toFixed(4)}, exact ${main.exactFreeEnergy.toFixed(4)}` });

  // Fig. 3b: structure factor along latent and physical HMC, against Wolff Monte Carlo of the Ising model
  const src = isingFieldSource(cfg.L, Tc);
  const flow = loadFlow(main.weights);
  // the chains checkpoint in the work folder, so --resume continues a killed paper-scale HMC (hours on 2 cores)
  const hmcCheckpoint = (name: string, steps: number) => ({
    path: join(work, `hmc-${name}.ckpt`), everySeconds: 30,
    key: JSON.stringify({ name, L: cfg.L, chains: cfg.hmcChains, steps, leapfrog: cfg.leapfrog, stepSize: name === 'latent' ? cfg.latentStepSize : cfg.physicalStepSize, seed: ctx.seed, flow: name === 'latent' ? sha256File(main.weights) : null }),
  });
  const latent = hmc(src, flow, { space: 'latent', chains: cfg.hmcChains, steps: cfg.hmcSteps, leapfrogSteps: cfg.leapfrog, stepSize: cfg.latentStepSize, seed: ctx.seed, checkpoint: hmcCheckpoint('latent', cfg.hmcSteps), onProgress: (t) => ctx.onProgress?.(jobs.length + t, total) });
  const physical = hmc(src, null, { space: 'physical', chains: cfg.hmcChains, steps: cfg.hmcSteps, leapfrogSteps: cfg.leapfrog, stepSize: cfg.physicalStepSize, seed: ctx.seed + 1, checkpoint: hmcCheckpoint('physical', cfg.hmcSteps), onProgress: (t) => ctx.onProgress?.(jobs.length + cfg.hmcSteps + t, total) });
  // Fig. 3b's physical chains relax from N(0, 1) and have not reached equilibrium, so their τ_int says little; these
  // start at exact draws x = As + A^{1/2}ξ of π(x) (s from Wolff), so their τ_int is the equilibrium one
  const equilibrium = hmc(src, null, {
    space: 'physical', chains: cfg.hmcChains, steps: cfg.equilibriumSteps, leapfrogSteps: cfg.leapfrog, stepSize: cfg.physicalStepSize, seed: ctx.seed + 2,
    start: equilibriumStart(src, null, cfg.hmcChains, ctx.seed),
    checkpoint: hmcCheckpoint('physical-equilibrium', cfg.equilibriumSteps), onProgress: (t) => ctx.onProgress?.(jobs.length + 2 * cfg.hmcSteps + t, total),
  });
  const [wolff] = await simulate({ L: cfg.L, T: Tc, algorithm: 'wolff', sweeps: 50_000, thermalize: 2_000, chains: 2, seed: ctx.seed, workers: ctx.workers });
  const S = wolff.structureFactor;
  report.figure({
    name: 'fig3b-structure-factor', caption: `Fig. 3b: structure factor ⟨(Σ s_i)²⟩/N² along HMC in the latent space (acceptance ${(100 * latent.acceptance).toFixed(1)} %) and in the physical space (acceptance ${(100 * physical.acceptance).toFixed(1)} %), ${cfg.hmcChains} chains each, against Wolff Monte Carlo of the Ising model ${S.mean.toFixed(4)} ± ${S.error.toFixed(4)}`,
    data: { columns: ['step', 'latent', 'physical'], rows: latent.structureFactorTrace.map((v, t) => [t, v, physical.structureFactorTrace[t]]) },
    svg: linePlot({ title: `Structure factor along HMC, L = ${cfg.L}, T_c`, xLabel: 'HMC step', yLabel: '⟨(Σ s)²⟩/N²', hlines: [{ y: S.mean, label: 'Ising MC' }], series: [{ name: 'latent HMC', style: 'line', points: latent.structureFactorTrace.map((v, t) => ({ x: t, y: v })) }, { name: 'physical HMC', style: 'line', points: physical.structureFactorTrace.map((v, t) => ({ x: t, y: v })) }] }),
  });
  for (const [name, r, paper] of [['latent HMC', latent, 'converges to the Ising value'], ['physical HMC', physical, 'fails to thermalize in the same steps'], ['physical HMC from exact draws of π(x)', equilibrium, '–']] as const) {
    report.compare({ quantity: `structure factor, ${name} (second half)`, spinflow: { mean: r.mean, error: r.error }, exact: null, paper, sigmas: (r.mean - S.mean) / Math.hypot(r.error, S.error), note: `Ising MC ${S.mean.toFixed(4)} ± ${S.error.toFixed(4)}; τ_int of the chain-averaged series ${r.tauInt.toFixed(1)} HMC steps over ${r.structureFactorTrace.length - Math.floor(r.structureFactorTrace.length / 2)}; acceptance ${(100 * r.acceptance).toFixed(1)} %; ${(1000 * r.secondsPerStep).toFixed(0)} ms per step; relaxation check: third quarter ${r.drift.thirdQuarter.toFixed(4)}, fourth ${r.drift.lastQuarter.toFixed(4)} (${r.drift.sigmas.toFixed(1)}σ)` });
  }
  // wall time per independent measurement, 2 τ_int × seconds per step: the paper holds latent HMC more efficient even with the flow's cost
  const independent = { latent: 2 * latent.tauInt * latent.secondsPerStep, physicalEquilibrium: 2 * equilibrium.tauInt * equilibrium.secondsPerStep };
  report.compare({ quantity: 'τ_int of the structure factor (HMC steps): latent chain (second half) against the physical chain in equilibrium', spinflow: latent.tauInt, paper: 'latent HMC mixes faster, even counting the network\'s cost', note: `physical ${equilibrium.tauInt.toFixed(1)} steps (second half of ${cfg.equilibriumSteps} steps from exact draws of π(x)), ratio ${(equilibrium.tauInt / latent.tauInt).toFixed(1)}; per step ${(1000 * latent.secondsPerStep).toFixed(0)} ms latent, ${(1000 * equilibrium.secondsPerStep).toFixed(0)} ms physical; per independent measurement (2τ_int steps) ${independent.latent.toFixed(2)} s latent, ${independent.physicalEquilibrium.toFixed(2)} s physical` });

  // the harness: Ising spins from generated x, against Wolff configurations
  const gen = sampleFlow(flow, cfg.samples, Rng.stream(ctx.seed, 40));
  const spins = spinsFromField(gen.x.dataSync(), Rng.stream(ctx.seed, 41));
  tf.dispose([gen.x, gen.z, gen.logq]);
  const reference = equilibriumConfigurations(cfg.L, Tc, cfg.samples, ctx.seed + 7);
  const e = evaluateConfigurations(spins, cfg.samples, cfg.L, { kind: 'monte-carlo', configs: reference, n: cfg.samples });
  const latentSpins = spinsFromField(latent.finalX, Rng.stream(ctx.seed, 42));
  const eLatent = evaluateConfigurations(latentSpins, cfg.hmcChains, cfg.L, { kind: 'monte-carlo', configs: reference, n: cfg.samples });
  for (const [what, x] of [['flow samples', e], ['latent HMC end states', eLatent]] as const) {
    report.compare({ quantity: `${what}: Ising E/N against Wolff MC`, spinflow: x.samples.energyPerSpin, paper: '–', exact: null, sigmas: x.energyDeviationSigmas, note: `MC ${x.reference.energyPerSpin.mean.toFixed(4)} ± ${x.reference.energyPerSpin.error.toFixed(4)}; |M| ${x.absMagnetizationDeviationSigmas.toFixed(1)}σ; P(E) p = ${x.energyTest.pValue.toExponential(1)}; C(r) ${x.correlationMaxDeviation ? `${x.correlationMaxDeviation.sigmas.toFixed(1)}σ at r = ${x.correlationMaxDeviation.r}` : '–'}` });
  }
  // Fig. 4a: response of two top latent variables to the physical field, E_x[∂z_k/∂x] over x = g(z)
  const top = [0, 2 ** (Math.min(cfg.depth, Math.log2(cfg.L)) - 1)]; // the coarsest kept site and a latent of the last decimator
  const zs = tf.tensor2d(Float32Array.from({ length: 64 * src.N }, (() => { const r = Rng.stream(ctx.seed, 45); return () => r.normal(); })()), [64, src.N]);
  const xs = tf.tidy(() => generate(flow, zs).x);
  const responses = top.map((k) => {
    const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.slice(infer(flow, x as tf.Tensor2D).z, [0, k], [-1, 1])));
    const g = tf.tidy(() => tf.mean(grad(xs), 0));
    const values = Array.from(g.dataSync());
    g.dispose();
    return { k, values };
  });
  tf.dispose([zs, xs]);
  report.figure({
    name: 'fig4a-response', caption: `Fig. 4a: response E[∂z_k/∂x] of the top latent variables (site ${top.join(' and site ')}) to the physical variables, over 64 generated x = g(z); red positive, blue negative, each map scaled to its largest |value|`,
    data: { columns: ['latentSite', 'site', 'response'], rows: responses.flatMap((r) => r.values.map((v, i) => [r.k, i, v])) },
    svg: heatmaps(responses.map((r) => ({ values: r.values, L: cfg.L, caption: `z at site ${r.k}` })), Math.max(4, Math.floor(96 / cfg.L))),
  });
  // Figs. 4b, c: mutual information between physical variables and between latent variables vs distance (KSG, k = 3)
  const nMi = Math.min(cfg.samples, 800);
  const mi = sampleFlow(flow, nMi, Rng.stream(ctx.seed, 46));
  const xMi = mi.x.dataSync(), zMi = mi.z.dataSync();
  tf.dispose([mi.x, mi.z, mi.logq]);
  const column = (a: ArrayLike<number>, i: number) => Float64Array.from({ length: nMi }, (_, r) => a[r * src.N + i]);
  const bases = [0, 1, cfg.L, cfg.L + 1].filter((i) => i < src.N);
  const distances = Array.from({ length: cfg.L / 2 }, (_, r) => r + 1);
  const miRows = distances.map((r) => {
    const avg = (a: ArrayLike<number>) => bases.reduce((acc, i) => acc + ksgMutualInformation(column(a, i), column(a, (i - (i % cfg.L)) + ((i % cfg.L) + r) % cfg.L), 3), 0) / bases.length;
    return { r, physical: avg(xMi), latent: avg(zMi) };
  });
  report.figure({
    name: 'fig4bc-mutual-information', caption: `Figs. 4b, c: mutual information (KSG, k = 3, ${nMi} samples, averaged over ${bases.length} base sites) between variables r apart along a row, physical x against latent z`,
    data: { columns: ['r', 'physical', 'latent'], rows: miRows.map((m) => [m.r, m.physical, m.latent]) },
    svg: linePlot({ title: 'Mutual information vs distance', xLabel: 'r', yLabel: 'I (nats)', series: [{ name: 'physical x', style: 'both', points: miRows.map((m) => ({ x: m.r, y: m.physical })) }, { name: 'latent z', style: 'both', points: miRows.map((m) => ({ x: m.r, y: m.latent })) }] }),
  });
  disposeFlow(flow);

  // Figs. S1, S2: relative error vs T for each depth; one generated sample per (depth, T)
  const sweep = jobs.map((j, i) => ({ j, r: results[i] })).filter((x) => x.j.label === 'sweep');
  if (sweep.length) {
    report.figure({
      name: 'figs1-error-vs-temperature', caption: `Fig. S1: relative error of the variational free energy vs T for depths ${cfg.sweepDepths.join(', ')} (L = ${cfg.L}, ${cfg.sweepEpochs} epochs each)`,
      data: { columns: ['depth', 'T', 'relativeError', 'error'], rows: sweep.map((x) => [x.j.depth, x.j.T, x.r.finalRelativeError, x.r.finalFreeEnergy.error / Math.abs(x.r.exactFreeEnergy)]) },
      svg: linePlot({ title: 'Relative free-energy error vs T', xLabel: 'T', yLabel: 'relative error', vlines: [{ x: Tc, label: 'T_c' }], series: cfg.sweepDepths.map((d) => ({ name: `depth ${d}`, style: 'both' as const, points: sweep.filter((x) => x.j.depth === d).map((x) => ({ x: x.j.T, y: x.r.finalRelativeError, error: x.r.finalFreeEnergy.error / Math.abs(x.r.exactFreeEnergy) })) })) }),
    });
    const images = sweep.map((x) => {
      const f = loadFlow(x.r.weights);
      const s = sampleFlow(f, 1, Rng.stream(ctx.seed, 43, x.j.depth, Math.round(x.j.T * 1000)));
      const img = { spins: spinsFromField(s.x.dataSync(), Rng.stream(ctx.seed, 44)), L: cfg.L, caption: `d${x.j.depth} T${x.j.T}` };
      tf.dispose([s.x, s.z, s.logq]);
      disposeFlow(f);
      return img;
    });
    report.figure({ name: 'figs2-samples', caption: 'Fig. S2: Ising spins drawn from π(s|x) of one generated x per (depth, T)', data: { columns: ['depth', 'T'], rows: sweep.map((x) => [x.j.depth, x.j.T]) }, svg: spinImages(images, Math.max(2, Math.floor(64 / cfg.L))) });
  }
  report.summary.findings = {
    exactFreeEnergy: main.exactFreeEnergy, finalFreeEnergy: main.finalFreeEnergy, relativeError: main.finalRelativeError, secondsPerStep: main.secondsPerStep, trainSeconds,
    structureFactor: { ising: S, latent: { mean: latent.mean, error: latent.error, tauInt: latent.tauInt, acceptance: latent.acceptance, steps: cfg.hmcSteps, drift: latent.drift }, physical: { mean: physical.mean, error: physical.error, tauInt: physical.tauInt, acceptance: physical.acceptance, steps: cfg.hmcSteps, drift: physical.drift },
      physicalEquilibrium: { mean: equilibrium.mean, error: equilibrium.error, tauInt: equilibrium.tauInt, acceptance: equilibrium.acceptance, steps: cfg.equilibriumSteps, drift: equilibrium.drift },
      secondsPerStep: { latent: latent.secondsPerStep, physicalEquilibrium: equilibrium.secondsPerStep }, secondsPerIndependentMeasurement: independent },
    harness: { flow: { energySigmas: e.energyDeviationSigmas, absMagnetizationSigmas: e.absMagnetizationDeviationSigmas, energyPValue: e.energyTest.pValue }, latentHmc: { energySigmas: eLatent.energyDeviationSigmas, absMagnetizationSigmas: eLatent.absMagnetizationDeviationSigmas, energyPValue: eLatent.energyTest.pValue } },
    sweep: sweep.map((x) => ({ depth: x.j.depth, T: x.j.T, relativeError: x.r.finalRelativeError })),
    mutualInformation: miRows,
  };
  const lines = [
    `${jobs.length} flows trained in ${trainSeconds.toFixed(1)} s on ${backendDetail} (${(1000 * main.secondsPerStep).toFixed(0)} ms per step of the main flow)`,
    `variational free energy ${main.finalFreeEnergy.mean.toFixed(4)} ± ${main.finalFreeEnergy.error.toFixed(4)} vs exact ${main.exactFreeEnergy.toFixed(4)}: relative error ${(100 * main.finalRelativeError).toFixed(2)} %`,
    `structure factor: Ising MC ${S.mean.toFixed(4)} ± ${S.error.toFixed(4)}, latent HMC ${latent.mean.toFixed(4)} ± ${latent.error.toFixed(4)} (τ_int ${latent.tauInt.toFixed(1)}, acceptance ${(100 * latent.acceptance).toFixed(1)} %), physical HMC ${physical.mean.toFixed(4)} ± ${physical.error.toFixed(4)} (τ_int ${physical.tauInt.toFixed(1)}, acceptance ${(100 * physical.acceptance).toFixed(1)} %)`,
    `physical HMC from exact draws of π(x): ${equilibrium.mean.toFixed(4)} ± ${equilibrium.error.toFixed(4)}, τ_int ${equilibrium.tauInt.toFixed(1)} steps against the latent chain's ${latent.tauInt.toFixed(1)} (${(1000 * equilibrium.secondsPerStep).toFixed(0)} and ${(1000 * latent.secondsPerStep).toFixed(0)} ms per step: ${independent.physicalEquilibrium.toFixed(2)} and ${independent.latent.toFixed(2)} s per independent measurement)`,
    `harness, flow samples vs Wolff: E ${e.energyDeviationSigmas.toFixed(1)}σ, |M| ${e.absMagnetizationDeviationSigmas.toFixed(1)}σ; latent HMC end states: E ${eLatent.energyDeviationSigmas.toFixed(1)}σ, |M| ${eLatent.absMagnetizationDeviationSigmas.toFixed(1)}σ`,
    ...sweep.map((x) => `depth ${x.j.depth}, T = ${x.j.T}: relative error ${(100 * x.r.finalRelativeError).toFixed(2)} %`),
    `mutual information at r = 1 … ${cfg.L / 2}: physical ${miRows.map((m) => m.physical.toFixed(3)).join(', ')}; latent ${miRows.map((m) => m.latent.toFixed(3)).join(', ')}`,
  ];
  ctx.onProgress?.(total, total);
  return { report, text: lines.join('\n'), passed: true };
}
