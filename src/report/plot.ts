/**
 * Figures as SVG text, with no browser and no plotting dependency: line and scatter plots with error
 * bars, reference lines and a legend, and spin configurations drawn as black/white images.
 */

export interface Point {
  x: number;
  y: number;
  /** Symmetric error bar (1σ), or absent. */
  error?: number;
}

export interface Series {
  name: string;
  points: Point[];
  /** 'line' joins the points; 'points' draws markers with error bars; 'both' does both. */
  style?: 'line' | 'points' | 'both';
  /** 'dashed' for references (exact values). */
  dash?: boolean;
  /** Palette index (default: the series' position), e.g. to draw a band's two edges alike. */
  color?: number;
}

export interface PlotSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Vertical reference lines, e.g. T_c. */
  vlines?: { x: number; label: string }[];
  /** Horizontal reference lines, e.g. ±5σ. */
  hlines?: { y: number; label: string }[];
  xRange?: [number, number];
  yRange?: [number, number];
  width?: number;
  height?: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const FONT = 'DejaVu Sans, Arial, Helvetica, sans-serif';

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** About `count` round tick values covering [lo, hi] (1, 2, 5 × 10ᵏ steps). */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function extent(values: number[], pad = 0.05): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  let lo = Math.min(...finite), hi = Math.max(...finite);
  if (lo === hi) {
    lo -= Math.abs(lo) * 0.1 || 1;
    hi += Math.abs(hi) * 0.1 || 1;
  }
  const d = (hi - lo) * pad;
  return [lo - d, hi + d];
}

function fmtTick(t: number): string {
  return Math.abs(t) >= 1e4 || (Math.abs(t) < 1e-3 && t !== 0) ? t.toExponential(1) : String(Number(t.toPrecision(6)));
}

export function linePlot(spec: PlotSpec): string {
  const W = spec.width ?? 640, H = spec.height ?? 420;
  const m = { left: 70, right: 20, top: 40, bottom: 55 };
  const pw = W - m.left - m.right, ph = H - m.top - m.bottom;
  const all = spec.series.flatMap((s) => s.points);
  const [x0, x1] = spec.xRange ?? extent([...all.map((p) => p.x), ...(spec.vlines ?? []).map((v) => v.x)], 0.02);
  const [y0, y1] = spec.yRange ?? extent([...all.flatMap((p) => (p.error ? [p.y - p.error, p.y + p.error] : [p.y])), ...(spec.hlines ?? []).map((h) => h.y)]);
  const sx = (x: number) => m.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => m.top + ph - ((y - y0) / (y1 - y0)) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${FONT}" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(spec.title)}</text>`);
  out.push(`<g stroke="#ccc" stroke-width="0.5">`);
  const xt = niceTicks(x0, x1), yt = niceTicks(y0, y1);
  for (const t of xt) out.push(`<line x1="${sx(t).toFixed(1)}" y1="${m.top}" x2="${sx(t).toFixed(1)}" y2="${m.top + ph}"/>`);
  for (const t of yt) out.push(`<line x1="${m.left}" y1="${sy(t).toFixed(1)}" x2="${m.left + pw}" y2="${sy(t).toFixed(1)}"/>`);
  out.push('</g>');
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="black"/>`);
  for (const t of xt) out.push(`<text x="${sx(t).toFixed(1)}" y="${m.top + ph + 16}" text-anchor="middle">${fmtTick(t)}</text>`);
  for (const t of yt) out.push(`<text x="${m.left - 6}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end">${fmtTick(t)}</text>`);
  out.push(`<text x="${m.left + pw / 2}" y="${H - 14}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`);
  out.push(`<defs><clipPath id="plot"><rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}"/></clipPath></defs>`);
  out.push(`<g clip-path="url(#plot)">`);
  for (const v of spec.vlines ?? []) {
    out.push(`<line x1="${sx(v.x).toFixed(1)}" y1="${m.top}" x2="${sx(v.x).toFixed(1)}" y2="${m.top + ph}" stroke="#888" stroke-dasharray="4 3"/>`);
    out.push(`<text x="${(sx(v.x) + 4).toFixed(1)}" y="${m.top + 14}" fill="#555">${escapeXml(v.label)}</text>`);
  }
  for (const h of spec.hlines ?? []) {
    out.push(`<line x1="${m.left}" y1="${sy(h.y).toFixed(1)}" x2="${m.left + pw}" y2="${sy(h.y).toFixed(1)}" stroke="#888" stroke-dasharray="4 3"/>`);
    out.push(`<text x="${m.left + 4}" y="${(sy(h.y) - 4).toFixed(1)}" fill="#555">${escapeXml(h.label)}</text>`);
  }
  spec.series.forEach((s, i) => {
    const color = PALETTE[(s.color ?? i) % PALETTE.length];
    const style = s.style ?? 'both';
    const pts = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
    if (style !== 'points' && pts.length > 1) {
      const d = pts.map((p, k) => `${k ? 'L' : 'M'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join('');
      out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5"${s.dash ? ' stroke-dasharray="6 4"' : ''}/>`);
    }
    if (style !== 'line') {
      for (const p of pts) {
        if (p.error !== undefined && p.error > 0) out.push(`<line x1="${sx(p.x).toFixed(1)}" y1="${sy(p.y - p.error).toFixed(1)}" x2="${sx(p.x).toFixed(1)}" y2="${sy(p.y + p.error).toFixed(1)}" stroke="${color}"/>`);
        out.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="2.5" fill="${color}"/>`);
      }
    }
  });
  out.push('</g>');
  // legend, top right inside the frame
  // series without a name (a band's second edge) stay out of the legend
  spec.series.filter((s) => s.name !== '').forEach((s, k) => {
    const i = spec.series.indexOf(s);
    const y = m.top + 14 + 16 * k;
    const x = m.left + pw - 170;
    const color = PALETTE[(s.color ?? i) % PALETTE.length];
    if (s.style === 'points') out.push(`<circle cx="${x + 11}" cy="${y - 4}" r="3" fill="${color}"/>`);
    else out.push(`<line x1="${x}" y1="${y - 4}" x2="${x + 22}" y2="${y - 4}" stroke="${color}" stroke-width="2"${s.dash ? ' stroke-dasharray="6 4"' : ''}/>`);
    out.push(`<text x="${x + 28}" y="${y}">${escapeXml(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

/**
 * L × L panels side by side with a frame and a caption each; `draw(k, x, y)` returns the SVG of
 * panel k with its top-left corner at (x, y).
 */
function panelRow(panels: { L: number; caption: string }[], cell: number, draw: (k: number, x: number, y: number) => string): string {
  const gap = 16;
  const sizes = panels.map((p) => p.L * cell);
  const W = sizes.reduce((a, s) => a + s + gap, gap);
  const H = Math.max(...sizes) + 2 * gap + 14;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${FONT}" font-size="12" shape-rendering="crispEdges">`, `<rect width="${W}" height="${H}" fill="white"/>`];
  let x = gap;
  panels.forEach((p, k) => {
    out.push(`<rect x="${x - 0.5}" y="${gap - 0.5}" width="${sizes[k] + 1}" height="${sizes[k] + 1}" fill="white" stroke="#444"/>`);
    out.push(draw(k, x, gap));
    out.push(`<text x="${x + sizes[k] / 2}" y="${gap + sizes[k] + 18}" text-anchor="middle">${escapeXml(p.caption)}</text>`);
    x += sizes[k] + gap;
  });
  out.push('</svg>');
  return out.join('\n');
}

/** Spin configurations (row-major ±1, L×L each) side by side, +1 black, −1 white, with captions. */
export function spinImages(configs: { spins: Int8Array | ArrayLike<number>; L: number; caption: string }[], cell = 4): string {
  return panelRow(configs, cell, (k, x, y) => {
    const c = configs[k];
    const rects: string[] = [];
    for (let i = 0; i < c.L; i++) for (let j = 0; j < c.L; j++) if (c.spins[i * c.L + j] > 0) rects.push(`M${x + j * cell},${y + i * cell}h${cell}v${cell}h-${cell}z`);
    return `<path d="${rects.join('')}" fill="black"/>`;
  });
}

/**
 * Real-valued L × L maps side by side on a diverging scale (blue < 0 < red, white at 0), each scaled
 * to its own largest |value|, with captions — e.g. the response of a latent variable to the field.
 */
export function heatmaps(maps: { values: ArrayLike<number>; L: number; caption: string }[], cell = 8): string {
  return panelRow(maps, cell, (k, x, y) => {
    const m = maps[k];
    let max = 0;
    for (let i = 0; i < m.L * m.L; i++) max = Math.max(max, Math.abs(m.values[i]));
    const out: string[] = [];
    for (let i = 0; i < m.L; i++) {
      for (let j = 0; j < m.L; j++) {
        const v = max > 0 ? m.values[i * m.L + j] / max : 0;
        const fade = Math.round(255 * (1 - Math.abs(v)));
        out.push(`<rect x="${x + j * cell}" y="${y + i * cell}" width="${cell}" height="${cell}" fill="${v >= 0 ? `rgb(255,${fade},${fade})` : `rgb(${fade},${fade},255)`}"/>`);
      }
    }
    return out.join('');
  });
}
