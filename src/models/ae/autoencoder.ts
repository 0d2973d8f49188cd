/**
 * The fully connected autoencoder of Acevedo et al.: N inputs in {0, 1} → N_l hidden units →
 * N sigmoid outputs, trained on the mean squared error (their eq. 3). Reconstructions are rounded
 * to {0, 1} before they are measured or fed back (their Sec. II B).
 *
 * Glossary: B batch, N = L² sites, H = N_l hidden units.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../sampling/rng.js';
import { readBytes } from '../../io/files.js';
import { saveTensors, tensorsFromBytes } from '../../nn/safetensors.js';
import { roll } from '../../nn/conv.js';

export type Activation = 'sigmoid' | 'relu' | 'tanh' | 'linear';
export const ACTIVATIONS: readonly Activation[] = ['sigmoid', 'relu', 'tanh', 'linear'];

export interface AutoencoderSpec {
  inputs: number;
  hidden: number;
  activation: Activation;
}

export interface Autoencoder {
  spec: AutoencoderSpec;
  params: { w1: tf.Variable; b1: tf.Variable; w2: tf.Variable; b2: tf.Variable };
}

function activate(x: tf.Tensor, a: Activation): tf.Tensor {
  return a === 'sigmoid' ? tf.sigmoid(x) : a === 'relu' ? tf.relu(x) : a === 'tanh' ? tf.tanh(x) : x;
}

/** Glorot-uniform weights from `rng`, zero biases (Keras's Dense defaults, which the paper used). */
export function createAutoencoder(spec: AutoencoderSpec, rng: Rng): Autoencoder {
  const glorot = (fanIn: number, fanOut: number) => {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    return tf.tensor2d(Float32Array.from({ length: fanIn * fanOut }, () => (2 * rng.uniform() - 1) * limit), [fanIn, fanOut]);
  };
  return {
    spec,
    params: {
      w1: tf.variable(glorot(spec.inputs, spec.hidden)),   // [N, H]
      b1: tf.variable(tf.zeros([spec.hidden])),            // [H]
      w2: tf.variable(glorot(spec.hidden, spec.inputs)),   // [H, N]
      b2: tf.variable(tf.zeros([spec.inputs])),            // [N]
    },
  };
}

/** Output probabilities σ(·) for inputs x: [B, N] → [B, N]. */
export function reconstructProbabilities(ae: Autoencoder, x: tf.Tensor2D): tf.Tensor2D {
  const { w1, b1, w2, b2 } = ae.params;
  const h = activate(tf.add(tf.matMul(x, w1), b1), ae.spec.activation);   // [B, H]
  return tf.sigmoid(tf.add(tf.matMul(h, w2), b2)) as tf.Tensor2D;          // [B, N]
}

/** Rounded reconstruction in {0, 1}, computed in blocks of `batch` rows. */
export function reconstruct(ae: Autoencoder, x: Float32Array, n: number, batch = 2048): Float32Array {
  const N = ae.spec.inputs;
  const out = new Float32Array(n * N);
  for (let k = 0; k < n; k += batch) {
    const m = Math.min(batch, n - k);
    const y = tf.tidy(() => tf.round(reconstructProbabilities(ae, tf.tensor2d(x.subarray(k * N, (k + m) * N), [m, N]))));
    out.set(y.dataSync() as Float32Array, k * N);
    y.dispose();
  }
  return out;
}

/** Mean squared error of eq. (3) over a batch: mean over samples and sites. */
export function mseLoss(ae: Autoencoder, x: tf.Tensor2D): tf.Scalar {
  return tf.mean(tf.square(tf.sub(reconstructProbabilities(ae, x), x))) as tf.Scalar;
}

/**
 * Energy and magnetization per spin of soft configurations p ∈ [0, 1]^N on the periodic L × L
 * lattice, with spins s = 2p − 1: E/N = −(1/N) Σ_i s_i (s_{i+x̂} + s_{i+ŷ}), m = (1/N) Σ_i s_i. For
 * p ∈ {0, 1} these are lattice/square.ts's values (the tests check it).
 */
export function softEnergyMagnetization(p: tf.Tensor2D, L: number): { energy: tf.Tensor1D; magnetization: tf.Tensor1D } {
  const B = p.shape[0];
  const s = tf.reshape(tf.sub(tf.mul(p, 2), 1), [B, L, L]);                        // [B, L, L], row y, column x
  const bonds = tf.mul(s, tf.add(roll(s, 1, 2), roll(s, 1, 1)));                   // right and lower neighbours
  return { energy: tf.neg(tf.mean(bonds, [1, 2])) as tf.Tensor1D, magnetization: tf.mean(s, [1, 2]) as tf.Tensor1D };
}

export interface PhysicsWeights {
  energy: number;
  magnetization: number;
}

/**
 * The physics-aware loss the paper proposes as its next step: MSE plus weighted squared errors of
 * the energy and magnetization per spin of the soft reconstruction against the input's.
 */
export function physicsLoss(ae: Autoencoder, x: tf.Tensor2D, L: number, w: PhysicsWeights): tf.Scalar {
  const p = reconstructProbabilities(ae, x);
  const mse = tf.mean(tf.square(tf.sub(p, x)));
  const a = softEnergyMagnetization(p, L), b = softEnergyMagnetization(x, L);
  const dE = tf.mean(tf.square(tf.sub(a.energy, b.energy)));
  const dM = tf.mean(tf.square(tf.sub(a.magnetization, b.magnetization)));
  return tf.add(mse, tf.add(tf.mul(dE, w.energy), tf.mul(dM, w.magnetization))) as tf.Scalar;
}

export function saveAutoencoder(path: string, ae: Autoencoder, metadata: Record<string, string> = {}): void {
  saveTensors(path, ae.params, { model: 'autoencoder', inputs: String(ae.spec.inputs), hidden: String(ae.spec.hidden), activation: ae.spec.activation, ...metadata });
}

export function loadAutoencoder(path: string): Autoencoder {
  return autoencoderFromBytes(readBytes(path), path);
}

/** An autoencoder from the bytes of its safetensors file; `name` is used in errors. */
export function autoencoderFromBytes(bytes: Uint8Array, name = 'the file'): Autoencoder {
  const { tensors, metadata } = tensorsFromBytes(bytes);
  if (metadata.model !== 'autoencoder') throw new Error(`${name} holds a ${metadata.model ?? 'unknown'} model, not an autoencoder`);
  const spec: AutoencoderSpec = { inputs: Number(metadata.inputs), hidden: Number(metadata.hidden), activation: metadata.activation as Activation };
  const v = (k: string) => tf.variable(tensors[k]);
  return { spec, params: { w1: v('w1'), b1: v('b1'), w2: v('w2'), b2: v('b2') } };
}

export function disposeAutoencoder(ae: Autoencoder): void {
  tf.dispose(Object.values(ae.params));
}
