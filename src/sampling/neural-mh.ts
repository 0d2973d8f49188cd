/**
 * Metropolis–Hastings with a trained generative model as the proposal, whose target is the true
 * Boltzmann weight π(s) ∝ e^{−E(s)/T} of the Ising model (restricted to n₊ up spins when the
 * magnetization is conserved): the chain is exact whatever the model's errors, and the acceptance
 * rate measures how good the model is.
 *
 * The proposal kernel K(v → v') must satisfy p(v) K(v → v') = p(v') K(v' → v) for the model's
 * density p ∝ e^{−F}: true for k block-Gibbs steps of an RBM (each step is reversible with respect
 * to its visible marginal) and for exact independent draws (MADE, flows). Then the Hastings ratio is
 *   A = min(1, e^{−(E' − E)/T + F' − F}),
 * only free energies are needed, never the normalization. A chain whose current state is outside
 * the conserved sector (π = 0, e.g. a raw model sample as the start) accepts any proposal inside it.
 *
 * With `localSweeps` > 0, every step also gives each chain that many sweeps of a local rule whose
 * stationary law is π itself — Kawasaki exchanges in the conserved sector, single-spin Metropolis
 * otherwise. A composition of π-invariant kernels is π-invariant, so the chain stays exact; the local
 * moves relax what the model's proposals get wrong at short range (at low T a chain started from
 * a raw model sample may otherwise never accept a proposal), and the acceptance still measures the
 * model.
 *
 * Glossary: C chains, V = N = L² sites, bits v ∈ {0,1} with spin s = 2v − 1, u unsatisfied bonds
 * (E = −2N + 2u for J = 1).
 */
import { squareLattice, unsatisfiedBonds } from '../lattice/square.js';
import { estimateSeries } from '../observables/analysis.js';
import { Rng } from './rng.js';
import { kawasakiRule } from './rules/exchange.js';
import { metropolisRule } from './rules/metropolis.js';
import type { Rule } from './rule.js';

export interface ModelProposal {
  /** Draws proposals for every chain: `next` [C, V] from `current` [C, V]; chain r uses rngs[r]. */
  propose(current: Uint8Array, next: Uint8Array, chains: number, rngs: Rng[]): void;
  /** F = −log p(v) + const for each of the C rows of `states`. */
  freeEnergy(states: Uint8Array, chains: number): Float64Array;
}

export interface NeuralMetropolisOptions {
  L: number;
  T: number;
  /** Conserved sector: number of up spins, or null for the unconstrained Ising model. */
  upSpins: number | null;
  /** Start states [C, V] in bits (copied). */
  starts: Uint8Array;
  chains: number;
  steps: number;
  seed: number;
  /** Sweeps of the local π-invariant rule after every model step (Kawasaki where conserved, else Metropolis); default 0. */
  localSweeps?: number;
  /** Called after each step with (steps done, steps total). */
  onProgress?: (done: number, total: number) => void;
}

export interface NeuralMetropolisResult {
  /** Final states [C, V] in bits. */
  final: Uint8Array;
  /** Accepted / proposed over all chains and steps, with its binomial error. */
  acceptance: number;
  acceptanceError: number;
  /** Proposals rejected because they left the conserved sector, as a fraction of all proposals. */
  outsideSector: number;
  /** Energy per spin of every chain after every step, [C, steps]. */
  energies: Float32Array;
  /** τ_int of E/N (in steps) over the second half, averaged over the chains that moved there. */
  tauEnergy: number;
  /** Chains that accepted no move in the second half (their τ_int is beyond the run). */
  stuckChains: number;
}


function upCount(v: Uint8Array, row: number, N: number): number {
  let n = 0;
  for (let i = row * N; i < (row + 1) * N; i++) n += v[i];
  return n;
}

/**
 * Chain starts by importance resampling (sampling-importance-resampling): every state of a pool of
 * model samples takes one model step (a raw conserved-model sample enters the sector that way), gets
 * the weight w = π/p ∝ e^{−E/T + F}, and `chains` starts are drawn with probability ∝ w (systematic
 * resampling). As the pool grows the starts follow π, so the chain begins near equilibrium instead of
 * at the model's own law; any start keeps the chain exact. At L = 12, T = 1, M0 = 0 (paper-scale RBM,
 * raw E/N −1.50 against −1.61) chains started at raw samples were still at −1.60 after 3000 steps;
 * with their 300 starts resampled from a pool of 3000 they sat at −1.605…−1.610 from the first steps.
 * Returns the starts [chains, V] and the pool's effective sample size (Σw)²/Σw².
 */
export function importanceStarts(proposal: ModelProposal, pool: Uint8Array, poolSize: number, chains: number, o: { L: number; T: number; upSpins: number | null; seed: number }): { starts: Uint8Array; effectiveSize: number } {
  const N = o.L * o.L;
  if (pool.length !== poolSize * N) throw new RangeError(`the pool holds ${pool.length} values, ${poolSize} states of ${N} sites need ${poolSize * N}`);
  const lattice = squareLattice(o.L);
  const moved = new Uint8Array(poolSize * N);
  proposal.propose(pool, moved, poolSize, Array.from({ length: poolSize }, (_, r) => Rng.stream(o.seed, 0x5352, r)));
  const F = proposal.freeEnergy(moved, poolSize);
  const logw = Float64Array.from({ length: poolSize }, (_, r) =>
    o.upSpins !== null && upCount(moved, r, N) !== o.upSpins ? -Infinity : -(-2 * N + 2 * unsatisfiedBonds(lattice, moved, r * N)) / o.T + F[r]);
  const top = logw.reduce((a, x) => Math.max(a, x), -Infinity); // no spread: pools may be large
  if (!Number.isFinite(top)) throw new RangeError('no state of the pool lies in the conserved sector');
  const w = Float64Array.from(logw, (x) => Math.exp(x - top));
  let sum = 0, sum2 = 0;
  for (const x of w) (sum += x), (sum2 += x * x);
  const starts = new Uint8Array(chains * N);
  const u0 = Rng.stream(o.seed, 0x5353).uniform();
  let i = 0, acc = w[0];
  for (let c = 0; c < chains; c++) {
    const u = ((c + u0) / chains) * sum;
    while (acc < u && i < poolSize - 1) acc += w[++i];
    starts.set(moved.subarray(i * N, (i + 1) * N), c * N);
  }
  return { starts, effectiveSize: (sum * sum) / sum2 };
}

export function neuralMetropolis(proposal: ModelProposal, o: NeuralMetropolisOptions): NeuralMetropolisResult {
  const { L, T, chains: C, steps } = o;
  const N = L * L;
  if (o.starts.length !== C * N) throw new RangeError(`starts hold ${o.starts.length} values, ${C} chains of ${N} sites need ${C * N}`);
  if (!(T > 0)) throw new RangeError(`T = ${T} is not allowed: expected T > 0`);
  const lattice = squareLattice(L);
  const rngs = Array.from({ length: C }, (_, r) => Rng.stream(o.seed, 0x4d48, r));
  const current = Uint8Array.from(o.starts);
  const next = new Uint8Array(C * N);
  const F = proposal.freeEnergy(current, C);
  const u = Float64Array.from({ length: C }, (_, r) => unsatisfiedBonds(lattice, current, r * N));
  const valid = Uint8Array.from({ length: C }, (_, r) => (o.upSpins === null || upCount(current, r, N) === o.upSpins ? 1 : 0));
  const localSweeps = o.localSweeps ?? 0;
  if (!Number.isInteger(localSweeps) || localSweeps < 0) throw new RangeError(`localSweeps = ${localSweeps} is not allowed: expected an integer ≥ 0`);
  const spins = new Int8Array(N);
  const toSpins = (r: number) => {
    for (let i = 0; i < N; i++) spins[i] = 2 * current[r * N + i] - 1;
    return spins;
  };
  const local: Rule[] = localSweeps > 0
    ? Array.from({ length: C }, (_, r) => (o.upSpins === null ? metropolisRule : kawasakiRule)({ lattice, params: { J: 1, h: 0, T }, initial: toSpins(r) }))
    : [];
  const energies = new Float32Array(C * steps);
  const movesLate = new Uint32Array(C);
  let accepted = 0, outside = 0;
  for (let t = 0; t < steps; t++) {
    proposal.propose(current, next, C, rngs);
    const F2 = proposal.freeEnergy(next, C);
    for (let r = 0; r < C; r++) {
      const rng = rngs[r];
      const draw = rng.uniform(); // drawn whatever happens, so chain r's stream does not depend on the others
      let accept: boolean;
      let u2 = 0;
      if (o.upSpins !== null && upCount(next, r, N) !== o.upSpins) {
        accept = false;
        outside++;
      } else {
        u2 = unsatisfiedBonds(lattice, next, r * N);
        accept = valid[r] === 0 || Math.log(draw) < (-2 * (u2 - u[r])) / T + (F2[r] - F[r]);
      }
      if (accept) {
        current.set(next.subarray(r * N, (r + 1) * N), r * N);
        F[r] = F2[r];
        u[r] = u2;
        valid[r] = 1;
        accepted++;
        if (2 * t >= steps) movesLate[r]++;
      }
      if (localSweeps > 0 && valid[r]) {
        const rule = local[r];
        rule.setConfiguration?.(toSpins(r));
        for (let k = 0; k < localSweeps; k++) rule.sweep(rng);
        rule.configuration(0, spins);
        for (let i = 0; i < N; i++) current[r * N + i] = (spins[i] + 1) >> 1;
        u[r] = unsatisfiedBonds(lattice, current, r * N);
        F[r] = proposal.freeEnergy(current.subarray(r * N, (r + 1) * N), 1)[0];
      }
      energies[r * steps + t] = (-2 * N + 2 * u[r]) / N;
    }
    o.onProgress?.(t + 1, steps);
  }
  const total = C * steps;
  const acceptance = accepted / total;
  let tau = 0, moving = 0;
  const half = Math.floor(steps / 2);
  for (let r = 0; r < C; r++) {
    if (movesLate[r] === 0) continue;
    tau += estimateSeries(energies.subarray(r * steps + half, (r + 1) * steps)).tauInt;
    moving++;
  }
  return {
    final: current, acceptance, acceptanceError: Math.sqrt(Math.max(acceptance * (1 - acceptance), 1 / total) / total),
    outsideSector: outside / total, energies, tauEnergy: moving ? tau / moving : Infinity, stuckChains: C - moving,
  };
}
