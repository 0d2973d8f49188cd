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

export function collapseQuality(curves: { L: number; points: CurvePoint[] }[], Tc: number, nu: number): number {
  const scaled = curves.map((c) => c.points.map((p) => ({ x: (p.T - Tc) * c.L ** (1 / nu), y: p.y, e: p.error })).sort((a, b) => a.x - b.x));
  let sum = 0, count = 0;
  scaled.forEach((mine, ci) => {
    for (const p of mine) {
      let ySum = 0, eSum = 0, k = 0;
      scaled.forEach((other, oj) => {
        if (oj === ci) return;
        for (let i = 0; i + 1 < other.length; i++) {
          const a = other[i], b = other[i + 1];
          if (a.x <= p.x && p.x <= b.x && b.x > a.x) {
            const w = (p.x - a.x) / (b.x - a.x);
            ySum += a.y + w * (b.y - a.y);
            eSum += ((1 - w) * a.e) ** 2 + (w * b.e) ** 2;
            k++;
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
  });
  return count > 0 ? sum / count : NaN;
}

/** (T_c, ν) minimising the collapse quality on a grid, refined around the best point. */
export function fitCollapse(curves: { L: number; points: CurvePoint[] }[], range: { Tc: [number, number]; nu: [number, number] }): { Tc: number; nu: number; quality: number } {
  let best = { Tc: NaN, nu: NaN, quality: Infinity };
  let [t0, t1] = range.Tc, [n0, n1] = range.nu;
  for (let round = 0; round < 4; round++) {
    const steps = 24;
    for (let i = 0; i <= steps; i++) {
      for (let j = 0; j <= steps; j++) {
        const Tc = t0 + ((t1 - t0) * i) / steps, nu = n0 + ((n1 - n0) * j) / steps;
        const q = collapseQuality(curves, Tc, nu);
        if (q < best.quality) best = { Tc, nu, quality: q };
      }
    }
    const dt = (t1 - t0) / 8, dn = (n1 - n0) / 8;
    [t0, t1] = [best.Tc - dt, best.Tc + dt];
    [n0, n1] = [Math.max(0.05, best.nu - dn), best.nu + dn];
  }
  return best;
}
