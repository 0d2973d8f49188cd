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
import { runJobs } from '../nn/parallel.js';
import type { RbmTrainArgs, RbmTrainResult } from '../models/rbm/train-job.js';
import { evaluateConfigurations, type Evaluation } from '../evaluate/harness.js';
import { Report } from '../report/report.js';
import { linePlot, type Series } from '../report/plot.js';
import { presetDataset, runNeuralStudy, type Study, type StudyContext, type StudyOutcome } from './study.js';

type Config = { maxEpochs: number; batchSize: number; learningRate: number; k: number; window: number; tolerance: number; samples: number; samplingSteps: number };

export const rbmStudy: Study<Config> = {
  name: 'rbm',
  title: 'RBM-generated configurations against Monte Carlo, with and without a conserved magnetization (Azizi & Pleimling, Figs. 5–8)',
  params: {
    maxEpochs: { kind: 'integer', min: 1, description: 'epoch limit (training stops earlier when mean |θ| plateaus)' },
    batchSize: { kind: 'integer', min: 1, description: 'batch size' },
    learningRate: { kind: 'number', min: 1e-6, max: 1, description: 'Adam learning rate (paper 5e-3)' },
    k: { kind: 'integer', min: 1, description: 'Gibbs steps of CD-k (paper 10)' },
    window: { kind: 'integer', min: 1, description: 'plateau window in epochs' },
    tolerance: { kind: 'number', min: 0, max: 1, description: 'plateau: relative change of mean |θ| between windows' },
    samples: { kind: 'integer', min: 10, description: 'generated configurations per RBM' },
    samplingSteps: { kind: 'integer', min: 1, description: 'Gibbs steps from a random start per generated configuration' },
  },
  defaults: (scale) => scale === 'paper'
    ? { maxEpochs: 2000, batchSize: 100, learningRate: 5e-3, k: 10, window: 50, tolerance: 0.005, samples: 10000, samplingSteps: 1000 }
    : { maxEpochs: 40, batchSize: 100, learningRate: 5e-3, k: 10, window: 8, tolerance: 0.02, samples: 500, samplingSteps: 200 },
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
      jobs.push({ group: g.name, L: g.L, M0: g.magnetization, T, args: { ...cfg, dataDir, group: g.name, T, seed: ctx.seed, weights: join(models, `rbm-${g.name}-T${T}.safetensors`) } });
    }
  }
  const t0 = performance.now();
  const module = new URL('../models/rbm/train-job.js', import.meta.url).href;
  const results = await runJobs<RbmTrainResult>(jobs.map((j) => ({ module, fn: 'trainRbmJob', args: j.args })), { workers: Math.max(1, ctx.workers), backend: backendName });
  const trainSeconds = (performance.now() - t0) / 1000;

  // the harness: RBM samples against the Monte Carlo test configurations at the same T
  const evaluations: Evaluation[] = [];
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
  }
  const report = new Report('rbm', title, { scale: ctx.scale, config: cfg, backend: backendDetail, trainSeconds });
  const pick = (group: string) => jobs.map((j, i) => ({ j, e: evaluations[i], r: results[i] })).filter((x) => x.j.group === group);
  const vT = [{ x: CRITICAL_TEMPERATURE, label: 'T_c' }];

  // Fig. 5: E and |M| vs T, RBM vs MC, M0 = 0, L = 8 and 12
  for (const [q, label, fig] of [['energyPerSpin', 'E/N', 'energy'], ['absMagnetization', '|M|/N', 'magnetization']] as const) {
    const series: Series[] = [];
    const rows: (number | string)[][] = [];
    for (const group of ['conserved-L8-M0', 'conserved-L12-M0']) {
      const xs = pick(group);
      series.push({ name: `MC ${group}`, style: 'line', dash: true, points: xs.map((x) => ({ x: x.j.T, y: x.e.reference[q].mean, error: x.e.reference[q].error })) });
      series.push({ name: `RBM ${group}`, style: 'points', points: xs.map((x) => ({ x: x.j.T, y: x.e.samples[q].mean, error: x.e.samples[q].error })) });
      for (const x of xs) rows.push([group, x.j.T, x.e.reference[q].mean, x.e.reference[q].error, x.e.samples[q].mean, x.e.samples[q].error]);
    }
    report.figure({ name: `fig5-${fig}`, caption: `Fig. 5: ${label} vs T, RBM against Monte Carlo, M0 = 0`, data: { columns: ['group', 'T', 'mc', 'mcError', 'rbm', 'rbmError'], rows }, svg: linePlot({ title: `${label}: RBM vs MC (M0 = 0)`, xLabel: 'T', yLabel: label, vlines: vT, series }) });
  }
  // Fig. 6: energy histograms at T = 1 and 3, L = 12, M0 = 0
  for (const T of [1.0, 3.0]) {
    const x = pick('conserved-L12-M0').find((y) => y.j.T === T);
    if (!x) continue;
    const N = 144;
    const keys = [...new Set([...Object.keys(x.e.samples.energyDistribution), ...Object.keys(x.e.reference.energyDistribution)])].map(Number).sort((a, b) => a - b);
    const e = (u: number) => (-2 * N + 2 * u) / N;
    report.figure({
      name: `fig6-histogram-t${T}`, caption: `Fig. 6: energy-density distribution at T = ${T}, L = 12, M0 = 0; ${(100 * (x.e.conserved?.impossibleEnergyFraction.mean ?? 0)).toFixed(1)} % of RBM samples at energies impossible at M0 = 0, ${(100 * (x.e.conserved?.breakingFraction.mean ?? 0)).toFixed(1)} % break M0`,
      data: { columns: ['energyPerSpin', 'mc', 'rbm'], rows: keys.map((u) => [e(u), x.e.reference.energyDistribution[u] ?? 0, x.e.samples.energyDistribution[u] ?? 0]) },
      svg: linePlot({ title: `P(E/N), T = ${T}, L = 12, M0 = 0`, xLabel: 'E/N', yLabel: 'probability', series: [{ name: 'MC', style: 'both', points: keys.map((u) => ({ x: e(u), y: x.e.reference.energyDistribution[u] ?? 0 })) }, { name: 'RBM', style: 'both', points: keys.map((u) => ({ x: e(u), y: x.e.samples.energyDistribution[u] ?? 0 })) }] }),
    });
  }
  // Figs. 7, 8: C(r) at four temperatures
  for (const [group, name, fig] of [['conserved-L12-M0', 'fig7-correlation-m0', 7], ['conserved-L12-excess30', 'fig7-correlation-excess30', 7], ['ising-L12', 'fig8-correlation-ising', 8]] as const) {
    const xs = pick(group).filter((x) => [1.0, 2.0, 2.5, 3.0].includes(x.j.T));
    const series: Series[] = xs.flatMap((x) => [
      { name: `MC T = ${x.j.T}`, style: 'line' as const, dash: true, points: x.e.reference.correlation.map((c) => ({ x: c.r, y: c.mean, error: c.error })) },
      { name: `RBM T = ${x.j.T}`, style: 'points' as const, points: x.e.samples.correlation.map((c) => ({ x: c.r, y: c.mean, error: c.error })) },
    ]);
    report.figure({
      name, caption: `Fig. ${fig}: C(r), ${group}, RBM against Monte Carlo`,
      data: { columns: ['T', 'r', 'mc', 'mcError', 'rbm', 'rbmError'], rows: xs.flatMap((x) => x.e.reference.correlation.map((c, r) => [x.j.T, r, c.mean, c.error, x.e.samples.correlation[r].mean, x.e.samples.correlation[r].error])) },
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
  for (const x of jobs.map((j, i) => ({ j, e: evaluations[i], r: results[i] }))) {
    report.compare({
      quantity: `${x.j.group}, T = ${x.j.T}: E/N RBM vs MC`, spinflow: x.e.samples.energyPerSpin, paper: 'close to MC', exact: null,
      note: `MC ${x.e.reference.energyPerSpin.mean.toFixed(4)} ± ${x.e.reference.energyPerSpin.error.toFixed(4)}, ${x.e.energyDeviationSigmas.toFixed(1)}σ; |M| ${x.e.absMagnetizationDeviationSigmas.toFixed(1)}σ; C(r) ${x.e.correlationMaxDeviation ? `${x.e.correlationMaxDeviation.sigmas.toFixed(1)}σ at r = ${x.e.correlationMaxDeviation.r}` : '–'}; ${x.r.epochs} epochs${x.r.plateau ? ' (plateau)' : ' (limit)'}`,
    });
  }
  report.summary.findings = Object.fromEntries(jobs.map((j, i) => [`${j.group}@T=${j.T}`, {
    epochs: results[i].epochs, plateau: results[i].plateau, trainSeconds: results[i].trainSeconds,
    energySigmas: evaluations[i].energyDeviationSigmas, absMagnetizationSigmas: evaluations[i].absMagnetizationDeviationSigmas,
    energyTotalVariation: evaluations[i].energyTotalVariation, energyPValue: evaluations[i].energyTest.pValue,
    correlationMaxDeviation: evaluations[i].correlationMaxDeviation, conserved: evaluations[i].conserved,
  }]));
  const lines = [`${jobs.length} RBMs trained in ${trainSeconds.toFixed(1)} s on ${backendDetail}`, 'group                      T      E/N RBM−MC (σ)  |M| (σ)  C(r) max (σ)  breaks M0  impossible E'];
  for (const [i, j] of jobs.entries()) {
    const e = evaluations[i];
    lines.push(`${j.group.padEnd(26)} ${j.T.toFixed(3).padStart(5)}  ${e.energyDeviationSigmas.toFixed(1).padStart(12)}  ${e.absMagnetizationDeviationSigmas.toFixed(1).padStart(7)}  ${(e.correlationMaxDeviation?.sigmas ?? NaN).toFixed(1).padStart(12)}  ${e.conserved ? `${(100 * e.conserved.breakingFraction.mean).toFixed(1)}%`.padStart(9) : '        –'}  ${e.conserved ? `${(100 * e.conserved.impossibleEnergyFraction.mean).toFixed(1)}%`.padStart(12) : '           –'}`);
  }
  return { report, text: lines.join('\n'), passed: true };
}
