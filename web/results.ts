/** The Results view: a reproduce folder's "paper vs exact vs spinflow" table, figures and, for ae-flow, the NN flow animated. */
import { autoencoderFromBytes, disposeAutoencoder, reconstruct } from '../src/models/ae/autoencoder.js';
import { bitsToSpins, energyPerSpin, magnetization, spinsToBits, squareLattice } from '../src/lattice/square.js';
import { monteCarloConfigurations } from './reference.js';
import { initPageBackend } from './tf.js';
import { drawChart, drawSpins } from './plot.js';
import type { ResultEntry } from '../src/serve/server.js';

export type { ResultEntry };

interface Comparison {
  quantity: string;
  spinflow?: unknown;
  paper?: unknown;
  exact?: unknown;
  sigmas?: number | null;
  note?: string;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** `results/<path>/<more>…` with each segment encoded and empty ones dropped (a root-level study has path ''). */
export function resultUrl(...paths: string[]): string {
  return ['results', ...paths.flatMap((p) => p.split('/')).filter(Boolean).map(encodeURIComponent)].join('/');
}

export function show(value: unknown): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toPrecision(5);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  const v = value as { mean?: unknown; error?: unknown };
  if (typeof v.mean === 'number' && Object.keys(value).every((k) => k === 'mean' || k === 'error')) {
    return typeof v.error === 'number' && Number.isFinite(v.error) ? `${show(v.mean)} ± ${show(v.error)}` : show(v.mean);
  }
  return JSON.stringify(value, (_, v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(5)) : v));
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, attrs: Record<string, string> = {}): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

let entries: ResultEntry[] = [];

export async function loadResultList(): Promise<ResultEntry[]> {
  const r = await fetch('api/results');
  const body = (await r.json()) as { results: ResultEntry[]; resultsDir: boolean };
  entries = body.results;
  const select = $<HTMLSelectElement>('result-folder');
  select.replaceChildren(...entries.map((e) => el('option', `${e.path || '.'} — ${e.study} (${e.scale})`, { value: e.path })));
  $('result-note').textContent = !body.resultsDir ? 'No results folder is served: start spinflow serve --results DIR.'
    : entries.length === 0 ? 'No summary.json under the results folder: run spinflow reproduce --out DIR first.' : `${entries.length} result folder(s)`;
  return entries;
}

async function showResult(path: string): Promise<void> {
  const body = $('result-body');
  body.replaceChildren();
  const entry = entries.find((e) => e.path === path);
  if (!entry) return;
  const summary = (await (await fetch(resultUrl(entry.path, 'summary.json'))).json()) as { title?: string; scale?: string; comparisons?: Comparison[]; figures?: { name: string; caption: string }[]; elapsedSeconds?: number };
  body.append(el('h2', `${entry.study}: ${summary.title ?? ''}`), el('p', `${summary.scale ?? ''} scale${summary.elapsedSeconds ? `, ${summary.elapsedSeconds.toFixed(0)} s` : ''} · `, { class: 'muted' }));
  const report = el('a', 'report.md', { href: resultUrl(entry.path, 'report.md') });
  body.lastElementChild!.append(report);
  const table = el('table', undefined, { class: 'comparisons', id: 'comparison-table' });
  const head = el('tr');
  for (const h of ['quantity', 'paper', 'exact', 'spinflow', 'σ', 'note']) head.append(el('th', h));
  table.append(head);
  for (const c of summary.comparisons ?? []) {
    const tr = el('tr');
    const sigmas = typeof c.sigmas === 'number' ? c.sigmas.toFixed(1) : '–';
    for (const v of [show(c.quantity), show(c.paper), show(c.exact), show(c.spinflow), sigmas, show(c.note)]) tr.append(el('td', v));
    table.append(tr);
  }
  body.append(table);
  if (entry.study === 'ae-flow' && entry.models.some((m) => m.model === 'autoencoder')) body.append(flowPanel(entry));
  const figures = el('div', undefined, { class: 'figures' });
  for (const f of summary.figures ?? []) {
    const fig = el('figure');
    fig.append(el('img', undefined, { src: resultUrl(entry.path, 'figures', `${f.name}.svg`), alt: f.name, 'data-figure': f.name }), el('figcaption', f.caption));
    figures.append(fig);
  }
  body.append(figures);
}

/** The NN flow of one autoencoder, animated: from a Monte Carlo configuration at T_i to its fixed point. */
function flowPanel(entry: ResultEntry): HTMLElement {
  const panel = el('div', undefined, { class: 'panel' });
  const models = entry.models.filter((m) => m.model === 'autoencoder');
  const select = el('select', undefined, { id: 'flow-model' });
  select.append(...models.map((m) => el('option', `${m.path.split('/').pop()} (N_l = ${m.metadata.hidden})`, { value: m.path })));
  const preferred = models.find((m) => m.metadata.hidden === '128' && m.metadata.tCut === '0.02' && !m.path.includes('physics'));
  if (preferred) select.value = preferred.path;
  const ti = el('select', undefined, { id: 'flow-Ti' });
  ti.append(el('option', '4.5'), el('option', '1.5'));
  const run = el('button', 'Run the flow', { id: 'flow-run' });
  const canvas = el('canvas', undefined, { id: 'flow-canvas', width: '16', height: '16' });
  const chart = el('canvas', undefined, { width: '360', height: '180' });
  const info = el('p', '', { id: 'flow-info', class: 'muted' });
  const row = el('div', undefined, { class: 'flow' });
  row.append(canvas, chart);
  const label = (text: string, input: HTMLElement) => { const l = el('label', `${text} `); l.append(input); return l; };
  panel.append(el('h3', 'NN flow (Fig. 3): reconstruct, round, feed back'), label('autoencoder', select), label(' T_i', ti), run, info, row);
  let timer: ReturnType<typeof setInterval> | undefined;
  run.addEventListener('click', async () => {
    clearInterval(timer);
    info.textContent = 'loading…';
    try {
      const backend = await initPageBackend();
      const bytes = new Uint8Array(await (await fetch(resultUrl(select.value))).arrayBuffer());
      const ae = autoencoderFromBytes(bytes, select.value);
      const L = Math.round(Math.sqrt(ae.spec.inputs));
      const lattice = squareLattice(L);
      const start = monteCarloConfigurations(L, Number(ti.value), 1, 1, null);
      const frames = [start];
      let x = spinsToBits(start);
      let fixed = false;
      for (let s = 0; s < 100 && !fixed; s++) {
        const y = reconstruct(ae, x, 1);
        fixed = y.every((v, i) => v === x[i]);
        if (!fixed) frames.push(bitsToSpins(y));
        x = y;
      }
      disposeAutoencoder(ae);
      const E = frames.map((f) => energyPerSpin(lattice, f)), M = frames.map((f) => Math.abs(magnetization(f)) / lattice.N);
      drawChart(chart, [{ x: E.map((_, i) => i), y: E, color: '#1d3557' }], { title: 'E/N along the flow', xLabel: 'step' });
      let k = 0;
      const paint = () => {
        drawSpins(canvas, frames[k], L);
        info.textContent = `step ${k} of ${frames.length - 1}${k === frames.length - 1 ? (fixed ? ' (fixed point)' : ' (no fixed point within 100 steps)') : ''}: E/N = ${E[k].toFixed(4)}, |m| = ${M[k].toFixed(4)} · L = ${L}, backend ${backend}`;
        k = (k + 1) % frames.length;
      };
      paint();
      timer = setInterval(paint, 500);
    } catch (e) {
      info.textContent = `error: ${(e as Error).message}`;
    }
  });
  return panel;
}

export function setupResults(): void {
  const select = $<HTMLSelectElement>('result-folder');
  select.addEventListener('change', () => void showResult(select.value));
}

export async function openResults(): Promise<void> {
  const list = await loadResultList();
  const select = $<HTMLSelectElement>('result-folder');
  if (list.length > 0 && !$('result-body').hasChildNodes()) await showResult(select.value || list[0].path);
}
