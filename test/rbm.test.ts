/** The RBM: free energy against brute force, Gibbs sampling against exact marginals, the study. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/nn/backend.js';
import { createRbm, freeEnergy, sampleRbm } from '../src/models/rbm/rbm.js';
import { Rng } from '../src/sampling/rng.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

/** A small RBM with random parameters of order 1. */
function smallRbm(V: number, H: number, seed: number) {
  const rbm = createRbm(V, H, Rng.stream(seed, 1));
  const rng = Rng.stream(seed, 2);
  rbm.params.W.assign(tf.tensor2d(Float32Array.from({ length: V * H }, () => rng.normal()), [V, H]));
  rbm.params.b.assign(tf.tensor1d(Float32Array.from({ length: V }, () => 0.5 * rng.normal())));
  rbm.params.c.assign(tf.tensor1d(Float32Array.from({ length: H }, () => 0.5 * rng.normal())));
  return rbm;
}

test('free energy equals −log Σ_h e^{−E(v,h)} by brute force', async () => {
  await initBackend('cpu');
  const V = 4, H = 3;
  const rbm = smallRbm(V, H, 1);
  const W = rbm.params.W.arraySync() as number[][], b = rbm.params.b.arraySync() as number[], c = rbm.params.c.arraySync() as number[];
  const vs = Array.from({ length: 1 << V }, (_, m) => Array.from({ length: V }, (_, i) => (m >> i) & 1));
  const F = freeEnergy(rbm, tf.tensor2d(vs.flat(), [vs.length, V])).dataSync();
  vs.forEach((v, k) => {
    let z = 0;
    for (let m = 0; m < 1 << H; m++) {
      const h = Array.from({ length: H }, (_, j) => (m >> j) & 1);
      let e = 0;
      for (let i = 0; i < V; i++) e -= v[i] * b[i];
      for (let j = 0; j < H; j++) e -= h[j] * c[j];
      for (let i = 0; i < V; i++) for (let j = 0; j < H; j++) e -= v[i] * W[i][j] * h[j];
      z += Math.exp(-e);
    }
    assert.ok(Math.abs(F[k] + Math.log(z)) < 1e-4, `v = ${v}: F = ${F[k]}, −log Z(v) = ${-Math.log(z)}`);
  });
});

test('Gibbs sampling reproduces the exact visible marginal of a small RBM', async () => {
  await initBackend('cpu');
  const V = 3, H = 2;
  const rbm = smallRbm(V, H, 2);
  const vs = Array.from({ length: 1 << V }, (_, m) => Array.from({ length: V }, (_, i) => (m >> i) & 1));
  const F = freeEnergy(rbm, tf.tensor2d(vs.flat(), [vs.length, V])).dataSync();
  const w = Array.from(F, (f) => Math.exp(-f));
  const Z = w.reduce((a, x) => a + x, 0);
  const n = 4000;
  const samples = sampleRbm(rbm, n, 30, Rng.stream(2, 3));
  const counts = new Array(1 << V).fill(0);
  for (let k = 0; k < n; k++) {
    let m = 0;
    for (let i = 0; i < V; i++) if (samples[k * V + i] > 0.5) m |= 1 << i;
    counts[m]++;
  }
  counts.forEach((c, m) => {
    const p = w[m] / Z;
    const sigma = Math.sqrt((p * (1 - p)) / n);
    assert.ok(Math.abs(c / n - p) < 5 * sigma + 1e-3, `state ${m}: ${c / n} vs exact ${p}`);
  });
});

test('reproduce rbm writes Figs. 5–8 and the harness numbers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spinflow-rbmstudy-'));
  try {
    const r = spawnSync(process.execPath, [CLI, 'reproduce', 'rbm', '--out', dir, '--workers', '2', '--json', '--set', 'maxEpochs=1', '--set', 'samples=20', '--set', 'samplingSteps=3'],
      { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    assert.equal(r.status, 0, r.stderr);
    for (const f of ['fig5-energy', 'fig5-magnetization', 'fig6-histogram-t1', 'fig6-histogram-t3', 'fig7-correlation-m0', 'fig7-correlation-excess30', 'fig8-correlation-ising']) {
      assert.ok(existsSync(join(dir, 'rbm', 'figures', `${f}.svg`)), f);
    }
    const s = JSON.parse(readFileSync(join(dir, 'rbm', 'summary.json'), 'utf8'));
    const entry = s.findings['conserved-L12-M0@T=1'];
    assert.equal(typeof entry.energySigmas, 'number');
    assert.equal(entry.conserved.M0, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('spinflow rbm train, rbm sample and evaluate chain together', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spinflow-rbmcli-'));
  try {
    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    assert.equal(run('dataset', 'generate', '--L', '4', '--temperatures', '2.0', '--per-temperature', '200', '--out', join(dir, 'd')).status, 0);
    const t = run('rbm', 'train', '--data', join(dir, 'd'), '--group', 'ising-L4', '--T', '2.0', '--epochs', '3', '--out', join(dir, 'r.safetensors'), '--json');
    assert.equal(t.status, 0, t.stderr);
    assert.equal(JSON.parse(t.stdout).epochs, 3);
    const s = run('rbm', 'sample', '--model', join(dir, 'r.safetensors'), '--count', '50', '--steps', '5', '--out', join(dir, 's.npy'));
    assert.equal(s.status, 0, s.stderr);
    const e = run('evaluate', '--samples', join(dir, 's.npy'), '--reference', join(dir, 'd'), '--T', '2.0', '--json');
    assert.equal(e.status, 0, e.stderr);
    assert.equal(JSON.parse(e.stdout).samples.count, 50);
    const bad = run('rbm', 'train', '--data', join(dir, 'd'), '--group', 'ising-L4', '--out', join(dir, 'x.safetensors'));
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /needs --data DIR, --group NAME and --T/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
