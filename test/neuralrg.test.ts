/** NeuralRG: HMC samples the relaxed Ising model exactly, the variational bound, the CLI and the study. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/nn/backend.js';
import { densityOfStates } from '../src/exact/enumeration.js';
import { createFlow, disposeFlow, generate, logProbabilityPlain } from '../src/models/neuralrg/flow.js';
import { equilibriumStart, hmc, type HmcResult } from '../src/models/neuralrg/hmc.js';
import { fieldFromSpins, isingFieldSource } from '../src/models/neuralrg/source.js';
import { Rng } from '../src/sampling/rng.js';
import { saveCheckpoint } from '../src/io/checkpoint.js';
import { digamma, ksgMutualInformation } from '../src/observables/mutual-information.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });

/** Exact ⟨M²⟩/N² of the L × L Ising model by enumeration. */
function exactStructureFactor(L: number, T: number): number {
  const N = L * L;
  const { g } = densityOfStates(L, L);
  let z = 0, m2 = 0;
  for (let b = 0; b <= 2 * N; b++) {
    for (let u = 0; u <= N; u++) {
      const c = g[b * (N + 1) + u];
      if (!c) continue;
      const w = c * Math.exp((2 * b - 2 * N) / T), M = 2 * u - N;
      z += w;
      m2 += w * M * M;
    }
  }
  return m2 / z / (N * N);
}

/** The drift recomputed from the per-chain series [C, steps]: third-quarter minus fourth-quarter average per chain, over chains. */
function assertDrift(r: HmcResult, C: number, steps: number): void {
  const half = Math.floor(steps / 2), q3 = Math.floor((3 * steps) / 4);
  const avg = (c: number, a: number, b: number) => { let s = 0; for (let t = a; t < b; t++) s += r.structureFactor[c * steps + t]; return s / (b - a); };
  const d = Array.from({ length: C }, (_, c) => avg(c, half, q3) - avg(c, q3, steps));
  const m = d.reduce((a, b) => a + b, 0) / C, e = Math.sqrt(d.reduce((a, x) => a + (x - m) ** 2, 0) / (C - 1) / C);
  const third = Array.from({ length: C }, (_, c) => avg(c, half, q3)).reduce((a, b) => a + b, 0) / C;
  assert.ok(Math.abs(r.drift.sigmas - m / e) < 1e-9 * Math.max(1, Math.abs(m / e)) && Math.abs(r.drift.thirdQuarter - third) < 1e-12, `${JSON.stringify(r.drift)} against ${m / e}, ${third}`);
  assert.ok(Math.abs(r.drift.thirdQuarter - r.drift.lastQuarter - m) < 1e-12);
}

test('equilibrium starts: the latent start is g⁻¹(ηx) of the physical one, the sign drawn with probability q(ηx)/[q(x) + q(−x)]', async () => {
  await initBackend('cpu');
  const src = isingFieldSource(4, 2.5);
  const flow = createFlow({ L: 4, depth: 2, block: { couplings: 2, hidden: 8 }, symmetric: true }, Rng.stream(3, 2));
  const C = 400;
  const x = equilibriumStart(src, null, C, 11), z = equilibriumStart(src, flow, C, 11);
  const back = generate(flow, tf.tensor2d(z, [C, 16])).x.dataSync();
  const xt = tf.tensor2d(x, [C, 16]);
  const plus = logProbabilityPlain(flow, xt).dataSync(), minus = logProbabilityPlain(flow, tf.neg(xt) as tf.Tensor2D).dataSync();
  let kept = 0, expected = 0, variance = 0, asymmetry = 0;
  for (let r = 0; r < C; r++) {
    const row = (sign: number) => Math.max(...Array.from({ length: 16 }, (_, i) => Math.abs(back[r * 16 + i] - sign * x[r * 16 + i])));
    const sign = row(1) < 1e-4 ? 1 : row(-1) < 1e-4 ? -1 : 0;
    assert.notEqual(sign, 0, `row ${r}: g(z) is neither x nor −x`);
    const p = 1 / (1 + Math.exp(minus[r] - plus[r]));
    // directional: how often the more probable sign was drawn (a reversed draw would pick the less probable one)
    kept += (sign === 1) === (p >= 0.5) ? 1 : 0;
    expected += Math.max(p, 1 - p);
    variance += p * (1 - p);
    asymmetry += Math.abs(p - 0.5) / C;
  }
  // the untrained flow must favour one sign clearly enough that drawing η the wrong way round would show
  assert.ok(asymmetry > 0.1, `mean |p − ½| = ${asymmetry}`);
  assert.ok(Math.abs(kept - expected) < 5 * Math.sqrt(variance), `the more probable sign drawn for ${kept} of ${C}, expected ${expected} ± ${Math.sqrt(variance)}`);
  disposeFlow(flow);
});

test('HMC in the physical space and in the latent space of an untrained flow reproduce the exact structure factor (L = 4)', async () => {
  await initBackend('cpu');
  const L = 4, T = 3.0;
  const src = isingFieldSource(L, T);
  const exact = exactStructureFactor(L, T);
  const flow = createFlow({ L, depth: 2, block: { couplings: 2, hidden: 8 }, symmetric: true }, Rng.stream(3, 1));
  for (const [space, f, steps] of [['physical', null, 300], ['latent', flow, 120]] as const) {
    const r = hmc(src, f, { space, chains: 48, steps, leapfrogSteps: 5, stepSize: 0.25, seed: 5 });
    assert.ok(r.acceptance > 0.5, `${space}: acceptance ${r.acceptance}`);
    assert.ok(Math.abs(r.mean - exact) < 5 * r.error, `${space}: ${r.mean} ± ${r.error} vs exact ${exact}`);
    // the relaxation check agrees with the per-chain series, and the quarters agree in equilibrium
    assertDrift(r, 48, steps);
    assert.ok(Math.abs(r.drift.sigmas) < 5, `${space}: drift ${JSON.stringify(r.drift)}`);
  }
  // unequal quarters (steps 5–7 against 8–9), and none to compare below 4 steps
  assertDrift(hmc(src, null, { space: 'physical', chains: 6, steps: 10, leapfrogSteps: 2, stepSize: 0.25, seed: 7 }), 6, 10);
  const two = hmc(src, null, { space: 'physical', chains: 6, steps: 2, leapfrogSteps: 2, stepSize: 0.25, seed: 7 });
  assert.ok(Number.isNaN(two.drift.sigmas) && Number.isNaN(two.drift.thirdQuarter), JSON.stringify(two.drift));
  disposeFlow(flow);
});

test('x = As + A^{1/2}ξ from exact Ising draws has the exact covariance of π(x): ⟨xxᵀ⟩ = A⟨ssᵀ⟩A + A (L = 4)', () => {
  const L = 4, N = 16, T = 2.5, src = isingFieldSource(L, T);
  // exact Boltzmann weights of all 2^16 configurations, and ⟨s_0 s_j⟩
  const weights = new Float64Array(1 << N);
  const spin = (c: number, i: number) => ((c >> i) & 1 ? 1 : -1);
  for (let c = 0; c < 1 << N; c++) {
    let bonds = 0;
    for (let i = 0; i < N; i++) bonds += spin(c, i) * (spin(c, (i % L + 1) % L + L * Math.floor(i / L)) + spin(c, (i + L) % N));
    weights[c] = Math.exp(bonds / T);
  }
  const Z = weights.reduce((a, b) => a + b, 0);
  const C = Float64Array.from({ length: N }, (_, j) => weights.reduce((acc, w, c) => acc + w * spin(c, 0) * spin(c, j), 0) / Z);
  const corr = (i: number, j: number) => C[((Math.floor(j / L) - Math.floor(i / L) + L) % L) * L + ((j % L) - (i % L) + L) % L];
  // A = K + αI directly (not from the source's A⁻¹): α on the diagonal, β between nearest neighbours
  const isNeighbour = (i: number, j: number) => {
    const dx = Math.abs((i % L) - (j % L)), dy = Math.abs(Math.floor(i / L) - Math.floor(j / L));
    return ((dx === 1 || dx === L - 1) && dy === 0) || ((dy === 1 || dy === L - 1) && dx === 0);
  };
  const A = (i: number, j: number) => (i === j ? src.alpha : 0) + (isNeighbour(i, j) ? src.beta : 0);
  const expected = Array.from({ length: N }, (_, j) => {
    let v = A(0, j);
    for (let a = 0; a < N; a++) for (let b = 0; b < N; b++) v += A(0, a) * corr(a, b) * A(b, j);
    return v;
  });
  // n exact draws of s by inverting the cumulative weights
  const n = 4000, rng = Rng.stream(12, 1);
  const cumulative = new Float64Array(1 << N);
  weights.reduce((acc, w, c) => (cumulative[c] = acc + w), 0);
  const spins = new Int8Array(n * N);
  for (let r = 0; r < n; r++) {
    const u = rng.uniform() * Z;
    let lo = 0, hi = (1 << N) - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (cumulative[mid] < u) lo = mid + 1; else hi = mid; }
    for (let i = 0; i < N; i++) spins[r * N + i] = spin(lo, i);
  }
  const x = fieldFromSpins(src, spins, Rng.stream(12, 2));
  for (let j = 0; j < N; j++) {
    // per draw, x_i x_{i+j} averaged over the N translations; mean and standard error over draws
    const values = Array.from({ length: n }, (_, r) => {
      let v = 0;
      for (let i = 0; i < N; i++) v += x[r * N + i] * x[r * N + ((Math.floor(i / L) + Math.floor(j / L)) % L) * L + ((i % L) + (j % L)) % L];
      return v / N;
    });
    const mean = values.reduce((a, b) => a + b, 0) / n;
    const error = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) / n);
    assert.ok(Math.abs(mean - expected[j]) < 5 * error, `separation ${j}: ${mean} ± ${error}, exact ${expected[j]}`);
  }
});

test('latent HMC killed mid-run resumes from its checkpoint to exactly the uninterrupted chains', async () => {
  await initBackend('cpu');
  const L = 4, src = isingFieldSource(L, 2.5);
  const flow = createFlow({ L, depth: 2, block: { couplings: 2, hidden: 8 }, symmetric: true }, Rng.stream(4, 1));
  const dir = mkdtempSync(join(tmpdir(), 'spinflow-hmc-'));
  try {
    const options = { space: 'latent', chains: 6, steps: 8, leapfrogSteps: 3, stepSize: 0.3, seed: 9 } as const;
    const whole = hmc(src, flow, options);
    const checkpoint = { path: join(dir, 'h.ckpt'), key: 'run', everySeconds: 0 };
    delete process.env.SPINFLOW_CHECKPOINT_SECONDS; // it would override everySeconds
    assert.throws(() => hmc(src, flow, { ...options, checkpoint, onProgress: (t) => { if (t === 3) throw new Error('killed'); } }), /killed/);
    const steps: number[] = [];
    const resumed = hmc(src, flow, { ...options, checkpoint, onProgress: (t) => steps.push(t) });
    assert.deepEqual(steps, [4, 5, 6, 7, 8], 'the resumed run starts after the third step');
    assert.deepEqual(resumed.structureFactorTrace, whole.structureFactorTrace);
    assert.deepEqual(resumed.structureFactor, whole.structureFactor);
    assert.deepEqual(resumed.finalX, whole.finalX);
    assert.equal(resumed.acceptance, whole.acceptance);
    assert.throws(() => hmc(src, flow, { ...options, checkpoint: { ...checkpoint, key: 'other' } }), /different hmc run/);
  } finally {
    disposeFlow(flow);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('spinflow neuralrg train respects the variational bound; sample and hmc write spins', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spinflow-nrg-'));
  try {
    const t = run('neuralrg', 'train', '--L', '4', '--T', '2.5', '--depth', '2', '--couplings', '2', '--hidden', '8', '--epochs', '2', '--steps', '10', '--batch', '32', '--lr', '3e-3', '--out', join(dir, 'f.safetensors'), '--json');
    assert.equal(t.status, 0, t.stderr);
    const r = JSON.parse(t.stdout);
    assert.equal(r.epochs.length, 2);
    // F_var = E_q[ln q − ln π] ≥ −ln Z: an estimate below the bound by more than 5σ is a bug
    assert.ok(r.finalFreeEnergy.mean > r.exactFreeEnergy - 5 * r.finalFreeEnergy.error, `${r.finalFreeEnergy.mean} ± ${r.finalFreeEnergy.error} vs −ln Z ${r.exactFreeEnergy}`);
    const s = run('neuralrg', 'sample', '--model', join(dir, 'f.safetensors'), '--T', '2.5', '--count', '30', '--out', join(dir, 's.npy'));
    assert.equal(s.status, 0, s.stderr);
    const h = run('neuralrg', 'hmc', '--model', join(dir, 'f.safetensors'), '--T', '2.5', '--chains', '4', '--steps', '4', '--out', join(dir, 'h.npy'), '--json');
    assert.equal(h.status, 0, h.stderr);
    assert.equal(JSON.parse(h.stdout).trace.length, 4);
    const eq = run('neuralrg', 'hmc', '--model', join(dir, 'f.safetensors'), '--T', '2.5', '--chains', '4', '--steps', '4', '--start', 'equilibrium', '--out', join(dir, 'e.npy'), '--json');
    assert.equal(eq.status, 0, eq.stderr);
    assert.equal(JSON.parse(eq.stdout).start, 'equilibrium');
    const badStart = run('neuralrg', 'hmc', '--model', join(dir, 'f.safetensors'), '--T', '2.5', '--start', 'cold', '--out', join(dir, 'b.npy'));
    assert.equal(badStart.status, 2);
    assert.match(badStart.stderr, /--start cold is not allowed: random .* or equilibrium/);
    assert.ok(!existsSync(join(dir, 'b.npy')) && !existsSync(join(dir, 'b.npy.ckpt')));
    // the chains' checkpoint lives only while they run; one left by a killed run of other options is refused
    assert.ok(!existsSync(join(dir, 'h.npy.ckpt')));
    saveCheckpoint(join(dir, 'k.npy.ckpt'), 'hmc', 'a run with other options', {});
    const stale = run('neuralrg', 'hmc', '--model', join(dir, 'f.safetensors'), '--T', '2.5', '--chains', '4', '--steps', '4', '--out', join(dir, 'k.npy'));
    assert.equal(stale.status, 2, stale.stderr);
    assert.match(stale.stderr, /k\.npy\.ckpt belongs to a different hmc run/);
    assert.ok(!existsSync(join(dir, 'k.npy')));
    const e = run('evaluate', '--samples', join(dir, 's.npy'), '--reference', 'exact', '--T', '2.5', '--json');
    assert.equal(e.status, 0, e.stderr);
    const bad = run('neuralrg', 'train', '--L', '6', '--out', join(dir, 'x.safetensors'));
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--L 6 is not allowed: the hierarchy needs a power of 2/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('reproduce neuralrg writes Figs. 3, S1, S2 and the numbers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spinflow-nrgstudy-'));
  try {
    const r = spawnSync(process.execPath, [CLI, 'reproduce', 'neuralrg', '--out', dir, '--workers', '2', '--json', '--set', 'L=4', '--set', 'depth=2', '--set', 'couplings=1', '--set', 'hidden=4',
      '--set', 'epochs=1', '--set', 'stepsPerEpoch=2', '--set', 'batchSize=8', '--set', 'hmcChains=2', '--set', 'hmcSteps=4', '--set', 'equilibriumSteps=6', '--set', 'leapfrog=2', '--set', 'sweepTemperatures=2.5', '--set', 'sweepDepths=1',
      '--set', 'sweepEpochs=1', '--set', 'samples=20'], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    assert.equal(r.status, 0, r.stderr);
    for (const f of ['fig3a-free-energy', 'fig3b-structure-factor', 'fig4a-response', 'fig4bc-mutual-information', 'figs1-error-vs-temperature', 'figs2-samples']) assert.ok(existsSync(join(dir, 'neuralrg', 'figures', `${f}.svg`)), f);
    const s = JSON.parse(readFileSync(join(dir, 'neuralrg', 'summary.json'), 'utf8'));
    assert.equal(typeof s.findings.relativeError, 'number');
    assert.equal(typeof s.findings.structureFactor.latent.mean, 'number');
    assert.equal(typeof s.findings.structureFactor.physicalEquilibrium.tauInt, 'number');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('KSG mutual information of a correlated Gaussian pair is −½ ln(1 − ρ²); of independent ones ≈ 0', () => {
  const rng = Rng.stream(21, 1), n = 1500;
  for (const rho of [0, 0.6, 0.9]) {
    const x = new Float64Array(n), y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const a = rng.normal(), b = rng.normal();
      x[i] = a;
      y[i] = rho * a + Math.sqrt(1 - rho * rho) * b;
    }
    const exact = -0.5 * Math.log(1 - rho * rho);
    const est = ksgMutualInformation(x, y, 3);
    // KSG's spread at n = 1500, k = 3 is ≈ 0.01–0.02 nats (Kraskov et al., Fig. 4)
    assert.ok(Math.abs(est - exact) < 0.06, `ρ = ${rho}: ${est} vs ${exact}`);
  }
  assert.ok(Math.abs(digamma(1) + 0.5772156649015329) < 1e-12);
  assert.ok(Math.abs(digamma(10) - 2.251752589066721) < 1e-12);
});
