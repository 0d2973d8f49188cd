/** MADE: autoregressive masks, exact normalization and sampling, the temperature transfer, couplings, block sums. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/nn/backend.js';
import { createMade, disposeMade, encode, loadMade, logProbOf, madeLogits, sampleMade, saveMade, type MadeSpec } from '../src/models/made/made.js';
import { transferMetropolis } from '../src/models/made/transfer.js';
import { MadeState, madeTables } from '../src/models/made/incremental.js';
import { fitPairHamiltonian, fitPairHamiltonianFromFlips, distanceClasses } from '../src/observables/pair-fit.js';
import { blockSumCategories, blocksPerSide, blockSpinPerSite } from '../src/lattice/blocks.js';
import { bondSum, squareLattice } from '../src/lattice/square.js';
import { Rng } from '../src/sampling/rng.js';

/** A MADE with weights of order 1, so its distribution is far from uniform. */
function strongMade(spec: MadeSpec, seed: number) {
  const made = createMade(spec, Rng.stream(seed, 1));
  const rng = Rng.stream(seed, 2);
  for (const v of Object.values(made.params)) v.assign(tf.tensor(Float32Array.from({ length: v.size }, () => 1.5 * rng.normal()), v.shape));
  return made;
}

/** All K^N site-value vectors. */
function allValues(N: number, K: number): number[][] {
  return Array.from({ length: K ** N }, (_, m) => Array.from({ length: N }, (_, i) => Math.floor(m / K ** i) % K));
}

const spec = (N: number, K: number, order?: number[], direct = false): MadeSpec => ({ sites: N, categories: K, hidden: [7, 5], order: order ?? Array.from({ length: N }, (_, i) => i), direct });

test('output of the site at position d depends only on the sites before it', async () => {
  await initBackend('cpu');
  for (const [K, direct] of [[2, false], [3, true]] as const) {
    const order = [2, 0, 3, 1];
    const made = strongMade(spec(4, K, order, direct), 3);
    const C = K === 2 ? 1 : K;
    const base = [1, 0, 1, 1].map((v) => v % K);
    const out = (vals: number[]) => Array.from(tf.tidy(() => madeLogits(made, encode(made, vals, 1))).dataSync());
    const z0 = out(base);
    order.forEach((site, d) => {
      const changed = [...base];
      changed[site] = (changed[site] + 1) % K;
      const z1 = out(changed);
      // sites at positions ≤ d must not see the change; some later site must
      for (let e = 0; e <= d; e++) for (let c = 0; c < C; c++) assert.equal(z1[order[e] * C + c], z0[order[e] * C + c], `K = ${K}: site ${order[e]} saw site ${site}`);
    });
    disposeMade(made);
  }
});

test('p_θ sums to one and its samples follow it (spins and categories)', async () => {
  await initBackend('cpu');
  for (const [N, K] of [[4, 2], [3, 3]]) {
    const made = strongMade(spec(N, K, N === 4 ? [1, 3, 0, 2] : undefined), 4);
    const states = allValues(N, K);
    const p = Array.from(logProbOf(made, states.flat(), states.length), Math.exp);
    assert.ok(Math.abs(p.reduce((a, x) => a + x, 0) - 1) < 1e-5, `N = ${N}, K = ${K}: Σp = ${p.reduce((a, x) => a + x, 0)}`);
    const n = 6000;
    const { values, logProb } = sampleMade(made, n, Array.from({ length: n }, (_, r) => Rng.stream(5, r)));
    const counts = new Array(states.length).fill(0);
    for (let r = 0; r < n; r++) {
      let m = 0;
      for (let i = N - 1; i >= 0; i--) m = m * K + values[r * N + i];
      counts[m]++;
      if (r < 20) assert.ok(Math.abs(logProb[r] - Math.log(p[m])) < 1e-4, 'the sampler\'s log p matches the forward pass');
    }
    counts.forEach((c, m) => {
      const sigma = Math.sqrt((p[m] * (1 - p[m])) / n);
      assert.ok(Math.abs(c / n - p[m]) <= 5 * sigma + 1e-9, `N = ${N}, K = ${K}, state ${m}: ${c / n} vs ${p[m]}`);
    });
    disposeMade(made);
  }
});

test('incremental single-site changes give the log p_θ of the full forward pass', async () => {
  await initBackend('cpu');
  const cases: [MadeSpec, string][] = [
    [{ ...spec(9, 2, [4, 0, 8, 2, 6, 1, 7, 3, 5]), hidden: [11, 6] }, 'spins, random order'],
    [{ ...spec(9, 2, undefined, true), hidden: [5, 7, 4] }, 'spins, direct, three layers'],
    [{ ...spec(6, 4, [5, 3, 1, 0, 2, 4], true), hidden: [9] }, 'categories, direct, one layer'],
  ];
  for (const [sp, label] of cases) {
    const made = strongMade(sp, 11);
    const { sites: N, categories: K } = sp;
    for (const kernel of ['auto', 'js'] as const) {
      const state = new MadeState(madeTables(made), kernel);
      assert.equal(state.simd, kernel === 'auto', 'Node has the WebAssembly SIMD kernel');
      const what = `${label} (${kernel === 'auto' ? 'SIMD' : 'JS'})`;
      const rng = Rng.stream(12, 1);
      const x = Int32Array.from({ length: N }, () => rng.below(K));
      const full = (v: ArrayLike<number>) => logProbOf(made, v, 1)[0];
      assert.ok(Math.abs(state.evaluate(x) - full(x)) < 1e-4, `${what}: evaluate`);
      for (let step = 0; step < 60; step++) {
        const i = rng.below(N), v = rng.below(K);
        const y = Int32Array.from(x);
        y[i] = v;
        const d = state.trial(state.t.positionOf[i], v);
        assert.ok(Math.abs(d - (full(y) - full(x))) < 1e-4, `${what}, step ${step}: Δ log p ${d} vs ${full(y) - full(x)}`);
        if (rng.uniform() < 0.6) {
          state.commit();
          x.set(y);
        }
        assert.ok(Math.abs(state.logProb - full(x)) < 1e-4, `${what}, step ${step}: log p after ${step} changes`);
      }
      const back = new Int32Array(N);
      state.read(back);
      assert.deepEqual(Array.from(back), Array.from(x));
    }
    disposeMade(made);
  }
});

test('the transfer chain samples p_θ^{T_train/T} (exact for N = 4)', async () => {
  await initBackend('cpu');
  const N = 4;
  const made = strongMade(spec(N, 2), 6);
  const states = allValues(N, 2);
  const logp = Array.from(logProbOf(made, states.flat(), states.length));
  const chains = 1500;
  const points = transferMetropolis(made, { trainTemperature: 2, temperatures: [2, 1], chainsPerTemperature: chains, thermalize: 60, sweeps: 4, snapshots: 1, seed: 7, order: () => 0 });
  points.forEach((pt) => {
    const beta = 2 / pt.T;
    const w = logp.map((l) => Math.exp(beta * l));
    const Z = w.reduce((a, x) => a + x, 0);
    const counts = new Array(states.length).fill(0);
    for (let r = 0; r < chains; r++) {
      let m = 0;
      for (let i = N - 1; i >= 0; i--) m = m * 2 + pt.snapshots[r * N + i];
      counts[m]++;
    }
    counts.forEach((c, m) => {
      const p = w[m] / Z, sigma = Math.sqrt((p * (1 - p)) / chains);
      assert.ok(Math.abs(c / chains - p) <= 5 * sigma + 1e-9, `T = ${pt.T}, state ${m}: ${c / chains} vs ${p}`);
    });
  });
  disposeMade(made);
});

test('save and load keep the MADE', async () => {
  await initBackend('cpu');
  const dir = mkdtempSync(join(tmpdir(), 'spinflow-made-'));
  try {
    const made = strongMade(spec(4, 3, [3, 1, 2, 0], true), 8);
    saveMade(join(dir, 'm.safetensors'), made);
    const back = loadMade(join(dir, 'm.safetensors'));
    const vals = [0, 2, 1, 1, 2, 2, 0, 1];
    assert.deepEqual(Array.from(logProbOf(back, vals, 2)), Array.from(logProbOf(made, vals, 2)));
    assert.deepEqual(back.spec, made.spec);
    disposeMade(made);
    disposeMade(back);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pair fit recovers the couplings of a known Hamiltonian', () => {
  const L = 6, N = 36, n = 400;
  const rng = Rng.stream(9, 1);
  const configs = Int8Array.from({ length: n * N }, () => (rng.uniform() < 0.5 ? 1 : -1));
  const lattice = squareLattice(L);
  const cls = distanceClasses(L, 3);
  assert.deepEqual(cls.map((c) => c.r), [1, Math.SQRT2, 2]);
  // H = −Σ_nn s s + 0.3 Σ_{r=√2} s s − 0.2 M + 5
  const energyOf = (s: Int8Array) => {
    let diag = 0, M = 0;
    for (let y = 0; y < L; y++) for (let x = 0; x < L; x++) {
      const i = y * L + x;
      M += s[i];
      diag += s[i] * s[((y + 1) % L) * L + ((x + 1) % L)] + s[i] * s[((y + 1) % L) * L + ((x + L - 1) % L)];
    }
    return -bondSum(lattice, s) + 0.3 * diag - 0.2 * M + 5;
  };
  const H = Array.from({ length: n }, (_, k) => energyOf(configs.subarray(k * N, (k + 1) * N)));
  const fit = fitPairHamiltonian(H, configs, n, L, 3);
  const expect = [1, -0.3, 0];
  fit.couplings.forEach((c, k) => assert.ok(Math.abs(c.J - expect[k]) < 1e-9, `J(${c.r}) = ${c.J}`));
  assert.ok(Math.abs(fit.field.h - 0.2) < 1e-9 && Math.abs(fit.constant - 5) < 1e-8);
  assert.ok(fit.r2 > 1 - 1e-12);
  // the same from single-flip differences
  const dH: number[] = [];
  for (let k = 0; k < 40; k++) {
    const s = Int8Array.from(configs.subarray(k * N, (k + 1) * N));
    for (let i = 0; i < N; i++) {
      const before = energyOf(s);
      s[i] = -s[i];
      dH.push(energyOf(s) - before);
      s[i] = -s[i];
    }
  }
  const flips = fitPairHamiltonianFromFlips(dH, configs, 40, L, 3);
  flips.couplings.forEach((c, k) => assert.ok(Math.abs(c.J - expect[k]) < 1e-9, `flips: J(${c.r}) = ${c.J}`));
  assert.ok(Math.abs(flips.field.h - 0.2) < 1e-9);
});

test('2 × 2 block sums at stride 1 and 2', () => {
  assert.equal(blocksPerSide(16, 1), 15);
  assert.equal(blocksPerSide(16, 2), 8);
  const L = 4;
  const s = Int8Array.from([1, 1, -1, -1, 1, 1, -1, 1, -1, -1, 1, 1, -1, 1, 1, 1]);
  const one = blockSumCategories(s, 1, L, 1);
  assert.deepEqual(Array.from(one, (c) => 2 * c - 4), [4, 0, -2, 0, 0, 2, -2, 2, 4]);
  const two = blockSumCategories(s, 1, L, 2);
  assert.deepEqual(Array.from(two, (c) => 2 * c - 4), [4, -2, -2, 4]);
  assert.equal(blockSpinPerSite(two, 0, 4), 4 / 16);
});

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });

test('spinflow made train, sample (exact, transfer, MH) and evaluate chain together', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spinflow-madecli-'));
  try {
    assert.equal(run('dataset', 'generate', '--L', '4', '--temperatures', '2.5', '--per-temperature', '300', '--out', join(dir, 'd')).status, 0);
    const t = run('made', 'train', '--data', join(dir, 'd'), '--group', 'ising-L4', '--T', '2.5', '--hidden', '12,8', '--epochs', '3', '--batch', '50', '--out', join(dir, 'm.safetensors'), '--json');
    assert.equal(t.status, 0, t.stderr);
    assert.equal(JSON.parse(t.stdout).metrics.length, 3);
    for (const extra of [[], ['--T', '2.0', '--T-train', '2.5', '--sweeps', '5'], ['--T', '2.0', '--mh-steps', '5']]) {
      const s = run('made', 'sample', '--model', join(dir, 'm.safetensors'), '--count', '40', '--out', join(dir, 's.npy'), '--json', ...extra);
      assert.equal(s.status, 0, s.stderr);
      const e = run('evaluate', '--samples', join(dir, 's.npy'), '--reference', join(dir, 'd'), '--T', '2.5', '--json');
      assert.equal(e.status, 0, e.stderr);
      assert.equal(JSON.parse(e.stdout).samples.count, 40);
    }
    const block = run('made', 'train', '--data', join(dir, 'd'), '--group', 'ising-L4', '--T', '2.5', '--dof', 'block2', '--hidden', '8', '--epochs', '1', '--out', join(dir, 'b.safetensors'));
    assert.equal(block.status, 0, block.stderr);
    const noMh = run('made', 'sample', '--model', join(dir, 'b.safetensors'), '--T', '2', '--mh-steps', '3', '--out', join(dir, 'x.npy'));
    assert.equal(noMh.status, 2);
    assert.match(noMh.stderr, /needs a spin MADE/);
    const bad = run('made', 'train', '--data', join(dir, 'd'), '--group', 'ising-L4', '--T', '2.5', '--dof', 'block3', '--out', join(dir, 'y.safetensors'));
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--dof block3 is unknown: allowed are spin, block1, block2/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('reproduce made writes Figs. 3–4, the couplings and the harness numbers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spinflow-madestudy-'));
  try {
    const r = spawnSync(process.execPath, [CLI, 'reproduce', 'made', '--out', dir, '--workers', '2', '--json', '--set', 'epochs=1', '--set', 'hidden=16,8', '--set', 'chains=1', '--set', 'thermalize=0', '--set', 'sweeps=4',
      '--set', 'snapshots=1', '--set', 'rawSamples=10', '--set', 'mhTemperatures=2.5', '--set', 'mhChains=2', '--set', 'mhSteps=2', '--set', 'couplingConfigs=5'], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    assert.equal(r.status, 0, r.stderr);
    for (const f of ['fig3-inset-hamiltonian', 'fig3-magnetization', 'fig4-coarse-grained', 'couplings', 'mh-acceptance']) assert.ok(existsSync(join(dir, 'made', 'figures', `${f}.svg`)), f);
    const s = JSON.parse(readFileSync(join(dir, 'made', 'summary.json'), 'utf8'));
    assert.equal(typeof s.findings.hamiltonianFit.a, 'number');
    assert.equal(s.findings.couplings.couplings.length, 4);
    assert.equal(s.findings.mh.length, 1);
    // an MH temperature off the reference grid has no Monte Carlo to be judged against: refused before any work
    const off = spawnSync(process.execPath, [CLI, 'reproduce', 'made', '--out', join(dir, 'off'), '--set', 'mhTemperatures=2.3'], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    assert.equal(off.status, 2);
    assert.match(off.stderr, /mhTemperatures: T = 2.3 is not on the quick reference grid/);
    assert.ok(!existsSync(join(dir, 'off', 'made')), 'nothing written');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
