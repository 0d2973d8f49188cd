/**
 * 2-D convolution with periodic (circular) padding: the lattice is a torus, so a filter at the
 * edge sees the opposite edge: one native conv2d on the circularly padded input, with its gradient
 * written as two more conv2d (tfjs-wasm has no Conv2DBackpropFilter kernel). The earlier im2col by
 * rolling (slices and concatenations) made a CNN training step (L = 50, batch 128, 16 and 32
 * channels, wasm, one thread) take 3.7 s; this takes 0.78 s.
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

/** Circular padding of axes 1 and 2 of x: [B, H, W, C] → [B, H + before + after, W + before + after, C]. */
export function wrapPad(x: tf.Tensor4D, before: number, after: number): tf.Tensor4D {
  const side = (t: tf.Tensor4D, axis: 1 | 2) => {
    const n = t.shape[axis];
    const part = (from: number, size: number) => tf.slice(t, t.shape.map((_, a) => (a === axis ? from : 0)), t.shape.map((d, a) => (a === axis ? size : d)));
    const pieces = [...(before > 0 ? [part(n - before, before)] : []), t, ...(after > 0 ? [part(0, after)] : [])];
    return pieces.length === 1 ? t : (tf.concat(pieces, axis) as tf.Tensor4D);
  };
  return side(side(x, 1), 2);
}

/**
 * Stride-1 periodic correlation: y[b, i, j, o] = Σ_{u,v,c} x[b, (i + u − h) mod H, (j + v − h) mod W, c]·kernel[u, v, c, o]
 * with h = `offset`, as one native conv2d on the circularly padded input. Its gradient is written
 * out, because tfjs-wasm has no Conv2DBackpropFilter kernel and its Conv2DBackpropInput is slow:
 *   ∂x: the same periodic correlation of ∂y with the kernel flipped in u, v and its channels
 *       swapped, at offset k − 1 − h (the adjoint of a circular convolution);
 *   ∂kernel[u, v, c, o] = Σ_{b,i,j} x̃[b, i + u, j + v, c]·∂y[b, i, j, o], x̃ the padded input: a
 *       valid conv2d with the batch as the channel axis.
 * Second derivatives through it would need conv2d's own gradients (no model here takes them).
 */
function periodicCorrelation(x: tf.Tensor4D, kernel: tf.Tensor4D, offset: number): tf.Tensor4D {
  const k = kernel.shape[0];
  const f = tf.customGrad((xx, kk, save) => {
    const xt = xx as tf.Tensor4D, kt = kk as tf.Tensor4D;
    const padded = wrapPad(xt, offset, k - 1 - offset);                             // [B, H+k−1, W+k−1, Cin]
    (save as tf.GradSaveFunc)([padded, kt]);
    return {
      value: tf.conv2d(padded, kt, 1, 'valid'),                                       // [B, H, W, Cout]
      gradFunc: (dy: tf.Tensor, [p, kernelSaved]: tf.Tensor[]) => {
        const dy4 = dy as tf.Tensor4D;
        const adjoint = tf.transpose(tf.reverse(kernelSaved, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D; // [k, k, Cout, Cin]
        const dx = tf.conv2d(wrapPad(dy4, k - 1 - offset, offset), adjoint, 1, 'valid');           // [B, H, W, Cin]
        const dk = tf.conv2d(tf.transpose(p, [3, 1, 2, 0]) as tf.Tensor4D,                         // [Cin, H+k−1, W+k−1, B]
          tf.transpose(dy4, [1, 2, 0, 3]) as tf.Tensor4D, 1, 'valid');                              // ⊛ [H, W, B, Cout] → [Cin, k, k, Cout]
        return [dx, tf.transpose(dk, [1, 2, 0, 3])];                                                // [k, k, Cin, Cout]
      },
    };
  });
  return f(x, kernel) as tf.Tensor4D;
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
  if (k > H || k > W) throw new RangeError(`periodicConv2d: kernel ${k}×${k} is larger than the ${H}×${W} lattice`);
  return tf.tidy(() => {
    const full = periodicCorrelation(x, kernel, Math.floor(k / 2));         // [B, H, W, Cout]
    if (stride === 1) return full;
    const Ho = H / stride, Wo = W / stride;
    const grid = tf.reshape(full, [B, Ho, stride, Wo, stride, Cout]);
    return tf.reshape(tf.slice(grid, [0, 0, 0, 0, 0, 0], [B, Ho, 1, Wo, 1, Cout]), [B, Ho, Wo, Cout]) as tf.Tensor4D;
  });
}
