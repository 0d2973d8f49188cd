/**
 * The RG monotone network C_θ(J) of MLRG (Hou & You, Sec. II D–E, Eqs. 13, 14, 24) and what is built
 * on it: the RG flow dJ/dℓ = −∇_J C_θ(J) integrated by a differentiable RK4 solver (a neural ODE:
 * the loss reaches θ through every stage, by second derivatives of C_θ), HMC proposals of teacher
 * couplings from p(J) ∝ exp(−β‖∇_J C_θ‖²) with replica exchange, and Newton's method to fixed points.
 *
 * Glossary: B = couplings in a batch; P = free couplings (the representation's); H_k = hidden widths.
 */
import * as tf from '@tensorflow/tfjs-core';
import { layerNorm } from '../../nn/ops.js';
import type { Params } from '../../nn/train.js';
import { loadTensors, saveTensors } from '../../nn/safetensors.js';
import type { Rng } from '../../sampling/rng.js';
import { foldCouplings, foldSigns, type CouplingFold } from '../../lattice/c4v.js';

export interface Monotone {
  couplings: number;
  hidden: number[];
  params: Params;
}

let created = 0;

/** The paper's network (authors' code): Linear → LayerNorm → tanh per hidden layer, then Linear → scalar. */
export function createMonotone(couplings: number, hidden: number[], rng: Rng): Monotone {
  const id = created++;
  const params: Params = {};
  const dims = [couplings, ...hidden, 1];
  for (let l = 0; l + 1 < dims.length; l++) {
    const [m, n] = [dims[l], dims[l + 1]];
    const limit = Math.sqrt(6 / (m + n));
    params[`w${l}`] = tf.variable(tf.tensor2d(Float32Array.from({ length: m * n }, () => (2 * rng.uniform() - 1) * limit), [m, n]), true, `mlrg${id}_w${l}`);
    // random biases (as torch.nn.Linear): with zero biases the layer norm of the first layer is singular at J = 0
    const bound = 1 / Math.sqrt(m);
    params[`b${l}`] = tf.variable(tf.tensor1d(Float32Array.from({ length: n }, () => (2 * rng.uniform() - 1) * bound)), true, `mlrg${id}_b${l}`);
  }
  return { couplings, hidden, params };
}

function network(m: Monotone, J: tf.Tensor2D): tf.Tensor1D {
  let x: tf.Tensor = J; // [B, P]
  const layers = m.hidden.length + 1;
  for (let l = 0; l < layers; l++) {
    x = tf.add(tf.matMul(x as tf.Tensor2D, m.params[`w${l}`] as tf.Tensor2D), m.params[`b${l}`]); // [B, H_l]
    if (l + 1 < layers) x = tf.tanh(layerNorm(x));
  }
  return tf.reshape(x, [-1]) as tf.Tensor1D; // [B]
}

/**
 * The network in float64 on plain arrays, with its gradient by hand: for everything that needs C
 * and ∇C but no gradient in θ (HMC proposals, flows, Newton, figures). A snapshot of the weights.
 */
export class MonotoneF64 {
  private readonly layers: { w: Float64Array; b: Float64Array; m: number; n: number }[];
  private readonly c0: number;

  constructor(readonly monotone: Monotone) {
    const dims = [monotone.couplings, ...monotone.hidden, 1];
    this.layers = dims.slice(0, -1).map((m, l) => ({ w: Float64Array.from(monotone.params[`w${l}`].dataSync()), b: Float64Array.from(monotone.params[`b${l}`].dataSync()), m, n: dims[l + 1] }));
    this.c0 = this.forward(new Float64Array(monotone.couplings)).c;
  }

  private forward(J: ArrayLike<number>): { c: number; acts: Float64Array[]; norms: Float64Array[]; sigmas: number[] } {
    let a = Float64Array.from(J);
    const acts = [a], norms: Float64Array[] = [], sigmas: number[] = [];
    for (let l = 0; l < this.layers.length; l++) {
      const { w, b, m, n } = this.layers[l];
      const u = Float64Array.from(b);
      for (let i = 0; i < m; i++) { const ai = a[i]; if (ai !== 0) for (let j = 0; j < n; j++) u[j] += ai * w[i * n + j]; }
      if (l + 1 === this.layers.length) return { c: u[0], acts, norms, sigmas };
      let mean = 0;
      for (let j = 0; j < n; j++) mean += u[j];
      mean /= n;
      let variance = 0;
      for (let j = 0; j < n; j++) variance += (u[j] - mean) ** 2;
      const sigma = Math.sqrt(variance / n + 1e-5);
      const norm = u.map((v) => (v - mean) / sigma);
      norms.push(norm);
      sigmas.push(sigma);
      a = norm.map(Math.tanh);
      acts.push(a);
    }
    throw new Error('unreachable');
  }

  value(J: ArrayLike<number>): number {
    return this.forward(J).c - this.c0;
  }

  /** ∇_J C by reverse mode. */
  gradient(J: ArrayLike<number>): Float64Array {
    const f = this.forward(J);
    const top = this.layers[this.layers.length - 1];
    let g = Float64Array.from({ length: top.m }, (_, i) => top.w[i]); // dC/da of the last hidden layer
    for (let l = this.layers.length - 2; l >= 0; l--) {
      const { w, m, n } = this.layers[l];
      const norm = f.norms[l], act = f.acts[l + 1], sigma = f.sigmas[l];
      // through tanh, then the layer norm: du = (gn − mean(gn) − n·mean(gn·n)) / σ
      const gn = g.map((v, j) => v * (1 - act[j] * act[j]));
      let mg = 0, mgn = 0;
      for (let j = 0; j < n; j++) { mg += gn[j]; mgn += gn[j] * norm[j]; }
      mg /= n; mgn /= n;
      const gu = gn.map((v, j) => (v - mg - norm[j] * mgn) / sigma);
      const prev = new Float64Array(m);
      for (let i = 0; i < m; i++) { let acc = 0; for (let j = 0; j < n; j++) acc += w[i * n + j] * gu[j]; prev[i] = acc; }
      g = prev;
    }
    return g;
  }

  /** H·v by a central difference of the exact gradient (float64: error ~1e-9, ample for forces and Newton). */
  hessianVector(J: ArrayLike<number>, v: ArrayLike<number>, eps = 1e-5): Float64Array {
    const plus = this.gradient(Array.from(J, (x, i) => x + eps * v[i]));
    const minus = this.gradient(Array.from(J, (x, i) => x - eps * v[i]));
    return plus.map((p, i) => (p - minus[i]) / (2 * eps));
  }

  hessian(J: ArrayLike<number>): Float64Array {
    const P = this.monotone.couplings;
    const h = new Float64Array(P * P);
    for (let q = 0; q < P; q++) {
      const col = this.hessianVector(J, Array.from({ length: P }, (_, i) => (i === q ? 1 : 0)));
      for (let p = 0; p < P; p++) h[p * P + q] = col[p];
    }
    for (let p = 0; p < P; p++) for (let q = p + 1; q < P; q++) h[p * P + q] = h[q * P + p] = 0.5 * (h[p * P + q] + h[q * P + p]);
    return h;
  }

  /** J(ℓ + length) from J(ℓ) by `steps` RK4 steps of dJ/dℓ = −∇C (0 steps: one Euler step). */
  flow(J: ArrayLike<number>, length: number, steps: number): Float64Array {
    let j = Float64Array.from(J);
    const f = (x: Float64Array) => this.gradient(x).map((v) => -v);
    if (steps === 0) { const g = f(j); return j.map((v, i) => v + length * g[i]); }
    const h = length / steps;
    for (let s = 0; s < steps; s++) {
      const k1 = f(j);
      const k2 = f(j.map((v, i) => v + (h / 2) * k1[i]));
      const k3 = f(j.map((v, i) => v + (h / 2) * k2[i]));
      const k4 = f(j.map((v, i) => v + h * k3[i]));
      j = j.map((v, i) => v + (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]));
    }
    return j;
  }
}

/** C_θ(J) − C_θ(0): the global shift is fixed so that C(0) = 0. */
export function monotoneValue(m: Monotone, J: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sub(network(m, J), network(m, tf.zeros([1, m.couplings]) as tf.Tensor2D)) as tf.Tensor1D);
}

/** ∇_J C_θ(J), [B, P]; differentiable again (in J and θ). */
export function monotoneGradient(m: Monotone, J: tf.Tensor2D): tf.Tensor2D {
  return tf.grad((j: tf.Tensor) => tf.sum(network(m, j as tf.Tensor2D)))(J) as tf.Tensor2D;
}

/** J(ℓ) from J(0) along dJ/dℓ = −∇C by `steps` RK4 steps; `steps = 0` means the authors' single Euler step J − ∇C (for ℓ = 1). */
export function rgFlow(m: Monotone, J: tf.Tensor2D, length: number, steps: number): tf.Tensor2D {
  const f = (j: tf.Tensor2D) => tf.neg(monotoneGradient(m, j)) as tf.Tensor2D;
  if (steps === 0) return tf.add(J, tf.mul(length, f(J))) as tf.Tensor2D;
  const h = length / steps;
  let j = J;
  for (let s = 0; s < steps; s++) {
    const k1 = f(j);
    const k2 = f(tf.add(j, tf.mul(h / 2, k1)) as tf.Tensor2D);
    const k3 = f(tf.add(j, tf.mul(h / 2, k2)) as tf.Tensor2D);
    const k4 = f(tf.add(j, tf.mul(h, k3)) as tf.Tensor2D);
    j = tf.add(j, tf.mul(h / 6, tf.addN([k1, tf.mul(2, k2), tf.mul(2, k3), k4]))) as tf.Tensor2D;
  }
  return j;
}

/** Solves A x = b (Gaussian elimination with partial pivoting); null when A is singular. */
export function solveLinear(A: Float64Array, b: Float64Array, n: number): Float64Array | null {
  const a = Float64Array.from(A), x = Float64Array.from(b);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]) > Math.abs(a[piv * n + c])) piv = r;
    if (Math.abs(a[piv * n + c]) < 1e-14) return null;
    if (piv !== c) {
      for (let k = 0; k < n; k++) [a[c * n + k], a[piv * n + k]] = [a[piv * n + k], a[c * n + k]];
      [x[c], x[piv]] = [x[piv], x[c]];
    }
    for (let r = c + 1; r < n; r++) {
      const f = a[r * n + c] / a[c * n + c];
      for (let k = c; k < n; k++) a[r * n + k] -= f * a[c * n + k];
      x[r] -= f * x[c];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r];
    for (let k = r + 1; k < n; k++) s -= a[r * n + k] * x[k];
    x[r] = s / a[r * n + r];
  }
  return x;
}

/**
 * Newton's method on ∇C = 0 (Eq. 24): J ← J − (∇²C)⁻¹ ∇C, until |∇C| < tolerance or `maxSteps`.
 * Both stable and unstable fixed points attract it. Returns the path.
 */
export function newtonFixedPoint(f: MonotoneF64, start: ArrayLike<number>, o: { maxSteps?: number; tolerance?: number; damping?: number; maxStep?: number; maxDistance?: number } = {}): { path: Float64Array[]; gradNorm: number; converged: boolean } {
  const P = f.monotone.couplings;
  let J = Float64Array.from(start);
  const path = [Float64Array.from(J)];
  let gradNorm = Infinity;
  for (let step = 0; step < (o.maxSteps ?? 50); step++) {
    const g = f.gradient(J);
    gradNorm = Math.hypot(...g);
    if (gradNorm < (o.tolerance ?? 1e-5)) return { path, gradNorm, converged: true };
    const dx = solveLinear(f.hessian(J), g, P);
    if (!dx) break;
    // a trust region: a Newton step longer than `maxStep` is shortened (far from a fixed point the
    // saturated network has ∇C → 0 at infinity, which is no fixed point)
    const len = Math.hypot(...dx), scale = Math.min(1, (o.maxStep ?? 0.5) / len) * (o.damping ?? 1);
    J = J.map((v, i) => v - scale * dx[i]);
    path.push(Float64Array.from(J));
    if (Math.hypot(...J.map((v, i) => v - start[i])) > (o.maxDistance ?? 5)) return { path, gradNorm, converged: false };
  }
  return { path, gradNorm, converged: gradNorm < (o.tolerance ?? 1e-5) };
}

export interface ProposalOptions {
  /** Independent chains; each carries `replicas` copies at inverse temperatures β·r/(R−1). */
  chains: number;
  replicas: number;
  beta: number;
  /** Widths s_p of the Gaussian prior exp(−Σ J_p²/2s_p²) that keeps β = 0 proposals proper (one for all, or one per coupling). */
  priorScale: number | number[];
  steps: number;
  leapfrog: number;
  stepSize: number;
  /**
   * Sample the fundamental domain of these coupling sign flips instead of the whole space: the
   * potential is taken at the folded point and the couplings returned are folded. The folded
   * potential jumps at some walls (crossing J1 = 0 also negates J3, J4 for A1+E); HMC stays exact
   * (leapfrog with any position-only force is reversible and volume-preserving, and the Metropolis
   * test uses the true potential), only the acceptance near the walls is lower.
   */
  fold?: CouplingFold;
}

/**
 * Teacher couplings from p(J) ∝ exp(−β‖∇_J C_θ‖²) · exp(−|J|²/2s²) (Eq. 14): HMC in J, started
 * from the prior, with replica exchange between neighbouring β after each trajectory. Returns all
 * replicas' final couplings (chains·replicas rows), detached from any graph.
 */
export function proposeCouplings(m: Monotone, o: ProposalOptions, rng: Rng): { J: Float64Array[]; acceptance: number; swapRate: number } {
  const P = m.couplings, R = Math.max(1, o.replicas), n = o.chains * R;
  const f = new MonotoneF64(m);
  const betas = Float64Array.from({ length: n }, (_, i) => (R === 1 ? o.beta : (o.beta * (i % R)) / (R - 1)));
  const widths = Array.from({ length: P }, (_, p) => (typeof o.priorScale === 'number' ? o.priorScale : o.priorScale[p]));
  const s2 = widths.map((w) => w * w);
  const signs = (x: Float64Array) => (o.fold ? foldSigns(o.fold, x) : null);
  const gradSquare = (x: Float64Array) => f.gradient(o.fold ? foldCouplings(o.fold, x) : x).reduce((a, v) => a + v * v, 0);
  const potential = (x: Float64Array, beta: number) => (beta === 0 ? 0 : beta * gradSquare(x)) + x.reduce((a, v, p) => a + (v * v) / (2 * s2[p]), 0);
  // ∇U = 2β H ∇C + J/s² (H·v by a difference of exact gradients: any position-only force keeps HMC exact)
  const force = (x: Float64Array, beta: number) => {
    const prior = x.map((v, p) => v / s2[p]);
    if (beta === 0) return prior;
    // at the folded point y = s ⊙ x: ∇_x ‖∇C(y)‖² = s ⊙ 2 H(y) ∇C(y)
    const s = signs(x), y = s ? x.map((v, p) => s[p] * v) : x;
    const hv = f.hessianVector(y, f.gradient(y));
    return prior.map((v, i) => v + 2 * beta * (s ? s[i] : 1) * hv[i]);
  };
  const kinetic = (q: Float64Array) => q.reduce((a, v) => a + v * v, 0) / 2;
  const J = Array.from({ length: n }, () => Float64Array.from({ length: P }, (_, p) => widths[p] * rng.normal()));
  let accepted = 0, swaps = 0, swapTries = 0;
  for (let step = 0; step < o.steps; step++) {
    for (let i = 0; i < n; i++) {
      const beta = betas[i];
      const p0 = Float64Array.from({ length: P }, () => rng.normal());
      let x = Float64Array.from(J[i]);
      const p = Float64Array.from(p0);
      let fx = force(x, beta);
      for (let l = 0; l < o.leapfrog; l++) {
        for (let k = 0; k < P; k++) p[k] -= 0.5 * o.stepSize * fx[k];
        x = x.map((v, k) => v + o.stepSize * p[k]);
        fx = force(x, beta);
        for (let k = 0; k < P; k++) p[k] -= 0.5 * o.stepSize * fx[k];
      }
      const dH = potential(x, beta) + kinetic(p) - potential(J[i], beta) - kinetic(p0);
      if (Number.isFinite(dH) && (dH <= 0 || rng.uniform() < Math.exp(-dH))) {
        accepted++;
        J[i] = x;
      }
    }
    if (R > 1 && o.beta > 0) {
      // replica exchange between neighbouring β of each chain (alternating even/odd pairs)
      for (let c = 0; c < o.chains; c++) for (let r = step % 2; r + 1 < R; r += 2) {
        const i = c * R + r, j = i + 1;
        swapTries++;
        const logA = (betas[i] - betas[j]) * (gradSquare(J[i]) - gradSquare(J[j]));
        if (logA >= 0 || rng.uniform() < Math.exp(logA)) {
          swaps++;
          [J[i], J[j]] = [J[j], J[i]];
        }
      }
    }
  }
  return { J: o.fold ? J.map((x) => foldCouplings(o.fold!, x)) : J, acceptance: o.steps > 0 ? accepted / (o.steps * n) : 1, swapRate: swapTries > 0 ? swaps / swapTries : 0 };
}

export function saveMonotone(path: string, m: Monotone, metadata: Record<string, string> = {}): void {
  saveTensors(path, m.params, { couplings: String(m.couplings), hidden: m.hidden.join(','), ...metadata });
}

export function loadMonotone(path: string): Monotone {
  const { tensors, metadata } = loadTensors(path);
  const hidden = metadata.hidden ? metadata.hidden.split(',').map(Number) : [];
  const id = created++;
  const params: Params = {};
  for (const [k, t] of Object.entries(tensors)) {
    params[k] = tf.variable(t, true, `mlrg${id}_${k}`);
    t.dispose();
  }
  return { couplings: Number(metadata.couplings), hidden, params };
}

export function disposeMonotone(m: Monotone): void {
  for (const v of Object.values(m.params)) v.dispose();
}
