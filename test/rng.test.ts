import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/sampling/rng.js';

test('the same seed and path give the same stream; other paths differ', () => {
  const a = Rng.stream(42, 3), b = Rng.stream(42, 3), c = Rng.stream(42, 4), d = Rng.stream(43, 3);
  const seq = (r: Rng) => Array.from({ length: 8 }, () => r.nextU32());
  const sa = seq(a);
  assert.deepEqual(sa, seq(b));
  assert.notDeepEqual(sa, seq(c));
  assert.notDeepEqual(sa, seq(d));
  assert.notDeepEqual(seq(Rng.stream(1, 2, 3)), seq(Rng.stream(1, 3, 2)));
});

test('xoshiro128** matches its reference output for a known state', () => {
  // Reference: the authors' C code started from state (1, 2, 3, 4).
  const r = Rng.fromState([1, 2, 3, 4]);
  assert.deepEqual(Array.from({ length: 6 }, () => r.nextU32()), [11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
});

test('below(n) is uniform (chi-square within 5 sigma of its mean)', () => {
  const r = Rng.stream(7);
  for (const n of [3, 10, 1000]) {
    const counts = new Float64Array(n);
    const draws = 200 * n;
    for (let i = 0; i < draws; i++) counts[r.below(n)]++;
    const expected = draws / n;
    let chi2 = 0;
    for (const c of counts) chi2 += ((c - expected) * (c - expected)) / expected;
    const dof = n - 1;
    assert.ok(Math.abs(chi2 - dof) < 5 * Math.sqrt(2 * dof), `n=${n}: chi2 ${chi2} for ${dof} dof`);
  }
});

test('uniform() has mean 1/2 and variance 1/12 within 5 sigma', () => {
  const r = Rng.stream(11);
  const n = 200000;
  let s = 0, s2 = 0;
  for (let i = 0; i < n; i++) {
    const u = r.uniform();
    assert.ok(u >= 0 && u < 1);
    s += u;
    s2 += u * u;
  }
  const mean = s / n;
  assert.ok(Math.abs(mean - 0.5) < 5 * Math.sqrt(1 / 12 / n));
  const variance = s2 / n - mean * mean;
  // Var of u² is 1/5 − 1/9 = 4/45
  assert.ok(Math.abs(variance - 1 / 12) < 5 * Math.sqrt(4 / 45 / n));
});

test('pointSeed depends on the study seed and the point name only', async () => {
  const { pointSeed } = await import('../src/sampling/rng.js');
  assert.equal(pointSeed(1, 'N_l=128 T_cut=2.6'), pointSeed(1, 'N_l=128 T_cut=2.6'));
  assert.notEqual(pointSeed(1, 'N_l=128 T_cut=2.6'), pointSeed(2, 'N_l=128 T_cut=2.6'));
  assert.notEqual(pointSeed(1, 'N_l=128 T_cut=2.6'), pointSeed(1, 'N_l=128 T_cut=2.2'));
  const seeds = new Set(Array.from({ length: 1000 }, (_, i) => pointSeed(7, `T=${i}`)));
  assert.equal(seeds.size, 1000, 'no collisions among 1000 points');
  for (const s of seeds) assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 31);
});
