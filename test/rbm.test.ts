/** The RBM: free energy against brute force, Gibbs sampling against exact marginals, the study. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contrastiveGradient, Rbm, rbmProposal } from '../src/models/rbm/rbm.js';
import { importanceStarts, neuralMetropolis, type ModelProposal } from '../src/sampling/neural-mh.js';
import { evaluateConfigurations } from '../src/evaluate/harness.js';
import { enumerationObservables } from '../src/exact/enumeration.js';
import { Rng } from '../src/sampling/rng.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

/** A small RBM with random parameters of order `scale`. */
function smallRbm(V: number, H: number, seed: number, scale = 1) {
  const rng = Rng.stream(seed, 2);
  return new Rbm(V, H, Float64Array.from({ length: V * H }, () => scale * rng.normal()), Float64Array.from({ length: V }, () => 0.5 * scale * rng.normal()), Float64Array.from({ length: H }, () => 0.5 * scale * rng.normal()));
}

const allStates = (V: number) => Array.from({ length: 1 << V }, (_, m) => Uint8Array.from({ length: V }, (_, i) => (m >> i) & 1));
const code = (v: Uint8Array, row: number, V: number) => {
  let m = 0;
  for (let i = 0; i < V; i++) if (v[row * V + i]) m |= 1 << i;
  return m;
};

/** Mean E/N over each chain's second half ([chains, steps] energies) and its error; the chains are independent. */
function secondHalfEnergy(energies: Float32Array, chains: number, steps: number): { mean: number; error: number } {
  const means = Array.from({ length: chains }, (_, c) => {
    let m = 0;
    for (let t = steps / 2; t < steps; t++) m += energies[c * steps + t];
    return m / (steps / 2);
  });
  const mean = means.reduce((x, y) => x + y, 0) / chains;
  return { mean, error: Math.sqrt(means.reduce((x, y) => x + (y - mean) ** 2, 0) / (chains - 1) / chains) };
}

test('free energy equals −log Σ_h e^{−E(v,h)} by brute force', () => {
  const V = 4, H = 3;
  const rbm = smallRbm(V, H, 1);
  for (const v of allStates(V)) {
    let z = 0;
    for (const h of allStates(H)) {
      let e = 0;
      for (let i = 0; i < V; i++) e -= v[i] * rbm.b[i];
      for (let j = 0; j < H; j++) e -= h[j] * rbm.c[j];
      for (let i = 0; i < V; i++) for (let j = 0; j < H; j++) e -= v[i] * rbm.W[i * H + j] * h[j];
      z += Math.exp(-e);
    }
    assert.ok(Math.abs(rbm.freeEnergy(v) + Math.log(z)) < 1e-12, `v = ${v}: F = ${rbm.freeEnergy(v)}, −log Z(v) = ${-Math.log(z)}`);
  }
});

/** Observed frequencies of the 2^V states against exact probabilities, each within 5σ. */
function assertMatches(counts: number[], p: number[], n: number, what: string) {
  counts.forEach((c, m) => {
    const sigma = Math.sqrt((p[m] * (1 - p[m])) / n);
    assert.ok(Math.abs(c / n - p[m]) <= 5 * sigma + 1e-9, `${what}, state ${m}: ${c / n} vs exact ${p[m]} (σ = ${sigma})`);
  });
}

test('Gibbs sampling reproduces the exact visible marginal, and the restricted Gibbs sampler the marginal at fixed Σv', () => {
  const V = 4, H = 3, n = 6000;
  const rbm = smallRbm(V, H, 2);
  const w = allStates(V).map((v) => Math.exp(-rbm.freeEnergy(v)));
  const Z = w.reduce((a, x) => a + x, 0);
  const samples = rbm.sample(n, 30, 3);
  const counts = new Array(1 << V).fill(0);
  for (let k = 0; k < n; k++) counts[code(samples, k, V)]++;
  assertMatches(counts, w.map((x) => x / Z), n, 'free Gibbs');
  // restricted to two of four visible units on: six states
  const K = 2;
  const inSector = allStates(V).map((v) => v.reduce((a, x) => a + x, 0) === K);
  const Zk = w.reduce((a, x, m) => a + (inSector[m] ? x : 0), 0);
  const v = new Uint8Array(n * V);
  const restricted = new Array(1 << V).fill(0);
  for (let r = 0; r < n; r++) {
    v[r * V] = v[r * V + 1] = 1;
    rbm.gibbsConditioned(v, r, 20, Rng.stream(4, r), K);
    restricted[code(v, r, V)]++;
  }
  assertMatches(restricted, w.map((x, m) => (inSector[m] ? x / Zk : 0)), n, 'restricted Gibbs');
});

test('the RBM-proposal Metropolis–Hastings chain samples the exact Ising distribution whatever the RBM (L = 3, free and at fixed M)', () => {
  const L = 3, N = 9, chains = 100, steps = 4000;
  const rbm = smallRbm(N, N, 5, 0.4); // untrained: a poor proposal on purpose
  for (const [T, upSpins] of [[3.5, null], [2.0, 4]] as const) {
    const r = neuralMetropolis(rbmProposal(rbm, 1, upSpins), { L, T, upSpins, starts: rbm.sample(chains, 5, 6), chains, steps, seed: 7 });
    assert.ok(r.acceptance > 0.05 && r.acceptance < 0.95, `acceptance ${r.acceptance}`);
    if (upSpins !== null) assert.equal(r.outsideSector, 0);
    const { mean, error } = secondHalfEnergy(r.energies, chains, steps);
    const exact = enumerationObservables(L, L, T, 1, 0, upSpins === null ? null : (2 * upSpins - N) / N).energyPerSpin;
    assert.ok(Math.abs(mean - exact) < 5 * error, `T = ${T}, n₊ = ${upSpins}: E/N ${mean} ± ${error} vs exact ${exact}`);
    if (upSpins !== null) for (let c = 0; c < chains; c++) assert.equal(r.final.subarray(c * N, (c + 1) * N).reduce((x, y) => x + y, 0), upSpins);
  }
  // the raw samples of the same RBM are far from the Boltzmann distribution
  const raw = evaluateConfigurations(Int8Array.from(rbm.sample(2000, 60, 8), (b) => (b ? 1 : -1)), 2000, L, { kind: 'exact', T: 3.5 });
  assert.ok(raw.energyTest.pValue < 1e-6, `raw RBM p = ${raw.energyTest.pValue}`);
});

test('a chain outside the conserved sector enters it from its own state: with an RBM whose hidden units copy the visible ones, the first proposal differs from the start at the excess sites only', () => {
  // W = 12·I, b = c = −6: p(h_i = v_i | v) = p(v_i = h_i | h) = σ(6) ≈ 0.9975, so restricted Gibbs keeps
  // what it can of the start; a uniformly random sector configuration would differ at ≈ V/2 sites
  const V = 16, upSpins = 8, chains = 50;
  const W = new Float64Array(V * V);
  for (let i = 0; i < V; i++) W[i * V + i] = 12;
  const rbm = new Rbm(V, V, W, new Float64Array(V).fill(-6), new Float64Array(V).fill(-6));
  const rng = Rng.stream(3);
  const start = new Uint8Array(chains * V);
  for (let r = 0; r < chains; r++) {
    const order = rng.shuffle(Int32Array.from({ length: V }, (_, i) => i));
    for (let q = 0; q < upSpins + 2; q++) start[r * V + order[q]] = 1; // two up spins too many
  }
  const next = new Uint8Array(chains * V);
  rbmProposal(rbm, 1, upSpins).propose(start, next, chains, Array.from({ length: chains }, (_, r) => Rng.stream(4, r)));
  let far = 0;
  for (let r = 0; r < chains; r++) {
    let up = 0, changed = 0;
    for (let i = r * V; i < (r + 1) * V; i++) { up += next[i]; changed += next[i] !== start[i] ? 1 : 0; }
    assert.equal(up, upSpins);
    if (changed > 4) far++; // ≥ 2 sites must change; each other site changes with probability ≈ 0.5 %
  }
  assert.ok(far <= 2, `${far} of ${chains} chains entered the sector far from their start`);
});

test('importance-resampled chain starts follow the Boltzmann weight: a pool of every L = 3 state under a flat model gives the exact ⟨E⟩, free and at fixed M', () => {
  const L = 3, N = 9, states = 1 << N, chains = 20000;
  const pool = new Uint8Array(states * N);
  for (let m = 0; m < states; m++) for (let i = 0; i < N; i++) pool[m * N + i] = (m >> i) & 1;
  const flat: ModelProposal = { propose: (cur, next, c) => next.set(cur.subarray(0, c * N)), freeEnergy: (_s, c) => new Float64Array(c) };
  for (const [T, upSpins] of [[2.5, null], [2.0, 4]] as const) {
    const { starts, effectiveSize } = importanceStarts(flat, pool, states, chains, { L, T, upSpins, seed: 3 });
    let e = 0;
    for (let c = 0; c < chains; c++) {
      const s = Int8Array.from(starts.subarray(c * N, (c + 1) * N), (b) => 2 * b - 1);
      if (upSpins !== null) assert.equal(s.reduce((a, x) => a + (x > 0 ? 1 : 0), 0), upSpins);
      let u = 0;
      for (let i = 0; i < N; i++) u += (s[i] !== s[(i % L + 1) % L + L * Math.floor(i / L)] ? 1 : 0) + (s[i] !== s[(i + L) % N] ? 1 : 0);
      e += (-2 * N + 2 * u) / N;
    }
    const exact = enumerationObservables(L, L, T, 1, 0, upSpins === null ? null : (2 * upSpins - N) / N).energyPerSpin;
    // systematic resampling: each state's count is within 1 of chains × its weight, so ⟨E⟩ is off by ≤ states·max|E|/chains
    assert.ok(Math.abs(e / chains - exact) < 0.05, `T = ${T}, n₊ = ${upSpins}: ⟨E⟩ of the starts ${e / chains} vs exact ${exact}`);
    assert.ok(effectiveSize > 1 && effectiveSize <= states, `effective size ${effectiveSize}`);
  }
});

test('with local sweeps between the model steps the chain still samples the exact distribution (L = 4, Metropolis; L = 3, Kawasaki)', () => {
  for (const [L, T, upSpins] of [[4, 2.5, null], [3, 2.0, 4]] as const) {
    const N = L * L, chains = 80, steps = 1500;
    const rbm = smallRbm(N, N, 15, 0.4);
    const r = neuralMetropolis(rbmProposal(rbm, 1, upSpins), { L, T, upSpins, starts: rbm.sample(chains, 5, 16), chains, steps, seed: 17, localSweeps: 1 });
    const { mean, error } = secondHalfEnergy(r.energies, chains, steps);
    const exact = enumerationObservables(L, L, T, 1, 0, upSpins === null ? null : (2 * upSpins - N) / N).energyPerSpin;
    assert.ok(Math.abs(mean - exact) < 5 * error, `L = ${L}, T = ${T}, n₊ = ${upSpins}: E/N ${mean} ± ${error} vs exact ${exact}`);
    // the recorded energies follow the local moves too: the final state's energy is the last entry
    for (let c = 0; c < chains; c += 17) {
      const s = Int8Array.from(r.final.subarray(c * N, (c + 1) * N), (b) => 2 * b - 1);
      let e = 0;
      for (let i = 0; i < N; i++) e -= s[i] * (s[(i % L === L - 1) ? i - L + 1 : i + 1] + s[(i + L) % N]);
      assert.ok(Math.abs(e / N - r.energies[c * steps + steps - 1]) < 1e-6, `chain ${c}`);
    }
    if (upSpins !== null) for (let c = 0; c < chains; c++) assert.equal(r.final.subarray(c * N, (c + 1) * N).reduce((x, y) => x + y, 0), upSpins);
  }
});
test('the SIMD Gibbs kernel and its JS fallback draw the same chains, and follow parameter changes', () => {
  const V = 37, H = 29; // not multiples of four: the kernel's scalar tails run too
  const simd = smallRbm(V, H, 11, 0.5);
  const js = new Rbm(V, H, simd.W.slice(), simd.b.slice(), simd.c.slice(), 'js');
  assert.equal(simd.simd, true, 'Node has WebAssembly SIMD: the kernel should load');
  assert.equal(js.simd, false);
  for (const round of [0, 1]) {
    const a = new Uint8Array(4 * V), b = new Uint8Array(4 * V);
    for (let r = 0; r < 4; r++) {
      simd.gibbs(a, r, 7, Rng.stream(5, round, r));
      js.gibbs(b, r, 7, Rng.stream(5, round, r));
      simd.gibbsConditioned(a, r, 3, Rng.stream(6, round, r), 12);
      js.gibbsConditioned(b, r, 3, Rng.stream(6, round, r), 12);
    }
    assert.deepEqual(a, b, `round ${round}`);
    assert.ok(a.some((x) => x === 1) && a.some((x) => x === 0));
    // change the parameters in place: both must pick the change up through changed()
    for (const m of [simd, js]) {
      m.W.forEach((w, i, W) => (W[i] = -w));
      m.b.fill(0.3);
      m.changed();
    }
  }
});

test('the CD gradient is the derivative of mean F(negatives) − mean F(data) (central differences)', () => {
  const V = 7, H = 5, B = 3;
  const rbm = smallRbm(V, H, 12, 0.7);
  const rng = Rng.stream(13, 1);
  const data = Uint8Array.from({ length: B * V }, () => rng.nextU32() & 1);
  const negatives = Uint8Array.from({ length: B * V }, () => rng.nextU32() & 1);
  const grads: [Float64Array, Float64Array, Float64Array] = [new Float64Array(V * H), new Float64Array(V), new Float64Array(H)];
  const meanF = (set: Uint8Array) => Array.from({ length: B }, (_, r) => rbm.freeEnergy(set, r)).reduce((a, b) => a + b) / B;
  const objective = () => meanF(negatives) - meanF(data); // the CD surrogate of the log-likelihood
  const gap = contrastiveGradient(rbm, data, negatives, B, grads);
  assert.ok(Math.abs(gap - (meanF(data) - meanF(negatives))) < 1e-5, `gap ${gap}`);
  const h = 1e-5;
  [rbm.W, rbm.b, rbm.c].forEach((theta, k) => {
    for (let i = 0; i < theta.length; i++) {
      const keep = theta[i];
      theta[i] = keep + h;
      const up = objective();
      theta[i] = keep - h;
      const down = objective();
      theta[i] = keep;
      const numeric = (up - down) / (2 * h);
      // f32 accumulation: ≈ 1e-7 relative per term
      assert.ok(Math.abs(numeric - grads[k][i]) < 1e-5 + 1e-5 * Math.abs(numeric), `parameter ${k}[${i}]: ${grads[k][i]} vs ${numeric}`);
    }
  });
});

test('save and load keep the parameters', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spinflow-rbmio-'));
  try {
    const rbm = smallRbm(5, 4, 9);
    rbm.save(join(dir, 'r.safetensors'));
    const back = Rbm.load(join(dir, 'r.safetensors'));
    assert.deepEqual([back.visible, back.hidden], [5, 4]);
    assert.deepEqual(Array.from(back.W), Array.from(rbm.W));
    assert.deepEqual(Array.from(back.c), Array.from(rbm.c));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('reproduce rbm writes Figs. 5–8 and the harness numbers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spinflow-rbmstudy-'));
  try {
    const r = spawnSync(process.execPath, [CLI, 'reproduce', 'rbm', '--out', dir, '--workers', '2', '--json', '--set', 'maxEpochs=1', '--set', 'samples=20', '--set', 'samplingSteps=3', '--set', 'mhSteps=3', '--set', 'cd=pcd'],
      { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    assert.equal(r.status, 0, r.stderr);
    for (const f of ['fig5-energy', 'fig5-magnetization', 'fig6-histogram-t1', 'fig6-histogram-t3', 'fig7-correlation-m0', 'fig7-correlation-excess30', 'fig8-correlation-ising']) {
      assert.ok(existsSync(join(dir, 'rbm', 'figures', `${f}.svg`)), f);
    }
    const s = JSON.parse(readFileSync(join(dir, 'rbm', 'summary.json'), 'utf8'));
    const entry = s.findings['conserved-L12-M0@T=1'];
    assert.equal(typeof entry.energySigmas, 'number');
    assert.equal(entry.conserved.M0, 0);
    assert.equal(typeof entry.mh.acceptance, 'number');
    assert.equal(entry.mh.conserved.breakingFraction.mean, 0);
    assert.ok(existsSync(join(dir, 'rbm', 'figures', 'mh-acceptance.svg')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('spinflow rbm train, rbm sample and evaluate chain together', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spinflow-rbmcli-'));
  try {
    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    assert.equal(run('dataset', 'generate', '--L', '4', '--temperatures', '2.0', '--per-temperature', '200', '--out', join(dir, 'd')).status, 0);
    const t = run('rbm', 'train', '--data', join(dir, 'd'), '--group', 'ising-L4', '--T', '2.0', '--epochs', '3', '--persistent', '--out', join(dir, 'r.safetensors'), '--json');
    assert.equal(t.status, 0, t.stderr);
    assert.equal(JSON.parse(t.stdout).epochs, 3);
    const s = run('rbm', 'sample', '--model', join(dir, 'r.safetensors'), '--count', '50', '--steps', '5', '--out', join(dir, 's.npy'));
    assert.equal(s.status, 0, s.stderr);
    const mh = run('rbm', 'sample', '--model', join(dir, 'r.safetensors'), '--count', '50', '--steps', '5', '--mh-steps', '20', '--T', '2.0', '--magnetization', '0', '--out', join(dir, 'mh.npy'), '--json');
    assert.equal(mh.status, 0, mh.stderr);
    assert.ok(JSON.parse(mh.stdout).mh.acceptance > 0);
    for (const pool of ['120', '20']) { // a pool larger and smaller than --count
      const p = run('rbm', 'sample', '--model', join(dir, 'r.safetensors'), '--count', '50', '--steps', '5', '--mh-steps', '5', '--mh-pool', pool, '--T', '2.0', '--out', join(dir, `pool${pool}.npy`), '--json');
      assert.equal(p.status, 0, p.stderr);
      assert.equal(JSON.parse(p.stdout).count, 50);
      assert.equal(readFileSync(join(dir, `pool${pool}.npy`)).length, 128 + 50 * 16, 'an int8 [50, 4, 4] array');
    }
    const noT = run('rbm', 'sample', '--model', join(dir, 'r.safetensors'), '--mh-steps', '20', '--out', join(dir, 'x.npy'));
    assert.equal(noT.status, 2);
    assert.match(noT.stderr, /--mh-steps needs --T/);
    const e = run('evaluate', '--samples', join(dir, 's.npy'), '--reference', join(dir, 'd'), '--T', '2.0', '--json');
    assert.equal(e.status, 0, e.stderr);
    assert.equal(JSON.parse(e.stdout).samples.count, 50);
    assert.equal(JSON.parse(e.stdout).reference.count, 20, 'a dataset reference is its test split (10 % of 200)');
    const bad = run('rbm', 'train', '--data', join(dir, 'd'), '--group', 'ising-L4', '--out', join(dir, 'x.safetensors'));
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /needs --data DIR, --group NAME and --T/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
