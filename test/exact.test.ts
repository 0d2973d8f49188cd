import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CRITICAL_TEMPERATURE, onsagerLogZPerSpin, onsagerEnergyPerSpin, onsagerSpecificHeat, yangSpontaneousMagnetization,
  kaufmanObservables, kaufmanLogZ, enumerationObservables, densityOfStates, transferMatrixLogZ,
} from '../src/exact/index.js';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
const TEMPS = [1.0, 2.0, CRITICAL_TEMPERATURE, 3.0, 5.0];

test('Kaufman agrees with exhaustive enumeration (4×4, 4×6, 3×3, 5×5, 2×4) to 1e-10', () => {
  for (const [Lx, Ly] of [[4, 4], [4, 6], [3, 3], [5, 5], [2, 4]]) {
    for (const T of TEMPS) {
      const k = kaufmanObservables(Lx, Ly, T);
      const e = enumerationObservables(Lx, Ly, T);
      assert.ok(rel(k.logZ, e.logZ) < 1e-10, `${Lx}×${Ly} T=${T}: logZ ${k.logZ} vs ${e.logZ}`);
      assert.ok(rel(k.energyPerSpin, e.energyPerSpin) < 1e-10, `${Lx}×${Ly} T=${T}: E ${k.energyPerSpin} vs ${e.energyPerSpin}`);
      assert.ok(rel(k.specificHeat, e.specificHeat) < 1e-10, `${Lx}×${Ly} T=${T}: C ${k.specificHeat} vs ${e.specificHeat}`);
    }
  }
});

test('Kaufman agrees with the transfer matrix (6×6, 6×8) to 1e-10', () => {
  for (const [Lx, Ly] of [[6, 6], [6, 8]]) {
    for (const T of TEMPS) {
      assert.ok(rel(kaufmanLogZ(Lx, Ly, T), transferMatrixLogZ(Lx, Ly, T)) < 1e-10, `${Lx}×${Ly} T=${T}`);
    }
  }
});

test('Kaufman energy and specific heat are the K-derivatives of its ln Z (finite differences)', () => {
  const L = 32, N = L * L;
  for (const T of [1.8, CRITICAL_TEMPERATURE, 2.6]) {
    const K = 1 / T;
    const lz = (k: number) => kaufmanLogZ(L, L, 1 / k);
    const d1 = (lz(K + 1e-5) - lz(K - 1e-5)) / 2e-5; // truncation error ≈ 3e-9 relative
    const d2 = (lz(K + 1e-4) - 2 * lz(K) + lz(K - 1e-4)) / 1e-8;
    const k = kaufmanObservables(L, L, T);
    assert.ok(rel(k.energyPerSpin, -d1 / N) < 1e-7, `E at T=${T}`);
    assert.ok(rel(k.specificHeat, (K * K * d2) / N) < 1e-4, `C at T=${T}`);
  }
});

test('Kaufman is finite and stable up to L = 1024 and matches Onsager off criticality', () => {
  for (const T of [1.0, 2.0, 3.0]) {
    const N = 256 * 256;
    const k = kaufmanObservables(256, 256, T);
    // Below T_c the finite torus sums over both ordered phases: ln Z = N·(−βf) + ln 2 + O(e^{−L}).
    const phases = T < CRITICAL_TEMPERATURE ? Math.LN2 / N : 0;
    assert.ok(rel(k.logZ / N, onsagerLogZPerSpin(T) + phases) < 1e-12, `ln Z/N at T=${T}`);
    assert.ok(rel(k.energyPerSpin, onsagerEnergyPerSpin(T)) < 1e-12, `E at T=${T}`);
    assert.ok(rel(k.specificHeat, onsagerSpecificHeat(T)) < 1e-9, `C at T=${T}`);
  }
  for (const T of [0.05, CRITICAL_TEMPERATURE, 10]) {
    const k = kaufmanObservables(1024, 1024, T);
    assert.ok(Number.isFinite(k.logZ) && Number.isFinite(k.energyPerSpin) && Number.isFinite(k.specificHeat), `L=1024 T=${T}`);
  }
  // At T_c the finite-lattice energy approaches −√2 as 1/L.
  const e256 = kaufmanObservables(256, 256, CRITICAL_TEMPERATURE).energyPerSpin;
  assert.ok(Math.abs(e256 + Math.SQRT2) < 0.01);
});

test('Onsager and Yang spot values', () => {
  assert.ok(Math.abs(CRITICAL_TEMPERATURE - 2.269185314213022) < 1e-14);
  const catalan = 0.915965594177219015;
  assert.ok(Math.abs(onsagerLogZPerSpin(CRITICAL_TEMPERATURE) - (0.5 * Math.LN2 + (2 * catalan) / Math.PI)) < 1e-13);
  assert.ok(Math.abs(onsagerEnergyPerSpin(CRITICAL_TEMPERATURE) + Math.SQRT2) < 1e-12);
  assert.equal(onsagerSpecificHeat(CRITICAL_TEMPERATURE), Infinity);
  // Low-temperature series: ln Z/N = 2K + e^{−8K} + 2e^{−12K} + O(e^{−16K})
  const K = 1 / 0.6;
  assert.ok(Math.abs(onsagerLogZPerSpin(0.6) - (2 * K + Math.exp(-8 * K) + 2 * Math.exp(-12 * K))) < 10 * Math.exp(-16 * K));
  // High-temperature series: ln Z/N = ln 2 + 2 ln cosh K + tanh⁴K + O(tanh⁶K)
  const Kh = 1 / 20, t = Math.tanh(Kh);
  assert.ok(Math.abs(onsagerLogZPerSpin(20) - (Math.LN2 + 2 * Math.log(Math.cosh(Kh)) + t ** 4)) < 10 * t ** 6);
  // Energy is −d(ln Z/N)/dK
  for (const T of [1.5, 2.0, 3.0]) {
    const dK = 1e-5, k = 1 / T;
    const d = (onsagerLogZPerSpin(1 / (k + dK)) - onsagerLogZPerSpin(1 / (k - dK))) / (2 * dK);
    assert.ok(Math.abs(onsagerEnergyPerSpin(T) + d) < 1e-8, `E at T=${T}`);
  }
  // Specific heat is dE/dT
  for (const T of [1.0, 2.0, 2.5, 3.0]) {
    const d = 1e-5;
    const fd = (onsagerEnergyPerSpin(T + d) - onsagerEnergyPerSpin(T - d)) / (2 * d);
    assert.ok(rel(onsagerSpecificHeat(T), fd) < 1e-7, `C at T=${T}`);
  }
  assert.ok(Math.abs(yangSpontaneousMagnetization(2.0) - 0.911319377877496) < 1e-12);
  assert.equal(yangSpontaneousMagnetization(2.5), 0);
  assert.ok(yangSpontaneousMagnetization(0.5) > 0.99999);
});

test('enumeration: g(B, M) counts every state once and has the symmetries of the model', () => {
  const { g, lattice } = densityOfStates(4, 4);
  const N = lattice.N;
  assert.equal(g.reduce((a, b) => a + b, 0), 2 ** N);
  assert.equal(g[(2 * N) * (N + 1) + N], 1); // all up: B = 2N, M = N
  assert.equal(g[(2 * N) * (N + 1) + 0], 1); // all down
  for (let b = 0; b <= 2 * N; b++) for (let m = 0; m <= N; m++) assert.equal(g[b * (N + 1) + m], g[b * (N + 1) + (N - m)]);
  // Fixed-M ensemble: probabilities of the bond sum sum to 1; M0 = 0 has no fully ordered state.
  const fixed = enumerationObservables(4, 4, 2.0, 1, 0, 0);
  assert.ok(Math.abs(fixed.bondSumHistogram.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  assert.equal(fixed.bondSumHistogram[2 * N], 0);
  assert.equal(fixed.absMagnetization, 0);
  // A field breaks the symmetry: ⟨M⟩ > 0 for h > 0.
  assert.ok(enumerationObservables(4, 4, 3.0, 1, 0.5).m > 0);
  // h ≠ 0 enumeration agrees with the transfer matrix.
  assert.ok(rel(enumerationObservables(4, 4, 2.5, 1, 0.3).logZ, transferMatrixLogZ(4, 4, 2.5, 1, 0.3)) < 1e-12);
});

test('extreme temperatures: exact values stay finite and join the limits smoothly', () => {
  for (const T of [1e-3, 0.02, 1e6, 1e300]) {
    const k = kaufmanObservables(30, 30, T);
    for (const v of [k.logZ, k.energyPerSpin, k.specificHeat, onsagerEnergyPerSpin(T), onsagerSpecificHeat(T), onsagerLogZPerSpin(T)]) {
      assert.ok(Number.isFinite(v), `T=${T}: ${v}`);
    }
  }
  assert.equal(kaufmanObservables(30, 30, 1e-3).energyPerSpin, -2);
  // High T on a 16×16 torus: winding loops enter at t^16, so it equals the infinite lattice
  // (the general formula loses ≈ 1e−16/K² relative accuracy, the series takes over at K = 1e−3).
  for (const T of [10, 100, 999, 1001, 1e4, 1e6]) {
    assert.ok(rel(kaufmanObservables(16, 16, T).energyPerSpin, onsagerEnergyPerSpin(T)) < 2e-10, `E at T=${T}`);
    assert.ok(rel(kaufmanObservables(16, 16, T).specificHeat, onsagerSpecificHeat(T)) < 1e-8, `C at T=${T}`);
  }
  // Low T: E + 2 ≈ 8·e^{−8/T} on both sides of the ground-state cut at K = 40
  assert.ok(Math.abs(onsagerEnergyPerSpin(0.026) + 2) < 1e-100);
  assert.ok(rel(onsagerEnergyPerSpin(0.5) + 2, kaufmanObservables(16, 16, 0.5).energyPerSpin + 2) < 1e-6);
});
