/**
 * Azizi & Pleimling, RBM section (Figs. 5–8): RBMs trained on Monte Carlo configurations of the
 * conserved (M0 = 0, 30 excess spins) and non-conserved models generate new configurations, which
 * the shared evaluation harness judges against the Monte Carlo test configurations: ⟨E⟩, ⟨|M|⟩,
 * the energy histogram with the energies impossible at M0, the fraction that breaks M0, and C(r).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CRITICAL_TEMPERATURE } from '../exact/onsager.js';
import { readManifest } from '../data/manifest.js';
import { findGroup, readArray } from '../data/store.js';
import type { RbmTrainArgs, RbmTrainResult } from '../models/rbm/train-job.js';
import { evaluateConfigurations, type Evaluation } from '../evaluate/harness.js';
import { AccessibleEnergies } from '../exact/accessible-energies.js';
import { Report } from '../report/report.js';
import { linePlot, type Series } from '../report/plot.js';
import { pointSeed } from '../sampling/rng.js';
import { presetDataset, runNeuralStudy, studyJobs, type Study, type StudyContext, type StudyOutcome } from './study.js';

type Config = { maxEpochs: number; batchSize: number; learningRate: number; k: number; cd: 'cd' | 'pcd'; window: number; tolerance: number; samples: number; samplingSteps: number; mhSteps: number; mhChains: number; mhGibbs: number; mhLocal: number };

export const rbmStudy: Study<Config> = {
  name: 'rbm',
  title: 'RBM-generated configurations against Monte Carlo, with and without a conserved magnetization (Azizi & Pleimling, Figs. 5–8)',
  sweepTasks: 'one RBM per (L, M0, T)',
  params: {
    maxEpochs: { kind: 'integer', min: 1, description: 'epoch limit (training stops earlier when mean |θ| plateaus)' },
    batchSize: { kind: 'integer', min: 1, description: 'batch size' },
    learningRate: { kind: 'number', min: 1e-6, max: 1, description: 'Adam learning rate (paper 5e-3)' },
    k: { kind: 'integer', min: 1, description: 'Gibbs steps of CD-k (paper 10)' },
    cd: { kind: 'choice', choices: ['cd', 'pcd'], description: 'negative chains restart at the data (cd, paper) or persist between batches (pcd)' },
    window: { kind: 'integer', min: 1, description: 'plateau window in epochs' },
    tolerance: { kind: 'number', min: 0, max: 1, description: 'plateau: relative change of mean |θ| between windows' },
    samples: { kind: 'integer', min: 10, description: 'generated configurations per RBM' },
    samplingSteps: { kind: 'integer', min: 1, description: 'Gibbs steps from a random start per generated configuration' },
    mhSteps: { kind: 'integer', min: 0, description: 'beyond the paper: Metropolis–Hastings steps of the RBM-proposal chain toward the Boltzmann weight (0: none)' },
    mhChains: { kind: 'integer', min: 2, description: 'MH chains, their starts resampled from the raw samples by the weight π/p (at most samples)' },
    mhGibbs: { kind: 'integer', min: 1, description: 'Gibbs steps per MH proposal' },
    mhLocal: { kind: 'integer', min: 0, description: 'sweeps of local moves (Kawasaki at fixed M, else Metropolis) with the Boltzmann target after every MH step; the chain stays exact' },
  },
  defaults: (scale) => scale === 'paper'
    ? { maxEpochs: 2000, batchSize: 100, learningRate: 5e-3, k: 10, cd: 'cd', window: 50, tolerance: 0.005, samples: 10000, samplingSteps: 1000, mhSteps: 2000, mhChains: 2000, mhGibbs: 1, mhLocal: 2 }
    : { maxEpochs: 60, batchSize: 20, learningRate: 5e-3, k: 10, cd: 'cd', window: 10, tolerance: 0.01, samples: 1200, samplingSteps: 200, mhSteps: 400, mhChains: 300, mhGibbs: 1, mhLocal: 2 },
  async run(cfg: Config, ctx: StudyContext): Promise<StudyOutcome> {
    return runNeuralStudy(ctx, 'rbm', (work, backend) => runIn(work, cfg, ctx, this.title, backend.name, backend.detail));
  },
};

async function runIn(work: string, cfg: Config, ctx: StudyContext, title: string, backendName: 'wasm' | 'cpu' | 'webgpu' | 'tensorflow', backendDetail: string): Promise<StudyOutcome> {
  const { spec, dir: dataDir } = await presetDataset(work, 'rbm', ctx);
  const manifest = readManifest(dataDir);
  const models = join(work, 'models');
  mkdirSync(models, { recursive: true });
  const jobs: { group: string; L: number; M0: number | null; T: number; args: RbmTrainArgs }[] = [];
  for (const g of spec.groups) {
    for (const T of g.temperatures) {
      const N = g.L * g.L;
      const upSpins = g.magnetization === null ? null : (Math.round(g.magnetization * N) + N) / 2;
      const { cd, ...rest } = cfg;
      jobs.push({ group: g.name, L: g.L, M0: g.magnetization, T, args: { ...rest, persistent: cd === 'pcd', upSpins, dataDir, group: g.name, T, seed: pointSeed(ctx.seed, `${g.name} T=${T}`), weights: join(models, `rbm-${g.name}-T${T}.safetensors`) } });
    }
  }
  const t0 = performance.now();
  const module = new URL('../models/rbm/train-job.js', import.meta.url).href;
  const results = await studyJobs<RbmTrainResult>(ctx, jobs.map((j) => ({ module, fn: 'trainRbmJob', args: j.args, label: `${j.group} T=${j.T}`, cost: j.L ** 4 })), backendName, (d, n) => ctx.onProgress?.(d, n + 1));
  const trainSeconds = (performance.now() - t0) / 1000;

  // the harness: RBM samples against the Monte Carlo test configurations at the same T
  const evaluations: Evaluation[] = [];
  const corrected: (Evaluation | null)[] = [];
  const arrays = new Map<string, { spins: Int8Array; temps: Float64Array; split: Uint8Array }>();
  for (const [i, j] of jobs.entries()) {
    if (!arrays.has(j.group)) {
      const g = findGroup(manifest, j.group);
      arrays.set(j.group, {
        spins: (await readArray(dataDir, manifest, g, 'spins')) as Int8Array,
        temps: (await readArray(dataDir, manifest, g, 'temperature')) as Float64Array,
        split: (await readArray(dataDir, manifest, g, 'split')) as Uint8Array,
      });
    }
    const { spins, temps, split } = arrays.get(j.group) as { spins: Int8Array; temps: Float64Array; split: Uint8Array };
    const N = j.L * j.L;
    const rows = [...temps.keys()].filter((k) => temps[k] === j.T && split[k] === 2);
    const ref = new Int8Array(rows.length * N);
    rows.forEach((k, r) => ref.set(spins.subarray(k * N, (k + 1) * N), r * N));
    const samples = Int8Array.from(results[i].samples, (b) => (b > 0.5 ? 1 : -1));
    evaluations.push(evaluateConfigurations(samples, samples.length / N, j.L, { kind: 'monte-carlo', configs: ref, n: rows.length }, j.M0));
    const mh = results[i].mh;
    corrected.push(mh ? evaluateConfigurations(Int8Array.from(mh.samples, (b) => (b > 0.5 ? 1 : -1)), mh.samples.length / N, j.L, { kind: 'monte-carlo', configs: ref, n: rows.length }, j.M0) : null);
  }
  const report = new Report('rbm', title, { scale: ctx.scale, config: cfg, backend: backendDetail, trainSeconds });
  const pick = (group: string) => jobs.map((j, i) => ({ j, e: evaluations[i], c: corrected[i], r: results[i] })).filter((x) => x.j.group === group);
  const vT = [{ x: CRITICAL_TEMPERATURE, label: 'T_c' }];

  // Fig. 5: E and |M| vs T, RBM vs MC, M0 = 0, L = 8 and 12
  for (const [q, label, fig] of [['energyPerSpin', 'E/N', 'energy'], ['absMagnetization', '|M|/N', 'magnetization']] as const) {
    const series: Series[] = [];
    const rows: (number | string)[][] = [];
    for (const group of ['conserved-L8-M0', 'conserved-L12-M0']) {
      const xs = pick(group);
      series.push({ name: `MC ${group}`, style: 'line', dash: true, points: xs.map((x) => ({ x: x.j.T, y: x.e.reference[q].mean, error: x.e.reference[q].error })) });
      series.push({ name: `RBM ${group}`, style: 'points', points: xs.map((x) => ({ x: x.j.T, y: x.e.samples[q].mean, error: x.e.samples[q].error })) });
      const withMh = xs.filter((x) => x.c);
      if (withMh.length) series.push({ name: `RBM + MH ${group}`, style: 'points', points: withMh.map((x) => ({ x: x.j.T, y: (x.c as Evaluation).samples[q].mean, error: (x.c as Evaluation).samples[q].error })) });
      for (const x of xs) rows.push([group, x.j.T, x.e.reference[q].mean, x.e.reference[q].error, x.e.samples[q].mean, x.e.samples[q].error, x.c?.samples[q].mean ?? NaN, x.c?.samples[q].error ?? NaN]);
    }
    report.figure({ name: `fig5-${fig}`, caption: `Fig. 5: ${label} vs T, RBM (and beyond the paper, the RBM-proposal Metropolis–Hastings chain) against Monte Carlo, M0 = 0`, data: { columns: ['group', 'T', 'mc', 'mcError', 'rbm', 'rbmError', 'rbmMh', 'rbmMhError'], rows }, svg: linePlot({ title: `${label}: RBM vs MC (M0 = 0)`, xLabel: 'T', yLabel: label, vlines: vT, series }) });
  }
  // Fig. 6: energy histograms at T = 1 and 3, L = 12, M0 = 0, with the energies impossible at M0 marked
  for (const T of [1.0, 3.0]) {
    const x = pick('conserved-L12-M0').find((y) => y.j.T === T);
    if (!x) continue;
    const N = 144;
    const keys = [...new Set([...Object.keys(x.e.samples.energyDistribution), ...Object.keys(x.e.reference.energyDistribution), ...Object.keys(x.c?.samples.energyDistribution ?? {})])].map(Number).sort((a, b) => a - b);
    const e = (u: number) => (-2 * N + 2 * u) / N;
    const accessible = new AccessibleEnergies(12, N / 2);
    const forbidden = keys.length ? Array.from({ length: (keys[keys.length - 1] - keys[0]) / 2 + 1 }, (_, q) => keys[0] + 2 * q).filter((u) => accessible.classify(u) === 'impossible') : [];
    const series: Series[] = [
      { name: 'MC', style: 'both', points: keys.map((u) => ({ x: e(u), y: x.e.reference.energyDistribution[u] ?? 0 })) },
      { name: 'RBM', style: 'both', points: keys.map((u) => ({ x: e(u), y: x.e.samples.energyDistribution[u] ?? 0 })) },
    ];
    if (x.c) series.push({ name: 'RBM + MH', style: 'both', points: keys.map((u) => ({ x: e(u), y: x.c?.samples.energyDistribution[u] ?? 0 })) });
    report.figure({
      name: `fig6-histogram-t${T}`, caption: `Fig. 6: energy-density distribution at T = ${T}, L = 12, M0 = 0; ${(100 * (x.e.conserved?.impossibleEnergyFraction.mean ?? 0)).toFixed(1)} % of RBM samples at energies impossible at M0 = 0 (marked: ${forbidden.map((u) => e(u).toFixed(3)).join(', ') || 'none in range'}), ${(100 * (x.e.conserved?.breakingFraction.mean ?? 0)).toFixed(1)} % break M0`,
      data: { columns: ['energyPerSpin', 'possibleAtM0', 'mc', 'rbm', 'rbmMh'], rows: keys.map((u) => [e(u), accessible.classify(u), x.e.reference.energyDistribution[u] ?? 0, x.e.samples.energyDistribution[u] ?? 0, x.c?.samples.energyDistribution[u] ?? 0]) },
      svg: linePlot({ title: `P(E/N), T = ${T}, L = 12, M0 = 0`, xLabel: 'E/N', yLabel: 'probability', vlines: forbidden.map((u) => ({ x: e(u), label: 'impossible' })), series }),
    });
  }
  // beyond the paper: acceptance of the RBM-proposal Metropolis–Hastings chain vs T
  const groups = [...new Set(jobs.map((j) => j.group))];
  if (results.some((r) => r.mh)) {
    report.figure({
      name: 'mh-acceptance', caption: 'Beyond the paper: acceptance rate of the Metropolis–Hastings chain with the RBM (one Gibbs step, restricted to M0 where conserved) as proposal and the Boltzmann weight as target',
      data: { columns: ['group', 'T', 'acceptance', 'acceptanceError', 'tauEnergy', 'stuckChains', 'seconds'], rows: jobs.flatMap((j, i) => (results[i].mh ? [[j.group, j.T, results[i].mh?.acceptance ?? NaN, results[i].mh?.acceptanceError ?? NaN, results[i].mh?.tauEnergy ?? NaN, results[i].mh?.stuckChains ?? NaN, results[i].mh?.seconds ?? NaN]] : [])) },
      svg: linePlot({ title: 'RBM-proposal MH: acceptance vs T', xLabel: 'T', yLabel: 'acceptance', vlines: vT, series: groups.map((g) => ({ name: g, style: 'both' as const, points: pick(g).filter((x) => x.r.mh && x.r.mh.acceptance > 0).map((x) => ({ x: x.j.T, y: x.r.mh?.acceptance ?? NaN, error: x.r.mh?.acceptanceError })) })) }),
    });
  }
  // Figs. 7, 8: C(r) at four temperatures
  for (const [group, name, fig] of [['conserved-L12-M0', 'fig7-correlation-m0', 7], ['conserved-L12-excess30', 'fig7-correlation-excess30', 7], ['ising-L12', 'fig8-correlation-ising', 8]] as const) {
    const xs = pick(group).filter((x) => [1.0, 2.0, 2.5, 3.0].includes(x.j.T));
    const series: Series[] = xs.flatMap((x) => [
      { name: `MC T = ${x.j.T}`, style: 'line' as const, dash: true, points: x.e.reference.correlation.map((c) => ({ x: c.r, y: c.mean, error: c.error })) },
      { name: `RBM T = ${x.j.T}`, style: 'points' as const, points: x.e.samples.correlation.map((c) => ({ x: c.r, y: c.mean, error: c.error })) },
      ...(x.c ? [{ name: `RBM + MH T = ${x.j.T}`, style: 'points' as const, points: x.c.samples.correlation.map((c) => ({ x: c.r, y: c.mean, error: c.error })) }] : []),
    ]);
    report.figure({
      name, caption: `Fig. ${fig}: C(r), ${group}, RBM against Monte Carlo`,
      data: { columns: ['T', 'r', 'mc', 'mcError', 'rbm', 'rbmError', 'rbmMh', 'rbmMhError'], rows: xs.flatMap((x) => x.e.reference.correlation.map((c, r) => [x.j.T, r, c.mean, c.error, x.e.samples.correlation[r].mean, x.e.samples.correlation[r].error, x.c?.samples.correlation[r].mean ?? NaN, x.c?.samples.correlation[r].error ?? NaN])) },
      svg: linePlot({ title: `C(r), ${group}`, xLabel: 'r', yLabel: 'C(r)', series }),
    });
  }
  // numbers next to the paper's
  const at = (group: string, T: number) => pick(group).find((x) => Math.abs(x.j.T - T) < 1e-9);
  const l12t1 = at('conserved-L12-M0', 1.0);
  if (l12t1?.e.conserved) {
    report.compare({ quantity: 'L = 12, M0 = 0, T = 1: RBM samples at energies impossible at M0 = 0', spinflow: l12t1.e.conserved.impossibleEnergyFraction, paper: '≈ 23 % (one energy, Fig. 6)', note: `rule: ${l12t1.e.conserved.impossibleRule}; ${(100 * (l12t1.e.conserved.unobservedEnergyFraction?.mean ?? 0)).toFixed(1)} % at energies absent from the MC test set` });
    report.compare({ quantity: 'L = 12, M0 = 0, T = 1: RBM samples that break M0', spinflow: l12t1.e.conserved.breakingFraction, paper: '> 0 (Fig. 5b)' });
  }
  const describe = (e: Evaluation) => `MC ${e.reference.energyPerSpin.mean.toFixed(4)} ± ${e.reference.energyPerSpin.error.toFixed(4)}, ${e.energyDeviationSigmas.toFixed(1)}σ; |M| ${e.absMagnetizationDeviationSigmas.toFixed(1)}σ; C(r) ${e.correlationMaxDeviation ? `${e.correlationMaxDeviation.sigmas.toFixed(1)}σ at r = ${e.correlationMaxDeviation.r}` : '–'}; P(E) p = ${e.energyTest.pValue.toExponential(1)}`;
  for (const x of jobs.map((j, i) => ({ j, e: evaluations[i], c: corrected[i], r: results[i] }))) {
    report.compare({
      quantity: `${x.j.group}, T = ${x.j.T}: E/N RBM vs MC`, spinflow: x.e.samples.energyPerSpin, paper: 'close to MC', exact: null,
      note: `${describe(x.e)}; ${x.r.epochs} epochs${x.r.plateau ? ' (plateau)' : ' (limit)'}`,
    });
    if (x.c && x.r.mh) {
      report.compare({
        quantity: `${x.j.group}, T = ${x.j.T}: E/N RBM + MH vs MC (beyond the paper)`, spinflow: x.c.samples.energyPerSpin, paper: '–', exact: null,
        note: `${describe(x.c)}; acceptance ${(100 * x.r.mh.acceptance).toFixed(2)} %, τ_int(E) ${x.r.mh.tauEnergy.toFixed(1)} steps, ${x.r.mh.stuckChains} chains without a late move`,
      });
    }
  }
  // how many (group, T) pass the harness within 4σ (E, |M|, largest C(r) deviation): raw RBM vs MH chain
  const agrees = (e: Evaluation | null) => e !== null && Math.abs(e.energyDeviationSigmas) < 4 && !(Math.abs(e.absMagnetizationDeviationSigmas) >= 4) && Math.abs(e.correlationMaxDeviation?.sigmas ?? 0) < 4;
  const rawAgree = evaluations.filter(agrees).length, mhAgree = corrected.filter(agrees).length, mhCount = corrected.filter((c) => c !== null).length;
  report.summary.findings = Object.fromEntries(jobs.map((j, i) => [`${j.group}@T=${j.T}`, {
    epochs: results[i].epochs, plateau: results[i].plateau, trainSeconds: results[i].trainSeconds,
    energySigmas: evaluations[i].energyDeviationSigmas, absMagnetizationSigmas: evaluations[i].absMagnetizationDeviationSigmas,
    energyTotalVariation: evaluations[i].energyTotalVariation, energyPValue: evaluations[i].energyTest.pValue,
    correlationMaxDeviation: evaluations[i].correlationMaxDeviation, conserved: evaluations[i].conserved,
    mh: results[i].mh ? {
      acceptance: results[i].mh?.acceptance, acceptanceError: results[i].mh?.acceptanceError, startsEffectiveSize: results[i].mh?.startsEffectiveSize, tauEnergy: results[i].mh?.tauEnergy, stuckChains: results[i].mh?.stuckChains, seconds: results[i].mh?.seconds,
      energySigmas: corrected[i]?.energyDeviationSigmas, absMagnetizationSigmas: corrected[i]?.absMagnetizationDeviationSigmas, energyPValue: corrected[i]?.energyTest.pValue,
      correlationMaxDeviation: corrected[i]?.correlationMaxDeviation, conserved: corrected[i]?.conserved,
    } : null,
  }]));
  report.summary.harnessAgreement = { criterion: '|E|, |M| and max C(r) deviation < 4σ', raw: `${rawAgree} of ${jobs.length}`, metropolisHastings: `${mhAgree} of ${mhCount}` };
  const lines = [
    `${jobs.length} RBMs trained in ${trainSeconds.toFixed(1)} s; harness agreement with MC (|E|, |M|, max C(r) within 4σ): raw ${rawAgree} of ${jobs.length}, MH-corrected ${mhAgree} of ${mhCount}`,
    'group                      T      raw: E (σ)  |M| (σ)  C(r) (σ)  breaks M0  impossible E    MH: acc %  E (σ)  |M| (σ)  C(r) (σ)',
  ];
  const f1 = (x: number | undefined, w: number) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(1)).padStart(w);
  for (const [i, j] of jobs.entries()) {
    const e = evaluations[i], c = corrected[i], mh = results[i].mh;
    lines.push(`${j.group.padEnd(26)} ${j.T.toFixed(3).padStart(5)}  ${f1(e.energyDeviationSigmas, 10)}  ${f1(e.absMagnetizationDeviationSigmas, 7)}  ${f1(e.correlationMaxDeviation?.sigmas, 8)}  ${e.conserved ? `${(100 * e.conserved.breakingFraction.mean).toFixed(1)}%`.padStart(9) : '        –'}  ${e.conserved ? `${(100 * e.conserved.impossibleEnergyFraction.mean).toFixed(1)}%`.padStart(12) : '           –'}    ${mh ? (100 * mh.acceptance).toFixed(2).padStart(9) : '        –'}  ${f1(c?.energyDeviationSigmas, 5)}  ${f1(c?.absMagnetizationDeviationSigmas, 7)}  ${f1(c?.correlationMaxDeviation?.sigmas, 8)}`);
  }
  ctx.onProgress?.(jobs.length + 1, jobs.length + 1);
  return { report, text: lines.join('\n'), passed: true };
}
