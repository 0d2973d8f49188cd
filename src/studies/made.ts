/**
 * Wang, Jiang & Zhou, "Extract the Hamiltonian from configurations at one temperature" (Figs. 3–4):
 * a MADE learns p_θ(s) from Monte Carlo configurations at T = 2.5, so H_θ = −T log p_θ; Metropolis
 * with exp(−H_θ/T) at other temperatures predicts the phase structure. The same on 2 × 2 block sums
 * (stride 1 and 2). Beyond the paper: the couplings J(r) read off H_θ by least squares, every
 * generated ensemble judged by the evaluation harness, and the MADE as an independence proposal of an
 * exact Metropolis–Hastings chain toward the Ising weight.
 *
 * Pipeline: the `made` dataset → one job per degree of freedom (train, transfer, samples; parallel
 * worker threads) → H_θ against H on held-out T = 2.5 configurations → figures and numbers.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CRITICAL_TEMPERATURE } from '../exact/onsager.js';
import { InputError } from '../errors.js';
import { presetSpec } from '../data/spec.js';
import { readManifest } from '../data/manifest.js';
import { findGroup, readArray } from '../data/store.js';
import { blockSpinPerSite, blockSumCategories, blocksPerSide } from '../lattice/blocks.js';
import { bondSum, squareLattice } from '../lattice/square.js';
import { crossing } from '../observables/scaling.js';
import { simulate } from '../sampling/simulate.js';
import { fitPairHamiltonian, fitPairHamiltonianFromFlips } from '../observables/pair-fit.js';
import { evaluateConfigurations, meanError, type Evaluation } from '../evaluate/harness.js';
import { loadMade, logProbOf, disposeMade } from '../models/made/made.js';
import { DOFS, type Dof } from '../models/made/train-job.js';
import type { MadeStudyJobArgs, MadeStudyJobResult } from '../models/made/study-job.js';
import { Report } from '../report/report.js';
import { linePlot, type Series } from '../report/plot.js';
import { pointSeed } from '../sampling/rng.js';
import { presetDataset, runNeuralStudy, studyJobs, type Study, type StudyContext, type StudyOutcome } from './study.js';

type Config = {
  hidden: number[]; order: 'raster' | 'random'; direct: 'no' | 'yes'; epochs: number; batchSize: number; learningRate: number; patience: number;
  chains: number; thermalize: number; sweeps: number; snapshots: number; rawSamples: number; mhTemperatures: number[]; mhChains: number; mhSteps: number; couplings: number; couplingConfigs: number;
};

const TRAIN_T = 2.5;

export const madeStudy: Study<Config> = {
  name: 'made',
  title: 'A MADE learns the Hamiltonian at T = 2.5 and predicts the phase structure (Wang, Jiang & Zhou, Figs. 3–4)',
  sweepTasks: 'one MADE per degree of freedom (spins, block sums), with its transfer to every T',
  params: {
    hidden: { kind: 'list', description: 'hidden widths (paper 180,120)' },
    order: { kind: 'choice', choices: ['raster', 'random'], description: 'autoregressive site order' },
    direct: { kind: 'choice', choices: ['no', 'yes'], description: 'direct input → output connections of the spin MADE (Germain et al.\'s option; the paper does not say)' },
    epochs: { kind: 'integer', min: 1, description: 'epoch limit (early stopping on the validation NLL)' },
    batchSize: { kind: 'integer', min: 1, description: 'batch size (paper: 60 000 configurations in 128 batches)' },
    learningRate: { kind: 'number', min: 1e-6, max: 1, description: 'Adam learning rate' },
    patience: { kind: 'integer', min: 1, description: 'epochs without a better validation NLL before stopping' },
    chains: { kind: 'integer', min: 1, description: 'Metropolis chains per temperature with the learned H' },
    thermalize: { kind: 'integer', min: 0, description: 'discarded sweeps per chain' },
    sweeps: { kind: 'integer', min: 4, description: 'measured sweeps per chain' },
    snapshots: { kind: 'integer', min: 1, description: 'configurations per chain kept for the harness (evenly spaced over the measured sweeps)' },
    rawSamples: { kind: 'integer', min: 10, description: 'exact samples of p_θ judged against MC at T = 2.5' },
    mhTemperatures: { kind: 'list', description: 'beyond the paper: temperatures of the MADE-proposal Metropolis–Hastings chain' },
    mhChains: { kind: 'integer', min: 1, description: 'MH chains per temperature' },
    mhSteps: { kind: 'integer', min: 1, description: 'MH steps per chain (each one exact MADE sample)' },
    couplings: { kind: 'integer', min: 1, max: 12, description: 'distance classes in the fit of J(r)' },
    couplingConfigs: { kind: 'integer', min: 1, description: 'held-out configurations whose N single flips enter the fit of J(r)' },
  },
  defaults: (scale) => scale === 'paper'
    // direct connections on for spins: without them the learned H_θ puts the coupling on the diagonal (54 000 configurations,
    // 60 epochs: J(1) = 0.25, J(√2) = 0.41, R² of H_θ vs H 0.93); with them J(1) = 0.95, |J(r > 1)| < 0.04, R² 0.997. The
    // block-sum MADEs keep the paper's network: their one-hot inputs would make the direct matrix 1125² (stride 1)
    ? { hidden: [180, 120], order: 'raster', direct: 'yes', epochs: 300, batchSize: 469, learningRate: 1e-3, patience: 10, chains: 8, thermalize: 200, sweeps: 600, snapshots: 20, rawSamples: 2000, mhTemperatures: [2.0, 2.2, 2.5, 2.8, 3.0], mhChains: 256, mhSteps: 400, couplings: 5, couplingConfigs: 400 }
    : { hidden: [180, 120], order: 'raster', direct: 'yes', epochs: 40, batchSize: 128, learningRate: 1e-3, patience: 5, chains: 6, thermalize: 30, sweeps: 60, snapshots: 4, rawSamples: 300, mhTemperatures: [2.25, 2.5, 2.75], mhChains: 48, mhSteps: 150, couplings: 4, couplingConfigs: 100 },
  async run(cfg: Config, ctx: StudyContext): Promise<StudyOutcome> {
    // the harness judges the MH chains against the reference grid's Monte Carlo: refuse a T off it before any work
    const grid = presetSpec('made', ctx.scale, ctx.seed, 'npy').groups.find((g) => g.name === 'reference')!.temperatures;
    for (const T of cfg.mhTemperatures) {
      if (!grid.some((t) => Math.abs(t - T) < 1e-9)) throw new InputError(`--set mhTemperatures: T = ${T} is not on the ${ctx.scale} reference grid (${grid[0]}, ${grid[1]}, …, ${grid[grid.length - 1]}), where the harness has Monte Carlo configurations`);
    }
    return runNeuralStudy(ctx, 'made', (work, backend) => runIn(work, cfg, ctx, this.title, backend.name, backend.detail));
  },
};

interface RefPoint { T: number; spin: number; spinError: number; block1: number; block1Error: number; block2: number; block2Error: number }

async function runIn(work: string, cfg: Config, ctx: StudyContext, title: string, backendName: 'wasm' | 'cpu' | 'webgpu' | 'tensorflow', backendDetail: string): Promise<StudyOutcome> {
  const { dir: dataDir } = await presetDataset(work, 'made', ctx);
  const manifest = readManifest(dataDir);
  const refGroup = findGroup(manifest, 'reference');
  const temperatures = refGroup.temperatures.map((t) => t.T);
  const models = join(work, 'models');
  mkdirSync(models, { recursive: true });
  const jobs = DOFS.map((dof): MadeStudyJobArgs => ({
    dataDir, group: 'train', T: TRAIN_T, dof, hidden: cfg.hidden, order: cfg.order, direct: cfg.direct === 'yes' && dof === 'spin', epochs: cfg.epochs, batchSize: cfg.batchSize,
    learningRate: cfg.learningRate, patience: cfg.patience, seed: pointSeed(ctx.seed, `dof=${dof}`), weights: join(models, `made-${dof}.safetensors`),
    temperatures, chains: cfg.chains, thermalize: cfg.thermalize, sweeps: cfg.sweeps, snapshots: cfg.snapshots, rawSamples: cfg.rawSamples,
    mh: dof === 'spin' ? { temperatures: cfg.mhTemperatures, chains: cfg.mhChains, steps: cfg.mhSteps } : null,
  }));
  const t0 = performance.now();
  const module = new URL('../models/made/study-job.js', import.meta.url).href;
  const results = await studyJobs<MadeStudyJobResult>(ctx, jobs.map((args) => ({ module, fn: 'madeStudyJob', args, label: `dof=${args.dof}` })), backendName, (d, n) => ctx.onProgress?.(d, n + 1));
  const jobSeconds = (performance.now() - t0) / 1000;
  const byDof = Object.fromEntries(DOFS.map((d, i) => [d, results[i]])) as Record<Dof, MadeStudyJobResult>;

  // Monte Carlo reference: test configurations of the reference grid, in all three degrees of freedom
  const spins = (await readArray(dataDir, manifest, refGroup, 'spins')) as Int8Array;
  const temps = (await readArray(dataDir, manifest, refGroup, 'temperature')) as Float64Array;
  const L = refGroup.arrays.spins.shape[1], N = L * L;
  const rowsAt = (T: number) => [...temps.keys()].filter((k) => Math.abs(temps[k] - T) < 1e-9);
  const configsAt = (T: number) => {
    const rows = rowsAt(T);
    const out = new Int8Array(rows.length * N);
    rows.forEach((k, r) => out.set(spins.subarray(k * N, (k + 1) * N), r * N));
    return { configs: out, n: rows.length };
  };
  const reference: RefPoint[] = temperatures.map((T) => {
    const { configs, n } = configsAt(T);
    const spin = meanError(Array.from({ length: n }, (_, k) => Math.abs(configs.subarray(k * N, (k + 1) * N).reduce((a, s) => a + s, 0)) / N));
    const blocks = [1, 2].map((stride) => {
      const M = blocksPerSide(L, stride);
      const cats = blockSumCategories(configs, n, L, stride);
      return meanError(Array.from({ length: n }, (_, k) => blockSpinPerSite(cats, k, M * M)));
    });
    return { T, spin: spin.mean, spinError: spin.error, block1: blocks[0].mean, block1Error: blocks[0].error, block2: blocks[1].mean, block2Error: blocks[1].error };
  });

  const report = new Report('made', title, { scale: ctx.scale, config: cfg, backend: backendDetail, jobSeconds, L, trainTemperature: TRAIN_T });

  // Fig. 3 inset: H_θ = −T log p_θ against the Ising H on held-out configurations at T = 2.5
  const held = configsAt(TRAIN_T);
  const lattice = squareLattice(L);
  const H = Array.from({ length: held.n }, (_, k) => -bondSum(lattice, held.configs.subarray(k * N, (k + 1) * N)));
  const made = loadMade(byDof.spin.train.weights);
  const heldBits = Uint8Array.from(held.configs, (s) => (s > 0 ? 1 : 0));
  const Htheta = Array.from(logProbOf(made, heldBits, held.n), (lp) => -TRAIN_T * lp);
  // single-flip differences ΔH_θ on the first configurations, for the couplings the chains feel
  const nFlip = Math.min(held.n, cfg.couplingConfigs);
  const flipped = new Uint8Array(nFlip * N * N);
  for (let k = 0; k < nFlip; k++) {
    for (let i = 0; i < N; i++) {
      const row = (k * N + i) * N;
      flipped.set(heldBits.subarray(k * N, (k + 1) * N), row);
      flipped[row + i] ^= 1;
    }
  }
  const flippedLogp = logProbOf(made, flipped, nFlip * N);
  const dHtheta = Array.from(flippedLogp, (lp, q) => -TRAIN_T * lp - Htheta[Math.floor(q / N)]);
  disposeMade(made);
  const fit = linearFit(H, Htheta);
  report.figure({
    name: 'fig3-inset-hamiltonian', caption: `Fig. 3 inset: H_θ = −T log p_θ against the Ising H on ${held.n} held-out configurations at T = ${TRAIN_T} (L = ${L}); fit H_θ = ${fit.a.toFixed(3)}·H + ${fit.b.toFixed(1)}, R² = ${fit.r2.toFixed(3)}`,
    data: { columns: ['H', 'Htheta'], rows: H.map((h, k) => [h, Htheta[k]]) },
    svg: linePlot({ title: `H_θ vs H at T = ${TRAIN_T}`, xLabel: 'H (Ising)', yLabel: 'H_θ = −T log p_θ', series: [{ name: 'configurations', style: 'points', points: H.map((h, k) => ({ x: h, y: Htheta[k] })) }, { name: `fit a = ${fit.a.toFixed(3)}`, style: 'line', dash: true, points: [Math.min(...H), Math.max(...H)].map((h) => ({ x: h, y: fit.a * h + fit.b })) }] }),
  });
  report.compare({ quantity: `H_θ vs H at T = ${TRAIN_T}: slope a`, spinflow: { mean: fit.a, error: fit.aError }, paper: '≈ 1 (Fig. 3 inset)', exact: 1 });
  report.compare({ quantity: `H_θ vs H at T = ${TRAIN_T}: R²`, spinflow: fit.r2, paper: 'matches well' });

  // Fig. 3: ⟨|M|⟩/N vs T, Ising MC against Metropolis with the learned H
  const mcCurve = reference.map((p) => ({ T: p.T, y: p.spin, error: p.spinError }));
  const madeCurve = byDof.spin.transfer.map((p) => ({ T: p.T, y: p.mean, error: p.error }));
  const crossMc = crossing(mcCurve), crossMade = crossing(madeCurve);
  const vT = [{ x: CRITICAL_TEMPERATURE, label: 'T_c' }, { x: TRAIN_T, label: 'T_train' }];
  report.figure({
    name: 'fig3-magnetization', caption: `Fig. 3: ⟨|M|⟩/N vs T, Ising Monte Carlo against Metropolis with exp(−H_θ/T) (L = ${L}); crossings of ½ at T = ${crossMc.toFixed(3)} (MC) and ${crossMade.toFixed(3)} (MADE)`,
    data: { columns: ['T', 'mc', 'mcError', 'made', 'madeError', 'madeTauInt', 'madeAcceptance'], rows: reference.map((p, q) => [p.T, p.spin, p.spinError, byDof.spin.transfer[q].mean, byDof.spin.transfer[q].error, byDof.spin.transfer[q].tauInt, byDof.spin.transfer[q].acceptance]) },
    svg: linePlot({ title: `⟨|M|⟩/N: Ising vs MADE Hamiltonian (L = ${L})`, xLabel: 'T', yLabel: '⟨|M|⟩/N', vlines: vT, hlines: [{ y: 0.5, label: '½' }], series: [{ name: 'Ising MC', style: 'line', dash: true, points: mcCurve.map((p) => ({ x: p.T, y: p.y, error: p.error })) }, { name: 'MADE H_θ', style: 'both', points: madeCurve.map((p) => ({ x: p.T, y: p.y, error: p.error })) }] }),
  });
  report.compare({ quantity: '⟨|M|⟩/N = ½ crossing: MADE H_θ minus Ising MC', spinflow: crossMade - crossMc, paper: '≈ 0 (Fig. 3)', note: `MC ${crossMc.toFixed(3)}, MADE ${crossMade.toFixed(3)}` });

  // Fig. 4: spin per site vs T for the Ising model, the spin MADE and both block-sum MADEs
  const curves: Record<string, { T: number; y: number; error: number }[]> = {
    'Ising MC (spins)': mcCurve,
    'MADE, spins': madeCurve,
    'MADE, blocks stride 1': byDof.block1.transfer.map((p) => ({ T: p.T, y: p.mean, error: p.error })),
    'MADE, blocks stride 2': byDof.block2.transfer.map((p) => ({ T: p.T, y: p.mean, error: p.error })),
    'Ising MC, blocks stride 1': reference.map((p) => ({ T: p.T, y: p.block1, error: p.block1Error })),
    'Ising MC, blocks stride 2': reference.map((p) => ({ T: p.T, y: p.block2, error: p.block2Error })),
  };
  report.figure({
    name: 'fig4-coarse-grained', caption: 'Fig. 4: spin per site vs T — Ising Monte Carlo, the MADE Hamiltonian on spins, and on 2 × 2 block sums at stride 1 (15 × 15) and stride 2 (8 × 8), with the block spin per site |Σ S|/(4M²) of the MC configurations for comparison',
    data: { columns: ['T', ...Object.keys(curves).flatMap((k) => [k, `${k} error`])], rows: temperatures.map((T, q) => [T, ...Object.values(curves).flatMap((c) => [c[q].y, c[q].error])]) },
    svg: linePlot({ title: 'Spin per site vs T', xLabel: 'T', yLabel: 'spin per site', vlines: vT, series: Object.entries(curves).map(([name, c]) => ({ name, style: name.startsWith('Ising') ? 'line' as const : 'both' as const, dash: name.startsWith('Ising'), points: c.map((p) => ({ x: p.T, y: p.y, error: p.error })) })) }),
  });
  for (const dof of ['block1', 'block2'] as const) {
    const c = crossing(byDof[dof].transfer.map((p) => ({ T: p.T, y: p.mean, error: p.error })));
    const cm = crossing(reference.map((p) => ({ T: p.T, y: dof === 'block1' ? p.block1 : p.block2, error: 0 })));
    report.compare({ quantity: `spin per site = ½ crossing, MADE on block sums (stride ${dof === 'block1' ? 1 : 2}) minus Ising MC blocks`, spinflow: c - cm, paper: dof === 'block1' ? 'almost the original, small gap near T_c' : 'qualitative', note: `MADE ${c.toFixed(3)}, MC ${cm.toFixed(3)}` });
  }

  // beyond the paper: couplings J(r) read off H_θ, from single-flip differences (main) and from H_θ itself
  const pairs = fitPairHamiltonianFromFlips(dHtheta, held.configs, nFlip, L, cfg.couplings);
  const global = fitPairHamiltonian(Htheta, held.configs, held.n, L, cfg.couplings);
  report.figure({
    name: 'couplings', caption: `Beyond the paper: J(r) of the learned Hamiltonian — least squares of the single-flip differences ΔH_θ = 2 s_i (Σ_r J(r) Σ_{j at r} s_j + h) over ${nFlip} held-out configurations × ${N} sites (R² = ${pairs.r2.toFixed(3)}), and of H_θ itself on ${held.n} configurations (R² = ${global.r2.toFixed(3)}; at one temperature the pair sums are nearly collinear); the Ising model has J(1) = 1, J(r > 1) = 0`,
    data: { columns: ['r', 'J', 'error', 'JfromH', 'JfromHError'], rows: pairs.couplings.map((c, k) => [c.r, c.J, c.error, global.couplings[k].J, global.couplings[k].error]) },
    svg: linePlot({ title: 'Couplings of the learned Hamiltonian', xLabel: 'r', yLabel: 'J(r)', hlines: [{ y: 1, label: 'J(1) Ising' }, { y: 0, label: '0' }], series: [{ name: 'from single flips', style: 'both', points: pairs.couplings.map((c) => ({ x: c.r, y: c.J, error: c.error })) }, { name: 'from H_θ', style: 'points', points: global.couplings.map((c) => ({ x: c.r, y: c.J, error: c.error })) }] }),
  });
  pairs.couplings.forEach((c) => report.compare({ quantity: `J(r = ${c.r.toFixed(3)}) from single flips of H_θ`, spinflow: { mean: c.J, error: c.error }, paper: 'not quantified', exact: c.r === 1 ? 1 : 0 }));
  report.compare({ quantity: 'field h from single flips of H_θ', spinflow: { mean: pairs.field.h, error: pairs.field.error }, exact: 0 });

  const metropolisTau = new Map<number, number>();
  // the harness: raw MADE samples at T_train, Metropolis with H_θ at every T, and the MH chain
  const evaluations: { what: string; T: number; e: Evaluation; extra?: string }[] = [];
  const ref = (T: number) => ({ kind: 'monte-carlo' as const, ...configsAt(T) });
  const raw = byDof.spin.raw;
  evaluations.push({ what: 'MADE samples', T: TRAIN_T, e: evaluateConfigurations(Int8Array.from(raw, (b) => (b ? 1 : -1)), raw.length / N, L, ref(TRAIN_T)) });
  for (const p of byDof.spin.transfer) evaluations.push({ what: 'Metropolis with H_θ', T: p.T, e: evaluateConfigurations(Int8Array.from(p.snapshots, (b) => (b ? 1 : -1)), p.snapshots.length / N, L, ref(p.T)), extra: `${cfg.chains} chains × ${cfg.snapshots} snapshots ${Math.floor(cfg.sweeps / cfg.snapshots)} sweeps apart` });
  for (const p of byDof.spin.mh) evaluations.push({ what: 'MADE-proposal MH', T: p.T, e: evaluateConfigurations(Int8Array.from(p.final, (b) => (b ? 1 : -1)), p.final.length / N, L, ref(p.T)), extra: `acceptance ${(100 * p.acceptance).toFixed(2)} %, τ_int(E) ${p.tauEnergy.toFixed(1)} steps` });
  for (const x of evaluations) {
    report.compare({
      quantity: `${x.what}, T = ${x.T}: E/N against MC`, spinflow: x.e.samples.energyPerSpin, paper: x.what === 'MADE-proposal MH' ? '– (beyond the paper)' : '–',
      note: `MC ${x.e.reference.energyPerSpin.mean.toFixed(4)} ± ${x.e.reference.energyPerSpin.error.toFixed(4)} (${x.e.energyDeviationSigmas.toFixed(1)}σ); |M| ${x.e.absMagnetizationDeviationSigmas.toFixed(1)}σ; P(E) p = ${x.e.energyTest.pValue.toExponential(1)}; C(r) ${x.e.correlationMaxDeviation ? `${x.e.correlationMaxDeviation.sigmas.toFixed(1)}σ at r = ${x.e.correlationMaxDeviation.r}` : '–'}${x.extra ? `; ${x.extra}` : ''}`,
    });
  }
  if (byDof.spin.mh.length) {
    // single-spin Metropolis at the same L and T, for τ_int(E) in sweeps
    const metropolis = await simulate({ L, T: cfg.mhTemperatures, algorithm: 'metropolis', sweeps: 20_000, thermalize: 2_000, chains: 2, seed: ctx.seed, workers: ctx.workers });
    const tauMc = (T: number) => metropolis.find((r) => Math.abs(r.T - T) < 1e-9)?.energyPerSpin.tauInt ?? NaN;
    for (const T of cfg.mhTemperatures) metropolisTau.set(T, tauMc(T));
    report.figure({
      name: 'mh-acceptance', caption: `Beyond the paper: the MADE as independence proposal of a Metropolis–Hastings chain toward the Ising weight — acceptance rate, and τ_int(E) in proposals next to τ_int(E) of single-spin Metropolis in sweeps (2 chains × 20 000 sweeps)`,
      data: { columns: ['T', 'acceptance', 'acceptanceError', 'tauProposals', 'stuckChains', 'tauMetropolisSweeps', 'seconds'], rows: byDof.spin.mh.map((p) => [p.T, p.acceptance, p.acceptanceError, p.tauEnergy, p.stuckChains, tauMc(p.T), p.seconds]) },
      svg: linePlot({ title: 'MADE-proposal MH: acceptance vs T', xLabel: 'T', yLabel: 'acceptance', vlines: vT, series: [{ name: 'acceptance', style: 'both', points: byDof.spin.mh.map((p) => ({ x: p.T, y: p.acceptance, error: p.acceptanceError })) }] }),
    });
  }

  const timing = Object.fromEntries(DOFS.map((d) => [d, { trainSeconds: byDof[d].train.seconds, epochs: byDof[d].train.metrics.length, validationNllPerSite: byDof[d].train.validationNllPerSite, transferSeconds: byDof[d].transferSeconds }]));
  report.summary.findings = {
    hamiltonianFit: fit, crossing: { mc: crossMc, made: crossMade }, couplings: pairs, couplingsFromH: global, timing,
    mh: byDof.spin.mh.map((p) => ({ T: p.T, acceptance: p.acceptance, acceptanceError: p.acceptanceError, tauEnergyProposals: p.tauEnergy, tauEnergyMetropolisSweeps: metropolisTau.get(p.T) ?? null, stuckChains: p.stuckChains, seconds: p.seconds })),
    harness: evaluations.map((x) => ({ what: x.what, T: x.T, energySigmas: x.e.energyDeviationSigmas, absMagnetizationSigmas: x.e.absMagnetizationDeviationSigmas, energyPValue: x.e.energyTest.pValue, correlationMaxDeviation: x.e.correlationMaxDeviation })),
  };
  const lines = [
    `3 MADEs (spins, blocks stride 1 and 2) trained and transferred in ${jobSeconds.toFixed(1)} s on ${backendDetail}`,
    `H_θ vs H at T = ${TRAIN_T}: slope ${fit.a.toFixed(3)} ± ${fit.aError.toFixed(3)}, R² ${fit.r2.toFixed(3)}`,
    `⟨|M|⟩/N = ½ at T = ${crossMc.toFixed(3)} (Ising MC) and ${crossMade.toFixed(3)} (MADE H_θ)`,
    `J(r): ${pairs.couplings.map((c) => `J(${c.r.toFixed(2)}) = ${c.J.toFixed(3)} ± ${c.error.toFixed(3)}`).join(', ')}`,
    ...byDof.spin.mh.map((p) => `MADE-proposal MH at T = ${p.T}: acceptance ${(100 * p.acceptance).toFixed(2)} %, τ_int(E) ${p.tauEnergy.toFixed(1)} proposals`),
    ...evaluations.filter((x) => x.what !== 'Metropolis with H_θ' || Math.abs(x.T - TRAIN_T) < 1e-9).map((x) => `${x.what} at T = ${x.T}: E ${x.e.energyDeviationSigmas.toFixed(1)}σ, |M| ${x.e.absMagnetizationDeviationSigmas.toFixed(1)}σ, P(E) p = ${x.e.energyTest.pValue.toExponential(1)}`),
  ];
  ctx.onProgress?.(jobs.length + 1, jobs.length + 1);
  return { report, text: lines.join('\n'), passed: true };
}

/** Least squares y ≈ a x + b with the standard error of a and R². */
function linearFit(x: number[], y: number[]): { a: number; aError: number; b: number; r2: number } {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n, my = y.reduce((s, v) => s + v, 0) / n;
  let sxx = 0, sxy = 0, syy = 0;
  for (let k = 0; k < n; k++) {
    sxx += (x[k] - mx) ** 2;
    sxy += (x[k] - mx) * (y[k] - my);
    syy += (y[k] - my) ** 2;
  }
  const a = sxy / sxx, b = my - a * mx;
  const rss = syy - a * sxy;
  return { a, aError: Math.sqrt(Math.max(0, rss / Math.max(1, n - 2) / sxx)), b, r2: syy > 0 ? 1 - rss / syy : NaN };
}
