/** The Live view: controls, the lattice canvas and the E/N, |M| traces against exact values. */
import { ALGORITHMS, ALGORITHM_INFO, isAlgorithm } from '../src/sampling/algorithms.js';
import { kaufmanObservables } from '../src/exact/kaufman.js';
import { CRITICAL_TEMPERATURE, yangSpontaneousMagnetization } from '../src/exact/onsager.js';
import { realisedMagnetization } from '../src/sampling/model.js';
import type { Frame, LiveParams } from './mc-worker.js';
import { drawChart, drawSpins } from './plot.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const TRACE = 400;

interface Exact {
  energy: number;
  absM: number;
  note: string;
}

/** Exact reference lines for the current parameters, NaN where none is known. */
export function exactValues(p: LiveParams): Exact {
  const conserved = isAlgorithm(p.algorithm) && ALGORITHM_INFO[p.algorithm].conservesMagnetization;
  if (conserved) {
    let m = NaN;
    try {
      m = Math.abs(realisedMagnetization(p.L * p.L, p.M0));
    } catch {
      // shown by the worker's error
    }
    return { energy: NaN, absM: m, note: 'Fixed M: |M|/N is M0 exactly; no closed form for E at fixed M.' };
  }
  if (p.h !== 0) return { energy: NaN, absM: NaN, note: 'h ≠ 0: no exact solution is drawn.' };
  let energy = NaN;
  try {
    energy = kaufmanObservables(p.L, p.L, p.T, p.J).energyPerSpin;
  } catch {
    // odd sides with J < 0
  }
  const absM = p.J > 0 ? yangSpontaneousMagnetization(p.T, p.J) : NaN;
  return { energy, absM, note: `E/N: Kaufman, ${p.L} × ${p.L} periodic. |M|/N: Yang, L = ∞ (finite L stays above it near and above T_c = ${(CRITICAL_TEMPERATURE * Math.abs(p.J)).toFixed(4)}).` };
}

export function setupLive(): void {
  const worker = new Worker(new URL('./mc-worker.ts', import.meta.url), { type: 'module' });
  const algorithm = $<HTMLSelectElement>('algorithm');
  for (const a of ALGORITHMS) {
    const o = document.createElement('option');
    o.value = a;
    o.textContent = a;
    o.title = ALGORITHM_INFO[a].description;
    algorithm.append(o);
  }
  algorithm.value = 'wolff';
  const T = $<HTMLInputElement>('T'), slider = $<HTMLInputElement>('T-slider');
  const energyTrace: number[] = [], absTrace: number[] = [];
  let exact = exactValues(read());

  function read(): LiveParams {
    return {
      L: Number($<HTMLSelectElement>('L').value), T: Number(T.value), J: Number($<HTMLInputElement>('J').value), h: Number($<HTMLInputElement>('h').value),
      algorithm: algorithm.value, M0: Number($<HTMLInputElement>('M0').value), seed: Number($<HTMLInputElement>('seed').value),
      start: $<HTMLSelectElement>('start').value as LiveParams['start'],
    };
  }
  function valid(p: LiveParams): string | null {
    if (!(p.T > 0) || !Number.isFinite(p.T)) return `T = ${$<HTMLInputElement>('T').value} is not allowed: a positive temperature`;
    if (!Number.isFinite(p.J) || p.J === 0) return `J = ${$<HTMLInputElement>('J').value} is not allowed: a non-zero coupling`;
    if (!Number.isFinite(p.h)) return `h is not a number`;
    if (!Number.isInteger(p.seed) || p.seed < 0) return `seed ${$<HTMLInputElement>('seed').value} is not allowed: an integer ≥ 0`;
    return null;
  }
  function send(type: 'configure' | 'set'): void {
    const p = read();
    const bad = valid(p);
    $('live-error').textContent = bad ?? '';
    if (bad) return;
    exact = exactValues(p);
    $('exact-energy').textContent = Number.isFinite(exact.energy) ? exact.energy.toFixed(5) : '–';
    $('exact-absM').textContent = Number.isFinite(exact.absM) ? exact.absM.toFixed(5) : '–';
    $('exact-note').textContent = exact.note;
    if (type === 'configure') {
      energyTrace.length = 0;
      absTrace.length = 0;
    }
    worker.postMessage({ type, params: p });
  }
  worker.onmessage = (e: MessageEvent<Frame | { type: 'error'; message: string }>) => {
    const m = e.data;
    if (m.type === 'error') {
      $('live-error').textContent = m.message;
      return;
    }
    drawSpins($<HTMLCanvasElement>('lattice'), m.spins, m.L);
    $('sweeps').textContent = String(m.sweeps);
    $('energy').textContent = m.energyPerSpin.toFixed(5);
    $('absM').textContent = m.absMagnetization.toFixed(5);
    $('rate').textContent = Number.isFinite(m.flipsPerNanosecond) ? m.flipsPerNanosecond.toPrecision(3) : '–';
    $('kernel').textContent = m.kernel;
    energyTrace.push(m.energyPerSpin);
    absTrace.push(m.absMagnetization);
    if (energyTrace.length > TRACE) energyTrace.shift();
    if (absTrace.length > TRACE) absTrace.shift();
    const x = energyTrace.map((_, i) => i);
    drawChart($<HTMLCanvasElement>('trace-energy'), [{ x, y: energyTrace, color: '#1d3557' }], { title: 'E/N per frame', references: [{ y: exact.energy, color: '#e63946', label: 'exact' }] });
    drawChart($<HTMLCanvasElement>('trace-absM'), [{ x, y: absTrace, color: '#1d3557' }], { title: '|M|/N per frame', references: [{ y: exact.absM, color: '#e63946', label: 'exact' }], yRange: [0, 1.05] });
  };
  worker.onerror = (e) => {
    $('live-error').textContent = `worker: ${e.message}`;
  };
  T.addEventListener('change', () => {
    slider.value = T.value;
    send('set');
  });
  slider.addEventListener('input', () => {
    T.value = slider.value;
    send('set');
  });
  for (const id of ['J', 'h']) $(id).addEventListener('change', () => send('set'));
  for (const id of ['L', 'algorithm', 'M0', 'seed', 'start']) $(id).addEventListener('change', () => send('configure'));
  $('play').addEventListener('click', () => worker.postMessage({ type: 'play' }));
  $('pause').addEventListener('click', () => worker.postMessage({ type: 'pause' }));
  $('step').addEventListener('click', () => worker.postMessage({ type: 'step', sweeps: 1 }));
  $('reset').addEventListener('click', () => send('configure'));
  send('configure');
}
