/**
 * Single-spin-flip Metropolis, in typewriter order (site 0, 1, …, N−1) or checkerboard order
 * (sublattice (x+y) even, then odd). Flipping s_i costs ΔE = 2 s_i (J Σ_nb s_j + h); the acceptance
 * threshold is looked up by (s_i, Σ_nb s_j) and compared with a 32-bit random integer, drawn only
 * when ΔE > 0. The xoshiro128** state lives in locals inside the sweep (the hot loop).
 */
import type { Rng } from '../rng.js';
import type { Rule, RuleInit } from '../rule.js';
import { ALWAYS, metropolisThreshold } from './thresholds.js';

export type SweepOrder = 'typewriter' | 'checkerboard';

/** Threshold table indexed by 5·(s+1)/2 + (Σ_nb + 4)/2. */
export function singleFlipTable(J: number, h: number, T: number, rule: (s: number, field: number) => number): Float64Array {
  const table = new Float64Array(10);
  for (const s of [-1, 1]) {
    for (let sum = -4; sum <= 4; sum += 2) table[((s + 1) >> 1) * 5 + ((sum + 4) >> 1)] = rule(s, J * sum + h);
  }
  return table;
}

export function metropolisRule(init: RuleInit, order: SweepOrder = 'typewriter'): Rule {
  const { lattice, params } = init;
  const { N, Lx, Ly, neighbors: nb } = lattice;
  const spins = Int8Array.from(init.initial);
  const table = singleFlipTable(params.J, params.h, params.T, (s, field) => metropolisThreshold(2 * s * field, params.T));
  // Sites in update order: identity for typewriter, even sublattice then odd for checkerboard.
  const sites = new Int32Array(N);
  if (order === 'typewriter') {
    for (let i = 0; i < N; i++) sites[i] = i;
  } else {
    let k = 0;
    for (const colour of [0, 1]) {
      for (let y = 0; y < Ly; y++) for (let x = (y + colour) & 1; x < Lx; x += 2) sites[k++] = x + Lx * y;
    }
    // With an odd side, (x+y) mod 2 misses nothing but pairs across the seam share a colour:
    // the order is then a fixed sequential one, still a valid Metropolis sweep.
  }
  return {
    algorithm: order === 'typewriter' ? 'metropolis' : 'checkerboard',
    lattice,
    replicas: 1,
    sweep(rng: Rng): number {
      const st = rng.state;
      let s0 = st[0] | 0, s1 = st[1] | 0, s2 = st[2] | 0, s3 = st[3] | 0;
      for (let k = 0; k < N; k++) {
        const i = sites[k];
        const si = spins[i];
        const b = i << 2;
        const sum = spins[nb[b]] + spins[nb[b + 1]] + spins[nb[b + 2]] + spins[nb[b + 3]];
        const t = table[((si + 1) >> 1) * 5 + ((sum + 4) >> 1)];
        if (t === ALWAYS) {
          spins[i] = -si;
          continue;
        }
        // xoshiro128** step, inlined
        const x5 = Math.imul(s1, 5);
        const r = Math.imul((x5 << 7) | (x5 >>> 25), 9) >>> 0;
        const tt = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= tt;
        s3 = (s3 << 11) | (s3 >>> 21);
        if (r < t) spins[i] = -si;
      }
      st[0] = s0;
      st[1] = s1;
      st[2] = s2;
      st[3] = s3;
      return N;
    },
    configuration(_replica = 0, out = new Int8Array(N)): Int8Array {
      out.set(spins);
      return out;
    },
  };
}
