import { test } from 'node:test';
import assert from 'node:assert/strict';
import { couplingFold, foldCouplings, freeCouplings, groupMatrix, MIRROR_CONVENTIONS, representation } from '../src/lattice/c4v.js';
import { blockEnergy, blockRbm, exactRgFlow, fitStudent, gibbsVisible, groundStateDegeneracy, klDivergence, logVisibleProbabilities, logVisibleWeights, symmetricEigenvalues, weightTensor, type BlockGraph, type BlockRbm } from '../src/models/mlrg/rbm.js';
import { mlrgStudy } from '../src/studies/mlrg.js';
import { configure } from '../src/studies/study.js';
import { Rng } from '../src/sampling/rng.js';

test('free couplings: the mirror σ leaves 1, 5 and 10 of them for A1, A1+E, 2A1+E (Eqs. 16–18)', () => {
  for (const [name, count] of [['A1', 1], ['A1+E', 5], ['2A1+E', 10], ['A1+B1+E', 10]] as const) {
    const r = representation(name);
    assert.equal(freeCouplings(r, r).length, count, name);
  }
  assert.deepEqual(freeCouplings(representation('A1+E'), representation('A1+E')), [[0, 0], [0, 1], [1, 0], [1, 1], [2, 2]]);
  assert.throws(() => representation('A1+F'), /representation A1\+F is not a sum of C4v irreps/);
  // geometric mirror: the source side sees the diagonal mirror (E: e_x ± e_y with parities ±1; B1 odd)
  for (const [name, count] of [['A1', 1], ['A1+E', 5], ['2A1+E', 10], ['A1+B1+E', 8]] as const) {
    const r = representation(name);
    assert.equal(freeCouplings(r, r, 'geometric').length, count, `${name} geometric`);
  }
});

test('irrep sign flips: each basis flip of the couplings gives the teacher the same marginal up to a relabeling of visible components, and folding lands in the domain', () => {
  for (const mirror of MIRROR_CONVENTIONS) {
    const rep = representation('A1+E'), teacher = blockRbm('square', rep, rep, mirror);
    const fold = couplingFold(rep, rep, mirror);
    assert.deepEqual(fold.pivots, [0, 1, 2], mirror);
    // the visible relabelings: flip the A1 component (bit 0 of each site), the E pair (bits 1, 2), or both
    const d = rep.d, masks = [0b001, 0b110, 0b111].map((m) => [0, 1, 2, 3].reduce((a, i) => a | (m << (i * d)), 0));
    const rng = Rng.stream(31);
    const J = Float64Array.from({ length: fold.couplings }, () => rng.normal());
    const lp = logVisibleProbabilities(teacher, J);
    fold.flips.forEach((flip) => {
      const flipped = J.map((v, p) => (flip.includes(p) ? -v : v));
      const lq = logVisibleProbabilities(teacher, flipped);
      const gap = (mask: number) => Math.max(...Array.from(lq, (v, x) => Math.abs(v - lp[x ^ mask])));
      const best = Math.min(gap(0), ...masks.map(gap));
      assert.ok(best < 1e-12, `${mirror}: flip ${flip} changes the marginal beyond relabeling (${best})`);
    });
    for (let k = 0; k < 20; k++) {
      const x = Float64Array.from({ length: fold.couplings }, () => rng.normal());
      const y = foldCouplings(fold, x);
      for (const p of fold.pivots) assert.ok(y[p] >= 0, `pivot ${p} of ${y}`);
      assert.deepEqual(foldCouplings(fold, y), y);
      // y is an image of x under the group: the same teacher marginal up to a relabeling
      // (taking |J| of every coupling would pass the checks above but not this one)
      const lx = logVisibleProbabilities(teacher, x), ly = logVisibleProbabilities(teacher, y);
      const gap = (mask: number) => Math.max(...Array.from(ly, (v, s) => Math.abs(v - lx[s ^ mask])));
      assert.ok(Math.min(gap(0), ...masks.map(gap)) < 1e-12, `${mirror}: fold of ${Array.from(x)} is not in its orbit`);
    }
  }
  // 2A1+E: 3 blocks on each side, 6 flips, one relation (all of them together is the identity)
  const r2 = representation('2A1+E');
  assert.equal(couplingFold(r2, r2).flips.length, 5);
});

test('group matrices: C4⁴ = 1, σ² = 1, σ C4 σ = C4⁻¹ in every irrep', () => {
  const r = representation('A1+A2+B1+B2+E');
  const eye = groupMatrix(r, 0, 0);
  assert.deepEqual(Array.from(groupMatrix(r, 4, 0)), Array.from(eye));
  const sc = groupMatrix(r, 1, 1); // C4 σ
  // (C4 σ)² = 1 for a reflection
  const d = r.d, sq = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) for (let j = 0; j < d; j++) sq[i * d + j] += sc[i * d + k] * sc[k * d + j];
  assert.deepEqual(Array.from(sq), Array.from(eye));
});

/** Site permutations of C4ᵏσᵐ on each graph (σ first): the bonds' directions go k → −k, then +1 per quarter turn. */
function permute(graph: BlockGraph, k: number, m: number): { visible: (i: number) => number; hidden: (i: number) => number } {
  const turn = (i: number, n: number) => (((i + k) % n) + n) % n;
  if (graph === 'cross') return { visible: (i) => turn(m ? -i : i, 4), hidden: () => 0 };
  return { visible: (i) => turn(m ? 3 - i : i, 4), hidden: (i) => turn(m ? 2 - i : i, 4) };
}

test('equivariant RBM energies are invariant under all of C4v and under Z2 (teacher and student, several representations, both mirror conventions)', () => {
  const rng = Rng.stream(3);
  for (const name of ['A1', 'A1+E', '2A1+E', 'A1+B1+E', 'A2+B2+E']) for (const mirror of MIRROR_CONVENTIONS) {
    const rep = representation(name);
    for (const graph of ['square', 'cross'] as const) {
      const rbm = blockRbm(graph, rep, rep, mirror);
      const H = graph === 'square' ? 4 : 1, d = rep.d;
      for (let trial = 0; trial < 5; trial++) {
        const J = Array.from({ length: rbm.couplings }, () => rng.normal());
        const x = Int8Array.from({ length: 4 * d }, () => (rng.uniform() < 0.5 ? 1 : -1));
        const z = Int8Array.from({ length: H * d }, () => (rng.uniform() < 0.5 ? 1 : -1));
        const e = blockEnergy(rbm, J, x, z);
        assert.ok(Math.abs(blockEnergy(rbm, J, x.map((v) => -v), z.map((v) => -v)) - e) < 1e-12, 'Z2');
        for (let k = 0; k < 4; k++) for (let m = 0; m < 2; m++) {
          // the source spins of the bonds (teacher: hidden, student: visible) see σ as C4·σ in the geometric convention
          const p = permute(graph, k, m), diagonal = mirror === 'geometric';
          const tv = groupMatrix(rep, k, m, diagonal && graph === 'cross'), th = groupMatrix(rep, k, m, diagonal && graph === 'square');
          const move = (s: Int8Array, sites: number, to: (i: number) => number, t: Float64Array) => {
            const out = new Int8Array(s.length);
            for (let i = 0; i < sites; i++) for (let a = 0; a < d; a++) {
              let v = 0;
              for (let b = 0; b < d; b++) v += t[a * d + b] * s[i * d + b];
              out[to(i) * d + a] = v;
            }
            return out;
          };
          const e2 = blockEnergy(rbm, J, move(x, 4, p.visible, tv), move(z, H, p.hidden, th));
          assert.ok(Math.abs(e2 - e) < 1e-12, `${name} ${mirror} ${graph} C4^${k} σ^${m}: ${e2} vs ${e}`);
        }
      }
    }
  }
});

test('visible marginals equal the sum over hidden configurations (A1+E teacher and student)', () => {
  const rep = representation('A1+E');
  const rng = Rng.stream(4);
  for (const graph of ['square', 'cross'] as const) {
    const rbm = blockRbm(graph, rep);
    const H = graph === 'square' ? 4 : 1;
    const J = Array.from({ length: rbm.couplings }, () => 0.5 * rng.normal());
    const lw = logVisibleWeights(rbm, J);
    for (const s of [0, 1, 777, 4095, rng.below(4096)]) {
      const x = Int8Array.from({ length: 12 }, (_, i) => ((s >> i) & 1 ? 1 : -1));
      let sum = 0;
      for (let zs = 0; zs < 2 ** (3 * H); zs++) {
        const z = Int8Array.from({ length: 3 * H }, (_, i) => ((zs >> i) & 1 ? 1 : -1));
        sum += Math.exp(-blockEnergy(rbm, J, x, z));
      }
      assert.ok(Math.abs(lw[s] - Math.log(sum)) < 1e-10, `${graph} state ${s}`);
    }
  }
});

test('Eq. (11): the A1 teacher marginal is the 4-spin Ising ring with J_eff = ½ ln cosh 2J', () => {
  const a1 = representation('A1');
  const teacher = blockRbm('square', a1);
  for (const J of [0.3, 0.7643, 1.5]) {
    const lp = logVisibleProbabilities(teacher, [J]);
    const jEff = 0.5 * Math.log(Math.cosh(2 * J));
    const ring = (s: number) => { const x = [0, 1, 2, 3].map((i) => ((s >> i) & 1 ? 1 : -1)); return jEff * (x[0] * x[1] + x[1] * x[2] + x[2] * x[3] + x[3] * x[0]); };
    for (let s = 1; s < 16; s++) assert.ok(Math.abs(lp[s] - lp[0] - (ring(s) - ring(0))) < 1e-12, `J ${J} state ${s}`);
  }
});

test('Eq. (12): the A1+E student energy', () => {
  const student = blockRbm('cross', representation('A1'), representation('A1+E'));
  assert.equal(student.couplings, 2);
  const [jaa, jae] = [0.4, -0.9];
  for (let s = 0; s < 16; s++) for (let zs = 0; zs < 8; zs++) {
    const x = [0, 1, 2, 3].map((i) => ((s >> i) & 1 ? 1 : -1)), z = [0, 1, 2].map((i) => ((zs >> i) & 1 ? 1 : -1));
    const eq12 = -jaa * (x[0] + x[1] + x[2] + x[3]) * z[0] - jae * ((x[0] - x[2]) * z[1] + (x[1] - x[3]) * z[2]);
    assert.ok(Math.abs(blockEnergy(student, [jaa, jae], x, z) - eq12) < 1e-12);
  }
});

test('Fig. 4: a larger student representation fits the A1 teacher at least as well; at J = 0 the fit is exact', () => {
  const a1 = representation('A1');
  const teacher = blockRbm('square', a1);
  const kl = (rep: string, J: number) => fitStudent(blockRbm('cross', a1, representation(rep)), logVisibleProbabilities(teacher, [J])).kl;
  assert.ok(kl('A1', 0) < 1e-8);
  const small = kl('A1', 0.8), large = kl('A1+E', 0.8);
  assert.ok(small > 1e-3, `A1 student cannot match the ring: ${small}`);
  assert.ok(large < small, `${large} < ${small}`);
});

test('fitStudent recovers a student marginal exactly, in a few Newton steps (exact gradient and Hessian)', () => {
  const rep = representation('A1+E');
  const student = blockRbm('cross', rep, rep, 'geometric');
  const Jtrue = [0.7, 0.3, -0.2, 0.4, 0.25];
  const target = logVisibleProbabilities(student, Jtrue, student.states / 2);
  // 12 Newton iterations: a first-order method with this budget stays far off (Adam needed thousands)
  const fit = fitStudent(student, target, { start: [0.5, 0.15, -0.05, 0.2, 0.1], steps: 12 });
  assert.ok(fit.kl < 1e-12, `KL ${fit.kl}`);
  fit.J.forEach((v, p) => assert.ok(Math.abs(v - Jtrue[p]) < 1e-5, `J${p} = ${v}, expected ${Jtrue[p]}`));
});

/** Largest |ln p(s) − ln p(g s)| over the visible states, for g a site permutation with component matrix t. */
function asymmetry(logP: Float64Array, d: number, to: (i: number) => number, t: Float64Array): number {
  let worst = 0;
  for (let s = 0; s < logP.length; s++) {
    let g = 0;
    for (let i = 0; i < 4; i++) for (let a = 0; a < d; a++) {
      let v = 0;
      for (let b = 0; b < d; b++) v += t[a * d + b] * ((s >> (i * d + b)) & 1 ? 1 : -1);
      if (v > 0) g |= 1 << (to(i) * d + a);
    }
    worst = Math.max(worst, Math.abs(logP[s] - logP[g]));
  }
  return worst;
}

test('only the geometric mirror gives the student the symmetry group of the teacher\'s marginal (A1+E, E components correlated)', () => {
  const rep = representation('A1+E'), rng = Rng.stream(8);
  for (const mirror of MIRROR_CONVENTIONS) {
    const teacher = blockRbm('square', rep, rep, mirror), student = blockRbm('cross', rep, rep, mirror);
    const J = Array.from({ length: teacher.couplings }, () => 0.6 * rng.normal());
    // the student's mirror on its visible (source) spins: sites i → −i, components T_σ or C4·T_σ
    const studentMirror = groupMatrix(rep, 0, 1, mirror === 'geometric');
    const teacherMirror = groupMatrix(rep, 0, 1); // visible = target side of the teacher: T_σ, sites i → 3 − i
    const ofTeacher = asymmetry(logVisibleProbabilities(teacher, J), 3, (i) => (4 - i) % 4, studentMirror);
    const ofStudent = asymmetry(logVisibleProbabilities(student, J), 3, (i) => 3 - i, teacherMirror);
    if (mirror === 'geometric') {
      assert.ok(ofTeacher < 1e-10 && ofStudent < 1e-10, `geometric: ${ofTeacher}, ${ofStudent}`);
    } else {
      assert.ok(ofTeacher > 1e-2 && ofStudent > 1e-2, `abstract: the two machines have different mirror groups (${ofTeacher}, ${ofStudent})`);
    }
  }
});

test('exact KL-optimal A1+E map from J0c: level 0 is Fig. 4\'s fit for both conventions; at level 1 the geometric mirror fits far better', () => {
  const rep = representation('A1+E');
  const [abstract, geometric] = MIRROR_CONVENTIONS.map((m) => exactRgFlow(rep, 0.7643, 2, m, { steps: 1200 }));
  assert.ok(Math.abs(abstract.levels[0].klBits - geometric.levels[0].klBits) < 1e-4, 'an A1 teacher: E components free, the conventions agree');
  // the same level-0 student (Eq. 12), up to the gauge sign of J1
  for (const p of [0, 1]) assert.ok(Math.abs(Math.abs(abstract.levels[1].J[p]) - Math.abs(geometric.levels[1].J[p])) < 1e-3, `J${p}`);
  assert.ok(geometric.levels[1].klBits < 0.5 * abstract.levels[1].klBits, `level 1: geometric ${geometric.levels[1].klBits} vs abstract ${abstract.levels[1].klBits} bits`);
});

/** Pearson χ² of the Z2-folded histogram of `states` against the exact visible marginal log-probabilities `lp` (all states), and its degrees of freedom. */
function foldedChiSquare(lp: Float64Array, states: Int32Array): { chi2: number; df: number } {
  const S = lp.length, count = new Float64Array(S / 2);
  for (const s of states) count[s < S / 2 ? s : S - 1 - s]++;
  let chi2 = 0, df = -1;
  for (let s = 0; s < S / 2; s++) {
    const expected = states.length * (Math.exp(lp[s]) + Math.exp(lp[S - 1 - s]));
    if (expected < 5) continue; // too rare for the χ² approximation
    chi2 += (count[s] - expected) ** 2 / expected;
    df++;
  }
  return { chi2, df };
}

test('CD mode: block Gibbs from random states at the study\'s default sweeps draws the exact teacher marginal (A1 at J0 = 1.3, A1+E), and CD-k steps leave the student\'s marginal invariant (χ², 5σ)', () => {
  const sweeps = mlrgStudy.defaults('quick').gibbsSteps;
  const rng = Rng.stream(3, 1), N = 100_000;
  const within = ({ chi2, df }: { chi2: number; df: number }) => chi2 < df + 5 * Math.sqrt(2 * df);
  const A1 = representation('A1'), A1E = representation('A1+E');
  const cases: [string, BlockRbm, number[]][] = [
    ['A1 teacher', blockRbm('square', A1), [1.3]],
    ['A1+E teacher', blockRbm('square', A1E), [1.1, 0.3, -0.2, 0.15, 0.1]],
  ];
  for (const [name, rbm, J] of cases) {
    const r = foldedChiSquare(logVisibleProbabilities(rbm, J), gibbsVisible(rbm, J, N, sweeps, rng));
    assert.ok(within(r), `${name}, ${sweeps} sweeps: χ² ${r.chi2.toFixed(1)} on ${r.df} degrees of freedom`);
  }
  // the authors' 5 sweeps are out of equilibrium here: the test can tell
  const short = foldedChiSquare(logVisibleProbabilities(cases[0][1], [1.3]), gibbsVisible(cases[0][1], [1.3], N, 5, rng));
  assert.ok(!within(short), `5 sweeps: χ² ${short.chi2.toFixed(1)} on ${short.df}`);
  // a student chain started in its own (exactly drawn) marginal stays there after one CD step
  const student = blockRbm('cross', A1E), Js = [0.9, 0.4, 0.2, -0.3, 0.1];
  const lp = logVisibleProbabilities(student, Js);
  const cdf = Array.from(lp, Math.exp);
  for (let k = 1; k < cdf.length; k++) cdf[k] += cdf[k - 1];
  const start = Int32Array.from({ length: N }, () => { const u = rng.uniform() * cdf[cdf.length - 1]; let k = 0; while (cdf[k] < u) k++; return k; });
  const r = foldedChiSquare(lp, gibbsVisible(student, Js, N, 1, rng, start));
  assert.ok(within(r), `student CD-1 step: χ² ${r.chi2.toFixed(1)} on ${r.df}`);
});

test('ground-state degeneracy: Z → 1 in the disordered and → 2 in the ordered phase (A1 teacher)', () => {
  const teacher = blockRbm('square', representation('A1'));
  assert.ok(Math.abs(groundStateDegeneracy(weightTensor(teacher, [0.01])) - 1) < 1e-3);
  assert.ok(Math.abs(groundStateDegeneracy(weightTensor(teacher, [4])) - 2) < 1e-3);
});

test('symmetric eigenvalues (Jacobi) of a known matrix', () => {
  const ev = symmetricEigenvalues(Float64Array.from([2, 1, 0, 1, 2, 0, 0, 0, -5]), 3);
  assert.deepEqual(ev.map((x) => Math.round(x * 1e10) / 1e10), [-5, 3, 1]);
  assert.equal(klDivergence([Math.log(0.5), Math.log(0.5)], [Math.log(0.5), Math.log(0.5)]), 0);
});

test('the float64 monotone agrees with the TensorFlow.js one (C, ∇C, RK4 flow)', async () => {
  const tf = await import('@tensorflow/tfjs-core');
  const { initBackend } = await import('../src/nn/backend.js');
  const { createMonotone, MonotoneF64, monotoneValue, monotoneGradient, rgFlow, disposeMonotone } = await import('../src/models/mlrg/monotone.js');
  await initBackend('cpu');
  const m = createMonotone(3, [24, 12], Rng.stream(1));
  const f = new MonotoneF64(m);
  const J = [0.3, -0.2, 0.5];
  const t = tf.tensor2d([J]);
  assert.ok(Math.abs(f.value(J) - monotoneValue(m, t).dataSync()[0]) < 1e-5);
  const g = monotoneGradient(m, t).dataSync(), g64 = f.gradient(J);
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(g[i] - g64[i]) < 1e-5);
  const j1 = rgFlow(m, t, 1, 2).dataSync(), j64 = f.flow(J, 1, 2);
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(j1[i] - j64[i]) < 1e-4);
  assert.equal(f.value([0, 0, 0]), 0, 'C(0) = 0 fixes the shift');
  disposeMonotone(m);
});

test('neural ODE: the gradient of a loss of J(ℓ) in θ matches finite differences (second derivatives of C)', async () => {
  const tf = await import('@tensorflow/tfjs-core');
  const { initBackend } = await import('../src/nn/backend.js');
  const { createMonotone, rgFlow, disposeMonotone } = await import('../src/models/mlrg/monotone.js');
  await initBackend('cpu');
  const m = createMonotone(2, [8, 4], Rng.stream(1));
  const J = tf.tensor2d([0.3, -0.2, 0.8, 0.1], [2, 2]);
  const loss = () => tf.mul(100, tf.sum(tf.square(tf.sub(rgFlow(m, J, 0.3, 4), J)))) as import('@tensorflow/tfjs-core').Scalar;
  const { grads } = tf.variableGrads(loss, Object.values(m.params));
  const w = m.params.w0, g = grads[w.name].dataSync(), base = w.dataSync().slice(), eps = 2e-3;
  for (const k of [0, 3, 7]) {
    const at = (d: number) => { const v = base.slice(); v[k] += d; w.assign(tf.tensor(v, w.shape)); const l = loss().dataSync()[0]; w.assign(tf.tensor(base, w.shape)); return l; };
    const fd = (at(eps) - at(-eps)) / (2 * eps);
    assert.ok(Math.abs(g[k] - fd) < 2e-3 * Math.max(1, Math.abs(fd)), `w0[${k}]: ${g[k]} vs ${fd}`);
  }
  disposeMonotone(m);
});

test('HMC proposals with replica exchange sample p(J) ∝ exp(−β‖∇C‖² − J²/2s²) (1 coupling, against the density on a grid, 5σ)', async () => {
  const { initBackend } = await import('../src/nn/backend.js');
  const { createMonotone, MonotoneF64, proposeCouplings, disposeMonotone } = await import('../src/models/mlrg/monotone.js');
  await initBackend('cpu');
  const m = createMonotone(1, [8, 4], Rng.stream(7));
  const f = new MonotoneF64(m);
  const beta = 10, s = 1;
  // exact moments of the target by quadrature
  let z = 0, m1 = 0, m2 = 0;
  for (let x = -8; x <= 8; x += 1e-3) { const w = Math.exp(-beta * f.gradient([x])[0] ** 2 - x * x / (2 * s * s)); z += w; m1 += w * x; m2 += w * x * x; }
  const exactMean = m1 / z, exactVar = m2 / z - exactMean ** 2;
  // this network's ‖∇C‖² has a barrier of height ≈ 29 near J = −1: single chains stay in the mode
  // they start in (mean 0.02 instead of 0.21); replica exchange with β = 0 … 10 crosses it
  const R = 4;
  const r = proposeCouplings(m, { chains: 600, replicas: R, beta, priorScale: s, steps: 40, leapfrog: 5, stepSize: 0.2 }, Rng.stream(9));
  const xs = r.J.filter((_, i) => i % R === R - 1).map((j) => j[0]); // the replicas at β
  const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
  assert.ok(Math.abs(mean - exactMean) < 5 * Math.sqrt(exactVar / xs.length), `mean ${mean} vs ${exactMean}`);
  assert.ok(Math.abs(variance - exactVar) < 5 * exactVar * Math.sqrt(2 / (xs.length - 1)), `variance ${variance} vs ${exactVar}`);
  assert.ok(r.acceptance > 0.5, `acceptance ${r.acceptance}`);
  disposeMonotone(m);
});

test('folded HMC proposals sample the fundamental domain: p(J) ∝ exp(−β‖∇C(J)‖² − J²/2s²) on J ≥ 0 (1 coupling, 5σ)', async () => {
  const { initBackend } = await import('../src/nn/backend.js');
  const { createMonotone, MonotoneF64, proposeCouplings, disposeMonotone } = await import('../src/models/mlrg/monotone.js');
  await initBackend('cpu');
  const m = createMonotone(1, [8, 4], Rng.stream(3)); // its ‖∇C‖² differs enough between J and −J that the unfolded target's mean is 9σ off
  const f = new MonotoneF64(m);
  const beta = 10, s = 1, a1 = representation('A1');
  let z = 0, m1 = 0, m2 = 0;
  for (let x = 0; x <= 8; x += 1e-3) { const w = Math.exp(-beta * f.gradient([x])[0] ** 2 - x * x / (2 * s * s)); z += w; m1 += w * x; m2 += w * x * x; }
  const exactMean = m1 / z, exactVar = m2 / z - exactMean ** 2;
  const R = 4;
  const r = proposeCouplings(m, { chains: 600, replicas: R, beta, priorScale: s, steps: 40, leapfrog: 5, stepSize: 0.2, fold: couplingFold(a1, a1) }, Rng.stream(9));
  const xs = r.J.filter((_, i) => i % R === R - 1).map((j) => j[0]);
  assert.ok(xs.every((x) => x >= 0));
  const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
  assert.ok(Math.abs(mean - exactMean) < 5 * Math.sqrt(exactVar / xs.length), `mean ${mean} vs ${exactMean}`);
  assert.ok(Math.abs(variance - exactVar) < 5 * exactVar * Math.sqrt(2 / (xs.length - 1)), `variance ${variance} vs ${exactVar}`);
  disposeMonotone(m);
});

test('the exact map\'s critical flow is read off at its fixed point: A1 from J0 at the fixed point stays there, with that point\'s Δ1', async () => {
  const { a1SchemeFixedPoint } = await import('../src/studies/mlrg.js');
  const { exactCriticalFixedPoint, scalingDimensions } = await import('../src/models/mlrg/rbm.js');
  const a1 = representation('A1'), scheme = a1SchemeFixedPoint();
  const fp = exactCriticalFixedPoint(a1, 'abstract', scheme.J, 4);
  assert.ok(Math.abs(fp.J[0] - scheme.J) < 1e-3 && fp.change < 1e-3, JSON.stringify(fp));
  const direct = scalingDimensions(weightTensor(blockRbm('square', a1), [scheme.J]))[1];
  assert.ok(Math.abs(fp.deltas[0] - direct) < 1e-3, `${fp.deltas[0]} vs ${direct}`);
  // away from the fixed point the flow runs off: the least step is larger
  assert.ok(exactCriticalFixedPoint(a1, 'abstract', 0.6, 4).change > 0.02);
  // A1+E (abstract) from its critical J0 (bisection, 10 steps): the flow settles at a critical point
  // (the best students of successive levels may be different images of it; J is returned folded)
  const ae = representation('A1+E');
  const fpe = exactCriticalFixedPoint(ae, 'abstract', 0.40188, 8);
  assert.ok(fpe.change < 0.01 && fpe.level >= 4, JSON.stringify(fpe));
  for (const p of couplingFold(ae, ae).pivots) assert.ok(fpe.J[p] >= 0);
  assert.ok(fpe.Z > 1.01 && fpe.Z < 1.5, `critical, not disordered: Z = ${fpe.Z}`);
});

test('the exact KL-optimal A1 RG map has its unstable fixed point within the paper\'s J0* = 0.82 ± 0.02', async () => {
  const { a1SchemeFixedPoint } = await import('../src/studies/mlrg.js');
  const { J, slope } = a1SchemeFixedPoint();
  assert.ok(Math.abs(J - 0.82) < 0.02, `fixed point ${J}`);
  assert.ok(slope > 1, `unstable: slope ${slope}`);
});

test('study settings: --set cdReps= is the empty list (no CD models); an empty representation list is refused', () => {
  assert.deepEqual(configure(mlrgStudy, 'quick', ['cdReps=']).cdReps, []);
  assert.deepEqual(configure(mlrgStudy, 'quick', ['cdReps=A1+E,A1']).cdReps, ['A1+E', 'A1']);
  assert.throws(() => configure(mlrgStudy, 'quick', ['reps=']), /--set reps= is not allowed: reps is a comma list of C4v representations/);
  assert.throws(() => configure(mlrgStudy, 'quick', ['cdReps=A1,']), /--set cdReps=A1, is not allowed/);
});

test('reproduce mlrg (tiny settings) writes Figs. 4–12 and the numbers; bad representations get a one-line error', async () => {
  const { spawnSync } = await import('node:child_process');
  const { mkdtempSync, readdirSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  const out = mkdtempSync(join(tmpdir(), 'spinflow-mlrg-'));
  try {
    const r = run('reproduce', 'mlrg', '--rep', 'A1,A1+E', '--set', 'models=2', '--set', 'modelsLarge=1', '--set', 'epochs=2', '--set', 'stepsPerEpoch=4', '--set', 'fig4Points=3',
      '--set', 'fig4Reps=A1,A1+E', '--set', 'flowScales=2', '--set', 'exactLevels=2', '--set', 'criticalIterations=3', '--set', 'flowTeachers=2', '--workers', '2', '--out', out, '--json');
    assert.ok(r.status === 0 || r.status === 1, r.stderr); // 1: two-epoch models need not pass the J0* window
    const s = JSON.parse(readFileSync(join(out, 'mlrg', 'summary.json'), 'utf8'));
    assert.deepEqual(s.perRep.map((p: { rep: string }) => p.rep), ['A1', 'A1+E']);
    assert.equal(s.analyses.length, 2 + 2 + 1, 'A1 exact and CD (2 models each), A1+E exact (1 model)');
    assert.ok(Math.abs(s.schemeFixedPoint.J - 0.8139) < 0.01);
    assert.deepEqual(s.exactMaps.map((m: { rep: string; mirror: string; klBits: number[] }) => [m.rep, m.mirror, m.klBits.length]), [['A1+E', 'abstract', 2], ['A1+E', 'geometric', 2]]);
    // the exact maps' critical J0: for A1 (both conventions coincide) its bracket holds the fixed point of the A1 map found by a separate bisection
    assert.deepEqual(s.exactCritical.map((c: { rep: string; mirror: string }) => [c.rep, c.mirror]), [['A1', 'abstract'], ['A1', 'geometric'], ['A1+E', 'abstract'], ['A1+E', 'geometric']]);
    for (const c of s.exactCritical.filter((x: { rep: string }) => x.rep === 'A1')) assert.ok(c.bracket[0] <= s.schemeFixedPoint.J && s.schemeFixedPoint.J <= c.bracket[1], JSON.stringify(c));
    assert.deepEqual(s.perRep.map((p: { exactMapJ0: number }) => p.exactMapJ0), [s.exactCritical[0].J0, s.exactCritical[2].J0], 'each J0* sits next to its truncation\'s exact-map value (abstract mirror, the default)');
    for (const p of s.perRep) assert.ok(Number.isFinite(p.J0star.mean) && p.zAbove >= 0.99);
    // the paper's representation trend, judged from A1 to A1+E by distance to J0c, for the exact maps and the trained models
    const a1Exact = s.analyses.filter((a: { rep: string; mode: string }) => a.rep === 'A1' && a.mode === 'exact').map((a: { J0star: number }) => a.J0star);
    assert.ok(Math.abs(s.perRep[0].J0star.median - (a1Exact[0] + a1Exact[1]) / 2) < 1e-12, 'the median of two models is their mean');
    const trend = s.acceptance.representationTrend;
    const J0c = 0.5 * Math.acosh(1 + Math.SQRT2);
    assert.equal(trend.exactMapJ0TowardJ0c, Math.abs(s.perRep[1].exactMapJ0 - J0c) < Math.abs(s.perRep[0].exactMapJ0 - J0c));
    assert.equal(trend.learnedJ0TowardJ0c, Math.abs(s.perRep[1].J0star.mean - J0c) < Math.abs(s.perRep[0].J0star.mean - J0c));
    assert.equal(s.config.teacherDomain, 'fundamental');
    assert.equal(s.config.flowTeachers, 2);
    // no learned step can beat the KL-optimal student
    for (const p of s.perRep) p.firstStep.learnedKlBits.forEach((v: number, k: number) => assert.ok(v >= p.firstStep.exactKlBits[k] - 1e-9, `${p.rep} J0 = ${p.firstStep.J0[k]}: ${v} < ${p.firstStep.exactKlBits[k]}`));
    const figures = readdirSync(join(out, 'mlrg', 'figures'));
    for (const f of ['fig4-kl-vs-teacher', 'fig5a-monotone', 'fig5b-beta-function', 'fig7-flow-of-c-a1', 'fig8-critical-coupling', 'fig10-degeneracy-a1-e', 'fig12-scaling-dimension', 'training-kl', 'exact-map-kl']) assert.ok(figures.includes(`${f}.svg`), f);
    // the exact maps are kept with the checkpoints, and a resumed run reads them back unchanged
    assert.deepEqual(readdirSync(join(out, 'mlrg', 'checkpoints', 'exact-maps')).sort(), ['A1+E-abstract-levels2.json', 'A1+E-geometric-levels2.json', ...['A1-abstract', 'A1-geometric', 'A1+E-abstract', 'A1+E-geometric'].flatMap((n) => [`${n}-critical3.json`, `${n}-critical3-fixedpoint.json`])].sort());
    const again = run('reproduce', 'mlrg', '--rep', 'A1,A1+E', '--set', 'models=2', '--set', 'modelsLarge=1', '--set', 'epochs=2', '--set', 'stepsPerEpoch=4', '--set', 'fig4Points=3',
      '--set', 'fig4Reps=A1,A1+E', '--set', 'flowScales=2', '--set', 'exactLevels=2', '--set', 'criticalIterations=3', '--set', 'flowTeachers=2', '--workers', '2', '--out', out, '--json', '--resume');
    assert.ok(again.status === 0 || again.status === 1, again.stderr);
    const resumed = JSON.parse(readFileSync(join(out, 'mlrg', 'summary.json'), 'utf8'));
    assert.deepEqual(resumed.exactMaps, s.exactMaps);
    assert.deepEqual(resumed.exactCritical, s.exactCritical);
    assert.deepEqual(resumed.analyses, s.analyses, 'the resumed run analyses the same trained models');
    // resuming with other training settings refuses the models trained with the first ones, and leaves them
    const other = run('reproduce', 'mlrg', '--rep', 'A1,A1+E', '--set', 'models=2', '--set', 'modelsLarge=1', '--set', 'epochs=2', '--set', 'stepsPerEpoch=4', '--set', 'fig4Points=3',
      '--set', 'fig4Reps=A1,A1+E', '--set', 'flowScales=2', '--set', 'exactLevels=2', '--set', 'criticalIterations=3', '--set', 'flowTeachers=2', '--set', 'samples=8', '--workers', '2', '--out', out, '--json', '--resume');
    assert.equal(other.status, 2, other.stderr);
    assert.match(other.stderr, /mlrg-A1[-_a-zA-Z0-9]*\.safetensors was trained with other settings: rerun without --resume, or with another --out/);
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'mlrg', 'summary.json'), 'utf8')).analyses, s.analyses);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  const bad = run('reproduce', 'mlrg', '--rep', 'A1+F');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--set reps=A1\+F is not allowed: reps is a comma list of C4v representations/);
  const wrong = run('reproduce', 'made', '--rep', 'A1');
  assert.equal(wrong.status, 2);
  assert.match(wrong.stderr, /--rep A1 belongs to the mlrg study/);
});
