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
  assert.equal(fit.atBound, false);
});

// Curves like the paper-scale CNN's: L = 20…50, a finite-size shift, binomial errors of ~670 test
// configurations per T, on the paper's ΔT = 0.1 grid with seven temperatures added near T_c.
function probabilityCurves(nu: number, seed: number) {
  const Tc = 2.2692, rng = Rng.stream(seed, 1);
  const grid = [...Array.from({ length: 23 }, (_, k) => 1 + 0.1 * k), 2.18, 2.22, 2.24, 2.26, 2.28, 2.32, 2.34].sort((a, b) => a - b);
  return [20, 30, 40, 50].map((L) => ({
    L,
    points: grid.map((T) => {
      const p = 1 / (1 + Math.exp(((T - Tc) * L ** (1 / nu) - 0.5) / 1.7));
      const error = Math.sqrt((p * (1 - p)) / 670) + 0.001;
      return { T, y: p + error * rng.normal(), error };
    }),
  }));
}

test('the collapse fit recovers ν = 1 on steep paper-scale curves', () => {
  for (const seed of [1, 2, 3]) {
    const fit = fitCollapse(probabilityCurves(1, seed), { Tc: [2.0, 2.6], nu: [0.4, 2.5] });
    // The seed-to-seed scatter of these fits is ≈ 0.04 in ν and 0.003 in T_c.
    assert.ok(Math.abs(fit.nu - 1) < 0.15, `seed ${seed}: ν ${fit.nu}`);
    assert.ok(Math.abs(fit.Tc - 2.2692) < 0.015, `seed ${seed}: T_c ${fit.Tc}`);
    assert.equal(fit.atBound, false);
    assert.ok(fit.points >= 30, `${fit.points} scored points`);
  }
});

test('a per-size factor in the scaling variable: curves narrowing as 1/(L √(ln L)) collapse with it at ν = 1', () => {
  const Tc = 2.2692, rng = Rng.stream(7, 1);
  const grid = Array.from({ length: 60 }, (_, k) => 2.0 + 0.01 * k);
  const curves = [20, 30, 40, 50].map((L) => {
    const factor = Math.sqrt(0.5 * Math.log(L) - 0.7); // like the 2D Ising √c(L)
    return {
      L, factor,
      points: grid.map((T) => {
        const p = 1 / (1 + Math.exp(((T - Tc) * L * factor) / 1.2));
        const error = Math.sqrt((p * (1 - p)) / 670) + 0.001;
        return { T, y: p + error * rng.normal(), error };
      }),
    };
  });
  const range = { Tc: [2.0, 2.6] as [number, number], nu: [0.4, 2.5] as [number, number] };
  const plain = fitCollapse(curves.map(({ L, points }) => ({ L, points })), range);
  const withFactor = fitCollapse(curves, range);
  assert.ok(Math.abs(withFactor.nu - 1) < 0.05, `with the factor: ν ${withFactor.nu}`);
  assert.ok(plain.nu < 0.9, `a pure power law absorbs the logarithm into ν < 1: ${plain.nu}`);
  assert.ok(Math.abs(withFactor.Tc - Tc) < 0.005 && Math.abs(plain.Tc - Tc) < 0.005);
});

test('the collapse fit stays inside its range and says when it ends on the edge', () => {
  const fit = fitCollapse(probabilityCurves(2, 4), { Tc: [2.0, 2.6], nu: [0.4, 1.5] });
  assert.ok(fit.nu <= 1.5 && fit.nu >= 0.4, `ν ${fit.nu}`);
  assert.ok(fit.Tc <= 2.6 && fit.Tc >= 2.0, `T_c ${fit.Tc}`);
  assert.equal(fit.atBound, true, `true ν = 2 lies outside [0.4, 1.5]: the fit ended at ν = ${fit.nu}`);
  const inside = fitCollapse(probabilityCurves(2, 4), { Tc: [2.0, 2.6], nu: [0.4, 2.5] });
  assert.ok(Math.abs(inside.nu - 2) < 0.3 && !inside.atBound, `with ν = 2 inside the range: ${inside.nu}`);
});

test('collapse quality scores a fixed set of points and compares each with every other curve', () => {
  const pt = (T: number, y: number) => ({ T, y, error: 0.01 });
  // Scaled at T_c = 2.2, ν = 1: a spans x ∈ [−4, 4] and scores x = −2, 0, 2; b spans [−6, 6] and scores −2, 0, 2.
  const a = { L: 10, points: [pt(1.8, 0.99), pt(2.0, 0.9), pt(2.2, 0.5), pt(2.4, 0.1), pt(2.6, 0.01)] };
  const b = { L: 20, points: [pt(1.9, 0.99), pt(2.1, 0.9), pt(2.2, 0.5), pt(2.3, 0.1), pt(2.5, 0.01)] };
  assert.ok(collapseQuality([a, b], 2.2, 1) < 1e-9, 'a and b are one curve at T_c = 2.2, ν = 1');
  // With ν small the L = 20 curve scales far beyond the L = 10 one: its scored points (0.9, 0.1) are
  // compared with a's plateau ends (0.99, 0.01) instead of being dropped, and the quality is much worse.
  const spread = collapseQuality([a, b], 2.2, 0.2);
  assert.ok(Number.isFinite(spread) && spread > 100, `quality at ν = 0.2: ${spread}`);
  // Points outside the window are not scored: with a window no point reaches, there is nothing to score.
  assert.ok(Number.isNaN(collapseQuality([a, b], 2.2, 1, { window: [0.6, 0.7] })));
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
    for (const f of ['ordered-probability', 'energy-bayes', 'collapse', 'collapse-fitted', 'collapse-heat']) assert.ok(existsSync(join(dir, 'conserved-cnn', 'figures', `${f}.svg`)), f);
    const s = JSON.parse(readFileSync(join(dir, 'conserved-cnn', 'summary.json'), 'utf8'));
    assert.deepEqual(Object.keys(s.findings.crossings), ['12', '16', '20']);
    assert.equal(typeof s.findings.collapse.nu, 'number');
    assert.equal(typeof s.findings.collapseHeatCorrected.nu, 'number');
    assert.equal(s.findings.collapseAcceptance.judged, 'collapseHeatCorrected');
    // the energy-only Bayes classifier needs no training: its crossings must sit near T_c already (quick-scale range)
    for (const [L, c] of Object.entries(s.findings.energyBayes.crossings) as [string, { mean: number }][]) assert.ok(c.mean > 2.15 && c.mean < 2.4, `Bayes crossing at L = ${L}: ${c.mean}`);
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
