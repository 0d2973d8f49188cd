/**
 * The one report API every study writes through. A report folder holds:
 *   summary.json        the study's key numbers, each next to the paper's and the exact value
 *   report.md, .html    every figure and the table "paper vs exact vs spinflow"
 *   figures/NAME.svg    and NAME.png (rendered in Node by resvg, no browser)
 *   data/NAME.csv       the numbers behind each figure
 * Every file is written atomically.
 */
import { join } from 'node:path';
import { writeFileAtomicSync } from '../io/checkpoint.js';

/** For JSON output: NaN and ±∞ become null, typed arrays plain arrays. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  if (value instanceof Float64Array || value instanceof Float32Array || value instanceof Int8Array) return Array.from(value);
  return value;
}

export interface Value {
  mean: number;
  error?: number;
}

/** One line of the comparison table. */
export interface Comparison {
  quantity: string;
  spinflow: Value | number | string;
  paper?: Value | number | string | null;
  exact?: number | null;
  /** Deviation from the exact value in standard errors, filled in when both are known. */
  sigmas?: number | null;
  note?: string;
}

export interface Figure {
  name: string;
  caption: string;
  svg: string;
  data: { columns: string[]; rows: (number | string | null)[][] };
}

function toValue(v: Comparison['spinflow'] | null | undefined): Value | null {
  if (v === null || v === undefined || typeof v === 'string') return null;
  return typeof v === 'number' ? { mean: v } : v;
}

function show(v: Comparison['spinflow'] | null | undefined): string {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'string') return v;
  const x = toValue(v) as Value;
  const f = (n: number) => (Math.abs(n) >= 1e4 || (Math.abs(n) < 1e-3 && n !== 0) ? n.toExponential(3) : n.toPrecision(6));
  return x.error !== undefined && Number.isFinite(x.error) ? `${f(x.mean)} ± ${f(x.error)}` : f(x.mean);
}

function csv(data: Figure['data']): string {
  const cell = (c: number | string | null) => (c === null ? '' : typeof c === 'number' ? (Number.isFinite(c) ? String(c) : '') : /[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
  return [data.columns.map(cell).join(','), ...data.rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export class Report {
  readonly figures: Figure[] = [];
  readonly comparisons: Comparison[] = [];
  readonly sections: { heading: string; text: string }[] = [];

  constructor(readonly study: string, readonly title: string, readonly summary: Record<string, unknown> = {}) {}

  figure(f: Figure): this {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(f.name)) throw new RangeError(`figure name ${f.name} must be lower-case letters, digits and dashes`);
    this.figures.push(f);
    return this;
  }

  compare(c: Comparison): this {
    const v = toValue(c.spinflow);
    const sigmas = c.sigmas ?? (v && v.error && c.exact !== undefined && c.exact !== null ? (v.mean - c.exact) / v.error : null);
    this.comparisons.push({ ...c, sigmas });
    return this;
  }

  section(heading: string, text: string): this {
    this.sections.push({ heading, text });
    return this;
  }

  markdown(): string {
    const lines = [`# ${this.title}`, ''];
    if (this.comparisons.length) {
      lines.push('| quantity | paper | exact | spinflow | dev/σ | note |', '|---|---|---|---|---|---|');
      for (const c of this.comparisons) lines.push(`| ${c.quantity} | ${show(c.paper)} | ${show(c.exact)} | ${show(c.spinflow)} | ${c.sigmas === null || c.sigmas === undefined ? '–' : c.sigmas.toFixed(1)} | ${c.note ?? ''} |`);
      lines.push('');
    }
    for (const s of this.sections) lines.push(`## ${s.heading}`, '', s.text, '');
    for (const f of this.figures) lines.push(`## ${f.caption}`, '', `![${f.caption}](figures/${f.name}.svg)`, '', `Data: [data/${f.name}.csv](data/${f.name}.csv)`, '');
    return lines.join('\n');
  }

  html(): string {
    const rows = this.comparisons.map((c) => `<tr><td>${escapeHtml(c.quantity)}</td><td>${escapeHtml(show(c.paper))}</td><td>${escapeHtml(show(c.exact))}</td><td>${escapeHtml(show(c.spinflow))}</td><td>${c.sigmas === null || c.sigmas === undefined ? '–' : c.sigmas.toFixed(1)}</td><td>${escapeHtml(c.note ?? '')}</td></tr>`);
    return [
      '<!doctype html>', '<html><head><meta charset="utf-8">', `<title>${escapeHtml(this.title)}</title>`,
      '<style>body{font-family:sans-serif;max-width:960px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px}</style>',
      '</head><body>', `<h1>${escapeHtml(this.title)}</h1>`,
      rows.length ? `<table><tr><th>quantity</th><th>paper</th><th>exact</th><th>spinflow</th><th>dev/σ</th><th>note</th></tr>${rows.join('')}</table>` : '',
      ...this.sections.map((s) => `<h2>${escapeHtml(s.heading)}</h2><pre>${escapeHtml(s.text)}</pre>`),
      ...this.figures.map((f) => `<h2>${escapeHtml(f.caption)}</h2><img src="figures/${f.name}.svg" alt="${escapeHtml(f.caption)}"><p><a href="data/${f.name}.csv">data/${f.name}.csv</a></p>`),
      '</body></html>',
    ].join('\n');
  }

  /** Writes the whole folder; PNGs when @resvg/resvg-js can load (reported in the result). */
  async write(dir: string, replacer?: (key: string, value: unknown) => unknown): Promise<{ png: boolean }> {
    const png = await pngRenderer();
    for (const f of this.figures) {
      writeFileAtomicSync(join(dir, 'figures', `${f.name}.svg`), f.svg);
      if (png) writeFileAtomicSync(join(dir, 'figures', `${f.name}.png`), png(f.svg));
      writeFileAtomicSync(join(dir, 'data', `${f.name}.csv`), csv(f.data));
    }
    const summary = { study: this.study, title: this.title, ...this.summary, comparisons: this.comparisons, figures: this.figures.map((f) => ({ name: f.name, caption: f.caption })) };
    writeFileAtomicSync(join(dir, 'summary.json'), `${JSON.stringify(summary, replacer, 2)}\n`);
    writeFileAtomicSync(join(dir, 'report.md'), this.markdown());
    writeFileAtomicSync(join(dir, 'report.html'), this.html());
    return { png: png !== null };
  }
}

type PngRenderer = (svg: string) => Uint8Array;
let renderer: PngRenderer | null | undefined;

/** SVG → PNG at twice the size, with the system's fonts; null when resvg is not installed. */
export async function pngRenderer(): Promise<PngRenderer | null> {
  if (renderer !== undefined) return renderer;
  try {
    const { Resvg } = (await import('@resvg/resvg-js')) as typeof import('@resvg/resvg-js');
    renderer = (svg: string) => new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
  } catch {
    renderer = null;
  }
  return renderer;
}
