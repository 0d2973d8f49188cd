/**
 * Any saved spinflow model as a generator of Ising configurations, so that the evaluation harness
 * (and the browser page) treat an autoencoder, an RBM, a MADE on spins and a NeuralRG flow alike.
 * Built from the bytes of the safetensors file, so it runs wherever those bytes come from (a file
 * in Node, a fetch in a browser).
 *
 * What "a sample" is for each kind:
 *   autoencoder    the end point of the NN flow from a given start (a Monte Carlo configuration at
 *                  the flow's T_i): iterate reconstruct-and-round until nothing changes or maxSteps
 *   rbm            a Gibbs chain of `steps` steps from a uniformly random visible state
 *   made           an exact autoregressive draw from p_θ (spins only: the block-sum MADEs of the
 *                  study generate categories, not spins, and are refused)
 *   neuralrg-flow  x from the flow, then spins from π(s|x) = Π_i (1 + e^{−2 s_i x_i})⁻¹
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../sampling/rng.js';
import { bitsToSpins, spinsToBits } from '../lattice/square.js';
import { autoencoderFromBytes, disposeAutoencoder, reconstruct } from './ae/autoencoder.js';
import { Rbm } from './rbm/rbm.js';
import { disposeMade, madeFromBytes, sampleMade } from './made/made.js';
import { disposeFlow, flowFromBytes, sampleFlow } from './neuralrg/flow.js';
import { spinsFromField } from './neuralrg/source.js';
import { decodeSafetensors } from '../nn/safetensors.js';

export type ModelKind = 'autoencoder' | 'rbm' | 'made' | 'neuralrg-flow';
export const MODEL_KINDS: readonly ModelKind[] = ['autoencoder', 'rbm', 'made', 'neuralrg-flow'];

export interface GenerateOptions {
  /** RBM: Gibbs steps per sample (default 10, the paper's k). */
  steps?: number;
  /** Autoencoder: the starting configurations ±1, [n, N] (required), and the most flow steps (default 100). */
  start?: Int8Array;
  maxSteps?: number;
}

export interface SpinGenerator {
  kind: ModelKind;
  /** Lattice side: the model acts on L × L spins. */
  L: number;
  /** The file's metadata (model kind, sizes, training settings). */
  metadata: Record<string, string>;
  /** n configurations ±1, row-major [n, L²]; the same seed gives the same configurations. */
  generate(n: number, seed: number, o?: GenerateOptions): Int8Array;
  dispose(): void;
}

function side(N: number, what: string): number {
  const L = Math.round(Math.sqrt(N));
  if (L * L !== N) throw new RangeError(`${what} has ${N} sites, not an L × L lattice`);
  return L;
}

/** The generator a saved model defines; `name` (a file name) is used in errors. */
export function generatorFromBytes(bytes: Uint8Array, name = 'the file'): SpinGenerator {
  const { metadata } = decodeSafetensors(bytes);
  switch (metadata.model) {
    case 'autoencoder': {
      const ae = autoencoderFromBytes(bytes, name);
      const N = ae.spec.inputs;
      return {
        kind: 'autoencoder', L: side(N, name), metadata,
        generate(n, _seed, o = {}) {
          const start = o.start;
          if (!start || start.length !== n * N) throw new RangeError(`the NN flow of ${name} needs ${n} starting configurations of ${N} spins`);
          let x = spinsToBits(start);
          for (let s = 0; s < (o.maxSteps ?? 100); s++) {
            const y = reconstruct(ae, x, n);
            let changed = false;
            for (let i = 0; i < y.length && !changed; i++) changed = y[i] !== x[i];
            x = y;
            if (!changed) break;
          }
          return bitsToSpins(x);
        },
        dispose: () => disposeAutoencoder(ae),
      };
    }
    case 'rbm': {
      const rbm = Rbm.fromBytes(bytes, name);
      return {
        kind: 'rbm', L: side(rbm.visible, name), metadata,
        generate: (n, seed, o = {}) => bitsToSpins(rbm.sample(n, o.steps ?? 10, seed)),
        dispose: () => undefined,
      };
    }
    case 'made': {
      const made = madeFromBytes(bytes, name);
      if (made.spec.categories !== 2) {
        disposeMade(made);
        throw new RangeError(`${name} is a MADE on ${made.spec.categories}-valued block sums, not on spins: only spin MADEs generate Ising configurations`);
      }
      return {
        kind: 'made', L: side(made.spec.sites, name), metadata,
        generate(n, seed) {
          const rngs = Array.from({ length: n }, (_, r) => Rng.stream(seed, 11, r));
          return bitsToSpins(sampleMade(made, n, rngs).values);
        },
        dispose: () => disposeMade(made),
      };
    }
    case 'neuralrg-flow': {
      const flow = flowFromBytes(bytes, name);
      return {
        kind: 'neuralrg-flow', L: flow.spec.L, metadata,
        generate(n, seed) {
          const rng = Rng.stream(seed, 12);
          const { x, z, logq } = sampleFlow(flow, n, rng);
          const field = x.dataSync() as Float32Array;
          tf.dispose([x, z, logq]);
          return spinsFromField(field, rng);
        },
        dispose: () => disposeFlow(flow),
      };
    }
    default:
      throw new RangeError(`${name} holds a ${metadata.model ?? 'unlabelled'} model: generators exist for ${MODEL_KINDS.join(', ')}`);
  }
}
