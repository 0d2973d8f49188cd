/**
 * A study reproduces one paper's figures (or a validation) at a quick or the paper's scale. Its
 * parameters live in one configuration object: `defaults(scale)` holds the paper's values, `params`
 * says what each is and what it may be, and `configure` checks overrides from the command line.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../report/report.js';
import { InputError } from '../errors.js';
import { generateDataset } from '../data/generate.js';
import { presetSpec, type DatasetSpec } from '../data/spec.js';
import { initBackend, type BackendInfo, type BackendName } from '../nn/backend.js';
import { runJobs, type Job, type JobRunner } from '../nn/parallel.js';

export type Scale = 'quick' | 'paper';

export interface StudyContext {
  scale: Scale;
  seed: number;
  workers: number;
  /**
   * Folder for the study's checkpoints, when output is kept. With `resume`, long runs continue from
   * what is there; without, the folder is cleared first.
   */
  checkpointDir?: string;
  resume?: boolean;
  onProgress?: (done: number, total: number) => void;
  /**
   * Runs the study's independent jobs (one training per N_l, L, T …). By default they run here on
   * worker threads; a sweep replaces this to list them as separate tasks, or to read their results.
   */
  runJobs?: JobRunner;
}

export interface StudyOutcome {
  /** Figures, the comparison table and the key numbers (summary.json). */
  report: Report;
  /** A short human-readable report (plain text table). */
  text: string;
  /** False when a check against exact values failed. */
  passed: boolean;
}

export interface ParamSpec {
  /**
   * 'list': comma-separated numbers, each within [min, max] (integers when `integer` is set);
   * 'names': comma-separated names, each matching `pattern` (what it allows is said by `allowed`);
   * with `emptyAllowed`, an empty value is the empty list (`--set cdReps=`: none).
   */
  kind: 'integer' | 'number' | 'choice' | 'list' | 'names';
  pattern?: string;
  emptyAllowed?: boolean;
  allowed?: string;
  integer?: boolean;
  min?: number;
  max?: number;
  choices?: readonly string[];
  description: string;
}

export type StudyConfig = Record<string, number | string | number[] | string[]>;

export interface Study<C extends StudyConfig = StudyConfig> {
  name: string;
  title: string;
  params: Record<keyof C & string, ParamSpec>;
  defaults(scale: Scale): C;
  /** What one independent job of the study is ("one autoencoder per (N_l, T_cut)"), when its jobs can run as sweep tasks. */
  sweepTasks?: string;
  run(config: C, ctx: StudyContext): Promise<StudyOutcome>;
}

/** The study's defaults at `scale` with `KEY=VALUE` overrides, each checked against its spec. */
export function configure<C extends StudyConfig>(study: Study<C>, scale: Scale, overrides: string[] = []): C {
  const config: StudyConfig = { ...study.defaults(scale) };
  const keys = Object.keys(study.params);
  for (const o of overrides) {
    const eq = o.indexOf('=');
    if (eq <= 0) throw new InputError(`--set ${o} is not KEY=VALUE`);
    const key = o.slice(0, eq), raw = o.slice(eq + 1);
    const spec = study.params[key as keyof C & string];
    if (!spec) throw new InputError(`--set ${key} is unknown for study ${study.name}: allowed are ${keys.join(', ')}`);
    if (spec.kind === 'choice') {
      if (!spec.choices?.includes(raw)) throw new InputError(`--set ${key}=${raw} is not allowed: ${key} is one of ${spec.choices?.join(', ')}`);
      config[key] = raw;
      continue;
    }
    if (spec.kind === 'names') {
      if (spec.emptyAllowed && raw.trim() === '') { config[key] = []; continue; }
      const names = raw.split(',').map((x) => x.trim());
      const bad = names.find((x) => !new RegExp(spec.pattern ?? '.+').test(x));
      if (bad !== undefined || names.length === 0) throw new InputError(`--set ${key}=${raw} is not allowed: ${key} is a comma list of ${spec.allowed ?? 'names'}`);
      config[key] = [...new Set(names)];
      continue;
    }
    if (spec.kind === 'list') {
      const xs = raw.split(',').map((p) => Number(p.trim()));
      const bad = xs.find((x, i) => raw.split(',')[i].trim() === '' || !Number.isFinite(x) || (spec.integer && !Number.isInteger(x)) || (spec.min !== undefined && x < spec.min) || (spec.max !== undefined && x > spec.max));
      if (bad !== undefined || xs.length === 0) {
        throw new InputError(`--set ${key}=${raw} is not allowed: ${key} is a comma list of ${spec.integer ? 'integers' : 'numbers'}${spec.min !== undefined ? ` ≥ ${spec.min}` : ''}${spec.max !== undefined ? ` and ≤ ${spec.max}` : ''}`);
      }
      config[key] = xs;
      continue;
    }
    const x = Number(raw);
    const range = `${spec.min !== undefined ? ` ≥ ${spec.min}` : ''}${spec.min !== undefined && spec.max !== undefined ? ' and' : ''}${spec.max !== undefined ? ` ≤ ${spec.max}` : ''}`;
    const what = `${key} must be ${spec.kind === 'integer' ? 'an integer' : 'a number'}${range}`;
    if (raw.trim() === '' || !Number.isFinite(x) || (spec.kind === 'integer' && !Number.isInteger(x))) throw new InputError(`--set ${key}=${raw} is not allowed: ${what}`);
    if ((spec.min !== undefined && x < spec.min) || (spec.max !== undefined && x > spec.max)) throw new InputError(`--set ${key}=${raw} is not allowed: ${what}`);
    config[key] = x;
  }
  return config as C;
}

/**
 * Runs `f` in the study's working folder: the checkpoint folder when output is kept (datasets,
 * models and checkpoints stay there, and --resume continues from them; without --resume it starts
 * empty), else a temporary folder removed afterwards.
 */
export async function inWorkFolder<R>(ctx: StudyContext, name: string, f: (work: string) => Promise<R>): Promise<R> {
  // without --resume, what an earlier run left (models of other settings) must not be reused
  if (ctx.checkpointDir && !ctx.resume) rmSync(ctx.checkpointDir, { recursive: true, force: true });
  const work = ctx.checkpointDir ?? mkdtempSync(join(tmpdir(), `spinflow-${name}-`));
  mkdirSync(work, { recursive: true });
  try {
    return await f(work);
  } finally {
    if (!ctx.checkpointDir) rmSync(work, { recursive: true, force: true });
  }
}

/** The preset's dataset at the study's scale and seed, generated into WORK/dataset (or resumed there). */
export async function presetDataset(work: string, preset: string, ctx: StudyContext): Promise<{ spec: DatasetSpec; dir: string }> {
  const spec = presetSpec(preset, ctx.scale, ctx.seed, 'npy');
  const dir = join(work, 'dataset');
  await generateDataset(spec, { out: dir, workers: ctx.workers, resume: existsSync(join(dir, '.partial')) });
  return { spec, dir };
}

/** Starts the neural-network backend, then runs `f` in the study's work folder. */
export async function runNeuralStudy<R>(ctx: StudyContext, name: string, f: (work: string, backend: BackendInfo) => Promise<R>): Promise<R> {
  const backend = await initBackend('auto');
  return inWorkFolder(ctx, name, (work) => f(work, backend));
}

/** Runs a study's independent jobs through the context's runner (worker threads unless a sweep says otherwise). */
export function studyJobs<R>(ctx: StudyContext, jobs: Job[], backend: BackendName, onProgress?: (done: number, total: number) => void): Promise<R[]> {
  return (ctx.runJobs ?? runJobs)<R>(jobs, { workers: Math.max(1, ctx.workers), backend, onProgress });
}
