/**
 * The neural-network runtime: first and second derivatives of every registered gradient against
 * finite differences (cpu and wasm), Hessian-vector products of a tanh/elu MLP, the periodic
 * convolution against a direct sum, safetensors round trips, and training that resumes after
 * SIGKILL to the same weights.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/nn/backend.js';
import { periodicConv2d } from '../src/nn/conv.js';
import { binaryCrossEntropyWithLogits, layerNorm, logCosh, logSigmoid, logSumExp, softplus } from '../src/nn/ops.js';
import { decodeSafetensors, encodeSafetensors, loadTensors, saveTensors } from '../src/nn/safetensors.js';
import { Optimizer, permutation, scheduledRate, train } from '../src/nn/train.js';
import { Rng } from '../src/sampling/rng.js';
import { InputError } from '../src/errors.js';

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
type F = (x: tf.Tensor) => tf.Tensor;
const cat2 = (x: tf.Tensor) => tf.concat([x, tf.mul(x, 2)], 0);

/** One-input test functions covering every registered gradient (x is a scalar tensor of shape [1]). */
const FUNCTIONS: Record<string, F> = {
  tanh: tf.tanh, sigmoid: tf.sigmoid, exp: tf.exp, elu: tf.elu, 'softplus kernel': tf.softplus, relu: (x) => tf.mul(tf.relu(x), x),
  sqrt: tf.sqrt, rsqrt: tf.rsqrt, log: tf.log, log1p: tf.log1p, square: tf.square, sin: tf.sin, cos: tf.cos, abs: (x) => tf.mul(tf.abs(x), x),
  'pow x^3': (x) => tf.pow(x, 3), 'pow 2^x': (x) => tf.pow(2, x), reciprocal: tf.reciprocal, div: (x) => tf.div(tf.exp(x), tf.add(x, 2)),
  'leaky relu': (x) => tf.mul(tf.leakyRelu(x, 0.2), x), maximum: (x) => tf.maximum(tf.square(x), 0.1), minimum: (x) => tf.minimum(tf.exp(x), 5),
  clip: (x) => tf.clipByValue(tf.exp(x), 0, 5), 'squared difference': (x) => tf.squaredDifference(tf.exp(x), x),
  concat: (x) => tf.exp(cat2(x)), stack: (x) => tf.exp(tf.stack([x, tf.mul(x, 2)], 1)), tile: (x) => tf.tanh(tf.tile(tf.mul(x, x), [3])),
  slice: (x) => tf.exp(tf.slice(tf.concat([x, tf.mul(x, 3)], 0), [1], [1])), pad: (x) => tf.exp(tf.pad(x, [[1, 2]])),
  gather: (x) => tf.exp(tf.gather(cat2(x), [1, 1, 0])), max: (x) => tf.max(tf.concat([tf.exp(x), tf.mul(x, 0.5)], 0)),
  mean: (x) => tf.mean(tf.exp(cat2(x))), where: (x) => tf.where(tf.greater(x, 0), tf.exp(x), x),
  'matMul transposed': (x) => tf.tanh(tf.matMul(tf.reshape(cat2(x), [1, 2]), tf.tensor2d([[1, 2], [3, 4]]), false, true)),
  transpose: (x) => tf.exp(tf.transpose(tf.reshape(cat2(x), [1, 2]))), split: (x) => tf.exp(tf.split(cat2(x), 2)[1]),
  softplus: (x) => softplus(tf.mul(x, 3)), 'log sigmoid': logSigmoid, 'log cosh': (x) => logCosh(tf.mul(x, 2)),
  'log-sum-exp': (x) => logSumExp(tf.concat([x, tf.square(x), tf.neg(x)], 0), 0),
  'binary cross-entropy': (x) => binaryCrossEntropyWithLogits(tf.mul(x, 2), tf.scalar(0.3)),
  'layer norm': (x) => tf.tanh(layerNorm(tf.reshape(tf.concat([x, tf.square(x), tf.exp(x)], 0), [1, 3]))),
};

for (const backend of ['cpu', 'wasm'] as const) {
  test(`first and second derivatives match finite differences (${backend})`, async () => {
    await initBackend(backend);
    const x0 = 0.7, h = 1e-2;
    for (const [name, f] of Object.entries(FUNCTIONS)) {
      const F = (v: number) => tf.tidy(() => tf.sum(f(tf.tensor1d([v]))).dataSync()[0]);
      const fd1 = (F(x0 + h) - F(x0 - h)) / (2 * h);
      const fd2 = (F(x0 + h) - 2 * F(x0) + F(x0 - h)) / (h * h);
      const g = (fn: (x: tf.Tensor) => tf.Tensor) => tf.tidy(() => fn(tf.tensor1d([x0])).dataSync()[0]);
      const d1 = g(tf.grad((x) => tf.sum(f(x))));
      const d2 = g(tf.grad(tf.grad((x) => tf.sum(f(x)))));
      // float32 central differences: error O(h²·f''') + O(ε/h²); 2 % of scale is far above both
      assert.ok(Math.abs(d1 - fd1) <= 2e-3 * Math.max(1, Math.abs(fd1)), `${name}: f' = ${d1}, finite difference ${fd1}`);
      assert.ok(Math.abs(d2 - fd2) <= 2e-2 * Math.max(1, Math.abs(fd2)), `${name}: f'' = ${d2}, finite difference ${fd2}`);
    }
  });

  test(`Hessian-vector products of a tanh/elu MLP match differences of gradients (${backend})`, async () => {
    await initBackend(backend);
    const rng = Rng.stream(5, 1);
    const rand = (shape: number[], s = 1) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => s * rng.normal()), shape);
    const x = rand([6, 4]);
    const w2 = rand([5, 1], 0.5);
    const f = (w1: tf.Tensor) => tf.sum(tf.elu(tf.matMul(tf.tanh(tf.matMul(x, w1)), w2)));
    const w = rand([4, 5], 0.5);
    const v = rand([4, 5]);
    const gradF = tf.grad(f);
    // H·v = ∇_w (∇f(w) · v)
    const hvp = tf.grad((wt: tf.Tensor) => tf.sum(tf.mul(gradF(wt), v)))(w).dataSync();
    const eps = 1e-2;
    const gp = gradF(tf.add(w, tf.mul(v, eps))).dataSync();
    const gm = gradF(tf.sub(w, tf.mul(v, eps))).dataSync();
    const scale = Math.max(...Array.from(hvp, Math.abs));
    hvp.forEach((hv, i) => {
      const fd = (gp[i] - gm[i]) / (2 * eps);
      assert.ok(Math.abs(hv - fd) <= 1e-2 * scale, `component ${i}: Hv = ${hv}, finite difference ${fd}`);
    });
  });

  test(`periodic convolution equals the direct sum, with gradients (${backend})`, async () => {
    await initBackend(backend);
    const rng = Rng.stream(9, 2);
    for (const [B, H, W, Cin, Cout, k, s] of [[2, 6, 4, 2, 3, 3, 1], [1, 6, 6, 1, 2, 3, 2], [2, 4, 4, 3, 1, 2, 1]]) {
      const xs = Float32Array.from({ length: B * H * W * Cin }, () => rng.normal());
      const ks = Float32Array.from({ length: k * k * Cin * Cout }, () => rng.normal());
      const y = periodicConv2d(tf.tensor4d(xs, [B, H, W, Cin]), tf.tensor4d(ks, [k, k, Cin, Cout]), s);
      const Ho = H / s, Wo = W / s, half = Math.floor(k / 2);
      assert.deepEqual(y.shape, [B, Ho, Wo, Cout]);
      const got = y.dataSync();
      for (let b = 0; b < B; b++) for (let i = 0; i < Ho; i++) for (let j = 0; j < Wo; j++) for (let o = 0; o < Cout; o++) {
        let sum = 0;
        for (let u = 0; u < k; u++) for (let v = 0; v < k; v++) for (let c = 0; c < Cin; c++) {
          const yy = (((s * i + u - half) % H) + H) % H, xx = (((s * j + v - half) % W) + W) % W;
          sum += xs[((b * H + yy) * W + xx) * Cin + c] * ks[((u * k + v) * Cin + c) * Cout + o];
        }
        const at = ((b * Ho + i) * Wo + j) * Cout + o;
        assert.ok(Math.abs(got[at] - sum) < 1e-4 * Math.max(1, Math.abs(sum)), `(${B},${H},${W},${k},${s}) [${b},${i},${j},${o}]: ${got[at]} vs ${sum}`);
      }
    }
    // the kernel gradient of Σ y² against central differences in one kernel entry
    const x = tf.tensor4d(Float32Array.from({ length: 1 * 4 * 4 * 2 }, () => rng.normal()), [1, 4, 4, 2]);
    const kern = Float32Array.from({ length: 3 * 3 * 2 * 2 }, () => rng.normal());
    const loss = (kt: tf.Tensor) => tf.sum(tf.square(periodicConv2d(x, kt as tf.Tensor4D)));
    const g = tf.grad(loss)(tf.tensor4d(kern, [3, 3, 2, 2])).dataSync();
    for (const idx of [0, 7, 20, 35]) {
      const at = (d: number) => { const kk = kern.slice(); kk[idx] += d; return loss(tf.tensor4d(kk, [3, 3, 2, 2])).dataSync()[0]; };
      const fd = (at(1e-2) - at(-1e-2)) / 2e-2;
      assert.ok(Math.abs(g[idx] - fd) < 1e-2 * Math.max(1, Math.abs(fd)), `dL/dk[${idx}] = ${g[idx]}, finite difference ${fd}`);
    }
    // the input gradient (the adjoint correlation, with its offset for an even kernel), odd and even k
    for (const [H, W, Cin, Cout, k] of [[4, 5, 2, 3, 3], [4, 4, 3, 2, 2]]) {
      const xs = Float32Array.from({ length: 2 * H * W * Cin }, () => rng.normal());
      const kt = tf.tensor4d(Float32Array.from({ length: k * k * Cin * Cout }, () => rng.normal()), [k, k, Cin, Cout]);
      const weights = tf.tensor4d(Float32Array.from({ length: 2 * H * W * Cout }, () => rng.normal()), [2, H, W, Cout]);
      const lossX = (xt: tf.Tensor) => tf.sum(tf.mul(tf.square(periodicConv2d(xt as tf.Tensor4D, kt)), weights));
      const gx = tf.grad(lossX)(tf.tensor4d(xs, [2, H, W, Cin])).dataSync();
      for (const idx of [0, 5, 13, xs.length - 1]) {
        const at = (d: number) => { const xx = xs.slice(); xx[idx] += d; return lossX(tf.tensor4d(xx, [2, H, W, Cin])).dataSync()[0]; };
        const fd = (at(1e-2) - at(-1e-2)) / 2e-2;
        assert.ok(Math.abs(gx[idx] - fd) < 1e-2 * Math.max(1, Math.abs(fd)), `k=${k}: dL/dx[${idx}] = ${gx[idx]}, finite difference ${fd}`);
      }
    }
  });
}

test('wasm matrix products with transposes equal the cpu ones', async () => {
  const rng = Rng.stream(3, 3);
  const a = Float32Array.from({ length: 5 * 7 }, () => rng.normal());
  const b = Float32Array.from({ length: 7 * 4 }, () => rng.normal());
  const run = async (backend: 'cpu' | 'wasm') => {
    await initBackend(backend);
    return [
      tf.matMul(tf.tensor2d(a, [5, 7]), tf.tensor2d(b, [7, 4])).dataSync(),
      tf.matMul(tf.transpose(tf.tensor2d(a, [5, 7])), tf.transpose(tf.tensor2d(b, [7, 4])), true, true).dataSync(),
      tf.matMul(tf.tensor2d(a, [5, 7]), tf.transpose(tf.tensor2d(b, [7, 4])), false, true).dataSync(),
      tf.matMul(tf.transpose(tf.tensor2d(a, [5, 7])), tf.tensor2d(b, [7, 4]), true, false).dataSync(),
    ];
  };
  const cpu = await run('cpu');
  const wasm = await run('wasm');
  cpu.forEach((c, i) => c.forEach((v, j) => assert.ok(Math.abs(v - wasm[i][j]) < 1e-4, `product ${i}[${j}]: cpu ${v}, wasm ${wasm[i][j]}`)));
});

test('the wasm fast paths (sum over rows, column gather, split, concat) equal the cpu kernels, values and gradients', async () => {
  const rng = Rng.stream(3, 4);
  const xs = Float32Array.from({ length: 37 * 11 }, () => rng.normal());
  const w = Float32Array.from({ length: 37 * 13 }, () => rng.normal());
  const order = Int32Array.from({ length: 13 }, (_, k) => (5 * k + 3) % 11);
  const run = async (backend: 'cpu' | 'wasm') => {
    await initBackend(backend);
    const x = tf.tensor2d(xs, [37, 11]);
    const f = (t: tf.Tensor) => {
      const g = tf.gather(t as tf.Tensor2D, tf.tensor1d(order, 'int32'), 1);             // [37, 13]
      const [p, q, r] = tf.split(g, [4, -1, 2], 1);                                        // [37, 4], [37, 7], [37, 2]
      const joined = tf.concat([tf.exp(r), tf.square(p), q], 1);                           // [37, 13]
      return tf.sum(tf.mul(tf.sum(tf.mul(joined, tf.tensor2d(w, [37, 13])), 0, true), tf.sum(joined, 0)));
    };
    return [
      tf.sum(x, 0).dataSync(), tf.sum(x, 0, true).dataSync(), tf.sum(x, 1).dataSync(),
      tf.gather(x, tf.tensor1d(order, 'int32'), 1).dataSync(),
      ...tf.split(x, 11, 1).map((t) => t.dataSync()),
      tf.concat([x, tf.neg(x), tf.slice(x, [0, 2], [37, 3])], 1).dataSync(),
      f(x).dataSync(), tf.grad(f)(x).dataSync(),
    ];
  };
  const cpu = await run('cpu');
  const wasm = await run('wasm');
  cpu.forEach((c, i) => {
    assert.equal(c.length, wasm[i].length, `result ${i}: length`);
    c.forEach((v, j) => assert.ok(Math.abs(v - wasm[i][j]) < 1e-4 * Math.max(1, Math.abs(v)), `result ${i}[${j}]: cpu ${v}, wasm ${wasm[i][j]}`));
  });
  // an index out of range goes to the original kernel, which refuses it like the cpu one
  assert.throws(() => tf.gather(tf.tensor2d(xs, [37, 11]), tf.tensor1d([0, 11], 'int32'), 1));
});

test('unknown or missing backends are one-line input errors', async () => {
  await assert.rejects(initBackend('gpu9' as never), (e: Error) => e instanceof InputError && /--backend gpu9 is unknown: allowed are auto, wasm, cpu, webgpu, tensorflow/.test(e.message));
  await assert.rejects(initBackend('tensorflow'), (e: Error) => e instanceof InputError && /tfjs-node/.test(e.message));
});

test('safetensors round trip, readable by NumPy', async () => {
  await initBackend('cpu');
  const dir = mkdtempSync(join(tmpdir(), 'spinflow-st-'));
  try {
    const arrays = { 'layer.w': { dtype: 'F32' as const, shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6.5]) }, b: { dtype: 'I32' as const, shape: [2], data: new Int32Array([-1, 7]) } };
    const bytes = encodeSafetensors(arrays, { model: 'test' });
    const back = decodeSafetensors(bytes);
    assert.deepEqual(back.metadata, { model: 'test' });
    assert.deepEqual([...back.arrays['layer.w'].data], [1, 2, 3, 4, 5, 6.5]);
    assert.deepEqual(back.arrays.b.shape, [2]);
    const path = join(dir, 'w.safetensors');
    saveTensors(path, { w: tf.tensor2d([[0.25, -1], [3, 4]]) }, { kind: 'mlp' });
    const loaded = loadTensors(path);
    assert.deepEqual([...loaded.tensors.w.dataSync()], [0.25, -1, 3, 4]);
    assert.equal(loaded.metadata.kind, 'mlp');
    if (hasNumpy) {
      const code = `import json, struct, numpy as np
b = open('${path}', 'rb').read(); n = struct.unpack('<Q', b[:8])[0]; h = json.loads(b[8:8+n])
e = h['w']; s, t = e['data_offsets']
print(np.frombuffer(b[8+n+s:8+n+t], dtype='<f4').reshape(e['shape']).tolist(), h['__metadata__']['kind'])`;
      const r = spawnSync('python3', ['-c', code], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), '[[0.25, -1.0], [3.0, 4.0]] mlp');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Adam, schedules and permutations', async () => {
  await initBackend('cpu');
  // one Adam step from zero state moves each weight by lr·sign(g) (bias-corrected m̂/√v̂ = ±1)
  const p = { w: tf.variable(tf.tensor1d([1, -2, 3]), true, 'adam-w') };
  const opt = new Optimizer({ kind: 'adam', learningRate: 0.1 }, p);
  opt.apply({ w: tf.tensor1d([0.5, -3, 0]) }, 0.1);
  const w = p.w.dataSync();
  assert.ok(Math.abs(w[0] - 0.9) < 1e-6 && Math.abs(w[1] + 1.9) < 1e-6 && Math.abs(w[2] - 3) < 1e-6, String([...w]));
  const saved = opt.save();
  assert.equal(saved.step, 1);
  assert.equal(scheduledRate(1, { kind: 'step', every: 10, gamma: 0.5 }, 25), 0.25);
  assert.ok(Math.abs(scheduledRate(1, { kind: 'cosine', epochs: 10 }, 5) - 0.5) < 1e-12);
  const perm = permutation(100, Rng.stream(1, 2));
  assert.deepEqual([...perm].sort((a, b) => a - b), [...Array(100).keys()]);
  assert.deepEqual([...permutation(100, Rng.stream(1, 2))], [...perm]);
});

test('a linear warm-up scales step k by (k + 1)/warmupSteps across epochs, then the full rate', async () => {
  await initBackend('cpu');
  const p = { w: tf.variable(tf.scalar(0), true, 'warmup-w') };
  const seen: number[] = [];
  // SGD on −w: each step moves w by exactly its learning rate (powers of two keep the sums exact)
  train({
    params: p, optimizer: { kind: 'sgd', learningRate: 1 }, epochs: 3, batchSize: 1, trainSize: 2, seed: 1, warmupSteps: 4,
    loss: () => tf.mul(p.w, -1) as tf.Scalar,
    onProgress: () => seen.push(p.w.dataSync()[0]),
  });
  assert.deepEqual(seen, [0.25, 0.75, 1.5, 2.5, 3.5, 4.5]);
});

test('early stopping keeps the best weights', async () => {
  await initBackend('cpu');
  const p = { w: tf.variable(tf.scalar(0), true, 'es-w') };
  // validation loss is best at epoch 2, then rises; training pushes w up by 1 per epoch
  const val = [5, 4, 3, 3.5, 4, 6, 7];
  let epoch = 0;
  const r = train({
    params: p, optimizer: { kind: 'sgd', learningRate: 1 }, epochs: 20, batchSize: 1, trainSize: 1, seed: 1, patience: 2,
    loss: () => tf.mul(p.w, -1) as tf.Scalar,
    validate: () => val[epoch++],
  });
  assert.equal(r.stoppedEarly, true);
  assert.equal(r.bestEpoch, 2);
  assert.equal(r.epochs, 5);
  assert.equal(p.w.dataSync()[0], 3);
});

test('a training run killed with SIGKILL resumes to the same final weights', async () => {
  const fixture = fileURLToPath(new URL('../test-support/train-run.js', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'spinflow-train-'));
  try {
    const full = spawnSync(process.execPath, [fixture, 'wasm', join(dir, 'a.ckpt'), join(dir, 'a.safetensors')], { encoding: 'utf8' });
    assert.equal(full.status, 0, full.stderr);
    for (const wait of [150, 400]) {
      const child = spawn(process.execPath, [fixture, 'wasm', join(dir, 'b.ckpt'), join(dir, 'b.safetensors')], { stdio: 'ignore' });
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (existsSync(join(dir, 'b.ckpt'))) {
            clearInterval(poll);
            setTimeout(resolve, wait);
          }
        }, 5);
      });
      child.kill('SIGKILL');
      await new Promise((resolve) => child.on('exit', resolve));
      assert.ok(!existsSync(join(dir, 'b.safetensors')), 'training finished before the kill: the test did not test resume');
    }
    const resumed = spawnSync(process.execPath, [fixture, 'wasm', join(dir, 'b.ckpt'), join(dir, 'b.safetensors')], { encoding: 'utf8' });
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.ok(readFileSync(join(dir, 'a.safetensors')).equals(readFileSync(join(dir, 'b.safetensors'))), 'final weights differ');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('independent trainings give the same weights on 1 and 2 worker threads', async () => {
  const { runJobs } = await import('../src/nn/parallel.js');
  const module = new URL('../test-support/train-run.js', import.meta.url).href;
  // the costs make the pool start job 2 first: results must still come back in the jobs' order
  const jobs = [1, 2, 3].map((seed) => ({ module, fn: 'trainMlpJob', args: { seed, epochs: 3, hidden: 8 }, cost: seed === 3 ? 10 : 1 }));
  const one = await runJobs<Record<string, Float32Array>>(jobs, { workers: 1, backend: 'wasm' });
  const two = await runJobs<Record<string, Float32Array>>(jobs, { workers: 2, backend: 'wasm' });
  one.forEach((w, i) => Object.keys(w).forEach((k) => assert.deepEqual([...two[i][k]], [...w[k]], `job ${i} ${k}`)));
  assert.notDeepEqual([...one[0].w1], [...one[1].w1], 'different seeds train differently');
});

test('worker pools start the costliest jobs first, ties in their given order', async () => {
  const { longestFirst } = await import('../src/sampling/threads.js');
  const order = (costs: (number | undefined)[]) => longestFirst(costs.map((_, i) => i), (i) => costs[i] ?? 0);
  assert.deepEqual(order([1, 5, undefined, 5, 2]), [1, 3, 4, 0, 2]);
  assert.deepEqual(order([undefined, undefined, undefined]), [0, 1, 2]);
});

test('a dataset split loads as {0, 1} rows with its temperatures and labels', async () => {
  const { generateDataset } = await import('../src/data/generate.js');
  const { customSpec } = await import('../src/data/spec.js');
  const { loadTrainingSet } = await import('../src/nn/data.js');
  await initBackend('cpu');
  const dir = mkdtempSync(join(tmpdir(), 'spinflow-nndata-'));
  try {
    await generateDataset(customSpec({ L: [4], temperatures: [1.5, 3.0], perTemperature: 20, model: 'ising', split: [0.5, 0.25, 0.25], labels: true, seed: 2, storage: 'npy' }), { out: dir, workers: 1, resume: false });
    const all = await loadTrainingSet(dir);
    const train = await loadTrainingSet(dir, { split: 'train', keep: (T) => T > 2 });
    assert.deepEqual(all.x.shape, [40, 16]);
    assert.deepEqual(train.x.shape, [10, 16]);
    assert.ok(train.temperature.every((T) => T === 3));
    assert.ok(train.label?.every((l) => l === 0));
    assert.ok([...all.x.dataSync()].every((v) => v === 0 || v === 1));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('threaded wasm trains to the same weights as one thread', async () => {
  const fixture = fileURLToPath(new URL('../test-support/train-run.js', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'spinflow-threads-'));
  try {
    for (const threads of ['1', '2']) {
      const r = spawnSync(process.execPath, [fixture, 'wasm', join(dir, `t${threads}.ckpt`), join(dir, `t${threads}.safetensors`), '5'], { encoding: 'utf8', env: { ...process.env, SPINFLOW_WASM_THREADS: threads } });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`${threads} thread\\(s\\)`), 'the backend runs the threads asked for');
    }
    assert.ok(readFileSync(join(dir, 't1.safetensors')).equals(readFileSync(join(dir, 't2.safetensors'))), 'weights differ between 1 and 2 XNNPACK threads');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
