/**
 * Reading couplings off a learned energy function: least squares of H(s) on pair sums
 *   H(s) ≈ −Σ_r J(r) P_r(s) − h M(s) + c,   P_r = Σ_{pairs ⟨ij⟩ at distance r} s_i s_j (each pair once),
 * on the periodic L × L lattice with minimal-image distances. Errors are the ordinary least-squares
 * standard errors σ̂² (XᵀX)⁻¹ with σ̂² = RSS/(n − p). For the Ising model J(1) = 1 and J(r > 1) = 0.
 */

export interface DistanceClass {
  /** Euclidean distance. */
  r: number;
  /** Offsets (dx, dy) at that minimal-image distance, both signs. */
  offsets: [number, number][];
}

/** The `count` shortest distance classes on the L × L torus. */
export function distanceClasses(L: number, count: number): DistanceClass[] {
  const byD2 = new Map<number, [number, number][]>();
  const lo = -Math.ceil(L / 2) + 1, hi = Math.floor(L / 2);
  for (let dy = lo; dy <= hi; dy++) {
    for (let dx = lo; dx <= hi; dx++) {
      const d2 = dx * dx + dy * dy;
      if (d2 === 0) continue;
      if (!byD2.has(d2)) byD2.set(d2, []);
      byD2.get(d2)?.push([dx, dy]);
    }
  }
  return [...byD2.keys()].sort((a, b) => a - b).slice(0, count).map((d2) => ({ r: Math.sqrt(d2), offsets: byD2.get(d2) as [number, number][] }));
}

/** P_r for each class (pairs counted once) of one ±1 configuration. */
export function pairSums(spins: ArrayLike<number>, L: number, classes: DistanceClass[]): Float64Array {
  const out = new Float64Array(classes.length);
  classes.forEach((c, k) => {
    let s = 0;
    for (let y = 0; y < L; y++) {
      for (let x = 0; x < L; x++) {
        const si = spins[y * L + x];
        for (const [dx, dy] of c.offsets) s += si * spins[((y + dy + L) % L) * L + ((x + dx + L) % L)];
      }
    }
    out[k] = s / 2; // every pair was met from both ends
  });
  return out;
}

export interface PairFit {
  couplings: { r: number; J: number; error: number }[];
  field: { h: number; error: number };
  constant: number;
  /** Coefficient of determination of the fit. */
  r2: number;
  n: number;
}

/** Solves the symmetric positive-definite system A x = b (Gauss–Jordan with partial pivoting), returning x and A⁻¹. */
function solve(A: number[][], b: number[]): { x: number[]; inverse: number[][] } {
  const p = A.length;
  const M = A.map((row, i) => [...row, b[i], ...Array.from({ length: p }, (_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < p; col++) {
    let piv = col;
    for (let r = col + 1; r < p; r++) if (Math.abs(M[r][col]) > Math.abs(M[piv][col])) piv = r;
    if (Math.abs(M[piv][col]) < 1e-300) throw new RangeError('pair fit: the features are linearly dependent (too few or too similar configurations)');
    [M[col], M[piv]] = [M[piv], M[col]];
    const d = M[col][col];
    for (let j = 0; j < 2 * p + 1; j++) M[col][j] /= d;
    for (let r = 0; r < p; r++) {
      if (r === col) continue;
      const f = M[r][col];
      if (f !== 0) for (let j = 0; j < 2 * p + 1; j++) M[r][j] -= f * M[col][j];
    }
  }
  return { x: M.map((row) => row[p]), inverse: M.map((row) => row.slice(p + 1)) };
}

/**
 * Ordinary least squares y ≈ x·β over `rows`, with the standard errors √(σ̂² (XᵀX)⁻¹_jj),
 * σ̂² = RSS/(n − p), and R².
 */
function leastSquares(rows: { x: number[]; y: number }[], what: string): { beta: number[]; errors: number[]; r2: number } {
  const p = rows[0]?.x.length ?? 0;
  if (rows.length <= p) throw new RangeError(`pair fit: ${rows.length} ${what} cannot fix ${p} parameters`);
  const XtX = Array.from({ length: p }, () => new Array(p).fill(0));
  const Xty = new Array(p).fill(0);
  for (const { x, y } of rows) {
    for (let a = 0; a < p; a++) {
      Xty[a] += x[a] * y;
      for (let b = 0; b < p; b++) XtX[a][b] += x[a] * x[b];
    }
  }
  const { x: beta, inverse } = solve(XtX, Xty);
  const mean = rows.reduce((a, r) => a + r.y, 0) / rows.length;
  let rss = 0, tss = 0;
  for (const r of rows) {
    rss += (r.y - r.x.reduce((a, v, j) => a + v * beta[j], 0)) ** 2;
    tss += (r.y - mean) ** 2;
  }
  const sigma2 = rss / (rows.length - p);
  return { beta, errors: beta.map((_, j) => Math.sqrt(Math.max(0, sigma2 * inverse[j][j]))), r2: tss > 0 ? 1 - rss / tss : NaN };
}

/** Fits H to pair sums of the first `classes` distances, a field and a constant. `configs` are ±1 (or {0,1}) rows. */
export function fitPairHamiltonian(H: ArrayLike<number>, configs: ArrayLike<number>, n: number, L: number, classes: number): PairFit {
  const N = L * L;
  const cls = distanceClasses(L, classes);
  const rows: { x: number[]; y: number }[] = [];
  const s = new Float64Array(N);
  for (let k = 0; k < n; k++) {
    let M = 0;
    for (let i = 0; i < N; i++) M += (s[i] = configs[k * N + i] > 0 ? 1 : -1);
    rows.push({ x: [...Array.from(pairSums(s, L, cls), (v) => -v), -M, 1], y: H[k] });
  }
  const { beta, errors, r2 } = leastSquares(rows, 'configurations');
  return {
    couplings: cls.map((c, j) => ({ r: c.r, J: beta[j], error: errors[j] })),
    field: { h: beta[cls.length], error: errors[cls.length] },
    constant: beta[cls.length + 1],
    r2,
    n,
  };
}

/**
 * The same couplings from single-flip energy differences, which is what a Metropolis chain with H
 * uses: flipping s_i changes H by ΔH_i = 2 s_i (Σ_r J(r) Σ_{j at r from i} s_j + h). `dH` holds
 * ΔH_i for every site i of every configuration ([n, N]); each (configuration, site) is one equation,
 * so the classes are far less collinear than in a fit of H itself at one temperature. R² and errors
 * as in `fitPairHamiltonian` (the equations of one configuration are treated as independent).
 */
export function fitPairHamiltonianFromFlips(dH: ArrayLike<number>, configs: ArrayLike<number>, n: number, L: number, classes: number): PairFit {
  const N = L * L;
  const cls = distanceClasses(L, classes);
  const s = new Float64Array(N);
  const rows: { x: number[]; y: number }[] = [];
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < N; i++) s[i] = configs[k * N + i] > 0 ? 1 : -1;
    for (let y = 0; y < L; y++) {
      for (let x = 0; x < L; x++) {
        const i = y * L + x;
        const row = cls.map((c) => {
          let f = 0;
          for (const [dx, dy] of c.offsets) f += s[((y + dy + L) % L) * L + ((x + dx + L) % L)];
          return 2 * s[i] * f;
        });
        rows.push({ x: [...row, 2 * s[i]], y: dH[k * N + i] });
      }
    }
  }
  const { beta, errors, r2 } = leastSquares(rows, 'flips');
  return { couplings: cls.map((c, j) => ({ r: c.r, J: beta[j], error: errors[j] })), field: { h: beta[cls.length], error: errors[cls.length] }, constant: 0, r2, n };
}
