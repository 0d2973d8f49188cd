/**
 * 2-D convolution with periodic (circular) padding: the lattice is a torus, so a filter at the
 * edge sees the opposite edge. Built from slices, concatenation and one matrix product (im2col by
 * rolling), so its gradients of every order exist on every backend (tfjs-wasm has no gradient
 * kernels for its own Conv2D).
 *
 * Glossary: B batch, H×W lattice, Cin/Cout channels, k filter side, s stride.
 */
import * as tf from '@tensorflow/tfjs-core';

/** y[…, i, …] = x[…, (i + shift) mod n, …] along `axis`. */
export function roll(x: tf.Tensor, shift: number, axis: number): tf.Tensor {
  const n = x.shape[axis];
  const s = ((shift % n) + n) % n;
  if (s === 0) return x;
  const begin = x.shape.map(() => 0);
  const head = tf.slice(x, begin.map((b, a) => (a === axis ? s : b)), x.shape.map((d, a) => (a === axis ? n - s : d)));
  const tail = tf.slice(x, begin, x.shape.map((d, a) => (a === axis ? s : d)));
  return tf.concat([head, tail], axis);
}

/**
 * x: [B, H, W, Cin], kernel: [k, k, Cin, Cout] → [B, H/s, W/s, Cout] (H and W multiples of s).
 * Output (i, j) is Σ_{u,v,c} x[(s·i + u − ⌊k/2⌋) mod H, (s·j + v − ⌊k/2⌋) mod W, c] · kernel[u, v, c, ·].
 */
export function periodicConv2d(x: tf.Tensor4D, kernel: tf.Tensor4D, stride = 1): tf.Tensor4D {
  const [B, H, W, Cin] = x.shape;
  const [k, k2, kc, Cout] = kernel.shape;
  if (k !== k2) throw new RangeError(`periodicConv2d: kernel ${k}×${k2} is not square`);
  if (kc !== Cin) throw new RangeError(`periodicConv2d: kernel has ${kc} input channels, x has ${Cin}`);
  if (H % stride !== 0 || W % stride !== 0) throw new RangeError(`periodicConv2d: ${H}×${W} is not divisible by stride ${stride}`);
  return tf.tidy(() => {
    const half = Math.floor(k / 2);
    const columns: tf.Tensor[] = [];
    for (let u = 0; u < k; u++) {
      const rows = roll(x, u - half, 1);                                  // [B, H, W, Cin]
      for (let v = 0; v < k; v++) columns.push(roll(rows, v - half, 2));  // [B, H, W, Cin]
    }
    let patches = tf.concat(columns, 3);                                 // [B, H, W, k²Cin]
    const Ho = H / stride, Wo = W / stride;
    if (stride > 1) {
      const grid = tf.reshape(patches, [B, Ho, stride, Wo, stride, k * k * Cin]);
      patches = tf.slice(grid, [0, 0, 0, 0, 0, 0], [B, Ho, 1, Wo, 1, k * k * Cin]);
    }
    const flat = tf.reshape(patches, [B * Ho * Wo, k * k * Cin]);         // [B·Ho·Wo, k²Cin]
    const out = tf.matMul(flat, tf.reshape(kernel, [k * k * Cin, Cout])); // [B·Ho·Wo, Cout]
    return tf.reshape(out, [B, Ho, Wo, Cout]) as tf.Tensor4D;
  });
}
