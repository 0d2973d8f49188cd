/** Phase classifiers and finite-size scaling: crossings, collapse fits, the conserved-cnn study. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/nn/backend.js';
import { createClassifier, crossEntropy, loadClassifier, orderedProbability, saveClassifier } from '../src/models/cnn/classifier.js';
import { collapseQuality, crossing, fitCollapse } from '../src/observables/scaling.js';
import { Rng } from '../src/sampling/rng.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

test('crossing of a level is interpolated linearly', () => {
  assert.equal(crossing([{ T: 1, y: 0.9, error: 0 }, { T: 2, y: 0.7, error: 0 }, { T: 3, y: 0.3, error: 0 }]), 2.5);
  assert.ok(Number.isNaN(crossing([{ T: 1, y: 0.9, error: 0 }, { T: 2, y: 0.8, error: 0 }])));
});

test('the collapse fit recovers T_c and ν of synthetic scaling data', () => {
  const Tc = 2.27, nu = 1;
  const rng = Rng.stream(3, 3);
  const curves = [12, 16, 24, 32].map((L) => ({
    L,
    points: Array.from({ length: 23 }, (_, k) => {
      const T = 1 + 0.1 * k;
      const y = 1 / (1 + Math.exp(((T - Tc) * L ** (1 / nu)) / 2));
      return { T, y: y + 0.005 * rng.normal(), error: 0.005 };
    }),
  }));
  const fit = fitCollapse(curves, { Tc: [2.0, 2.6], nu: [0.4, 2.5] });
  assert.ok(Math.abs(fit.Tc - Tc) < 0.01, `T_c ${fit.Tc}`);
  assert.ok(Math.abs(fit.nu - nu) < 0.1, `ν ${fit.nu}`);
  assert.ok(fit.quality < 3, `quality ${fit.quality}`);
  assert.ok(collapseQuality(curves, 2.5, 1) > 10 * fit.quality, 'a wrong T_c collapses much worse');
});

test('classifiers give probabilities, gradients and round-trip through safetensors', async () => {
  await initBackend('cpu');
  const dir = mkdtempSync(join(tmpdir(), 'spinflow-cnn-'));
  try {
    for (const architecture of ['cnn', 'dense'] as const) {
      const model = createClassifier({ architecture, L: 8, channels: [4, 6], denseHidden: 16 }, Rng.stream(1, 1));
      const rng = Rng.stream(2, 2);
      const x = tf.tensor2d(Float32Array.from({ length: 5 * 64 }, () => rng.nextU32() & 1), [5, 64]);
      const p = orderedProbability(model, x);
      assert.equal(p.length, 5);
      assert.ok([...p].every((q) => q > 0 && q < 1));
      const grads = tf.variableGrads(() => crossEntropy(model, x, tf.tensor1d([0, 1, 1, 0, 1])), Object.values(model.params)).grads;
      assert.equal(Object.keys(grads).length, Object.keys(model.params).length);
      saveClassifier(join(dir, `${architecture}.safetensors`), model);
      const back = loadClassifier(join(dir, `${architecture}.safetensors`));
      assert.deepEqual([...orderedProbability(back, x)], [...p]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('reproduce conserved-cnn writes the crossings, the collapse and its fit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spinflow-cnnstudy-'));
  try {
    const r = spawnSync(process.execPath, [CLI, 'reproduce', 'conserved-cnn', '--out', dir, '--workers', '2', '--json', '--set', 'epochs=2', '--set', 'bootstrap=3', '--set', 'controls=0', '--set', 'c1=4', '--set', 'c2=4'],
      { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    for (const f of ['ordered-probability', 'collapse', 'collapse-fitted']) assert.ok(existsSync(join(dir, 'conserved-cnn', 'figures', `${f}.svg`)), f);
    const s = JSON.parse(readFileSync(join(dir, 'conserved-cnn', 'summary.json'), 'utf8'));
    assert.deepEqual(Object.keys(s.findings.crossings), ['12', '16', '20']);
    assert.equal(typeof s.findings.collapse.nu, 'number');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('spinflow cnn train and evaluate on a labelled dataset; a lattice mismatch is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spinflow-cnncli-'));
  try {
    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    assert.equal(run('dataset', 'generate', '--L', '8', '--temperatures', '1.5,3.5', '--per-temperature', '60', '--labels', '--split', '0.7,0.1,0.2', '--out', join(dir, 'd')).status, 0);
    const t = run('cnn', 'train', '--data', join(dir, 'd'), '--group', 'ising-L8', '--epochs', '2', '--out', join(dir, 'm.safetensors'), '--json');
    assert.equal(t.status, 0, t.stderr);
    const e = run('cnn', 'evaluate', '--model', join(dir, 'm.safetensors'), '--data', join(dir, 'd'), '--group', 'ising-L8', '--json');
    assert.equal(e.status, 0, e.stderr);
    const out = JSON.parse(e.stdout);
    assert.equal(out.count, 24);
    assert.deepEqual(out.curve.map((p: { T: number }) => p.T), [1.5, 3.5]);
    assert.ok(out.accuracy >= 0 && out.accuracy <= 1);
    const bad = run('cnn', 'train', '--data', join(dir, 'd'), '--group', 'ising-L8', '--architecture', 'rnn', '--out', join(dir, 'x.safetensors'));
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--architecture rnn is unknown: allowed are cnn, dense/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
