/**
 * A transition rule: the dynamics of one Markov chain (or of a few chains packed together),
 * separate from the sampler that runs it and measures (after NetKet's sampler/rule split).
 * A new dynamics is one small file that implements `Rule` and registers itself in `rules/index.ts`.
 */
import type { Rng } from './rng.js';
import type { SquareLattice } from '../lattice/square.js';

/** Physical parameters of the Ising Hamiltonian H = −J Σ⟨ij⟩ s_i s_j − h Σ s_i at temperature T. */
export interface IsingParams {
  readonly J: number;
  readonly h: number;
  readonly T: number;
}

export interface Rule {
  /** Name of the algorithm, as given on the command line. */
  readonly algorithm: string;
  readonly lattice: SquareLattice;
  /**
   * How many independent configurations this rule updates together: 1, except for multispin coding
   * on lattices too small to fill a machine word, which packs 32 independent replicas bit-wise.
   */
  readonly replicas: number;
  /**
   * One Monte Carlo sweep of every replica. Returns the work done, the number counted by
   * `flipsPerNanosecond`: spin-flip (or exchange) attempts for local rules, summed over replicas;
   * spins flipped for cluster rules.
   */
  sweep(rng: Rng): number;
  /** Copy of the ±1 configuration of one replica (0 ≤ replica < replicas). */
  configuration(replica?: number, out?: Int8Array): Int8Array;
  /**
   * Everything needed to continue exactly from here (configurations, adaptive parameters, the
   * rule's own random state), for checkpoints; opaque outside the rule that made it.
   */
  saveState(): RuleState;
  /** Continues from a state saved by the same rule on the same lattice and parameters. */
  restoreState(state: RuleState): void;
  /** Replaces the configuration (rules whose whole state is one configuration). */
  setConfiguration?(spins: ArrayLike<number>): void;
  /**
   * Called once when thermalization ends: a rule that adapted itself while thermalizing (Wolff's
   * clusters per sweep) fixes its kernel here, so measurements follow one fixed Markov chain.
   */
  freeze?(): void;
}

/** A rule's saved state: typed arrays and numbers, so it survives structured cloning. */
export interface RuleState {
  arrays: (Int8Array | Int32Array | Uint32Array)[];
  numbers: number[];
}

/** Copies `from` into `into`, checking that a checkpoint fits the rule it is restored into. */
export function restoreArray<T extends Int8Array | Int32Array | Uint32Array>(into: T, from: ArrayLike<number> | undefined, what: string): void {
  if (!from || from.length !== into.length) throw new RangeError(`checkpoint does not fit: ${what} has ${from?.length ?? 0} entries, expected ${into.length}`);
  into.set(from);
}

/**
 * `configuration`, `saveState` and `restoreState` of a rule whose whole state is one ±1
 * configuration (rules with more state override the last two).
 */
export function singleConfigurationMethods(spins: Int8Array): Pick<Rule, 'configuration' | 'saveState' | 'restoreState' | 'setConfiguration'> {
  return {
    setConfiguration(config: ArrayLike<number>): void {
      restoreArray(spins, config, 'configuration');
    },
    configuration(replica = 0, out = new Int8Array(spins.length)): Int8Array {
      if (replica !== 0) throw new RangeError(`replica = ${replica} is not allowed: this rule has 1 replica`);
      out.set(spins);
      return out;
    },
    saveState(): RuleState {
      return { arrays: [spins.slice()], numbers: [] };
    },
    restoreState(state: RuleState): void {
      restoreArray(spins, state.arrays[0], 'spins');
    },
  };
}

/** Everything needed to build a rule: the lattice, the parameters and the initial configuration. */
export interface RuleInit {
  readonly lattice: SquareLattice;
  readonly params: IsingParams;
  /** Initial configuration; a rule that packs several replicas starts them all from it. */
  readonly initial: Int8Array;
}
