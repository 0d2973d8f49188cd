/**
 * The MADE study's Metropolis proposals and exact samples on the paper's networks (spins: N = 256,
 * hidden 180, 120, direct connections; block sums at stride 1: N = 225, K = 5): microseconds per
 * proposal (and per sample) for full tfjs forward passes over a batch of 256 chains — what the
 * transfer and the sampler did before models/made/incremental.ts — against the incremental
 * evaluation in JS and on WebAssembly SIMD. The weights are Glorot-random, not trained, so these are costs, not physics.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createMade, disposeMade, encode, madeLogProb, madeLogits, type MadeSpec } from '../src/models/made/made.js';
import { MadeState, madeTables, type MadeKernel } from '../src/models/made/incremental.js';
import { Rng } from '../src/sampling/rng.js';

export interface MadeCost {
  network: string;
  /** µs per single-site proposal and per exact sample. */
  proposal: { tfjs: number; js: number; simd: number };
  sample: { tfjs: number; js: number; simd: number };
}

const raster = (N: number) => Array.from({ length: N }, (_, i) => i);

export function timeMade(quick: boolean): MadeCost[] {
  const nets: [string, MadeSpec][] = [
    ['spins L = 16 (180, 120, direct)', { sites: 256, categories: 2, hidden: [180, 120], order: raster(256), direct: true }],
    ['block sums stride 1 (225 × 5, 180, 120)', { sites: 225, categories: 5, hidden: [180, 120], order: raster(225), direct: false }],
  ];
  const out: MadeCost[] = [];
  for (const [network, spec] of nets) {
    const made = createMade(spec, Rng.stream(1, 97));
    const { sites: N, categories: K } = spec;
    const rng = Rng.stream(2, 97);
    // tfjs: one forward pass of a batch of R proposals, as the transfer used to do per step
    const R = 256, passes = quick ? 5 : 20;
    const batch = Int32Array.from({ length: R * N }, () => rng.below(K));
    const pass = () => tf.tidy(() => madeLogProb(made, encode(made, batch, R))).dataSync();
    pass();
    let t0 = performance.now();
    for (let k = 0; k < passes; k++) pass();
    const tfjsProposal = ((performance.now() - t0) / passes / R) * 1000;
    // tfjs exact samples: N passes over a batch, one site drawn per pass
    const B = 256, sitesTimed = quick ? 8 : 32;
    const x = tf.zeros([B, spec.categories === 2 ? N : N * K]) as tf.Tensor2D;
    tf.tidy(() => madeLogits(made, x)).dataSync();
    t0 = performance.now();
    for (let k = 0; k < sitesTimed; k++) tf.tidy(() => madeLogits(made, x)).dataSync();
    const tfjsSample = ((performance.now() - t0) / sitesTimed) * N / B * 1000;
    x.dispose();
    const incremental = (kernel: MadeKernel) => {
      const state = new MadeState(madeTables(made), kernel);
      const r = Rng.stream(3, 97), samples = quick ? 50 : 200, proposals = quick ? 20_000 : 100_000;
      state.sample(r);
      let t = performance.now();
      for (let k = 0; k < samples; k++) state.sample(r);
      const sample = ((performance.now() - t) / samples) * 1000;
      t = performance.now();
      for (let k = 0; k < proposals; k++) {
        const q = r.below(N), old = state.x[q];
        const v = K === 2 ? 1 - old : (old + 1 + r.below(K - 1)) % K;
        if (Math.log(r.uniform()) < state.trial(q, v)) state.commit();
      }
      return { proposal: ((performance.now() - t) / proposals) * 1000, sample, simd: state.simd };
    };
    const js = incremental('js'), simd = incremental('auto');
    out.push({ network, proposal: { tfjs: tfjsProposal, js: js.proposal, simd: simd.simd ? simd.proposal : NaN }, sample: { tfjs: tfjsSample, js: js.sample, simd: simd.simd ? simd.sample : NaN } });
    disposeMade(made);
  }
  return out;
}
