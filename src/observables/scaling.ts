/**
 * Finite-size scaling of curves y_L(T): where a curve crosses a level, and the data collapse
 * y_L(T) = Y((T − T_c) L^{1/ν}) judged by the Houdayer–Hartmann quality function (PRB 70, 014418,
 * 2004): for each point, the squared distance to the other sizes' curves interpolated at its scaled
 * abscissa, in units of the combined error, averaged over the points that have such neighbours.
 */

export interface CurvePoint {
  T: number;
  y: number;
  error: number;
}

/** T where the curve first crosses `level` (linear interpolation), or NaN. */
export function crossing(curve: CurvePoint[], level = 0.5): number {
  const c = [...curve].sort((a, b) => a.T - b.T);
  for (let i = 0; i + 1 < c.length; i++) {
    const a = c[i], b = c[i + 1];
    if ((a.y - level) * (b.y - level) <= 0 && a.y !== b.y) return a.T + ((level - a.y) * (b.T - a.T)) / (b.y - a.y);
  }
  return NaN;
}

/**
 * One size's curve. `factor` (default 1) multiplies its scaled abscissa, x = (T − T_c) L^{1/ν}·factor:
 * a per-size correction to pure power-law scaling, e.g. √c(L) when the curve's width is set by the
 * energy fluctuations of a model whose specific heat c(L) grows like ln L (2D Ising).
 */
export interface ScalingCurve {
  L: number;
  points: CurvePoint[];
  factor?: number;
}

export interface CollapseOptions {
  /**
   * Only points with window[0] ≤ y ≤ window[1] are scored (each against the other sizes' curves,
   * which are used over their whole range). The scored set is fixed by the data, not by (T_c, ν):
   * when it moves with the parameters, a fit can lower the quality by scoring fewer, easier
   * points — on a coarse grid it ran to ν ≈ 0.34 that way (with the search also leaving its
   * range). Default DEFAULT_COLLAPSE_WINDOW = [0.05, 0.95], the scaling region of a probability curve.
   */
  window?: [number, number];
}

export const DEFAULT_COLLAPSE_WINDOW: readonly [number, number] = [0.05, 0.95];

/** Whether a point is scored under `options` (inside the window). */
function scored(p: CurvePoint, options: CollapseOptions): boolean {
  const [lo, hi] = options.window ?? DEFAULT_COLLAPSE_WINDOW;
  return p.y >= lo && p.y <= hi;
}

/**
 * Houdayer–Hartmann quality of the collapse at (T_c, ν): mean squared deviation, in units of the
 * combined error, of each scored point from the mean of the other sizes' curves at its scaled
 * abscissa. Every other curve takes part: beyond its scaled range it is held at its end value (the
 * plateau of a probability curve), so no (T_c, ν) can leave a scored point out. NaN when no point
 * is in the window.
 */
export function collapseQuality(curves: ScalingCurve[], Tc: number, nu: number, options: CollapseOptions = {}): number {
  const scaled = curves.map((c) => c.points.map((p) => ({ x: (p.T - Tc) * c.L ** (1 / nu) * (c.factor ?? 1), y: p.y, e: p.error, scored: scored(p, options) })).sort((a, b) => a.x - b.x));
  let sum = 0, count = 0;
  for (let ci = 0; ci < scaled.length; ci++) {
    for (const p of scaled[ci]) {
      if (!p.scored) continue;
      let ySum = 0, eSum = 0, k = 0;
      scaled.forEach((other, oj) => {
        if (oj === ci || other.length === 0) return;
        k++;
        const first = other[0], last = other[other.length - 1];
        // beyond the other curve's scaled range: its end value (a probability curve's plateau)
        if (p.x <= first.x || p.x >= last.x) {
          const end = p.x <= first.x ? first : last;
          ySum += end.y;
          eSum += end.e ** 2;
          return;
        }
        for (let i = 0; i + 1 < other.length; i++) {
          const a = other[i], b = other[i + 1];
          if (a.x <= p.x && p.x <= b.x && b.x > a.x) {
            const w = (p.x - a.x) / (b.x - a.x);
            ySum += a.y + w * (b.y - a.y);
            eSum += ((1 - w) * a.e) ** 2 + (w * b.e) ** 2;
            break;
          }
        }
      });
      if (k === 0) continue;
      const Y = ySum / k, dY2 = eSum / (k * k);
      const d2 = p.e * p.e + dY2;
      if (d2 > 0) {
        sum += (p.y - Y) ** 2 / d2;
        count++;
      }
    }
  }
  return count > 0 ? sum / count : NaN;
}

export interface CollapseFit {
  Tc: number;
  nu: number;
  quality: number;
  /** Number of scored points (those inside the window). */
  points: number;
  /** True when the best point lies on the edge of the searched range: the fit did not converge inside it. */
  atBound: boolean;
}

/**
 * (T_c, ν) minimising the collapse quality on a grid inside `range`, refined four times around the
 * best point; the refinement never leaves `range`.
 */
export function fitCollapse(curves: ScalingCurve[], range: { Tc: [number, number]; nu: [number, number] }, options: CollapseOptions = {}): CollapseFit {
  const points = curves.reduce((n, c) => n + c.points.filter((p) => scored(p, options)).length, 0);
  let best = { Tc: NaN, nu: NaN, quality: Infinity };
  let [t0, t1] = range.Tc, [n0, n1] = range.nu;
  const steps = 24;
  for (let round = 0; round < 4; round++) {
    for (let i = 0; i <= steps; i++) {
      for (let j = 0; j <= steps; j++) {
        const Tc = t0 + ((t1 - t0) * i) / steps, nu = n0 + ((n1 - n0) * j) / steps;
        const q = collapseQuality(curves, Tc, nu, options);
        if (q < best.quality) best = { Tc, nu, quality: q };
      }
    }
    const dt = (t1 - t0) / 8, dn = (n1 - n0) / 8;
    [t0, t1] = [Math.max(range.Tc[0], best.Tc - dt), Math.min(range.Tc[1], best.Tc + dt)];
    [n0, n1] = [Math.max(range.nu[0], best.nu - dn), Math.min(range.nu[1], best.nu + dn)];
  }
  // On an edge to within the last grid step (the last round's spacing is range / 24 / 4^3).
  const edge = (x: number, [a, b]: [number, number]) => Math.min(x - a, b - x) <= (b - a) / steps / 64;
  const atBound = Number.isFinite(best.quality) && (edge(best.Tc, range.Tc) || edge(best.nu, range.nu));
  return { ...best, points, atBound };
}
