/**
 * Error analysis of Monte Carlo time series by U. Wolff's Γ-method (Comput. Phys. Commun. 156,
 * 143 (2004)): the autocorrelation function is computed by FFT, the integrated autocorrelation time
 * τ_int = ½ + Σ_{t=1}^{W} ρ(t) is summed up to Sokal's automatic window (smallest W ≥ c·τ_int(W),
 * c = 6), and the error of the mean is √(2 τ_int σ² / n). A derived quantity f(⟨a⟩, ⟨b⟩, …) gets its
 * error and τ_int from the projected series Σ_j ∂f/∂⟨a_j⟩ · a_j(t) (linear error propagation that
 * keeps the cross-correlations). Chains are independent: their errors add in quadrature.
 */

export interface Estimate {
  mean: number;
  error: number;
  /** Integrated autocorrelation time in units of measurements. */
  tauInt: number;
}

export const SOKAL_C = 6;

/** In-place iterative radix-2 FFT of (re, im), length a power of two. */
function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = ((inverse ? 2 : -2) * Math.PI) / len;
    const wr = Math.cos(ang), wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1, ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k, b = a + len / 2;
        const xr = re[b] * cr - im[b] * ci;
        const xi = re[b] * ci + im[b] * cr;
        re[b] = re[a] - xr;
        im[b] = im[a] - xi;
        re[a] += xr;
        im[a] += xi;
        const ncr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = ncr;
      }
    }
  }
}

/** Autocovariance Γ(t) = (1/(n−t)) Σ (x_i − x̄)(x_{i+t} − x̄), t = 0 … n−1, by FFT. */
export function autocovariance(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let size = 1;
  while (size < 2 * n) size <<= 1;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let i = 0; i < n; i++) re[i] = x[i] - mean;
  fft(re, im);
  for (let i = 0; i < size; i++) {
    re[i] = re[i] * re[i] + im[i] * im[i];
    im[i] = 0;
  }
  fft(re, im, true);
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) out[t] = re[t] / size / (n - t);
  return out;
}

/** Mean, error and τ_int of one series. A constant series has error 0 and τ_int ½. */
export function estimateSeries(x: ArrayLike<number>): Estimate {
  const n = x.length;
  if (n === 0) return { mean: NaN, error: NaN, tauInt: NaN };
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  if (n < 2) return { mean, error: NaN, tauInt: NaN };
  const gamma = autocovariance(x);
  const variance = gamma[0];
  // A constant series (M at fixed magnetization) shows only rounding noise, ~1e−32 relative.
  if (!(variance > 1e-24 * mean * mean)) return { mean, error: 0, tauInt: 0.5 };
  let tau = 0.5;
  const maxWindow = Math.floor(n / 2);
  for (let w = 1; w < maxWindow; w++) {
    tau += gamma[w] / variance;
    if (w >= SOKAL_C * tau) break;
  }
  tau = Math.max(tau, 0.5);
  return { mean, error: Math.sqrt((2 * tau * variance) / n), tauInt: tau };
}

/**
 * τ_int raised by `sigmas` of its statistical error, δτ ≈ τ √(2(2W + 1)/n) with the window W ≈ cτ
 * (Madras & Sokal 1988): a τ that a spacing of ⌈2τ⌉ can rely on when n is modest.
 */
export function tauUpperBound(tau: number, n: number, sigmas = 2): number {
  return tau * (1 + sigmas * Math.sqrt((2 * (2 * SOKAL_C * tau + 1)) / n));
}

/**
 * Combines independent chains: the mean of the chain means (chains have equal length), errors in
 * quadrature over the number of chains, τ_int averaged.
 */
export function combineChains(estimates: Estimate[]): Estimate {
  const K = estimates.length;
  let mean = 0, err2 = 0, tau = 0;
  for (const e of estimates) {
    mean += e.mean;
    err2 += e.error * e.error;
    tau += e.tauInt;
  }
  return { mean: mean / K, error: Math.sqrt(err2) / K, tauInt: tau / K };
}

/**
 * A derived quantity f of the means of several series, with its error from the projected series.
 * `value` maps the means to f; `gradient` gives ∂f/∂mean_j at the overall means.
 */
export function estimateDerived(
  chains: ArrayLike<number>[][],
  value: (means: number[]) => number,
  gradient: (means: number[]) => number[],
): Estimate {
  const k = chains[0].length;
  const means = new Array<number>(k).fill(0);
  for (const series of chains) {
    for (let j = 0; j < k; j++) {
      const x = series[j];
      let s = 0;
      for (let i = 0; i < x.length; i++) s += x[i];
      means[j] += s / x.length / chains.length;
    }
  }
  const grad = gradient(means);
  const perChain = chains.map((series) => {
    const n = series[0].length;
    const projected = new Float64Array(n);
    for (let j = 0; j < k; j++) {
      if (grad[j] === 0) continue;
      const x = series[j];
      for (let i = 0; i < n; i++) projected[i] += grad[j] * x[i];
    }
    return estimateSeries(projected);
  });
  const combined = combineChains(perChain);
  return { mean: value(means), error: combined.error, tauInt: combined.tauInt };
}
