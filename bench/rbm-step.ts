/**
 * One CD-k training step of the RBM study (V = H = L², k Gibbs steps, Adam) on spinflow's
 * typed-array RBM, timed per step; bench/run.ts compares it with the same step in PyTorch on CPU.
 */
import { AdamAscent, contrastiveGradient, Rbm } from '../src/models/rbm/rbm.js';
import { Rng } from '../src/sampling/rng.js';
import type { RowKernel } from '../src/nn/row-axpy.js';

/** Seconds per step; `kernel` 'js' runs the Gibbs multiply-adds in JS instead of the SIMD kernel. */
export function timeRbmStep(L: number, batch: number, k: number, steps: number, warmup = 5, kernel: RowKernel = 'auto'): number {
  const V = L * L;
  const rng = Rng.stream(1, 98);
  const init = Rbm.random(V, V, rng);
  const rbm = new Rbm(V, V, init.W, init.b, init.c, kernel);
  const data = Uint8Array.from({ length: batch * 8 * V }, () => rng.nextU32() & 1);
  const adam = new AdamAscent([rbm.W, rbm.b, rbm.c], 5e-3);
  const grads: [Float64Array, Float64Array, Float64Array] = [new Float64Array(V * V), new Float64Array(V), new Float64Array(V)];
  const negatives = new Uint8Array(batch * V);
  const step = (q: number) => {
    const x = data.subarray((q % 8) * batch * V, ((q % 8) + 1) * batch * V);
    negatives.set(x);
    for (let r = 0; r < batch; r++) rbm.gibbs(negatives, r, k, rng);
    contrastiveGradient(rbm, x, negatives, batch, grads);
    adam.apply(grads);
    rbm.changed();
  };
  for (let q = 0; q < warmup; q++) step(q);
  const t0 = performance.now();
  for (let q = 0; q < steps; q++) step(q);
  return (performance.now() - t0) / 1000 / steps;
}
