/**
 * Numerically stable composites used by the models, written from ops whose gradients of every
 * order are registered in nn/gradients.ts.
 */
import * as tf from '@tensorflow/tfjs-core';

/** log(1 + eˣ) without overflow: max(x, 0) + log1p(e^{−|x|}). */
export function softplus(x: tf.Tensor): tf.Tensor {
  return tf.add(tf.relu(x), tf.log1p(tf.exp(tf.neg(tf.abs(x)))));
}

/** log σ(x) = −softplus(−x). */
export function logSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.neg(softplus(tf.neg(x)));
}

/** log cosh(x) = |x| + log1p(e^{−2|x|}) − log 2. */
export function logCosh(x: tf.Tensor): tf.Tensor {
  const a = tf.abs(x);
  return tf.sub(tf.add(a, tf.log1p(tf.exp(tf.mul(a, -2)))), Math.LN2);
}

/**
 * log Σ exp(x) over `axis`, shifted by the maximum m. The result does not depend on m (∂/∂m of
 * log Σ e^{x−m} + m is 0 identically), so m needs no stop-gradient at any order.
 */
export function logSumExp(x: tf.Tensor, axis: number, keepDims = false): tf.Tensor {
  const m = tf.max(x, axis, true);
  const s = tf.add(tf.log(tf.sum(tf.exp(tf.sub(x, m)), axis, true)), m);
  return keepDims ? s : tf.squeeze(s, [axis]);
}

/**
 * Binary cross-entropy of targets t ∈ [0, 1] against logits z, per element:
 * −t log σ(z) − (1 − t) log(1 − σ(z)) = softplus(z) − t·z.
 * Its gradient is written directly as ∂/∂z = σ(z) − t, ∂/∂t = −z (one sigmoid instead of the
 * backward pass through exp, log1p, abs and relu, which took a fifth of an autoencoder step on
 * wasm); both are built from differentiable ops, so higher derivatives stay exact.
 */
export function binaryCrossEntropyWithLogits(z: tf.Tensor, t: tf.Tensor): tf.Tensor {
  const f = tf.customGrad((zz, tt, save) => {
    (save as tf.GradSaveFunc)([zz as tf.Tensor, tt as tf.Tensor]);
    return {
      value: tf.sub(softplus(zz as tf.Tensor), tf.mul(tt as tf.Tensor, zz as tf.Tensor)),
      gradFunc: (dy: tf.Tensor, [zs, ts]: tf.Tensor[]) => [
        tf.mul(dy, tf.sub(tf.sigmoid(zs), ts)),
        tf.mul(dy, tf.neg(zs)),
      ],
    };
  });
  return f(z, tf.broadcastTo(t, z.shape));
}

/** Layer normalisation over the last axis (no affine part). */
export function layerNorm(x: tf.Tensor, epsilon = 1e-5): tf.Tensor {
  const axis = x.rank - 1;
  const mean = tf.mean(x, axis, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), axis, true);
  return tf.mul(centred, tf.rsqrt(tf.add(variance, epsilon)));
}
