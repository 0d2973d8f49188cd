/**
 * Acevedo, Lamas, Costa Duran, Sturla & Grigera, "On the neural network flow of spin configurations":
 * the autoencoder NN flow of Ising configurations (Figs. 3–12).
 *
 * Pipeline: the `ae-flow` dataset (generated once, under the output folder) → one autoencoder per
 * (N_l, T_cut), trained in parallel worker threads → reconstruction errors, first reconstructions,
 * flows from T_i = 4.5 and 1.5, reconstructions of perfectly ordered configurations → figures.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CRITICAL_TEMPERATURE } from '../exact/onsager.js';
import { readManifest } from '../data/manifest.js';
import { findGroup, readArray } from '../data/store.js';
import type { BackendName } from '../nn/backend.js';
import { ACTIVATIONS, disposeAutoencoder, loadAutoencoder, reconstruct, type Activation } from '../models/ae/autoencoder.js';
import { measureRows, pixelErrors, runFlow, type FlowResult } from '../models/ae/flow.js';
import { twoNNConfigurations } from '../observables/intrinsic-dimension.js';
import { evaluateConfigurations } from '../evaluate/harness.js';
import type { AeTrainArgs, AeTrainResult } from '../models/ae/train-job.js';
import { Report } from '../report/report.js';
import { linePlot, spinImages, type Series } from '../report/plot.js';
import { pointSeed } from '../sampling/rng.js';
import { presetDataset, runNeuralStudy, studyJobs, type Study, type StudyContext, type StudyOutcome } from './study.js';

type Config = {
  hiddens: number[];
  tCuts: number[];
  mainHidden: number;
  activation: string;
  epochs: number;
  batchSize: number;
  learningRate: number;
  flowCount: number;
  flowSteps: number;
  physicsEnergy: number;
  physicsMagnetization: number;
};

const aeLabel = (hidden: number, tCut: number) => `N_l=${hidden} T_cut=${tCut}`;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) * (x - m), 0) / Math.max(1, xs.length - 1));
};

export const aeFlowStudy: Study<Config> = {
  name: 'ae-flow',
  title: 'Autoencoder NN flow of Ising configurations (Acevedo et al.)',
  sweepTasks: 'one autoencoder per (N_l, T_cut), plus the physics-aware one',
  params: {
    hiddens: { kind: 'list', integer: true, min: 1, max: 4096, description: 'latent sizes N_l of the sweep' },
    tCuts: { kind: 'list', min: 0, max: 10, description: 'lowest training temperatures T_cut of the sweep' },
    mainHidden: { kind: 'integer', min: 1, max: 4096, description: 'N_l of the flow and RE figures (Figs. 3–6)' },
    activation: { kind: 'choice', choices: ACTIVATIONS, description: 'hidden-layer activation (the paper does not say; sigmoid here)' },
    epochs: { kind: 'integer', min: 1, description: 'training epochs (paper 50)' },
    batchSize: { kind: 'integer', min: 1, description: 'batch size (paper 512)' },
    learningRate: { kind: 'number', min: 1e-6, max: 1, description: 'Adam learning rate (paper 1e-3)' },
    flowCount: { kind: 'integer', min: 1, description: 'initial configurations per flow (paper 100)' },
    flowSteps: { kind: 'integer', min: 1, description: 'maximum flow steps' },
    physicsEnergy: { kind: 'number', min: 0, description: 'beyond the paper: weight of the energy error in the physics-aware loss (0: no such model)' },
    physicsMagnetization: { kind: 'number', min: 0, description: 'beyond the paper: weight of the magnetization error in the physics-aware loss' },
  },
  defaults: (scale) => scale === 'paper'
    ? { hiddens: [8, 16, 32, 64, 128, 256, 512], tCuts: [0.02, 1.5, 2.2, 2.6, 3.0], mainHidden: 128, activation: 'sigmoid', epochs: 50, batchSize: 512, learningRate: 1e-3, flowCount: 100, flowSteps: 200, physicsEnergy: 1, physicsMagnetization: 1 }
    : { hiddens: [16, 32, 64, 128], tCuts: [0.02, 2.2, 2.6], mainHidden: 128, activation: 'sigmoid', epochs: 40, batchSize: 128, learningRate: 1e-3, flowCount: 50, flowSteps: 100, physicsEnergy: 1, physicsMagnetization: 1 },

  async run(cfg: Config, ctx: StudyContext): Promise<StudyOutcome> {
    return runNeuralStudy(ctx, 'ae-flow', (work, backend) => runIn(work, cfg, ctx, this.title, backend.name, backend.detail));
  },
};

async function runIn(work: string, cfg: Config, ctx: StudyContext, title: string, backendName: BackendName, backendDetail: string): Promise<StudyOutcome> {
    const backend = { name: backendName, detail: backendDetail };
    const hiddens = [...new Set([...cfg.hiddens, cfg.mainHidden])].sort((a, b) => a - b);
    const tCuts = [...new Set(cfg.tCuts)].sort((a, b) => a - b);

    // 1. data
    const { dir: dataDir } = await presetDataset(work, 'ae-flow', ctx);
    const manifest = readManifest(dataDir);
    const group = findGroup(manifest);
    const L = manifest.spec.groups[0].L;
    const N = L * L;
    const spins = (await readArray(dataDir, manifest, group, 'spins')) as Int8Array;
    const temperature = (await readArray(dataDir, manifest, group, 'temperature')) as Float64Array;
    const split = (await readArray(dataDir, manifest, group, 'split')) as Uint8Array;
    const grid = group.temperatures.map((t) => t.T);
    const testRows = (T: number) => {
      const rows: number[] = [];
      for (let k = 0; k < temperature.length; k++) if (split[k] === 2 && temperature[k] === T) rows.push(k);
      return rows;
    };
    const bitsOf = (rows: number[]) => {
      const out = new Float32Array(rows.length * N);
      rows.forEach((k, r) => { for (let i = 0; i < N; i++) out[r * N + i] = spins[k * N + i] > 0 ? 1 : 0; });
      return out;
    };
    const nearest = (T: number) => grid.reduce((a, b) => (Math.abs(b - T) < Math.abs(a - T) ? b : a));

    // 2. training sweep (parallel, resumable: finished models are kept under work/models)
    const modelsDir = join(work, 'models');
    mkdirSync(modelsDir, { recursive: true });
    const jobs = hiddens.flatMap((hidden) => tCuts.map((tCut) => ({ hidden, tCut })));
    const args = jobs.map(({ hidden, tCut }): AeTrainArgs => ({
      dataDir, hidden, tCut, activation: cfg.activation as Activation, epochs: cfg.epochs, batchSize: cfg.batchSize,
      learningRate: cfg.learningRate, seed: pointSeed(ctx.seed, aeLabel(hidden, tCut)), weights: join(modelsDir, `ae-N${hidden}-Tcut${tCut}.safetensors`),
    }));
    const withPhysics = cfg.physicsEnergy > 0 || cfg.physicsMagnetization > 0;
    const physicsArgs: AeTrainArgs = {
      ...args[jobs.findIndex((j) => j.hidden === cfg.mainHidden && j.tCut === tCuts[0])],
      physics: { energy: cfg.physicsEnergy, magnetization: cfg.physicsMagnetization },
      weights: join(modelsDir, `ae-N${cfg.mainHidden}-Tcut${tCuts[0]}-physics-E${cfg.physicsEnergy}-M${cfg.physicsMagnetization}.safetensors`),
    };
    const t0 = performance.now();
    const module = new URL('../models/ae/train-job.js', import.meta.url).href;
    ctx.onProgress?.(0, jobs.length + 1);
    const labels = [...jobs.map((j) => aeLabel(j.hidden, j.tCut)), `${aeLabel(cfg.mainHidden, tCuts[0])} physics E=${cfg.physicsEnergy} M=${cfg.physicsMagnetization}`];
    const trained = await studyJobs<AeTrainResult>(ctx, [...args, ...(withPhysics ? [physicsArgs] : [])].map((a, i) => ({ module, fn: 'trainAutoencoderJob', args: a, label: labels[i] })), backend.name, (d) => ctx.onProgress?.(d, jobs.length + 1));
    const trainSeconds = (performance.now() - t0) / 1000;
    ctx.onProgress?.(jobs.length, jobs.length + 1);
    // 3. measurements
    const report = new Report('ae-flow', title, { scale: ctx.scale, config: cfg, backend: backend.detail, L, trainSeconds });
    const tc = nearest(CRITICAL_TEMPERATURE);
    const tcRows = (() => { const r: number[] = []; for (let k = 0; k < temperature.length; k++) if (temperature[k] === tc) r.push(k); return r; })();
    const tcMeasure = measureRows(bitsOf(tcRows), tcRows.length, L);
    const band = { energy: { mean: mean(tcMeasure.energy), std: std(tcMeasure.energy) }, absM: { mean: mean(tcMeasure.absM), std: std(tcMeasure.absM) } };
    const tMain = tCuts[0];
    // the test configurations of each temperature, as {0,1} rows, and their Monte Carlo E and |m|
    const tests = grid.map((T) => {
      const rows = testRows(T);
      const x = bitsOf(rows);
      return { T, n: rows.length, x, mc: measureRows(x, rows.length, L) };
    });
    const mcEnergy = tests.map((t) => mean(t.mc.energy));
    const mcAbsM = tests.map((t) => mean(t.mc.absM));
    const hot = nearest(4.5), cold = nearest(1.5);
    const flowStart = (T: number) => {
      const t = tests[grid.indexOf(T)];
      const n = Math.min(cfg.flowCount, t.n);
      return { x: t.x.subarray(0, n * N), n };
    };

    // per model, loaded once: RE and first reconstruction per T, the flows from T_i = 4.5 and 1.5,
    // and the RE of the two perfectly ordered configurations
    const perModel = new Map<string, { re: number[]; energy: number[]; absM: number[]; reAll: { T: number; re: number }[] }>();
    const flows = new Map<string, { hot: FlowResult; cold: FlowResult }>();
    const orderedRe = new Map<string, number>();
    for (const [i, { hidden, tCut }] of jobs.entries()) {
      const ae = loadAutoencoder(args[i].weights);
      try {
        const re: number[] = [], energy: number[] = [], absM: number[] = [];
        const reAll: { T: number; re: number }[] = [];
        for (const t of tests) {
          const y = reconstruct(ae, t.x, t.n);
          const errors = pixelErrors(t.x, y, t.n, N);
          errors.forEach((e) => reAll.push({ T: t.T, re: e }));
          re.push(mean(errors));
          const m = measureRows(y, t.n, L);
          energy.push(mean(m.energy));
          absM.push(mean(m.absM));
        }
        perModel.set(`${hidden}|${tCut}`, { re, energy, absM, reAll });
        const h = flowStart(hot), c = flowStart(cold);
        flows.set(`${hidden}|${tCut}`, { hot: runFlow(ae, h.x, h.n, L, cfg.flowSteps), cold: runFlow(ae, c.x, c.n, L, cfg.flowSteps) });
        const ordered = new Float32Array(2 * N);
        ordered.fill(1, 0, N);
        orderedRe.set(`${hidden}|${tCut}`, mean(pixelErrors(ordered, reconstruct(ae, ordered, 2), 2, N)));
      } finally {
        disposeAutoencoder(ae);
      }
    }
    ctx.onProgress?.(jobs.length + 1, jobs.length + 1);

    // 4. figures
    const key = (h: number, t: number) => `${h}|${t}`;
    const main = flows.get(key(cfg.mainHidden, tMain)) as { hot: FlowResult; cold: FlowResult };
    const flowSeries = (q: 'energy' | 'absMagnetization') => [
      { name: `T_i = ${hot.toFixed(2)}`, style: 'both' as const, points: main.hot.steps.map((s) => ({ x: s.step, y: s[q].mean, error: s[q].std })) },
      { name: `T_i = ${cold.toFixed(2)}`, style: 'both' as const, points: main.cold.steps.map((s) => ({ x: s.step, y: s[q].mean, error: s[q].std })) },
    ];
    const flowData = (q: 'energy' | 'absMagnetization') => ({
      columns: ['T_i', 'step', 'mean', 'std', 'fixed'],
      rows: [...main.hot.steps.map((s) => [hot, s.step, s[q].mean, s[q].std, s.fixed]), ...main.cold.steps.map((s) => [cold, s.step, s[q].mean, s[q].std, s.fixed])],
    });
    report.figure({
      name: 'flow-energy', caption: `Fig. 3: energy per spin along the flow (N_l = ${cfg.mainHidden}, T_cut = ${tMain}); dashed: E(T_c) ± σ of the L = ${L} Monte Carlo data`, data: flowData('energy'),
      svg: linePlot({ title: `E/N along the NN flow (N_l = ${cfg.mainHidden})`, xLabel: 'iteration', yLabel: 'E/N', series: flowSeries('energy'), hlines: [{ y: band.energy.mean - band.energy.std, label: 'E(T_c) − σ' }, { y: band.energy.mean + band.energy.std, label: 'E(T_c) + σ' }] }),
    });
    report.figure({
      name: 'flow-magnetization', caption: `Fig. 5: |m| along the flow (N_l = ${cfg.mainHidden}); dashed: |m|(T_c) ± σ`, data: flowData('absMagnetization'),
      svg: linePlot({ title: `|m| along the NN flow (N_l = ${cfg.mainHidden})`, xLabel: 'iteration', yLabel: '|m|', series: flowSeries('absMagnetization'), hlines: [{ y: band.absM.mean - band.absM.std, label: '|m|(T_c) − σ' }, { y: band.absM.mean + band.absM.std, label: '|m|(T_c) + σ' }] }),
    });
    const mainModel = perModel.get(key(cfg.mainHidden, tMain)) as { re: number[]; reAll: { T: number; re: number }[] };
    const vT = [{ x: CRITICAL_TEMPERATURE, label: 'T_c' }];
    report.figure({
      name: 'reconstruction-error', caption: `Fig. 4: reconstruction error of every test configuration and its mean per T (N_l = ${cfg.mainHidden}, T_cut = ${tMain})`,
      data: { columns: ['T', 'RE'], rows: mainModel.reAll.map((r) => [r.T, r.re]) },
      svg: linePlot({ title: 'Reconstruction error', xLabel: 'T', yLabel: 'RE (fraction of wrong pixels)', vlines: vT, series: [{ name: 'test configurations', style: 'points', points: mainModel.reAll.map((r) => ({ x: r.T, y: r.re })) }, { name: 'mean', style: 'line', points: grid.map((T, i) => ({ x: T, y: mainModel.re[i] })) }] }),
    });
    report.figure({
      name: 're-vs-tcut', caption: `Fig. 6: mean RE vs T for N_l = ${cfg.mainHidden} and each T_cut`,
      data: { columns: ['T', ...tCuts.map((t) => `RE_Tcut_${t}`)], rows: grid.map((T, i) => [T, ...tCuts.map((t) => perModel.get(key(cfg.mainHidden, t))?.re[i] ?? null)]) },
      svg: linePlot({ title: `Mean RE, N_l = ${cfg.mainHidden}`, xLabel: 'T', yLabel: 'mean RE', vlines: vT, series: tCuts.map((t) => ({ name: `T_cut = ${t}`, style: 'line' as const, points: grid.map((T, i) => ({ x: T, y: perModel.get(key(cfg.mainHidden, t))?.re[i] ?? NaN })) })) }),
    });
    const firstSeries = (q: 'energy' | 'absM', mc: number[]): Series[] => [
      { name: 'Monte Carlo', style: 'line', dash: true, points: grid.map((T, i) => ({ x: T, y: mc[i] })) },
      ...hiddens.map((h) => ({ name: `N_l = ${h}`, style: 'line' as const, points: grid.map((T, i) => ({ x: T, y: perModel.get(key(h, tMain))?.[q][i] ?? NaN })) })),
    ];
    const firstData = (q: 'energy' | 'absM', mc: number[]) => ({ columns: ['T', 'monteCarlo', ...hiddens.map((h) => `N_l_${h}`)], rows: grid.map((T, i) => [T, mc[i], ...hiddens.map((h) => perModel.get(key(h, tMain))?.[q][i] ?? null)]) });
    report.figure({ name: 'first-energy', caption: `Fig. 7: energy of the first reconstruction vs T (T_cut = ${tMain})`, data: firstData('energy', mcEnergy), svg: linePlot({ title: 'E/N of first reconstructions', xLabel: 'T', yLabel: 'E/N', vlines: vT, series: firstSeries('energy', mcEnergy) }) });
    report.figure({ name: 'first-magnetization', caption: `Fig. 8: |m| of the first reconstruction vs T (T_cut = ${tMain})`, data: firstData('absM', mcAbsM), svg: linePlot({ title: '|m| of first reconstructions', xLabel: 'T', yLabel: '|m|', vlines: vT, series: firstSeries('absM', mcAbsM) }) });
    const top = grid.length - 1;
    const mTop = hiddens.map((h) => perModel.get(key(h, tMain))?.absM[top] ?? NaN);
    // least squares a in a/√N_l; a = 1 is the paper's "N_l random spins" argument
    const fitA = hiddens.reduce((s, h, i) => s + mTop[i] / Math.sqrt(h), 0) / hiddens.reduce((s, h) => s + 1 / h, 0);
    const fine = Array.from({ length: 60 }, (_, k) => hiddens[0] * (hiddens[hiddens.length - 1] / hiddens[0]) ** (k / 59));
    report.figure({
      name: 'magnetization-vs-nl', caption: `Fig. 9: mean |m| of reconstructions at T = ${grid[top]} vs N_l, against 1/√N_l (fit a/√N_l: a = ${fitA.toFixed(3)})`,
      data: { columns: ['N_l', 'absM', 'inverseSqrt'], rows: hiddens.map((h, i) => [h, mTop[i], 1 / Math.sqrt(h)]) },
      svg: linePlot({ title: `|m| of reconstructions at T = ${grid[top]}`, xLabel: 'N_l', yLabel: '|m|', series: [{ name: 'spinflow', style: 'points', points: hiddens.map((h, i) => ({ x: h, y: mTop[i] })) }, { name: '1/√N_l', style: 'line', dash: true, points: fine.map((h) => ({ x: h, y: 1 / Math.sqrt(h) })) }] }),
    });
    const fixedSeries = (which: 'hot' | 'cold'): Series[] => tCuts.map((t) => ({ name: `T_cut = ${t}`, style: 'both' as const, points: hiddens.map((h) => { const f = flows.get(key(h, t))?.[which]; const last = f?.steps[f.steps.length - 1]; return { x: h, y: last?.energy.mean ?? NaN, error: last?.energy.std }; }) }));
    const fixedData = (which: 'hot' | 'cold') => ({ columns: ['N_l', 'T_cut', 'Estar', 'std', 'steps', 'fixed'], rows: hiddens.flatMap((h) => tCuts.map((t) => { const f = flows.get(key(h, t))?.[which] as FlowResult; const last = f.steps[f.steps.length - 1]; return [h, t, last.energy.mean, last.energy.std, last.step, last.fixed]; })) });
    for (const [which, T, fig] of [['hot', hot, 10], ['cold', cold, 11]] as const) {
      report.figure({
        name: `fixed-energy-${which}`, caption: `Fig. ${fig}: energy E* at the end of the flow vs N_l for each T_cut, from T_i = ${T.toFixed(2)}; dashed: E(T_c) ± σ`, data: fixedData(which),
        svg: linePlot({ title: `E* from T_i = ${T.toFixed(2)}`, xLabel: 'N_l', yLabel: 'E*', series: fixedSeries(which), hlines: [{ y: band.energy.mean - band.energy.std, label: 'E(T_c) − σ' }, { y: band.energy.mean + band.energy.std, label: 'E(T_c) + σ' }] }),
      });
    }
    report.figure({
      name: 'ordered-re', caption: 'Fig. 12: RE of the two perfectly ordered configurations vs N_l for each T_cut',
      data: { columns: ['N_l', ...tCuts.map((t) => `Tcut_${t}`)], rows: hiddens.map((h) => [h, ...tCuts.map((t) => orderedRe.get(key(h, t)) ?? null)]) },
      svg: linePlot({ title: 'RE of ordered configurations', xLabel: 'N_l', yLabel: 'RE', series: tCuts.map((t) => ({ name: `T_cut = ${t}`, style: 'both' as const, points: hiddens.map((h) => ({ x: h, y: orderedRe.get(key(h, t)) ?? NaN })) })) }),
    });
    const finalImages = (f: FlowResult, T: number) => [0, 1, 2].filter((k) => k * N < f.final.length).map((k) => ({ spins: Int8Array.from(f.final.subarray(k * N, (k + 1) * N), (b) => (b > 0.5 ? 1 : -1)), L, caption: `from T = ${T.toFixed(2)}` }));
    report.figure({
      name: 'fixed-points', caption: `End points of the flow (N_l = ${cfg.mainHidden}): three from T_i = ${hot.toFixed(2)}, three from ${cold.toFixed(2)}`,
      data: { columns: ['T_i', 'k', 'energy'], rows: [] },
      svg: spinImages([...finalImages(main.hot, hot), ...finalImages(main.cold, cold)], Math.max(3, Math.round(120 / L))),
    });

    // intrinsic dimension per temperature (TwoNN on all configurations at T), next to the mean RE
    const ids = grid.map((T) => {
      const rows: number[] = [];
      for (let k = 0; k < temperature.length; k++) if (temperature[k] === T) rows.push(k);
      return twoNNConfigurations(bitsOf(rows), rows.length, N);
    });
    const idValues = ids.map((d) => d.dimension);
    const scaled = (xs: number[]) => { const m = Math.max(...xs.filter(Number.isFinite)); return xs.map((x) => x / m); };
    const reCurves = tCuts.map((t) => ({ t, re: perModel.get(key(cfg.mainHidden, t))?.re ?? [] }));
    report.figure({
      name: 'intrinsic-dimension', caption: `Beyond the paper: TwoNN intrinsic dimension of the configurations vs T and the mean RE (N_l = ${cfg.mainHidden}), each scaled to its maximum`,
      data: { columns: ['T', 'intrinsicDimension', 'distinctConfigurations', ...reCurves.map((c) => `RE_Tcut_${c.t}`)], rows: grid.map((T, i) => [T, idValues[i], ids[i].distinct, ...reCurves.map((c) => c.re[i])]) },
      svg: linePlot({
        title: 'Intrinsic dimension and reconstruction error', xLabel: 'T', yLabel: 'scaled to max = 1', vlines: vT,
        series: [{ name: 'intrinsic dimension (TwoNN)', style: 'both', points: grid.map((T, i) => ({ x: T, y: scaled(idValues)[i] })) }, ...reCurves.map((c) => ({ name: `mean RE, T_cut = ${c.t}`, style: 'line' as const, points: grid.map((T, i) => ({ x: T, y: scaled(c.re)[i] })) }))],
      }),
    });
    const argminAbove = (xs: number[], Tmin: number) => grid.reduce((best, T, i) => (T >= Tmin && Number.isFinite(xs[i]) && (best < 0 || xs[i] < xs[best]) ? i : best), -1);
    const idMin = argminAbove(idValues, 1.5);
    report.compare({ quantity: 'T of the intrinsic-dimension minimum (T ≥ 1.5)', spinflow: idMin >= 0 ? grid[idMin] : NaN, paper: 'near T_c (conjecture, ref. 7)', exact: CRITICAL_TEMPERATURE, note: `I_d there ${idMin >= 0 ? idValues[idMin].toFixed(2) : '–'}; I_d at T = ${grid[grid.length - 1]}: ${idValues[idValues.length - 1].toFixed(1)}` });
    const pearson = (a: number[], b: number[]) => {
      const idx = a.map((_, i) => i).filter((i) => Number.isFinite(a[i]) && Number.isFinite(b[i]));
      const ma = mean(idx.map((i) => a[i])), mb = mean(idx.map((i) => b[i]));
      const cov = idx.reduce((s2, i) => s2 + (a[i] - ma) * (b[i] - mb), 0);
      const va = idx.reduce((s2, i) => s2 + (a[i] - ma) ** 2, 0), vb = idx.reduce((s2, i) => s2 + (b[i] - mb) ** 2, 0);
      return cov / Math.sqrt(va * vb);
    };
    for (const c of reCurves) {
      report.compare({ quantity: `correlation of I_d(T) with the mean RE(T), N_l = ${cfg.mainHidden}, T_cut = ${c.t}`, spinflow: pearson(idValues, c.re), note: 'Pearson r over the temperatures with ≥ 3 distinct configurations' });
      const i = argminAbove(c.re, 1.5);
      report.compare({ quantity: `T of the mean-RE minimum, N_l = ${cfg.mainHidden}, T_cut = ${c.t} (T ≥ 1.5)`, spinflow: i >= 0 ? grid[i] : NaN, note: i >= 0 ? `RE ${c.re[i].toFixed(4)}` : '' });
    }

    // beyond the paper: the flow of an autoencoder trained with the physics-aware loss
    let physicsFindings: Record<string, unknown> | null = null;
    if (withPhysics) {
      const ae = loadAutoencoder(physicsArgs.weights);
      let pf: FlowResult;
      try {
        const h = flowStart(hot);
        pf = runFlow(ae, h.x, h.n, L, cfg.flowSteps);
      } finally {
        disposeAutoencoder(ae);
      }
      // a statistical fixed point: over the last 10 steps the means of E and |m| move less than
      // 3 standard errors while the reconstruction error stays finite
      const last = pf.steps.slice(-10);
      const half = (q: 'energy' | 'absMagnetization', from: number, to: number) => mean(last.slice(from, to).map((st) => st[q].mean));
      const n = pf.fixedAt.length;
      const steady = (q: 'energy' | 'absMagnetization') => last.length === 10 && Math.abs(half(q, 5, 10) - half(q, 0, 5)) < 3 * last[9][q].std / Math.sqrt(n);
      const endRe = pf.steps[pf.steps.length - 1].reconstructionError;
      const statistical = steady('energy') && steady('absMagnetization') && endRe > 0;
      const endPhys = pf.steps[pf.steps.length - 1];
      physicsFindings = { steps: endPhys.step, energy: endPhys.energy, absMagnetization: endPhys.absMagnetization, reconstructionError: endRe, fixed: endPhys.fixed, statisticalFixedPoint: statistical };
      report.figure({
        name: 'flow-physics', caption: `Beyond the paper: flow from T_i = ${hot.toFixed(2)} with the physics-aware loss (λ_E = ${cfg.physicsEnergy}, λ_m = ${cfg.physicsMagnetization}) next to plain MSE (N_l = ${cfg.mainHidden})`,
        data: { columns: ['loss', 'step', 'energy', 'energyStd', 'absM', 'absMStd', 'RE'], rows: [...pf.steps.map((st) => ['physics', st.step, st.energy.mean, st.energy.std, st.absMagnetization.mean, st.absMagnetization.std, st.reconstructionError]), ...main.hot.steps.map((st) => ['mse', st.step, st.energy.mean, st.energy.std, st.absMagnetization.mean, st.absMagnetization.std, st.reconstructionError])] },
        svg: linePlot({
          title: 'NN flow: physics-aware loss against MSE', xLabel: 'iteration', yLabel: 'E/N', hlines: [{ y: band.energy.mean - band.energy.std, label: 'E(T_c) − σ' }, { y: band.energy.mean + band.energy.std, label: 'E(T_c) + σ' }],
          series: [{ name: 'physics-aware loss', style: 'both', points: pf.steps.map((st) => ({ x: st.step, y: st.energy.mean, error: st.energy.std })) }, { name: 'MSE', style: 'both', points: main.hot.steps.map((st) => ({ x: st.step, y: st.energy.mean, error: st.energy.std })) }],
        }),
      });
      report.compare({
        quantity: 'physics-aware loss: statistical fixed point (E, |m| steady within 3 s.e. over 10 steps, RE > 0)', spinflow: statistical ? 'yes' : 'no', paper: 'open question (Sec. IV)',
        note: `after ${endPhys.step} steps: E = ${endPhys.energy.mean.toFixed(3)} ± ${endPhys.energy.std.toFixed(3)}, |m| = ${endPhys.absMagnetization.mean.toFixed(3)}, RE = ${Number.isFinite(endRe) ? endRe.toFixed(4) : '–'}, ${endPhys.fixed}/${n} exact fixed points`,
      });
    }

    // the flow's end points judged by the shared harness against the Monte Carlo configurations at T_c
    const tcSpins = new Int8Array(tcRows.length * N);
    tcRows.forEach((k, r) => tcSpins.set(spins.subarray(k * N, (k + 1) * N), r * N));
    const ends = Int8Array.from(main.hot.final, (b) => (b > 0.5 ? 1 : -1));
    const judged = evaluateConfigurations(ends, main.hot.fixedAt.length, L, { kind: 'monte-carlo', configs: tcSpins, n: tcRows.length });
    report.compare({
      quantity: `harness: end points of the flow from T_i = ${hot.toFixed(2)} against Monte Carlo at T = ${tc.toFixed(3)}`,
      spinflow: `E ${judged.energyDeviationSigmas.toFixed(1)}σ, |m| ${judged.absMagnetizationDeviationSigmas.toFixed(1)}σ, energy TV ${judged.energyTotalVariation.toFixed(3)} (p = ${judged.energyTest.pValue.toExponential(1)}), C(r) ${judged.correlationMaxDeviation ? `${judged.correlationMaxDeviation.sigmas.toFixed(1)}σ at r = ${judged.correlationMaxDeviation.r}` : '–'}`,
      paper: 'not critical configurations (Sec. III)',
    });

    // 5. findings as numbers
    const end = (f: FlowResult) => { const s = f.steps[f.steps.length - 1]; return { energy: s.energy, absMagnetization: s.absMagnetization, steps: s.step, fixed: s.fixed, count: f.fixedAt.length }; };
    const hotEnd = end(main.hot), coldEnd = end(main.cold);
    const inBand = Math.abs(hotEnd.energy.mean - band.energy.mean) <= band.energy.std;
    const eStar = hiddens.map((h) => end((flows.get(key(h, tMain)) as { hot: FlowResult }).hot).energy.mean);
    const monotone = eStar.every((e, i) => i === 0 || e >= eStar[i - 1] - 1e-9);
    const lowerEnergy = hiddens.every((h) => grid.every((T, i) => (perModel.get(key(h, tMain))?.energy[i] ?? 0) <= mcEnergy[i] + 1e-9 || T < 1));
    report.compare({ quantity: `E* of the flow from T_i = ${hot.toFixed(2)}`, spinflow: { mean: hotEnd.energy.mean, error: hotEnd.energy.std }, paper: 'near E(T_c) ≈ −1.4 (L = 30)', note: `E(T_c) band ${band.energy.mean.toFixed(3)} ± ${band.energy.std.toFixed(3)}: ${inBand ? 'inside' : 'outside'}; ${hotEnd.fixed}/${hotEnd.count} fixed after ${hotEnd.steps} steps` });
    report.compare({ quantity: `|m|* of the flow from T_i = ${hot.toFixed(2)}`, spinflow: { mean: hotEnd.absMagnetization.mean, error: hotEnd.absMagnetization.std }, paper: 'far from |m|(T_c)', note: `|m|(T_c) band ${band.absM.mean.toFixed(3)} ± ${band.absM.std.toFixed(3)}` });
    report.compare({ quantity: `E* of the flow from T_i = ${cold.toFixed(2)}`, spinflow: { mean: coldEnd.energy.mean, error: coldEnd.energy.std }, paper: -2, exact: -2, note: `${coldEnd.fixed}/${coldEnd.count} fixed after ${coldEnd.steps} steps` });
    report.compare({ quantity: `|m|* of the flow from T_i = ${cold.toFixed(2)}`, spinflow: { mean: coldEnd.absMagnetization.mean, error: coldEnd.absMagnetization.std }, paper: 1, exact: 1 });
    report.compare({ quantity: 'E* rises monotonically with N_l (T_i = 4.5)', spinflow: monotone ? 'yes' : 'no', paper: 'yes', note: eStar.map((e, i) => `N_l ${hiddens[i]}: ${e.toFixed(3)}`).join(', ') });
    report.compare({ quantity: 'first reconstructions have lower energy than their inputs (T ≥ 1)', spinflow: lowerEnergy ? 'yes' : 'no', paper: 'yes' });
    report.compare({ quantity: 'Fig. 9: a in |m| ≈ a/√N_l at the highest T', spinflow: fitA, paper: 1 });
    report.summary.findings = { endPointsAgainstCriticalMonteCarlo: { energySigmas: judged.energyDeviationSigmas, absMagnetizationSigmas: judged.absMagnetizationDeviationSigmas, energyTotalVariation: judged.energyTotalVariation, energyPValue: judged.energyTest.pValue, correlationMaxDeviation: judged.correlationMaxDeviation }, physicsLoss: physicsFindings, intrinsicDimension: Object.fromEntries(grid.map((T, i) => [T, idValues[i]])), intrinsicDimensionMinimumT: idMin >= 0 ? grid[idMin] : null, hotEnd, coldEnd, criticalBand: band, hotEndInCriticalBand: inBand, eStarVsHidden: Object.fromEntries(hiddens.map((h, i) => [h, eStar[i]])), eStarMonotone: monotone, firstReconstructionLowerEnergy: lowerEnergy, fig9Amplitude: fitA, trainSeconds, models: jobs.length, trainSizes: trained.map((t) => t.trainSize) };
    const text = [
      `L = ${L}, ${jobs.length} autoencoders (N_l ∈ {${hiddens.join(', ')}} × T_cut ∈ {${tCuts.join(', ')}}), trained in ${trainSeconds.toFixed(1)} s on ${backend.detail}`,
      `flow from T_i = ${hot.toFixed(2)} (N_l = ${cfg.mainHidden}): E* = ${hotEnd.energy.mean.toFixed(4)} ± ${hotEnd.energy.std.toFixed(4)}, |m|* = ${hotEnd.absMagnetization.mean.toFixed(3)}, ${hotEnd.fixed}/${hotEnd.count} fixed after ${hotEnd.steps} steps; E(T_c) band ${band.energy.mean.toFixed(3)} ± ${band.energy.std.toFixed(3)} → ${inBand ? 'inside' : 'outside'}`,
      `flow from T_i = ${cold.toFixed(2)}: E* = ${coldEnd.energy.mean.toFixed(4)}, |m|* = ${coldEnd.absMagnetization.mean.toFixed(3)}, ${coldEnd.fixed}/${coldEnd.count} fixed after ${coldEnd.steps} steps`,
      `E* vs N_l (T_i = ${hot.toFixed(2)}): ${eStar.map((e, i) => `${hiddens[i]}: ${e.toFixed(3)}`).join(', ')} → ${monotone ? 'monotone' : 'not monotone'}`,
      `Fig. 9: |m| at T = ${grid[top]} ≈ ${fitA.toFixed(3)}/√N_l`,
    ].join('\n');
    return { report, text, passed: true };
}

/**
 * `spinflow ae flow`: the flow of up to `count` test configurations of a dataset at the grid
 * temperature nearest `T`, under a saved autoencoder.
 */
export async function flowFromDataset(dataDir: string, modelPath: string, T: number, count: number, maxSteps: number): Promise<{ T: number; L: number; flow: FlowResult }> {
  const manifest = readManifest(dataDir);
  const group = findGroup(manifest);
  const L = manifest.spec.groups[0].L, N = L * L;
  const spins = (await readArray(dataDir, manifest, group, 'spins')) as Int8Array;
  const temperature = (await readArray(dataDir, manifest, group, 'temperature')) as Float64Array;
  const split = (await readArray(dataDir, manifest, group, 'split')) as Uint8Array;
  const grid = group.temperatures.map((t) => t.T);
  const Tn = grid.reduce((a, b) => (Math.abs(b - T) < Math.abs(a - T) ? b : a));
  const rows: number[] = [];
  for (let k = 0; k < temperature.length && rows.length < count; k++) if (split[k] === 2 && temperature[k] === Tn) rows.push(k);
  const x = new Float32Array(rows.length * N);
  rows.forEach((k, r) => { for (let i = 0; i < N; i++) x[r * N + i] = spins[k * N + i] > 0 ? 1 : 0; });
  const ae = loadAutoencoder(modelPath);
  try {
    if (ae.spec.inputs !== N) throw new Error(`the model takes ${ae.spec.inputs} inputs, the dataset has L = ${L} (${N} sites)`);
    return { T: Tn, L, flow: runFlow(ae, x, rows.length, L, maxSteps) };
  } finally {
    disposeAutoencoder(ae);
  }
}
