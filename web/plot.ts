/** Small canvas charts for the page: line traces with reference lines, bars, points with error bars. */

export interface Line {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  color: string;
  label?: string;
  /** Error bars (same length as y), drawn as vertical ticks. */
  err?: ArrayLike<number>;
  dashed?: boolean;
  /** Draw points only (markers), no joining line. */
  points?: boolean;
  /** Draw as bars of this width (histograms). */
  bar?: number;
}

export interface ChartOptions {
  title: string;
  xLabel?: string;
  /** Horizontal reference lines (exact values). */
  references?: { y: number; color: string; label: string }[];
  yRange?: [number, number];
}

function finiteExtent(values: number[], padding = 0.06): [number, number] {
  const v = values.filter(Number.isFinite);
  if (v.length === 0) return [0, 1];
  let lo = Math.min(...v), hi = Math.max(...v);
  if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  }
  const pad = padding * (hi - lo);
  return [lo - pad, hi + pad];
}

/** Draws `lines` on `canvas`, axes scaled to the data (and the reference lines). */
export function drawChart(canvas: HTMLCanvasElement, lines: Line[], o: ChartOptions): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width: W, height: H } = canvas;
  const m = { l: 48, r: 8, t: 18, b: 22 };
  ctx.clearRect(0, 0, W, H);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  const xs: number[] = [], ys: number[] = [];
  for (const l of lines) {
    for (let i = 0; i < l.x.length; i++) {
      xs.push(l.x[i] - (l.bar ?? 0) / 2, l.x[i] + (l.bar ?? 0) / 2);
      ys.push(l.y[i] + (l.err?.[i] ?? 0), l.y[i] - (l.err?.[i] ?? 0));
      if (l.bar) ys.push(0);
    }
  }
  for (const r of o.references ?? []) ys.push(r.y);
  const [x0, x1] = finiteExtent(xs, 0.02);
  const [y0, y1] = o.yRange ?? finiteExtent(ys);
  const px = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  ctx.strokeStyle = '#888';
  ctx.lineWidth = 1;
  ctx.strokeRect(m.l, m.t, W - m.l - m.r, H - m.t - m.b);
  ctx.fillStyle = '#223';
  ctx.font = '11px sans-serif';
  ctx.fillText(o.title, m.l, 12);
  for (const y of [y0, (y0 + y1) / 2, y1]) ctx.fillText(y.toPrecision(3), 2, py(y) + 4);
  if (o.xLabel) ctx.fillText(`${o.xLabel}: ${x0.toPrecision(3)} … ${x1.toPrecision(3)}`, m.l, H - 6);
  let legendY = m.t + 12;
  for (const r of o.references ?? []) {
    if (!Number.isFinite(r.y)) continue;
    ctx.strokeStyle = r.color;
    ctx.setLineDash([5, 4]);
    ctx.beginPath();
    ctx.moveTo(m.l, py(r.y));
    ctx.lineTo(W - m.r, py(r.y));
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = r.color;
    ctx.fillText(r.label, W - m.r - ctx.measureText(r.label).width - 4, legendY);
    legendY += 12;
  }
  for (const l of lines) {
    ctx.strokeStyle = l.color;
    ctx.fillStyle = l.color;
    ctx.setLineDash(l.dashed ? [4, 3] : []);
    if (l.bar) {
      for (let i = 0; i < l.x.length; i++) {
        const a = px(l.x[i] - l.bar / 2), b = px(l.x[i] + l.bar / 2);
        ctx.globalAlpha = 0.45;
        ctx.fillRect(a, py(Math.max(0, l.y[i])), Math.max(1, b - a), py(0) - py(Math.max(0, l.y[i])));
        ctx.globalAlpha = 1;
      }
    } else if (l.points) {
      for (let i = 0; i < l.x.length; i++) ctx.fillRect(px(l.x[i]) - 2, py(l.y[i]) - 2, 4, 4);
    } else {
      ctx.beginPath();
      for (let i = 0; i < l.x.length; i++) (i === 0 ? ctx.moveTo : ctx.lineTo).call(ctx, px(l.x[i]), py(l.y[i]));
      ctx.stroke();
    }
    if (l.err) {
      for (let i = 0; i < l.x.length; i++) {
        ctx.beginPath();
        ctx.moveTo(px(l.x[i]), py(l.y[i] - l.err[i]));
        ctx.lineTo(px(l.x[i]), py(l.y[i] + l.err[i]));
        ctx.stroke();
      }
    }
    ctx.setLineDash([]);
    if (l.label) {
      ctx.fillText(l.label, W - m.r - ctx.measureText(l.label).width - 4, legendY);
      legendY += 12;
    }
  }
}

/** Paints ±1 spins (row-major L × L) onto a canvas of L × L pixels: up dark, down light. */
export function drawSpins(canvas: HTMLCanvasElement, spins: Int8Array, L: number): void {
  if (canvas.width !== L || canvas.height !== L) {
    canvas.width = L;
    canvas.height = L;
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const image = ctx.createImageData(L, L);
  const px = new Uint32Array(image.data.buffer);
  const up = 0xff573d1d, down = 0xffe8e2d8; // ABGR: #1d3d57 and #d8e2e8
  for (let i = 0; i < L * L; i++) px[i] = spins[i] > 0 ? up : down;
  ctx.putImageData(image, 0, 0);
}
