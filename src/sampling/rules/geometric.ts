/**
 * The geometric cluster algorithm at fixed magnetization (Heringa & Blöte, Physica A 254, 156
 * (1998)): a rejection-free cluster move that exchanges spins, so M never changes.
 *
 * A move draws a point inversion T of the torus, x ↦ (c_x − x) mod L_x, y ↦ (c_y − y) mod L_y, with
 * (c_x, c_y) uniform: an involution that maps bonds to bonds. Sites pair up as {i, T(i)}, and a
 * cluster of pairs exchanges the spins of each of its pairs. Starting from a random seed pair, for
 * every pair {i, T(i)} in the cluster and every neighbour j of i whose pair is not in it, exchanging
 * {i, T(i)} alone would change the energy of the bonds (i, j) and (T(i), T(j)) by
 *   ΔE = J (s_i − s_T(i)) (s_j − s_T(j)),
 * while exchanging both pairs leaves them unchanged. Adding {j, T(j)} with probability
 * max(0, 1 − e^{−ΔE/T}) is the Swendsen–Wang construction on these pair bonds, so exchanging the
 * finished cluster satisfies detailed balance with no rejection. Only pairs of opposite spins take
 * part (otherwise ΔE = 0), and a pair joins with probability 1 − e^{−4|J|/T} when J s_i s_j > 0. Each
 * pair's bonds are visited from one of its sites only (the other site's bonds are their images). A
 * field term never changes, since exchanges keep M.
 *
 * Ergodicity: each sweep ends with N non-local exchange attempts (i and j uniform, Metropolis; the
 * proposal is symmetric), a second kernel with the same stationary law that connects every pair of
 * configurations at the same M. A sweep is a fixed number of cluster moves, calibrated while
 * thermalizing as Wolff's (cluster-sweeps.ts).
 */
import type { Rng } from '../rng.js';
import { singleConfigurationMethods, type Rule, type RuleInit } from '../rule.js';
import { ALWAYS } from './thresholds.js';
import { bondsBetween, exchangeTable } from './exchange.js';
import { neighbourSum } from '../../lattice/square.js';
import { clusterRuleState, clusterSweeps } from './cluster-sweeps.js';

export interface GeometricOptions {
  /** Non-local exchange attempts per sweep, as a multiple of N (default 1; 0 leaves the cluster moves alone, for tests). */
  exchangePerSite?: number;
}

export function geometricRule(init: RuleInit, options: GeometricOptions = {}): Rule {
  const { lattice, params } = init;
  const { N, Lx, Ly } = lattice;
  const spins = Int8Array.from(init.initial);
  const exchanges = Math.round((options.exchangePerSite ?? 1) * N);
  const table = exchangeTable(params.J, params.T);
  // 1 − e^{−4|J|/T} as a 31-bit threshold: a 31-bit random r < t has probability t/2^31
  const addThreshold = Math.floor(2147483648 * (1 - Math.exp((-4 * Math.abs(params.J)) / params.T)));
  const sign = params.J >= 0 ? 1 : -1;
  const stack = new Int32Array(N);
  const stamp = new Int32Array(N);
  let generation = 0; // marks the pairs of the current cluster in `stamp`
  const calibration = clusterSweeps(N, 4 * N); // a move of two equal spins changes nothing: the cap ends a sweep of a polarized state

  const move = (rng: Rng) => {
    if (generation === 0x7fffffff) {
      stamp.fill(0);
      generation = 0;
    }
    return geometricClusterMove(spins, stack, stamp, ++generation, Lx, Ly, sign, addThreshold, rng.below(N), rng.below(Lx), rng.below(Ly), rng);
  };

  return {
    algorithm: 'geometric',
    lattice,
    replicas: 1,
    sweep(rng: Rng): number {
      const changed = calibration.sweep(() => move(rng));
      return exchanges > 0 ? changed + exchangeAttempts(spins, table, Lx, N, exchanges, rng) : changed;
    },
    freeze: () => calibration.freeze(),
    ...singleConfigurationMethods(spins),
    ...clusterRuleState(spins, calibration),
  };
}

/**
 * One cluster move with the inversion centre (cx, cy), seeded at `seed`; returns the number of
 * spins changed. Pairs are marked with `gen` in `stamp` (both sites) as they join, and exchanged
 * only when the cluster is complete, so the growth reads the configuration before the move.
 */
export function geometricClusterMove(
  spins: Int8Array, stack: Int32Array, stamp: Int32Array, gen: number, Lx: number, Ly: number,
  sign: number, addThreshold: number, seed: number, cx: number, cy: number, rng: Rng,
): number {
  const N = Lx * Ly;
  const image = (i: number) => {
    const x = i % Lx, y = (i - x) / Lx;
    const xi = cx - x, yi = cy - y;
    return (yi < 0 ? yi + Ly : yi) * Lx + (xi < 0 ? xi + Lx : xi);
  };
  const seedImage = image(seed);
  if (spins[seed] === spins[seedImage]) return 0;
  stamp[seed] = gen;
  stamp[seedImage] = gen;
  stack[0] = seed;
  let top = 1;
  for (let read = 0; read < top; read++) {
    const i = stack[read];
    const si = spins[i];
    const x = i % Lx;
    for (let d = 0; d < 4; d++) {
      const j = d === 0 ? (x === Lx - 1 ? i - x : i + 1)
        : d === 1 ? (x === 0 ? i + Lx - 1 : i - 1)
          : d === 2 ? (i + Lx < N ? i + Lx : i + Lx - N)
            : (i >= Lx ? i - Lx : i - Lx + N);
      if (stamp[j] === gen) continue;
      const sj = spins[j];
      if (sign * si * sj <= 0) continue; // ΔE ≤ 0 (s_i ≠ s_T(i) in the cluster, so ΔE = 4J s_i s_j or 0)
      const jj = image(j);
      if (spins[jj] === sj) continue;
      if (rng.nextU32() >>> 1 < addThreshold) {
        stamp[j] = gen;
        stamp[jj] = gen;
        stack[top++] = j;
      }
    }
  }
  for (let k = 0; k < top; k++) {
    const i = stack[k], ii = image(i);
    const s = spins[i];
    spins[i] = spins[ii];
    spins[ii] = s;
  }
  return 2 * top;
}

/** `count` non-local exchange attempts: i, j uniform; opposite spins are exchanged with Metropolis. */
function exchangeAttempts(spins: Int8Array, table: Float64Array, Lx: number, N: number, count: number, rng: Rng): number {
  let changed = 0;
  for (let a = 0; a < count; a++) {
    const i = rng.below(N), j = rng.below(N);
    const si = spins[i];
    if (si === spins[j]) continue;
    const k = si * (neighbourSum(spins, i, Lx, N) - neighbourSum(spins, j, Lx, N)) + 2 * bondsBetween(i, j, Lx, N);
    const t = table[k + 8];
    if (t === ALWAYS || rng.nextU32() < t) {
      spins[i] = -si;
      spins[j] = si;
      changed += 2;
    }
  }
  return changed;
}
