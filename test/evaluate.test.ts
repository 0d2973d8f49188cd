/** The evaluation harness: statistics against Monte Carlo and exact references, conservation checks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateConfigurations, gammaQ, homogeneityTest } from '../src/evaluate/harness.js';
import { Rng } from '../src/sampling/rng.js';
import { encodeNpy } from '../src/data/npy.js';
import { equilibriumConfigurations } from '../src/sampling/configurations.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

/** n configurations of an L×L chain, `spacing` sweeps apart. */
function mcConfigs(L: number, T: number, n: number, seed: number, magnetization: number | null = null, spacing = 5): Int8Array {
  return equilibriumConfigurations(L, T, n, seed, { magnetization, spacing });
}

test('gammaQ and the χ² homogeneity test', () => {
  assert.ok(Math.abs(gammaQ(1, 2) - Math.exp(-2)) < 1e-12);
  assert.ok(Math.abs(gammaQ(3, 5) - Math.exp(-5) * (1 + 5 + 12.5)) < 1e-12);
  const same = homogeneityTest({ 0: 0.5, 1: 0.5 }, 1000, { 0: 0.5, 1: 0.5 }, 1000);
  assert.ok(same.pValue > 0.99);
  const different = homogeneityTest({ 0: 0.7, 1: 0.3 }, 1000, { 0: 0.5, 1: 0.5 }, 1000);
  assert.ok(different.pValue < 1e-10);
});

test('Monte Carlo against Monte Carlo and against enumeration agrees within errors', () => {
  const L = 4, T = 2.5, n = 4000;
  const a = mcConfigs(L, T, n, 1), b = mcConfigs(L, T, n, 2);
  const mc = evaluateConfigurations(a, n, L, { kind: 'monte-carlo', configs: b, n });
  assert.ok(Math.abs(mc.energyDeviationSigmas) < 5, `E: ${mc.energyDeviationSigmas}σ`);
  assert.ok(Math.abs(mc.absMagnetizationDeviationSigmas) < 5);
  assert.ok(mc.energyTest.pValue > 1e-4, `p = ${mc.energyTest.pValue}`);
  assert.ok(Math.abs(mc.correlationMaxDeviation?.sigmas ?? 0) < 5);
  const exact = evaluateConfigurations(a, n, L, { kind: 'exact', T });
  assert.ok(Math.abs(exact.energyDeviationSigmas) < 5, `E vs exact: ${exact.energyDeviationSigmas}σ`);
  assert.ok(exact.energyTest.pValue > 1e-4, `p = ${exact.energyTest.pValue}`);
  // a wrong temperature is detected
  const wrong = evaluateConfigurations(mcConfigs(L, 2.0, n, 3), n, L, { kind: 'exact', T });
  assert.ok(wrong.energyTest.pValue < 1e-6 && Math.abs(wrong.energyDeviationSigmas) > 5);
});

test('conservation: breaking fraction and energies impossible at M0', () => {
  const L = 4, N = 16, n = 500;
  const conservedRef = mcConfigs(L, 2.0, n, 4, 0);
  const ok = evaluateConfigurations(mcConfigs(L, 2.0, n, 5, 0), n, L, { kind: 'monte-carlo', configs: conservedRef, n }, 0);
  assert.equal(ok.conserved?.breakingFraction.mean, 0);
  assert.equal(ok.conserved?.impossibleEnergyFraction.mean, 0);
  assert.equal(ok.conserved?.impossibleRule, 'enumeration');
  // all-up configurations break M0 = 0 and have u = 0, impossible at M0 = 0
  const up = new Int8Array(10 * N).fill(1);
  const bad = evaluateConfigurations(up, 10, L, { kind: 'monte-carlo', configs: conservedRef, n }, 0);
  assert.equal(bad.conserved?.breakingFraction.mean, 1);
  assert.equal(bad.conserved?.impossibleEnergyFraction.mean, 1);
});

test('spinflow evaluate reads .npy samples against a .npy reference', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spinflow-eval-'));
  try {
    const L = 4, n = 300;
    writeFileSync(join(dir, 's.npy'), encodeNpy('int8', [n, L, L], mcConfigs(L, 2.5, n, 6)));
    writeFileSync(join(dir, 'r.npy'), encodeNpy('int8', [n, L, L], mcConfigs(L, 2.5, n, 7)));
    const r = spawnSync(process.execPath, [CLI, 'evaluate', '--samples', join(dir, 's.npy'), '--reference', join(dir, 'r.npy'), '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.samples.count, n);
    assert.equal(out.reference.kind, 'monte-carlo');
    const ex = spawnSync(process.execPath, [CLI, 'evaluate', '--samples', join(dir, 's.npy'), '--reference', 'exact', '--T', '2.5', '--json'], { encoding: 'utf8' });
    assert.equal(ex.status, 0, ex.stderr);
    assert.equal(JSON.parse(ex.stdout).reference.kind, 'exact');
    const bad = spawnSync(process.execPath, [CLI, 'evaluate', '--samples', join(dir, 'nope.npy'), '--reference', join(dir, 'r.npy')], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
