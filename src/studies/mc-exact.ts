/**
 * Monte Carlo against exact values: every non-conserving algorithm at T = 2.0, T_c and 3.0 next to
 * Kaufman's finite-lattice energy and specific heat, and the conserved samplers next to exhaustive
 * enumeration at fixed M0 on 4 × 4. A deviation beyond 5 error bars fails the study.
 */
import { CRITICAL_TEMPERATURE } from '../exact/onsager.js';
import { finiteLatticeExact } from '../exact/finite-lattice.js';
import { simulate } from '../sampling/simulate.js';
import type { Algorithm } from '../sampling/algorithms.js';
import type { Study, StudyContext, StudyOutcome } from './study.js';

const CONFIG = {
  quick: { L: 16, sweeps: 20000, thermalize: 2000, chains: 2 },
  paper: { L: 64, sweeps: 200000, thermalize: 20000, chains: 4 },
} as const;

const TEMPERATURES = [2.0, CRITICAL_TEMPERATURE, 3.0];
const FREE: Algorithm[] = ['metropolis', 'checkerboard', 'multispin', 'heatbath', 'wolff'];
const CONSERVED: Algorithm[] = ['kawasaki', 'exchange'];

export const mcExactStudy: Study = {
  name: 'mc-exact',
  title: 'Monte Carlo samplers against exact finite-lattice values',
  async run(ctx: StudyContext): Promise<StudyOutcome> {
    const cfg = CONFIG[ctx.scale];
    const rows: Record<string, unknown>[] = [];
    const lines = [`L  algorithm     T        E/N (MC)               E/N exact    dev/σ   C (MC)              C exact   dev/σ`];
    let passed = true;
    const jobs: { algorithm: Algorithm; L: number; magnetization?: number }[] = [
      ...FREE.map((algorithm) => ({ algorithm, L: cfg.L })),
      ...CONSERVED.map((algorithm) => ({ algorithm, L: 4, magnetization: 0 })),
    ];
    let done = 0;
    const perJob = TEMPERATURES.length * cfg.chains * (cfg.sweeps + cfg.thermalize);
    const total = jobs.length * perJob;
    for (const job of jobs) {
      const results = await simulate({
        L: job.L, T: TEMPERATURES, algorithm: job.algorithm, magnetization: job.magnetization,
        sweeps: cfg.sweeps, thermalize: cfg.thermalize, chains: cfg.chains, seed: ctx.seed, workers: ctx.workers,
        onProgress: (d) => ctx.onProgress?.(done + d, total),
      });
      done += perJob;
      for (const r of results) {
        const exact = finiteLatticeExact(job.L, job.L, r.T, 1, 0, r.magnetization0);
        if (!exact) continue;
        const devE = (r.energyPerSpin.mean - exact.energyPerSpin) / r.energyPerSpin.error;
        const devC = (r.specificHeat.mean - exact.specificHeat) / r.specificHeat.error;
        const ok = Math.abs(devE) <= 5 && Math.abs(devC) <= 5;
        passed &&= ok;
        rows.push({ L: job.L, algorithm: job.algorithm, T: r.T, energyPerSpin: r.energyPerSpin, specificHeat: r.specificHeat, exact, deviationEnergy: devE, deviationSpecificHeat: devC, ok, flipsPerNanosecond: r.flipsPerNanosecond });
        lines.push(
          `${String(job.L).padEnd(3)}${job.algorithm.padEnd(14)}${r.T.toFixed(4).padEnd(9)}` +
            `${pm(r.energyPerSpin.mean, r.energyPerSpin.error).padEnd(23)}${exact.energyPerSpin.toFixed(6).padEnd(13)}${devE.toFixed(2).padStart(6)}   ` +
            `${pm(r.specificHeat.mean, r.specificHeat.error).padEnd(20)}${exact.specificHeat.toFixed(5).padEnd(10)}${devC.toFixed(2).padStart(6)}${ok ? '' : '  FAIL'}`,
        );
      }
    }
    return { summary: { scale: ctx.scale, config: cfg, rows, passed }, text: lines.join('\n'), passed };
  },
};

function pm(mean: number, error: number): string {
  return `${mean.toFixed(6)} ± ${error.toFixed(6)}`;
}
