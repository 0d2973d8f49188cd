/**
 * Saved models as generators of Ising configurations (models/generator.ts), built from the bytes of
 * their files as the browser page does: shapes, determinism in the seed, an exact check, refusals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../src/nn/backend.js';
import { generatorFromBytes } from '../src/models/generator.js';
import { Rbm } from '../src/models/rbm/rbm.js';
import { createMade, disposeMade, saveMade } from '../src/models/made/made.js';
import { createFlow, disposeFlow, saveFlow } from '../src/models/neuralrg/flow.js';
import { createAutoencoder, disposeAutoencoder, reconstruct, saveAutoencoder } from '../src/models/ae/autoencoder.js';
import { bitsToSpins, spinsToBits } from '../src/lattice/square.js';
import { Rng } from '../src/sampling/rng.js';

const dir = mkdtempSync(join(tmpdir(), 'spinflow-generator-'));
const isSpins = (x: Int8Array) => x.every((s) => s === 1 || s === -1);

test('an RBM with W = 0 generates independent spins with ⟨s⟩ = tanh(b/2) exactly', () => {
  const V = 64, b = 0.8, n = 400;
  const rbm = new Rbm(V, 16, new Float64Array(V * 16), new Float64Array(V).fill(b), new Float64Array(16).fill(-0.3));
  rbm.save(join(dir, 'rbm.safetensors'));
  const gen = generatorFromBytes(readFileSync(join(dir, 'rbm.safetensors')), 'rbm.safetensors');
  assert.equal(gen.kind, 'rbm');
  assert.equal(gen.L, 8);
  const x = gen.generate(n, 5, { steps: 3 });
  assert.equal(x.length, n * V);
  assert.ok(isSpins(x));
  const mean = x.reduce((a, s) => a + s, 0) / x.length;
  const exact = Math.tanh(b / 2);
  const sigma = Math.sqrt((1 - exact * exact) / x.length);
  assert.ok(Math.abs(mean - exact) < 5 * sigma, `⟨s⟩ = ${mean}, exact ${exact} ± ${sigma}`);
  assert.deepEqual(gen.generate(10, 5), gen.generate(10, 5), 'same seed, same configurations');
  assert.notDeepEqual(gen.generate(10, 5), gen.generate(10, 6));
});

test('MADE and NeuralRG flow files generate ±1 configurations, deterministic in the seed', async () => {
  await initBackend('cpu');
  const made = createMade({ sites: 16, categories: 2, hidden: [7, 5], order: Array.from({ length: 16 }, (_, i) => i), direct: false }, Rng.stream(1, 1));
  saveMade(join(dir, 'made.safetensors'), made);
  disposeMade(made);
  const flow = createFlow({ L: 4, depth: 1, block: { couplings: 4, hidden: 8 }, symmetric: true }, Rng.stream(2, 1));
  saveFlow(join(dir, 'flow.safetensors'), flow);
  disposeFlow(flow);
  for (const [file, kind] of [['made.safetensors', 'made'], ['flow.safetensors', 'neuralrg-flow']] as const) {
    const gen = generatorFromBytes(readFileSync(join(dir, file)), file);
    assert.equal(gen.kind, kind);
    assert.equal(gen.L, 4);
    const a = gen.generate(20, 3), b = gen.generate(20, 3);
    assert.equal(a.length, 20 * 16);
    assert.ok(isSpins(a), kind);
    assert.deepEqual(a, b, kind);
    gen.dispose();
  }
});

test('an autoencoder generates the NN flow from given starts: one step is the rounded reconstruction', async () => {
  await initBackend('cpu');
  const ae = createAutoencoder({ inputs: 36, hidden: 8, activation: 'sigmoid' }, Rng.stream(3, 1));
  saveAutoencoder(join(dir, 'ae.safetensors'), ae);
  const rng = Rng.stream(4, 0);
  const start = Int8Array.from({ length: 5 * 36 }, () => (rng.uniform() < 0.5 ? 1 : -1));
  const gen = generatorFromBytes(readFileSync(join(dir, 'ae.safetensors')), 'ae.safetensors');
  assert.equal(gen.L, 6);
  assert.deepEqual(gen.generate(5, 0, { start, maxSteps: 1 }), bitsToSpins(reconstruct(ae, spinsToBits(start), 5)));
  const end = gen.generate(5, 0, { start, maxSteps: 500 });
  assert.deepEqual(bitsToSpins(reconstruct(ae, spinsToBits(end), 5)), end, 'the flow ends at a fixed point');
  assert.throws(() => gen.generate(5, 0), /needs 5 starting configurations of 36 spins/);
  gen.dispose();
  disposeAutoencoder(ae);
});

test('models that do not generate spins are refused with the reason', async () => {
  await initBackend('cpu');
  const made = createMade({ sites: 9, categories: 5, hidden: [7], order: Array.from({ length: 9 }, (_, i) => i), direct: false }, Rng.stream(1, 1));
  saveMade(join(dir, 'block.safetensors'), made);
  disposeMade(made);
  assert.throws(() => generatorFromBytes(readFileSync(join(dir, 'block.safetensors')), 'block.safetensors'), /block\.safetensors is a MADE on 5-valued block sums, not on spins/);
  const rbm = new Rbm(10, 4);
  rbm.save(join(dir, 'odd.safetensors'));
  assert.throws(() => generatorFromBytes(readFileSync(join(dir, 'odd.safetensors')), 'odd.safetensors'), /odd\.safetensors has 10 sites, not an L × L lattice/);
});
