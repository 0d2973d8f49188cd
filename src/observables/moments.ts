/**
 * The one definition of the thermodynamic observables derived from moments of the energy and
 * magnetization per spin, used by the Monte Carlo analysis and by the exact references alike.
 *
 *   e = E/N, m = M/N per configuration; N spins; β = 1/T
 *   specific heat per spin  C = β² N (⟨e²⟩ − ⟨e⟩²)
 *   susceptibility per spin χ = β N (⟨m²⟩ − ⟨|m|⟩²)   for h = 0 and J > 0 (the finite-lattice
 *                           convention with |m|, whose mean vanishes by symmetry otherwise), and
 *                           χ = β N (⟨m²⟩ − ⟨m⟩²) = ∂⟨m⟩/∂h for h ≠ 0 or J < 0
 *   Binder cumulant         U4 = 1 − ⟨m⁴⟩ / (3 ⟨m²⟩²)
 */

export interface Moments {
  e: number;
  e2: number;
  absM: number;
  m: number;
  m2: number;
  m4: number;
}

export function specificHeat(mo: Pick<Moments, 'e' | 'e2'>, N: number, T: number): number {
  return (N * (mo.e2 - mo.e * mo.e)) / (T * T);
}

/** Whether χ subtracts ⟨|m|⟩² (h = 0, J > 0) rather than ⟨m⟩². */
export function susceptibilityUsesAbs(J: number, h: number): boolean {
  return h === 0 && J > 0;
}

export function susceptibility(mo: Pick<Moments, 'absM' | 'm' | 'm2'>, N: number, T: number, J = 1, h = 0): number {
  const order = susceptibilityUsesAbs(J, h) ? mo.absM : mo.m;
  return (N * (mo.m2 - order * order)) / T;
}

export function binderCumulant(mo: Pick<Moments, 'm2' | 'm4'>): number {
  return 1 - mo.m4 / (3 * mo.m2 * mo.m2);
}
