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
  const cosines = Array.from({ length: L }, (_, n) => Math.cos((2 * Math.PI * n) / L));
  let minLambda = Infinity;
  for (let a = 0; a < L; a++) for (let b = 0; b < L; b++) minLambda = Math.min(minLambda, 2 * beta * (cosines[a] + cosines[b]));
  const alpha = lowest - minLambda;
  let logDetA = 0;
  // G(dx, dy) = (1/N) Σ_k cos(k_x dx + k_y dy) / (α + λ_k): A⁻¹ depends only on the separation
  const G = new Float64Array(N);
  for (let a = 0; a < L; a++) {
    for (let b = 0; b < L; b++) {
      const mode = alpha + 2 * beta * (cosines[a] + cosines[b]);
      logDetA += Math.log(mode);
      for (let dy = 0; dy < L; dy++) for (let dx = 0; dx < L; dx++) G[dy * L + dx] += cosines[(a * dx + b * dy) % L] / mode / N;
    }
  }
  const inverse = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    const xi = i % L, yi = Math.floor(i / L);
    for (let j = 0; j < N; j++) inverse[i * N + j] = G[(((j / L) | 0) - yi + L) % L * L + ((j % L) - xi + L) % L];
  }
  return { L, N, T, beta, alpha, inverse, logDetA };
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
