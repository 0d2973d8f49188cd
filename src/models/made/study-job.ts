/**
 * The MADE study's work for one set of degrees of freedom, as a plain-data job (nn/parallel.ts):
 * train, transfer the learned Hamiltonian to the temperature grid by Metropolis, draw raw samples
 * at the training temperature, and — for spins — run the neural Metropolis–Hastings chain (MADE
 * samples as independence proposals, the Ising weight as target) at a few temperatures.
 */
import { Rng } from '../../sampling/rng.js';
import { neuralMetropolis } from '../../sampling/neural-mh.js';
import { blockSpinPerSite } from '../../lattice/blocks.js';
import { disposeMade, loadMade, madeProposal, sampleMade } from './made.js';
import { trainMadeJob, type MadeTrainArgs, type MadeTrainResult } from './train-job.js';
import { spinOrder, transferMetropolis, type TransferPoint } from './transfer.js';

export interface MadeStudyJobArgs extends MadeTrainArgs {
  temperatures: number[];
  chains: number;
  thermalize: number;
  sweeps: number;
  /** Snapshots per chain kept for the harness. */
  snapshots: number;
  rawSamples: number;
  mh: null | { temperatures: number[]; chains: number; steps: number };
}

export interface MadeMhPoint {
  T: number;
  acceptance: number;
  acceptanceError: number;
  tauEnergy: number;
  stuckChains: number;
  /** Final chain states, bits [chains, N]. */
  final: Uint8Array;
  seconds: number;
}

export interface MadeStudyJobResult {
  train: MadeTrainResult;
  transfer: TransferPoint[];
  transferSeconds: number;
  /** Raw samples of p_θ (site values) at the training temperature. */
  raw: Int32Array;
  mh: MadeMhPoint[];
}

export async function madeStudyJob(a: MadeStudyJobArgs): Promise<MadeStudyJobResult> {
  const { temperatures, chains, thermalize, sweeps, snapshots, rawSamples, mh, ...trainArgs } = a;
  const train = await trainMadeJob(trainArgs);
  const made = loadMade(train.weights);
  try {
    const N = made.spec.sites;
    const t0 = performance.now();
    const transfer = transferMetropolis(made, {
      trainTemperature: a.T, temperatures, chainsPerTemperature: chains, thermalize, sweeps, snapshots, seed: a.seed,
      order: a.dof === 'spin' ? (v, r) => spinOrder(v, r, N) : (v, r) => blockSpinPerSite(v, r, N),
    });
    const transferSeconds = (performance.now() - t0) / 1000;
    const raw = sampleMade(made, rawSamples, Array.from({ length: rawSamples }, (_, r) => Rng.stream(a.seed, 0x5a, r))).values;
    const points: MadeMhPoint[] = [];
    if (mh && a.dof === 'spin') {
      const L = Math.round(Math.sqrt(N));
      for (const T of mh.temperatures) {
        const t1 = performance.now();
        const starts = Uint8Array.from(sampleMade(made, mh.chains, Array.from({ length: mh.chains }, (_, r) => Rng.stream(a.seed, 0x5b, r, Math.round(T * 1e6)))).values);
        const r = neuralMetropolis(madeProposal(made), { L, T, upSpins: null, starts, chains: mh.chains, steps: mh.steps, seed: a.seed + Math.round(T * 1e6) });
        points.push({ T, acceptance: r.acceptance, acceptanceError: r.acceptanceError, tauEnergy: r.tauEnergy, stuckChains: r.stuckChains, final: r.final, seconds: (performance.now() - t1) / 1000 });
      }
    }
    return { train, transfer, transferSeconds, raw, mh: points };
  } finally {
    disposeMade(made);
  }
}
