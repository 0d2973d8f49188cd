/**
 * Kadanoff block sums on the L × L lattice as Wang, Jiang & Zhou coarse-grain (their Sec. IV):
 * S_IJ = s_ij + s_i+1,j + s_i,j+1 + s_i+1,j+1 over 2 × 2 blocks whose corners are `stride` apart,
 * without wrapping (M = ⌊(L − 2)/stride⌋ + 1 blocks per side: 15 at stride 1 and 8 at stride 2 for
 * L = 16). S ∈ {−4, −2, 0, 2, 4} is stored as the category c = (S + 4)/2 ∈ {0 … 4}.
 */
export const BLOCK_CATEGORIES = 5;

export function blocksPerSide(L: number, stride: number): number {
  if (!Number.isInteger(stride) || stride < 1) throw new RangeError(`stride ${stride} is not allowed: expected an integer ≥ 1`);
  if (L < 2) throw new RangeError(`L = ${L} is too small for 2 × 2 blocks`);
  return Math.floor((L - 2) / stride) + 1;
}

/** Block-sum categories of `n` configurations (±1 or {0, 1} values, [n, L, L]) → [n, M, M]. */
export function blockSumCategories(configs: ArrayLike<number>, n: number, L: number, stride: number): Int32Array {
  const M = blocksPerSide(L, stride);
  const out = new Int32Array(n * M * M);
  const spin = (k: number, x: number, y: number) => (configs[k * L * L + y * L + x] > 0 ? 1 : -1);
  for (let k = 0; k < n; k++) {
    for (let J = 0; J < M; J++) {
      for (let I = 0; I < M; I++) {
        const x = I * stride, y = J * stride;
        const S = spin(k, x, y) + spin(k, x + 1, y) + spin(k, x, y + 1) + spin(k, x + 1, y + 1);
        out[k * M * M + J * M + I] = (S + 4) / 2;
      }
    }
  }
  return out;
}

/** "Spin per site" of block-sum categories: |Σ S_IJ| / (4 M²), 1 for a uniform configuration. */
export function blockSpinPerSite(categories: ArrayLike<number>, row: number, sites: number): number {
  let s = 0;
  for (let i = row * sites; i < (row + 1) * sites; i++) s += 2 * categories[i] - 4;
  return Math.abs(s) / (4 * sites);
}
