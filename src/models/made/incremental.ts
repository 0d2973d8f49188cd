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
 * Glossary: N sites, K values per site, C channels per site (1 for spins, K otherwise), D = N·C
 * inputs and outputs, H_l hidden widths; positions q = 0 … N−1 in the order.
 */
import type { Rng } from '../../sampling/rng.js';
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
   * readyAt[l][q + 1 … q + 2) as offsets into readyUnits[l]: the units of hidden layer l that are
   * complete once the site at position q is set (q = −1: units that see no input).
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

/** out[c] += s · W[r, c] over the columns row r reaches. */
function addRow(conn: Connection, r: number, s: number, out: Float64Array): void {
  const w = conn.weight, base = r * conn.cols, end = conn.to[r];
  for (let c = conn.from[r]; c < end; c++) out[c] += s * w[base + c];
}

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
  private readonly a: Float64Array[];
  private readonly h: Float64Array[];
  private readonly z: Float64Array;
  private readonly term: Float64Array;
  // the last trial: pre-activations and activations over [lo[l], hi[l]), logits over [zlo, zhi)
  private readonly sa: Float64Array[];
  private readonly sh: Float64Array[];
  private readonly changed: Int32Array[];
  private readonly delta: Float64Array[];
  private readonly lo: Int32Array;
  private readonly hi: Int32Array;
  private readonly sz: Float64Array;
  private readonly sterm: Float64Array;
  private zlo = 0;
  private zhi = 0;
  private trialPosition = -1;
  private trialValue = 0;
  private trialDelta = 0;

  constructor(tables: MadeTables) {
    this.t = tables;
    const widths = tables.hiddenBias.map((b) => b.length);
    const D = tables.N * tables.C;
    this.x = new Int32Array(tables.N);
    this.a = widths.map((H) => new Float64Array(H));
    this.h = widths.map((H) => new Float64Array(H));
    this.sa = widths.map((H) => new Float64Array(H));
    this.sh = widths.map((H) => new Float64Array(H));
    this.changed = widths.map((H) => new Int32Array(H));
    this.delta = widths.map((H) => new Float64Array(H));
    this.lo = new Int32Array(widths.length);
    this.hi = new Int32Array(widths.length);
    this.z = new Float64Array(D);
    this.sz = new Float64Array(D);
    this.term = new Float64Array(tables.N);
    this.sterm = new Float64Array(tables.N);
  }

  /** log p_θ(x_q = v | x_<q) from logits z. */
  private conditional(z: Float64Array, q: number, v: number): number {
    const { K, C } = this.t;
    if (K === 2) return v ? -softplus(-z[q]) : -softplus(z[q]);
    const base = q * C;
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, z[base + c]);
    let norm = 0;
    for (let c = 0; c < C; c++) norm += Math.exp(z[base + c] - max);
    return z[base + v] - max - Math.log(norm);
  }

  /** Draws x_q from its conditional with one uniform (the same rule as the batched sampler). */
  private draw(q: number, rng: Rng): number {
    const { K, C } = this.t;
    const u = rng.uniform(), z = this.z;
    if (K === 2) return u < 1 / (1 + Math.exp(-z[q])) ? 1 : 0;
    const base = q * C;
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, z[base + c]);
    let norm = 0;
    for (let c = 0; c < C; c++) norm += Math.exp(z[base + c] - max);
    let c = 0, acc = Math.exp(z[base] - max) / norm;
    while (c < C - 1 && u >= acc) acc += Math.exp(z[base + ++c] - max) / norm;
    return c;
  }

  /** One forward pass in position order, each unit computed once it is complete; draws the values when `rng` is given. */
  private forward(rng: Rng | null): void {
    const t = this.t, { N, C } = t, Lh = t.hidden.length;
    for (let l = 0; l < Lh; l++) this.a[l].set(t.hiddenBias[l]);
    this.z.set(t.outputBias);
    const finish = (q: number) => {
      for (let l = 0; l < Lh; l++) {
        const units = t.readyUnits[l], off = t.readyOffsets[l];
        const next = l + 1 < Lh ? this.a[l + 1] : this.z;
        const conn = l + 1 < Lh ? t.hidden[l + 1] : t.output;
        for (let j = off[q + 1]; j < off[q + 2]; j++) {
          const k = units[j];
          const hk = this.a[l][k] > 0 ? this.a[l][k] : 0;
          this.h[l][k] = hk;
          if (hk !== 0) addRow(conn, k, hk, next);
        }
      }
    };
    finish(-1);
    let logProb = 0;
    for (let q = 0; q < N; q++) {
      const v = rng ? this.draw(q, rng) : this.x[q];
      this.x[q] = v;
      this.term[q] = this.conditional(this.z, q, v);
      logProb += this.term[q];
      if (C === 1 ? v === 1 : true) {
        const u = C === 1 ? q : q * C + v;
        addRow(t.hidden[0], u, 1, this.a[0]);
        if (t.direct) addRow(t.direct, u, 1, this.z);
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
    // the changed input units and their signs
    const u1 = C === 1 ? q : q * C + v, s1 = C === 1 ? v - old : 1;
    const u0 = C === 1 ? -1 : q * C + old;
    const zs = this.sz;
    let zlo = t.direct ? t.direct.from[u1] : N * C, zhi = t.direct ? t.direct.to[u1] : 0;
    // layer by layer: scratch pre-activations over the reachable range, then the units whose activation moved
    let nChanged = 0;
    for (let l = 0; l < Lh; l++) {
      const conn = t.hidden[l], sa = this.sa[l], sh = this.sh[l], a = this.a[l], h = this.h[l];
      let lo: number, hi: number;
      if (l === 0) {
        lo = conn.from[u1]; hi = conn.to[u1];
        if (u0 >= 0) { lo = Math.min(lo, conn.from[u0]); hi = Math.max(hi, conn.to[u0]); }
      } else {
        lo = conn.cols; hi = 0;
        const ch = this.changed[l - 1];
        for (let j = 0; j < nChanged; j++) { lo = Math.min(lo, conn.from[ch[j]]); hi = Math.max(hi, conn.to[ch[j]]); }
      }
      if (hi < lo) hi = lo;
      for (let k = lo; k < hi; k++) sa[k] = a[k];
      if (l === 0) {
        addRow(conn, u1, s1, sa);
        if (u0 >= 0) addRow(conn, u0, -1, sa);
      } else {
        const ch = this.changed[l - 1], dl = this.delta[l - 1];
        for (let j = 0; j < nChanged; j++) addRow(conn, ch[j], dl[j], sa);
      }
      this.lo[l] = lo;
      this.hi[l] = hi;
      const ch = this.changed[l], dl = this.delta[l];
      nChanged = 0;
      for (let k = lo; k < hi; k++) {
        const hk = sa[k] > 0 ? sa[k] : 0;
        sh[k] = hk;
        if (hk !== h[k]) { ch[nChanged] = k; dl[nChanged++] = hk - h[k]; }
      }
    }
    const out = t.output, chLast = this.changed[Lh - 1], dLast = this.delta[Lh - 1];
    for (let j = 0; j < nChanged; j++) { zlo = Math.min(zlo, out.from[chLast[j]]); zhi = Math.max(zhi, out.to[chLast[j]]); }
    if (t.direct && u0 >= 0) { zlo = Math.min(zlo, t.direct.from[u0]); zhi = Math.max(zhi, t.direct.to[u0]); }
    if (zhi < zlo) zhi = zlo;
    for (let c = zlo; c < zhi; c++) zs[c] = this.z[c];
    for (let j = 0; j < nChanged; j++) addRow(out, chLast[j], dLast[j], zs);
    if (t.direct) {
      addRow(t.direct, u1, s1, zs);
      if (u0 >= 0) addRow(t.direct, u0, -1, zs);
    }
    this.zlo = zlo;
    this.zhi = zhi;
    // log p changes at q itself (its logits are untouched) and at every position whose logits moved
    let d = this.conditional(this.z, q, v) - this.term[q];
    const qlo = Math.floor(zlo / C), qhi = Math.ceil(zhi / C);
    for (let p = qlo; p < qhi; p++) {
      this.sterm[p] = this.conditional(zs, p, this.x[p]);
      d += this.sterm[p] - this.term[p];
    }
    return (this.trialDelta = d);
  }

  /** Applies the last `trial`. */
  commit(): void {
    const q = this.trialPosition;
    if (q < 0) throw new Error('MadeState.commit without a trial');
    const t = this.t, C = t.C;
    for (let l = 0; l < t.hidden.length; l++) {
      const lo = this.lo[l], hi = this.hi[l];
      this.a[l].set(this.sa[l].subarray(lo, hi), lo);
      this.h[l].set(this.sh[l].subarray(lo, hi), lo);
    }
    this.z.set(this.sz.subarray(this.zlo, this.zhi), this.zlo);
    const qlo = Math.floor(this.zlo / C), qhi = Math.ceil(this.zhi / C);
    this.term.set(this.sterm.subarray(qlo, qhi), qlo);
    this.term[q] = this.conditional(this.z, q, this.trialValue);
    this.x[q] = this.trialValue;
    this.logProb += this.trialDelta;
    this.trialPosition = -1;
  }
}
