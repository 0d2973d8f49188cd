/**
 * Kaufman's exact partition function of the periodic Lx × Ly Ising model at h = 0 (Phys. Rev. 76,
 * 1232 (1949)), with its first and second derivatives in K = J/T computed analytically, so the
 * finite-lattice energy and specific heat are exact to rounding.
 *
 * With n = Lx columns, m = Ly rows and N = n·m:
 *   Z = ½ (2 sinh 2K)^{N/2} [Π_{r=1}^{n} 2cosh(mγ_{2r}/2) + Π 2sinh(mγ_{2r}/2)
 *                            + Π 2cosh(mγ_{2r−1}/2) + Π 2sinh(mγ_{2r−1}/2)]
 *   cosh γ_k = cosh 2K coth 2K − cos(πk/n)  (γ_k > 0),   γ_0 ≡ γ_{2n} = 2K + ln tanh K  (signed).
 * The sign of γ_0 flips at K_c, and Π 2sinh(mγ_{2r}/2) turns negative below T_c.
 *
 * Stability: every factor is carried as e^ℓ · (v, v', v'') with ℓ = |mγ/2|, and the products fold
 * (A, A', A'')·(f, f', f'') = (Af, A'f + Af', A''f + 2A'f' + Af'') without division, so nothing
 * overflows (L ≥ 1024 works) and the zero of sinh(mγ_0/2) at K_c causes no 0·∞.
 */

import { highTemperatureSeries, HIGH_T_K, LOW_T_K } from './onsager.js';

/** A quantity e^{scale}·value with its first and second K-derivatives at the same scale. */
interface Scaled {
  scale: number;
  v: number;
  d1: number;
  d2: number;
}

function multiply(a: Scaled, f: Scaled): void {
  const v = a.v * f.v;
  const d1 = a.d1 * f.v + a.v * f.d1;
  const d2 = a.d2 * f.v + 2 * a.d1 * f.d1 + a.v * f.d2;
  a.v = v;
  a.d1 = d1;
  a.d2 = d2;
  a.scale += f.scale;
  const big = Math.max(Math.abs(v), Math.abs(d1), Math.abs(d2));
  if (big > 1e150) {
    a.v /= 1e150;
    a.d1 /= 1e150;
    a.d2 /= 1e150;
    a.scale += 150 * Math.LN10;
  }
}

/** 2cosh(x) (kind 'cosh') or 2sinh(x) with x = mγ/2 and its K-derivatives x', x''. */
function factor(kind: 'cosh' | 'sinh', x: number, x1: number, x2: number): Scaled {
  const ax = Math.abs(x);
  const q = Math.exp(-2 * ax);
  const C = 1 + q; // 2cosh(x)·e^{−|x|}
  const S = Math.sign(x) * (1 - q); // 2sinh(x)·e^{−|x|}
  return kind === 'cosh'
    ? { scale: ax, v: C, d1: S * x1, d2: C * x1 * x1 + S * x2 }
    : { scale: ax, v: S, d1: C * x1, d2: S * x1 * x1 + C * x2 };
}

export interface KaufmanResult {
  Lx: number;
  Ly: number;
  T: number;
  J: number;
  logZ: number;
  freeEnergyPerSpin: number;
  energyPerSpin: number;
  specificHeat: number;
}

/** ln Z and its first two derivatives with respect to K for the periodic n × m lattice. */
export function kaufmanLogZDerivatives(n: number, m: number, K: number): { logZ: number; d1: number; d2: number } {
  if (!Number.isInteger(n) || !Number.isInteger(m) || n < 2 || m < 2) throw new RangeError(`lattice ${n}×${m} is not allowed: sides must be integers ≥ 2`);
  if (!(K > 0) || !Number.isFinite(K)) throw new RangeError(`K = ${K} is not allowed: Kaufman's formula here needs a finite coupling K = J/T > 0`);
  const N = n * m;
  // Limits where the general formula overflows (K → ∞) or its derivatives cancel (K → 0; the
  // error there grows like 1e−16/K²), both exact to double precision:
  // K ≥ 40: two ground states, the lightest excitation weighs N·e^{−8K} < 1e−130;
  // K < 1e−3 with sides ≥ 8: the high-temperature series to t⁶.
  if (K >= LOW_T_K) return { logZ: 2 * N * K + Math.LN2, d1: 2 * N, d2: 0 };
  if (K < HIGH_T_K && Math.min(n, m) >= 8) {
    const { f, d1, d2 } = highTemperatureSeries(K);
    return { logZ: N * (Math.LN2 + f), d1: N * d1, d2: N * d2 };
  }
  const s2 = Math.sinh(2 * K);
  const c2 = Math.cosh(2 * K);
  const c = (c2 * c2) / s2; // cosh 2K coth 2K
  const c1 = 2 * c2 - (2 * c2) / (s2 * s2);
  const cpp = 4 * s2 - 4 / s2 + (8 * c2 * c2) / (s2 * s2 * s2);
  const half = m / 2;
  // γ_k with its derivatives, k = 0..2n−1 (γ_0 stands for γ_{2n})
  const terms: Scaled[] = [
    { scale: 0, v: 1, d1: 0, d2: 0 }, // Π 2cosh(mγ_even/2)
    { scale: 0, v: 1, d1: 0, d2: 0 }, // Π 2sinh(mγ_even/2)
    { scale: 0, v: 1, d1: 0, d2: 0 }, // Π 2cosh(mγ_odd/2)
    { scale: 0, v: 1, d1: 0, d2: 0 }, // Π 2sinh(mγ_odd/2)
  ];
  for (let k = 0; k < 2 * n; k++) {
    let g: number, g1: number, g2: number;
    if (k === 0) {
      g = 2 * K + Math.log(Math.tanh(K));
      g1 = 2 + 2 / s2;
      g2 = (-4 * c2) / (s2 * s2);
    } else {
      const ch = c - Math.cos((Math.PI * k) / n); // > 1 for k ≠ 0
      g = Math.acosh(ch);
      const sh = Math.sqrt((ch - 1) * (ch + 1));
      g1 = c1 / sh;
      g2 = (cpp - ch * g1 * g1) / sh;
    }
    const [x, x1, x2] = [half * g, half * g1, half * g2];
    const base = k % 2 === 0 ? 0 : 2;
    multiply(terms[base], factor('cosh', x, x1, x2));
    multiply(terms[base + 1], factor('sinh', x, x1, x2));
  }
  const top = Math.max(...terms.map((t) => t.scale));
  let S = 0, S1 = 0, S2 = 0;
  for (const t of terms) {
    const w = Math.exp(t.scale - top);
    S += w * t.v;
    S1 += w * t.d1;
    S2 += w * t.d2;
  }
  const logZ = -Math.LN2 + (N / 2) * Math.log(2 * s2) + top + Math.log(S);
  const d1 = (N * c2) / s2 + S1 / S;
  const d2 = (-2 * N) / (s2 * s2) + S2 / S - (S1 / S) * (S1 / S);
  return { logZ, d1, d2 };
}

/**
 * Exact finite-lattice thermodynamics from Kaufman's formula. An antiferromagnet (J < 0) is mapped
 * onto the ferromagnet when both sides are even (the lattice is then bipartite).
 */
export function kaufmanObservables(Lx: number, Ly: number, T: number, J = 1): KaufmanResult {
  if (!(T > 0) || !Number.isFinite(T)) throw new RangeError(`T = ${T} is not allowed: the temperature must be a positive number`);
  if (J < 0 && (Lx % 2 !== 0 || Ly % 2 !== 0)) throw new RangeError(`J = ${J} on ${Lx}×${Ly}: an antiferromagnet is exact here only with even sides`);
  if (J === 0 || !Number.isFinite(J)) throw new RangeError(`J = ${J} is not allowed: the coupling must be a non-zero number`);
  const aJ = Math.abs(J);
  const K = aJ / T;
  const N = Lx * Ly;
  const { logZ, d1, d2 } = kaufmanLogZDerivatives(Lx, Ly, K);
  return {
    Lx, Ly, T, J,
    logZ,
    freeEnergyPerSpin: (-T * logZ) / N,
    energyPerSpin: (-aJ * d1) / N,
    specificHeat: (K * K * d2) / N,
  };
}

/** ln Z of the periodic Lx × Ly lattice at h = 0 (Kaufman). */
export function kaufmanLogZ(Lx: number, Ly: number, T: number, J = 1): number {
  return kaufmanObservables(Lx, Ly, T, J).logZ;
}
