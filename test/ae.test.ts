/** The autoencoder NN flow: measurements, weights round trip, fixed points, and the study's report. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/nn/backend.js';
import { createAutoencoder, loadAutoencoder, reconstruct, saveAutoencoder, type Autoencoder } from '../src/models/ae/autoencoder.js';
import { measureRows, pixelErrors, runFlow } from '../src/models/ae/flow.js';
import { Rng } from '../src/sampling/rng.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

test('energy and |m| of {0,1} rows use the lattice definitions', () => {
  const L = 4, N = 16;
  const rows = new Float32Array(2 * N);
  rows.fill(1, 0, N);                                                   // all up
  for (let i = 0; i < N; i++) rows[N + i] = (i % L + Math.floor(i / L)) % 2; // checkerboard
  const m = measureRows(rows, 2, L);
  assert.deepEqual(m.energy, [-2, 2]);
  assert.deepEqual(m.absM, [1, 0]);
  assert.deepEqual(pixelErrors(rows.subarray(0, N), rows.subarray(N), 1, N), [0.5]);
});

/** An autoencoder with N_l = N that copies its input exactly: σ(20·(2x − 1)) rounds back to x. */
function identityAutoencoder(N: number): Autoencoder {
  const eye = tf.eye(N);
  return {
    spec: { inputs: N, hidden: N, activation: 'linear' },
    params: { w1: tf.variable(tf.mul(eye, 2)), b1: tf.variable(tf.fill([N], -1)), w2: tf.variable(tf.mul(eye, 20)), b2: tf.variable(tf.zeros([N])) },
  };
}

test('a configuration the autoencoder reproduces is a fixed point at step 0', async () => {
  await initBackend('cpu');
  const L = 4, N = 16, n = 3;
  const rng = Rng.stream(1, 1);
  const x = Float32Array.from({ length: n * N }, () => rng.nextU32() & 1);
  const flow = runFlow(identityAutoencoder(N), x, n, L, 10);
  assert.deepEqual(flow.fixedAt, [0, 0, 0]);
  assert.equal(flow.steps[1].reconstructionError, 0);
  assert.deepEqual([...flow.final], [...x]);
});

test('autoencoder weights round-trip through safetensors', async () => {
  await initBackend('cpu');
  const dir = mkdtempSync(join(tmpdir(), 'spinflow-ae-'));
  try {
    const ae = createAutoencoder({ inputs: 16, hidden: 4, activation: 'sigmoid' }, Rng.stream(2, 2));
    const x = Float32Array.from({ length: 5 * 16 }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0);
    saveAutoencoder(join(dir, 'ae.safetensors'), ae);
    const back = loadAutoencoder(join(dir, 'ae.safetensors'));
    assert.deepEqual(back.spec, ae.spec);
    assert.deepEqual([...reconstruct(back, x, 5)], [...reconstruct(ae, x, 5)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('reproduce ae-flow writes every figure of Figs. 3–12 and the findings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spinflow-aeflow-'));
  try {
    const r = spawnSync(process.execPath, [CLI, 'reproduce', 'ae-flow', '--out', dir, '--workers', '2', '--json',
      '--set', 'hiddens=8,16', '--set', 'tCuts=0.02,2.6', '--set', 'mainHidden=16', '--set', 'epochs=2', '--set', 'flowCount=5', '--set', 'flowSteps=4'],
    { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    assert.equal(r.status, 0, r.stderr);
    const figures = ['flow-energy', 'flow-magnetization', 'reconstruction-error', 're-vs-tcut', 'first-energy', 'first-magnetization', 'magnetization-vs-nl', 'fixed-energy-hot', 'fixed-energy-cold', 'ordered-re', 'fixed-points', 'intrinsic-dimension', 'flow-physics'];
    for (const f of figures) assert.ok(existsSync(join(dir, 'ae-flow', 'figures', `${f}.svg`)), f);
    const summary = JSON.parse(readFileSync(join(dir, 'ae-flow', 'summary.json'), 'utf8'));
    assert.equal(summary.findings.models, 4);
    assert.equal(typeof summary.findings.eStarMonotone, 'boolean');
    // the cold flow starts from ordered configurations at T = 1.5 and must stay ordered-ish
    assert.ok(summary.findings.coldEnd.energy.mean < -1.5, JSON.stringify(summary.findings.coldEnd));
    const bad = spawnSync(process.execPath, [CLI, 'reproduce', 'ae-flow', '--set', 'hiddens=8,x'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--set hiddens=8,x is not allowed: hiddens is a comma list of integers/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('TwoNN recovers the dimension of uniform points and ignores duplicates', async () => {
  const { twoNN, twoNNConfigurations } = await import('../src/observables/intrinsic-dimension.js');
  for (const d of [1, 2]) {
    const rng = Rng.stream(11, d);
    const n = 2000, D = 6;
    const pts = Array.from({ length: n }, () => Float64Array.from({ length: D }, (_, k) => (k < d ? rng.uniform() : 0)));
    const est = twoNN(n, (i, j) => Math.hypot(...pts[i].map((x, k) => x - pts[j][k])));
    // the estimator's standard error is ≈ d/√n (Facco et al.); 5 of them
    assert.ok(Math.abs(est - d) < 5 * d / Math.sqrt(n), `d = ${d}: estimate ${est}`);
  }
  const rows = new Float32Array(4 * 16);
  rows.fill(1, 0, 32); // two identical all-up rows, two all-down
  assert.deepEqual(twoNNConfigurations(rows, 4, 16).distinct, 2);
  assert.ok(Number.isNaN(twoNNConfigurations(rows, 4, 16).dimension));
});

test('soft energy and magnetization equal the lattice values on {0,1} configurations', async () => {
  const { softEnergyMagnetization } = await import('../src/models/ae/autoencoder.js');
  await initBackend('cpu');
  const L = 5, n = 6;
  const rng = Rng.stream(4, 4);
  const bits = Float32Array.from({ length: n * L * L }, () => rng.nextU32() & 1);
  const soft = softEnergyMagnetization(tf.tensor2d(bits, [n, L * L]), L);
  const m = measureRows(bits, n, L);
  const e = soft.energy.dataSync(), mag = soft.magnetization.dataSync();
  for (let k = 0; k < n; k++) {
    assert.ok(Math.abs(e[k] - m.energy[k]) < 1e-6, `E ${e[k]} vs ${m.energy[k]}`);
    assert.ok(Math.abs(Math.abs(mag[k]) - m.absM[k]) < 1e-6);
  }
});
