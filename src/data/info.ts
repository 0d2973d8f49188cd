/**
 * `spinflow dataset info`: per group and temperature, what was sampled and how (thermalization,
 * τ_int, spacing, stripe fraction) and what it measures (⟨E⟩/N, ⟨|M|⟩/N with errors), next to the
 * exact finite-lattice values where they exist, with the deviation in standard errors.
 */
import { readManifest, type Manifest, type TemperatureEntry } from './manifest.js';

const SAMPLING = ['T', 'count', 'splits', 'thermalizationSweeps', 'thermalized', 'tauIntEnergy', 'tauIntOrder', 'spacing', 'sampleTauIntEnergy', 'sampleTauIntOrder', 'stripeFraction'] as const;

export interface InfoRow extends Pick<TemperatureEntry, (typeof SAMPLING)[number]> {
  energyPerSpin: { mean: number; error: number };
  absMagnetization: { mean: number; error: number };
  exactEnergyPerSpin: number | null;
  exactAbsMagnetization: number | null;
  exactMethod: string | null;
  /** (MC − exact) / error of E/N, or null. */
  energyDeviation: number | null;
}

export interface InfoGroup {
  name: string;
  model: string;
  L: number;
  magnetization: number | null;
  algorithm: string;
  count: number;
  rows: InfoRow[];
}

export interface DatasetInfo {
  dir: string;
  preset: string | null;
  scale: string | null;
  seed: number;
  storage: string;
  spinflow: Manifest['spinflow'];
  configurations: number;
  groups: InfoGroup[];
}

export function datasetInfo(dir: string): DatasetInfo {
  const m = readManifest(dir);
  const groups = m.groups.map((g, gi): InfoGroup => {
    const s = m.spec.groups[gi];
    return {
      name: g.name, model: s.model, L: s.L, magnetization: s.magnetization, algorithm: s.algorithm, count: g.count,
      rows: g.temperatures.map((t): InfoRow => {
        const e = t.monteCarlo.energyPerSpin;
        const exactE = t.exact?.energyPerSpin ?? null;
        const sampling = Object.fromEntries(SAMPLING.map((k) => [k, t[k]])) as Pick<TemperatureEntry, (typeof SAMPLING)[number]>;
        return {
          ...sampling,
          energyPerSpin: { mean: e.mean, error: e.error }, absMagnetization: { mean: t.monteCarlo.absMagnetization.mean, error: t.monteCarlo.absMagnetization.error },
          exactEnergyPerSpin: exactE, exactAbsMagnetization: t.exact?.absMagnetization ?? null, exactMethod: t.exact?.method ?? null,
          energyDeviation: exactE !== null && e.error > 0 ? (e.mean - exactE) / e.error : null,
        };
      }),
    };
  });
  return {
    dir, preset: m.spec.preset, scale: m.spec.scale, seed: m.spec.seed, storage: m.spec.storage, spinflow: m.spinflow,
    configurations: m.groups.reduce((a, g) => a + g.count, 0), groups,
  };
}
