/**
 * The NeuralRG variational training step (symmetrized density, Adam) at paper scale (L = 16,
 * depth 4, 10 couplings of 64 units, batch 64 as in the study's paper preset; --quick: L = 8, depth 3, batch 64), with the loss as
 * the study computes it (ln q of a generated x from its generation: one inference pass, of −x)
 * against the earlier loss (q_sym by two inference passes, of x and −x), measured in the same run.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createFlow, disposeFlow, flowParams, generate, logProbability, logProbabilityGenerated } from '../src/models/neuralrg/flow.js';
import { isingFieldSource, logTarget } from '../src/models/neuralrg/source.js';
import { CRITICAL_TEMPERATURE } from '../src/exact/onsager.js';
import { Rng } from '../src/sampling/rng.js';

export function timeNeuralRgStep(quick: boolean): { L: number; depth: number; batch: number; seconds: number; twoPassSeconds: number } {
  const [L, depth, batch, steps] = quick ? [8, 3, 64, 3] : [16, 4, 64, 3];
  const flow = createFlow({ L, depth, block: { couplings: 10, hidden: 64 }, symmetric: true }, Rng.stream(1, 30));
  const src = isingFieldSource(L, CRITICAL_TEMPERATURE);
  const N = L * L;
  const inverse = tf.tensor2d(Float32Array.from(src.inverse), [N, N]);
  const optimizer = tf.train.adam(3e-4);
  const params = Object.values(flowParams(flow));
  const time = (twoPass: boolean) => {
    const rng = Rng.stream(2, twoPass ? 1 : 0);
    const step = () => tf.tidy(() => {
      const z = tf.tensor2d(Float32Array.from({ length: batch * N }, () => rng.normal()), [batch, N]);  // [B, N]
      const cost = optimizer.minimize(() => {
        const { x, logDet } = generate(flow, z);
        const logq = twoPass ? logProbability(flow, x) : logProbabilityGenerated(flow, z, x, logDet);  // [B]
        return tf.mean(tf.sub(logq, logTarget(src, x, inverse))) as tf.Scalar;
      }, true, params);
      cost?.dataSync();
    });
    step();
    const t0 = performance.now();
    for (let s = 0; s < steps; s++) step();
    return (performance.now() - t0) / 1000 / steps;
  };
  const seconds = time(false), twoPassSeconds = time(true);
  inverse.dispose();
  optimizer.dispose();
  disposeFlow(flow);
  return { L, depth, batch, seconds, twoPassSeconds };
}
