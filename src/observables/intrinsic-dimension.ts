/**
 * The TwoNN intrinsic-dimension estimator (Facco, d'Errico, Rodriguez & Laio, Sci. Rep. 7, 12140,
 * 2017): for each point the ratio μ = r₂/r₁ of its second- to first-nearest-neighbour distance
 * follows F(μ) = 1 − μ^{−d}; d is the slope of −log(1 − F(μ)) against log μ through the origin,
 * fitted on the empirical distribution after discarding the largest 10 % of μ (as the paper does).
 *
 * Identical points (r₁ = 0) carry no information about d: duplicates are removed first, and with
 * fewer than 3 distinct points the estimate is NaN.
 */

/** d from the ratios μ ≥ 1 (those with μ = 1, ties, are kept: they are part of F). */
export function twoNNFromRatios(ratios: number[], discard = 0.1): number {
  const mu = ratios.filter((x) => Number.isFinite(x) && x >= 1).sort((a, b) => a - b);
  const n = mu.length;
  if (n < 3) return NaN;
  const keep = Math.max(2, Math.floor(n * (1 - discard)));
  let sxy = 0, sxx = 0;
  for (let i = 0; i < keep; i++) {
    const x = Math.log(mu[i]);
    const y = -Math.log(1 - i / n); // empirical F at the i-th order statistic
    sxy += x * y;
    sxx += x * x;
  }
  return sxx > 0 ? sxy / sxx : NaN;
}

/** TwoNN for points given by a distance function on indices 0…n−1 (O(n²) distances). */
export function twoNN(n: number, distance: (i: number, j: number) => number, discard = 0.1): number {
  const ratios: number[] = [];
  for (let i = 0; i < n; i++) {
    let r1 = Infinity, r2 = Infinity;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const d = distance(i, j);
      if (d < r1) {
        r2 = r1;
        r1 = d;
      } else if (d < r2) {
        r2 = d;
      }
    }
    if (r1 > 0 && Number.isFinite(r2)) ratios.push(r2 / r1);
  }
  return twoNNFromRatios(ratios, discard);
}

/**
 * TwoNN of ±1 (or {0,1}) configurations of N sites under the Euclidean distance √(4·Hamming),
 * after removing duplicate configurations. Rows are bit-packed so a distance is N/32 popcounts.
 */
export function twoNNConfigurations(rows: ArrayLike<number>, count: number, N: number, discard = 0.1): { dimension: number; distinct: number } {
  const words = Math.ceil(N / 32);
  const seen = new Set<string>();
  const packed: Uint32Array[] = [];
  for (let k = 0; k < count; k++) {
    const p = new Uint32Array(words);
    for (let i = 0; i < N; i++) if (rows[k * N + i] > 0) p[i >>> 5] |= 1 << (i & 31);
    const key = Array.from(p).join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    packed.push(p);
  }
  const popcount = (x: number) => {
    x -= (x >>> 1) & 0x55555555;
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
  };
  const hamming = (a: number, b: number) => {
    const x = packed[a], y = packed[b];
    let d = 0;
    for (let w = 0; w < words; w++) d += popcount(x[w] ^ y[w]);
    return d;
  };
  return { dimension: twoNN(packed.length, (a, b) => Math.sqrt(hamming(a, b)), discard), distinct: packed.length };
}
