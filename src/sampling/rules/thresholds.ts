/**
 * Acceptance thresholds on 32-bit random integers: a move of probability p is accepted when
 * u32 < p·2^32. A threshold of 2^32 (p ≥ 1) accepts without drawing a random number.
 */
export const ALWAYS = 4294967296;

export function threshold(p: number): number {
  return p >= 1 ? ALWAYS : Math.max(0, Math.floor(p * ALWAYS));
}

/** Threshold of the Metropolis acceptance min(1, e^{−ΔE/T}). */
export function metropolisThreshold(dE: number, T: number): number {
  return dE <= 0 ? ALWAYS : threshold(Math.exp(-dE / T));
}
