/**
 * Monte Carlo against exact values: every non-conserving algorithm at T = 2.0, T_c and 3.0 next to
 * Kaufman's finite-lattice energy and specific heat, and the conserved samplers next to exhaustive
 * enumeration at fixed M0 on 4 × 4. A deviation beyond 5 error bars fails the study.
 */
import { CRITICAL_TEMPERATURE } from '../exact/onsager.js';
import { finiteLatticeExact } from '../exact/finite-lattice.js';
import { kaufmanObservables } from '../exact/kaufman.js';
import { simulate } from '../sampling/simulate.js';
import type { Algorithm } from '../sampling/algorithms.js';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Report } from '../report/report.js';
import { linePlot, type Series } from '../report/plot.js';
import type { Study, StudyContext, StudyOutcome } from './study.js';

type Config = { L: number; sweeps: number; thermalize: number; chains: number };

const TEMPERATURES = [2.0, CRITICAL_TEMPERATURE, 3.0];
const FREE: Algorithm[] = ['metropolis', 'checkerboard', 'multispin', 'heatbath', 'wolff'];
const CONSERVED: Algorithm[] = ['kawasaki', 'exchange', 'geometric'];

export const mcExactStudy: Study<Config> = {
  name: 'mc-exact',
  title: 'Monte Carlo samplers against exact finite-lattice values',
  params: {
    L: { kind: 'integer', min: 4, max: 1024, description: 'lattice side of the non-conserving samplers' },
    sweeps: { kind: 'integer', min: 100, description: 'measured sweeps per chain' },
    thermalize: { kind: 'integer', min: 0, description: 'discarded sweeps per chain' },
    chains: { kind: 'integer', min: 1, max: 64, description: 'independent chains per temperature' },
  },
  defaults: (scale) => (scale === 'paper' ? { L: 64, sweeps: 200000, thermalize: 20000, chains: 4 } : { L: 16, sweeps: 20000, thermalize: 2000, chains: 2 }),
  async run(cfg: Config, ctx: StudyContext): Promise<StudyOutcome> {
    const rows: Record<string, unknown>[] = [];
    const report = new Report('mc-exact', this.title, { scale: ctx.scale, config: cfg, rows });
    const lines = [`L  algorithm     T        E/N (MC)               E/N exact    dev/σ   C (MC)              C exact   dev/σ`];
    let passed = true;
    const jobs: { algorithm: Algorithm; L: number; magnetization?: number }[] = [
      ...FREE.map((algorithm) => ({ algorithm, L: cfg.L })),
      ...CONSERVED.map((algorithm) => ({ algorithm, L: 4, magnetization: 0 })),
    ];
    if (ctx.checkpointDir && !ctx.resume) rmSync(ctx.checkpointDir, { recursive: true, force: true });
    let done = 0;
    const perJob = TEMPERATURES.length * cfg.chains * (cfg.sweeps + cfg.thermalize);
    const total = jobs.length * perJob;
    const energySeries: Series[] = [];
    const heatSeries: Series[] = [];
    const deviationSeries: Series[] = [];
    const data: (number | string)[][] = [];
    for (const job of jobs) {
      const results = await simulate({
        L: job.L, T: TEMPERATURES, algorithm: job.algorithm, magnetization: job.magnetization,
        sweeps: cfg.sweeps, thermalize: cfg.thermalize, chains: cfg.chains, seed: ctx.seed, workers: ctx.workers,
        ...(ctx.checkpointDir ? { checkpoint: join(ctx.checkpointDir, `${job.algorithm}-L${job.L}`), checkpointSeconds: 30 } : {}),
        onProgress: (d) => ctx.onProgress?.(done + d, total),
      });
      done += perJob;
      if (job.L === cfg.L && job.magnetization === undefined) {
        energySeries.push({ name: job.algorithm, style: 'points', points: results.map((r) => ({ x: r.T, y: r.energyPerSpin.mean, error: r.energyPerSpin.error })) });
        heatSeries.push({ name: job.algorithm, style: 'points', points: results.map((r) => ({ x: r.T, y: r.specificHeat.mean, error: r.specificHeat.error })) });
      }
      const deviations: { x: number; y: number }[] = [];
      for (const r of results) {
        const exact = finiteLatticeExact(job.L, job.L, r.T, 1, 0, r.magnetization0);
        if (!exact) continue;
        const devE = (r.energyPerSpin.mean - exact.energyPerSpin) / r.energyPerSpin.error;
        deviations.push({ x: r.T, y: devE });
        const devC = (r.specificHeat.mean - exact.specificHeat) / r.specificHeat.error;
        const ok = Math.abs(devE) <= 5 && Math.abs(devC) <= 5;
        passed &&= ok;
        const label = `${job.algorithm}, L = ${job.L}${job.magnetization !== undefined ? `, M0 = ${job.magnetization}` : ''}, T = ${r.T.toFixed(4)}`;
        report.compare({ quantity: `E/N, ${label}`, spinflow: r.energyPerSpin, exact: exact.energyPerSpin, note: exact.method });
        report.compare({ quantity: `C, ${label}`, spinflow: r.specificHeat, exact: exact.specificHeat, note: exact.method });
        rows.push({ L: job.L, algorithm: job.algorithm, T: r.T, energyPerSpin: r.energyPerSpin, specificHeat: r.specificHeat, exact, deviationEnergy: devE, deviationSpecificHeat: devC, ok, flipsPerNanosecond: r.flipsPerNanosecond });
        data.push([job.algorithm, job.L, r.T, r.energyPerSpin.mean, r.energyPerSpin.error, exact.energyPerSpin, r.specificHeat.mean, r.specificHeat.error, exact.specificHeat]);
        lines.push(
          `${String(job.L).padEnd(3)}${job.algorithm.padEnd(14)}${r.T.toFixed(4).padEnd(9)}` +
            `${pm(r.energyPerSpin.mean, r.energyPerSpin.error).padEnd(23)}${exact.energyPerSpin.toFixed(6).padEnd(13)}${devE.toFixed(2).padStart(6)}   ` +
            `${pm(r.specificHeat.mean, r.specificHeat.error).padEnd(20)}${exact.specificHeat.toFixed(5).padEnd(10)}${devC.toFixed(2).padStart(6)}${ok ? '' : '  FAIL'}`,
        );
      }
      deviationSeries.push({ name: `${job.algorithm} (L = ${job.L})`, style: 'both', points: deviations });
    }
    // exact curves on a fine grid, behind the Monte Carlo points
    const grid = Array.from({ length: 81 }, (_, k) => 1.5 + k * 0.025);
    const curve = grid.map((T) => ({ ...kaufmanObservables(cfg.L, cfg.L, T), T }));
    const columns = ['algorithm', 'L', 'T', 'energyPerSpin', 'energyError', 'exactEnergyPerSpin', 'specificHeat', 'specificHeatError', 'exactSpecificHeat'];
    const vlines = [{ x: CRITICAL_TEMPERATURE, label: 'T_c' }];
    report.figure({
      name: 'energy', caption: `Energy per spin, L = ${cfg.L}: samplers against Kaufman's exact value`, data: { columns, rows: data },
      svg: linePlot({ title: `E/N on the ${cfg.L}×${cfg.L} torus`, xLabel: 'T', yLabel: 'E/N', vlines, series: [{ name: 'Kaufman (exact)', style: 'line', dash: true, points: curve.map((c) => ({ x: c.T, y: c.energyPerSpin })) }, ...energySeries] }),
    });
    report.figure({
      name: 'specific-heat', caption: `Specific heat per spin, L = ${cfg.L}: samplers against Kaufman's exact value`, data: { columns, rows: data },
      svg: linePlot({ title: `C on the ${cfg.L}×${cfg.L} torus`, xLabel: 'T', yLabel: 'C', vlines, series: [{ name: 'Kaufman (exact)', style: 'line', dash: true, points: curve.map((c) => ({ x: c.T, y: c.specificHeat })) }, ...heatSeries] }),
    });
    report.figure({
      name: 'deviations', caption: 'Deviation of E/N from the exact value in standard errors (the study fails beyond ±5)', data: { columns, rows: data },
      svg: linePlot({ title: '(E/N − exact) / σ', xLabel: 'T', yLabel: 'deviation / σ', vlines, hlines: [{ y: 5, label: '+5σ' }, { y: -5, label: '−5σ' }], series: deviationSeries }),
    });
    report.summary.passed = passed;
    return { report, text: lines.join('\n'), passed };
  },
};

function pm(mean: number, error: number): string {
  return `${mean.toFixed(6)} ± ${error.toFixed(6)}`;
}
