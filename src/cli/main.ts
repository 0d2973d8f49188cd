#!/usr/bin/env node
/**
 * The `spinflow` command line: parses and checks arguments, calls the library, prints text or JSON.
 * It holds no science. Exit status: 0 success, 1 failure, 2 bad input.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { parseInteger, parseNumber, parseNumberList } from './args.js';
import { progressBar } from './progress.js';
import { simulate, type SimulationResult } from '../sampling/simulate.js';
import { ALGORITHMS, ALGORITHM_INFO } from '../sampling/algorithms.js';
import { defaultWorkers } from '../sampling/pool.js';
import { finiteLatticeExact } from '../exact/finite-lattice.js';
import { infiniteLattice, CRITICAL_TEMPERATURE } from '../exact/onsager.js';
import { realisedMagnetization } from '../sampling/model.js';
import { STUDIES, configure, type Scale } from '../studies/index.js';
import { initBackend, type BackendName } from '../nn/backend.js';
import { ACTIVATIONS, type Activation } from '../models/ae/autoencoder.js';
import { trainAutoencoderJob } from '../models/ae/train-job.js';
import { flowFromDataset } from '../studies/ae-flow.js';
import { trainClassifierJob } from '../models/cnn/train-job.js';
import { evaluateClassifier } from '../studies/conserved-cnn.js';
import { evaluateConfigurations } from '../evaluate/harness.js';
import { encodeNpy, readNpy } from '../data/npy.js';
import { trainRbmJob } from '../models/rbm/train-job.js';
import { Rbm, rbmProposal } from '../models/rbm/rbm.js';
import { disposeMade, loadMade, madeProposal, sampleMade } from '../models/made/made.js';
import { DOFS, trainMadeJob, type Dof } from '../models/made/train-job.js';
import { transferMetropolis } from '../models/made/transfer.js';
import { disposeFlow, loadFlow, sampleFlow, type Flow } from '../models/neuralrg/flow.js';
import { equilibriumStart, hmc } from '../models/neuralrg/hmc.js';
import { isingFieldSource, spinsFromField } from '../models/neuralrg/source.js';
import { trainNeuralRgJob } from '../models/neuralrg/train-job.js';
import { importanceStarts, neuralMetropolis, type NeuralMetropolisResult } from '../sampling/neural-mh.js';
import { Rng } from '../sampling/rng.js';
import { readManifest } from '../data/manifest.js';
import { findGroup, readArray } from '../data/store.js';
import { ensureWritable, writeFileAtomicSync } from '../io/checkpoint.js';
import { sha256File } from '../io/stream.js';
import { PRESETS, PRESET_NAMES, customSpec, presetSpec, type Storage } from '../data/spec.js';
import { generateDataset } from '../data/generate.js';
import { jsonReplacer } from '../report/report.js';
import { collectSweep, compactRanges, planSweep, reportDir, runSweepTask, sweepStatus, sweepableStudies, SweepIncomplete } from '../sweep/sweep.js';
import { runLocal, slurmQueue, submitSweep } from '../sweep/engines.js';
import { datasetInfo, type DatasetInfo } from '../data/info.js';
import { verifyDataset } from '../data/verify.js';
import { startServer } from '../serve/server.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const HELP = `spinflow ${VERSION} — machine learning and renormalization-group studies of lattice spin models

Usage: spinflow <command> [options]

Commands:
  simulate    Monte Carlo of the 2D Ising model (free or conserved magnetization), with error bars
  exact       exact values: finite lattice (enumeration ≤ 25 spins, else Kaufman) and infinite lattice
  dataset     generate, inspect and verify spin-configuration datasets (NumPy .npy or HDF5)
  ae          train one autoencoder on a dataset, or run its NN flow (Acevedo et al.)
  cnn         train a phase classifier on a labelled dataset group, or evaluate one (Azizi & Pleimling)
  rbm         train a restricted Boltzmann machine on one temperature of a dataset, or sample from one
  made        train a MADE on one temperature (H_θ = −T log p_θ), or sample it, transfer it to other T (Wang et al.)
  neuralrg    train a hierarchical RealNVP flow on the relaxed Ising model, sample it, or run HMC (Li & Wang)
  evaluate    judge generated configurations against Monte Carlo or exact values (the shared harness)
  reproduce   run the studies at quick or paper scale and compare with exact values
  sweep       run a study's trainings as independent tasks: locally, or as a Slurm/PBS job array
  serve       the browser page: live Monte Carlo, a results folder's figures and tables, its models

Run 'spinflow <command> --help' for its options. Every command takes --json.
`;

const COMMAND_HELP: Record<string, string> = {
  serve: `Usage: spinflow serve [--port 8080] [--host 127.0.0.1] [--results DIR] [--json]

Serves the page built by npm run build (dist/web) until interrupted (Ctrl-C):
  Live      Monte Carlo in a Web Worker with spinflow's own samplers (${ALGORITHMS.filter((a) => a !== 'heatbath' && a !== 'exchange').join(', ')}, …),
            the lattice, E/N and |M| traces against the exact values, flips per nanosecond
  Results   every folder under DIR holding a reproduce summary.json: the table "paper vs exact vs
            spinflow", the figures, and for ae-flow the NN flow animated with a saved autoencoder
  Models    a saved model (autoencoder, RBM, MADE on spins, NeuralRG flow) generates configurations
            in the browser; the evaluation harness compares them with Monte Carlo at the same T
  --port N      TCP port (default 8080; 0 picks a free one)
  --host ADDR   address to bind (default 127.0.0.1, loopback only; 0.0.0.0 exposes it)
  --results DIR reproduce output folder, served read-only: only GET/HEAD, nothing outside DIR
                (.., %2e%2e, absolute paths and symlinks out of DIR are refused)
  --json        print {"url": ...} once listening
`,
  simulate: `Usage: spinflow simulate --L 16 --T 2.269 [options]

  --L N                 lattice side (Lx = Ly = N); or --Lx N --Ly M          (default 16)
  --T LIST              temperature(s): 2.269, a comma list 2.0,2.5 or a range 1.0:3.0:0.5
  --algorithm NAME      ${ALGORITHMS.join('|')}
                        (default metropolis; kawasaki for --model conserved)
${ALGORITHMS.map((a) => `                          ${a.padEnd(13)}${ALGORITHM_INFO[a].description}`).join('\n')}
  --model ising|conserved  conserved keeps the number of up spins fixed
  --magnetization M0    magnetization per spin of the conserved model (default 0)
  --J J --h H           coupling and field (default 1, 0)
  --sweeps N            measured sweeps per chain (default 10000)
  --thermalize N        sweeps discarded first (default 1000)
  --measure-every N     sweeps between measurements (default 1)
  --correlation-every N measurements between C(r) evaluations, 0 = off (default ≈ L/8)
  --chains N            independent chains per temperature (default 1)
  --workers N           worker threads (default 1; results do not depend on it)
  --seed S              integer seed (default 1)
  --start auto|hot|cold initial state (auto: cold below T_c, hot above; cold at fixed M is one slab)
  --checkpoint FILE     save each chain's state to FILE.chain-<i> while running (atomic writes); run
                        the same command again after a kill to resume with identical results
  --checkpoint-every S  seconds between checkpoints (default 60)
  --json                print one JSON object (for several temperatures: {"results": [...]})
`,
  exact: `Usage: spinflow exact --L 16 --T 2.269 [--Lx N --Ly M] [--J J] [--h H] [--magnetization M0] [--json]

Finite periodic lattice: exhaustive enumeration up to 25 spins (any h, and fixed M0), Kaufman's
formula otherwise (h = 0). Infinite lattice: Onsager's free energy, energy and specific heat, Yang's
spontaneous magnetization (J > 0, h = 0).
`,
  dataset: `Usage: spinflow dataset generate (--preset NAME | --L LIST --temperatures LIST --per-temperature N
                                  [--model ising|conserved] [--magnetization M0] [--algorithm NAME]
                                  [--split TRAIN,VAL,TEST] [--labels]) --out DIR [options]
       spinflow dataset info DIR [--json]
       spinflow dataset verify DIR [--json]

generate  samples equilibrium configurations: per temperature one chain, thermalized until its
          energy and order parameter are stable over ≥ 50 τ_int, then saved every ⌈2 τ_int⌉ sweeps
          (τ_int measured on a pilot run). Writes DIR/manifest.json (parameters, seed, τ_int, spacing,
          SHA-256 of every file, Monte Carlo and exact reference values) and per group DIR/<group>/
          spins.npy (int8 ±1, [n, L, L]), temperature.npy, energy.npy (E/N), magnetization.npy (M/N),
          split.npy (0 train, 1 validation, 2 test) and label.npy (1 below T_c) where asked.
  --preset NAME         ${PRESET_NAMES.join(', ')}
${PRESET_NAMES.map((p) => `                          ${p.padEnd(14)}${PRESETS[p].title}`).join('\n')}
  --scale quick|paper   preset size (default quick: minutes on 2 cores; paper: the papers' sizes)
  --L LIST              lattice side(s), one group each: 16 or 16,32
  --temperatures LIST   2.0,2.5,3.0 or an inclusive range 1.0:3.2:0.1
  --per-temperature N   configurations saved per temperature
  --model ising|conserved   conserved keeps the number of up spins fixed (default ising)
  --magnetization M0    magnetization per spin of the conserved model (default 0)
  --algorithm NAME      default wolff (ising), geometric (conserved; kawasaki is the local move)
  --split T,V,E         fractions train,validation,test per temperature (default 0.8,0.1,0.1)
  --labels              also store label.npy: 1 for T < T_c, 0 above
  --out DIR             a new or empty folder (or this dataset's folder, to resume)
  --format npy|hdf5     npy files (default) or one HDF5 file DIR/dataset.h5 with the same arrays
  --seed S              integer seed (default 1); the same seed gives the same bytes
  --workers N           worker threads (default: all cores); the result does not depend on it
  --resume              continue an interrupted generation in DIR (after a crash or kill)
  --checkpoint-every S  seconds between task checkpoints (default 30)

info      per temperature: split counts, thermalization, τ_int and spacing, stripe fraction below
          T_c, ⟨E⟩/N and ⟨|M|⟩/N with errors next to exact finite-lattice values.
verify    checks checksums, shapes, spins = ±1, stored E and M against the spins, the conserved M,
          temperatures, splits and labels; exit status 1 with one line per problem.
`,
  ae: `Usage: spinflow ae train --data DIR --out MODEL.safetensors [--hidden 128] [--tcut 0.02] [--epochs 50]
                        [--batch 512] [--lr 1e-3] [--activation sigmoid|relu|tanh|linear] [--seed S] [--backend B] [--json]
       spinflow ae flow --model MODEL.safetensors --data DIR [--T 4.5] [--count 100] [--steps 100] [--backend B] [--json]

train  a fully connected autoencoder (N → N_l → N, sigmoid output, MSE, Adam) on the training split of
       a dataset's configurations with T ≥ T_cut; the validation split is monitored. Resumes from
       MODEL.safetensors.ckpt after a kill; metrics go to MODEL.safetensors.metrics.jsonl.
flow   feeds test configurations at the grid temperature nearest --T through the autoencoder, rounding
       each reconstruction to {0, 1}, until every one is a fixed point or --steps pass; prints E/N and
       |m| (mean ± std) per step.
`,
  cnn: `Usage: spinflow cnn train --data DIR --group NAME --out MODEL.safetensors [--architecture cnn|dense]
                         [--channels 8,16] [--epochs 30] [--batch 64] [--lr 2e-3] [--patience 3] [--seed S] [--backend B] [--json]
       spinflow cnn evaluate --model MODEL.safetensors --data DIR --group NAME [--split test] [--backend B] [--json]

train     fits the classifier (periodic CNN, or the dense control) to the group's phase labels (1 below
          T_c), stopping when validation accuracy has not improved for --patience epochs; resumable.
evaluate  mean probability of the ordered phase per temperature (± standard error), its crossing of ½,
          and the accuracy, on one split of a dataset group.
`,
  rbm: `Usage: spinflow rbm train --data DIR --group NAME --T T --out MODEL.safetensors [--epochs 2000] [--k 10]
                        [--persistent] [--lr 5e-3] [--batch 100] [--window 50] [--tolerance 0.005] [--seed S] [--json]
       spinflow rbm sample --model MODEL.safetensors --count N --out SAMPLES.npy [--steps 1000] [--seed S]
                        [--mh-steps S --T T [--magnetization M0] [--mh-gibbs 1] [--mh-local 0] [--mh-pool N]] [--json]

train   CD-k training (Adam) on the training configurations of one temperature of a dataset group,
        until mean |θ| changes by less than --tolerance between two windows of --window epochs
        (or --epochs pass); --persistent keeps the negative chains between batches (PCD); resumable.
sample  N configurations from Gibbs chains started at random states, written as int8 ±1 [N, L, L]
        (judge them with spinflow evaluate). With --mh-steps, each chain then continues as a
        Metropolis–Hastings chain whose proposal is --mh-gibbs Gibbs steps of the RBM and whose target
        is the Ising Boltzmann weight at --T (restricted to --magnetization when given): exact
        whatever the RBM's errors; the acceptance rate is printed. --mh-local K adds K sweeps of
        local moves with the same target after every step (Kawasaki at fixed M, else Metropolis).
        The chains start at states resampled by their weight π/p from a pool of --mh-pool raw
        samples (default --count), so they begin near equilibrium.
`,
  made: `Usage: spinflow made train --data DIR --group NAME --T T --out MODEL.safetensors [--dof spin|block1|block2]
                         [--hidden 180,120] [--order raster|random] [--direct] [--epochs 200] [--batch 469]
                         [--lr 1e-3] [--patience 10] [--seed S] [--backend B] [--json]
       spinflow made sample --model MODEL.safetensors --count N --out SAMPLES.npy [--seed S] [--json]
                         [--T T --T-train T0 [--sweeps 200] [--thermalize 100]]
                         [--T T --mh-steps S]

train   negative log-likelihood training (Adam) on the training configurations of one temperature, in
        spins or 2 × 2 block sums at stride 1 or 2; early stopping on the validation split; resumable.
sample  N exact samples of p_θ (the training temperature); with --T and --T-train, N Metropolis chains
        with exp(−H_θ/T) = p_θ^{T0/T} instead (their final states); with --T and --mh-steps (spin MADEs),
        N Metropolis–Hastings chains with MADE samples as proposals and the Ising weight at T as target.
        Spins are written as int8 ±1 [N, L, L], block sums as int8 S ∈ {−4 … 4} [N, M, M].
`,
  neuralrg: `Usage: spinflow neuralrg train --L 8 --T 2.269 --out FLOW.safetensors [--depth 3] [--couplings 10] [--hidden 64]
                             [--plain] [--epochs 20] [--steps 50] [--batch 64] [--lr 1e-3] [--warmup 0]
                             [--seed S] [--backend B] [--json]
       spinflow neuralrg sample --model FLOW.safetensors --T T --count N --out SPINS.npy [--seed S] [--json]
       spinflow neuralrg hmc --model FLOW.safetensors --T T --out SPINS.npy [--space latent|physical] [--chains 64]
                             [--steps 100] [--leapfrog 5] [--step-size 0.3] [--start random|equilibrium]
                             [--seed S] [--json]

train   variational (reverse-KL) training of the MERA-like RealNVP flow on π(x) = exp(−½xᵀ(K+αI)⁻¹x) Π cosh x_i
        at T, with the Z2-symmetrized density unless --plain; prints the free energy against the exact −ln Z.
        --warmup K raises the learning rate linearly over the first K steps.
sample  N configurations x from the flow, turned into Ising spins s ~ π(s|x), as int8 ±1 [N, L, L].
hmc     hybrid Monte Carlo in the latent space of the flow (or in the physical space, where --model is
        not needed): the structure factor over the second half with its τ_int, a relaxation check (the
        second half's third quarter against its fourth, in σ: several σ means the chains still relax and
        need more --steps), and the chains' final spins as int8 ±1. While they run, the chains are saved
        to SPINS.npy.ckpt every 30 s: the same command after a kill continues them (other options are
        refused until that file is removed). --start equilibrium starts the chains at exact draws of
        π(x) (x = As + A^{1/2}ξ, s from Wolff; in the latent space z = g⁻¹(ηx), the sign η drawn with
        probability q(ηx)/[q(x) + q(−x)], the latent chain's own equilibrium with q_sym) instead of
        N(0, 1): an exact chain stays there, so two starts that disagree expose a chain that has not mixed.
`,
  evaluate: `Usage: spinflow evaluate --samples FILE.npy --reference FILE.npy|DIR|exact [--group NAME] [--T T]
                         [--magnetization M0] [--json]

Judges generated configurations (int8 .npy of shape [n, L, L], ±1 or {0, 1}) against a reference:
another .npy, the configurations of a dataset folder at temperature --T (its test split where it
has one; --group when it has several), or exact enumeration (L ≤ 5, --T required). Reports ⟨E⟩/N and ⟨|M|⟩/N with errors and their
deviation in σ, total-variation distances of the energy and magnetization distributions, a χ² test
of the energy histograms (p-value), the largest deviation of C(r) in σ, and with --magnetization the
fraction of samples that break M0 and the fraction at energies impossible at M0.
`,
  reproduce: `Usage: spinflow reproduce [STUDY ...] [--scale quick|paper] [--set KEY=VALUE ...] [--out DIR]
                         [--backend auto|wasm|cpu|webgpu|tensorflow] [--workers N] [--seed S] [--resume] [--list] [--json]
       spinflow reproduce mlrg [--rep A1|A1+E|2A1+E|…]   (several: --rep A1,A1+E)

Runs the named studies (default: all) and prints each one's table. With --out, writes DIR/<study>/:
summary.json, report.md, report.html, figures/*.svg and *.png, data/*.csv (atomically). --set changes
one value of the study's configuration (see --list for the keys, their meaning and defaults); --resume
continues long runs from DIR/<study>/checkpoints. Exit status 1 if a check against exact values fails.
Studies:
${STUDIES.map((s) => `  ${s.name.padEnd(14)} ${s.title}`).join('\n')}
`,
  sweep: `Usage: spinflow sweep plan STUDY --out DIR [--scale quick|paper] [--grid KEY=V1,V2 ...] [--set KEY=VALUE ...] [--seed S] [--backend NAME]
       spinflow sweep run DIR [--engine local] [--workers N]
       spinflow sweep submit DIR --engine slurm|pbs [--partition P] [--max-parallel K] [--time HH:MM:SS] [--cpus-per-task C] [--dry-run]
       spinflow sweep status DIR
       spinflow sweep run-task DIR --index I
       spinflow sweep collect DIR [--workers N]

A sweep runs a study's independent trainings as separate tasks and then the study's own analysis,
so DIR/report holds the report \`spinflow reproduce\` would write (summary.json, report.md, figures).
  plan      writes DIR/sweep.json (every task with its seed, derived from --seed and the task's point)
            and generates the study's dataset into DIR/work. --grid sets a list parameter (a sweep
            axis, e.g. hiddens=8,16,32 for ae-flow); --set any other value (see reproduce --list).
  run       runs the unfinished tasks in a pool of --workers processes, then collects
  submit    writes DIR/<engine>/array.* (one run-task per array index, at most --max-parallel at once)
            and collect.* (after the whole array succeeded), submits both and prints the job ids
  status    done / running / failed / missing tasks from the files (and squeue when present)
  run-task  runs task I (a finished task is not run again; a killed one resumes from its checkpoint)
  collect   merges the task results into DIR/report; exit status 1 while tasks are missing or failed
Studies that can sweep:
${sweepableStudies().map((s) => `  ${s.name.padEnd(14)} ${s.tasks}`).join('\n')}
`,
};

type Values = Record<string, string | boolean | undefined>;

/** `--h -0.5` means `--h=-0.5`: a negative number after an option is its value, not an option. */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--') && !a.includes('=') && i + 1 < argv.length && /^-(\d|\.\d|Infinity)/.test(argv[i + 1])) out.push(`${a}=${argv[++i]}`);
    else out.push(a);
  }
  return out;
}

function parse(argv: string[], options: ParseArgsConfig['options'], allowPositionals = false): { values: Values; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: joinNegativeValues(argv), options: { ...options, json: { type: 'boolean' }, help: { type: 'boolean' } }, allowPositionals, strict: true });
    return { values: values as Values, positionals };
  } catch (e) {
    throw new InputError((e as Error).message.split('\n')[0]);
  }
}

const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);
const stringOptions = (names: string[]) => Object.fromEntries(names.map((n) => [n, { type: 'string' as const }]));

function print(json: boolean, obj: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(obj, jsonReplacer)}\n` : `${text}\n`);
}


async function cmdSimulate(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, stringOptions(['L', 'Lx', 'Ly', 'T', 'J', 'h', 'algorithm', 'model', 'magnetization', 'sweeps', 'thermalize', 'measure-every', 'correlation-every', 'chains', 'workers', 'seed', 'start', 'checkpoint', 'checkpoint-every']));
  if (v.help) return help('simulate');
  const T = parseNumberList('--T', str(v.T));
  if (!T) throw new InputError('--T is missing: give a temperature > 0, a comma list or a range start:stop:step');
  const bar = progressBar('simulate');
  const results = await simulate({
    L: parseInteger('--L', str(v.L)), Lx: parseInteger('--Lx', str(v.Lx)), Ly: parseInteger('--Ly', str(v.Ly)), T,
    J: parseNumber('--J', str(v.J)), h: parseNumber('--h', str(v.h)), algorithm: str(v.algorithm), model: str(v.model),
    magnetization: parseNumber('--magnetization', str(v.magnetization)),
    sweeps: parseInteger('--sweeps', str(v.sweeps)), thermalize: parseInteger('--thermalize', str(v.thermalize)),
    measureEvery: parseInteger('--measure-every', str(v['measure-every'])), correlationEvery: parseInteger('--correlation-every', str(v['correlation-every'])),
    chains: parseInteger('--chains', str(v.chains)), workers: parseInteger('--workers', str(v.workers)), seed: parseInteger('--seed', str(v.seed)),
    start: str(v.start), checkpoint: str(v.checkpoint), checkpointSeconds: parseNumber('--checkpoint-every', str(v['checkpoint-every'])),
    onProgress: (d, t) => bar.update(d, t),
  });
  bar.finish();
  const withExact = results.map((r) => ({ ...r, exact: finiteLatticeExact(r.Lx, r.Ly, r.T, r.J, r.h, r.magnetization0) }));
  const obj = withExact.length === 1 ? withExact[0] : { results: withExact };
  print(Boolean(v.json), obj, withExact.map(simulationText).join('\n\n'));
  return 0;
}

function simulationText(r: SimulationResult & { exact: ReturnType<typeof finiteLatticeExact> }): string {
  const ex = r.exact as Record<string, number | string> | null;
  const row = (label: string, key: keyof SimulationResult, exactKey = key as string) => {
    const e = r[key] as { mean: number; error: number; tauInt: number };
    const exact = ex && typeof ex[exactKey] === 'number' ? (ex[exactKey] as number) : undefined;
    const dev = exact !== undefined && e.error > 0 ? `  (${((e.mean - exact) / e.error).toFixed(1)}σ)` : '';
    return `  ${label.padEnd(18)}${fmt(e.mean).padStart(12)} ± ${fmt(e.error).padEnd(11)} τ_int ${e.tauInt.toFixed(1).padStart(7)}   ${exact !== undefined ? `exact ${fmt(exact)}${dev}` : ''}`;
  };
  const model = r.model === 'conserved' ? `conserved M0 = ${r.magnetization0}` : 'ising';
  return [
    `${r.Lx}×${r.Ly} ${model}, T = ${r.T}, J = ${r.J}, h = ${r.h}, ${r.algorithm}, ${r.chains} chain(s) × ${r.sweeps} sweeps (${r.measurements} measurements${r.replicas > 1 ? ` × ${r.replicas} replicas` : ''}), seed ${r.seed}`,
    row('E/N', 'energyPerSpin'),
    row('|M|/N', 'absMagnetization', 'absMagnetization'),
    row('M/N', 'magnetization', 'magnetization'),
    row('susceptibility', 'susceptibility'),
    row('specific heat', 'specificHeat'),
    row('Binder U4', 'binder'),
    `  C(r)              ${sparse(r.correlation).map((c) => `${c.r}:${c.mean.toFixed(4)}`).join(' ')}`,
    `  ${r.flipsPerNanosecond.toFixed(3)} flips/ns per thread, ${r.elapsedSeconds.toFixed(2)} s${ex ? `; exact values by ${ex.method}` : ''}`,
    ...r.warnings.map((w) => `  note: ${w}`),
  ].join('\n');
}

/** At most 12 evenly spread entries, for the terminal (JSON keeps them all). */
function sparse<T>(xs: T[]): T[] {
  if (xs.length <= 12) return xs;
  const step = (xs.length - 1) / 11;
  return Array.from({ length: 12 }, (_, k) => xs[Math.round(k * step)]);
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(4) : x.toFixed(6);
}

async function cmdExact(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, stringOptions(['L', 'Lx', 'Ly', 'T', 'J', 'h', 'magnetization']));
  if (v.help) return help('exact');
  const L = parseInteger('--L', str(v.L));
  const Lx = parseInteger('--Lx', str(v.Lx)) ?? L ?? 16;
  const Ly = parseInteger('--Ly', str(v.Ly)) ?? L ?? Lx;
  for (const [flag, x] of [['--Lx', Lx], ['--Ly', Ly]] as const) if (x < 2) throw new InputError(`${flag} ${x} is not allowed: the lattice side must be an integer ≥ 2`);
  const T = parseNumber('--T', str(v.T)) ?? CRITICAL_TEMPERATURE;
  if (!(T > 0)) throw new InputError(`--T ${T} is not allowed: the temperature must be a number > 0`);
  const J = parseNumber('--J', str(v.J)) ?? 1;
  if (J === 0) throw new InputError('--J 0 is not allowed: the coupling must be non-zero');
  const h = parseNumber('--h', str(v.h)) ?? 0;
  const M0 = parseNumber('--magnetization', str(v.magnetization));
  let magnetization: number | null = null;
  if (M0 !== undefined) {
    try {
      magnetization = realisedMagnetization(Lx * Ly, M0);
    } catch (e) {
      throw new InputError((e as Error).message.replace(`${Lx * Ly} sites`, `${Lx}×${Ly}`));
    }
  }
  const finite = finiteLatticeExact(Lx, Ly, T, J, h, magnetization);
  if (!finite) {
    throw new InputError(`no exact method for ${Lx}×${Ly} with h = ${h}${magnetization !== null ? ` at fixed M0 = ${magnetization}` : ''}: enumeration allows at most 25 spins, Kaufman needs h = 0, no fixed M0 (and even sides for J < 0)`);
  }
  const infinite = J > 0 && h === 0 ? infiniteLattice(T, J) : null;
  const obj = { L: Lx, Lx, Ly, T, J, h, magnetization0: magnetization, ...finite, infinite };
  const lines = [
    `${Lx}×${Ly} periodic lattice, T = ${T}, J = ${J}, h = ${h}${magnetization !== null ? `, M0 = ${magnetization}` : ''} (${finite.method})`,
    ...Object.entries(finite).filter(([k]) => k !== 'method').map(([k, x]) => `  ${k.padEnd(20)}${fmt(x as number)}`),
    ...(infinite ? ['infinite lattice', ...Object.entries(infinite).map(([k, x]) => `  ${k.padEnd(26)}${fmt(x)}`)] : []),
  ];
  print(Boolean(v.json), obj, lines.join('\n'));
  return 0;
}

async function cmdReproduce(argv: string[]): Promise<number> {
  const { values: v, positionals } = parse(argv, { ...stringOptions(['scale', 'out', 'workers', 'seed', 'backend', 'rep']), set: { type: 'string', multiple: true }, list: { type: 'boolean' }, resume: { type: 'boolean' } }, true);
  if (v.help) return help('reproduce');
  if (v.list) {
    const list = STUDIES.map((s) => ({ name: s.name, title: s.title, params: s.params, quick: s.defaults('quick'), paper: s.defaults('paper') }));
    print(Boolean(v.json), list, STUDIES.map((s) => `${s.name.padEnd(14)} ${s.title}\n${Object.entries(s.params).map(([k, p]) => `    ${k.padEnd(20)} ${p.description} (quick ${s.defaults('quick')[k]}, paper ${s.defaults('paper')[k]})`).join('\n')}`).join('\n'));
    return 0;
  }
  const scale = (str(v.scale) ?? 'quick') as Scale;
  if (scale !== 'quick' && scale !== 'paper') throw new InputError(`--scale ${scale} is unknown: allowed are quick, paper`);
  const names = positionals.length > 0 ? positionals : STUDIES.map((s) => s.name);
  const studies = names.map((n) => {
    const s = STUDIES.find((x) => x.name === n);
    if (!s) throw new InputError(`study ${n} is unknown: allowed are ${STUDIES.map((x) => x.name).join(', ')}`);
    return s;
  });
  const sets = [...((v.set as unknown as string[] | undefined) ?? [])];
  const rep = str(v.rep);
  if (rep !== undefined) {
    if (studies.length !== 1 || studies[0].name !== 'mlrg') throw new InputError(`--rep ${rep} belongs to the mlrg study: run spinflow reproduce mlrg --rep ${rep}`);
    sets.push(`reps=${rep.replace(/\|/g, ',')}`);
  }
  if (sets.length > 0 && studies.length !== 1) throw new InputError('--set needs exactly one study: the keys belong to one study\'s configuration');
  const configs = studies.map((s) => configure(s, scale, sets));
  const workers = parseInteger('--workers', str(v.workers)) ?? defaultWorkers();
  const seed = parseInteger('--seed', str(v.seed)) ?? 1;
  if (workers < 1) throw new InputError(`--workers ${workers} is not allowed: expected an integer ≥ 1`);
  if (seed < 0) throw new InputError(`--seed ${seed} is not allowed: expected an integer in [0, 2^53)`);
  const backend = str(v.backend);
  if (backend !== undefined) await initBackend(backend as BackendName);
  const out = str(v.out);
  if (out) ensureWritable(join(out, 'summary.json'), '--out');
  if (v.resume && !out) throw new InputError('--resume needs --out: checkpoints live in the output folder');
  const report: Record<string, unknown> = {};
  let passed = true;
  for (const [i, study] of studies.entries()) {
    const bar = progressBar(study.name, Boolean(process.stderr.isTTY) && !process.env.CI && !v.json);
    const started = performance.now();
    const outcome = await study.run(configs[i], { scale, seed, workers, checkpointDir: out ? join(out, study.name, 'checkpoints') : undefined, resume: Boolean(v.resume), onProgress: (d, t) => bar.update(d, t) });
    bar.finish();
    const seconds = (performance.now() - started) / 1000;
    passed &&= outcome.passed;
    outcome.report.summary.elapsedSeconds = seconds;
    outcome.report.summary.seed = seed;
    report[study.name] = { ...outcome.report.summary, comparisons: outcome.report.comparisons };
    if (out) await outcome.report.write(join(out, study.name), jsonReplacer);
    if (!v.json) process.stdout.write(`== ${study.name}: ${study.title} (${scale} scale, ${seconds.toFixed(1)} s) ${outcome.passed ? 'PASSED' : 'FAILED'}\n${outcome.text}\n${out ? `report: ${join(out, study.name, 'report.md')}\n` : ''}\n`);
  }
  if (v.json) print(true, { scale, seed, passed, studies: report }, '');
  return passed ? 0 : 1;
}

async function cmdSweep(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const subs = ['plan', 'run', 'submit', 'status', 'run-task', 'collect'];
  if (sub === undefined || sub === '--help' || sub === '-h') return help('sweep');
  if (!subs.includes(sub)) throw new InputError(`sweep ${sub} is unknown: allowed are ${subs.join(', ')}`);
  const { values: v, positionals } = parse(rest, {
    ...stringOptions(['scale', 'out', 'seed', 'workers', 'backend', 'index', 'engine', 'partition', 'max-parallel', 'time', 'cpus-per-task']),
    set: { type: 'string', multiple: true }, grid: { type: 'string', multiple: true }, 'dry-run': { type: 'boolean' },
  }, true);
  if (v.help) return help('sweep');
  const json = Boolean(v.json);
  const workers = parseInteger('--workers', str(v.workers)) ?? defaultWorkers();
  if (workers < 1) throw new InputError(`--workers ${workers} is not allowed: expected an integer ≥ 1`);
  const bar = (label: string) => progressBar(label, Boolean(process.stderr.isTTY) && !process.env.CI && !json);
  const one = (what: string) => {
    if (positionals.length !== 1) throw new InputError(`sweep ${sub} needs exactly one ${what}, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`);
    return positionals[0];
  };
  if (sub === 'plan') {
    const studyName = one('STUDY');
    const out = str(v.out);
    if (!out) throw new InputError('--out is missing: the sweep folder (it receives sweep.json, the tasks\' results and the report)');
    ensureWritable(join(out, 'sweep.json'), '--out');
    const scale = (str(v.scale) ?? 'quick') as Scale;
    if (scale !== 'quick' && scale !== 'paper') throw new InputError(`--scale ${scale} is unknown: allowed are quick, paper`);
    const seed = parseInteger('--seed', str(v.seed)) ?? 1;
    if (seed < 0) throw new InputError(`--seed ${seed} is not allowed: expected an integer in [0, 2^53)`);
    const backend = str(v.backend) as BackendName | undefined;
    if (backend !== undefined) await initBackend(backend);
    const m = await planSweep({ study: studyName, scale, seed, sets: (v.set as unknown as string[]) ?? [], grid: (v.grid as unknown as string[]) ?? [], dir: out, workers, backend: backend ?? 'auto' });
    print(json, m, `sweep ${m.study} (${m.scale} scale, seed ${m.seed}): ${m.tasks.length} tasks planned in ${join(out, 'sweep.json')}\n${m.tasks.map((t) => `  ${String(t.index).padStart(4)}  ${t.label}${t.seed !== null ? `  (seed ${t.seed})` : ''}`).join('\n')}`);
    return 0;
  }
  const dir = one('sweep folder DIR');
  if (sub === 'run-task') {
    const index = parseInteger('--index', str(v.index) ?? process.env.SLURM_ARRAY_TASK_ID ?? process.env.PBS_ARRAY_INDEX);
    if (index === undefined) throw new InputError('--index is missing: the task to run (0 … number of tasks − 1)');
    const r = await runSweepTask(dir, index);
    print(json, r, `task ${r.index} (${r.label}): ${r.status}${r.status === 'done' ? ` in ${r.seconds.toFixed(1)} s` : ''}`);
    return 0;
  }
  const collectNow = async () => {
    const b = bar('collect');
    const outcome = await collectSweep(dir, { workers, onProgress: (d, t) => b.update(d, t) });
    b.finish();
    return outcome;
  };
  const collectText = (o: Awaited<ReturnType<typeof collectNow>>) => `${o.text}\nreport: ${join(reportDir(dir), 'report.md')} ${o.passed ? 'PASSED' : 'FAILED'}`;
  const incomplete = (e: unknown) => {
    if (!(e instanceof SweepIncomplete)) throw e;
    print(json, { complete: false, ...e.status }, `spinflow: ${e.message}`);
    return 1;
  };
  if (sub === 'collect') {
    try {
      const o = await collectNow();
      print(json, { complete: true, passed: o.passed, report: reportDir(dir), summary: o.report.summary }, collectText(o));
      return o.passed ? 0 : 1;
    } catch (e) {
      return incomplete(e);
    }
  }
  if (sub === 'run') {
    const engine = str(v.engine) ?? 'local';
    if (engine !== 'local') throw new InputError(`--engine ${engine} is not allowed for sweep run: it runs locally; use sweep submit --engine slurm|pbs for a cluster`);
    const b = bar('tasks');
    const r = await runLocal(dir, { workers, onProgress: (d, t) => b.update(d, t) });
    b.finish();
    if (r.failed.length > 0) return incomplete(new SweepIncomplete(sweepStatus(dir)));
    try {
      const o = await collectNow();
      print(json, { complete: true, passed: o.passed, ran: r.ran, report: reportDir(dir), summary: o.report.summary }, `${r.ran.length} task(s) run\n${collectText(o)}`);
      return o.passed ? 0 : 1;
    } catch (e) {
      return incomplete(e);
    }
  }
  if (sub === 'submit') {
    const engine = str(v.engine);
    if (engine !== 'slurm' && engine !== 'pbs') throw new InputError(`--engine ${engine ?? '(missing)'} is not allowed for sweep submit: allowed are slurm, pbs (sweep run runs locally)`);
    const maxParallel = parseInteger('--max-parallel', str(v['max-parallel']));
    const cpusPerTask = parseInteger('--cpus-per-task', str(v['cpus-per-task']));
    const s = submitSweep(dir, { engine, partition: str(v.partition), maxParallel, time: str(v.time), cpusPerTask, dryRun: Boolean(v['dry-run']) });
    print(json, s, s.arrayJob === null
      ? `scripts written (not submitted):\n  ${s.scripts.array}\n  ${s.scripts.collect}`
      : `submitted: task array ${s.arrayJob}, collect job ${s.collectJob} (after the array succeeds)\n  ${s.scripts.array}\n  ${s.scripts.collect}`);
    return 0;
  }
  // status
  const s = sweepStatus(dir);
  const submitted = join(dir, 'slurm', 'submitted.json');
  const queue = existsSync(submitted) ? (() => { const j = JSON.parse(readFileSync(submitted, 'utf8')) as { arrayJob: string; collectJob: string }; return slurmQueue([j.arrayJob, j.collectJob]); })() : null;
  print(json, { ...s, queue }, [
    `sweep ${s.study} (${s.scale} scale): ${s.done.length} of ${s.tasks} tasks done${s.collected ? ', report collected' : ''}`,
    s.running.length ? `running: ${s.running.map((r) => `${r.index} (${r.label}, ${r.host} pid ${r.pid} since ${r.since})`).join(', ')}` : '',
    s.failed.length ? `failed: ${s.failed.map((f) => `${f.index} (${f.label}: ${f.error})`).join('; ')}` : '',
    s.missing.length ? `missing: ${compactRanges(s.missing)}` : '',
    queue ? `squeue: ${queue.length === 0 ? 'nothing queued' : queue.map((q) => `${q.job} ${q.state}`).join(', ')}` : '',
  ].filter(Boolean).join('\n'));
  return 0;
}

async function cmdDataset(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case undefined:
    case '--help':
    case '-h':
      return help('dataset');
    case 'generate':
      return datasetGenerate(rest);
    case 'info':
    case 'verify': {
      const { values: v, positionals } = parse(rest, {}, true);
      if (v.help) return help('dataset');
      if (positionals.length !== 1) throw new InputError(`dataset ${sub} takes one folder, got ${positionals.length}`);
      if (sub === 'info') {
        const info = datasetInfo(positionals[0]);
        print(Boolean(v.json), info, infoText(info));
        return 0;
      }
      const report = await verifyDataset(positionals[0]);
      print(Boolean(v.json), report, report.ok
        ? `${report.dir}: OK (${report.groups} group(s), ${report.configurations} configurations; checksums, shapes, spins, E, M, splits, labels)`
        : `${report.dir}: DAMAGED\n${report.problems.map((p) => `  ${p}`).join('\n')}`);
      return report.ok ? 0 : 1;
    }
    default:
      throw new InputError(`dataset ${sub} is unknown: allowed are generate, info, verify`);
  }
}

async function datasetGenerate(argv: string[]): Promise<number> {
  const custom = ['L', 'temperatures', 'per-temperature', 'model', 'magnetization', 'algorithm', 'split'];
  const { values: v } = parse(argv, { ...stringOptions([...custom, 'preset', 'out', 'scale', 'seed', 'workers', 'format', 'checkpoint-every']), resume: { type: 'boolean' }, labels: { type: 'boolean' } });
  if (v.help) return help('dataset');
  const out = str(v.out);
  if (!out) throw new InputError('--out is missing: name the folder that receives the dataset');
  const scale = str(v.scale);
  if (scale !== undefined && scale !== 'quick' && scale !== 'paper') throw new InputError(`--scale ${scale} is unknown: allowed are quick, paper`);
  const storage = (str(v.format) ?? 'npy') as Storage;
  if (storage !== 'npy' && storage !== 'hdf5') throw new InputError(`--format ${storage} is unknown: allowed are npy, hdf5`);
  const seed = parseInteger('--seed', str(v.seed)) ?? 1;
  const workers = parseInteger('--workers', str(v.workers)) ?? defaultWorkers();
  if (workers < 1) throw new InputError(`--workers ${workers} is not allowed: expected an integer ≥ 1`);
  const checkpointSeconds = parseNumber('--checkpoint-every', str(v['checkpoint-every'])) ?? 30;
  if (!(checkpointSeconds >= 0)) throw new InputError(`--checkpoint-every ${checkpointSeconds} is not allowed: expected seconds ≥ 0`);
  const preset = str(v.preset);
  let spec;
  if (preset !== undefined) {
    const extra = custom.filter((k) => v[k] !== undefined).concat(v.labels ? ['labels'] : []);
    if (extra.length > 0) throw new InputError(`--${extra[0]} is not allowed with --preset: a preset fixes its lattices, temperatures and sizes`);
    spec = presetSpec(preset, (scale ?? 'quick') as 'quick' | 'paper', seed, storage);
  } else {
    const L = parseNumberList('--L', str(v.L));
    const temperatures = parseNumberList('--temperatures', str(v.temperatures));
    const perTemperature = parseInteger('--per-temperature', str(v['per-temperature']));
    if (!L) throw new InputError('--L is missing: give --preset NAME, or --L, --temperatures and --per-temperature');
    if (!temperatures) throw new InputError('--temperatures is missing: give a comma list (2.0,2.5) or a range start:stop:step');
    if (perTemperature === undefined) throw new InputError('--per-temperature is missing: how many configurations to save per temperature');
    spec = customSpec({
      L, temperatures, perTemperature, model: str(v.model) ?? 'ising', magnetization: parseNumber('--magnetization', str(v.magnetization)),
      algorithm: str(v.algorithm), split: parseNumberList('--split', str(v.split)), labels: Boolean(v.labels), seed, storage,
      scale: scale as 'quick' | 'paper' | undefined,
    });
  }
  const bar = progressBar('dataset', Boolean(process.stderr.isTTY) && !process.env.CI && !v.json);
  const report = await generateDataset(spec, { out, workers, resume: Boolean(v.resume), checkpointSeconds, onProgress: (d, t) => bar.update(d, t) });
  bar.finish();
  const info = datasetInfo(out);
  const head = report.alreadyComplete
    ? `${out} already holds this dataset (nothing to do)`
    : `wrote ${out}: ${report.configurations} configurations, ${report.tasks} temperature tasks (${report.resumedTasks} finished before this run), ${report.elapsedSeconds.toFixed(1)} s on ${workers} worker(s)`;
  const { manifest: _m, ...rest } = report;
  print(Boolean(v.json), { ...rest, workers, info }, `${head}\n${infoText(info)}`);
  return 0;
}

function infoText(info: DatasetInfo): string {
  const lines = [
    `${info.dir}: ${info.preset ? `preset ${info.preset} (${info.scale})` : 'custom'}, seed ${info.seed}, ${info.storage}, ${info.configurations} configurations; spinflow ${info.spinflow.version}${info.spinflow.commit ? ` (${info.spinflow.commit.slice(0, 10)})` : ''}`,
  ];
  const num = (x: number | null, d = 3) => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(d));
  for (const g of info.groups) {
    lines.push(`group ${g.name}: ${g.model}${g.magnetization !== null ? ` M0 = ${g.magnetization.toFixed(4)}` : ''}, L = ${g.L}, ${g.algorithm}, ${g.count} configurations`);
    lines.push('        T      n  train/val/test   therm  τ_E(sw) τ_o(sw) spacing  τ_E,τ_o(saved)  stripes         E/N ± err         exact   dev/σ      |M|/N ± err');
    for (const r of g.rows) {
      const splits = `${r.splits.train}/${r.splits.validation}/${r.splits.test}`;
      lines.push([
        r.T.toFixed(4).padStart(9), String(r.count).padStart(6), splits.padStart(15),
        `${r.thermalizationSweeps}${r.thermalized ? '' : '!'}`.padStart(8), num(r.tauIntEnergy, 2).padStart(8), num(r.tauIntOrder, 2).padStart(7),
        String(r.spacing).padStart(7), `${num(r.sampleTauIntEnergy, 2)},${num(r.sampleTauIntOrder, 2)}`.padStart(15),
        (r.stripeFraction === null ? '–' : `${(100 * r.stripeFraction).toFixed(1)}%`).padStart(8),
        `${num(r.energyPerSpin.mean, 5)} ± ${num(r.energyPerSpin.error, 5)}`.padStart(20), num(r.exactEnergyPerSpin, 5).padStart(13), num(r.energyDeviation, 1).padStart(7),
        `${num(r.absMagnetization.mean, 4)} ± ${num(r.absMagnetization.error, 4)}`.padStart(17),
      ].join(' '));
    }
  }
  if (info.groups.some((g) => g.rows.some((r) => !r.thermalized))) lines.push('  ! thermalization criterion not met within the sweep limit');
  lines.push('  τ in sweeps from the pilot run; τ of the saved series in saved configurations (½ = independent); exact: finite lattice');
  return lines.join('\n');
}

async function cmdAe(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') return help('ae');
  if (sub !== 'train' && sub !== 'flow') throw new InputError(`ae ${sub} is unknown: allowed are train, flow`);
  const { values: v } = parse(rest, stringOptions(['data', 'out', 'model', 'hidden', 'tcut', 'epochs', 'batch', 'lr', 'activation', 'seed', 'backend', 'T', 'count', 'steps']));
  if (v.help) return help('ae');
  const data = str(v.data);
  if (!data) throw new InputError('--data is missing: a dataset folder (spinflow dataset generate)');
  const backend = await initBackend((str(v.backend) ?? 'auto') as BackendName | 'auto');
  const positive = (flag: string, x: number | undefined, fallback: number, integer = true) => {
    const value = x ?? fallback;
    if (!(value > 0) || (integer && !Number.isInteger(value))) throw new InputError(`${flag} ${value} is not allowed: expected ${integer ? 'an integer' : 'a number'} > 0`);
    return value;
  };
  if (sub === 'train') {
    const out = str(v.out);
    if (!out) throw new InputError('--out is missing: the file that receives the weights (.safetensors)');
    ensureWritable(out, '--out');
    const activation = str(v.activation) ?? 'sigmoid';
    if (!(ACTIVATIONS as readonly string[]).includes(activation)) throw new InputError(`--activation ${activation} is unknown: allowed are ${ACTIVATIONS.join(', ')}`);
    const tCut = parseNumber('--tcut', str(v.tcut)) ?? 0;
    const started = performance.now();
    const r = await trainAutoencoderJob({
      dataDir: data, hidden: positive('--hidden', parseInteger('--hidden', str(v.hidden)), 128), tCut, activation: activation as Activation,
      epochs: positive('--epochs', parseInteger('--epochs', str(v.epochs)), 50), batchSize: positive('--batch', parseInteger('--batch', str(v.batch)), 512),
      learningRate: positive('--lr', parseNumber('--lr', str(v.lr)), 1e-3, false), seed: parseInteger('--seed', str(v.seed)) ?? 1, weights: out,
    });
    const last = r.metrics[r.metrics.length - 1];
    print(Boolean(v.json), { ...r, backend: backend.detail, elapsedSeconds: (performance.now() - started) / 1000 },
      `trained ${out} on ${r.trainSize >= 0 ? r.trainSize : 'the'} configurations (${backend.detail}): ${r.metrics.length} epochs, train MSE ${last?.trainLoss.toFixed(5)}, validation MSE ${last?.validationLoss?.toFixed(5) ?? '–'}`);
    return 0;
  }
  const model = str(v.model);
  if (!model) throw new InputError('--model is missing: a weights file written by spinflow ae train');
  const T = parseNumber('--T', str(v.T)) ?? 4.5;
  const { T: Tn, L, flow } = await flowFromDataset(data, model, T, positive('--count', parseInteger('--count', str(v.count)), 100), positive('--steps', parseInteger('--steps', str(v.steps)), 100));
  const lines = [`flow of ${flow.fixedAt.length} test configurations at T = ${Tn} (L = ${L}); ${flow.fixedAt.filter((f) => f !== null).length} reached a fixed point`, 'step        E/N ± std        |m| ± std      RE    fixed'];
  for (const st of flow.steps) lines.push(`${String(st.step).padStart(4)}  ${st.energy.mean.toFixed(4).padStart(8)} ± ${st.energy.std.toFixed(4)}  ${st.absMagnetization.mean.toFixed(3)} ± ${st.absMagnetization.std.toFixed(3)}  ${Number.isFinite(st.reconstructionError) ? st.reconstructionError.toFixed(4) : '  –   '}  ${st.fixed}`);
  print(Boolean(v.json), { T: Tn, L, steps: flow.steps, fixedAt: flow.fixedAt }, lines.join('\n'));
  return 0;
}

async function cmdCnn(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') return help('cnn');
  if (sub !== 'train' && sub !== 'evaluate') throw new InputError(`cnn ${sub} is unknown: allowed are train, evaluate`);
  const { values: v } = parse(rest, stringOptions(['data', 'group', 'out', 'model', 'architecture', 'channels', 'epochs', 'batch', 'lr', 'patience', 'seed', 'backend', 'split']));
  if (v.help) return help('cnn');
  const data = str(v.data), group = str(v.group);
  if (!data) throw new InputError('--data is missing: a dataset folder with phase labels (the conserved-cnn preset, or --labels)');
  if (!group) throw new InputError('--group is missing: the dataset group to use (see spinflow dataset info)');
  const backend = await initBackend((str(v.backend) ?? 'auto') as BackendName | 'auto');
  if (sub === 'train') {
    const out = str(v.out);
    if (!out) throw new InputError('--out is missing: the file that receives the weights (.safetensors)');
    ensureWritable(out, '--out');
    const architecture = str(v.architecture) ?? 'cnn';
    if (architecture !== 'cnn' && architecture !== 'dense') throw new InputError(`--architecture ${architecture} is unknown: allowed are cnn, dense`);
    const channels = parseNumberList('--channels', str(v.channels)) ?? [8, 16];
    if (channels.length !== 2 || channels.some((c) => !Number.isInteger(c) || c < 1)) throw new InputError(`--channels ${str(v.channels)} is not allowed: two integers ≥ 1, e.g. 8,16`);
    const int = (flag: string, x: number | undefined, d: number) => {
      const value = x ?? d;
      if (!Number.isInteger(value) || value < 1) throw new InputError(`${flag} ${value} is not allowed: expected an integer ≥ 1`);
      return value;
    };
    const lr = parseNumber('--lr', str(v.lr)) ?? 2e-3;
    if (!(lr > 0)) throw new InputError(`--lr ${lr} is not allowed: expected a number > 0`);
    const r = await trainClassifierJob({
      dataDir: data, group, architecture, channels: channels as [number, number], epochs: int('--epochs', parseInteger('--epochs', str(v.epochs)), 30),
      batchSize: int('--batch', parseInteger('--batch', str(v.batch)), 64), learningRate: lr, patience: int('--patience', parseInteger('--patience', str(v.patience)), 3),
      seed: parseInteger('--seed', str(v.seed)) ?? 1, weights: out,
    });
    const last = r.metrics[r.metrics.length - 1];
    print(Boolean(v.json), { ...r, backend: backend.detail }, `trained ${out} (L = ${r.L}, ${backend.detail}): ${r.metrics.length} epochs, last train loss ${last?.trainLoss.toFixed(4)}, best validation accuracy ${Math.max(...r.metrics.map((m) => -(m.validationLoss ?? 0))).toFixed(4)}`);
    return 0;
  }
  const modelPath = str(v.model);
  if (!modelPath) throw new InputError('--model is missing: a weights file written by spinflow cnn train');
  const split = (str(v.split) ?? 'test') as 'train' | 'validation' | 'test';
  if (!['train', 'validation', 'test'].includes(split)) throw new InputError(`--split ${split} is unknown: allowed are train, validation, test`);
  const r = await evaluateClassifier(modelPath, data, group, split);
  const lines = [`${modelPath} on ${group} (${split}, ${r.count} configurations): accuracy ${r.accuracy.toFixed(4)}, crossing of ½ at T = ${r.crossing.toFixed(4)}`, '      T   P(ordered) ± error', ...r.curve.map((p) => `${p.T.toFixed(4).padStart(7)}   ${p.y.toFixed(4)} ± ${p.error.toFixed(4)}`)];
  print(Boolean(v.json), r, lines.join('\n'));
  return 0;
}

/**
 * The common start of the model commands (`rbm`, `made`): `train` or `sample`, the parsed options,
 * --out checked writable, an integer reader with a lower bound, and --seed. Null asks for the help.
 */
function modelCommand(command: string, argv: string[], options: ParseArgsConfig['options'], subcommands = ['train', 'sample']) {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') return null;
  if (!subcommands.includes(sub)) throw new InputError(`${command} ${sub} is unknown: allowed are ${subcommands.join(', ')}`);
  const { values: v } = parse(rest, options);
  if (v.help) return null;
  const out = str(v.out);
  if (!out) throw new InputError(`--out is missing: the file that receives the ${sub === 'train' ? 'weights (.safetensors)' : 'samples (.npy)'}`);
  ensureWritable(out, '--out');
  const intAtLeast = (flag: string, d: number, min: number) => {
    const x = parseInteger(flag, str(v[flag.slice(2)])) ?? d;
    if (x < min) throw new InputError(`${flag} ${x} is not allowed: expected an integer ≥ ${min}`);
    return x;
  };
  return { sub, v, out, intAtLeast, seed: parseInteger('--seed', str(v.seed)) ?? 1 };
}

async function cmdRbm(argv: string[]): Promise<number> {
  const c = modelCommand('rbm', argv, { ...stringOptions(['data', 'group', 'T', 'out', 'model', 'epochs', 'k', 'lr', 'batch', 'window', 'tolerance', 'seed', 'count', 'steps', 'mh-steps', 'mh-gibbs', 'mh-local', 'mh-pool', 'magnetization']), persistent: { type: 'boolean' } });
  if (!c) return help('rbm');
  const { sub, v, out, intAtLeast, seed } = c;
  if (sub === 'train') {
    const data = str(v.data), group = str(v.group), T = parseNumber('--T', str(v.T));
    if (!data || !group || T === undefined) throw new InputError('rbm train needs --data DIR, --group NAME and --T T (a temperature of the dataset grid)');
    const lr = parseNumber('--lr', str(v.lr)) ?? 5e-3;
    const tolerance = parseNumber('--tolerance', str(v.tolerance)) ?? 0.005;
    if (!(lr > 0)) throw new InputError(`--lr ${lr} is not allowed: expected a number > 0`);
    if (!(tolerance >= 0)) throw new InputError(`--tolerance ${tolerance} is not allowed: expected a number ≥ 0`);
    const r = await trainRbmJob({
      dataDir: data, group, T, maxEpochs: intAtLeast('--epochs', 2000, 1), batchSize: intAtLeast('--batch', 100, 1), learningRate: lr, k: intAtLeast('--k', 10, 1),
      persistent: Boolean(v.persistent), window: intAtLeast('--window', 50, 1), tolerance, samples: 10, samplingSteps: 1, mhSteps: 0, mhChains: 0, mhGibbs: 1, mhLocal: 0, upSpins: null, seed, weights: out,
    });
    print(Boolean(v.json), { L: r.L, T: r.T, epochs: r.epochs, plateau: r.plateau, meanAbsTheta: r.meanAbsTheta, trainSeconds: r.trainSeconds },
      `trained ${out} (L = ${r.L}, T = ${r.T}): ${r.epochs} epochs, ${r.plateau ? 'mean |θ| reached its plateau' : 'epoch limit reached before a plateau'} (${r.meanAbsTheta[r.meanAbsTheta.length - 1]?.toFixed(4)}), ${r.trainSeconds.toFixed(1)} s`);
    return 0;
  }
  const modelPath = str(v.model);
  if (!modelPath) throw new InputError('--model is missing: a weights file written by spinflow rbm train');
  if (!existsSync(modelPath)) throw new InputError(`--model ${modelPath} does not exist`);
  const rbm = Rbm.load(modelPath);
  const count = intAtLeast('--count', 1000, 1), steps = intAtLeast('--steps', 1000, 1);
  const mhSteps = intAtLeast('--mh-steps', 0, 0), mhGibbs = intAtLeast('--mh-gibbs', 1, 1), mhLocal = intAtLeast('--mh-local', 0, 0);
  const L = Math.round(Math.sqrt(rbm.visible));
  if (L * L !== rbm.visible) throw new InputError(`${modelPath} has ${rbm.visible} visible units, not an L × L lattice`);
  // with MH, the pool of chain starts is drawn in the same pass: row r depends only on (seed, r),
  // so the first --count rows of the pool are the raw samples themselves
  const poolSize = mhSteps > 0 ? intAtLeast('--mh-pool', count, 1) : count;
  const drawn = rbm.sample(Math.max(count, poolSize), steps, seed);
  let bits = drawn.subarray(0, count * rbm.visible);
  let mh: NeuralMetropolisResult | null = null;
  let upSpins: number | null = null;
  if (mhSteps > 0) {
    const T = parseNumber('--T', str(v.T));
    if (T === undefined || !(T > 0)) throw new InputError(`--mh-steps needs --T, a temperature > 0${T === undefined ? '' : `, not ${T}`}`);
    const M0 = parseNumber('--magnetization', str(v.magnetization));
    if (M0 !== undefined) {
      const N = L * L, M = Math.round(M0 * N);
      if (!(Math.abs(M0) <= 1) || (M + N) % 2 !== 0) throw new InputError(`--magnetization ${M0} is not allowed for L = ${L}: M0·N must be an integer of the parity of N = ${N} in −N … N`);
      upSpins = (M + N) / 2;
    }
    // chain starts resampled by their weight π/p from a pool of raw samples (sampling/neural-mh.ts)
    const pool = drawn.subarray(0, poolSize * rbm.visible);
    const proposal = rbmProposal(rbm, mhGibbs, upSpins);
    const { starts } = importanceStarts(proposal, pool, poolSize, count, { L, T, upSpins, seed });
    mh = neuralMetropolis(proposal, { L, T, upSpins, starts, chains: count, steps: mhSteps, seed, localSweeps: mhLocal });
    bits = mh.final;
  }
  writeFileAtomicSync(out, encodeNpy('int8', [count, L, L], Int8Array.from(bits, (b) => (b > 0 ? 1 : -1))));
  const mhSummary = mh ? { acceptance: mh.acceptance, acceptanceError: mh.acceptanceError, tauEnergy: mh.tauEnergy, stuckChains: mh.stuckChains, upSpins } : null;
  print(Boolean(v.json), { out, count, L, steps, seed, mh: mhSummary },
    `wrote ${count} configurations (L = ${L}, ${steps} Gibbs steps each${mh ? `, then ${mhSteps} Metropolis–Hastings steps: acceptance ${(100 * mh.acceptance).toFixed(2)} ± ${(100 * mh.acceptanceError).toFixed(2)} %, τ_int(E) ${mh.tauEnergy.toFixed(1)} steps, ${mh.stuckChains} chains without a late move` : ''}) to ${out}`);
  return 0;
}

async function cmdMade(argv: string[]): Promise<number> {
  const c = modelCommand('made', argv, { ...stringOptions(['data', 'group', 'T', 'T-train', 'out', 'model', 'dof', 'hidden', 'order', 'epochs', 'batch', 'lr', 'patience', 'seed', 'backend', 'count', 'sweeps', 'thermalize', 'mh-steps']), direct: { type: 'boolean' } });
  if (!c) return help('made');
  const { sub, v, out, intAtLeast, seed } = c;
  const backend = await initBackend((str(v.backend) ?? 'auto') as BackendName | 'auto');
  if (sub === 'train') {
    const data = str(v.data), group = str(v.group), T = parseNumber('--T', str(v.T));
    if (!data || !group || T === undefined) throw new InputError('made train needs --data DIR, --group NAME and --T T (a temperature of the dataset grid)');
    const dof = (str(v.dof) ?? 'spin') as Dof;
    if (!DOFS.includes(dof)) throw new InputError(`--dof ${dof} is unknown: allowed are ${DOFS.join(', ')}`);
    const order = str(v.order) ?? 'raster';
    if (order !== 'raster' && order !== 'random') throw new InputError(`--order ${order} is unknown: allowed are raster, random`);
    const hidden = (str(v.hidden) ?? '180,120').split(',').map((x) => Number(x));
    if (hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new InputError(`--hidden ${str(v.hidden)} is not allowed: expected comma-separated integer widths ≥ 1`);
    const lr = parseNumber('--lr', str(v.lr)) ?? 1e-3;
    if (!(lr > 0)) throw new InputError(`--lr ${lr} is not allowed: expected a number > 0`);
    const r = await trainMadeJob({
      dataDir: data, group, T, dof, hidden, order, direct: Boolean(v.direct), epochs: intAtLeast('--epochs', 200, 1), batchSize: intAtLeast('--batch', 469, 1),
      learningRate: lr, patience: intAtLeast('--patience', 10, 1), seed, weights: out,
    });
    print(Boolean(v.json), { ...r, backend: backend.detail }, `trained ${out} (${dof}, ${r.sites} sites, ${r.trainSize} configurations, ${backend.detail}): ${r.metrics.length} epochs, validation NLL ${r.validationNllPerSite.toFixed(4)} nats per site, ${r.seconds.toFixed(1)} s`);
    return 0;
  }
  const modelPath = str(v.model);
  if (!modelPath) throw new InputError('--model is missing: a weights file written by spinflow made train');
  if (!existsSync(modelPath)) throw new InputError(`--model ${modelPath} does not exist`);
  const made = loadMade(modelPath);
  const count = intAtLeast('--count', 1000, 1);
  const N = made.spec.sites, side = Math.round(Math.sqrt(N)), K = made.spec.categories;
  const T = parseNumber('--T', str(v.T)), T0 = parseNumber('--T-train', str(v['T-train']));
  const mhSteps = intAtLeast('--mh-steps', 0, 0);
  if (T !== undefined && !(T > 0)) throw new InputError(`--T ${T} is not allowed: expected a temperature > 0`);
  let values: ArrayLike<number>;
  let text: string;
  let extra: Record<string, unknown> = {};
  if (mhSteps > 0) {
    if (T === undefined) throw new InputError('--mh-steps needs --T, the temperature of the Ising target');
    if (K !== 2) throw new InputError(`--mh-steps needs a spin MADE; ${modelPath} models ${K}-valued block sums`);
    const starts = Uint8Array.from(sampleMade(made, count, Array.from({ length: count }, (_, r) => Rng.stream(seed, 0x5b, r))).values);
    const r = neuralMetropolis(madeProposal(made), { L: side, T, upSpins: null, starts, chains: count, steps: mhSteps, seed });
    values = r.final;
    extra = { acceptance: r.acceptance, acceptanceError: r.acceptanceError, tauEnergy: r.tauEnergy, stuckChains: r.stuckChains };
    text = `${count} Metropolis–Hastings chains × ${mhSteps} MADE proposals toward the Ising weight at T = ${T}: acceptance ${(100 * r.acceptance).toFixed(2)} %, τ_int(E) ${r.tauEnergy.toFixed(1)} proposals`;
  } else if (T !== undefined) {
    if (T0 === undefined || !(T0 > 0)) throw new InputError('--T needs --T-train, the temperature the MADE was trained at (H_θ = −T_train log p_θ)');
    const [point] = transferMetropolis(made, { trainTemperature: T0, temperatures: [T], chainsPerTemperature: count, thermalize: intAtLeast('--thermalize', 100, 0), sweeps: intAtLeast('--sweeps', 200, 1), snapshots: 1, seed, order: () => 0 });
    values = point.snapshots;
    extra = { acceptance: point.acceptance };
    text = `${count} Metropolis chains with exp(−H_θ/T), T = ${T} (T_train = ${T0}): acceptance ${(100 * point.acceptance).toFixed(2)} %`;
  } else {
    values = sampleMade(made, count, Array.from({ length: count }, (_, r) => Rng.stream(seed, 0x5a, r))).values;
    text = `${count} exact samples of p_θ`;
  }
  disposeMade(made);
  writeFileAtomicSync(out, encodeNpy('int8', [count, side, side], Int8Array.from(values as ArrayLike<number>, (x) => (K === 2 ? (x ? 1 : -1) : 2 * x - 4))));
  print(Boolean(v.json), { out, count, sites: N, categories: K, T: T ?? null, ...extra }, `wrote ${text} to ${out}`);
  return 0;
}

async function cmdNeuralRg(argv: string[]): Promise<number> {
  const c = modelCommand('neuralrg', argv, { ...stringOptions(['L', 'T', 'out', 'model', 'depth', 'couplings', 'hidden', 'epochs', 'steps', 'batch', 'lr', 'warmup', 'seed', 'backend', 'count', 'space', 'chains', 'leapfrog', 'step-size', 'start']), plain: { type: 'boolean' } }, ['train', 'sample', 'hmc']);
  if (!c) return help('neuralrg');
  const { sub, v, out, intAtLeast, seed } = c;
  const T = parseNumber('--T', str(v.T)) ?? (sub === 'train' ? CRITICAL_TEMPERATURE : undefined);
  if (T === undefined) throw new InputError('--T is missing: the temperature of the relaxed Ising target');
  if (!(T > 0)) throw new InputError(`--T ${T} is not allowed: expected a temperature > 0`);
  const backend = await initBackend((str(v.backend) ?? 'auto') as BackendName | 'auto');
  if (sub === 'train') {
    const L = intAtLeast('--L', 8, 2);
    if (!Number.isInteger(Math.log2(L))) throw new InputError(`--L ${L} is not allowed: the hierarchy needs a power of 2`);
    const depth = intAtLeast('--depth', Math.log2(L), 1);
    if (depth > Math.log2(L)) throw new InputError(`--depth ${depth} is not allowed for L = ${L}: expected 1 … ${Math.log2(L)}`);
    const lr = parseNumber('--lr', str(v.lr)) ?? 1e-3;
    if (!(lr > 0)) throw new InputError(`--lr ${lr} is not allowed: expected a number > 0`);
    const r = await trainNeuralRgJob({
      flow: { L, depth, block: { couplings: intAtLeast('--couplings', 10, 1), hidden: intAtLeast('--hidden', 64, 1) }, symmetric: !v.plain }, T,
      epochs: intAtLeast('--epochs', 20, 1), stepsPerEpoch: intAtLeast('--steps', 50, 1), batchSize: intAtLeast('--batch', 64, 1), learningRate: lr, warmupSteps: intAtLeast('--warmup', 0, 0), seed, weights: out,
    });
    print(Boolean(v.json), { ...r, backend: backend.detail }, `trained ${out} (L = ${L}, T = ${T}, depth ${depth}, ${backend.detail}): variational free energy ${r.finalFreeEnergy.mean.toFixed(4)} ± ${r.finalFreeEnergy.error.toFixed(4)}, exact ${r.exactFreeEnergy.toFixed(4)}, relative error ${(100 * r.finalRelativeError).toFixed(2)} %, ${(1000 * r.secondsPerStep).toFixed(0)} ms per step`);
    return 0;
  }
  const space = str(v.space) ?? 'latent';
  if (space !== 'latent' && space !== 'physical') throw new InputError(`--space ${space} is unknown: allowed are latent, physical`);
  const start = str(v.start) ?? 'random';
  if (start !== 'random' && start !== 'equilibrium') throw new InputError(`--start ${start} is not allowed: random (N(0, 1) draws: flow samples in the latent space) or equilibrium (exact draws of π(x) from Wolff configurations)`);
  const modelPath = str(v.model);
  const needsModel = sub === 'sample' || space === 'latent';
  if (needsModel && !modelPath) throw new InputError('--model is missing: a flow written by spinflow neuralrg train');
  if (modelPath && !existsSync(modelPath)) throw new InputError(`--model ${modelPath} does not exist`);
  const flow = modelPath ? loadFlow(modelPath) : null;
  const L = flow ? flow.spec.L : intAtLeast('--L', 8, 3);
  try {
    if (sub === 'sample') {
      const count = intAtLeast('--count', 1000, 1);
      const s = sampleFlow(flow as Flow, count, Rng.stream(seed, 40));
      const spins = spinsFromField(s.x.dataSync(), Rng.stream(seed, 41));
      s.x.dispose();
      s.z.dispose();
      s.logq.dispose();
      writeFileAtomicSync(out, encodeNpy('int8', [count, L, L], spins));
      print(Boolean(v.json), { out, count, L, T }, `wrote ${count} Ising configurations (L = ${L}) from the flow to ${out}`);
      return 0;
    }
    const chains = intAtLeast('--chains', 64, 2);
    const options = { space, chains, steps: intAtLeast('--steps', 100, 1), leapfrogSteps: intAtLeast('--leapfrog', 5, 1), stepSize: parseNumber('--step-size', str(v['step-size'])) ?? (space === 'latent' ? 0.3 : 0.1), seed } as const;
    // OUT.ckpt holds the chains every 30 s while they run: the same command after a kill continues them (the key
    // holds the flow's hash); it is removed once OUT is written
    const checkpoint = { path: `${out}.ckpt`, key: JSON.stringify({ ...options, L, T, model: space === 'latent' ? sha256File(modelPath as string) : null, ...(start === 'random' ? {} : { start }) }), everySeconds: 30 };
    const src = isingFieldSource(L, T);
    const r = hmc(src, flow, { ...options, checkpoint, ...(start === 'equilibrium' ? { start: equilibriumStart(src, space === 'latent' ? flow : null, chains, seed) } : {}) });
    writeFileAtomicSync(out, encodeNpy('int8', [chains, L, L], spinsFromField(r.finalX, Rng.stream(seed, 42))));
    rmSync(checkpoint.path, { force: true });
    print(Boolean(v.json), { out, space, chains, start, L, T, acceptance: r.acceptance, structureFactor: { mean: r.mean, error: r.error, tauInt: r.tauInt, drift: r.drift }, trace: r.structureFactorTrace },
      `${space} HMC, ${chains} chains from ${start === 'random' ? (space === 'latent' ? 'flow samples' : 'N(0, 1)') : 'equilibrium draws'} (L = ${L}, T = ${T}): acceptance ${(100 * r.acceptance).toFixed(1)} %, structure factor ${r.mean.toFixed(4)} ± ${r.error.toFixed(4)} (second half), τ_int ${r.tauInt.toFixed(1)} steps, third − fourth quarter ${(r.drift.thirdQuarter - r.drift.lastQuarter).toFixed(4)} (${r.drift.sigmas.toFixed(1)}σ: several σ means still relaxing); final spins in ${out}`);
    return 0;
  } finally {
    if (flow) disposeFlow(flow);
  }
}

async function cmdEvaluate(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, stringOptions(['samples', 'reference', 'group', 'T', 'magnetization']));
  if (v.help) return help('evaluate');
  const samplesPath = str(v.samples), referencePath = str(v.reference);
  if (!samplesPath) throw new InputError('--samples is missing: an int8 .npy of shape [n, L, L]');
  if (!referencePath) throw new InputError('--reference is missing: a .npy, a dataset folder, or exact');
  const load = (path: string, flag: string) => {
    if (!existsSync(path)) throw new InputError(`${flag} ${path} does not exist`);
    let a;
    try {
      a = readNpy(path);
    } catch (e) {
      throw new InputError(`${flag} ${path} is not a readable .npy: ${(e as Error).message}`);
    }
    if (a.dtype !== 'int8' || a.shape.length !== 3 || a.shape[1] !== a.shape[2]) throw new InputError(`${flag} ${path} has ${a.dtype} ${JSON.stringify(a.shape)}: expected int8 [n, L, L]`);
    return { configs: a.data as Int8Array, n: a.shape[0], L: a.shape[1] };
  };
  const samples = load(samplesPath, '--samples');
  const T = parseNumber('--T', str(v.T));
  const M0 = parseNumber('--magnetization', str(v.magnetization)) ?? null;
  let reference: Parameters<typeof evaluateConfigurations>[3];
  if (referencePath === 'exact') {
    if (T === undefined) throw new InputError('--reference exact needs --T');
    reference = { kind: 'exact', T };
  } else if (existsSync(join(referencePath, 'manifest.json'))) {
    if (T === undefined) throw new InputError('--reference DIR needs --T: the temperature whose configurations are the reference');
    const manifest = readManifest(referencePath);
    const g = findGroup(manifest, str(v.group));
    const temps = (await readArray(referencePath, manifest, g, 'temperature')) as Float64Array;
    const spins = (await readArray(referencePath, manifest, g, 'spins')) as Int8Array;
    const [, L] = g.arrays.spins.shape;
    if (L !== samples.L) throw new InputError(`the samples have L = ${samples.L}, group ${g.name} has L = ${L}`);
    const Tn = g.temperatures.map((t) => t.T).reduce((a, b) => (Math.abs(b - T) < Math.abs(a - T) ? b : a));
    // the held-out test configurations where the group has them (a model trained on the rest is
    // then judged on data it has not seen), else all configurations at that temperature
    const split = g.arrays.split ? ((await readArray(referencePath, manifest, g, 'split')) as Uint8Array) : null;
    const atT = [...temps.keys()].filter((k) => temps[k] === Tn);
    const test = split ? atT.filter((k) => split[k] === 2) : [];
    const rows = test.length ? test : atT;
    const configs = new Int8Array(rows.length * L * L);
    rows.forEach((k, r) => configs.set(spins.subarray(k * L * L, (k + 1) * L * L), r * L * L));
    reference = { kind: 'monte-carlo', configs, n: rows.length };
  } else {
    const r = load(referencePath, '--reference');
    if (r.L !== samples.L) throw new InputError(`the samples have L = ${samples.L}, the reference has L = ${r.L}`);
    reference = { kind: 'monte-carlo', configs: r.configs, n: r.n };
  }
  if (M0 !== null) {
    const N = samples.L * samples.L, M = Math.round(M0 * N);
    if (!(Math.abs(M0) <= 1) || (M + N) % 2 !== 0) throw new InputError(`--magnetization ${M0} is not allowed for L = ${samples.L}: M0·N must be an integer of the parity of N = ${N} in −N … N`);
  }
  const e = evaluateConfigurations(samples.configs, samples.n, samples.L, reference, M0);
  const pm = (x: { mean: number; error: number }) => `${x.mean.toFixed(5)} ± ${x.error.toFixed(5)}`;
  const lines = [
    `${samples.n} samples (L = ${samples.L}) against ${e.reference.kind === 'exact' ? `exact enumeration at T = ${T}` : `${e.reference.count} Monte Carlo configurations`}`,
    `  E/N      samples ${pm(e.samples.energyPerSpin)}   reference ${pm(e.reference.energyPerSpin)}   ${e.energyDeviationSigmas.toFixed(1)}σ`,
    `  |M|/N    samples ${pm(e.samples.absMagnetization)}   reference ${pm(e.reference.absMagnetization)}   ${e.absMagnetizationDeviationSigmas.toFixed(1)}σ`,
    `  energy distribution: total variation ${e.energyTotalVariation.toFixed(4)}, χ² = ${e.energyTest.chi2.toFixed(1)} for ${e.energyTest.dof} dof, p = ${e.energyTest.pValue.toExponential(2)}`,
    ...(Number.isFinite(e.magnetizationTotalVariation) ? [`  magnetization distribution: total variation ${e.magnetizationTotalVariation.toFixed(4)}`] : []),
    ...(e.correlationMaxDeviation ? [`  C(r): largest deviation ${e.correlationMaxDeviation.sigmas.toFixed(1)}σ at r = ${e.correlationMaxDeviation.r}`] : []),
    ...(e.conserved ? [`  M0 = ${e.conserved.M0}: ${(100 * e.conserved.breakingFraction.mean).toFixed(1)}% break it, ${(100 * e.conserved.impossibleEnergyFraction.mean).toFixed(1)}% at energies impossible at M0 (${e.conserved.impossibleRule}), ${(100 * e.conserved.undeterminedEnergyFraction.mean).toFixed(1)}% undetermined${e.conserved.unobservedEnergyFraction ? `, ${(100 * e.conserved.unobservedEnergyFraction.mean).toFixed(1)}% at energies absent from the reference` : ''}`] : []),
  ];
  print(Boolean(v.json), e, lines.join('\n'));
  return 0;
}

async function cmdServe(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, stringOptions(['port', 'host', 'results']));
  if (v.help) return help('serve');
  const port = parseInteger('--port', str(v.port)) ?? 8080;
  if (port < 0 || port > 65535) throw new InputError(`--port ${port} is not allowed: expected an integer in [0, 65535]`);
  const host = str(v.host) ?? '127.0.0.1';
  const results = str(v.results);
  const running = await startServer({ host, port, resultsDir: results });
  print(Boolean(v.json), { url: running.url, results: results ?? null }, `spinflow serve: ${running.url}${results ? ` (results: ${results}, read-only)` : ''} — Ctrl-C stops it`);
  await new Promise<void>((resolve) => {
    const stop = () => void running.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

function help(command?: string): number {
  process.stdout.write(command ? COMMAND_HELP[command] : HELP);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        return help(rest[0] && COMMAND_HELP[rest[0]] ? rest[0] : undefined);
      case '--version':
      case '-v':
        process.stdout.write(`${VERSION}\n`);
        return 0;
      case 'simulate':
        return await cmdSimulate(rest);
      case 'exact':
        return await cmdExact(rest);
      case 'dataset':
        return await cmdDataset(rest);
      case 'ae':
        return await cmdAe(rest);
      case 'cnn':
        return await cmdCnn(rest);
      case 'rbm':
        return await cmdRbm(rest);
      case 'made':
        return await cmdMade(rest);
      case 'neuralrg':
        return await cmdNeuralRg(rest);
      case 'evaluate':
        return await cmdEvaluate(rest);
      case 'reproduce':
        return await cmdReproduce(rest);
      case 'sweep':
        return await cmdSweep(rest);
      case 'serve':
        return await cmdServe(rest);
      default:
        throw new InputError(`command ${command} is unknown: allowed are simulate, exact, dataset, ae, cnn, rbm, made, neuralrg, evaluate, reproduce, sweep, serve (see spinflow --help)`);
    }
  } catch (e) {
    if (e instanceof InputError || e instanceof RangeError) {
      process.stderr.write(`spinflow: error: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`spinflow: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
