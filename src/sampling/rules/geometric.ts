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
 * part (otherwise ΔE = 0): the added probability is 1 − e^{−4|J|/T} for J s_i s_j > 0. Each pair's
 * bonds are visited from one of its sites only (the other site's bonds are their images).
 *
 * Ergodicity: each sweep ends with N non-local exchange attempts (i and j uniform, Metropolis; the
 * proposal is symmetric), a second kernel with the same stationary law that connects every pair of
 * configurations at the same M. A sweep is a fixed number of cluster moves, calibrated as Wolff's:
 * while thermalizing, moves are made until N spins have changed; `freeze()` fixes their number from
 * the second half of thermalization.
 */
import type { Rng } from '../rng.js';
import { restoreArray, singleConfigurationMethods, type Rule, type RuleInit, type RuleState } from '../rule.js';
import { ALWAYS } from './thresholds.js';
import { bondsBetween, exchangeTable } from './exchange.js';
import { neighbourSum } from '../../lattice/square.js';

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
  const generation = { value: 0 };
  let movesPerSweep = 0; // 0: adaptive (thermalization)
  const adaptive: { moves: number; changed: number }[] = [];

  const move = (rng: Rng) => {
    if (generation.value === 0x7fffffff) {
      stamp.fill(0);
      generation.value = 0;
    }
    return geometricClusterMove(spins, stack, stamp, ++generation.value, Lx, Ly, sign, addThreshold, rng.below(N), rng.below(Lx), rng.below(Ly), rng);
  };

  return {
    algorithm: 'geometric',
    lattice,
    replicas: 1,
    sweep(rng: Rng): number {
      let changed = 0;
      if (movesPerSweep > 0) {
        for (let c = 0; c < movesPerSweep; c++) changed += move(rng);
      } else {
        let moves = 0;
        // a move of two equal spins changes nothing; the cap ends a sweep of a polarized state
        while (changed < N && moves < 4 * N) {
          changed += move(rng);
          moves++;
        }
        adaptive.push({ moves, changed });
      }
      if (exchanges > 0) changed += exchangeAttempts(spins, table, Lx, N, exchanges, rng);
      return changed;
    },
    freeze(): void {
      const recent = adaptive.slice(Math.floor(adaptive.length / 2));
      const moves = recent.reduce((a, r) => a + r.moves, 0);
      const changed = recent.reduce((a, r) => a + r.changed, 0);
      movesPerSweep = changed > 0 ? Math.max(1, Math.round((N * moves) / changed)) : 1;
    },
    ...singleConfigurationMethods(spins),
    saveState(): RuleState {
      return { arrays: [spins.slice()], numbers: [movesPerSweep, ...adaptive.flatMap((a) => [a.moves, a.changed])] };
    },
    restoreState(state: RuleState): void {
      restoreArray(spins, state.arrays[0], 'spins');
      const [perSweep, ...pairs] = state.numbers;
      movesPerSweep = perSweep ?? 0;
      adaptive.length = 0;
      for (let k = 0; k + 1 < pairs.length; k += 2) adaptive.push({ moves: pairs[k], changed: pairs[k + 1] });
    },
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
