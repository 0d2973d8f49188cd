/**
 * Azizi & Pleimling, "A cautionary tale for machine learning generated configurations in presence of
 * a conserved quantity", Fig. 3: a CNN trained on M0 = 0 configurations labelled ordered (T < T_c)
 * or disordered locates T_c, and its output collapses with the Ising exponent ν = 1.
 *
 * Pipeline: the `conserved-cnn` dataset → one CNN per L (parallel worker threads) → ordered
 * probability of the test configurations vs T → crossings of ½ with bootstrap errors → the collapse
 * at ν = 1 and a Houdayer–Hartmann fit of (T_c, ν) with bootstrap errors. Controls: a fully
 * connected network on the same data, and the CNN on the non-conserved model.
 *
 * The reference every classifier is measured against: at h = 0 (conserved or not) the Boltzmann
 * weight depends on a configuration only through its energy, so E is a sufficient statistic for T
 * and the Bayes-optimal classifier is a function of E alone, p*(E) = Σ_{T_k < T_c} n_k P(E | T_k) /
 * Σ_k n_k P(E | T_k) over the training temperatures (P(E | T_k) Gaussian with the training
 * configurations' mean and variance). A network can at best match it. Its curve's width is that of
 * inferring T from one E, T / (L √c(L)), and the 2D Ising specific heat grows like ln L, so the
 * curves narrow faster than L^{-1/ν}: a pure power-law collapse returns an effective ν below 1 at
 * these sizes. The study therefore also fits the collapse in x = (T − T_c) L^{1/ν} √c(L), with
 * c(L) the dataset's Monte Carlo specific heat within 0.1 of T_c.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CRITICAL_TEMPERATURE } from '../exact/onsager.js';
import { generateDataset } from '../data/generate.js';
import { customSpec } from '../data/spec.js';
import { readManifest } from '../data/manifest.js';
import { Rng } from '../sampling/rng.js';
import * as tf from '@tensorflow/tfjs-core';
import { loadTrainingSet } from '../nn/data.js';
import { loadClassifier, orderedProbability } from '../models/cnn/classifier.js';
import { InputError } from '../errors.js';
import type { CnnTrainArgs, CnnTrainResult } from '../models/cnn/train-job.js';
import { crossing, DEFAULT_COLLAPSE_WINDOW, fitCollapse, type CurvePoint, type ScalingCurve } from '../observables/scaling.js';
import { findGroup, readArray } from '../data/store.js';
import type { Manifest } from '../data/manifest.js';
import { Report } from '../report/report.js';
import { linePlot, type Series } from '../report/plot.js';
import { pointSeed } from '../sampling/rng.js';
import { presetDataset, runNeuralStudy, studyJobs, type Study, type StudyContext, type StudyOutcome } from './study.js';

type Config = { c1: number; c2: number; epochs: number; batchSize: number; learningRate: number; patience: number; bootstrap: number; controls: number };

interface Run {
  label: string;
  L: number;
  result: CnnTrainResult;
}

/** Per T: mean ordered probability and its standard error over the given test rows. */
function curveOf(T: number[], p: number[], pick?: number[]): CurvePoint[] {
  const rows = pick ?? T.map((_, i) => i);
  const byT = new Map<number, number[]>();
  for (const i of rows) {
    const xs = byT.get(T[i]);
    if (xs) xs.push(p[i]);
    else byT.set(T[i], [p[i]]);
  }
  return [...byT.entries()].sort((a, b) => a[0] - b[0]).map(([t, xs]) => {
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const v = xs.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, xs.length - 1);
    return { T: t, y: m, error: Math.sqrt(v / xs.length) };
  });
}

/** Resamples test rows within each temperature (bootstrap). */
function resample(T: number[], rng: Rng): number[] {
  const byT = new Map<number, number[]>();
  T.forEach((t, i) => {
    const rows = byT.get(t);
    if (rows) rows.push(i);
    else byT.set(t, [i]);
  });
  const out: number[] = [];
  for (const rows of byT.values()) for (let k = 0; k < rows.length; k++) out.push(rows[rng.below(rows.length)]);
  return out;
}

const stdOf = (xs: number[]) => {
  const f = xs.filter(Number.isFinite);
  const m = f.reduce((a, b) => a + b, 0) / f.length;
  return Math.sqrt(f.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, f.length - 1));
};

/** Mean Monte Carlo specific heat per spin over the dataset temperatures within 0.1 of T_c, by L (NaN if none recorded). */
function specificHeatNearTc(manifest: Manifest): Map<number, number> {
  return new Map(manifest.groups.map((g) => {
    const c = g.temperatures.filter((t) => Math.abs(t.T - CRITICAL_TEMPERATURE) <= 0.1).map((t) => t.monteCarlo?.specificHeat.mean ?? NaN);
    return [g.arrays.spins.shape[1], c.length ? c.reduce((a, b) => a + b, 0) / c.length : NaN];
  }));
}

/**
 * The Bayes-optimal classifier from the energy alone (see the header): p*(E) on every test
 * configuration of a group, with P(E | T_k) Gaussian fitted to the training split at each T_k.
 */
async function energyClassifier(dir: string, manifest: Manifest, name: string): Promise<{ T: number[]; p: number[] }> {
  const g = findGroup(manifest, name);
  const [E, temps, split] = await Promise.all(['energy', 'temperature', 'split'].map((a) => readArray(dir, manifest, g, a)));
  const ts = [...new Set(Array.from(temps as Float64Array))].sort((a, b) => a - b);
  const moments = ts.map((t) => {
    let n = 0, s = 0, s2 = 0;
    for (let i = 0; i < E.length; i++) if (temps[i] === t && split[i] === 0) { n++; s += Number(E[i]); s2 += Number(E[i]) ** 2; }
    const mean = s / n;
    const sd = Math.sqrt(Math.max(1e-300, s2 / n - mean * mean));
    return { mean, sd, logPrior: Math.log(n) - Math.log(sd) }; // log(n_k) plus the Gaussian's log normalization
  });
  const T: number[] = [], p: number[] = [];
  const logw = new Float64Array(ts.length);
  for (let i = 0; i < E.length; i++) {
    if (split[i] !== 2) continue;
    let max = -Infinity;
    moments.forEach((m, k) => {
      logw[k] = m.logPrior - 0.5 * ((Number(E[i]) - m.mean) / m.sd) ** 2;
      if (logw[k] > max) max = logw[k];
    });
    let below = 0, all = 0;
    ts.forEach((t, k) => {
      const w = Math.exp(logw[k] - max);
      all += w;
      if (t < CRITICAL_TEMPERATURE) below += w;
    });
    T.push(temps[i] as number);
    p.push(below / all);
  }
  return { T, p };
}

export const conservedCnnStudy: Study<Config> = {
  name: 'conserved-cnn',
  title: 'CNN phase classification at conserved magnetization, with finite-size scaling (Azizi & Pleimling, Fig. 3)',
  sweepTasks: 'one classifier per L (and per control: dense network, CNN on Ising data)',
  params: {
    c1: { kind: 'integer', min: 1, max: 256, description: 'channels of the first periodic convolution' },
    c2: { kind: 'integer', min: 1, max: 256, description: 'channels of the second periodic convolution' },
    epochs: { kind: 'integer', min: 1, description: 'maximum epochs (early stopping: patience)' },
    batchSize: { kind: 'integer', min: 1, description: 'batch size' },
    learningRate: { kind: 'number', min: 1e-6, max: 1, description: 'Adam learning rate' },
    patience: { kind: 'integer', min: 1, description: 'epochs without a better validation accuracy before stopping (paper 3)' },
    bootstrap: { kind: 'integer', min: 2, max: 10000, description: 'bootstrap resamples for crossing and collapse errors' },
    controls: { kind: 'integer', min: 0, max: 1, description: '1: also a dense network on M0 = 0 and the CNN on the non-conserved model' },
  },
  defaults: (scale) => scale === 'paper'
    ? { c1: 16, c2: 32, epochs: 100, batchSize: 128, learningRate: 1e-3, patience: 3, bootstrap: 200, controls: 1 }
    : { c1: 8, c2: 16, epochs: 30, batchSize: 64, learningRate: 2e-3, patience: 3, bootstrap: 100, controls: 1 },

  async run(cfg: Config, ctx: StudyContext): Promise<StudyOutcome> {
    return runNeuralStudy(ctx, 'conserved-cnn', (work, backend) => runIn(work, cfg, ctx, this.title, backend.name, backend.detail));
  },
};

async function runIn(work: string, cfg: Config, ctx: StudyContext, title: string, backendName: 'wasm' | 'cpu' | 'webgpu' | 'tensorflow', backendDetail: string): Promise<StudyOutcome> {
  // 1. data: the preset (M0 = 0), and for the control the same grid without conservation
  const { spec, dir: dataDir } = await presetDataset(work, 'conserved-cnn', ctx);
  const manifest = readManifest(dataDir);
  const groups = manifest.groups.map((g, i) => ({ name: g.name, L: spec.groups[i].L }));
  const isingDir = join(work, 'dataset-ising');
  if (cfg.controls) {
    const g0 = spec.groups[0];
    await generateDataset(customSpec({ L: spec.groups.map((g) => g.L), temperatures: g0.temperatures, perTemperature: g0.perTemperature, model: 'ising', split: [0.7, 0.1, 0.2], labels: true, seed: ctx.seed, storage: 'npy', scale: ctx.scale }),
      { out: isingDir, workers: ctx.workers, resume: existsSync(join(isingDir, '.partial')) });
  }

  // 2. one network per (L, kind), in parallel
  const models = join(work, 'models');
  mkdirSync(models, { recursive: true });
  const base = { channels: [cfg.c1, cfg.c2] as [number, number], epochs: cfg.epochs, batchSize: cfg.batchSize, learningRate: cfg.learningRate, patience: cfg.patience, seed: ctx.seed };
  const jobs: { label: string; L: number; args: CnnTrainArgs }[] = groups.map((g) => ({ label: 'cnn', L: g.L, args: { ...base, dataDir, group: g.name, architecture: 'cnn', weights: join(models, `cnn-L${g.L}.safetensors`) } }));
  if (cfg.controls) {
    for (const g of groups) jobs.push({ label: 'dense', L: g.L, args: { ...base, dataDir, group: g.name, architecture: 'dense', weights: join(models, `dense-L${g.L}.safetensors`) } });
    for (const g of groups) jobs.push({ label: 'cnn-ising', L: g.L, args: { ...base, dataDir: isingDir, group: `ising-L${g.L}`, architecture: 'cnn', weights: join(models, `cnn-ising-L${g.L}.safetensors`) } });
  }
  const t0 = performance.now();
  const module = new URL('../models/cnn/train-job.js', import.meta.url).href;
  const results = await studyJobs<CnnTrainResult>(ctx, jobs.map((j) => ({ module, fn: 'trainClassifierJob', args: { ...j.args, seed: pointSeed(ctx.seed, `${j.label} L=${j.L}`) }, label: `${j.label} L=${j.L}`, cost: j.L * j.L * (j.args.architecture === 'dense' ? 0.1 : 1) })), backendName, (d, n) => ctx.onProgress?.(d, n + 1));
  const trainSeconds = (performance.now() - t0) / 1000;
  const runs: Run[] = jobs.map((j, i) => ({ label: j.label, L: j.L, result: results[i] }));
  // the energy-only Bayes-optimal classifier on the same test configurations, as runs of their own
  const curvesBy: { label: string; L: number; test: { T: number[]; p: number[] } }[] = runs.map((r) => ({ label: r.label, L: r.L, test: r.result.test }));
  for (const g of groups) curvesBy.push({ label: 'energy-bayes', L: g.L, test: await energyClassifier(dataDir, manifest, g.name) });
  // c(L) of the data each classifier saw: the non-conserved control's own dataset, else M0 = 0
  const heatConserved = specificHeatNearTc(manifest);
  const heatIsing = cfg.controls ? specificHeatNearTc(readManifest(isingDir)) : null;

  // 3. curves, crossings, collapse (with bootstrap errors)
  const report = new Report('conserved-cnn', title, { scale: ctx.scale, config: cfg, backend: backendDetail, trainSeconds });
  const rng = Rng.stream(ctx.seed, 77);
  const analyse = (label: string) => {
    const mine = curvesBy.filter((r) => r.label === label);
    const c = label === 'cnn-ising' ? heatIsing : heatConserved;
    const factorOf = (L: number) => Math.sqrt(c?.get(L) ?? NaN);
    const corrected = mine.every((r) => Number.isFinite(factorOf(r.L)));
    const curves: ScalingCurve[] = mine.map((r) => ({ L: r.L, points: curveOf(r.test.T, r.test.p) }));
    const withHeat = (cs: ScalingCurve[]) => cs.map((x) => ({ ...x, factor: factorOf(x.L) }));
    const range = { Tc: [2.0, 2.6] as [number, number], nu: [0.4, 2.5] as [number, number] };
    const crossings = curves.map((x) => crossing(x.points));
    const fit = fitCollapse(curves, range);
    const fitHeat = corrected ? fitCollapse(withHeat(curves), range) : null;
    const bootCross: number[][] = mine.map(() => []);
    const boot = { Tc: [] as number[], nu: [] as number[], TcHeat: [] as number[], nuHeat: [] as number[] };
    for (let b = 0; b < cfg.bootstrap; b++) {
      const bc = mine.map((r) => ({ L: r.L, points: curveOf(r.test.T, r.test.p, resample(r.test.T, rng)) }));
      bc.forEach((x, i) => bootCross[i].push(crossing(x.points)));
      if (b < Math.min(cfg.bootstrap, 40)) {
        const f = fitCollapse(bc, range);
        boot.Tc.push(f.Tc);
        boot.nu.push(f.nu);
        if (corrected) {
          const h = fitCollapse(withHeat(bc), range);
          boot.TcHeat.push(h.Tc);
          boot.nuHeat.push(h.nu);
        }
      }
    }
    return {
      curves, crossings, crossingErrors: bootCross.map(stdOf),
      fit: { ...fit, TcError: stdOf(boot.Tc), nuError: stdOf(boot.nu) },
      /** The collapse in (T − T_c) L^{1/ν} √c(L) (header), null where c(L) is not recorded. */
      fitHeat: fitHeat && { ...fitHeat, TcError: stdOf(boot.TcHeat), nuError: stdOf(boot.nuHeat), specificHeat: Object.fromEntries(mine.map((r) => [r.L, c?.get(r.L)])) },
      factorOf,
    };
  };
  const main = analyse('cnn');
  const bayes = analyse('energy-bayes');
  const vT = [{ x: CRITICAL_TEMPERATURE, label: 'T_c' }];
  type Analysis = ReturnType<typeof analyse>;
  const curveSeries = (a: Analysis, scaleX?: { Tc: number; nu: number; heat?: boolean }, prefix = ''): Series[] => a.curves.map((c) => ({
    name: `${prefix}L = ${c.L}`, style: 'both' as const,
    points: c.points.map((p) => ({ x: scaleX ? (p.T - scaleX.Tc) * c.L ** (1 / scaleX.nu) * (scaleX.heat ? a.factorOf(c.L) : 1) : p.T, y: p.y, error: p.error })),
  }));
  const curveData = (a: Analysis) => ({ columns: ['L', 'T', 'orderedProbability', 'error'], rows: a.curves.flatMap((c) => c.points.map((p) => [c.L, p.T, p.y, p.error])) });
  const fitText = (f: Analysis['fit']) => `T_c = ${f.Tc.toFixed(4)} ± ${f.TcError.toFixed(4)}, ν = ${f.nu.toFixed(3)} ± ${f.nuError.toFixed(3)} (${f.points} points with ${DEFAULT_COLLAPSE_WINDOW[0]} ≤ p ≤ ${DEFAULT_COLLAPSE_WINDOW[1]}, quality ${f.quality.toFixed(2)}${f.atBound ? '; AT THE EDGE of the searched range, not converged' : ''})`;
  report.figure({ name: 'ordered-probability', caption: 'Fig. 3 inset: mean output (probability of the ordered phase) over the test configurations vs T, M0 = 0', data: curveData(main), svg: linePlot({ title: 'CNN output, conserved M0 = 0', xLabel: 'T', yLabel: 'ordered probability', vlines: vT, hlines: [{ y: 0.5, label: '½' }], series: curveSeries(main) }) });
  report.figure({ name: 'energy-bayes', caption: 'The CNN against the Bayes-optimal classifier that sees only the energy (E is sufficient for T at h = 0), on the same test configurations', data: { columns: ['classifier', 'L', 'T', 'orderedProbability', 'error'], rows: [...main.curves.flatMap((c) => c.points.map((p) => ['cnn', c.L, p.T, p.y, p.error])), ...bayes.curves.flatMap((c) => c.points.map((p) => ['energy-bayes', c.L, p.T, p.y, p.error]))] }, svg: linePlot({ title: 'CNN (points) and energy-only Bayes classifier (E: …)', xLabel: 'T', yLabel: 'ordered probability', vlines: vT, hlines: [{ y: 0.5, label: '½' }], series: [...curveSeries(main), ...curveSeries(bayes, undefined, 'E: ').map((x) => ({ ...x, style: 'line' as const, dash: true }))] }) });
  report.figure({ name: 'collapse', caption: 'Fig. 3: the same against (T − T_c) L^{1/ν} with the exact T_c and ν = 1', data: curveData(main), svg: linePlot({ title: 'Collapse with T_c exact, ν = 1', xLabel: '(T − T_c) L', yLabel: 'ordered probability', series: curveSeries(main, { Tc: CRITICAL_TEMPERATURE, nu: 1 }) }) });
  report.figure({ name: 'collapse-fitted', caption: `The collapse at the fitted T_c = ${main.fit.Tc.toFixed(4)}, ν = ${main.fit.nu.toFixed(3)} (pure power law; Houdayer–Hartmann quality ${main.fit.quality.toFixed(2)})`, data: curveData(main), svg: linePlot({ title: `Collapse, fitted T_c = ${main.fit.Tc.toFixed(3)}, ν = ${main.fit.nu.toFixed(2)}`, xLabel: '(T − T_c) L^{1/ν}', yLabel: 'ordered probability', series: curveSeries(main, main.fit) }) });
  if (main.fitHeat) {
    report.figure({ name: 'collapse-heat', caption: `The collapse in (T − T_c) L √c(L), exact T_c, ν = 1, with the Monte Carlo specific heat near T_c (c = ${Object.entries(main.fitHeat.specificHeat).map(([L, c]) => `${Number(c).toFixed(3)} at L = ${L}`).join(', ')}); the fit in this variable gives T_c = ${main.fitHeat.Tc.toFixed(4)}, ν = ${main.fitHeat.nu.toFixed(3)}`, data: curveData(main), svg: linePlot({ title: 'Collapse in (T − T_c) L √c(L), ν = 1', xLabel: '(T − T_c) L √c(L)', yLabel: 'ordered probability', series: curveSeries(main, { Tc: CRITICAL_TEMPERATURE, nu: 1, heat: true }) }) });
  }

  const sizes = main.curves.map((c) => c.L);
  main.crossings.forEach((x, i) => report.compare({ quantity: `T where the CNN output crosses ½, L = ${sizes[i]}`, spinflow: { mean: x, error: main.crossingErrors[i] }, paper: '[2.25, 2.27]', exact: CRITICAL_TEMPERATURE }));
  bayes.crossings.forEach((x, i) => report.compare({ quantity: `T where the energy-only Bayes classifier crosses ½, L = ${sizes[i]}`, spinflow: { mean: x, error: bayes.crossingErrors[i] }, exact: CRITICAL_TEMPERATURE }));
  report.compare({ quantity: 'collapse fit, pure power law (T − T_c) L^{1/ν}: T_c', spinflow: { mean: main.fit.Tc, error: main.fit.TcError }, paper: 2.269, exact: CRITICAL_TEMPERATURE });
  report.compare({ quantity: 'collapse fit, pure power law: ν (effective)', spinflow: { mean: main.fit.nu, error: main.fit.nuError }, paper: 1, exact: 1, note: `energy-only Bayes classifier: ν = ${bayes.fit.nu.toFixed(3)} ± ${bayes.fit.nuError.toFixed(3)}` });
  if (main.fitHeat) {
    report.compare({ quantity: 'collapse fit in (T − T_c) L^{1/ν} √c(L): T_c', spinflow: { mean: main.fitHeat.Tc, error: main.fitHeat.TcError }, paper: 2.269, exact: CRITICAL_TEMPERATURE });
    report.compare({ quantity: 'collapse fit in (T − T_c) L^{1/ν} √c(L): ν', spinflow: { mean: main.fitHeat.nu, error: main.fitHeat.nuError }, paper: 1, exact: 1, note: bayes.fitHeat ? `energy-only Bayes classifier: ν = ${bayes.fitHeat.nu.toFixed(3)} ± ${bayes.fitHeat.nuError.toFixed(3)}` : undefined });
  }
  const lo = ctx.scale === 'paper' ? 2.24 : 2.15, hi = ctx.scale === 'paper' ? 2.29 : 2.4;
  const crossingsOk = main.crossings.every((x) => x >= lo && x <= hi);
  // Issue acceptance at paper scale: ν within 1 ± 0.15 and T_c within 0.02 of exact, from a fit
  // that converged inside its range; quick scale asks only for the crossings. The fit judged is the
  // one in (T − T_c) L^{1/ν} √c(L) (header: a classifier's width is set by the energy fluctuations);
  // the pure power-law fit is reported next to it.
  const judged = main.fitHeat ?? main.fit;
  const fitOk = !judged.atBound && Math.abs(judged.nu - 1) <= 0.15 && Math.abs(judged.Tc - CRITICAL_TEMPERATURE) <= 0.02;
  const passed = crossingsOk && (ctx.scale !== 'paper' || fitOk);
  const summaryOf = (a: Analysis) => ({ crossings: Object.fromEntries(a.curves.map((c, i) => [c.L, { mean: a.crossings[i], error: a.crossingErrors[i] }])), fit: a.fit, fitHeatCorrected: a.fitHeat });
  const controls: Record<string, unknown> = {};
  if (cfg.controls) {
    for (const label of ['dense', 'cnn-ising'] as const) {
      const a = analyse(label);
      controls[label] = summaryOf(a);
      report.figure({ name: `control-${label}`, caption: label === 'dense' ? 'Control: a fully connected network on the same M0 = 0 data' : 'Control: the CNN on the non-conserved model', data: curveData(a), svg: linePlot({ title: label === 'dense' ? 'Dense network, M0 = 0' : 'CNN, non-conserved model', xLabel: 'T', yLabel: 'ordered probability', vlines: vT, hlines: [{ y: 0.5, label: '½' }], series: curveSeries(a) }) });
      a.crossings.forEach((x, i) => report.compare({ quantity: `control ${label}: crossing of ½, L = ${sizes[i]}`, spinflow: { mean: x, error: a.crossingErrors[i] }, exact: CRITICAL_TEMPERATURE }));
      report.compare({ quantity: `control ${label}: collapse fit T_c, ν (pure power law)`, spinflow: `${a.fit.Tc.toFixed(4)} ± ${a.fit.TcError.toFixed(4)}, ${a.fit.nu.toFixed(3)} ± ${a.fit.nuError.toFixed(3)}` });
      if (a.fitHeat) report.compare({ quantity: `control ${label}: collapse fit T_c, ν in (T − T_c) L^{1/ν} √c(L)`, spinflow: `${a.fitHeat.Tc.toFixed(4)} ± ${a.fitHeat.TcError.toFixed(4)}, ${a.fitHeat.nu.toFixed(3)} ± ${a.fitHeat.nuError.toFixed(3)}` });
    }
  }
  report.summary.findings = {
    crossings: Object.fromEntries(sizes.map((L, i) => [L, { mean: main.crossings[i], error: main.crossingErrors[i] }])),
    crossingsInside: { range: [lo, hi], ok: crossingsOk }, collapse: main.fit, collapseHeatCorrected: main.fitHeat,
    collapseAcceptance: { judged: main.fitHeat ? 'collapseHeatCorrected' : 'collapse', nu: [0.85, 1.15], TcWithin: 0.02, ok: fitOk, required: ctx.scale === 'paper' },
    energyBayes: summaryOf(bayes), controls,
    epochs: Object.fromEntries(runs.map((r) => [`${r.label}-L${r.L}`, r.result.metrics.length])),
    trainSecondsPerNetwork: Object.fromEntries(runs.map((r) => [`${r.label}-L${r.L}`, r.result.trainSeconds])),
  };
  const text = [
    `${runs.length} networks trained in ${trainSeconds.toFixed(1)} s on ${backendDetail}`,
    `crossings of ½ (CNN, M0 = 0): ${sizes.map((L, i) => `L = ${L}: ${main.crossings[i].toFixed(4)} ± ${main.crossingErrors[i].toFixed(4)}`).join(', ')} → ${crossingsOk ? 'all' : 'not all'} inside [${lo}, ${hi}]`,
    `energy-only Bayes classifier crossings: ${sizes.map((L, i) => `L = ${L}: ${bayes.crossings[i].toFixed(4)} ± ${bayes.crossingErrors[i].toFixed(4)}`).join(', ')}`,
    `collapse fit, pure power law: ${fitText(main.fit)}; energy-only Bayes: ν = ${bayes.fit.nu.toFixed(3)} ± ${bayes.fit.nuError.toFixed(3)}`,
    ...(main.fitHeat ? [`collapse fit in (T − T_c) L^{1/ν} √c(L): ${fitText(main.fitHeat)}${bayes.fitHeat ? `; energy-only Bayes: ν = ${bayes.fitHeat.nu.toFixed(3)} ± ${bayes.fitHeat.nuError.toFixed(3)}` : ''} → ${fitOk ? 'meets' : 'misses'} ν = 1 ± 0.15, |T_c − 2.2692| ≤ 0.02`] : []),
    ...Object.entries(controls).map(([k, v]) => `control ${k}: ${JSON.stringify((v as { crossings: unknown }).crossings)}`),
  ].join('\n');
  ctx.onProgress?.(jobs.length + 1, jobs.length + 1);
  return { report, text, passed };
}

/** `spinflow cnn evaluate`: ordered probability per T on one split of a group, its crossing of ½ and the accuracy. */
export async function evaluateClassifier(modelPath: string, dataDir: string, group: string, split: 'train' | 'validation' | 'test'): Promise<{ count: number; accuracy: number; crossing: number; curve: CurvePoint[] }> {
  const set = await loadTrainingSet(dataDir, { group, split });
  const model = loadClassifier(modelPath);
  try {
    if (model.spec.L !== set.L) throw new InputError(`the model was trained on L = ${model.spec.L}, group ${group} has L = ${set.L}`);
    const p = Array.from(orderedProbability(model, set.x));
    const labels = set.label ?? Int8Array.from(set.temperature, (T) => (T < CRITICAL_TEMPERATURE ? 1 : 0));
    const accuracy = p.filter((q, i) => (q > 0.5 ? 1 : 0) === labels[i]).length / Math.max(1, p.length);
    const curve = curveOf(Array.from(set.temperature), p);
    return { count: p.length, accuracy, crossing: crossing(curve), curve };
  } finally {
    tf.dispose([...Object.values(model.params), set.x]);
  }
}
