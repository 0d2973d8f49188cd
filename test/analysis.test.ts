import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateSeries, estimateDerived, autocovariance } from '../src/observables/analysis.js';
import { Rng } from '../src/sampling/rng.js';

/** AR(1): x_t = φ x_{t−1} + √(1−φ²) ε_t has τ_int = (1+φ)/(2(1−φ)) and unit variance. */
function ar1(n: number, phi: number, rng: Rng): Float64Array {
  const x = new Float64Array(n);
  let v = rng.normal();
  for (let i = 0; i < n; i++) {
    v = phi * v + Math.sqrt(1 - phi * phi) * rng.normal();
    x[i] = v;
  }
  return x;
}

test('τ_int of an AR(1) process and the error of its mean', () => {
  const rng = Rng.stream(17);
  for (const phi of [0, 0.5, 0.9]) {
    const exactTau = (1 + phi) / (2 * (1 - phi));
    // Over independent repetitions, (mean/error)² averages to ≈ 1 when the error is right.
    let z2 = 0, tau = 0;
    const reps = 40;
    for (let r = 0; r < reps; r++) {
      const e = estimateSeries(ar1(20000, phi, rng));
      z2 += (e.mean / e.error) ** 2;
      tau += e.tauInt / reps;
    }
    // The windowed estimator is biased low by O(e^{−W/τ}) and has relative noise ≈ √(2(2W+1)/n)
    assert.ok(Math.abs(tau - exactTau) < 0.1 * exactTau + 0.05, `phi=${phi}: τ ${tau} vs ${exactTau}`);
    // z² is χ²₁ per repetition: mean 1, standard deviation √2/√reps
    assert.ok(Math.abs(z2 / reps - 1) < 5 * Math.sqrt(2 / reps), `phi=${phi}: ⟨z²⟩ = ${z2 / reps}`);
  }
});

test('autocovariance by FFT equals the direct sum', () => {
  const x = ar1(257, 0.7, Rng.stream(3));
  const g = autocovariance(x);
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  for (const t of [0, 1, 5, 100, 256]) {
    let s = 0;
    for (let i = 0; i + t < x.length; i++) s += (x[i] - mean) * (x[i + t] - mean);
    assert.ok(Math.abs(g[t] - s / (x.length - t)) < 1e-12, `t=${t}`);
  }
});

test('a derived quantity of independent samples gets the delta-method error', () => {
  // f = ⟨x²⟩ − ⟨x⟩² of N(0,1) samples: Var(f̂) ≈ (E x⁴ − 1)/n = 2/n
  const rng = Rng.stream(5);
  const n = 50000;
  const x = new Float64Array(n), x2 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = rng.normal();
    x2[i] = x[i] * x[i];
  }
  const est = estimateDerived([[x, x2]], ([a, b]) => b - a * a, ([a]) => [-2 * a, 1]);
  assert.ok(Math.abs(est.error - Math.sqrt(2 / n)) < 0.05 * Math.sqrt(2 / n), `error ${est.error}`);
  assert.ok(Math.abs(est.mean - 1) < 5 * est.error);
});
