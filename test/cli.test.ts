import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });

test('simulate --json prints one object with the documented keys', () => {
  const r = run('simulate', '--L', '6', '--T', '2.269', '--sweeps', '500', '--thermalize', '50', '--seed', '9', '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  for (const k of ['L', 'T', 'algorithm', 'sweeps', 'seed', 'elapsedSeconds', 'flipsPerNanosecond']) assert.ok(k in out, k);
  assert.equal(out.L, 6);
  assert.equal(out.T, 2.269);
  assert.equal(out.algorithm, 'metropolis');
  assert.equal(out.sweeps, 500);
  assert.equal(out.seed, 9);
  for (const k of ['energyPerSpin', 'absMagnetization', 'magnetization', 'susceptibility', 'specificHeat', 'binder']) {
    assert.deepEqual(Object.keys(out[k]).sort(), ['error', 'mean', 'tauInt'], k);
    assert.equal(typeof out[k].mean, 'number');
  }
  assert.equal(out.correlation.length, 4);
  for (const c of out.correlation) assert.deepEqual(Object.keys(c).sort(), ['error', 'mean', 'r']);
  assert.ok(out.flipsPerNanosecond > 0);
  assert.equal(out.exact.method, 'kaufman');
  assert.ok(Array.isArray(out.warnings));
  // 500 measurements make 32 batches of 15, shorter than 10 τ_int (τ_int ≈ 1.6 here)
  assert.ok(out.warnings.length > 0, 'a short critical run is flagged');
});

test('simulate with several temperatures prints {results: [...]}', () => {
  const r = run('simulate', '--L', '4', '--T', '2.0:3.0:0.5', '--sweeps', '200', '--algorithm', 'kawasaki', '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.results.map((x: { T: number }) => x.T), [2, 2.5, 3]);
  assert.equal(out.results[0].model, 'conserved');
});

test('exact --json prints the finite and infinite lattice values', () => {
  const r = run('exact', '--L', '16', '--T', '2.269', '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  for (const k of ['L', 'T', 'logZ', 'freeEnergyPerSpin', 'energyPerSpin', 'specificHeat']) assert.equal(typeof out[k], 'number', k);
  for (const k of ['freeEnergyPerSpin', 'energyPerSpin', 'specificHeat', 'spontaneousMagnetization']) assert.equal(typeof out.infinite[k], 'number', k);
  assert.equal(out.method, 'kaufman');
  const small = JSON.parse(run('exact', '--L', '4', '--T', '2', '--json').stdout);
  assert.equal(small.method, 'enumeration');
});

test('bad input: one line naming the value and what is allowed, exit status 2', () => {
  const cases: [string[], RegExp][] = [
    [['simulate', '--L', '1', '--T', '2'], /--L 1 .*≥ 2/],
    [['simulate', '--L', '8', '--T', '0'], /--T 0 .*> 0/],
    [['simulate', '--L', '8', '--T', '-1'], /--T -1 .*> 0/],
    [['simulate', '--L', 'abc', '--T', '2'], /--L "abc" is not a number/],
    [['simulate', '--L', '8', '--T', '2', '--algorithm', 'glauber'], /--algorithm glauber is unknown: allowed are metropolis/],
    [['simulate', '--L', '12', '--T', '2', '--model', 'conserved', '--magnetization', '0.3'], /--magnetization 0.3 is not reachable on 12×12.*0\.2917 and 0\.3056/],
    [['simulate', '--L', '4', '--T', '2', '--model', 'conserved', '--magnetization', '1.5'], /--magnetization 1.5 .*\[-1, 1\]/],
    [['simulate', '--L', '8', '--T', '2', '--algorithm', 'wolff', '--h', '0.1'], /wolff needs h = 0/],
    [['simulate', '--L', '8', '--T', '2', '--sweeps', '2.5'], /--sweeps 2.5 .*integer/],
    [['simulate', '--L', '8', '--T', '2', '--bogus', '1'], /bogus/],
    [['exact', '--L', '1'], /--L.* 1 .*≥ 2|--Lx 1/],
    [['exact', '--L', '8', '--T', '2', '--h', '0.5'], /no exact method for 8×8 with h = 0.5/],
    [['frobnicate'], /command frobnicate is unknown/],
  ];
  for (const [args, pattern] of cases) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: status ${r.status} ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(lines[0], pattern, args.join(' '));
    assert.equal(r.stdout, '');
  }
});

test('--help lists the commands and every algorithm', () => {
  const r = run('--help');
  assert.equal(r.status, 0);
  for (const c of ['simulate', 'exact', 'reproduce']) assert.match(r.stdout, new RegExp(c));
  const s = run('simulate', '--help');
  for (const a of ['metropolis', 'checkerboard', 'multispin', 'heatbath', 'wolff', 'kawasaki', 'exchange', 'geometric']) assert.match(s.stdout, new RegExp(a));
});
