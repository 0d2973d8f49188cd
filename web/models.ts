/** The Models view: a saved model generates configurations here, judged by the evaluation harness against Monte Carlo. */
import { generatorFromBytes } from '../src/models/generator.js';
import { evaluateConfigurations, type SetSummary } from '../src/evaluate/harness.js';
import { monteCarloConfigurations } from './reference.js';
import { initPageBackend } from './tf.js';
import { drawChart, drawSpins } from './plot.js';
import { resultUrl, show, type ResultEntry } from './results.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
let models: ResultEntry['models'] = [];

/** Defaults for T and M0 read from a model's file name (the studies name them …-T2.5, …-M0-…, …-excess30-…). */
export function defaultsFromName(name: string, N: number | null): { T: number | null; M0: string } {
  const t = /-T([0-9]+(?:\.[0-9]+)?)(?:\.safetensors)?$/.exec(name.replace(/\.safetensors$/, ''));
  const excess = /-excess([0-9]+)-/.exec(name);
  const M0 = /conserved-L[0-9]+-M0-/.test(name) ? '0' : excess && N ? String(Number(excess[1]) / N) : '';
  return { T: t ? Number(t[1]) : null, M0 };
}

export function fillModels(entries: ResultEntry[]): void {
  models = entries.flatMap((e) => e.models);
  const select = $<HTMLSelectElement>('model-select');
  select.replaceChildren(...models.map((m) => {
    const o = document.createElement('option');
    o.value = m.path;
    o.textContent = `${m.path} (${m.model})`;
    return o;
  }));
  select.dispatchEvent(new Event('change'));
}

function summaryRows(name: string, s: SetSummary): string[] {
  return [name, `${show(s.energyPerSpin.mean)} ± ${show(s.energyPerSpin.error)}`, `${show(s.absMagnetization.mean)} ± ${show(s.absMagnetization.error)}`, String(s.count)];
}

function table(rows: string[][], head: string[]): HTMLTableElement {
  const t = document.createElement('table');
  t.className = 'comparisons';
  for (const [i, r] of [head, ...rows].entries()) {
    const tr = document.createElement('tr');
    for (const c of r) {
      const cell = document.createElement(i === 0 ? 'th' : 'td');
      cell.textContent = c;
      tr.append(cell);
    }
    t.append(tr);
  }
  return t;
}

async function generate(): Promise<void> {
  const error = $('model-error'), body = $('model-body');
  error.textContent = '';
  body.replaceChildren();
  const file = $<HTMLInputElement>('model-file').files?.[0];
  const chosen = $<HTMLSelectElement>('model-select').value;
  const n = Number($<HTMLInputElement>('model-n').value), T = Number($<HTMLInputElement>('model-T').value);
  const steps = Number($<HTMLInputElement>('model-steps').value), Ti = Number($<HTMLInputElement>('model-Ti').value);
  const m0Text = $<HTMLInputElement>('model-M0').value.trim();
  const M0 = m0Text === '' ? null : Number(m0Text);
  if (!Number.isInteger(n) || n < 2 || n > 2000) return void (error.textContent = `samples ${n} is not allowed: an integer in [2, 2000]`);
  if (!(T > 0)) return void (error.textContent = `T ${T} is not allowed: a positive temperature`);
  if (!Number.isInteger(steps) || steps < 1) return void (error.textContent = `Gibbs steps ${steps} is not allowed: an integer ≥ 1`);
  if (!(Ti > 0)) return void (error.textContent = `flow start T_i ${Ti} is not allowed: a positive temperature`);
  if (M0 !== null && !(Math.abs(M0) <= 1)) return void (error.textContent = `M0 ${m0Text} is not allowed: empty, or a magnetization per spin in [-1, 1]`);
  if (!file && !chosen) return void (error.textContent = 'choose a saved model or a .safetensors file');
  body.textContent = 'generating…';
  try {
    const backend = await initPageBackend();
    const name = file ? file.name : chosen;
    const bytes = new Uint8Array(file ? await file.arrayBuffer() : await (await fetch(resultUrl(chosen))).arrayBuffer());
    const gen = generatorFromBytes(bytes, name);
    const L = gen.L, N = L * L, kind = gen.kind;
    const t0 = performance.now();
    let samples: Int8Array;
    try {
      const start = kind === 'autoencoder' ? monteCarloConfigurations(L, Ti, n, 2, null) : undefined;
      samples = gen.generate(n, 1, { steps, start });
    } finally {
      gen.dispose();
    }
    const seconds = (performance.now() - t0) / 1000;
    const reference = monteCarloConfigurations(L, T, n, 3, M0);
    const e = evaluateConfigurations(samples, n, L, { kind: 'monte-carlo', configs: reference, n }, M0);
    body.replaceChildren();
    const h = document.createElement('h3');
    h.textContent = `${name}: ${kind}, L = ${L}, ${n} samples in ${seconds.toFixed(2)} s (backend ${backend}); Monte Carlo at T = ${T}${M0 === null ? '' : `, M0 = ${M0}`}`;
    body.append(h);
    body.append(table([summaryRows('generated', e.samples), summaryRows('Monte Carlo', e.reference)], ['set', 'E/N', '|M|/N', 'count']));
    const facts: string[][] = [
      ['E/N deviation', `${show(e.energyDeviationSigmas)} σ`],
      ['|M|/N deviation', `${show(e.absMagnetizationDeviationSigmas)} σ`],
      ['energy histogram: total variation', show(e.energyTotalVariation)],
      ['energy histogram: two-sample χ²', `${show(e.energyTest.chi2)} for ${e.energyTest.dof} dof, p = ${e.energyTest.pValue.toExponential(2)}`],
      ['C(r): largest deviation', e.correlationMaxDeviation ? `${show(e.correlationMaxDeviation.sigmas)} σ at r = ${e.correlationMaxDeviation.r}` : '–'],
    ];
    if (e.conserved) {
      facts.push(['samples breaking M0', `${(100 * e.conserved.breakingFraction.mean).toFixed(1)} %`], ['at energies impossible at M0', `${(100 * e.conserved.impossibleEnergyFraction.mean).toFixed(1)} % (${e.conserved.impossibleRule})`]);
    }
    const harness = table(facts, ['evaluation harness', 'value']);
    harness.id = 'harness-table';
    body.append(harness);
    const charts = document.createElement('div');
    charts.className = 'row';
    const hist = document.createElement('canvas');
    hist.width = 420;
    hist.height = 220;
    hist.id = 'energy-histogram';
    const corr = document.createElement('canvas');
    corr.width = 420;
    corr.height = 220;
    charts.append(hist, corr);
    body.append(charts);
    const bars = (d: Record<string, number>) => {
      const keys = Object.keys(d).map(Number).sort((a, b) => a - b);
      return { x: keys.map((u) => (-2 * N + 2 * u) / N), y: keys.map((u) => d[String(u)]) };
    };
    const a = bars(e.samples.energyDistribution), b = bars(e.reference.energyDistribution);
    drawChart(hist, [{ ...b, color: '#888', bar: 2 / N, label: 'Monte Carlo' }, { ...a, color: '#e63946', bar: 1 / N, label: 'generated' }], { title: 'energy per spin: histogram', xLabel: 'E/N' });
    const c = (s: SetSummary) => ({ x: s.correlation.map((p) => p.r), y: s.correlation.map((p) => p.mean), err: s.correlation.map((p) => p.error) });
    drawChart(corr, [{ ...c(e.reference), color: '#888', label: 'Monte Carlo' }, { ...c(e.samples), color: '#e63946', label: 'generated', points: true }], { title: 'C(r)', xLabel: 'r' });
    const thumbs = document.createElement('div');
    thumbs.className = 'samples';
    for (let k = 0; k < Math.min(8, n); k++) {
      const cv = document.createElement('canvas');
      drawSpins(cv, samples.subarray(k * N, (k + 1) * N), L);
      thumbs.append(cv);
    }
    body.append(thumbs);
  } catch (err) {
    body.replaceChildren();
    error.textContent = (err as Error).message;
  }
}

export function setupModels(): void {
  const select = $<HTMLSelectElement>('model-select');
  select.addEventListener('change', () => {
    const m = models.find((x) => x.path === select.value);
    if (!m) return;
    const N = m.metadata.visible ? Number(m.metadata.visible) : m.metadata.inputs ? Number(m.metadata.inputs) : null;
    const d = defaultsFromName(m.path.split('/').pop() ?? '', N);
    $<HTMLInputElement>('model-T').value = String(d.T ?? 2.269);
    $<HTMLInputElement>('model-M0').value = d.M0;
  });
  $('model-generate').addEventListener('click', () => void generate());
}
