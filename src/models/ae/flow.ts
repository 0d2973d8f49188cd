/**
 * The NN flow: feed a configuration to the autoencoder, round the reconstruction, feed it back, and
 * repeat until it no longer changes (a fixed point: reconstruction error 0) or `maxSteps` pass.
 * Energy and magnetization are measured with the lattice's one definition (lattice/square.ts).
 */
import { bitsToSpins, energyPerSpin, magnetization, squareLattice } from '../../lattice/square.js';
import { reconstruct, type Autoencoder } from './autoencoder.js';

export interface FlowStep {
  step: number;
  energy: { mean: number; std: number };
  absMagnetization: { mean: number; std: number };
  /** Mean fraction of pixels that changed in this step (the RE of the step's inputs). */
  reconstructionError: number;
  /** Configurations that reached their fixed point at or before this step. */
  fixed: number;
}

export interface FlowResult {
  steps: FlowStep[];
  /** Per configuration: the step at which it became a fixed point, or null. */
  fixedAt: (number | null)[];
  /** The final configurations, {0, 1}, row-major [n, N]. */
  final: Float32Array;
}

function meanStd(xs: number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, x) => a + (x - mean) * (x - mean), 0) / Math.max(1, xs.length - 1);
  return { mean, std: Math.sqrt(v) };
}

/** E/N and |M|/N of each {0,1} row (spin +1 ↦ 1). */
export function measureRows(bits: Float32Array, n: number, L: number): { energy: number[]; absM: number[] } {
  const lattice = squareLattice(L);
  const N = L * L;
  const spins = new Int8Array(N);
  const energy: number[] = [], absM: number[] = [];
  for (let k = 0; k < n; k++) {
    bitsToSpins(bits.subarray(k * N, (k + 1) * N), spins);
    energy.push(energyPerSpin(lattice, spins));
    absM.push(Math.abs(magnetization(spins)) / N);
  }
  return { energy, absM };
}

/** Fraction of differing pixels of each row pair. */
export function pixelErrors(a: Float32Array, b: Float32Array, n: number, N: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    let wrong = 0;
    for (let i = k * N; i < (k + 1) * N; i++) if (a[i] !== b[i]) wrong++;
    out.push(wrong / N);
  }
  return out;
}

export function runFlow(ae: Autoencoder, start: Float32Array, n: number, L: number, maxSteps: number): FlowResult {
  const N = L * L;
  let x: Float32Array = start.slice();
  const fixedAt: (number | null)[] = new Array(n).fill(null);
  const first = measureRows(x, n, L);
  const steps: FlowStep[] = [{ step: 0, energy: meanStd(first.energy), absMagnetization: meanStd(first.absM), reconstructionError: NaN, fixed: 0 }];
  for (let s = 1; s <= maxSteps; s++) {
    const y = reconstruct(ae, x, n);
    const errors = pixelErrors(x, y, n, N);
    errors.forEach((e, k) => {
      if (e === 0 && fixedAt[k] === null) fixedAt[k] = s - 1;
    });
    x = y;
    const m = measureRows(x, n, L);
    steps.push({
      step: s, energy: meanStd(m.energy), absMagnetization: meanStd(m.absM),
      reconstructionError: errors.reduce((a, b) => a + b, 0) / n, fixed: fixedAt.filter((f) => f !== null).length,
    });
    if (fixedAt.every((f) => f !== null)) break;
  }
  return { steps, fixedAt, final: x };
}
