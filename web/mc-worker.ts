/**
 * The live Monte Carlo of the page, in a Web Worker so the page stays responsive: spinflow's own
 * transition rules (src/sampling), the same code the command line runs. Messages:
 *   in   {type: 'configure', params}  new lattice/algorithm/seed: a fresh chain
 *        {type: 'set', params}        new T, J or h: the chain goes on from its configuration
 *        {type: 'play'} | {type: 'pause'} | {type: 'step', sweeps}
 *   out  {type: 'frame', …}           configuration and measurements, about 30 times a second
 *        {type: 'error', message}     a parameter the rule refuses (one line)
 */
import { ALGORITHM_INFO, createRule, isAlgorithm } from '../src/sampling/algorithms.js';
import type { Rule } from '../src/sampling/rule.js';
import { Rng } from '../src/sampling/rng.js';
import { energyPerSpin, magnetization, squareLattice, type SquareLattice } from '../src/lattice/square.js';
import { initialConfiguration, type Start } from '../src/sampling/model.js';
import { provideMultispinKernel, wasmSimdSupported } from '../src/sampling/rules/multispin-wasm.js';

export interface LiveParams {
  L: number;
  T: number;
  J: number;
  h: number;
  algorithm: string;
  /** Fixed magnetization per spin for conserving algorithms, else ignored. */
  M0: number;
  seed: number;
  start: Start;
}

export interface Frame {
  type: 'frame';
  L: number;
  spins: Int8Array;
  sweeps: number;
  energyPerSpin: number;
  absMagnetization: number;
  flipsPerNanosecond: number;
  /** The rule's implementation, e.g. multispin's 'simd-strip' layout. */
  kernel: string;
}

type Inbound = { type: 'configure'; params: LiveParams } | { type: 'set'; params: LiveParams } | { type: 'play' } | { type: 'pause' } | { type: 'step'; sweeps: number };

const scope = self as unknown as { postMessage(m: unknown, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<Inbound>) => void) | null };

let lattice: SquareLattice | null = null;
let rule: Rule | null = null;
let rng: Rng = Rng.stream(1, 0);
let params: LiveParams | null = null;
let sweeps = 0;
// work and time since the last frame; the rate shown is that of the latest sweeps
let work = 0;
let workSeconds = 0;
let lastRate = NaN;
let playing = false;
let timer: ReturnType<typeof setTimeout> | undefined;
let kernelReady: Promise<void> | null = null;

/**
 * The SIMD multispin kernel's bytes come from the page's assets (no file system here). A failed
 * fetch is not reported here: building a SIMD multispin rule then fails with its own message.
 */
function loadKernel(): Promise<void> {
  kernelReady ??= wasmSimdSupported()
    ? fetch(new URL('../dist/src/sampling/wasm/multispin.wasm', import.meta.url))
      .then(async (r) => {
        if (r.ok) provideMultispinKernel(new Uint8Array(await r.arrayBuffer()));
      })
      .catch(() => undefined)
    : Promise.resolve();
  return kernelReady;
}

function conserving(algorithm: string): boolean {
  return isAlgorithm(algorithm) && ALGORITHM_INFO[algorithm].conservesMagnetization;
}

function build(p: LiveParams, initial: Int8Array | null): void {
  if (!isAlgorithm(p.algorithm)) throw new RangeError(`algorithm ${p.algorithm} is unknown`);
  const lat = lattice && lattice.Lx === p.L ? lattice : squareLattice(p.L);
  if (!initial) rng = Rng.stream(p.seed, 0);
  const start = initial ?? initialConfiguration(lat, rng, { T: p.T, J: p.J, magnetization: conserving(p.algorithm) ? p.M0 : null, start: p.start });
  const next = createRule(p.algorithm, { lattice: lat, params: { T: p.T, J: p.J, h: p.h }, initial: start }, rng);
  lattice = lat;
  rule = next;
  params = p;
}

function frame(): void {
  if (!rule || !lattice) return;
  const spins = rule.configuration(0);
  const f: Frame = {
    type: 'frame', L: lattice.Lx, spins, sweeps,
    energyPerSpin: energyPerSpin(lattice, spins, params!.J, params!.h),
    absMagnetization: Math.abs(magnetization(spins)) / lattice.N,
    flipsPerNanosecond: workSeconds > 0 ? work / workSeconds / 1e9 : lastRate,
    kernel: [rule.algorithm, (rule as { layout?: string }).layout].filter(Boolean).join(' '),
  };
  lastRate = f.flipsPerNanosecond;
  work = 0;
  workSeconds = 0;
  scope.postMessage(f, [spins.buffer]);
}

function runSweeps(budgetMs: number, maxSweeps = Infinity): number {
  if (!rule) return 0;
  // timed as a whole: one sweep of a small lattice is below the browser's timer resolution
  const t0 = performance.now();
  let done = 0;
  do {
    work += rule.sweep(rng);
    done++;
    sweeps++;
  } while (done < maxSweeps && performance.now() - t0 < budgetMs);
  workSeconds += (performance.now() - t0) / 1000;
  return done;
}

function loop(): void {
  timer = undefined;
  if (!playing) return;
  runSweeps(30);
  frame();
  timer = setTimeout(loop, 0);
}

/** Stops the play loop, including a turn of it already scheduled (so pause + play never runs two). */
function stop(): void {
  playing = false;
  clearTimeout(timer);
  timer = undefined;
}

/** A refused parameter stops the chain; the previous one stays on screen with the message. */
function fail(e: unknown): void {
  stop();
  scope.postMessage({ type: 'error', message: (e as Error).message });
}

scope.onmessage = (e) => {
  const m = e.data;
  void loadKernel().then(() => {
    try {
      switch (m.type) {
        case 'configure':
          sweeps = 0;
          lastRate = NaN;
          build(m.params, null);
          frame();
          break;
        case 'set': {
          const keep = rule && params && params.L === m.params.L && params.algorithm === m.params.algorithm ? rule.configuration(0) : null;
          build(m.params, keep);
          frame();
          break;
        }
        case 'play':
          if (!playing) {
            playing = true;
            loop();
          }
          break;
        case 'pause':
          stop();
          break;
        case 'step':
          runSweeps(Infinity, Math.max(1, m.sweeps));
          frame();
          break;
      }
    } catch (err) {
      fail(err);
    }
  });
};
