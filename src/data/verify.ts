/**
 * `spinflow dataset verify`: checksums, shapes and dtypes against the manifest, then the contents:
 * spins are ±1, the stored energy and magnetization are those of the stored spins, the conserved
 * magnetization is what the manifest says, temperatures, splits and labels match their grid.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readManifest, type Manifest } from './manifest.js';
import { bytesPerElement, readNpyInfo } from './npy.js';
import { sha256File } from '../io/stream.js';
import { forEachSpinBlock, readArray } from './store.js';
import { bondSum, magnetization, squareLattice } from '../lattice/square.js';
import { phaseLabel } from './spec.js';
import { readHdf5Array } from './hdf5.js';

export interface VerifyReport {
  dir: string;
  ok: boolean;
  groups: number;
  configurations: number;
  /** One line per problem found. */
  problems: string[];
}

const MAX_PER_CHECK = 5;

export async function verifyDataset(dir: string): Promise<VerifyReport> {
  const manifest = readManifest(dir);
  const problems: string[] = [];
  const add = (p: string) => problems.push(p);
  let configurations = 0;

  // 1. files: checksums, headers
  if (manifest.spec.storage === 'hdf5') {
    const f = manifest.file;
    if (!f || !existsSync(join(dir, f.path))) add(`${f?.path ?? 'the HDF5 file'} is missing`);
    else if (sha256File(join(dir, f.path)) !== f.sha256) add(`${f.path}: SHA-256 differs from the manifest (file damaged or replaced)`);
  } else {
    for (const g of manifest.groups) {
      for (const [name, a] of Object.entries(g.arrays)) {
        const path = join(dir, a.path);
        if (!existsSync(path)) { add(`${a.path} is missing`); continue; }
        if (sha256File(path) !== a.sha256) add(`${a.path}: SHA-256 differs from the manifest (file damaged or replaced)`);
        try {
          const info = readNpyInfo(path);
          if (info.dtype !== a.dtype || JSON.stringify(info.shape) !== JSON.stringify(a.shape)) add(`${a.path}: header says ${info.dtype} ${JSON.stringify(info.shape)}, manifest says ${a.dtype} ${JSON.stringify(a.shape)} (${name})`);
          const need = info.dataOffset + a.shape.reduce((x, y) => x * y, 1) * bytesPerElement(a.dtype);
          if (info.fileBytes !== need) add(`${a.path}: ${info.fileBytes} bytes, the shape needs ${need} (truncated or padded)`);
        } catch (e) {
          add(`${a.path}: ${(e as Error).message}`);
        }
      }
    }
  }
  if (problems.length > 0) return { dir, ok: false, groups: manifest.groups.length, configurations, problems };

  // 2. contents
  for (const [gi, g] of manifest.groups.entries()) {
    const spec = manifest.spec.groups[gi];
    const where = (k: number) => `${g.name}[${k}]`;
    try {
      if (manifest.spec.storage === 'hdf5') await checkHdf5Shapes(dir, manifest, gi);
      const n = g.count;
      configurations += n;
      const temperature = await readArray(dir, manifest, g, 'temperature');
      const energy = await readArray(dir, manifest, g, 'energy');
      const mag = await readArray(dir, manifest, g, 'magnetization');
      const split = await readArray(dir, manifest, g, 'split');
      const label = g.arrays.label ? await readArray(dir, manifest, g, 'label') : null;
      for (const [name, a] of [['temperature', temperature], ['energy', energy], ['magnetization', mag], ['split', split], ['label', label]] as const) {
        if (a && a.length !== n) add(`${g.name}/${name} has ${a.length} entries, expected ${n}`);
      }
      let bad = 0;
      for (const t of g.temperatures) {
        const counts = [0, 0, 0];
        for (let k = t.offset; k < t.offset + t.count; k++) {
          if (temperature[k] !== t.T && bad++ < MAX_PER_CHECK) add(`${where(k)}: temperature ${temperature[k]}, the grid says ${t.T}`);
          if (split[k] > 2) { if (bad++ < MAX_PER_CHECK) add(`${where(k)}: split code ${split[k]} (allowed 0, 1, 2)`); } else counts[split[k]]++;
          if (label && label[k] !== phaseLabel(t.T, manifest.spec.J) && bad++ < MAX_PER_CHECK) add(`${where(k)}: label ${label[k]} at T = ${t.T}`);
        }
        if (counts[0] !== t.splits.train || counts[1] !== t.splits.validation || counts[2] !== t.splits.test) add(`${g.name} T = ${t.T}: split counts ${counts.join('/')} differ from the manifest's ${t.splits.train}/${t.splits.validation}/${t.splits.test}`);
      }
      const L = spec.L;
      const lattice = squareLattice(L);
      const N = lattice.N;
      const M0 = spec.magnetization === null ? null : Math.round(spec.magnetization * N);
      const { J, h } = manifest.spec;
      let badSpin = 0, badE = 0, badM = 0;
      await forEachSpinBlock(dir, manifest, g, (first, block) => {
        for (let c = 0; c * N < block.length; c++) {
          const k = first + c;
          const s = block.subarray(c * N, (c + 1) * N);
          let ok = true;
          for (let i = 0; i < N; i++) if (s[i] !== 1 && s[i] !== -1) { ok = false; break; }
          if (!ok) { if (badSpin++ < MAX_PER_CHECK) add(`${where(k)}: a spin is not ±1`); continue; }
          const M = magnetization(s);
          const E = -J * bondSum(lattice, s) - h * M;
          if (E / N !== energy[k] && badE++ < MAX_PER_CHECK) add(`${where(k)}: stored E/N ${energy[k]} but the spins give ${E / N}`);
          if (M / N !== mag[k] && badM++ < MAX_PER_CHECK) add(`${where(k)}: stored M/N ${mag[k]} but the spins give ${M / N}`);
          if (M0 !== null && M !== M0 && badM++ < MAX_PER_CHECK) add(`${where(k)}: magnetization ${M} breaks the conserved M = ${M0}`);
        }
      });
    } catch (e) {
      add(`${g.name}: ${(e as Error).message}`);
    }
  }
  return { dir, ok: problems.length === 0, groups: manifest.groups.length, configurations, problems };
}

async function checkHdf5Shapes(dir: string, manifest: Manifest, gi: number): Promise<void> {
  const g = manifest.groups[gi];
  for (const [name, a] of Object.entries(g.arrays)) {
    if (name === 'spins') continue; // read in blocks below
    const got = await readHdf5Array(join(dir, manifest.file?.path ?? ''), a.path);
    if (JSON.stringify(got.shape) !== JSON.stringify(a.shape)) throw new Error(`${a.path} has shape ${JSON.stringify(got.shape)}, manifest says ${JSON.stringify(a.shape)}`);
  }
}
