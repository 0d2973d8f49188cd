/**
 * A sweep of a cluster rule (Wolff, geometric) is a fixed number of cluster moves, so measurements
 * follow one fixed Markov kernel. While thermalizing, a sweep makes moves until N spins have changed
 * (or `cap` moves, for states where moves change nothing) and records the counts; `freeze()` then
 * fixes the moves per sweep to round(N / ⟨spins changed per move⟩) over the second half of
 * thermalization (the first half, still far from equilibrium after a hot start, has tiny clusters).
 * A stopping rule that depends on cluster sizes would bias what is measured at the sweep's end: E/N
 * at T = 3, L = 16 came out −0.846 instead of −0.818 with Wolff.
 */
import { restoreArray, type Rule, type RuleState } from '../rule.js';

export interface ClusterSweeps {
  /** One sweep of `move` (which returns the spins it changed); returns the spins changed. */
  sweep(move: () => number): number;
  freeze(): void;
  /** The calibration as numbers, for a rule's saved state, and back. */
  save(): number[];
  restore(numbers: number[]): void;
}

export function clusterSweeps(N: number, cap = Infinity): ClusterSweeps {
  let movesPerSweep = 0; // 0: adaptive (thermalization)
  const adaptive: { moves: number; changed: number }[] = [];
  return {
    sweep(move: () => number): number {
      let changed = 0;
      if (movesPerSweep > 0) {
        for (let c = 0; c < movesPerSweep; c++) changed += move();
        return changed;
      }
      let moves = 0;
      while (changed < N && moves < cap) {
        changed += move();
        moves++;
      }
      adaptive.push({ moves, changed });
      return changed;
    },
    freeze(): void {
      // without thermalization sweeps there is nothing to calibrate on: one move per sweep, still a
      // fixed kernel (staying adaptive would bias E/N by −0.03 at T = 3, L = 16 with Wolff)
      const recent = adaptive.slice(Math.floor(adaptive.length / 2));
      const moves = recent.reduce((a, r) => a + r.moves, 0);
      const changed = recent.reduce((a, r) => a + r.changed, 0);
      movesPerSweep = changed > 0 ? Math.max(1, Math.round((N * moves) / changed)) : 1;
    },
    save(): number[] {
      return [movesPerSweep, ...adaptive.flatMap((a) => [a.moves, a.changed])];
    },
    restore(numbers: number[]): void {
      const [perSweep, ...pairs] = numbers;
      movesPerSweep = perSweep ?? 0;
      adaptive.length = 0;
      for (let k = 0; k + 1 < pairs.length; k += 2) adaptive.push({ moves: pairs[k], changed: pairs[k + 1] });
    },
  };
}

/** `saveState` / `restoreState` of a cluster rule whose state is one configuration and its calibration. */
export function clusterRuleState(spins: Int8Array, calibration: ClusterSweeps): Pick<Rule, 'saveState' | 'restoreState'> {
  return {
    saveState: (): RuleState => ({ arrays: [spins.slice()], numbers: calibration.save() }),
    restoreState(state: RuleState): void {
      restoreArray(spins, state.arrays[0], 'spins');
      calibration.restore(state.numbers);
    },
  };
}
