/**
 * `simulate`: Monte Carlo of the Ising model at one or more temperatures, several independent
 * chains each, spread over worker threads, with every observable's error bar and τ_int.
 */
import { InputError } from '../errors.js';
import { squareLattice } from '../lattice/square.js';
import { Rng, MAX_SEED } from './rng.js';
import { ALGORITHMS, ALGORITHM_INFO, createRule, isAlgorithm, type Algorithm } from './algorithms.js';
import { initialConfiguration, realisedMagnetization, type ModelKind, type Start } from './model.js';
import { runChains } from './pool.js';
import type { ChainSpec } from './chain.js';
import { maxCorrelationDistance } from '../observables/correlation.js';
import { summarizeChains, type Observables } from '../observables/summary.js';
import { ensureWritable } from '../io/checkpoint.js';

export interface SimulateOptions {
  L?: number;
  Lx?: number;
  Ly?: number;
  T: number | number[];
  J?: number;
  h?: number;
  algorithm?: string;
  model?: string;
  /** Magnetization per spin M0 of the conserved model (default 0). */
  magnetization?: number;
  sweeps?: number;
  thermalize?: number;
  measureEvery?: number;
  /** Measurements between C(r) evaluations; 0 turns C(r) off (default ≈ L/8, so it costs about a sweep). */
  correlationEvery?: number;
  seed?: number;
  chains?: number;
  workers?: number;
  start?: string;
  /** Checkpoint file: written atomically while running; an existing one is resumed. */
  checkpoint?: string;
  /** Seconds between checkpoints of a chain (default 60). */
  checkpointSeconds?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface SimulationPlan {
  Lx: number;
  Ly: number;
  temperatures: number[];
  J: number;
  h: number;
  algorithm: Algorithm;
  model: ModelKind;
  magnetization: number | null;
  sweeps: number;
  thermalize: number;
  measureEvery: number;
  correlationEvery: number;
  seed: number;
  chains: number;
  workers: number;
  start: Start;
}

export interface SimulationResult extends Observables {
  L: number;
  Lx: number;
  Ly: number;
  T: number;
  J: number;
  h: number;
  model: ModelKind;
  magnetization0: number | null;
  algorithm: Algorithm;
  sweeps: number;
  thermalize: number;
  measureEvery: number;
  seed: number;
  chains: number;
  replicas: number;
  measurements: number;
  elapsedSeconds: number;
  /** Work (attempts, or spins flipped for clusters) per nanosecond of update time, per thread. */
  flipsPerNanosecond: number;
  /** Reasons to distrust the error bars (runs too short for their autocorrelation time). */
  warnings: string[];
}

/**
 * Error bars need runs much longer than τ_int: the Γ-method window wants ≳ 50 τ_int per chain, the
 * 32 batch means behind the histogram and C(r) errors want batches of ≳ 10 τ_int.
 */
export function reliabilityWarnings(o: Observables, measurements: number): string[] {
  const tau = Math.max(...[o.energyPerSpin, o.absMagnetization, o.susceptibility, o.specificHeat].map((e) => e.tauInt).filter(Number.isFinite));
  const warnings: string[] = [];
  if (measurements < 50 * tau) warnings.push(`${measurements} measurements per chain are fewer than 50 τ_int (τ_int = ${tau.toFixed(1)}): error bars are unreliable; run longer or thermalize more`);
  else if (measurements < 32 * 10 * tau) warnings.push(`batches of ${Math.floor(measurements / 32)} measurements are shorter than 10 τ_int (τ_int = ${tau.toFixed(1)}): histogram and C(r) error bars are underestimated`);
  return warnings;
}

function integer(name: string, v: number | undefined, def: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const x = v ?? def;
  if (!Number.isInteger(x) || x < min || x > max) {
    throw new InputError(`${name} ${x} is not allowed: expected an integer ${max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in [${min}, ${max}]`}`);
  }
  return x;
}

function finite(name: string, v: number | undefined, def: number): number {
  const x = v ?? def;
  if (!Number.isFinite(x)) throw new InputError(`${name} ${x} is not allowed: expected a finite number`);
  return x;
}

/** Largest lattice: the neighbour table alone takes 16 bytes a spin. */
export const MAX_SPINS = 2 ** 26;

/** Checks every option and fills in defaults; bad values raise an InputError naming them. */
export function planSimulation(o: SimulateOptions): SimulationPlan {
  const L = o.L === undefined ? undefined : integer('--L', o.L, 16, 2);
  const Lx = integer('--Lx', o.Lx ?? L, 16, 2);
  const Ly = integer('--Ly', o.Ly ?? L ?? o.Lx, Lx, 2);
  if (Lx * Ly > MAX_SPINS) throw new InputError(`${Lx}×${Ly} is not allowed: at most ${MAX_SPINS} spins (8192×8192)`);
  const temperatures = Array.isArray(o.T) ? o.T : [o.T];
  if (temperatures.length === 0) throw new InputError('--T is missing: give a temperature > 0 (or a comma list)');
  for (const T of temperatures) {
    if (!(T > 0) || !Number.isFinite(T)) throw new InputError(`--T ${T} is not allowed: the temperature must be a number > 0`);
  }
  const J = finite('--J', o.J, 1);
  if (J === 0) throw new InputError('--J 0 is not allowed: the coupling must be non-zero');
  const h = finite('--h', o.h, 0);
  if (o.algorithm !== undefined && !isAlgorithm(o.algorithm)) {
    throw new InputError(`--algorithm ${o.algorithm} is unknown: allowed are ${ALGORITHMS.join(', ')}`);
  }
  if (o.model !== undefined && o.model !== 'ising' && o.model !== 'conserved') {
    throw new InputError(`--model ${o.model} is unknown: allowed are ising, conserved`);
  }
  const model: ModelKind = (o.model as ModelKind | undefined) ??
    (o.magnetization !== undefined || (o.algorithm !== undefined && ALGORITHM_INFO[o.algorithm as Algorithm].conservesMagnetization) ? 'conserved' : 'ising');
  const algorithm: Algorithm = (o.algorithm as Algorithm | undefined) ?? (model === 'conserved' ? 'kawasaki' : 'metropolis');
  const conserving = ALGORITHM_INFO[algorithm].conservesMagnetization;
  if (model === 'conserved' && !conserving) {
    throw new InputError(`--algorithm ${algorithm} does not conserve the magnetization: with --model conserved use kawasaki or exchange`);
  }
  if (model === 'ising' && conserving) {
    throw new InputError(`--algorithm ${algorithm} conserves the magnetization: use it with --model conserved (and --magnetization M0)`);
  }
  let magnetization: number | null = null;
  if (model === 'conserved') {
    const M0 = finite('--magnetization', o.magnetization, 0);
    try {
      magnetization = realisedMagnetization(Lx * Ly, M0);
    } catch (e) {
      throw new InputError((e as Error).message.replace(`${Lx * Ly} sites`, `${Lx}×${Ly}`));
    }
  } else if (o.magnetization !== undefined) {
    throw new InputError('--magnetization is only allowed with --model conserved');
  }
  const start = o.start ?? 'auto';
  if (start !== 'auto' && start !== 'hot' && start !== 'cold') throw new InputError(`--start ${start} is unknown: allowed are auto, hot, cold`);
  const lattice = squareLattice(Lx, Ly);
  const plan: SimulationPlan = {
    Lx, Ly, temperatures, J, h, algorithm, model, magnetization,
    sweeps: integer('--sweeps', o.sweeps, 10000, 1),
    thermalize: integer('--thermalize', o.thermalize, 1000, 0),
    measureEvery: integer('--measure-every', o.measureEvery, 1, 1),
    correlationEvery: integer('--correlation-every', o.correlationEvery, Math.max(1, Math.round(maxCorrelationDistance(lattice) / 4)), 0),
    seed: integer('--seed', o.seed, 1, 0, MAX_SEED),
    chains: integer('--chains', o.chains, 1, 1),
    workers: integer('--workers', o.workers, 1, 1, 256),
    start,
  };
  if (plan.sweeps < plan.measureEvery) throw new InputError(`--sweeps ${plan.sweeps} is less than --measure-every ${plan.measureEvery}: no measurement would be made`);
  // Build each rule once here so its own requirements (h = 0, even sides, …) fail fast and clearly.
  for (const T of temperatures) {
    const params = { J, h, T };
    const rng = Rng.stream(plan.seed);
    try {
      createRule(algorithm, { lattice, params, initial: initialConfiguration(lattice, rng, { ...params, magnetization, start }) }, rng);
    } catch (e) {
      throw new InputError((e as Error).message);
    }
  }
  return plan;
}

/** Chain specs of a plan: chain c at temperature index t draws from stream (seed, t·chains + c). */
export function chainSpecs(plan: SimulationPlan): ChainSpec[] {
  return plan.temperatures.flatMap((T, t) =>
    Array.from({ length: plan.chains }, (_, c) => ({
      Lx: plan.Lx, Ly: plan.Ly, T, J: plan.J, h: plan.h,
      algorithm: plan.algorithm, magnetization: plan.magnetization,
      thermalize: plan.thermalize, sweeps: plan.sweeps, measureEvery: plan.measureEvery,
      correlationEvery: plan.correlationEvery, seed: plan.seed, chain: t * plan.chains + c, start: plan.start,
    })),
  );
}

export async function simulate(options: SimulateOptions): Promise<SimulationResult[]> {
  const plan = planSimulation(options);
  const started = performance.now();
  const every = options.checkpointSeconds ?? 60;
  if (!(every > 0) || !Number.isFinite(every)) throw new InputError(`--checkpoint-every ${every} is not allowed: expected a number of seconds > 0`);
  if (options.checkpoint) ensureWritable(options.checkpoint, '--checkpoint');
  const results = await runChains(chainSpecs(plan), {
    workers: plan.workers,
    onProgress: options.onProgress,
    checkpoint: options.checkpoint ? { path: options.checkpoint, everySeconds: every } : undefined,
  });
  const elapsedSeconds = (performance.now() - started) / 1000;
  return plan.temperatures.map((T, t) => {
    const chains = results.slice(t * plan.chains, (t + 1) * plan.chains);
    const work = chains.reduce((a, r) => a + r.work, 0);
    const seconds = chains.reduce((a, r) => a + r.updateSeconds, 0);
    const observables = summarizeChains(chains);
    return {
      L: plan.Lx, Lx: plan.Lx, Ly: plan.Ly, T, J: plan.J, h: plan.h,
      model: plan.model, magnetization0: plan.magnetization, algorithm: plan.algorithm,
      sweeps: plan.sweeps, thermalize: plan.thermalize, measureEvery: plan.measureEvery, seed: plan.seed,
      chains: plan.chains, replicas: chains[0].replicas, measurements: chains[0].measurements,
      ...observables,
      elapsedSeconds,
      flipsPerNanosecond: seconds > 0 ? work / seconds / 1e9 : NaN,
      warnings: reliabilityWarnings(observables, chains[0].measurements),
    };
  });
}
