/**
 * The target of the NeuralRG study (Li & Wang, eq. 7): the continuous relaxation of the periodic
 * L × L Ising model,
 *   π(x) = exp(−½ xᵀ A⁻¹ x) Π_i cosh x_i,   A = K + α I,
 * with K the coupling matrix (K_ij = β for nearest neighbours, so ½ sᵀKs = β Σ⟨ij⟩ s_i s_j) and α set
 * so that the lowest eigenvalue of A is 0.1 (their ref. 66). Writing Π cosh x_i = 2^{−N} Σ_s e^{s·x}
 * and doing the Gaussian integral gives sᵀAs = sᵀKs + αN, hence the exact normalization
 *   −ln Z = −ln Z_Ising − ½ ln det A + (N/2)[ln(2/π) − α],
 * with Z_Ising from Kaufman's formula. Ising spins follow from π(s|x) = Π_i (1 + e^{−2 s_i x_i})⁻¹.
 *
 * K is circulant on the torus: its eigenvalues are λ_k = 2β (cos k_x + cos k_y), k = 2π(n_x, n_y)/L,
 * which give ln det A and A⁻¹_ij = (1/N) Σ_k cos(k·(r_i − r_j)) / (α + λ_k) without a matrix solver.
 * Given s, x is Gaussian: −½xᵀA⁻¹x + sᵀx = −½(x − As)ᵀA⁻¹(x − As) + ½sᵀAs, so x | s ~ N(As, A), and
 * x = As + A^{1/2}ξ with s an equilibrium Ising configuration is an exact draw of π(x).
 *
 * Glossary: B batch, N = L² sites.
 */
import * as tf from '@tensorflow/tfjs-core';
import { kaufmanLogZ } from '../../exact/kaufman.js';
import { logCosh } from '../../nn/ops.js';
import type { Rng } from '../../sampling/rng.js';

export interface IsingFieldSource {
  L: number;
  N: number;
  T: number;
  beta: number;
  /** Offset making the lowest eigenvalue of K + αI equal to `lowest` (0.1). */
  alpha: number;
  /** A⁻¹ = (K + αI)⁻¹, [N, N] row-major. */
  inverse: Float64Array;
  logDetA: number;
}

/** Lowest eigenvalue of A (Li & Wang ref. 66). */
export const LOWEST_EIGENVALUE = 0.1;

export function isingFieldSource(L: number, T: number, lowest = LOWEST_EIGENVALUE): IsingFieldSource {
  if (!Number.isInteger(L) || L < 3) throw new RangeError(`L = ${L} is not allowed: the relaxation needs an integer L ≥ 3 (L = 2 doubles the bonds)`);
  if (!(T > 0)) throw new RangeError(`T = ${T} is not allowed: expected T > 0`);
  const N = L * L, beta = 1 / T;
  let minLambda = Infinity, logDetA = 0;
  forEachMode(L, beta, (lambda) => (minLambda = Math.min(minLambda, lambda)));
  const alpha = lowest - minLambda;
  forEachMode(L, beta, (lambda) => (logDetA += Math.log(alpha + lambda)));
  return { L, N, T, beta, alpha, inverse: circulantMatrix(L, beta, alpha, (mode) => 1 / mode), logDetA };
}

/** Calls `f` with λ_k = 2β (cos k_x + cos k_y) and the cosines of k for every wave vector k of the torus. */
function forEachMode(L: number, beta: number, f: (lambda: number, a: number, b: number, cosines: number[]) => void): void {
  const cosines = Array.from({ length: L }, (_, n) => Math.cos((2 * Math.PI * n) / L));
  for (let a = 0; a < L; a++) for (let b = 0; b < L; b++) f(2 * beta * (cosines[a] + cosines[b]), a, b, cosines);
}

/** The circulant matrix f(A), [N, N] row-major: f(A)_ij = (1/N) Σ_k cos(k·(r_i − r_j)) f(α + λ_k). */
function circulantMatrix(L: number, beta: number, alpha: number, f: (mode: number) => number): Float64Array {
  const N = L * L;
  const G = new Float64Array(N); // G(dx, dy): f(A) depends only on the separation
  forEachMode(L, beta, (lambda, a, b, cosines) => {
    const v = f(alpha + lambda) / N;
    for (let dy = 0; dy < L; dy++) for (let dx = 0; dx < L; dx++) G[dy * L + dx] += cosines[(a * dx + b * dy) % L] * v;
  });
  const m = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    const xi = i % L, yi = Math.floor(i / L);
    for (let j = 0; j < N; j++) m[i * N + j] = G[(((j / L) | 0) - yi + L) % L * L + ((j % L) - xi + L) % L];
  }
  return m;
}

/**
 * Exact equilibrium draws of π(x) from equilibrium Ising configurations: x = As + A^{1/2}ξ, ξ ~ N(0, 1),
 * for each row s of `spins` ([n, N], ±1) → [n, N].
 */
export function fieldFromSpins(src: IsingFieldSource, spins: ArrayLike<number>, rng: Rng): Float32Array {
  const { L, N, beta, alpha } = src;
  const A = circulantMatrix(L, beta, alpha, (mode) => mode);
  const root = circulantMatrix(L, beta, alpha, Math.sqrt);
  const n = spins.length / N;
  const x = new Float32Array(n * N);
  const xi = new Float64Array(N);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < N; j++) xi[j] = rng.normal();
    for (let i = 0; i < N; i++) {
      let v = 0;
      for (let j = 0; j < N; j++) v += A[i * N + j] * spins[r * N + j] + root[i * N + j] * xi[j];
      x[r * N + i] = v;
    }
  }
  return x;
}

/** −ln Z of π(x), exactly (Kaufman for Z_Ising). */
export function exactFreeEnergy(src: IsingFieldSource): number {
  return -kaufmanLogZ(src.L, src.L, src.T) - 0.5 * src.logDetA + (src.N / 2) * (Math.log(2 / Math.PI) - src.alpha);
}

/** ln π(x) (unnormalized) per row: [B, N] → [B]. */
export function logTarget(src: IsingFieldSource, x: tf.Tensor2D, inverse: tf.Tensor2D = tf.tensor2d(Float32Array.from(src.inverse), [src.N, src.N])): tf.Tensor1D {
  return tf.tidy(() => {
    const quadratic = tf.sum(tf.mul(tf.matMul(x, inverse), x), 1);   // [B]
    return tf.sub(tf.sum(logCosh(x), 1), tf.mul(0.5, quadratic)) as tf.Tensor1D;
  });
}

/** ln π(x) of one configuration in plain arithmetic (for tests and small checks). */
export function logTargetOf(src: IsingFieldSource, x: ArrayLike<number>): number {
  const { N, inverse } = src;
  let q = 0, c = 0;
  for (let i = 0; i < N; i++) {
    let row = 0;
    for (let j = 0; j < N; j++) row += inverse[i * N + j] * x[j];
    q += x[i] * row;
    const a = Math.abs(x[i]);
    c += a + Math.log1p(Math.exp(-2 * a)) - Math.LN2;
  }
  return c - 0.5 * q;
}

/** Ising spins drawn from π(s|x) = Π_i (1 + e^{−2 s_i x_i})⁻¹ for each row of x ([n, N]). */
export function spinsFromField(x: ArrayLike<number>, rng: Rng): Int8Array {
  return Int8Array.from({ length: x.length }, (_, i) => (rng.uniform() < 1 / (1 + Math.exp(-2 * x[i])) ? 1 : -1));
}
