/**
 * Row-to-row transfer matrix of the periodic Lx × Ly Ising model: Z = Tr V^{Ly} with
 * V(s, s') = exp(K Σ_x s_x s'_x + (K/2) Σ_x (s_x s_{x+1} + s'_x s'_{x+1}) + (βh/2) Σ_x (s_x + s'_x)).
 * An independent check of Kaufman's formula (and exact for h ≠ 0); cost 2^{3 Lx}·Ly, so Lx ≤ 10.
 */
export function transferMatrixLogZ(Lx: number, Ly: number, T: number, J = 1, h = 0): number {
  if (!Number.isInteger(Lx) || Lx < 2 || Lx > 10) throw new RangeError(`Lx = ${Lx} is not allowed: the transfer matrix here takes 2 ≤ Lx ≤ 10`);
  if (!Number.isInteger(Ly) || Ly < 2) throw new RangeError(`Ly = ${Ly} is not allowed: Ly must be an integer ≥ 2`);
  const K = J / T;
  const bh = h / T;
  const S = 1 << Lx;
  const spin = (s: number, x: number) => ((s >> x) & 1 ? 1 : -1);
  const rowBond = new Float64Array(S); // Σ_x s_x s_{x+1} + (h/J)-free field sum, per row state
  const rowField = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let b = 0, f = 0;
    for (let x = 0; x < Lx; x++) {
      b += spin(s, x) * spin(s, (x + 1) % Lx);
      f += spin(s, x);
    }
    rowBond[s] = b;
    rowField[s] = f;
  }
  const V = new Float64Array(S * S);
  for (let a = 0; a < S; a++) {
    for (let b = 0; b < S; b++) {
      const vertical = Lx - 2 * popcount(a ^ b);
      V[a * S + b] = Math.exp(K * vertical + 0.5 * K * (rowBond[a] + rowBond[b]) + 0.5 * bh * (rowField[a] + rowField[b]));
    }
  }
  // P = V^{Ly} by repeated multiplication, renormalised to keep entries O(1).
  let P = V.slice();
  let logScale = 0;
  const tmp = new Float64Array(S * S);
  for (let step = 1; step < Ly; step++) {
    tmp.fill(0);
    for (let i = 0; i < S; i++) {
      for (let k = 0; k < S; k++) {
        const pik = P[i * S + k];
        if (pik === 0) continue;
        const rowK = k * S;
        const rowI = i * S;
        for (let j = 0; j < S; j++) tmp[rowI + j] += pik * V[rowK + j];
      }
    }
    let max = 0;
    for (let i = 0; i < tmp.length; i++) if (tmp[i] > max) max = tmp[i];
    for (let i = 0; i < tmp.length; i++) tmp[i] /= max;
    logScale += Math.log(max);
    P = tmp.slice();
  }
  let trace = 0;
  for (let i = 0; i < S; i++) trace += P[i * S + i];
  return Math.log(trace) + logScale;
}

function popcount(x: number): number {
  let c = 0;
  while (x) {
    x &= x - 1;
    c++;
  }
  return c;
}
