/**
 * Exact values of the finite periodic lattice, from the best exact method available: exhaustive
 * enumeration up to 25 spins (any T, J, h, also at fixed magnetization), Kaufman's formula otherwise
 * (h = 0). Returned quantities not known for the chosen method are absent.
 */
import { enumerationObservables, MAX_ENUMERATION_SPINS } from './enumeration.js';
import { kaufmanObservables } from './kaufman.js';

export interface FiniteLatticeValues {
  method: 'enumeration' | 'kaufman';
  logZ: number;
  freeEnergyPerSpin: number;
  energyPerSpin: number;
  specificHeat: number;
  absMagnetization?: number;
  magnetization?: number;
  susceptibility?: number;
  binder?: number;
}

/** Exact finite-lattice values, or null when no exact method covers the case. */
export function finiteLatticeExact(Lx: number, Ly: number, T: number, J = 1, h = 0, magnetization: number | null = null): FiniteLatticeValues | null {
  if (Lx * Ly <= MAX_ENUMERATION_SPINS) {
    const e = enumerationObservables(Lx, Ly, T, J, h, magnetization);
    return {
      method: 'enumeration', logZ: e.logZ, freeEnergyPerSpin: e.freeEnergyPerSpin, energyPerSpin: e.energyPerSpin,
      specificHeat: e.specificHeat, absMagnetization: e.absMagnetization, magnetization: e.m,
      susceptibility: e.susceptibility, binder: e.binder,
    };
  }
  if (h !== 0 || magnetization !== null) return null;
  if (J < 0 && (Lx % 2 !== 0 || Ly % 2 !== 0)) return null;
  const k = kaufmanObservables(Lx, Ly, T, J);
  return { method: 'kaufman', logZ: k.logZ, freeEnergyPerSpin: k.freeEnergyPerSpin, energyPerSpin: k.energyPerSpin, specificHeat: k.specificHeat };
}
