/**
 * Every sampler against exhaustive enumeration on 4 × 4: ⟨E⟩/N, ⟨|M|⟩/N and the full energy
 * histogram at T = 2.0, T_c and 3.0, each within 5 estimated error bars; the conserved samplers at
 * fixed M0 (0 and 0.25), never changing M.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulate, type SimulationResult } from '../src/sampling/simulate.js';
import { runChain } from '../src/sampling/chain.js';
import { enumerationObservables, type ExactObservables } from '../src/exact/enumeration.js';
import { CRITICAL_TEMPERATURE } from '../src/exact/onsager.js';
import type { Algorithm } from '../src/sampling/algorithms.js';
import { kaufmanObservables } from '../src/exact/kaufman.js';
import { geometricRule } from '../src/sampling/rules/geometric.js';
import { squareLattice, bondSum } from '../src/lattice/square.js';
import { Rng } from '../src/sampling/rng.js';
import { estimateSeries } from '../src/observables/analysis.js';

const kaufmanEnergy = (L: number, T: number) => kaufmanObservables(L, L, T).energyPerSpin;

const L = 4, N = 16;
const TEMPS = [2.0, CRITICAL_TEMPERATURE, 3.0];
const SWEEPS = 60000;

function within(label: string, mc: { mean: number; error: number }, exact: number, sigmas = 5): void {
  assert.ok(mc.error > 0 || mc.mean === exact, `${label}: zero error bar`);
  const dev = Math.abs(mc.mean - exact);
  assert.ok(dev <= sigmas * mc.error, `${label}: ${mc.mean} ± ${mc.error} vs exact ${exact} (${(dev / mc.error).toFixed(1)}σ)`);
}

/** Each energy level's probability within 5σ; σ is the batch-means error, floored by the binomial error at the exact p. */
function histogramWithin(label: string, r: SimulationResult, ex: ExactObservables): void {
  const configurations = r.measurements * r.replicas * r.chains;
  const tau = Math.max(0.5, r.energyPerSpin.tauInt);
  const seen = new Map(r.energyHistogram.map((p) => [Math.round(p.energyPerSpin * N), p]));
  let total = 0;
  ex.bondSumHistogram.forEach((p, b) => {
    const E = -(2 * b - 2 * N); // J = 1, h = 0
    const mc = seen.get(E) ?? { probability: 0, error: 0 };
    total += mc.probability;
    const sigma = Math.max(mc.error, Math.sqrt((p * (1 - p) * 2 * tau) / configurations));
    if (p === 0) assert.equal(mc.probability, 0, `${label}: energy ${E} is impossible but was sampled`);
    else assert.ok(Math.abs(mc.probability - p) <= 5 * sigma, `${label}: P(E=${E}) ${mc.probability} ± ${sigma} vs exact ${p}`);
  });
  assert.ok(Math.abs(total - 1) < 1e-9, `${label}: histogram sums to ${total}`);
}

for (const algorithm of ['metropolis', 'checkerboard', 'multispin', 'heatbath', 'wolff'] as Algorithm[]) {
  test(`${algorithm} reproduces the exact 4×4 values at T = 2.0, T_c, 3.0`, async () => {
    const results = await simulate({ L, T: TEMPS, algorithm, sweeps: algorithm === 'multispin' ? SWEEPS / 16 : SWEEPS, thermalize: 1000, seed: 2024, chains: 2 });
    for (const r of results) {
      const ex = enumerationObservables(L, L, r.T);
      const label = `${algorithm} T=${r.T.toFixed(3)}`;
      within(`${label} E/N`, r.energyPerSpin, ex.energyPerSpin);
      within(`${label} |M|/N`, r.absMagnetization, ex.absMagnetization);
      within(`${label} C`, r.specificHeat, ex.specificHeat);
      within(`${label} chi`, r.susceptibility, ex.susceptibility);
      within(`${label} U4`, r.binder, ex.binder);
      histogramWithin(label, r, ex);
    }
  });
}

for (const algorithm of ['kawasaki', 'exchange', 'geometric'] as Algorithm[]) {
  for (const M0 of [0, 0.25]) {
    test(`${algorithm} reproduces the exact fixed-M0 = ${M0} values on 4×4 and never changes M`, async () => {
      const results = await simulate({ L, T: TEMPS, algorithm, magnetization: M0, sweeps: SWEEPS, thermalize: 1000, seed: 99, chains: 2 });
      for (const r of results) {
        const ex = enumerationObservables(L, L, r.T, 1, 0, M0);
        const label = `${algorithm} M0=${M0} T=${r.T.toFixed(3)}`;
        within(`${label} E/N`, r.energyPerSpin, ex.energyPerSpin);
        within(`${label} C`, r.specificHeat, ex.specificHeat);
        histogramWithin(label, r, ex);
        assert.equal(r.magnetization.mean, M0);
        assert.equal(r.magnetization.error, 0);
      }
      const chain = runChain({ Lx: 6, Ly: 4, T: 1.5, J: 1, h: 0, algorithm, magnetization: -1 / 3, thermalize: 0, sweeps: 500, measureEvery: 1, correlationEvery: 0, seed: 5, chain: 0, start: 'auto' });
      assert.ok(chain.series.m.every((m) => Math.abs(m + 1 / 3) < 1e-12), 'M changed');
    });
  }
}

test('the geometric cluster moves alone (no exchange sweeps) sample the fixed-M ensemble: E/N and each energy level against enumeration', () => {
  // 4 × 4 at M0 = 0 and 6 × 4 at M0 = 1/3, ferro- and antiferromagnetic: the cluster construction
  // alone must give the exact law, not only the mix with exchanges that the registered rule runs
  for (const [Lx, Ly, nUp, J, T] of [[4, 4, 8, 1, 2.0], [4, 4, 8, 1, 3.0], [6, 4, 16, 1, 1.8], [4, 4, 6, -1, 2.5]]) {
    const lattice = squareLattice(Lx, Ly);
    const N = Lx * Ly;
    const initial = new Int8Array(N).fill(-1);
    for (let i = 0; i < nUp; i++) initial[i] = 1;
    const rule = geometricRule({ lattice, params: { J, h: 0, T }, initial }, { exchangePerSite: 0 });
    const rng = Rng.stream(77, Lx, nUp, Math.round(T * 10));
    for (let s = 0; s < 200; s++) rule.sweep(rng);
    rule.freeze?.();
    const sweeps = 40000;
    const e = new Float64Array(sweeps);
    const spins = new Int8Array(N);
    const counts = new Map<number, number>();
    for (let s = 0; s < sweeps; s++) {
      rule.sweep(rng);
      rule.configuration(0, spins);
      assert.equal(spins.reduce((a, x) => a + x, 0), 2 * nUp - N, 'M changed');
      const b = bondSum(lattice, spins);
      e[s] = (-J * b) / N;
      counts.set(b, (counts.get(b) ?? 0) + 1);
    }
    const ex = enumerationObservables(Lx, Ly, T, J, 0, (2 * nUp - N) / N);
    const label = `geometric ${Lx}×${Ly} n₊=${nUp} J=${J} T=${T}`;
    const est = estimateSeries(e);
    within(`${label} E/N`, { mean: est.mean, error: est.error }, ex.energyPerSpin);
    const tau = Math.max(0.5, est.tauInt);
    ex.bondSumHistogram.forEach((p, k) => {
      const b = 2 * k - 2 * N;
      const f = (counts.get(b) ?? 0) / sweeps;
      if (p === 0) assert.equal(f, 0, `${label}: bond sum ${b} is impossible but was sampled`);
      else assert.ok(Math.abs(f - p) <= 5 * Math.sqrt((p * (1 - p) * 2 * tau) / sweeps), `${label}: P(B=${b}) ${f} vs exact ${p}`);
    });
  }
});

test('non-zero field, antiferromagnet and rectangular lattices: metropolis and heat-bath match enumeration', async () => {
  for (const algorithm of ['metropolis', 'heatbath']) {
    for (const [Lx, Ly, T, J, h] of [[4, 5, 2.5, 1, 0.4], [4, 4, 2.0, -1, 0], [4, 6, 3.0, -1, 0.5]]) {
      const [r] = await simulate({ Lx, Ly, T, J, h, algorithm, sweeps: SWEEPS, seed: 3 });
      const ex = enumerationObservables(Lx, Ly, T, J, h);
      const label = `${algorithm} ${Lx}×${Ly} J=${J} h=${h}`;
      within(`${label} E/N`, r.energyPerSpin, ex.energyPerSpin);
      within(`${label} M/N`, r.magnetization, ex.m);
      within(`${label} chi`, r.susceptibility, ex.susceptibility);
      within(`${label} C`, r.specificHeat, ex.specificHeat);
    }
  }
});

test('heat-bath is exact on the smallest lattices, where a fixed-order Metropolis sweep is refused', async () => {
  for (const [Lx, Ly, J] of [[2, 2, 1], [3, 3, 1], [2, 4, -1]]) {
    const [r] = await simulate({ Lx, Ly, T: 2.0, J, algorithm: 'heatbath', sweeps: SWEEPS, seed: 12, start: 'hot' });
    const ex = enumerationObservables(Lx, Ly, 2.0, J);
    within(`heatbath ${Lx}×${Ly} J=${J} E/N`, r.energyPerSpin, ex.energyPerSpin);
    within(`heatbath ${Lx}×${Ly} J=${J} |M|/N`, r.absMagnetization, ex.absMagnetization);
    for (const algorithm of ['metropolis', 'checkerboard', 'multispin']) {
      await assert.rejects(simulate({ Lx, Ly, T: 2.0, J, algorithm, sweeps: 10 }), /not ergodic with a side below 4|needs even lattice sides/);
    }
  }
});

test('exact susceptibility is the field derivative of the magnetization (h ≠ 0, J < 0)', () => {
  for (const [T, J, h] of [[3.0, 1, 0.1], [2.5, -1, 0], [2.5, -1, 0.3]]) {
    const dh = 1e-5;
    const dm = (enumerationObservables(4, 4, T, J, h + dh).m - enumerationObservables(4, 4, T, J, h - dh).m) / (2 * dh);
    const chi = enumerationObservables(4, 4, T, J, h).susceptibility;
    assert.ok(Math.abs(chi - dm) < 1e-6 * Math.abs(dm), `T=${T} J=${J} h=${h}: χ ${chi} vs dm/dh ${dm}`);
  }
});

test('wolff without thermalization measures with one cluster per sweep, without bias', async () => {
  const [r] = await simulate({ L: 8, T: 3.0, algorithm: 'wolff', sweeps: SWEEPS, thermalize: 0, seed: 21, start: 'cold' });
  within('wolff 8×8 thermalize 0 E/N', r.energyPerSpin, kaufmanEnergy(8, 3.0));
});

test('C(r) at r = 1 equals minus half the energy per spin, configuration by configuration', async () => {
  const [r] = await simulate({ L: 6, T: 2.5, sweeps: 2000, correlationEvery: 1, seed: 4 });
  assert.equal(r.correlation.length, 4);
  assert.equal(r.correlation[0].mean, 1);
  assert.ok(Math.abs(r.correlation[1].mean + r.energyPerSpin.mean / 2) < 1e-12);
});

test('a Wolff sweep after thermalization flips about N spins, also after a hot start at T_c', () => {
  for (const start of ['hot', 'cold'] as const) {
    const r = runChain({ Lx: 32, Ly: 32, T: CRITICAL_TEMPERATURE, J: 1, h: 0, algorithm: 'wolff', magnetization: null, thermalize: 200, sweeps: 2000, measureEvery: 1, correlationEvery: 0, seed: 8, chain: 0, start });
    // clusters per sweep = round(N / ⟨cluster size⟩) ≈ 3 here: rounding moves the flipped count by up
    // to 1/6, and the mean cluster size from 100 calibration sweeps is known to ≈ 5 % (1σ), so a
    // window of [0.7, 1.4]·N is about 3σ beyond the rounding; the hot-start bug gave ≫ 10·N
    const perSweep = r.work / 2000;
    assert.ok(perSweep > 0.7 * 1024 && perSweep < 1.4 * 1024, `${start}: ${perSweep} spins flipped per sweep`);
  }
});
