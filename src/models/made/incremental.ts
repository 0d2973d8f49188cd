/**
 * A trained MADE evaluated on the CPU with typed arrays, using its autoregressive masks twice:
 * - an exact sample costs one forward pass, not one pass per site: every hidden unit is computed
 *   once, as soon as the inputs it sees have been drawn;
 * - changing the site at position q only touches the hidden units and outputs that see position q,
 *   so the change of log p_θ under a single-site proposal costs a fraction of a forward pass.
 * The temperature transfer makes one such proposal per Metropolis step and chain, so this is what
 * lets it run at the paper's scale (tfjs would redo the whole network for every proposal).
 *
 * Weights are stored masked and re-indexed by position in the site order. Every row of a MADE mask
 * is then one contiguous run of ones (degrees grow with the unit index), which `connect` checks:
 * row r of a layer reaches columns [from[r], to[r]) only.
 *
 * The multiply-adds run in nn/wasm/row-axpy.wat (WebAssembly SIMD, four f32 lanes) on one linear memory per
 * state that holds the weights and every activation; where the compiled kernel cannot be read (a
 * browser page) or SIMD is missing, the same loop runs in JS on an ArrayBuffer of the same layout.
 * Activations are f32 like the network's; each chain is re-evaluated from scratch every few sweeps.
 *
 * Glossary: N sites, K values per site, C channels per site (1 for spins, K otherwise), D = N·C
 * inputs and outputs, H_l hidden widths; positions q = 0 … N−1 in the order.
 */
import type { Rng } from '../../sampling/rng.js';
import { arenaBytes, rowArena, type AxpyRows, type RowKernel } from '../../nn/row-axpy.js';
import type { Made } from './made.js';

/** A masked weight matrix [rows, cols] whose row r connects to columns [from[r], to[r]). */
interface Connection {
  cols: number;
  weight: Float32Array;
  from: Int32Array;
  to: Int32Array;
}

export interface MadeTables {
  N: number;
  K: number;
  C: number;
  /** positionOf[site], siteAt[position]. */
  positionOf: Int32Array;
  siteAt: Int32Array;
  /** hidden[0]: inputs → first layer, hidden[l]: layer l−1 → layer l. */
  hidden: Connection[];
  hiddenBias: Float64Array[];
  output: Connection;
  outputBias: Float64Array;
  direct: Connection | null;
  /**
   * readyUnits[l] from readyOffsets[l][q + 1] to readyOffsets[l][q + 2]: the units of hidden layer
   * l that are complete once the site at position q is set (q = −1: units that see no input).
   */
  readyOffsets: Int32Array[];
  readyUnits: Int32Array[];
}

/** Masked weights with rows and columns re-indexed from site order to position order; checks that each row's mask is one run. */
function connect(name: string, weight: Float32Array, mask: Float32Array, rows: number, cols: number, rowSource: (r: number) => number, colSource: (c: number) => number): Connection {
  const w = new Float32Array(rows * cols);
  const from = new Int32Array(rows), to = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const sr = rowSource(r);
    let first = -1, last = -2;
    for (let c = 0; c < cols; c++) {
      const src = sr * cols + colSource(c);
      if (mask[src] === 0) continue;
      if (first < 0) first = c;
      else if (c !== last + 1) throw new Error(`MADE mask ${name}: row ${r} is not one contiguous run in position order`);
      last = c;
      w[r * cols + c] = weight[src];
    }
    from[r] = first < 0 ? 0 : first;
    to[r] = first < 0 ? 0 : last + 1;
  }
  return { cols, weight: w, from, to };
}

/** Reads a MADE's weights once into position-ordered tables (the model may be disposed afterwards). */
export function madeTables(made: Made): MadeTables {
  const { sites: N, categories: K, hidden: widths, order, direct } = made.spec;
  const C = K === 2 ? 1 : K, D = N * C;
  const siteAt = Int32Array.from(order);
  const positionOf = new Int32Array(N);
  siteAt.forEach((s, q) => (positionOf[s] = q));
  const unitSource = (u: number) => siteAt[Math.floor(u / C)] * C + (u % C); // position-ordered input/output unit → site-ordered
  const same = (k: number) => k;
  const data = (name: string) => made.params[name].dataSync() as Float32Array;
  const maskOf = (name: string) => made.masks[name].dataSync() as Float32Array;
  const hidden: Connection[] = [], hiddenBias: Float64Array[] = [];
  widths.forEach((H, l) => {
    const rows = l === 0 ? D : widths[l - 1];
    hidden.push(connect(`W${l}`, data(`W${l}`), maskOf(`W${l}`), rows, H, l === 0 ? unitSource : same, same));
    hiddenBias.push(Float64Array.from(data(`b${l}`)));
  });
  const last = widths[widths.length - 1];
  const output = connect('Wout', data('Wout'), maskOf('Wout'), last, D, same, unitSource);
  const outputBias = new Float64Array(D);
  const bout = data('bout');
  for (let u = 0; u < D; u++) outputBias[u] = bout[unitSource(u)];
  const directConnection = direct ? connect('Wdirect', data('Wdirect'), maskOf('Wdirect'), D, D, unitSource, unitSource) : null;

  // the last position each unit sees (−1: none), layer by layer
  const readyOffsets: Int32Array[] = [], readyUnits: Int32Array[] = [];
  let prevReady = Int32Array.from({ length: D }, (_, u) => Math.floor(u / C));
  hidden.forEach((conn, l) => {
    const H = widths[l];
    const ready = new Int32Array(H).fill(-1);
    prevReady.forEach((p, r) => {
      for (let k = conn.from[r]; k < conn.to[r]; k++) ready[k] = Math.max(ready[k], p);
    });
    const offsets = new Int32Array(N + 2);
    ready.forEach((p) => offsets[p + 2]++);
    for (let q = 1; q < N + 2; q++) offsets[q] += offsets[q - 1];
    const fill = offsets.slice(0, N + 1);
    const units = new Int32Array(H);
    ready.forEach((p, k) => (units[fill[p + 1]++] = k));
    readyOffsets.push(offsets);
    readyUnits.push(units);
    prevReady = ready;
  });
  // autoregressive: the output at position q may only see units and inputs complete before q
  const check = (conn: Connection, ready: Int32Array) => ready.forEach((p, r) => {
    if (conn.to[r] > conn.from[r] && conn.from[r] < (p + 1) * C) throw new Error(`MADE is not autoregressive: row ${r} (complete after position ${p}) reaches output ${conn.from[r]}`);
  });
  check(output, prevReady);
  if (directConnection) check(directConnection, Int32Array.from({ length: D }, (_, u) => Math.floor(u / C)));
  return { N, K, C, positionOf, siteAt, hidden, hiddenBias, output, outputBias, direct: directConnection, readyOffsets, readyUnits };
}

/** Which loop runs the multiply-adds (see nn/row-axpy.ts). */
export type MadeKernel = RowKernel;

const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

/**
 * One configuration's network state: the values by position, every layer's pre-activations and
 * activations, the output logits and log p_θ(x_q | x_<q) per position. `trial` prices a
 * single-site change against this state; `commit` applies the last trial.
 */
export class MadeState {
  readonly t: MadeTables;
  /** Values by position (bits for spins, category indices otherwise). */
  readonly x: Int32Array;
  logProb = 0;
  /** Whether the multiply-adds run on WebAssembly SIMD. */
  readonly simd: boolean;
  private readonly axpyRows: AxpyRows;
  // the connections and every activation as views into the state's memory (the kernel gets their byteOffset)
  private readonly hidden: Connection[];
  private readonly output: Connection;
  private readonly direct: Connection | null;
  private readonly a: Float32Array[];
  private readonly h: Float32Array[];
  private readonly sa: Float32Array[];
  private readonly sh: Float32Array[];
  private readonly delta: Float32Array[];
  private readonly changed: Int32Array[];
  private readonly ready: Int32Array[];
  private readonly z: Float32Array;
  private readonly sz: Float32Array;
  private readonly inScale: Float32Array;
  private readonly inRows: Int32Array;
  /** The whole memory as f32, for copies between blocks without allocating views. */
  private readonly mem: Float32Array;
  /** Categories: log p_θ(x_q | x_<q) per position, and its trial values. */
  private readonly term: Float64Array;
  private readonly sterm: Float64Array;
  /**
   * Spins: 1 + e^{−|z_q|} per position, and its trial values. With y = ±z the logit signed by the
   * spin, log σ(y) = −max(−y, 0) − log(1 + e^{−|y|}), so a trial needs one exp per moved logit and
   * one log per 16 (the ratios of these norms lie in [½, 2]).
   */
  private readonly spinNorm: Float64Array;
  private readonly sSpinNorm: Float64Array;
  // the last trial: pre-activations and activations over [lo[l], hi[l]), logits over [zlo, zhi)
  private readonly lo: Int32Array;
  private readonly hi: Int32Array;
  private zlo = 0;
  private zhi = 0;
  private trialPosition = -1;
  private trialValue = 0;
  private trialDelta = 0;

  constructor(tables: MadeTables, kernel: MadeKernel = 'auto') {
    this.t = tables;
    const widths = tables.hiddenBias.map((b) => b.length);
    const D = tables.N * tables.C;
    // one memory for the connections and the activations, in 16-byte aligned blocks
    const conns = [...tables.hidden, tables.output, ...(tables.direct ? [tables.direct] : [])];
    const blocks = [...conns.flatMap((c) => [c.weight.length, c.from.length, c.to.length]), ...widths.flatMap((H) => Array(6).fill(H)), ...tables.readyUnits.map((u) => u.length), D, D, D, 2];
    const mem = rowArena(arenaBytes(blocks), kernel);
    this.axpyRows = mem.axpyRows;
    this.simd = mem.simd;
    this.mem = new Float32Array(mem.buffer);
    const take = mem.take;
    const f32 = (n: number) => take(Float32Array, n), i32 = (n: number) => take(Int32Array, n);
    const placed = conns.map((c): Connection => {
      const weight = f32(c.weight.length), from = i32(c.from.length), to = i32(c.to.length);
      weight.set(c.weight);
      from.set(c.from);
      to.set(c.to);
      return { cols: c.cols, weight, from, to };
    });
    this.hidden = placed.slice(0, widths.length);
    this.output = placed[widths.length];
    this.direct = tables.direct ? placed[widths.length + 1] : null;
    this.a = widths.map(f32);
    this.h = widths.map(f32);
    this.sa = widths.map(f32);
    this.sh = widths.map(f32);
    this.delta = widths.map(f32);
    this.changed = widths.map(i32);
    this.ready = tables.readyUnits.map((u) => {
      const view = i32(u.length);
      view.set(u);
      return view;
    });
    this.z = f32(D);
    this.sz = f32(D);
    this.inScale = f32(D);
    this.inRows = i32(2);
    this.x = new Int32Array(tables.N);
    this.lo = new Int32Array(widths.length);
    this.hi = new Int32Array(widths.length);
    this.term = new Float64Array(tables.N);
    this.sterm = new Float64Array(tables.N);
    this.spinNorm = new Float64Array(tables.N);
    this.sSpinNorm = new Float64Array(tables.N);
  }

  /** log Σ_c e^{z[base + c]} over one site's C logits, shifted by their maximum. */
  private logNormalizer(z: Float32Array, base: number): number {
    const C = this.t.C;
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, z[base + c]);
    let norm = 0;
    for (let c = 0; c < C; c++) norm += Math.exp(z[base + c] - max);
    return max + Math.log(norm);
  }

  /** log p_θ(x_q = v | x_<q) from logits z. */
  private conditional(z: Float32Array, q: number, v: number): number {
    const { K, C } = this.t;
    if (K === 2) return v ? -softplus(-z[q]) : -softplus(z[q]);
    return z[q * C + v] - this.logNormalizer(z, q * C);
  }

  /** Draws x_q from its conditional with one uniform (the same rule as the batched sampler). */
  private draw(q: number, rng: Rng): number {
    const { K, C } = this.t;
    const u = rng.uniform(), z = this.z;
    if (K === 2) return u < 1 / (1 + Math.exp(-z[q])) ? 1 : 0;
    const base = q * C, lse = this.logNormalizer(z, base);
    let c = 0, acc = Math.exp(z[base] - lse);
    while (c < C - 1 && u >= acc) acc += Math.exp(z[base + ++c] - lse);
    return c;
  }

  /** out += Σ_j scales[r_j] · row r_j of `conn`, over rows r_j = rows[first + j], j < count (the kernel call). */
  private axpy(out: Float32Array, conn: Connection, rows: Int32Array, first: number, count: number, scales: Float32Array): void {
    this.axpyRows(out.byteOffset, conn.weight.byteOffset, conn.cols, rows.byteOffset + 4 * first, count, scales.byteOffset, conn.from.byteOffset, conn.to.byteOffset);
  }

  /** dst[lo … hi) = src[lo … hi) for two blocks of the memory. */
  private copyRange(dst: Float32Array, src: Float32Array, lo: number, hi: number): void {
    const s0 = src.byteOffset / 4;
    this.mem.copyWithin(dst.byteOffset / 4 + lo, s0 + lo, s0 + hi);
  }

  /** Adds the input rows inRows[0 … n) with scales inScale to the first layer's `into` and, with direct connections, to the logits `zInto`. */
  private addInputs(n: number, into: Float32Array, zInto: Float32Array): void {
    this.axpy(into, this.hidden[0], this.inRows, 0, n, this.inScale);
    if (this.direct) this.axpy(zInto, this.direct, this.inRows, 0, n, this.inScale);
  }

  /** One forward pass in position order, each unit computed once it is complete; draws the values when `rng` is given. */
  private forward(rng: Rng | null): void {
    const t = this.t, { N, C } = t, Lh = t.hidden.length;
    for (let l = 0; l < Lh; l++) this.a[l].set(t.hiddenBias[l]);
    this.z.set(t.outputBias);
    const finish = (q: number) => {
      for (let l = 0; l < Lh; l++) {
        const units = this.ready[l], off = t.readyOffsets[l], a = this.a[l], h = this.h[l];
        const first = off[q + 1], count = off[q + 2] - first;
        if (count === 0) continue;
        for (let j = first; j < first + count; j++) {
          const k = units[j];
          h[k] = a[k] > 0 ? a[k] : 0;
        }
        const conn = l + 1 < Lh ? this.hidden[l + 1] : this.output;
        this.axpy(l + 1 < Lh ? this.a[l + 1] : this.z, conn, this.ready[l], first, count, h);
      }
    };
    finish(-1);
    let logProb = 0;
    for (let q = 0; q < N; q++) {
      const v = rng ? this.draw(q, rng) : this.x[q];
      this.x[q] = v;
      this.term[q] = this.conditional(this.z, q, v);
      if (C === 1) this.spinNorm[q] = 1 + Math.exp(-Math.abs(this.z[q]));
      logProb += this.term[q];
      if (C > 1 || v === 1) {
        const u = C === 1 ? q : q * C + v;
        this.inRows[0] = u;
        this.inScale[u] = 1;
        this.addInputs(1, this.a[0], this.z);
      }
      finish(q);
    }
    this.logProb = logProb;
  }

  /** Sets the configuration (site values, site order: `values[offset + site]`) and evaluates it. */
  evaluate(values: ArrayLike<number>, offset = 0): number {
    for (let q = 0; q < this.t.N; q++) this.x[q] = values[offset + this.t.siteAt[q]];
    this.forward(null);
    this.trialPosition = -1;
    return this.logProb;
  }

  /** Draws an exact sample of p_θ into the state; returns its log p_θ. */
  sample(rng: Rng): number {
    this.forward(rng);
    this.trialPosition = -1;
    return this.logProb;
  }

  /** Writes the values in site order into `out[offset + site]`. */
  read(out: { [i: number]: number }, offset = 0): void {
    for (let q = 0; q < this.t.N; q++) out[offset + this.t.siteAt[q]] = this.x[q];
  }

  /** log p_θ(x with x_q = v) − log p_θ(x), remembered for `commit`. */
  trial(q: number, v: number): number {
    const t = this.t, { N, C } = t, Lh = t.hidden.length;
    const old = this.x[q];
    this.trialPosition = q;
    this.trialValue = v;
    if (v === old) {
      this.zlo = this.zhi = 0;
      for (let l = 0; l < Lh; l++) this.lo[l] = this.hi[l] = 0;
      return (this.trialDelta = 0);
    }
    // the changed input rows and their signs: a spin flip moves one input by ±1, a category two one-hot inputs
    const nIn = C === 1 ? 1 : 2;
    const u1 = C === 1 ? q : q * C + v;
    this.inRows[0] = u1;
    this.inScale[u1] = C === 1 ? v - old : 1;
    if (nIn === 2) {
      this.inRows[1] = q * C + old;
      this.inScale[q * C + old] = -1;
    }
    // layer by layer: scratch pre-activations over the reachable range, then the units whose activation moved
    let nChanged = 0;
    for (let l = 0; l < Lh; l++) {
      const conn = this.hidden[l], sa = this.sa[l], sh = this.sh[l], h = this.h[l];
      let lo = conn.cols, hi = 0;
      if (l === 0) {
        lo = conn.from[u1];
        hi = conn.to[u1];
      } else {
        const ch = this.changed[l - 1];
        for (let j = 0; j < nChanged; j++) {
          const k = ch[j];
          if (conn.from[k] < lo) lo = conn.from[k];
          if (conn.to[k] > hi) hi = conn.to[k];
        }
      }
      if (hi < lo) hi = lo;
      this.copyRange(sa, this.a[l], lo, hi);
      if (l === 0) this.axpy(sa, conn, this.inRows, 0, nIn, this.inScale);
      else this.axpy(sa, conn, this.changed[l - 1], 0, nChanged, this.delta[l - 1]);
      this.lo[l] = lo;
      this.hi[l] = hi;
      const ch = this.changed[l], dl = this.delta[l];
      nChanged = 0;
      for (let k = lo; k < hi; k++) {
        const hk = sa[k] > 0 ? sa[k] : 0;
        sh[k] = hk;
        if (hk !== h[k]) {
          ch[nChanged++] = k;
          dl[k] = hk - h[k];
        }
      }
    }
    const out = this.output, d = this.direct, chLast = this.changed[Lh - 1];
    let zlo = d ? d.from[u1] : N * C, zhi = d ? d.to[u1] : 0;
    for (let j = 0; j < nChanged; j++) {
      const k = chLast[j];
      if (out.from[k] < zlo) zlo = out.from[k];
      if (out.to[k] > zhi) zhi = out.to[k];
    }
    if (zhi < zlo) zhi = zlo;
    const zs = this.sz;
    this.copyRange(zs, this.z, zlo, zhi);
    this.axpy(zs, out, chLast, 0, nChanged, this.delta[Lh - 1]);
    if (d) this.axpy(zs, d, this.inRows, 0, nIn, this.inScale);
    this.zlo = zlo;
    this.zhi = zhi;
    // log p changes at q itself (its logits are untouched) and at every position whose logits moved
    const qlo = Math.floor(zlo / C), qhi = Math.ceil(zhi / C), x = this.x;
    if (C === 1) {
      // flipping y → −y at q: log σ(−y) − log σ(y) = −y
      const z = this.z, norm = this.spinNorm, sNorm = this.sSpinNorm;
      let dLogP = old ? -z[q] : z[q], ratio = 1;
      for (let p = qlo; p < qhi; p++) {
        const y = x[p] ? z[p] : -z[p], y1 = x[p] ? zs[p] : -zs[p];
        dLogP += (y < 0 ? -y : 0) - (y1 < 0 ? -y1 : 0);
        const n1 = 1 + Math.exp(y1 < 0 ? y1 : -y1);
        sNorm[p] = n1;
        ratio *= norm[p] / n1;
        if (((p - qlo) & 15) === 15) {
          dLogP += Math.log(ratio);
          ratio = 1;
        }
      }
      return (this.trialDelta = dLogP + Math.log(ratio));
    }
    let dLogP = this.conditional(this.z, q, v) - this.term[q];
    for (let p = qlo; p < qhi; p++) {
      this.sterm[p] = this.conditional(zs, p, x[p]);
      dLogP += this.sterm[p] - this.term[p];
    }
    return (this.trialDelta = dLogP);
  }

  /** Applies the last `trial`. */
  commit(): void {
    const q = this.trialPosition;
    if (q < 0) throw new Error('MadeState.commit without a trial');
    const t = this.t, C = t.C;
    for (let l = 0; l < t.hidden.length; l++) {
      const lo = this.lo[l], hi = this.hi[l];
      this.copyRange(this.a[l], this.sa[l], lo, hi);
      this.copyRange(this.h[l], this.sh[l], lo, hi);
    }
    this.copyRange(this.z, this.sz, this.zlo, this.zhi);
    const qlo = Math.floor(this.zlo / C), qhi = Math.ceil(this.zhi / C);
    if (C === 1) for (let p = qlo; p < qhi; p++) this.spinNorm[p] = this.sSpinNorm[p];
    else {
      for (let p = qlo; p < qhi; p++) this.term[p] = this.sterm[p];
      this.term[q] = this.conditional(this.z, q, this.trialValue);
    }
    this.x[q] = this.trialValue;
    this.logProb += this.trialDelta;
    this.trialPosition = -1;
  }
}
