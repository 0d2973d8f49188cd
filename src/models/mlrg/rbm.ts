/**
 * Equivariant RBMs on one 2 × 2 block of the Lieb lattice (Hou & You, Fig. 3, Eqs. 5–8, 22–26).
 *
 *   teacher (square graph): corner spins x_0…x_3 visible, edge spins z_0…z_3 hidden, bond z_i → x_j
 *   student (cross graph):  corner spins x_0…x_3 visible, one centre spin z_0 hidden, bond x_i → z_0
 *
 * Bond directions follow the authors' code: on the square graph z_0→x_0 has direction 0, z_0→x_1
 * direction 2, and each quarter turn adds 1; on the cross graph x_i→z_0 has direction i. Given the
 * visible spins the hidden components are independent Ising variables in a field h, so the visible
 * marginal is exact: ln w(x) = Σ_{hidden site, component} ln 2cosh h(x), with h linear in the couplings.
 *
 * Glossary: d = components per spin; V = 4 visible sites; H = hidden sites (4 or 1);
 * S = 2^(4d) visible states (bit i·d + c of a state is component c of x_i, 1 ↔ +1); P = free couplings.
 */
import { bondCouplings, couplingFold, foldCouplings, freeCouplings, representation, type CouplingFold, type MirrorConvention, type Representation } from '../../lattice/c4v.js';
import type { Rng } from '../../sampling/rng.js';

export type BlockGraph = 'square' | 'cross';

interface Bond { visible: number; hidden: number; dir: number }

/** The bonds of each graph, as (visible site, hidden site, direction). */
export const GRAPH_BONDS: Record<BlockGraph, { hidden: number; hiddenFirst: boolean; bonds: Bond[] }> = {
  square: {
    hidden: 4, hiddenFirst: true,
    bonds: [[0, 0, 0], [0, 1, 2], [1, 1, 1], [1, 2, 3], [2, 2, 2], [2, 3, 0], [3, 0, 1], [3, 3, 3]].map(([z, x, dir]) => ({ visible: x, hidden: z, dir })),
  },
  cross: { hidden: 1, hiddenFirst: false, bonds: [0, 1, 2, 3].map((i) => ({ visible: i, hidden: 0, dir: i })) },
};

export interface BlockRbm {
  graph: BlockGraph;
  visibleRep: Representation;
  hiddenRep: Representation;
  /** How the bond mirror acts on the source spin (c4v.ts). */
  mirror: MirrorConvention;
  /** Free couplings P of the representative bond (source = first spin of ε). */
  couplings: number;
  /** Visible states S = 2^(4 d_visible). */
  states: number;
  /**
   * features[((s·H + z)·d_h + a)·P + p]: the field on hidden component a of site z in visible state s
   * from coupling p alone; h = features · J.
   */
  features: Float64Array;
}

/** The bond matrix W (d_v × d_h, visible row, hidden column) of each bond for couplings `params`. */
function bondMatrices(rbm: Pick<BlockRbm, 'graph' | 'visibleRep' | 'hiddenRep' | 'mirror'>, params: ArrayLike<number>): Float64Array[] {
  const g = GRAPH_BONDS[rbm.graph];
  const dv = rbm.visibleRep.d, dh = rbm.hiddenRep.d;
  // ε(src, tgt) = −srcᵀ J_k tgt; for the teacher src = hidden, so W = J_kᵀ
  const byDir = g.hiddenFirst ? bondCouplings(rbm.hiddenRep, rbm.visibleRep, params, rbm.mirror) : bondCouplings(rbm.visibleRep, rbm.hiddenRep, params, rbm.mirror);
  return g.bonds.map((b) => {
    const jk = byDir[b.dir];
    if (!g.hiddenFirst) return jk;
    const w = new Float64Array(dv * dh);
    for (let c = 0; c < dv; c++) for (let a = 0; a < dh; a++) w[c * dh + a] = jk[a * dv + c];
    return w;
  });
}

export function blockRbm(graph: BlockGraph, visibleRep: Representation, hiddenRep: Representation = visibleRep, mirror: MirrorConvention = 'abstract'): BlockRbm {
  const g = GRAPH_BONDS[graph];
  const P = g.hiddenFirst ? freeCouplings(hiddenRep, visibleRep, mirror).length : freeCouplings(visibleRep, hiddenRep, mirror).length;
  const dv = visibleRep.d, dh = hiddenRep.d, H = g.hidden;
  if (4 * dv > 20) throw new RangeError(`visible representation ${visibleRep.name} has ${dv} components: exact marginals need 4·d ≤ 20`);
  const S = 2 ** (4 * dv);
  const features = new Float64Array(S * H * dh * P);
  const unit = new Float64Array(P);
  for (let p = 0; p < P; p++) {
    unit.fill(0);
    unit[p] = 1;
    const ws = bondMatrices({ graph, visibleRep, hiddenRep, mirror }, unit);
    for (let s = 0; s < S; s++) {
      g.bonds.forEach((b, k) => {
        const w = ws[k];
        for (let c = 0; c < dv; c++) {
          const x = (s >> (b.visible * dv + c)) & 1 ? 1 : -1;
          for (let a = 0; a < dh; a++) features[((s * H + b.hidden) * dh + a) * P + p] += x * w[c * dh + a];
        }
      });
    }
  }
  return { graph, visibleRep, hiddenRep, mirror, couplings: P, states: S, features };
}

/** E(x, z) = −Σ_bonds x_vᵀ W_b z_h for visible components x (4·d_v) and hidden components z (H·d_h), each ±1. */
export function blockEnergy(rbm: BlockRbm, J: ArrayLike<number>, x: ArrayLike<number>, z: ArrayLike<number>): number {
  const dv = rbm.visibleRep.d, dh = rbm.hiddenRep.d;
  const ws = bondMatrices(rbm, J);
  let e = 0;
  GRAPH_BONDS[rbm.graph].bonds.forEach((b, k) => {
    for (let c = 0; c < dv; c++) for (let a = 0; a < dh; a++) e -= x[b.visible * dv + c] * ws[k][c * dh + a] * z[b.hidden * dh + a];
  });
  return e;
}

/**
 * Hidden fields h[s][z·d_h + a] for the first `count` visible states (float64). The marginals are
 * Z2-symmetric (flipping every component maps state s to S−1−s), so the first half of the states,
 * those with the top bit clear, carries the whole distribution.
 */
export function hiddenFields(rbm: BlockRbm, J: ArrayLike<number>, count = rbm.states): Float64Array {
  const P = rbm.couplings, n = (rbm.features.length / P / rbm.states) * count;
  const h = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let p = 0; p < P; p++) acc += rbm.features[i * P + p] * J[p];
    h[i] = acc;
  }
  return h;
}

/** ln 2cosh h, stable for large |h|. */
export const logTwoCosh = (h: number) => { const a = Math.abs(h); return a + Math.log1p(Math.exp(-2 * a)); };

/** ln w(x) = ln Σ_z e^{−E(x, z)} for every visible state x (length S). */
export function logVisibleWeights(rbm: BlockRbm, J: ArrayLike<number>, count = rbm.states): Float64Array {
  return logWeightsFromFields(hiddenFields(rbm, J, count), count);
}

/** ln w(x) = Σ ln 2cosh h(x) from the hidden fields of `count` visible states. */
function logWeightsFromFields(h: Float64Array, count: number): Float64Array {
  const per = h.length / count;
  const out = new Float64Array(count);
  for (let s = 0; s < count; s++) {
    let acc = 0;
    for (let i = 0; i < per; i++) acc += logTwoCosh(h[s * per + i]);
    out[s] = acc;
  }
  return out;
}

export function logSumExpArray(x: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i] > m) m = x[i];
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.exp(x[i] - m);
  return m + Math.log(s);
}

/** ln p(x), normalized over the first `count` visible states (all S, or S/2: one of each Z2 pair). */
export function logVisibleProbabilities(rbm: BlockRbm, J: ArrayLike<number>, count = rbm.states): Float64Array {
  return normalizeLog(logVisibleWeights(rbm, J, count));
}

function normalizeLog(lw: Float64Array): Float64Array {
  const z = logSumExpArray(lw);
  return lw.map((v) => v - z);
}

/** D_KL(p ‖ q) in nats from log-probabilities. */
export function klDivergence(logP: ArrayLike<number>, logQ: ArrayLike<number>): number {
  let kl = 0;
  for (let i = 0; i < logP.length; i++) {
    const p = Math.exp(logP[i]);
    if (p > 0) kl += p * (logP[i] - logQ[i]);
  }
  return Math.max(0, kl);
}

/**
 * The student couplings that minimize D_KL(p_teacher ‖ p_student) (exact, deterministic), by
 * Levenberg–Marquardt-damped Newton steps on the exact gradient and Hessian. With g_p = ∂_p ln w =
 * Σ tanh(h)·f_p and H_pq = Σ sech²(h)·f_p f_q (sums over hidden components, f the features):
 *   ∂_p KL = E_q[g_p] − E_p[g_p],   ∂_pq KL = E_q[H_pq] − E_p[H_pq] + Cov_q(g_p, g_q).
 * A step is taken only when it lowers the KL, so the fit descends from `start` to the nearest
 * minimum (a saddle such as J_E = 0, where the gradient vanishes, is kept: callers try several
 * starts). `steps` bounds the Newton iterations; it converges in tens.
 */
export function fitStudent(student: BlockRbm, logTeacher: Float64Array, o: { steps?: number; start?: ArrayLike<number>; tolerance?: number } = {}): { J: Float64Array; kl: number } {
  // logTeacher over all S states, or over the first S/2 (one of each Z2 pair, see hiddenFields)
  const P = student.couplings, S = logTeacher.length;
  const pTeacher = logTeacher.map(Math.exp);
  let J: Float64Array = Float64Array.from(o.start ?? new Float64Array(P).fill(0.1));
  const klAt = (x: ArrayLike<number>) => klDivergence(logTeacher, logVisibleProbabilities(student, x, S));
  let kl = klAt(J), lambda = 1e-3;
  const maxSteps = o.steps ?? 100, tol = o.tolerance ?? 1e-12;
  for (let it = 0; it < maxSteps; it++) {
    const { grad, hess } = klDerivatives(student, J, pTeacher);
    if (grad.reduce((a, g) => Math.max(a, Math.abs(g)), 0) < tol) break;
    let next: { J: Float64Array; kl: number } | null = null;
    // damping λ·(1 + |H_pp|) on the diagonal: λ → 0 is Newton, λ large a short gradient step
    for (let tries = 0; tries < 40 && !next; tries++) {
      const A = hess.map((v, k) => v + (Math.floor(k / P) === k % P ? lambda * (1 + Math.abs(v)) : 0));
      const step = choleskySolve(A, grad, P);
      const trial = step ? J.map((v, p) => v - step[p]) : null;
      const klTrial = trial ? klAt(trial) : Infinity;
      if (trial && klTrial <= kl) next = { J: trial, kl: klTrial };
      else lambda *= 4;
    }
    if (!next) break; // no damping lowers the KL: a minimum to float64 precision
    const gain = kl - next.kl;
    ({ J, kl } = next);
    lambda = Math.max(lambda / 4, 1e-9);
    if (gain <= 1e-15 * Math.max(1, kl)) break;
  }
  return { J, kl };
}

/** Gradient and Hessian (P × P, row-major) of D_KL(p ‖ q_J) in J, exact over the given states. */
function klDerivatives(student: BlockRbm, J: ArrayLike<number>, pTeacher: Float64Array): { grad: Float64Array; hess: Float64Array } {
  const P = student.couplings, S = pTeacher.length, per = student.features.length / P / student.states;
  const h = hiddenFields(student, J, S);
  const q = normalizeLog(logWeightsFromFields(h, S)).map(Math.exp);
  const grad = new Float64Array(P), hess = new Float64Array(P * P), meanQ = new Float64Array(P), g = new Float64Array(P);
  for (let s = 0; s < S; s++) {
    const w = q[s] - pTeacher[s];
    g.fill(0);
    for (let i = 0; i < per; i++) {
      const base = (s * per + i) * P, th = Math.tanh(h[s * per + i]), sech2 = 1 - th * th;
      for (let p = 0; p < P; p++) {
        const f = student.features[base + p];
        g[p] += th * f;
        if (f !== 0) for (let r = 0; r < P; r++) hess[p * P + r] += w * sech2 * f * student.features[base + r];
      }
    }
    for (let p = 0; p < P; p++) {
      grad[p] += w * g[p];
      meanQ[p] += q[s] * g[p];
      for (let r = 0; r < P; r++) hess[p * P + r] += q[s] * g[p] * g[r];
    }
  }
  for (let p = 0; p < P; p++) for (let r = 0; r < P; r++) hess[p * P + r] -= meanQ[p] * meanQ[r];
  return { grad, hess };
}

/** Solves A x = b for a symmetric positive-definite A (n × n) by Cholesky; null if A is not positive definite. */
function choleskySolve(A: Float64Array, b: ArrayLike<number>, n: number): Float64Array | null {
  const Lw = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = A[i * n + j];
      for (let k = 0; k < j; k++) sum -= Lw[i * n + k] * Lw[j * n + k];
      if (i === j) { if (!(sum > 0)) return null; Lw[i * n + i] = Math.sqrt(sum); } else Lw[i * n + j] = sum / Lw[j * n + j];
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) { let sum = b[i]; for (let k = 0; k < i; k++) sum -= Lw[i * n + k] * y[k]; y[i] = sum / Lw[i * n + i]; }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) { let sum = y[i]; for (let k = i + 1; k < n; k++) sum -= Lw[k * n + i] * x[k]; x[i] = sum / Lw[i * n + i]; }
  return x;
}

/**
 * Block Gibbs sampling of visible states: `count` chains from random states (or from `start`),
 * `steps` sweeps x → z → x. The bonds are gathered once into the dense visible × hidden weight matrix
 * (at most 20 × 20 components), so a sweep is two small matrix–vector products.
 */
export function gibbsVisible(rbm: BlockRbm, J: ArrayLike<number>, count: number, steps: number, rng: Rng, start?: Int32Array): Int32Array {
  const dv = rbm.visibleRep.d, dh = rbm.hiddenRep.d, nv = 4 * dv, nh = GRAPH_BONDS[rbm.graph].hidden * dh;
  const ws = bondMatrices(rbm, J);
  const W = new Float64Array(nv * nh); // [nv, nh]: visible component j = site·d_v + c, hidden i = site·d_h + a
  GRAPH_BONDS[rbm.graph].bonds.forEach((b, k) => {
    for (let c = 0; c < dv; c++) for (let a = 0; a < dh; a++) W[(b.visible * dv + c) * nh + b.hidden * dh + a] += ws[k][c * dh + a];
  });
  const states = start ? Int32Array.from(start) : Int32Array.from({ length: count }, () => rng.below(rbm.states));
  const x = new Float64Array(nv), z = new Float64Array(nh);
  for (let n = 0; n < states.length; n++) {
    let s = states[n];
    for (let t = 0; t < steps; t++) {
      for (let j = 0; j < nv; j++) x[j] = (s >> j) & 1 ? 1 : -1;
      for (let i = 0; i < nh; i++) {
        let h = 0;
        for (let j = 0; j < nv; j++) h += x[j] * W[j * nh + i];
        z[i] = rng.uniform() < 1 / (1 + Math.exp(-2 * h)) ? 1 : -1;
      }
      s = 0;
      for (let j = 0; j < nv; j++) {
        let f = 0;
        for (let i = 0, row = j * nh; i < nh; i++) f += W[row + i] * z[i];
        if (rng.uniform() < 1 / (1 + Math.exp(-2 * f))) s |= 1 << j;
      }
    }
    states[n] = s;
  }
  return states;
}

/**
 * The Boltzmann weight tensor T(J)_{x0 x1 x2 x3} = Σ_z e^{−E_J(x, z)} (Eq. 22), each leg a visible
 * site with D = 2^d states; element index x0 + D·x1 + D²·x2 + D³·x3 (the visible-state index).
 * Normalized to a largest element of 1 (every use below is scale-free).
 */
export function weightTensor(rbm: BlockRbm, J: ArrayLike<number>): { D: number; T: Float64Array } {
  const lw = logVisibleWeights(rbm, J);
  let m = -Infinity;
  for (const v of lw) if (v > m) m = v;
  return { D: 2 ** rbm.visibleRep.d, T: lw.map((v) => Math.exp(v - m)) };
}

const at = (D: number, a: number, b: number, c: number, d: number) => a + D * (b + D * (c + D * d));

/**
 * Ground-state degeneracy Z(J) = (T_abab)² / (T_acbc T_bdad) (Gu & Wen): 1 at the disordered and 2
 * at the Z2-ordered fixed point. (Eq. 23 of the paper prints the inverse ratio, which would give ½.)
 */
export function groundStateDegeneracy(t: { D: number; T: Float64Array }): number {
  const { D, T } = t;
  let trace = 0;
  for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) trace += T[at(D, a, b, a, b)];
  const m = transferMatrix(t); // M_ab = T_acbc
  const mt = new Float64Array(D * D); // T_bdad summed over d: N_ba = Σ_d T_{b d a d} = M_ba
  for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) mt[a * D + b] = m[b * D + a];
  let twice = 0;
  for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) twice += m[a * D + b] * mt[a * D + b];
  return (trace * trace) / twice;
}

/** The transfer matrix M_ab = T_acbc (Eq. 25), D × D row-major. */
export function transferMatrix(t: { D: number; T: Float64Array }): Float64Array {
  const { D, T } = t;
  const m = new Float64Array(D * D);
  for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) {
    let s = 0;
    for (let c = 0; c < D; c++) s += T[at(D, a, c, b, c)];
    m[a * D + b] = s;
  }
  return m;
}

/** Eigenvalues of a symmetric matrix (cyclic Jacobi), largest |λ| first. */
export function symmetricEigenvalues(a0: Float64Array, n: number): number[] {
  const a = Float64Array.from(a0);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) {
      const apq = a[p * n + q];
      if (Math.abs(apq) < 1e-300) continue;
      const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
      const tt = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(tt * tt + 1), s = tt * c;
      for (let k = 0; k < n; k++) {
        const akp = a[k * n + p], akq = a[k * n + q];
        a[k * n + p] = c * akp - s * akq;
        a[k * n + q] = s * akp + c * akq;
      }
      for (let k = 0; k < n; k++) {
        const apk = a[p * n + k], aqk = a[q * n + k];
        a[p * n + k] = c * apk - s * aqk;
        a[q * n + k] = s * apk + c * aqk;
      }
    }
  }
  return Array.from({ length: n }, (_, i) => a[i * n + i]).sort((x, y) => Math.abs(y) - Math.abs(x));
}

/**
 * Scaling dimensions from the transfer matrix (Eq. 26): λ_k ∝ e^{−2π(Δ_k − c/12)}, so
 * Δ_k = −ln(|λ_k| / |λ_0|) / 2π with Δ_0 = 0 fixing the proportionality.
 */
export function scalingDimensions(t: { D: number; T: Float64Array }): number[] {
  const m = transferMatrix(t);
  const D = t.D;
  const sym = new Float64Array(D * D);
  for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) sym[a * D + b] = 0.5 * (m[a * D + b] + m[b * D + a]);
  const ev = symmetricEigenvalues(sym, D);
  return ev.map((l) => -Math.log(Math.abs(l) / Math.abs(ev[0])) / (2 * Math.PI));
}

/** The minimal KL (bits) of a student of representation `studentRep` to the A1 teacher at J (Fig. 4), best of a few starts. */
export function minimalKlBits(studentRep: string, J: number, rng: Rng, starts = 3): number {
  const a1 = representation('A1');
  const logTeacher = logVisibleProbabilities(blockRbm('square', a1), [J]);
  const student = blockRbm('cross', a1, representation(studentRep));
  let best = Infinity;
  for (let s = 0; s < starts; s++) {
    const start = Float64Array.from({ length: student.couplings }, (_, p) => (p === 0 ? J : 0.3 * rng.normal()));
    best = Math.min(best, klDivergence(logTeacher, logVisibleProbabilities(student, fitStudent(student, logTeacher, { start }).J)));
  }
  return best / Math.LN2;
}

/** One level of the exact RG map: the teacher's couplings, the KL (bits) of the best student, and the teacher's Z. */
export interface ExactRgLevel { J: number[]; klBits: number; Z: number }

/**
 * The exact KL-optimal RG map iterated with no network: the teacher at J_ℓ → the student couplings
 * J_{ℓ+1} = argmin D_KL(p_tch ‖ p_std), which parametrize the next teacher (the student's block,
 * embedded in the coarse Lieb lattice, is the next level's teacher block). Each fit starts from the
 * teacher's couplings and from their gauge images (the hidden E doublet's sign, see mlrg study
 * notes), keeping the best. Stops early once the flow has clearly left for a phase (ordered: |J0| > 4,
 * or a fixed point with Z > 1.95, i.e. J changing by < 0.01 for three levels, compared after folding by
 * the irrep sign flips (c4v.ts couplingFold); disordered: the
 * teacher's Z < 1.005 or every |J| < 0.02); otherwise the phase is 'undecided'.
 */
export function exactRgFlow(rep: Representation, J0: number, levels: number, mirror: MirrorConvention, o: { steps?: number } = {}): ExactRgFlow {
  return iterateExactMap(blockRbm('square', rep, rep, mirror), blockRbm('cross', rep, rep, mirror), J0, levels, o.steps);
}

export interface ExactRgFlow { levels: ExactRgLevel[]; phase: 'ordered' | 'disordered' | 'undecided' }

/**
 * One step of the exact KL-optimal map: the best student for the teacher at J (folded states), fitted
 * from J, from its gauge image and from a perturbation that depends on the level, keeping the best.
 */
export function bestStudent(teacher: BlockRbm, student: BlockRbm, J: Float64Array, level: number, steps?: number): { J: Float64Array; kl: number } {
  const logTeacher = logVisibleProbabilities(teacher, J, teacher.states / 2);
  // J1 = J2 = … = 0 is a saddle of the KL (the gauge J_E → −J_E), so one start leaves it
  const starts = [Float64Array.from(J), Float64Array.from(J, (v, p) => (p === 0 ? v : -v)), Float64Array.from(J, (v, p) => (p === 0 ? v : v + 0.1 * Math.cos(3 * p + level)))];
  let best: { J: Float64Array; kl: number } = { J, kl: Infinity };
  for (const start of starts) {
    const r = fitStudent(student, logTeacher, { start, steps });
    if (r.kl < best.kl) best = r;
  }
  return best;
}

/** Largest change of a coupling from J to `next`, both folded (c4v.ts couplingFold): 0 between images of one point. */
function foldedStep(fold: CouplingFold, J: ArrayLike<number>, next: ArrayLike<number>): number {
  const a = foldCouplings(fold, J), b = foldCouplings(fold, next);
  return a.reduce((m, v, p) => Math.max(m, Math.abs(v - b[p])), 0);
}

function iterateExactMap(teacher: BlockRbm, student: BlockRbm, J0: number, levels: number, steps?: number): ExactRgFlow {
  const P = teacher.couplings;
  // steps are compared folded: successive best students may be different images of one point
  const fold = couplingFold(teacher.hiddenRep, teacher.visibleRep, teacher.mirror);
  let J: Float64Array = Float64Array.from({ length: P }, (_, p) => (p === 0 ? J0 : 0));
  const out: ExactRgLevel[] = [];
  let settledOrdered = 0;
  for (let l = 0; l < levels; l++) {
    const best = bestStudent(teacher, student, J, l, steps);
    const Z = groundStateDegeneracy(weightTensor(teacher, J));
    out.push({ J: Array.from(J), klBits: best.kl / Math.LN2, Z });
    const change = foldedStep(fold, J, best.J);
    J = best.J;
    const big = Math.max(...Array.from(J, Math.abs));
    // an ordered fixed point need not have a large J0: with two A1 components both can order (Z = 4)
    settledOrdered = Z > 1.95 && change < 0.01 ? settledOrdered + 1 : 0;
    // |J0|: J0 → −J0 is the gauge z0 → −z0 of the student's A1 component
    if (Math.abs(J[0]) > 4 || settledOrdered >= 3) return { levels: out, phase: 'ordered' };
    // near J = 0 the A1 map is J' ≈ 0.82 J, so disorder is recognised by the block's Z → 1 (it is ≥ 1.05 near the critical point)
    if (big < 0.02 || Z < 1.005) return { levels: out, phase: 'disordered' };
  }
  // a block's Z is far from 1 or 2 near criticality, so only a flow that has left says where it went
  return { levels: out, phase: 'undecided' };
}

/** The critical coupling of the exact KL-optimal map on the axis J = (J0, 0, …) (Eq. 20), and the flows it took. */
export interface ExactCriticalCoupling {
  /** Midpoint of the final bracket; null when the ends of the search window are not in opposite phases. */
  J0: number | null;
  /** J0 values known to flow to disorder (lower) and to order (upper). */
  bracket: [number, number];
  flows: number;
  /** Set when a flow within the bracket stayed near the critical point for all levels, which ends the search. */
  undecidedAt: number | null;
}

/**
 * Where the exact KL-optimal RG map of a representation separates the phases on the J0 axis: the
 * value a perfectly trained RG monotone of that truncation would find as J0* (Eq. 21), and the one
 * to compare with J0c = 0.7643 to see what the truncation itself allows. Bisection on J0 in
 * [lo, hi]: each J0 is iterated until its flow leaves (see exactRgFlow)
 * or `levels` pass; a flow still undecided then lies within ~slope^−levels of the separatrix and
 * ends the search.
 */
export function exactCriticalCoupling(rep: Representation, mirror: MirrorConvention, o: { iterations: number; levels?: number; lo?: number; hi?: number }): ExactCriticalCoupling {
  const teacher = blockRbm('square', rep, rep, mirror), student = blockRbm('cross', rep, rep, mirror);
  const levels = o.levels ?? 48;
  let lo = o.lo ?? 0.05, hi = o.hi ?? 1.5, flows = 0;
  const phase = (J0: number) => { flows++; return iterateExactMap(teacher, student, J0, levels).phase; };
  if (phase(lo) !== 'disordered' || phase(hi) !== 'ordered') return { J0: null, bracket: [lo, hi], flows, undecidedAt: null };
  for (let i = 0; i < o.iterations; i++) {
    const mid = (lo + hi) / 2, p = phase(mid);
    if (p === 'undecided') return { J0: mid, bracket: [lo, hi], flows, undecidedAt: mid };
    if (p === 'ordered') hi = mid; else lo = mid;
  }
  return { J0: (lo + hi) / 2, bracket: [lo, hi], flows, undecidedAt: null };
}

/** Where the exact map's critical flow lingers: its fixed point as seen from J0 near the separatrix. */
export interface ExactCriticalFixedPoint {
  /** The level with the smallest step, its couplings (folded), block Z and scaling dimensions Δ1, Δ2 (Eqs. 25–26). */
  level: number;
  J: number[];
  Z: number;
  deltas: number[];
  /** Largest change of a folded coupling over that level's step (0 at an exact fixed point). */
  change: number;
}

/**
 * The fixed point of the exact KL-optimal map that its critical flow approaches: the map iterated
 * `levels` levels from (J0, 0, …) with J0 the critical coupling (exactCriticalCoupling), and the level
 * whose step moves the couplings least. Steps are compared after folding by the irrep sign flips
 * (c4v.ts couplingFold), since the best student of each level is one of several equivalent ones. Its
 * Δ1 is the scaling dimension a perfectly trained monotone of the truncation would find.
 */
export function exactCriticalFixedPoint(rep: Representation, mirror: MirrorConvention, J0: number, levels = 8): ExactCriticalFixedPoint {
  const teacher = blockRbm('square', rep, rep, mirror), student = blockRbm('cross', rep, rep, mirror);
  const fold = couplingFold(rep, rep, mirror);
  let J: Float64Array = Float64Array.from({ length: teacher.couplings }, (_, p) => (p === 0 ? J0 : 0));
  let best: { level: number; J: Float64Array; change: number } = { level: 0, J, change: Infinity };
  for (let l = 0; l < levels; l++) {
    const next = bestStudent(teacher, student, J, l).J;
    const change = foldedStep(fold, J, next);
    if (change < best.change) best = { level: l, J, change };
    J = next;
  }
  const t = weightTensor(teacher, best.J);
  return { level: best.level, J: Array.from(foldCouplings(fold, best.J)), Z: groundStateDegeneracy(t), deltas: scalingDimensions(t).slice(1, 3), change: best.change };
}

