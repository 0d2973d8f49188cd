/**
 * Bernoulli restricted Boltzmann machine (Azizi & Pleimling, eqs. 6–9): visible v ∈ {0,1}^{n_v},
 * hidden h ∈ {0,1}^{n_h}, E(v, h) = −vᵀb − cᵀh − vᵀWh, free energy F(v) = −vᵀb − Σ_j softplus(c_j + (vW)_j).
 * Trained by contrastive divergence CD-k: the gradient of mean F(data) − mean F(model samples), the
 * samples after k Gibbs steps from the data (or, persistent, from the previous chains) held fixed.
 * Every random draw comes from the project Rng, so training and sampling are reproducible.
 *
 * Glossary: B batch, V = n_v visible (L²), H = n_h hidden.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../../sampling/rng.js';
import { softplus } from '../../nn/ops.js';
import { loadTensors, saveTensors } from '../../nn/safetensors.js';

export interface Rbm {
  visible: number;
  hidden: number;
  params: { W: tf.Variable; b: tf.Variable; c: tf.Variable };
}

export function createRbm(visible: number, hidden: number, rng: Rng): Rbm {
  return {
    visible, hidden,
    params: {
      W: tf.variable(tf.tensor2d(Float32Array.from({ length: visible * hidden }, () => 0.01 * rng.normal()), [visible, hidden])), // [V, H]
      b: tf.variable(tf.zeros([visible])),                                                                                      // [V]
      c: tf.variable(tf.zeros([hidden])),                                                                                       // [H]
    },
  };
}

/** F(v) per row: [B, V] → [B]. */
export function freeEnergy(rbm: Rbm, v: tf.Tensor2D): tf.Tensor1D {
  const { W, b, c } = rbm.params;
  const visibleTerm = tf.sum(tf.mul(v, b), 1);                                  // [B]
  const hiddenTerm = tf.sum(softplus(tf.add(tf.matMul(v, W as tf.Tensor2D), c)), 1); // [B]
  return tf.neg(tf.add(visibleTerm, hiddenTerm)) as tf.Tensor1D;
}

/** Bernoulli draws with probabilities p, from `rng`. */
function bernoulli(p: tf.Tensor2D, rng: Rng): tf.Tensor2D {
  const u = tf.tensor2d(Float32Array.from({ length: p.size }, () => rng.uniform()), p.shape);
  return tf.cast(tf.less(u, p), 'float32') as tf.Tensor2D;
}

/** k steps of block Gibbs sampling v → h → v. */
export function gibbs(rbm: Rbm, v0: tf.Tensor2D, k: number, rng: Rng): tf.Tensor2D {
  const { W, b, c } = rbm.params;
  let v = v0;
  for (let s = 0; s < k; s++) {
    const next = tf.tidy(() => {
      const h = bernoulli(tf.sigmoid(tf.add(tf.matMul(v, W as tf.Tensor2D), c)) as tf.Tensor2D, rng);            // [B, H]
      return bernoulli(tf.sigmoid(tf.add(tf.matMul(h, W as tf.Tensor2D, false, true), b)) as tf.Tensor2D, rng); // [B, V]
    });
    if (v !== v0) v.dispose();
    v = next;
  }
  return v;
}

/** The CD loss whose gradient is the CD-k update: mean F(data) − mean F(negatives). */
export function contrastiveLoss(rbm: Rbm, data: tf.Tensor2D, negatives: tf.Tensor2D): tf.Scalar {
  return tf.sub(tf.mean(freeEnergy(rbm, data)), tf.mean(freeEnergy(rbm, negatives))) as tf.Scalar;
}

/** n samples from chains started at uniformly random visible states, after `steps` Gibbs steps. */
export function sampleRbm(rbm: Rbm, n: number, steps: number, rng: Rng): Float32Array {
  const start = tf.tensor2d(Float32Array.from({ length: n * rbm.visible }, () => (rng.uniform() < 0.5 ? 1 : 0)), [n, rbm.visible]);
  const v = gibbs(rbm, start, steps, rng);
  const out = Float32Array.from(v.dataSync() as Float32Array);
  tf.dispose([start, v]);
  return out;
}

/** Mean |θ| over all parameters (the paper's convergence monitor). */
export function meanAbsParameter(rbm: Rbm): number {
  return tf.tidy(() => {
    const all = Object.values(rbm.params);
    const total = all.reduce((s, p) => s + p.size, 0);
    return all.reduce((s, p) => s + tf.sum(tf.abs(p)).dataSync()[0], 0) / total;
  });
}

export function saveRbm(path: string, rbm: Rbm): void {
  saveTensors(path, rbm.params, { model: 'rbm', visible: String(rbm.visible), hidden: String(rbm.hidden) });
}

export function loadRbm(path: string): Rbm {
  const { tensors, metadata } = loadTensors(path);
  if (metadata.model !== 'rbm') throw new Error(`${path} holds a ${metadata.model ?? 'unknown'} model, not an RBM`);
  return { visible: Number(metadata.visible), hidden: Number(metadata.hidden), params: { W: tf.variable(tensors.W), b: tf.variable(tensors.b), c: tf.variable(tensors.c) } };
}
