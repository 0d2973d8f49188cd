/**
 * Mutual information of two scalar variables from samples by the Kraskov–Stögbauer–Grassberger
 * estimator (Phys. Rev. E 69, 066138 (2004), their algorithm 1):
 *   I(X; Y) ≈ ψ(k) + ψ(n) − ⟨ψ(n_x + 1) + ψ(n_y + 1)⟩,
 * with ε_i the max-norm distance of sample i to its k-th neighbour in the joint space and n_x, n_y
 * the numbers of other samples strictly within ε_i in each marginal. O(n²) per pair: meant for
 * n ≲ a few thousand.
 */

/** Digamma ψ(x) for x > 0 (recurrence up to 10, then the asymptotic series; error < 1e-13). */
export function digamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`digamma(${x}): expected x > 0`);
  let r = 0;
  while (x < 10) {
    r -= 1 / x;
    x += 1;
  }
  const f = 1 / (x * x);
  return r + Math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))));
}

export function ksgMutualInformation(x: ArrayLike<number>, y: ArrayLike<number>, k = 3): number {
  const n = x.length;
  if (y.length !== n) throw new RangeError(`ksg: ${n} x values but ${y.length} y values`);
  if (!Number.isInteger(k) || k < 1 || k >= n) throw new RangeError(`ksg: k = ${k} is not allowed for ${n} samples: expected 1 … ${n - 1}`);
  const d = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) d[j] = j === i ? Infinity : Math.max(Math.abs(x[i] - x[j]), Math.abs(y[i] - y[j]));
    const eps = Float64Array.from(d).sort()[k - 1];
    let nx = 0, ny = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      if (Math.abs(x[i] - x[j]) < eps) nx++;
      if (Math.abs(y[i] - y[j]) < eps) ny++;
    }
    sum += digamma(nx + 1) + digamma(ny + 1);
  }
  return digamma(k) + digamma(n) - sum / n;
}
