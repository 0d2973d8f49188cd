/**
 * Datasets: the NPY format byte for byte, determinism over workers, resume after SIGKILL, damage
 * detection, bad input, and the physics of what is stored (reference values against exact ones).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeNpy, npyHeader, parseNpyHeader, readNpy } from '../src/data/npy.js';
import { PRESETS, customSpec, presetSpec, splitCounts } from '../src/data/spec.js';
import { expectedCost, generateDataset } from '../src/data/generate.js';
import { readManifest } from '../src/data/manifest.js';
import { findGroup, readArray } from '../src/data/store.js';
import { verifyDataset } from '../src/data/verify.js';
import { firstModeAmplitude, isStripeState } from '../src/observables/domains.js';
import { squareLattice } from '../src/lattice/square.js';
import { CRITICAL_TEMPERATURE } from '../src/exact/onsager.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const env = { ...process.env, CI: 'true' };
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env });
const scratch = () => mkdtempSync(join(tmpdir(), 'spinflow-ds-'));
const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

/** Every file under dir (relative path → bytes). */
function snapshot(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else out.set(p, readFileSync(join(dir, p)));
    }
  };
  walk('');
  return out;
}

function assertSameFiles(a: string, b: string): void {
  const sa = snapshot(a), sb = snapshot(b);
  assert.deepEqual([...sa.keys()].sort(), [...sb.keys()].sort());
  for (const [k, v] of sa) assert.ok(v.equals(sb.get(k) as Buffer), `${k} differs`);
}

test('npy header follows the format spec byte for byte', () => {
  const h = npyHeader('int8', [3, 4, 4]);
  assert.equal(h.length % 64, 0);
  assert.deepEqual([...h.subarray(0, 8)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  assert.equal(h[8] | (h[9] << 8), h.length - 10);
  const dict = Buffer.from(h.subarray(10)).toString('latin1');
  assert.match(dict, /^\{'descr': '\|i1', 'fortran_order': False, 'shape': \(3, 4, 4\), \} +\n$/);
  assert.match(Buffer.from(npyHeader('float64', [5])).toString('latin1'), /'descr': '<f8', 'fortran_order': False, 'shape': \(5,\), \}/);
  for (const [dtype, data] of [['int8', new Int8Array([1, -1, 1])], ['uint8', new Uint8Array([0, 2, 1])], ['float64', new Float64Array([0.5, -2, 3])], ['int32', new Int32Array([7, -8, 9])], ['float32', new Float32Array([1.5, 2, -3])]] as const) {
    const bytes = encodeNpy(dtype, [3], data);
    const info = parseNpyHeader(bytes);
    assert.equal(info.dtype, dtype);
    assert.deepEqual(info.shape, [3]);
    assert.deepEqual([...bytes.subarray(info.dataOffset)], [...new Uint8Array(data.buffer)]);
  }
  assert.throws(() => parseNpyHeader(new Uint8Array(20)), /magic/);
});

test('our .npy files equal numpy.save output byte for byte', { skip: !hasNumpy && 'python3 with numpy is not installed' }, () => {
  const dir = scratch();
  try {
    const code = `import numpy as np
np.save('${dir}/a.npy', np.array([[[1,-1],[-1,1]],[[1,1],[1,-1]],[[-1,-1],[1,1]]], dtype=np.int8))
np.save('${dir}/b.npy', np.array([0.25, -1.5, 3.0]))
np.save('${dir}/c.npy', np.array([0, 1, 2, 2], dtype=np.uint8))`;
    const r = spawnSync('python3', ['-c', code], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readFileSync(join(dir, 'a.npy')), Buffer.from(encodeNpy('int8', [3, 2, 2], new Int8Array([1, -1, -1, 1, 1, 1, 1, -1, -1, -1, 1, 1]))));
    assert.deepEqual(readFileSync(join(dir, 'b.npy')), Buffer.from(encodeNpy('float64', [3], new Float64Array([0.25, -1.5, 3.0]))));
    assert.deepEqual(readFileSync(join(dir, 'c.npy')), Buffer.from(encodeNpy('uint8', [4], new Uint8Array([0, 1, 2, 2]))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stripe states and the first Fourier mode', () => {
  const L = 8;
  const lat = squareLattice(L);
  const stripe = new Int8Array(L * L).map((_, i) => (Math.floor(i / L) < L / 2 ? 1 : -1));
  const vertical = new Int8Array(L * L).map((_, i) => (i % L < 3 ? 1 : -1));
  const uniform = new Int8Array(L * L).fill(1);
  const checker = new Int8Array(L * L).map((_, i) => ((i % L) + Math.floor(i / L)) % 2 ? 1 : -1);
  const droplet = uniform.slice();
  for (const i of [18, 19, 26, 27]) droplet[i] = -1;
  assert.equal(isStripeState(lat, stripe), true);
  assert.equal(isStripeState(lat, vertical), true);
  assert.equal(isStripeState(lat, uniform), false);
  assert.equal(isStripeState(lat, checker), false);
  assert.equal(isStripeState(lat, droplet), false);
  // perfect two-stripe profile: |Σ_y s(y) e^{2πiy/L}| / L = 2 / (L sin(π/L))
  assert.ok(Math.abs(firstModeAmplitude(lat, stripe) - 2 / (L * Math.sin(Math.PI / L))) < 1e-12);
  assert.ok(firstModeAmplitude(lat, uniform) < 1e-12);
});

test('presets follow the papers', () => {
  const ae = presetSpec('ae-flow', 'paper', 1, 'npy').groups[0];
  assert.equal(ae.L, 30);
  assert.equal(ae.temperatures.length, 200);
  assert.equal(ae.temperatures[0], 0.02);
  assert.equal(ae.temperatures[199], 4.5);
  const c = splitCounts(ae.perTemperature, ae.split);
  assert.deepEqual([200 * (c.train + c.validation), 200 * c.validation, 200 * c.test], [60000, 6000, 20000]);
  const cnn = presetSpec('conserved-cnn', 'paper', 1, 'npy').groups;
  assert.deepEqual(cnn.map((g) => g.L), [20, 30, 40, 50]);
  // the paper's 23 temperatures T = 1.0 + (n − 1)·0.1, plus our seven 2.18…2.34 near T_c
  const paperGrid = Array.from({ length: 23 }, (_, n) => Number((1 + 0.1 * n).toFixed(1)));
  const nearTc = [2.18, 2.22, 2.24, 2.26, 2.28, 2.32, 2.34];
  assert.deepEqual(cnn[0].temperatures, [...paperGrid, ...nearTc].sort((a, b) => a - b));
  assert.ok(cnn.every((g) => g.perTemperature === 3334 && g.magnetization === 0 && g.labels)); // 10^5 per size over 30 temperatures
  assert.deepEqual(presetSpec('conserved-cnn', 'quick', 1, 'npy').groups[0].temperatures, paperGrid);
  assert.deepEqual(splitCounts(100_000, cnn[0].split), { train: 70_000, validation: 10_000, test: 20_000 });
  const rbm = presetSpec('rbm', 'paper', 1, 'npy').groups;
  const excess = rbm.find((g) => g.name === 'conserved-L12-excess30');
  assert.equal(Math.round((excess?.magnetization ?? 0) * 144), 30);
  assert.ok(rbm.every((g) => [1.0, 1.5, 2.0, 2.5, 3.0, 3.5].every((T) => g.temperatures.includes(T)) && g.temperatures.some((T) => Math.abs(T - CRITICAL_TEMPERATURE) < 1e-9)));
  const made = presetSpec('made', 'paper', 1, 'npy').groups;
  assert.deepEqual([made[0].L, made[0].temperatures, made[0].perTemperature], [16, [2.5], 60_000]);
  for (const name of Object.keys(PRESETS)) for (const s of ['quick', 'paper'] as const) assert.ok(presetSpec(name, s, 1, 'npy').groups.length > 0);
});

test('the same seed gives the same bytes with 1 and 2 workers; reference values agree with exact ones', async () => {
  const a = scratch(), b = scratch();
  try {
    const spec = () => customSpec({ L: [4, 6], temperatures: [1.8, 2.4, 3.2], perTemperature: 3000, model: 'ising', seed: 5, storage: 'npy' });
    await generateDataset(spec(), { out: a, workers: 1, resume: false });
    await generateDataset(spec(), { out: b, workers: 2, resume: false });
    assertSameFiles(a, b);
    const m = readManifest(a);
    for (const g of m.groups) {
      for (const t of g.temperatures) {
        assert.ok(t.thermalized);
        assert.ok(t.spacing >= 2 * t.tauIntEnergy && t.spacing >= 2 * t.tauIntOrder, `spacing ${t.spacing} < 2 τ`);
        assert.ok(t.exact !== null);
        const e = t.monteCarlo.energyPerSpin;
        assert.ok(Math.abs(e.mean - t.exact.energyPerSpin) < 5 * e.error, `${g.name} T=${t.T}: E/N ${e.mean} ± ${e.error}, exact ${t.exact.energyPerSpin}`);
        if (t.exact.absMagnetization !== undefined) {
          const am = t.monteCarlo.absMagnetization;
          assert.ok(Math.abs(am.mean - t.exact.absMagnetization) < 5 * am.error, `${g.name} T=${t.T}: |M|/N ${am.mean} ± ${am.error}, exact ${t.exact.absMagnetization}`);
        }
      }
    }
    const verified = await verifyDataset(a);
    assert.ok(verified.ok, verified.problems.join('\n'));
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});

test('conserved datasets keep M fixed and match exact enumeration at fixed M', async () => {
  const dir = scratch();
  try {
    await generateDataset(customSpec({ L: [4], temperatures: [1.5, 2.5], perTemperature: 4000, model: 'conserved', magnetization: 0.25, seed: 3, storage: 'npy' }), { out: dir, workers: 2, resume: false });
    const m = readManifest(dir);
    const g = findGroup(m);
    const mag = await readArray(dir, m, g, 'magnetization');
    assert.ok(mag.every((x) => x === 0.25));
    for (const t of g.temperatures) {
      assert.equal(t.exact?.method, 'enumeration');
      const e = t.monteCarlo.energyPerSpin;
      assert.ok(Math.abs(e.mean - (t.exact?.energyPerSpin ?? NaN)) < 5 * e.error, `T=${t.T}: E/N ${e.mean} ± ${e.error}, exact ${t.exact?.energyPerSpin}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('numpy reads a generated dataset and its energies match the spins', { skip: !hasNumpy && 'python3 with numpy is not installed' }, async () => {
  const dir = scratch();
  try {
    const r = cli('dataset', 'generate', '--L', '6', '--temperatures', '2.0,3.0', '--per-temperature', '40', '--labels', '--out', dir, '--seed', '2');
    assert.equal(r.status, 0, r.stderr);
    const code = `import numpy as np, json
m = json.load(open('${dir}/manifest.json'))
g = m['groups'][0]['name']
s = np.load('${dir}/' + g + '/spins.npy'); e = np.load('${dir}/' + g + '/energy.npy'); lab = np.load('${dir}/' + g + '/label.npy')
assert s.dtype == np.int8 and s.shape == (80, 6, 6), (s.dtype, s.shape)
E = -(s * np.roll(s, 1, 1) + s * np.roll(s, 1, 2)).sum(axis=(1, 2)) / 36
assert np.array_equal(E, e)
assert list(lab[:40]) == [1] * 40 and list(lab[40:]) == [0] * 40
print('ok')`;
    const py = spawnSync('python3', ['-c', code], { encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    assert.equal(py.stdout.trim(), 'ok');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a generation killed with SIGKILL resumes to the same bytes as an uninterrupted one', async () => {
  const full = scratch(), killed = scratch();
  try {
    const args = ['dataset', 'generate', '--L', '12', '--temperatures', '1.5,2.2,2.6,3.5', '--per-temperature', '6000', '--seed', '11', '--workers', '2', '--checkpoint-every', '0.05'];
    const r = cli(...args, '--out', full);
    assert.equal(r.status, 0, r.stderr);
    // kill twice at different moments, then let it finish
    for (const waitCheckpoints of [1, 3]) {
      const child = spawn(process.execPath, [CLI, ...args, '--out', killed, ...(existsSync(join(killed, '.partial')) ? ['--resume'] : [])], { env, stdio: 'ignore' });
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          const dir = join(killed, '.partial');
          const n = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.ckpt')).length : 0;
          if (n >= waitCheckpoints) {
            clearInterval(poll);
            resolve();
          }
        }, 5);
      });
      child.kill('SIGKILL');
      await new Promise((resolve) => child.on('exit', resolve));
      assert.ok(!existsSync(join(killed, 'manifest.json')), 'the run finished before it was killed: the test did not test resume');
    }
    const again = cli(...args, '--out', killed);
    assert.equal(again.status, 2, 'without --resume an interrupted folder is refused');
    assert.match(again.stderr, /--resume/);
    const resumed = cli(...args, '--out', killed, '--resume', '--json');
    assert.equal(resumed.status, 0, resumed.stderr);
    assertSameFiles(full, killed);
  } finally {
    rmSync(full, { recursive: true, force: true });
    rmSync(killed, { recursive: true, force: true });
  }
});

test('verify finds damage; bad input is refused with exit 2 and nothing overwritten', async () => {
  const dir = scratch(), other = scratch();
  try {
    assert.equal(cli('dataset', 'generate', '--L', '6', '--temperatures', '2.5', '--per-temperature', '20', '--out', dir).status, 0);
    const ok = cli('dataset', 'verify', dir);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    const before = snapshot(dir);

    const cases: [string[], RegExp][] = [
      [['--preset', 'nope'], /--preset nope is unknown: allowed are ae-flow/],
      [['--L', '6', '--temperatures', '3.0:2.0:0.1', '--per-temperature', '5'], /--temperatures 3.0:2.0:0.1 is not allowed/],
      [['--L', '6', '--temperatures', '2.0', '--per-temperature', '5', '--model', 'conserved', '--magnetization', '0.1'], /--magnetization 0.1 is not reachable on 6×6/],
      [['--L', '6', '--temperatures', '2.0', '--per-temperature', '5', '--algorithm', 'kawasaki'], /--algorithm kawasaki does not fit --model ising/],
      [['--L', '6', '--temperatures', '2.0', '--per-temperature', '7', '--out', dir], /holds a different dataset/],
    ];
    for (const [args, pattern] of cases) {
      const r = cli('dataset', 'generate', ...args, ...(args.includes('--out') ? [] : ['--out', join(other, 'x')]));
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    }
    assert.ok(!existsSync(join(other, 'x', 'manifest.json')));
    const same = snapshot(dir);
    for (const [k, v] of before) assert.ok(v.equals(same.get(k) as Buffer), `${k} was changed by a refused command`);

    const m = readManifest(dir);
    const spinsPath = join(dir, m.groups[0].arrays.spins.path);
    const bytes = readFileSync(spinsPath);
    bytes[bytes.length - 5] = 3;
    writeFileSync(spinsPath, bytes);
    const bad = cli('dataset', 'verify', dir);
    assert.equal(bad.status, 1);
    assert.match(bad.stdout, /spins\.npy: SHA-256 differs/);
    // a consistent-looking manifest cannot hide a spin that is not ±1
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    manifest.groups[0].arrays.spins.sha256 = (await import('../src/io/stream.js')).sha256File(spinsPath);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    const report = await verifyDataset(dir);
    assert.ok(!report.ok);
    assert.ok(report.problems.some((p) => /not ±1/.test(p)), report.problems.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  }
});

test('hdf5 storage holds the same arrays as npy storage', async () => {
  const a = scratch(), b = scratch();
  try {
    const spec = (storage: 'npy' | 'hdf5') => customSpec({ L: [6], temperatures: [2.0, 2.8], perTemperature: 30, model: 'ising', seed: 4, storage });
    await generateDataset(spec('npy'), { out: a, workers: 1, resume: false });
    await generateDataset(spec('hdf5'), { out: b, workers: 1, resume: false });
    const ma = readManifest(a), mb = readManifest(b);
    for (const name of ['spins', 'temperature', 'energy', 'magnetization', 'split']) {
      const x = await readArray(a, ma, findGroup(ma), name);
      const y = await readArray(b, mb, findGroup(mb), name);
      assert.deepEqual([...y], [...x], name);
    }
    const r = await verifyDataset(b);
    assert.ok(r.ok, r.problems.join('\n'));
    assert.deepEqual(readNpy(join(a, ma.groups[0].arrays.spins.path)).shape, [60, 6, 6]);
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});

test('the task scheduler hands out the slow points first: deep-ordered conserved, near-T_c otherwise', () => {
  const task = (L: number, T: number, model: 'conserved' | 'ising', algorithm: 'geometric' | 'exchange' | 'wolff') =>
    expectedCost({ L, T, J: 1, model, algorithm, perTemperature: 100 });
  // geometric at M0 = 0: T = 1.0 costs 130 ms per configuration at L = 50, T = 2.3 only 5 ms
  assert.ok(task(50, 1.0, 'conserved', 'geometric') > 20 * task(50, 2.3, 'conserved', 'geometric'));
  assert.ok(task(50, 1.0, 'conserved', 'geometric') > task(40, 1.0, 'conserved', 'geometric'));
  // interpolation between the measured temperatures stays between its neighbours
  const mid = task(50, 1.25, 'conserved', 'geometric');
  assert.ok(mid < task(50, 1.0, 'conserved', 'geometric') && mid > task(50, 1.5, 'conserved', 'geometric'));
  // the non-conserved rules slow down near T_c instead
  assert.ok(task(50, CRITICAL_TEMPERATURE, 'ising', 'wolff') > task(50, 1.0, 'ising', 'wolff'));
});
