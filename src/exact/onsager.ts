/**
 * Exact results for the infinite square-lattice Ising model at h = 0 (k_B = 1, ferromagnetic J > 0):
 * Onsager's free energy, energy and specific heat per spin, and Yang's spontaneous magnetization.
 *
 * With K = J/T and κ = 2 sinh 2K / cosh² 2K:
 *   −βf = ln(2 cosh 2K) + (1/π) ∫₀^{π/2} ln[½(1 + √(1 − κ² sin²θ))] dθ
 *   u/J = −coth 2K [1 + (2/π)(2 tanh² 2K − 1) K(κ)]
 *   c   = du/dT, differentiated analytically (κ'(K) and dK(κ)/dκ below)
 *   m₀  = (1 − sinh⁻⁴ 2K)^{1/8} below T_c, 0 above.
 */

/** Critical temperature T_c/J = 2 / ln(1 + √2). */
export const CRITICAL_TEMPERATURE = 2 / Math.log(1 + Math.SQRT2);

/** Complete elliptic integrals K(k) and E(k) of modulus k (0 ≤ k < 1) by the arithmetic–geometric mean. */
export function ellipticKE(k: number): { K: number; E: number } {
  let a = 1;
  let b = Math.sqrt(1 - k * k);
  let c = k;
  let sum = 0.5 * c * c;
  let pow = 0.5;
  for (let i = 0; i < 60 && Math.abs(c) > 1e-17; i++) {
    const an = 0.5 * (a + b);
    c = 0.5 * (a - b);
    b = Math.sqrt(a * b);
    a = an;
    pow *= 2;
    sum += pow * c * c;
  }
  const K = Math.PI / (2 * a);
  return { K, E: K * (1 - sum) };
}

/** Gauss–Legendre nodes and weights on [−1, 1] (Newton iteration on P_n). */
function gaussLegendre(n: number): { x: Float64Array; w: Float64Array } {
  const x = new Float64Array(n);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 0;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1, p1 = z;
      for (let j = 2; j <= n; j++) {
        const p2 = ((2 * j - 1) * z * p1 - (j - 1) * p0) / j;
        p0 = p1;
        p1 = p2;
      }
      dp = (n * (z * p1 - p0)) / (z * z - 1);
      const dz = p1 / dp;
      z -= dz;
      if (Math.abs(dz) < 1e-16) break;
    }
    x[i] = z;
    w[i] = 2 / ((1 - z * z) * dp * dp);
  }
  return { x, w };
}

const GL = gaussLegendre(96);
/** Above this K excitations weigh e^{−8K} < 1e−130: ground-state values are exact in doubles. */
export const LOW_T_K = 40;
/** Below this K the high-temperature series to t⁶ is exact in doubles (next term ~ t⁸ ≤ 1e−24). */
export const HIGH_T_K = 1e-3;

/**
 * High-temperature series per spin, f(K) = ln Z/N − ln 2 = 2 ln cosh K + t⁴ + 2t⁶ + O(t⁸) with
 * t = tanh K (closed graphs: one plaquette, two 1×2 rectangles per site), and its K-derivatives.
 * Valid for the infinite lattice and for tori whose sides are all ≥ 8 (shorter winding loops
 * would enter below t⁸). Used where the closed forms cancel catastrophically (K → 0).
 */
export function highTemperatureSeries(K: number): { f: number; d1: number; d2: number } {
  const t = Math.tanh(K);
  const dt = 1 - t * t;
  const t2 = t * t;
  const g1 = 4 * t2 * t + 12 * t2 * t2 * t; // d(t⁴ + 2t⁶)/dt
  const g2 = 12 * t2 + 60 * t2 * t2; // d²(t⁴ + 2t⁶)/dt²
  return {
    f: 2 * Math.log(Math.cosh(K)) + t2 * t2 + 2 * t2 * t2 * t2,
    d1: 2 * t + g1 * dt,
    d2: 2 * dt + g2 * dt * dt + g1 * (-2 * t * dt),
  };
}

function checkCoupling(T: number, J: number): number {
  if (!(T > 0) || !Number.isFinite(T)) throw new RangeError(`T = ${T} is not allowed: the temperature must be a positive number`);
  if (!(J > 0) || !Number.isFinite(J)) throw new RangeError(`J = ${J} is not allowed: Onsager's solution here needs a ferromagnetic coupling J > 0`);
  return J / T;
}

/** −βf, the logarithm of the partition function per spin, of the infinite lattice. */
export function onsagerLogZPerSpin(T: number, J = 1): number {
  const K = checkCoupling(T, J);
  const kappa = (2 * Math.tanh(2 * K)) / Math.cosh(2 * K); // = 2 sinh 2K / cosh² 2K, without ∞/∞
  // Integrand is smooth on [0, π/2] for every κ ≤ 1 (at κ = 1 it is ln[½(1 + cos θ)]).
  let integral = 0;
  for (let i = 0; i < GL.x.length; i++) {
    const theta = (Math.PI / 4) * (GL.x[i] + 1);
    const s = Math.sin(theta);
    integral += GL.w[i] * Math.log(0.5 * (1 + Math.sqrt(Math.max(0, 1 - kappa * kappa * s * s))));
  }
  integral *= Math.PI / 4;
  return 2 * K + Math.log1p(Math.exp(-4 * K)) + integral / Math.PI; // ln(2 cosh 2K) + …
}

/** Free energy per spin f = −T ln Z / N of the infinite lattice. */
export function onsagerFreeEnergyPerSpin(T: number, J = 1): number {
  return -T * onsagerLogZPerSpin(T, J);
}

/** Internal energy per spin of the infinite lattice. */
export function onsagerEnergyPerSpin(T: number, J = 1): number {
  const K = checkCoupling(T, J);
  if (K < HIGH_T_K) return -J * highTemperatureSeries(K).d1; // the general form is 0·∞ as K → 0
  const t2 = Math.tanh(2 * K);
  const kappa = Math.min(1, (2 * t2) / Math.cosh(2 * K));
  const a = 2 * t2 * t2 - 1; // vanishes at T_c, where K(κ) diverges logarithmically
  const term = a === 0 || kappa >= 1 ? 0 : a * ellipticKE(kappa).K;
  return (-J / t2) * (1 + (2 / Math.PI) * term);
}

/**
 * Specific heat per spin of the infinite lattice (+∞ at T_c), c = du/dT = −(K²/J) du/dK, from the
 * energy above with dK(κ)/dκ = E(κ)/(κ(1 − κ²)) − K(κ)/κ.
 */
export function onsagerSpecificHeat(T: number, J = 1): number {
  const K = checkCoupling(T, J);
  if (K >= LOW_T_K) return 0; // excitations weigh e^{−8K} < 1e−130
  if (K < HIGH_T_K) return K * K * highTemperatureSeries(K).d2;
  const t2 = Math.tanh(2 * K);
  const c2 = Math.cosh(2 * K);
  const s2 = Math.sinh(2 * K);
  const kappa = (2 * s2) / (c2 * c2);
  if (kappa >= 1) return Infinity;
  const { K: Kk, E: Ek } = ellipticKE(kappa);
  const a = 2 * t2 * t2 - 1;
  const A = 1 + (2 / Math.PI) * a * Kk; // u = −J coth 2K · A
  const dA = (2 / Math.PI) * ((8 * t2) / (c2 * c2) * Kk + a * (Ek / (kappa * (1 - kappa * kappa)) - Kk / kappa) * ((4 * (c2 * c2 - 2 * s2 * s2)) / (c2 * c2 * c2)));
  const du = -J * ((-2 / (s2 * s2)) * A + (dA / t2));
  return (-K * K * du) / J;
}

/** Yang's spontaneous magnetization per spin (0 at and above T_c). */
export function yangSpontaneousMagnetization(T: number, J = 1): number {
  const K = checkCoupling(T, J);
  const s = Math.sinh(2 * K);
  const x = 1 - Math.pow(s, -4);
  return x > 0 ? Math.pow(x, 0.125) : 0;
}

export interface InfiniteLatticeValues {
  freeEnergyPerSpin: number;
  energyPerSpin: number;
  specificHeat: number;
  spontaneousMagnetization: number;
}

export function infiniteLattice(T: number, J = 1): InfiniteLatticeValues {
  return {
    freeEnergyPerSpin: onsagerFreeEnergyPerSpin(T, J),
    energyPerSpin: onsagerEnergyPerSpin(T, J),
    specificHeat: onsagerSpecificHeat(T, J),
    spontaneousMagnetization: yangSpontaneousMagnetization(T, J),
  };
}
