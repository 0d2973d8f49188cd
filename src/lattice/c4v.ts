/**
 * Z2 × C4v symmetry of spins on a block of the Lieb lattice (Hou & You, Table I, Eqs. 15–18).
 *
 * A spin carries a direct sum of C4v irreps (A1, A2, B1, B2, E); each component is an Ising
 * variable ±1, odd under Z2. A bond from spin i to spin j has energy ε_J(s_i, s_j) = −s_iᵀ J s_j. On
 * the representative bond (direction 0, the x axis along it) the mirror σ that keeps the bond fixes
 * J: T_σᵀ J T_σ = J, so J_ab = 0 where σ_a σ_b = −1 (every T_σ here is diagonal). The other bonds
 * are its images under C4: a bond in direction k carries J_k = T_C4ᵏ J (T_C4ᵏ)ᵀ, which makes the
 * energy invariant under every element of C4v acting on sites and spin components together.
 * Directions are abstract (0…3, turned by C4, reflected k → −k by σ), as in the authors' code.
 *
 * How σ acts on the two ends of a bond (`MirrorConvention`):
 * - 'abstract' (the authors' code): T_σ on both ends, so J_ab = 0 where σ_a σ_b = −1 (Eqs. 16–18).
 * - 'geometric': the real mirror of the bond. Each RG step turns the Lieb lattice by 45° (225° from
 *   the square graph's direction 0 to the cross graph's), so the finer spin at the source of a bond
 *   (a teacher's edge spin, a student's visible spin) sees the bond's mirror as a diagonal one,
 *   T_C4·T_σ (E: the swap of its components, B1 ↔ B2 parities), and the coarser target spin as T_σ.
 *   Only then does the student's visible marginal have the symmetry group of the teacher's for
 *   every representation; with 'abstract' the two differ once E components carry correlations.
 *   Free couplings are then entries of J in the eigenbasis of the source's mirror (for E the
 *   combinations (e_x ± e_y)/√2), so the paper's zero pattern and names J0… carry over.
 *
 * Dimensions: d = dimension of the representation (components per spin); P = free couplings.
 */

export const IRREPS = ['A1', 'A2', 'B1', 'B2', 'E'] as const;
export type Irrep = (typeof IRREPS)[number];

/** Generators of each irrep (Table I): T_C4 and T_σ, row-major. */
const GENERATORS: Record<Irrep, { dim: number; c4: number[]; sigma: number[] }> = {
  A1: { dim: 1, c4: [1], sigma: [1] },
  A2: { dim: 1, c4: [1], sigma: [-1] },
  B1: { dim: 1, c4: [-1], sigma: [1] },
  B2: { dim: 1, c4: [-1], sigma: [-1] },
  E: { dim: 2, c4: [0, -1, 1, 0], sigma: [1, 0, 0, -1] },
};

export type MirrorConvention = 'abstract' | 'geometric';
export const MIRROR_CONVENTIONS: readonly MirrorConvention[] = ['abstract', 'geometric'];

/** A direct sum of irreps, e.g. "2A1+E" = A1 ⊕ A1 ⊕ E (d = 4). */
export interface Representation {
  name: string;
  irreps: Irrep[];
  /** Components per spin. */
  d: number;
  /** T_C4 and T_σ of the direct sum, d × d row-major. */
  c4: Float64Array;
  sigma: Float64Array;
}

/** Parses "A1", "A1+E", "2A1+E", "A1+B1+E" …; a bad name gets an error naming what is allowed. */
export function representation(name: string): Representation {
  const irreps: Irrep[] = [];
  for (const term of name.split('+').map((t) => t.trim())) {
    const m = /^(\d*)(A1|A2|B1|B2|E)$/.exec(term);
    const count = m ? (m[1] === '' ? 1 : Number(m[1])) : 0;
    if (!m || count < 1) throw new RangeError(`representation ${name} is not a sum of C4v irreps: write terms like A1, 2A1, E joined by + (irreps ${IRREPS.join(', ')})`);
    for (let i = 0; i < count; i++) irreps.push(m[2] as Irrep);
  }
  const d = irreps.reduce((a, r) => a + GENERATORS[r].dim, 0);
  const c4 = new Float64Array(d * d), sigma = new Float64Array(d * d);
  let o = 0;
  for (const r of irreps) {
    const g = GENERATORS[r];
    for (let a = 0; a < g.dim; a++) for (let b = 0; b < g.dim; b++) {
      c4[(o + a) * d + o + b] = g.c4[a * g.dim + b];
      sigma[(o + a) * d + o + b] = g.sigma[a * g.dim + b];
    }
    o += g.dim;
  }
  return { name, irreps, d, c4, sigma };
}

/** C = A·B for square row-major matrices of side d. */
export function matMul(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const c = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) {
    const aik = a[i * d + k];
    if (aik !== 0) for (let j = 0; j < d; j++) c[i * d + j] += aik * b[k * d + j];
  }
  return c;
}

/**
 * T_g of a group element g = C4ᵏ σᵐ (k = 0…3, m = 0, 1): σ first, then k quarter turns. With
 * `diagonal`, σ is the diagonal mirror C4·σ (how the geometric convention's source spins see it).
 */
export function groupMatrix(rep: Representation, k: number, m: number, diagonal = false): Float64Array {
  const d = rep.d;
  let t: Float64Array = new Float64Array(d * d);
  for (let i = 0; i < d; i++) t[i * d + i] = 1;
  if (m) t = diagonal ? matMul(rep.c4, rep.sigma, d) : matMul(rep.sigma, t, d);
  for (let i = 0; i < ((k % 4) + 4) % 4; i++) t = matMul(rep.c4, t, d);
  return t;
}

/** The bond direction a group element C4ᵏ σᵐ takes direction `dir` to. */
export const actOnDirection = (dir: number, k: number, m: number) => ((((m ? -dir : dir) + k) % 4) + 4) % 4;

/**
 * How the representative bond's mirror acts on its source spin: T_σ_src = U · diag(signs) · Uᵀ with U
 * orthogonal (d × d row-major, columns the basis in which source couplings are counted).
 */
export function sourceMirror(src: Representation, mirror: MirrorConvention): { U: Float64Array; signs: number[] } {
  const d = src.d, U = new Float64Array(d * d), signs: number[] = [];
  let o = 0;
  for (const r of src.irreps) {
    if (r === 'E') {
      if (mirror === 'geometric') {
        // the swap of (e_x, e_y): eigenvectors (1, 1)/√2 (+1) and (1, −1)/√2 (−1) as U's columns
        const h = Math.SQRT1_2;
        U[o * d + o] = h; U[(o + 1) * d + o] = h;
        U[o * d + o + 1] = h; U[(o + 1) * d + o + 1] = -h;
      } else {
        // diag(1, −1): the components themselves
        U[o * d + o] = 1; U[(o + 1) * d + o + 1] = 1;
      }
      signs.push(1, -1);
      o += 2;
    } else {
      U[o * d + o] = 1;
      const axis = GENERATORS[r].sigma[0];
      // the diagonal mirror C4·σ: A1 +1, A2 −1, B1 −1, B2 +1
      signs.push(mirror === 'geometric' ? GENERATORS[r].c4[0] * axis : axis);
      o += 1;
    }
  }
  return { U, signs };
}

/**
 * The free couplings of ε_J between a spin of `src` and one of `tgt`: the entries J_ab of the
 * representative bond that σ allows (a in the source's mirror eigenbasis, see sourceMirror), in
 * row-major order (J0 is always the first A1–A1 coupling).
 */
export function freeCouplings(src: Representation, tgt: Representation, mirror: MirrorConvention = 'abstract'): [number, number][] {
  const { signs } = sourceMirror(src, mirror);
  const out: [number, number][] = [];
  for (let a = 0; a < src.d; a++) for (let b = 0; b < tgt.d; b++) {
    if (signs[a] * tgt.sigma[b * tgt.d + b] > 0) out.push([a, b]);
  }
  return out;
}

/** The representative bond's matrix J (src.d × tgt.d, row-major, Ising components) from the free couplings. */
export function representativeCoupling(src: Representation, tgt: Representation, params: ArrayLike<number>, mirror: MirrorConvention = 'abstract'): Float64Array {
  const free = freeCouplings(src, tgt, mirror);
  if (params.length !== free.length) throw new RangeError(`${params.length} couplings given: ${src.name} → ${tgt.name} has ${free.length}`);
  const { U } = sourceMirror(src, mirror);
  const j = new Float64Array(src.d * tgt.d);
  // J = U · J_basis: J[a][b] = Σ_c U[a][c] J_basis[c][b]
  free.forEach(([c, b], p) => { for (let a = 0; a < src.d; a++) j[a * tgt.d + b] += U[a * src.d + c] * params[p]; });
  return j;
}

/**
 * The coupling matrices of the four bond directions, J_k = T_C4ᵏ J (T_C4ᵏ)ᵀ, each src.d × tgt.d
 * row-major, from the free couplings `params`; `basis[k][p]` is the matrix of coupling p alone.
 */
export function bondCouplings(src: Representation, tgt: Representation, params: ArrayLike<number>, mirror: MirrorConvention = 'abstract'): Float64Array[] {
  const j0 = representativeCoupling(src, tgt, params, mirror);
  const out: Float64Array[] = [];
  for (let k = 0; k < 4; k++) {
    const rs = groupMatrix(src, k, 0), rt = groupMatrix(tgt, k, 0);
    const jk = new Float64Array(src.d * tgt.d);
    // J_k[a][b] = Σ_{c,e} Rs[a][c] J[c][e] Rt[b][e]
    for (let a = 0; a < src.d; a++) for (let c = 0; c < src.d; c++) {
      const r = rs[a * src.d + c];
      if (r === 0) continue;
      for (let e = 0; e < tgt.d; e++) {
        const jce = j0[c * tgt.d + e];
        if (jce === 0) continue;
        for (let b = 0; b < tgt.d; b++) jk[a * tgt.d + b] += r * jce * rt[b * tgt.d + e];
      }
    }
    out.push(jk);
  }
  return out;
}

/**
 * Sign flips of whole irrep components commute with C4v, so they map the free couplings onto
 * themselves: flipping block k of the source spins negates every coupling whose source index lies in
 * block k, and likewise for the target. On a hidden spin such a flip is a gauge (the visible marginal
 * is unchanged); on a visible spin it relabels the visible states. Either way the teacher at σJ poses
 * the same RG problem as the teacher at J, up to those relabelings, and its KL-optimal students are
 * the images of J's. The group of these sign patterns acts on the couplings; `CouplingFold` holds a
 * basis of it in reduced echelon form, one pivot coupling per basis flip, so that folding a coupling
 * vector into its fundamental domain is: flip by basis element i wherever J[pivot_i] < 0.
 *
 * Why it matters: with E components the KL-optimal student at an A1-only teacher breaks the symmetry
 * (J1 = ±0.575 at J0 = 0.6 for A1+E), and a monotone trained on teachers of both signs learns a map
 * that is odd in them and so stays on the symmetric saddle; on the fundamental domain it need not.
 */
export interface CouplingFold {
  couplings: number;
  /** Basis flips (lists of coupling indices) and their pivot couplings, the domain being J[pivot] ≥ 0. */
  flips: number[][];
  pivots: number[];
}

export function couplingFold(src: Representation, tgt: Representation, mirror: MirrorConvention = 'abstract'): CouplingFold {
  const free = freeCouplings(src, tgt, mirror);
  const blocks = (rep: Representation) => rep.irreps.flatMap((r, k) => Array<number>(GENERATORS[r].dim).fill(k));
  const srcBlock = blocks(src), tgtBlock = blocks(tgt);
  const generators: boolean[][] = [
    ...src.irreps.map((_, k) => free.map(([a]) => srcBlock[a] === k)),
    ...tgt.irreps.map((_, k) => free.map(([, b]) => tgtBlock[b] === k)),
  ];
  // Gaussian elimination over GF(2), pivot = lowest coupling index, fully reduced
  const basis: boolean[][] = [], pivots: number[] = [];
  for (const g of generators) {
    const v = g.slice();
    basis.forEach((b, i) => { if (v[pivots[i]]) b.forEach((x, p) => { if (x) v[p] = !v[p]; }); });
    const pivot = v.indexOf(true);
    if (pivot < 0) continue;
    basis.forEach((b) => { if (b[pivot]) v.forEach((x, p) => { if (x) b[p] = !b[p]; }); });
    basis.push(v);
    pivots.push(pivot);
  }
  const order = pivots.map((_, i) => i).sort((i, j) => pivots[i] - pivots[j]);
  return { couplings: free.length, flips: order.map((i) => basis[i].flatMap((x, p) => (x ? [p] : []))), pivots: order.map((i) => pivots[i]) };
}

/** The signs (±1 per coupling) that fold J into the fundamental domain of `fold` (every pivot coupling ≥ 0). */
export function foldSigns(fold: CouplingFold, J: ArrayLike<number>): Float64Array {
  const signs = new Float64Array(fold.couplings).fill(1);
  // the basis is reduced, so flip i is the only one that touches pivot i
  fold.flips.forEach((flip, i) => { if (J[fold.pivots[i]] < 0) for (const p of flip) signs[p] = -signs[p]; });
  return signs;
}

/** J folded into the fundamental domain of `fold`; a new array. */
export function foldCouplings(fold: CouplingFold, J: ArrayLike<number>): Float64Array {
  const signs = foldSigns(fold, J);
  return signs.map((s, p) => s * J[p]);
}
