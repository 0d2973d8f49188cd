/** The continuous relaxation of the Ising model: A⁻¹, ln det A and the exact normalization. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/nn/backend.js';
import { exactFreeEnergy, isingFieldSource, logTarget, logTargetOf, spinsFromField } from '../src/models/neuralrg/source.js';
import { squareLattice } from '../src/lattice/square.js';
import { Rng } from '../src/sampling/rng.js';

/** A = K + αI built directly from the neighbour table. */
function directA(L: number, beta: number, alpha: number): number[][] {
  const { N, neighbors } = squareLattice(L);
  const A = Array.from({ length: N }, (_, i) => Array.from({ length: N }, (_, j) => (i === j ? alpha : 0)));
  for (let i = 0; i < N; i++) for (let d = 0; d < 4; d++) A[i][neighbors[4 * i + d]] += beta;
  return A;
}

function cholesky(A: number[][]): number[][] {
  const n = A.length;
  const C = Array.from({ length: n }, () => new Array(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i][j];
      for (let k = 0; k < j; k++) s -= C[i][k] * C[j][k];
      C[i][j] = i === j ? Math.sqrt(s) : s / C[j][j];
    }
  }
  return C;
}

test('A⁻¹ and ln det A from the Fourier modes match the matrix built from the lattice', () => {
  for (const [L, T] of [[3, 2.0], [4, 2.269]]) {
    const src = isingFieldSource(L, T);
    const A = directA(L, src.beta, src.alpha);
    const N = L * L;
    for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < N; k++) s += A[i][k] * src.inverse[k * N + j];
      assert.ok(Math.abs(s - (i === j ? 1 : 0)) < 1e-10, `L = ${L}: (A A⁻¹)[${i}][${j}] = ${s}`);
    }
    const C = cholesky(A);
    const logDet = 2 * C.reduce((a, row, i) => a + Math.log(row[i]), 0);
    assert.ok(Math.abs(logDet - src.logDetA) < 1e-9, `L = ${L}: ln det ${logDet} vs ${src.logDetA}`);
    // lowest eigenvalue 0.1: A − 0.1 I is singular, A − 0.09 I is not
    assert.ok(cholesky(A.map((r, i) => r.map((v, j) => v - (i === j ? 0.09 : 0)))).every((r, i) => Number.isFinite(r[i]) && r[i] > 0));
  }
});

test('the normalization −ln Z = −ln Z_Ising − ½ ln det A + (N/2)[ln(2/π) − α] holds numerically (L = 3)', () => {
  // Z = ∫ dx π(x) = (2π)^{N/2} det(A)^{1/2} E_{x ~ N(0, A)}[Π cosh x_i]: estimate the expectation
  const L = 3, T = 8.0, N = 9, n = 200_000; // high T keeps the weights Π cosh x_i light-tailed
  const src = isingFieldSource(L, T);
  const C = cholesky(directA(L, src.beta, src.alpha));
  const rng = Rng.stream(11, 1);
  const g = new Float64Array(N);
  let sum = 0, sum2 = 0;
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < N; i++) g[i] = rng.normal();
    let w = 1;
    for (let i = 0; i < N; i++) {
      let x = 0;
      for (let j = 0; j <= i; j++) x += C[i][j] * g[j];
      w *= Math.cosh(x);
    }
    sum += w;
    sum2 += w * w;
  }
  const mean = sum / n, error = Math.sqrt((sum2 / n - mean * mean) / n);
  const logZ = (N / 2) * Math.log(2 * Math.PI) + 0.5 * src.logDetA + Math.log(mean);
  const logZError = error / mean;
  assert.ok(logZError < 0.05, `estimate too noisy: ${logZError}`);
  assert.ok(Math.abs(-logZ - exactFreeEnergy(src)) < 5 * logZError, `−ln Z: Monte Carlo ${-logZ} ± ${logZError}, exact ${exactFreeEnergy(src)}`);
});

test('ln π on the backend equals the plain sum; spins follow π(s|x)', async () => {
  await initBackend('cpu');
  const src = isingFieldSource(4, 2.269);
  const rng = Rng.stream(12, 1);
  const x = Float32Array.from({ length: 3 * 16 }, () => 2 * rng.normal());
  const lp = logTarget(src, tf.tensor2d(x, [3, 16])).dataSync();
  for (let r = 0; r < 3; r++) {
    const exact = logTargetOf(src, x.subarray(r * 16, (r + 1) * 16));
    assert.ok(Math.abs(lp[r] - exact) < 1e-3 * Math.max(1, Math.abs(exact)), `${lp[r]} vs ${exact}`);
  }
  // x = 0.5 everywhere: P(s = +1) = 1/(1 + e^{−1})
  const n = 20000;
  const s = spinsFromField(new Float64Array(n).fill(0.5), Rng.stream(12, 2));
  const p = 1 / (1 + Math.exp(-1)), up = s.filter((v) => v > 0).length / n;
  assert.ok(Math.abs(up - p) < 5 * Math.sqrt((p * (1 - p)) / n), `${up} vs ${p}`);
});
