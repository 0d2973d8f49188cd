/** The training-step benchmarks' common loop: seconds per Adam step of `loss` over `params`, after `warmup` steps. */
import * as tf from '@tensorflow/tfjs-core';
import { Optimizer } from '../src/nn/train.js';

export function secondsPerAdamStep(params: Record<string, tf.Variable>, loss: () => tf.Scalar, steps: number, warmup: number): number {
  const names = Object.keys(params);
  const opt = new Optimizer({ kind: 'adam', learningRate: 1e-3 }, params);
  const step = () => {
    const { value, grads } = tf.variableGrads(loss, names.map((n) => params[n]));
    opt.apply(Object.fromEntries(names.map((n) => [n, grads[params[n].name]])), 1e-3);
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  };
  for (let k = 0; k < warmup; k++) step();
  const t0 = performance.now();
  for (let k = 0; k < steps; k++) step();
  const seconds = (performance.now() - t0) / 1000 / steps;
  opt.dispose();
  return seconds;
}
