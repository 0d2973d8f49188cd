import { estimateSeries } from '../src/observables/analysis.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptanceDigits, multispinLayout, multispinRule, type MultispinLayout } from '../src/sampling/rules/multispin.js';
import { MultispinSimdKernel, wasmSimdSupported } from '../src/sampling/rules/multispin-wasm.js';
import { Rng } from '../src/sampling/rng.js';
import type { Rule } from '../src/sampling/rule.js';
import { bondSum, magnetization, squareLattice } from '../src/lattice/square.js';
import { kaufmanObservables } from '../src/exact/kaufman.js';

const SIMD = wasmSimdSupported();
const NO_SIMD = SIMD ? false : 'WebAssembly SIMD is not supported by this runtime';
const TC = 2 / Math.log(1 + Math.SQRT2);

function makeRule(L: number, T: number, layout: MultispinLayout, seed: number, opts: { J?: number; Ly?: number; initial?: Int8Array } = {}): { rule: Rule; rng: Rng } {
  const lattice = squareLattice(L, opts.Ly ?? L);
  const initial = opts.initial ?? new Int8Array(lattice.N).fill(1);
  const rng = Rng.stream(seed);
  const rule = multispinRule({ lattice, params: { J: opts.J ?? 1, h: 0, T }, initial }, rng, { layout });
  return { rule, rng };
}

function randomConfiguration(N: number, rng: Rng): Int8Array {
  const s = new Int8Array(N);
  for (let i = 0; i < N; i++) s[i] = rng.nextU32() & 1 ? 1 : -1;
  return s;
}

interface Estimate {
  mean: number;
  error: number;
}

/**
 * Runs `sweeps` sweeps after `burn` and records E/N and |M|/N of every replica every `every` sweeps.
 * The error bar comes from the spread of block means: each replica's record is cut into `blocks`
 * blocks (much longer than the autocorrelation time), and all blocks of all replicas are treated as
 * independent samples.
 */
function measure(rule: Rule, rng: Rng, J: number, burn: number, sweeps: number, blocks: number, every = 1): { energy: Estimate; absM: Estimate } {
  const { lattice, replicas } = rule;
  const N = lattice.N;
  for (let i = 0; i < burn; i++) rule.sweep(rng);
  const perBlock = Math.floor(sweeps / blocks / every);
  const eBlocks: number[] = [];
  const mBlocks: number[] = [];
  const eSum = new Float64Array(replicas);
  const mSum = new Float64Array(replicas);
  const c = new Int8Array(N);
  for (let b = 0; b < blocks; b++) {
    eSum.fill(0);
    mSum.fill(0);
    for (let i = 0; i < perBlock; i++) {
      for (let j = 0; j < every; j++) rule.sweep(rng);
      for (let r = 0; r < replicas; r++) {
        rule.configuration(r, c);
        eSum[r] += (-J * bondSum(lattice, c)) / N;
        mSum[r] += Math.abs(magnetization(c)) / N;
      }
    }
    for (let r = 0; r < replicas; r++) {
      eBlocks.push(eSum[r] / perBlock);
      mBlocks.push(mSum[r] / perBlock);
    }
  }
  return { energy: stats(eBlocks), absM: stats(mBlocks) };
}

function stats(xs: number[]): Estimate {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  return { mean, error: Math.sqrt(variance / n) };
}

function assertWithin(name: string, est: Estimate, exact: number, sigmas = 5): void {
  const dev = Math.abs(est.mean - exact);
  assert.ok(
    dev <= sigmas * est.error,
    `${name}: ${est.mean.toFixed(5)} ± ${est.error.toFixed(5)} vs exact ${exact.toFixed(5)} (${(dev / est.error).toFixed(1)} σ)`,
  );
  // a sane error bar: not absurdly small (which would make the check vacuous the other way)
  assert.ok(est.error > 0, `${name}: zero error bar`);
}

/** Exact ⟨E⟩/N and ⟨|M|⟩/N by brute-force enumeration of all 2^N states (small lattices). */
function enumerateExact(L: number, T: number, J = 1): { energy: number; absM: number } {
  const lattice = squareLattice(L);
  const N = lattice.N;
  const s = new Int8Array(N);
  // Tally the states by (bond sum, |M|) first, then weight.
  const tally = new Map<string, number>();
  for (let state = 0; state < 2 ** N; state++) {
    for (let i = 0; i < N; i++) s[i] = (state >>> i) & 1 ? 1 : -1;
    const key = `${bondSum(lattice, s)},${Math.abs(magnetization(s))}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }
  let Z = 0, E = 0, M = 0;
  for (const [key, count] of tally) {
    const [B, absM] = key.split(',').map(Number);
    const w = count * Math.exp((J * (B - 2 * N)) / T); // shifted by the ground state bond sum 2N
    Z += w;
    E += w * -J * B;
    M += w * absM;
  }
  return { energy: E / Z / N, absM: M / Z / N };
}

const JS_LAYOUTS: { layout: MultispinLayout; Lx: number; Ly: number }[] = [
  { layout: 'strip', Lx: 64, Ly: 64 },
  { layout: 'strip', Lx: 6, Ly: 128 },
  { layout: 'replica', Lx: 8, Ly: 6 },
  { layout: 'replica', Lx: 4, Ly: 4 },
];
const SIMD_LAYOUTS: { layout: MultispinLayout; Lx: number; Ly: number }[] = [
  { layout: 'simd-strip', Lx: 256, Ly: 256 },
  { layout: 'simd-strip', Lx: 4, Ly: 512 },
];

test('layout choice and argument checks', () => {
  assert.equal(multispinLayout(16, 16), 'replica');
  assert.equal(multispinLayout(64, 64, false), 'strip');
  assert.equal(multispinLayout(6, 128), 'strip');
  assert.equal(multispinLayout(128, 6), 'replica');
  assert.equal(multispinLayout(256, 256), SIMD ? 'simd-strip' : 'strip');
  assert.equal(multispinLayout(256, 256, false), 'strip');
  assert.throws(() => multispinLayout(5, 8), (e: Error) => e instanceof RangeError && /Lx = 5/.test(e.message));
  assert.throws(() => multispinLayout(8, 7), (e: Error) => e instanceof RangeError && /Ly = 7/.test(e.message));
  const lattice = squareLattice(8);
  const initial = new Int8Array(64).fill(1);
  assert.throws(
    () => multispinRule({ lattice, params: { J: 1, h: 0.5, T: 2 }, initial }, Rng.stream(1)),
    (e: Error) => e instanceof RangeError && e.message === 'multispin needs h = 0, got h = 0.5',
  );
  assert.throws(
    () => multispinRule({ lattice: squareLattice(9, 8), params: { J: 1, h: 0, T: 2 }, initial: new Int8Array(72) }, Rng.stream(1)),
    RangeError,
  );
  assert.throws(() => multispinRule({ lattice, params: { J: 1, h: 0, T: 2 }, initial }, Rng.stream(1), { layout: 'strip' }), RangeError);
  const r = multispinRule({ lattice, params: { J: 1, h: 0, T: 2 }, initial }, Rng.stream(1));
  assert.equal(r.algorithm, 'multispin');
  assert.equal(r.replicas, 32);
  assert.equal(r.sweep(Rng.stream(2)), 64 * 32);
  assert.throws(() => r.configuration(32), RangeError);
});

test('acceptance digits are the truncated binary expansion of p', () => {
  for (const p of [0, 1e-12, 0.0294, 0.171, 0.5, 0.75, 0.999999, 1, 2]) {
    const { digits, tail } = acceptanceDigits(p);
    let v = 0;
    for (let k = 0; k < 32; k++) v += digits[k] === -1 ? 2 ** -(k + 1) : 0;
    if (p >= 1) {
      assert.equal(tail, -1);
    } else {
      assert.equal(tail, 0);
      assert.equal(v, Math.floor(p * 2 ** 32) / 2 ** 32);
    }
  }
});

test('configuration round trip, T → 0 keeps the all-up state, J = 0 flips every spin, high T decorrelates', () => {
  const cases = SIMD ? [...JS_LAYOUTS, ...SIMD_LAYOUTS] : JS_LAYOUTS;
  for (const { layout, Lx, Ly } of cases) {
    const lattice = squareLattice(Lx, Ly);
    const N = lattice.N;
    const initial = randomConfiguration(N, Rng.stream(99, Lx, Ly));
    const rule = multispinRule({ lattice, params: { J: 1, h: 0, T: 2 }, initial }, Rng.stream(5), { layout });
    for (let r = 0; r < rule.replicas; r++) assert.deepEqual(rule.configuration(r), initial, `${layout} ${Lx}×${Ly} replica ${r}`);
    const out = new Int8Array(N);
    assert.equal(rule.configuration(0, out), out);

    // T → 0 from all up: no move raises the energy, and no a ≥ 2 move exists
    const { rule: cold, rng: coldRng } = makeRule(Lx, 0.05, layout, 3, { Ly });
    for (let i = 0; i < 20; i++) assert.equal(cold.sweep(coldRng), N * cold.replicas);
    for (let r = 0; r < cold.replicas; r++) assert.ok(cold.configuration(r).every((v) => v === 1), `${layout}: cold replica ${r} stayed up`);
    // T = 0 exactly from all up too
    const { rule: zero, rng: zeroRng } = makeRule(Lx, 0, layout, 3, { Ly });
    for (let i = 0; i < 5; i++) zero.sweep(zeroRng);
    assert.ok(zero.configuration(0).every((v) => v === 1));

    // J = 0: p = 1, every attempt is accepted, so a sweep negates the configuration
    const { rule: free, rng: freeRng } = makeRule(Lx, 1, layout, 4, { Ly, J: 0, initial });
    free.sweep(freeRng);
    const negated = Int8Array.from(initial, (v) => -v);
    for (let r = 0; r < free.replicas; r++) assert.deepEqual(free.configuration(r), negated);

    // T = 10: from all up, the magnetization forgets its start within a few sweeps
    const { rule: hot, rng: hotRng } = makeRule(Lx, 10, layout, 6, { Ly });
    for (let i = 0; i < 30; i++) hot.sweep(hotRng);
    const perSweep = new Float64Array(200); // replica-averaged m, one entry per sweep
    let m2 = 0, count = 0;
    for (let i = 0; i < 200; i++) {
      hot.sweep(hotRng);
      for (let r = 0; r < hot.replicas; r++) {
        const x = magnetization(hot.configuration(r)) / N;
        perSweep[i] += x / hot.replicas;
        m2 += x * x;
        count++;
      }
    }
    // ⟨m²⟩ ≈ 1.5/N at T = 10 (sd ≈ 1.2/√N); a chain still remembering its all-up start has sd ≈ 1
    const sd = Math.sqrt(m2 / count);
    assert.ok(sd < 3 / Math.sqrt(N), `${layout}: hot magnetization spread ${sd}`);
    const mean = estimateSeries(perSweep);
    assert.ok(Math.abs(mean.mean) < 5 * mean.error, `${layout}: hot mean magnetization ${mean.mean} ± ${mean.error}`);
  }
});

test('SIMD kernel: 128-bit rotations by one bit', { skip: NO_SIMD }, () => {
  const d = acceptanceDigits(0.5);
  const k = new MultispinSimdKernel(2, 256, new Array(16).fill(1), d, d, false);
  const lo = 0x8000_0000_0000_0001n, hi = 0x4000_0000_0000_0003n;
  // left: bit k ← bit k − 1, bit 0 ← bit 127
  assert.deepEqual(k.rotate(lo, hi, 'left'), [0x0000_0000_0000_0002n, 0x8000_0000_0000_0007n]);
  // right: bit k ← bit k + 1, bit 127 ← bit 0
  assert.deepEqual(k.rotate(lo, hi, 'right'), [0xc000_0000_0000_0000n, 0xa000_0000_0000_0001n]);
});

test('L = 4 replica layout: ⟨E⟩/N and ⟨|M|⟩/N match exact enumeration', () => {
  for (const [i, T] of [2.0, TC, 3.0].entries()) {
    const exact = enumerateExact(4, T);
    const { rule, rng } = makeRule(4, T, 'replica', 100 + i);
    assert.equal(rule.replicas, 32);
    const { energy, absM } = measure(rule, rng, 1, 200, 24000, 12);
    assertWithin(`L=4 T=${T} E/N`, energy, exact.energy);
    assertWithin(`L=4 T=${T} |M|/N`, absM, exact.absM);
  }
  // the antiferromagnet on the same lattice (J = −1): the energy is the same, |M| is not
  const exactAf = enumerateExact(4, 2.0, -1);
  const { rule, rng } = makeRule(4, 2.0, 'replica', 110, { J: -1 });
  const { energy, absM } = measure(rule, rng, -1, 200, 12000, 12);
  assertWithin('L=4 J=−1 T=2 E/N', energy, exactAf.energy);
  assertWithin('L=4 J=−1 T=2 |M|/N', absM, exactAf.absM);
});

test('L = 64 JS strip: ⟨E⟩/N matches Kaufman at T = 2 and 3', () => {
  for (const [i, T] of [2.0, 3.0].entries()) {
    const exact = kaufmanObservables(64, 64, T).energyPerSpin;
    const { rule, rng } = makeRule(64, T, 'strip', 200 + i);
    assert.equal(rule.replicas, 1);
    const { energy } = measure(rule, rng, 1, 500, 16000, 20);
    assertWithin(`L=64 strip T=${T} E/N`, energy, exact);
  }
});

test('L = 256 SIMD strip: ⟨E⟩/N matches Kaufman at T = 2 and 3', { skip: NO_SIMD }, () => {
  for (const [i, T] of [2.0, 3.0].entries()) {
    const exact = kaufmanObservables(256, 256, T).energyPerSpin;
    const { rule, rng } = makeRule(256, T, 'simd-strip', 300 + i);
    const { energy } = measure(rule, rng, 1, 500, 3000, 20, 2);
    assertWithin(`L=256 simd T=${T} E/N`, energy, exact);
  }
  // antiferromagnet on a non-square lattice, against Kaufman's mapped value
  const exact = kaufmanObservables(8, 512, 2.5, -1).energyPerSpin;
  const { rule, rng } = makeRule(8, 2.5, 'simd-strip', 310, { Ly: 512, J: -1 });
  const { energy } = measure(rule, rng, -1, 500, 8000, 20);
  assertWithin('8×512 simd J=−1 T=2.5 E/N', energy, exact);
});

test('same seed gives identical configurations; different seeds differ', () => {
  const cases = SIMD ? [...JS_LAYOUTS, ...SIMD_LAYOUTS] : JS_LAYOUTS;
  for (const { layout, Lx, Ly } of cases) {
    const run = (seed: number): Int8Array[] => {
      const { rule, rng } = makeRule(Lx, TC, layout, seed, { Ly });
      for (let i = 0; i < 25; i++) rule.sweep(rng);
      return Array.from({ length: rule.replicas }, (_, r) => rule.configuration(r));
    };
    const a = run(11), b = run(11), c = run(12);
    assert.deepEqual(a, b, `${layout} ${Lx}×${Ly}: same seed`);
    assert.notDeepEqual(a, c, `${layout} ${Lx}×${Ly}: different seeds`);
    if (a.length > 1) assert.notDeepEqual(a[0], a[1], `${layout}: replicas are independent`);
  }
});

test('L = 64: JS strip and replica layouts agree statistically', () => {
  const T = 3.0;
  const strip = measure(...pair(makeRule(64, T, 'strip', 400)), 1, 300, 16000, 16);
  const replica = measure(...pair(makeRule(64, T, 'replica', 401)), 1, 300, 600, 6);
  for (const key of ['energy', 'absM'] as const) {
    const dev = Math.abs(strip[key].mean - replica[key].mean);
    const err = Math.hypot(strip[key].error, replica[key].error);
    assert.ok(dev <= 5 * err, `${key}: strip ${strip[key].mean} ± ${strip[key].error}, replica ${replica[key].mean} ± ${replica[key].error}`);
  }
});

function pair(x: { rule: Rule; rng: Rng }): [Rule, Rng] {
  return [x.rule, x.rng];
}
