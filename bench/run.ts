/**
 * `npm run bench`: spin-flip throughput of spinflow's samplers next to C implementations of the same
 * algorithms (bench/c, compiled here with `cc -O3 -march=native` in the same run), printed as ratios,
 * plus Wolff's τ_int(|M|) against Metropolis, the parallel speed-up of worker threads, and the
 * time of the ae-flow dataset preset (paper scale; quick scale with --quick) on 1 and 2 workers, and
 * the autoencoder and RBM training steps against PyTorch on CPU, and the MADE study's proposals and
 * exact samples (incremental JS and WebAssembly SIMD against a full tfjs pass), and the CNN
 * classifier's step (native conv2d on the circularly padded input against im2col by rolling, and
 * PyTorch), and the NeuralRG training step (one inference pass against two).
 * Timings live here, never in the tests. Options: --quick (fewer sizes and sweeps), --json.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { squareLattice } from '../src/lattice/square.js';
import { Rng } from '../src/sampling/rng.js';
import { createRule, type Algorithm } from '../src/sampling/algorithms.js';
import { initialConfiguration } from '../src/sampling/model.js';
import { multispinRule } from '../src/sampling/rules/multispin.js';
import { runChains } from '../src/sampling/pool.js';
import { chainSpecs, planSimulation, simulate } from '../src/sampling/simulate.js';
import { CRITICAL_TEMPERATURE } from '../src/exact/onsager.js';
import type { Rule } from '../src/sampling/rule.js';
import { presetSpec } from '../src/data/spec.js';
import { initBackend } from '../src/nn/backend.js';
import { timeAeStep } from './ae-step.js';
import { timeRbmStep } from './rbm-step.js';
import { timeMade } from './made-transfer.js';
import { timeCnnStep } from './cnn-step.js';
import { timeNeuralRgStep } from './neuralrg-step.js';
import { generateDataset } from '../src/data/generate.js';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const asJson = args.has('--json');
const Tc = CRITICAL_TEMPERATURE;
const root = fileURLToPath(new URL('../../', import.meta.url));
const cDir = join(root, 'bench', 'c');
const buildDir = join(cDir, 'build');
const log = (s: string) => { if (!asJson) process.stdout.write(`${s}\n`); };

interface Row {
  case: string;
  L: number;
  js: number;
  c: number | null;
  ratio: number | null;
  unit: string;
}
const rows: Row[] = [];

function compileC(): Set<string> {
  const built = new Set<string>();
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' });
  } catch {
    log('bench: no C compiler (cc) found — C reference columns skipped');
    return built;
  }
  mkdirSync(buildDir, { recursive: true });
  for (const f of readdirSync(cDir).filter((x) => x.endsWith('.c'))) {
    const name = f.replace(/\.c$/, '');
    try {
      execFileSync('cc', ['-O3', '-march=native', '-o', join(buildDir, name), join(cDir, f), '-lm'], { stdio: 'pipe' });
      built.add(name);
    } catch (e) {
      log(`bench: could not compile bench/c/${f}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return built;
}

function runC(name: string, L: number, T: number, sweeps: number): number | null {
  const r = spawnSync(join(buildDir, name), [String(L), String(T), String(sweeps), '12345'], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { workPerNs: number };
  return out.workPerNs;
}

/** Work per ns of `sweeps` sweeps after a short warm-up (JIT, thermalization), best of 3 runs. */
function timeRule(make: () => Rule, sweeps: number): number {
  let best = 0;
  for (let rep = 0; rep < 3; rep++) {
    const rule = make();
    const rng = Rng.stream(12345, rep);
    for (let s = 0; s < Math.max(20, sweeps / 10); s++) rule.sweep(rng); // Wolff calibrates on the last half
    rule.freeze?.();
    let work = 0;
    const t0 = performance.now();
    for (let s = 0; s < sweeps; s++) work += rule.sweep(rng);
    const ns = (performance.now() - t0) * 1e6;
    best = Math.max(best, work / ns);
  }
  return best;
}

function jsRule(algorithm: Algorithm, L: number, T: number, extra: Partial<{ magnetization: number; simd: boolean }> = {}): () => Rule {
  return () => {
    const lattice = squareLattice(L);
    const params = { J: 1, h: 0, T };
    const rng = Rng.stream(12345, 99);
    const initial = initialConfiguration(lattice, rng, { ...params, magnetization: extra.magnetization ?? null, start: 'hot' });
    if (algorithm === 'multispin') return multispinRule({ lattice, params, initial }, rng, { simd: extra.simd ?? true });
    return createRule(algorithm, { lattice, params, initial }, rng);
  };
}

function record(label: string, L: number, js: number, c: number | null, unit = 'flips/ns'): void {
  const ratio = c ? js / c : null;
  rows.push({ case: label, L, js, c, ratio, unit });
  log(`${label.padEnd(34)} L=${String(L).padEnd(5)} spinflow ${js.toFixed(3).padStart(7)} ${unit}   C ${c === null ? '    —  ' : c.toFixed(3).padStart(7)}   ratio ${ratio === null ? '—' : ratio.toFixed(2)}`);
}

const built = compileC();
const c = (name: string, L: number, T: number, sweeps: number) => (built.has(name) ? runC(name, L, T, sweeps) : null);
const sizes = quick ? [64, 256] : [64, 256, 1024];
const flipsBudget = quick ? 2e7 : 1e8;
const sweepsFor = (L: number, budget = flipsBudget) => Math.max(10, Math.round(budget / (L * L)));

log(`spinflow benchmarks at T_c = ${Tc.toFixed(6)} (${quick ? 'quick' : 'full'}); ratios are spinflow / C, measured in this run\n`);
for (const L of sizes) {
  const n = sweepsFor(L);
  const cTypewriter = c('metropolis', L, Tc, n);
  record('metropolis (typewriter)', L, timeRule(jsRule('metropolis', L, Tc), n), cTypewriter);
  record('checkerboard', L, timeRule(jsRule('checkerboard', L, Tc), n), c('checkerboard', L, Tc, n));
  const nm = sweepsFor(L, flipsBudget * 8);
  const cMultispin = L % 128 === 0 ? c('multispin', L, Tc, nm) : null;
  record('multispin JS (32/word)', L, timeRule(jsRule('multispin', L, Tc, { simd: false }), nm), cMultispin);
  if (L % 256 === 0) record('multispin WASM SIMD (128/vector)', L, timeRule(jsRule('multispin', L, Tc, { simd: true }), nm), cMultispin);
  if (cTypewriter) {
    const last = rows.filter((r) => r.L === L && r.case.startsWith('multispin'));
    for (const r of last) log(`${''.padEnd(34)}        ${r.case} / C typewriter = ${(r.js / cTypewriter).toFixed(1)}×`);
  }
  record('wolff (spins flipped)', L, timeRule(jsRule('wolff', L, Tc), Math.max(5, Math.round(n / 4))), c('wolff', L, Tc, Math.max(5, Math.round(n / 4))));
  record('kawasaki (M = 0)', L, timeRule(jsRule('kawasaki', L, Tc, { magnetization: 0 }), n), c('kawasaki', L, Tc, n));
  log('');
}

// Autocorrelation: τ_int(|M|) in sweeps at L = 64, T_c, Wolff against Metropolis.
const tauSweeps = quick ? 20000 : 100000;
const [metro] = await simulate({ L: 64, T: Tc, algorithm: 'metropolis', sweeps: tauSweeps, thermalize: 5000, seed: 5, correlationEvery: 0 });
const [wolff] = await simulate({ L: 64, T: Tc, algorithm: 'wolff', sweeps: tauSweeps / 5, thermalize: 1000, seed: 5, correlationEvery: 0 });
log(`τ_int(|M|) at L = 64, T_c: metropolis ${metro.absMagnetization.tauInt.toFixed(1)} sweeps, wolff ${wolff.absMagnetization.tauInt.toFixed(2)} sweeps (×${(metro.absMagnetization.tauInt / wolff.absMagnetization.tauInt).toFixed(0)})`);
const wolffSweepNs = 1 / wolff.flipsPerNanosecond * 64 * 64;
log(`wolff time per equivalent sweep at L = 64: ${(wolffSweepNs / 1e3).toFixed(1)} µs`);

// Parallel speed-up on independent chains.
const plan = planSimulation({ L: 128, T: [Tc], algorithm: 'metropolis', sweeps: quick ? 3000 : 20000, thermalize: 0, chains: 4, seed: 1, correlationEvery: 0, measureEvery: 10 });
const specs = chainSpecs(plan);
const wall = async (workers: number) => {
  const t0 = performance.now();
  await runChains(specs, { workers });
  return performance.now() - t0;
};
await wall(2); // warm-up
const one = await wall(1);
const two = await wall(2);
log(`independent chains (4 × L=128 metropolis): 1 worker ${(one / 1000).toFixed(2)} s, 2 workers ${(two / 1000).toFixed(2)} s, speed-up ${(one / two).toFixed(2)}×`);

// Dataset generation: the ae-flow preset (paper scale: 80 000 configurations of L = 30 at 200 T).
const datasetScale = quick ? 'quick' : 'paper';
const generate = async (workers: number) => {
  const out = mkdtempSync(join(tmpdir(), 'spinflow-bench-'));
  try {
    const t0 = performance.now();
    await generateDataset(presetSpec('ae-flow', datasetScale, 1, 'npy'), { out, workers, resume: false });
    return performance.now() - t0;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
};
const dataset1 = await generate(1);
const dataset2 = await generate(2);
log(`dataset ae-flow (${datasetScale} scale): 1 worker ${(dataset1 / 1000).toFixed(1)} s, 2 workers ${(dataset2 / 1000).toFixed(1)} s, speed-up ${(dataset1 / dataset2).toFixed(2)}×`);

// Autoencoder training step (900 → N_l → 900, batch 512, Adam; 118 steps make an epoch of 60 000)
// on the default CPU backend, against PyTorch on CPU (one thread) when Debian's python3-torch is there.
const aeSteps = quick ? 10 : 30;
const backend = await initBackend('wasm');
const torchPython = ['/usr/bin/python3', 'python3'].find((py) => spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0);
const ae: { hidden: number; spinflowMs: number; torchMs: number | null; ratio: number | null }[] = [];
for (const hidden of [128, 512]) {
  const ms = timeAeStep(hidden, aeSteps) * 1000;
  let torchMs: number | null = null;
  if (torchPython) {
    const r = spawnSync(torchPython, [join(root, 'bench', 'py', 'ae_step.py'), String(hidden), String(aeSteps)], { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' } });
    if (r.status === 0) torchMs = Number(r.stdout.trim()) * 1000;
  }
  ae.push({ hidden, spinflowMs: ms, torchMs, ratio: torchMs ? ms / torchMs : null });
  log(`autoencoder step N_l = ${hidden} (${backend.name}, ${backend.detail}): ${ms.toFixed(1)} ms, epoch ≈ ${(ms * 118 / 1000).toFixed(1)} s; PyTorch CPU ${torchMs ? `${torchMs.toFixed(1)} ms, ratio ${(ms / torchMs).toFixed(2)}` : 'not importable (apt install python3-torch libopenblas0-pthread): skipped'}`);
}

// RBM CD-10 step of the rbm study (L = 8 and 12, batch 20 as at quick scale), typed arrays vs PyTorch CPU
const rbmSteps = quick ? 20 : 100;
const rbm: { L: number; spinflowMs: number; jsGibbsMs: number; torchMs: number | null; ratio: number | null }[] = [];
for (const L of [8, 12]) {
  const ms = timeRbmStep(L, 20, 10, rbmSteps) * 1000;
  const jsMs = timeRbmStep(L, 20, 10, rbmSteps, 5, 'js') * 1000;
  let torchMs: number | null = null;
  if (torchPython) {
    const r = spawnSync(torchPython, [join(root, 'bench', 'py', 'rbm_step.py'), String(L), '20', '10', String(rbmSteps)], { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' } });
    if (r.status === 0) torchMs = Number(r.stdout.trim()) * 1000;
  }
  rbm.push({ L, spinflowMs: ms, jsGibbsMs: jsMs, torchMs, ratio: torchMs ? ms / torchMs : null });
  log(`RBM CD-10 step L = ${L}, batch 20 (typed arrays, Gibbs on the SIMD kernel): ${ms.toFixed(2)} ms, Gibbs in JS ${jsMs.toFixed(2)} ms (×${(jsMs / ms).toFixed(2)}); PyTorch CPU ${torchMs ? `${torchMs.toFixed(2)} ms, ratio ${(ms / torchMs).toFixed(2)}` : 'not importable: skipped'}`);
}

// CNN classifier step of the conserved-cnn study (paper channels, batch 128; 547 steps make an epoch
// of 70 000): nn/conv.ts's conv2d with written-out gradients against the im2col by rolling it replaced
const cnnSteps = quick ? 2 : 5;
const cnn: { L: number; spinflowMs: number; im2colMs: number; torchMs: number | null }[] = [];
for (const L of quick ? [20] : [20, 50]) {
  const t = timeCnnStep(L, cnnSteps);
  let torchMs: number | null = null;
  if (torchPython) {
    const r = spawnSync(torchPython, [join(root, 'bench', 'py', 'cnn_step.py'), String(L), String(cnnSteps)], { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' } });
    if (r.status === 0) torchMs = Number(r.stdout.trim()) * 1000;
  }
  cnn.push({ L, spinflowMs: t.seconds * 1000, im2colMs: t.im2colSeconds * 1000, torchMs });
  log(`CNN step L = ${L}, batch 128 (${backend.name}): ${(t.seconds * 1000).toFixed(0)} ms, im2col by rolling ${(t.im2colSeconds * 1000).toFixed(0)} ms (×${(t.im2colSeconds / t.seconds).toFixed(1)}); PyTorch CPU ${torchMs ? `${torchMs.toFixed(0)} ms, ratio ${(t.seconds * 1000 / torchMs).toFixed(2)}` : 'not importable: skipped'}`);
}

const nrg = timeNeuralRgStep(quick);
log(`NeuralRG step L = ${nrg.L}, depth ${nrg.depth}, batch ${nrg.batch} (${backend.name}): ${nrg.seconds.toFixed(2)} s, with q_sym by two inference passes ${nrg.twoPassSeconds.toFixed(2)} s (×${(nrg.twoPassSeconds / nrg.seconds).toFixed(2)})`);

const made = timeMade(quick);
for (const m of made) {
  log(`MADE ${m.network}: µs per proposal tfjs pass ${m.proposal.tfjs.toFixed(1)}, incremental JS ${m.proposal.js.toFixed(1)} (×${(m.proposal.tfjs / m.proposal.js).toFixed(1)}), SIMD ${m.proposal.simd.toFixed(1)} (×${(m.proposal.tfjs / m.proposal.simd).toFixed(1)})`);
  log(`${''.padEnd(5)}µs per exact sample tfjs (a pass per site) ${m.sample.tfjs.toFixed(0)}, incremental JS ${m.sample.js.toFixed(0)} (×${(m.sample.tfjs / m.sample.js).toFixed(1)}), SIMD ${m.sample.simd.toFixed(0)} (×${(m.sample.tfjs / m.sample.simd).toFixed(1)})`);
}

if (asJson) {
  process.stdout.write(`${JSON.stringify({
    autoencoderStep: { backend: backend.name, steps: aeSteps, rows: ae },
    rbmStep: { batch: 20, k: 10, steps: rbmSteps, rows: rbm },
    madeMicroseconds: made,
    cnnStep: { batch: 128, channels: [16, 32], steps: cnnSteps, rows: cnn },
    neuralRgStep: nrg,
    T: Tc, rows, tauInt: { metropolis: metro.absMagnetization.tauInt, wolff: wolff.absMagnetization.tauInt }, wolffMicrosecondsPerSweepL64: wolffSweepNs / 1e3, workerSpeedup: one / two,
    dataset: { preset: 'ae-flow', scale: datasetScale, seconds1: dataset1 / 1000, seconds2: dataset2 / 1000, speedup: dataset1 / dataset2 },
  })}\n`);
}
