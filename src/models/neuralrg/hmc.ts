/**
 * Hybrid Monte Carlo (Li & Wang, App. C, Algorithm 2) for many independent chains at once: in the
 * latent space with U(z) = −ln p(z) − ln π(g(z)) + ln q(g(z)) (their eq. 6; q_sym for a symmetric
 * flow), or in the physical space with U(x) = −ln π(x). Leapfrog with a fixed step and count,
 * Metropolis acceptance on the change of U + ½|v|². Forces come from automatic differentiation.
 * Observables are measured on x (= g(z) in the latent chain): the Ising structure factor
 * ⟨(Σ_i s_i)²⟩/N² with s ~ π(s|x), estimated without noise by E[s_i s_j | x] = tanh x_i tanh x_j (i ≠ j).
 * Resumable: with `checkpoint`, the chains' state after a step (positions, energies, every chain's
 * random stream, the traces) is saved every `everySeconds`, so a killed run continues to exactly the
 * result of an uninterrupted one; the last save, after the final step, makes a rerun return at once.
 *
 * Glossary: C chains, N = L² sites.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../sampling/rng.js';
import { estimateSeries } from '../../observables/analysis.js';
import { checkpointTimer, loadCheckpoint, saveCheckpoint } from '../../io/checkpoint.js';
import { equilibriumConfigurations } from '../../sampling/configurations.js';
import { generate, infer, logPrior, logProbability, logProbabilityPlain, type Flow } from './flow.js';
import { fieldFromSpins, logTarget, type IsingFieldSource } from './source.js';

export interface HmcOptions {
  space: 'latent' | 'physical';
  chains: number;
  steps: number;
  leapfrogSteps: number;
  stepSize: number;
  seed: number;
  /** Start states [C, N] (latent z or physical x); default: N(0, 1) draws. */
  start?: Float32Array;
  onProgress?: (done: number, total: number) => void;
  /** Resumable chains: `key` names the run (its options and the flow); a checkpoint of another run is refused. */
  checkpoint?: { path: string; key: string; everySeconds: number };
}

/**
 * Start states [C, N] in the chain's own equilibrium. Physical: exact draws x = As + A^{1/2}ξ of π(x) from Wolff
 * configurations s (stream seed + 9; ξ from stream (seed, 47)). Latent: z = g⁻¹(ηx). With q_sym the latent chain's
 * x = g(z) is distributed as π(x)·2q(x)/[q(x) + q(−x)], not π(x) (Z2-even observables such as the structure factor
 * average the same under both): the plain flow favours one sign sector. So the sign η = ±1 is drawn with probability
 * q(ηx)/[q(x) + q(−x)] (stream (seed, 48)), which makes ηx an exact draw of that distribution. Without it, the
 * chains that start in the disfavoured sector cross m ≈ 0 to reach the other (the L = 16 structure factor fell from
 * 0.53 to 0.40 in 100 steps). An exact chain started here stays in equilibrium, so comparing it with a chain started
 * at flow samples tells slow relaxation from a short τ_int.
 */
export function equilibriumStart(src: IsingFieldSource, flow: Flow | null, chains: number, seed: number): Float32Array {
  const x = fieldFromSpins(src, equilibriumConfigurations(src.L, src.T, chains, seed + 9), Rng.stream(seed, 47));
  if (!flow) return x;
  const N = src.N;
  if (flow.spec.symmetric) {
    const signs = Rng.stream(seed, 48);
    const [plus, minus] = tf.tidy(() => {
      const xt = tf.tensor2d(x, [chains, N]);
      return [logProbabilityPlain(flow, xt).dataSync(), logProbabilityPlain(flow, tf.neg(xt) as tf.Tensor2D).dataSync()];
    });
    for (let r = 0; r < chains; r++) {
      const pPlus = 1 / (1 + Math.exp(minus[r] - plus[r])); // q(x) / [q(x) + q(−x)]
      if (signs.uniform() >= pPlus) for (let i = 0; i < N; i++) x[r * N + i] = -x[r * N + i];
    }
  }
  return tf.tidy(() => Float32Array.from(infer(flow, tf.tensor2d(x, [chains, N])).z.dataSync()));
}

/** What a checkpoint holds after `step` completed HMC steps. */
interface HmcState {
  step: number;
  q: Float32Array; // [C, N]
  U: Float32Array; // [C]
  rngs: number[][];
  trace: number[];
  perChain: Float32Array; // [C, steps]
  accepted: number;
  /** Wall time of the steps so far. */
  seconds: number;
}

export interface HmcResult {
  /** Structure factor averaged over chains after each step, and per chain per step [C, steps]. */
  structureFactorTrace: number[];
  structureFactor: Float32Array;
  acceptance: number;
  /** τ_int (in HMC steps) of the chain-averaged structure factor over the second half. */
  tauInt: number;
  /** Mean and error over chains of each chain's second-half average. */
  mean: number;
  error: number;
  /** Final physical configurations x, [C, N]. */
  finalX: Float32Array;
  /** Wall time per HMC step (all chains), over the runs that made the checkpointed chains. */
  secondsPerStep: number;
  /**
   * Is the second half relaxed? Its third quarter's mean minus its fourth's, in errors of that difference
   * (per-chain differences, error over chains): a chain still relaxing shows a drift of several σ.
   */
  drift: { thirdQuarter: number; lastQuarter: number; sigmas: number };
}

/** (Σ_i tanh x_i)² − Σ tanh² x_i + N, over N², per row: [C, N] → [C]. */
export function structureFactorOf(x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const N = x.shape[1];
    const t = tf.tanh(x);
    const sum = tf.sum(t, 1);
    return tf.div(tf.add(tf.sub(tf.square(sum), tf.sum(tf.square(t), 1)), N), N * N) as tf.Tensor1D;
  });
}

/** The values of the tensor `f` makes, which is then disposed (tf.tidy keeps the tensor it returns). */
function valuesOf(f: () => tf.Tensor): Float32Array {
  const t = tf.tidy(f);
  const values = t.dataSync() as Float32Array;
  t.dispose();
  return values;
}

export function hmc(src: IsingFieldSource, flow: Flow | null, o: HmcOptions): HmcResult {
  const { chains: C, steps } = o;
  const N = src.N;
  if (o.space === 'latent' && !flow) throw new RangeError('latent-space HMC needs a flow');
  const inverse = tf.tensor2d(Float32Array.from(src.inverse), [N, N]);
  const toX = (q: tf.Tensor2D) => (o.space === 'latent' ? generate(flow as Flow, q).x : q);
  // U per row; its sum is differentiated for the forces (rows are independent)
  const energy = (q: tf.Tensor2D): tf.Tensor1D => tf.tidy(() => {
    if (o.space === 'physical') return tf.neg(logTarget(src, q, inverse)) as tf.Tensor1D;
    const x = generate(flow as Flow, q).x;
    return tf.add(tf.sub(tf.neg(logPrior(q)), logTarget(src, x, inverse)), logProbability(flow as Flow, x)) as tf.Tensor1D;
  });
  const force = tf.grad((q: tf.Tensor) => tf.sum(energy(q as tf.Tensor2D)));
  const ck = o.checkpoint;
  const saved = ck ? loadCheckpoint<HmcState>(ck.path, 'hmc', ck.key) : null;
  let rngs: Rng[], q: tf.Tensor2D, U: tf.Tensor1D, trace: number[], perChain: Float32Array, accepted: number, first: number, seconds: number;
  if (saved) {
    rngs = saved.rngs.map((state) => Rng.fromState(state));
    q = tf.tensor2d(saved.q, [C, N]);
    U = tf.tensor1d(saved.U);
    ({ trace, perChain, accepted, step: first, seconds } = saved);
  } else {
    rngs = Array.from({ length: C }, (_, r) => Rng.stream(o.seed, 0x484d43, r));
    q = tf.tensor2d(o.start ?? Float32Array.from({ length: C * N }, (_, k) => rngs[Math.floor(k / N)].normal()), [C, N]);
    U = energy(q);
    trace = [];
    perChain = new Float32Array(C * steps);
    accepted = 0;
    first = 0;
    seconds = 0;
  }
  let since = performance.now();
  const due = checkpointTimer(ck?.everySeconds ?? Infinity);
  for (let t = first; t < steps; t++) {
    const v0 = tf.tensor2d(Float32Array.from({ length: C * N }, (_, k) => rngs[Math.floor(k / N)].normal()), [C, N]);
    const proposal = tf.tidy(() => {
      let qq = q as tf.Tensor;
      let v = tf.sub(v0, tf.mul(0.5 * o.stepSize, force(qq)));
      for (let l = 0; l < o.leapfrogSteps; l++) {
        qq = tf.add(qq, tf.mul(o.stepSize, v));
        if (l < o.leapfrogSteps - 1) v = tf.sub(v, tf.mul(o.stepSize, force(qq)));
      }
      v = tf.sub(v, tf.mul(0.5 * o.stepSize, force(qq)));
      return { q: qq as tf.Tensor2D, v };
    });
    const U2 = energy(proposal.q);
    const kinetic0 = valuesOf(() => tf.mul(0.5, tf.sum(tf.square(v0), 1)));
    const kinetic1 = valuesOf(() => tf.mul(0.5, tf.sum(tf.square(proposal.v), 1)));
    const u0 = U.dataSync(), u1 = U2.dataSync();
    const accept = new Uint8Array(C);
    for (let r = 0; r < C; r++) {
      const dH = u1[r] + kinetic1[r] - u0[r] - kinetic0[r];
      const ok = Number.isFinite(dH) && Math.log(rngs[r].uniform()) < -dH;
      accept[r] = ok ? 1 : 0;
      if (ok) accepted++;
    }
    // a select, not a blend by a 0/1 mask: a rejected proposal that overflowed (0·Inf = NaN) must not reach the chain
    const rows = tf.tensor1d(accept, 'bool');                                            // [C]
    const nextQ = tf.tidy(() => tf.where(tf.reshape(rows, [C, 1]), proposal.q, q) as tf.Tensor2D); // [C, N], broadcast over sites
    const nextU = tf.where(rows, U2, U) as tf.Tensor1D;
    tf.dispose([q, U, U2, v0, rows, proposal.q, proposal.v]);
    q = nextQ;
    U = nextU;
    const S = valuesOf(() => structureFactorOf(toX(q)));
    let mean = 0;
    for (let r = 0; r < C; r++) {
      perChain[r * steps + t] = S[r];
      mean += S[r] / C;
    }
    trace.push(mean);
    seconds += (performance.now() - since) / 1000;
    since = performance.now();
    if (ck && (due() || t === steps - 1)) {
      const state: HmcState = { step: t + 1, q: Float32Array.from(q.dataSync()), U: Float32Array.from(U.dataSync()), rngs: rngs.map((r) => r.saveState()), trace, perChain, accepted, seconds };
      saveCheckpoint(ck.path, 'hmc', ck.key, state);
    }
    o.onProgress?.(t + 1, steps);
  }
  const finalX = Float32Array.from(valuesOf(() => toX(q)));
  tf.dispose([q, U, inverse]);
  const half = Math.floor(steps / 2), threeQuarters = Math.floor((3 * steps) / 4);
  // mean and error over chains of per-chain values (independent chains, so the error is honest)
  const overChains = (values: number[]) => {
    const mean = values.reduce((a, b) => a + b, 0) / C;
    const error = C > 1 ? Math.sqrt(values.reduce((a, x) => a + (x - mean) ** 2, 0) / (C - 1) / C) : NaN;
    return { mean, error };
  };
  // each chain's average over steps [from, to)
  const averages = (from: number, to: number) => Array.from({ length: C }, (_, r) => {
    let s = 0;
    for (let t = from; t < to; t++) s += perChain[r * steps + t];
    return s / (to - from);
  });
  const { mean, error } = overChains(averages(half, steps));
  // with fewer than 4 steps a quarter is empty and there is nothing to compare
  let drift = { thirdQuarter: NaN, lastQuarter: NaN, sigmas: NaN };
  if (threeQuarters > half) {
    const third = averages(half, threeQuarters), last = averages(threeQuarters, steps);
    const difference = overChains(third.map((v, r) => v - last[r]));
    drift = { thirdQuarter: overChains(third).mean, lastQuarter: overChains(last).mean, sigmas: difference.mean / difference.error };
  }
  return { structureFactorTrace: trace, structureFactor: perChain, acceptance: accepted / (C * steps), tauInt: estimateSeries(trace.slice(half)).tauInt, mean, error, finalX, secondsPerStep: seconds / steps, drift };
}
