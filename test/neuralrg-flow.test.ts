/** The NeuralRG flow: bijectivity, log-det against the autodiff Jacobian, Z2 symmetry, save/load. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/nn/backend.js';
import { createFlow, disposeFlow, flowParams, generate, infer, loadFlow, logProbability, logProbabilityGenerated, saveFlow, sampleFlow, type FlowSpec } from '../src/models/neuralrg/flow.js';
import { Rng } from '../src/sampling/rng.js';

/** A flow whose weights are all of order `scale`, far from the identity it starts at. */
function randomFlow(spec: FlowSpec, seed: number, scale = 0.4) {
  const flow = createFlow(spec, Rng.stream(seed, 1));
  const rng = Rng.stream(seed, 2);
  for (const v of Object.values(flowParams(flow))) v.assign(tf.tensor(Float32Array.from({ length: v.size }, () => scale * rng.normal()), v.shape));
  return flow;
}

const spec = (L: number, depth: number, symmetric = false): FlowSpec => ({ L, depth, block: { couplings: 4, hidden: 8 }, symmetric });

/** ln|det M| of a square matrix by LU with partial pivoting (float64). */
function logAbsDet(M: number[][]): number {
  const A = M.map((r) => [...r]);
  const n = A.length;
  let s = 0;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r][c]) > Math.abs(A[p][c])) p = r;
    [A[c], A[p]] = [A[p], A[c]];
    s += Math.log(Math.abs(A[c][c]));
    for (let r = c + 1; r < n; r++) {
      const f = A[r][c] / A[c][c];
      for (let k = c; k < n; k++) A[r][k] -= f * A[c][k];
    }
  }
  return s;
}

test('x = g(z) inverts exactly and the two log-dets are opposite (L = 4 and 8, full and partial depth)', async () => {
  await initBackend('cpu');
  for (const [L, depth] of [[4, 2], [8, 3], [8, 1]]) {
    const flow = randomFlow(spec(L, depth), L + depth);
    const rng = Rng.stream(3, L);
    const z = tf.tensor2d(Float32Array.from({ length: 5 * L * L }, () => rng.normal()), [5, L * L]);
    const g = generate(flow, z);
    const f = infer(flow, g.x);
    const back = f.z.dataSync(), orig = z.dataSync();
    orig.forEach((v, i) => assert.ok(Math.abs(back[i] - v) < 1e-4 * Math.max(1, Math.abs(v)), `L = ${L}: z[${i}] ${back[i]} vs ${v}`));
    const a = g.logDet.dataSync(), b = f.logDet.dataSync();
    a.forEach((v, r) => assert.ok(Math.abs(v + b[r]) < 1e-3, `L = ${L}: ${v} vs ${-b[r]}`));
    assert.ok(Math.abs(a[0]) > 0.1, 'the random flow is not volume preserving');
    disposeFlow(flow);
  }
});

test('the summed log-det equals ln|det ∂x/∂z| of the autodiff Jacobian (L = 4)', async () => {
  await initBackend('cpu');
  const L = 4, N = 16;
  const flow = randomFlow(spec(L, 2), 7);
  const rng = Rng.stream(4, 1);
  const z0 = Float32Array.from({ length: N }, () => rng.normal());
  const J: number[][] = [];
  for (let i = 0; i < N; i++) {
    const grad = tf.grad((z: tf.Tensor) => tf.sum(tf.slice(generate(flow, z as tf.Tensor2D).x, [0, i], [1, 1])) as tf.Scalar);
    J.push(Array.from(grad(tf.tensor2d(z0, [1, N])).dataSync()));
  }
  const logDet = generate(flow, tf.tensor2d(z0, [1, N])).logDet.dataSync()[0];
  const exact = logAbsDet(J);
  assert.ok(Math.abs(logDet - exact) < 2e-3 * Math.max(1, Math.abs(exact)), `log-det ${logDet} vs Jacobian ${exact}`);
  disposeFlow(flow);
});

test('q_sym(x) = q_sym(−x); the plain q is not symmetric', async () => {
  await initBackend('cpu');
  const L = 4;
  const sym = randomFlow(spec(L, 2, true), 8), plain = randomFlow(spec(L, 2, false), 8);
  const { x } = sampleFlow(sym, 4, Rng.stream(5, 1));
  const a = logProbability(sym, x).dataSync(), b = logProbability(sym, tf.neg(x) as tf.Tensor2D).dataSync();
  a.forEach((v, r) => assert.ok(Math.abs(v - b[r]) < 1e-4, `${v} vs ${b[r]}`));
  const c = logProbability(plain, x).dataSync(), d = logProbability(plain, tf.neg(x) as tf.Tensor2D).dataSync();
  assert.ok(Math.abs(c[0] - d[0]) > 1e-3, 'a random plain flow is not Z2 symmetric');
  disposeFlow(sym);
  disposeFlow(plain);
});

test('the density of a generated x from its generation equals the one by inference (symmetric and plain)', async () => {
  await initBackend('cpu');
  for (const symmetric of [true, false]) {
    const flow = randomFlow(spec(8, 3, symmetric), 9);
    const z = tf.tensor2d(Float32Array.from({ length: 5 * 64 }, (_, i) => Math.sin(1.7 * i + 0.3) * 1.5), [5, 64]);
    const { x, logDet } = generate(flow, z);
    const a = logProbabilityGenerated(flow, z, x, logDet).dataSync(), b = logProbability(flow, x).dataSync();
    a.forEach((v, r) => assert.ok(Math.abs(v - b[r]) < 1e-3, `symmetric ${symmetric}, row ${r}: ${v} from the generation, ${b[r]} by inference`));
    disposeFlow(flow);
  }
});

test('save and load keep the flow; a bad L or depth is refused', async () => {
  await initBackend('cpu');
  const dir = mkdtempSync(join(tmpdir(), 'spinflow-flow-'));
  try {
    const flow = randomFlow(spec(4, 2, true), 9);
    saveFlow(join(dir, 'f.safetensors'), flow);
    const back = loadFlow(join(dir, 'f.safetensors'));
    const x = tf.tensor2d(Float32Array.from({ length: 32 }, (_, i) => Math.sin(i)), [2, 16]);
    assert.deepEqual(Array.from(logProbability(back, x).dataSync()), Array.from(logProbability(flow, x).dataSync()));
    assert.throws(() => createFlow(spec(6, 1), Rng.stream(1, 1)), /L = 2\^k/);
    assert.throws(() => createFlow(spec(8, 4), Rng.stream(1, 1)), /depth = 4 is not allowed for L = 8: expected 1 … 3/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
