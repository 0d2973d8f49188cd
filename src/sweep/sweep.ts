/**
 * Paper-scale sweeps as independent tasks. A study's expensive part is a set of independent jobs
 * (one training per N_l × T_cut, per L, per (L, T, M0), per depth × T …); a sweep runs each job as a
 * task of its own — in a local process pool or as a cluster job array — and then runs the study's
 * analysis on their results, so the collected report is the one `spinflow reproduce` writes.
 *
 * A sweep folder DIR holds
 *   sweep.json                the plan: study, scale, seed, configuration and every task (job + seed)
 *   work/                     the study's dataset, models and training checkpoints (shared by tasks)
 *   tasks/NNNN/result.json    a finished task's result (atomic); failed.json / running.json otherwise
 *   logs/                     one log per task (local engine and job arrays)
 *   report/                   the collected report: summary.json, report.md/.html, figures, data
 * Each task's seed is derived from the study seed and the task's point alone (`pointSeed`), and a
 * killed task resumes from its training checkpoint bit for bit, so results do not depend on the
 * engine, the order of tasks or interruptions.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { writeFileAtomicSync } from '../io/checkpoint.js';
import { runJobs, type Job, type JobRunner } from '../nn/parallel.js';
import { initBackend, type BackendName } from '../nn/backend.js';
import { jsonReplacer } from '../report/report.js';
import { STUDIES, configure, type Scale, type StudyConfig, type StudyOutcome } from '../studies/index.js';

export interface SweepTask {
  index: number;
  /** The point in the study's terms, e.g. "N_l=128 T_cut=2.6". */
  label: string;
  /** The task's own seed (derived from the study seed and the point), when its job has one. */
  seed: number | null;
  /** The job: module relative to the package's `dist/src/`, exported function, plain-data arguments
   * in which `${WORK}` stands for the sweep's work folder. */
  module: string;
  fn: string;
  args: unknown;
}

export interface SweepManifest {
  version: 1;
  study: string;
  title: string;
  scale: Scale;
  seed: number;
  /** The --set and --grid values the configuration was built from. */
  overrides: string[];
  config: StudyConfig;
  backend: BackendName | 'auto';
  created: string;
  tasks: SweepTask[];
}

const WORK = '${WORK}';
const SRC_ROOT = new URL('../', import.meta.url).href;

export const manifestPath = (dir: string) => join(dir, 'sweep.json');
const workDir = (dir: string) => resolve(dir, 'work');
const taskDir = (dir: string, index: number) => join(dir, 'tasks', String(index).padStart(4, '0'));
const resultPath = (dir: string, index: number) => join(taskDir(dir, index), 'result.json');
const failedPath = (dir: string, index: number) => join(taskDir(dir, index), 'failed.json');
const runningPath = (dir: string, index: number) => join(taskDir(dir, index), 'running.json');
export const reportDir = (dir: string) => join(dir, 'report');

export function readSweep(dir: string): SweepManifest {
  const p = manifestPath(dir);
  if (!existsSync(p)) throw new InputError(`${dir} is not a sweep folder: ${p} is missing (make one with spinflow sweep plan)`);
  return JSON.parse(readFileSync(p, 'utf8')) as SweepManifest;
}

/** The studies whose jobs can run as sweep tasks, with what one task is. */
export function sweepableStudies(): { name: string; tasks: string }[] {
  return STUDIES.filter((s) => s.sweepTasks).map((s) => ({ name: s.name, tasks: s.sweepTasks as string }));
}

function studyNamed(name: string) {
  const study = STUDIES.find((s) => s.name === name);
  const allowed = sweepableStudies().map((s) => s.name).join(', ');
  if (!study) throw new InputError(`study ${name} is unknown: allowed are ${allowed}`);
  if (!study.sweepTasks) throw new InputError(`study ${name} has no independent trainings to run as tasks: allowed are ${allowed}`);
  return study;
}

/** Job ↔ task: paths under the work folder are stored relative to it, modules relative to dist/src. */
function toTask(job: Job, index: number, work: string): SweepTask {
  const args = JSON.parse(JSON.stringify(job.args).split(JSON.stringify(work).slice(1, -1)).join(WORK)) as unknown;
  const seed = (job.args as { seed?: unknown } | null)?.seed;
  return {
    index, label: job.label ?? `task ${index}`, seed: typeof seed === 'number' ? seed : null,
    module: job.module.startsWith(SRC_ROOT) ? job.module.slice(SRC_ROOT.length) : job.module, fn: job.fn, args,
  };
}

function toJob(task: SweepTask, work: string): Job {
  const args = JSON.parse(JSON.stringify(task.args).split(WORK).join(JSON.stringify(work).slice(1, -1))) as unknown;
  const module = /^[a-z]+:/.test(task.module) ? task.module : new URL(task.module, SRC_ROOT).href;
  return { module, fn: task.fn, args, label: task.label };
}

class PlanCaptured extends Error {
  constructor(readonly jobs: Job[]) {
    super('plan captured');
  }
}

/**
 * Writes DIR/sweep.json: the study's configuration (scale defaults, then --set, then --grid values)
 * and its jobs, one task each. The study runs up to its jobs — so its dataset is generated here,
 * once, into DIR/work — and stops there. Planning the same sweep again is a no-op; a different plan
 * in the same folder is refused.
 */
export async function planSweep(o: { study: string; scale: Scale; seed: number; sets?: string[]; grid?: string[]; dir: string; workers: number; backend?: BackendName | 'auto' }): Promise<SweepManifest> {
  const study = studyNamed(o.study);
  const lists = Object.entries(study.params).filter(([, p]) => p.kind === 'list' || p.kind === 'names').map(([k]) => k);
  for (const g of o.grid ?? []) {
    const key = g.slice(0, Math.max(0, g.indexOf('=')));
    if (!lists.includes(key)) throw new InputError(`--grid ${g} is not allowed: the grid axes of ${study.name} are ${lists.map((k) => `${k}=v1,v2,…`).join(', ')}`);
  }
  const overrides = [...(o.sets ?? []), ...(o.grid ?? [])];
  const config = configure(study, o.scale, overrides);
  const backend = o.backend ?? 'auto';
  if (existsSync(manifestPath(o.dir))) {
    const old = readSweep(o.dir);
    const same = old.study === study.name && old.scale === o.scale && old.seed === o.seed && JSON.stringify(old.config) === JSON.stringify(config);
    if (same) return old;
    throw new InputError(`${o.dir} already holds another sweep (${old.study}, ${old.scale} scale, seed ${old.seed}): plan into a new folder`);
  }
  const work = workDir(o.dir);
  mkdirSync(work, { recursive: true });
  const capture: JobRunner = async (jobs) => { throw new PlanCaptured(jobs); };
  let jobs: Job[];
  try {
    await study.run(config, { scale: o.scale, seed: o.seed, workers: o.workers, checkpointDir: work, resume: true, runJobs: capture });
    throw new Error(`study ${study.name} finished without handing over its jobs`);
  } catch (e) {
    if (!(e instanceof PlanCaptured)) throw e;
    jobs = e.jobs;
  }
  const manifest: SweepManifest = {
    version: 1, study: study.name, title: study.title, scale: o.scale, seed: o.seed, overrides, config, backend,
    created: new Date().toISOString(), tasks: jobs.map((j, i) => toTask(j, i, work)),
  };
  writeFileAtomicSync(manifestPath(o.dir), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

function taskIndex(m: SweepManifest, index: number): SweepTask {
  if (!Number.isInteger(index) || index < 0 || index >= m.tasks.length) {
    throw new InputError(`--index ${index} is out of range: the sweep has ${m.tasks.length} tasks (0–${m.tasks.length - 1})`);
  }
  return m.tasks[index];
}

export interface TaskResultFile {
  index: number;
  label: string;
  seed: number | null;
  seconds: number;
  host: string;
  finished: string;
  result: unknown;
}

/**
 * Runs one task in this process and writes its result atomically. A finished task is not run
 * again; an interrupted one continues from its job's checkpoint in DIR/work.
 */
export async function runSweepTask(dir: string, index: number): Promise<{ index: number; label: string; status: 'done' | 'already done'; seconds: number }> {
  const m = readSweep(dir);
  const task = taskIndex(m, index);
  if (existsSync(resultPath(dir, index))) return { index, label: task.label, status: 'already done', seconds: 0 };
  mkdirSync(taskDir(dir, index), { recursive: true });
  writeFileAtomicSync(runningPath(dir, index), JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString(), slurmJob: process.env.SLURM_JOB_ID ?? null }));
  const t0 = performance.now();
  try {
    const [result] = await runJobs<unknown>([toJob(task, workDir(dir))], { workers: 1, backend: m.backend });
    const seconds = (performance.now() - t0) / 1000;
    const file: TaskResultFile = { index, label: task.label, seed: task.seed, seconds, host: hostname(), finished: new Date().toISOString(), result };
    writeFileAtomicSync(resultPath(dir, index), `${JSON.stringify(file, jsonReplacer)}\n`);
    rmSync(failedPath(dir, index), { force: true });
    return { index, label: task.label, status: 'done', seconds };
  } catch (e) {
    writeFileAtomicSync(failedPath(dir, index), JSON.stringify({ index, label: task.label, host: hostname(), at: new Date().toISOString(), error: (e as Error).message }));
    throw e;
  } finally {
    rmSync(runningPath(dir, index), { force: true });
  }
}

export interface SweepStatus {
  study: string;
  scale: Scale;
  tasks: number;
  done: number[];
  failed: { index: number; label: string; error: string }[];
  running: { index: number; label: string; host: string; pid: number; since: string }[];
  missing: number[];
  collected: boolean;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What the files say: done, failed, running (a task on this host whose process died counts as missing). */
export function sweepStatus(dir: string): SweepStatus {
  const m = readSweep(dir);
  const s: SweepStatus = { study: m.study, scale: m.scale, tasks: m.tasks.length, done: [], failed: [], running: [], missing: [], collected: existsSync(join(reportDir(dir), 'summary.json')) };
  for (const t of m.tasks) {
    if (existsSync(resultPath(dir, t.index))) { s.done.push(t.index); continue; }
    if (existsSync(runningPath(dir, t.index))) {
      const r = JSON.parse(readFileSync(runningPath(dir, t.index), 'utf8')) as { pid: number; host: string; started: string };
      if (r.host !== hostname() || alive(r.pid)) { s.running.push({ index: t.index, label: t.label, host: r.host, pid: r.pid, since: r.started }); continue; }
    }
    if (existsSync(failedPath(dir, t.index))) {
      const f = JSON.parse(readFileSync(failedPath(dir, t.index), 'utf8')) as { error: string };
      s.failed.push({ index: t.index, label: t.label, error: f.error });
      continue;
    }
    s.missing.push(t.index);
  }
  return s;
}

export class SweepIncomplete extends Error {
  constructor(readonly status: SweepStatus) {
    super(`sweep ${status.study} is incomplete: ${status.done.length} of ${status.tasks} tasks done`
      + (status.failed.length ? `; failed: ${status.failed.map((f) => `${f.index} (${f.label}: ${f.error})`).join(', ')}` : '')
      + (status.running.length ? `; running: ${status.running.map((r) => r.index).join(', ')}` : '')
      + (status.missing.length ? `; missing: ${compactRanges(status.missing)}` : ''));
  }
}

/** [0, 1, 2, 5, 7, 8] → "0-2,5,7-8" (the form job-array specifications use). */
export function compactRanges(xs: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < xs.length; i++) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j] + 1) j++;
    out.push(j > i ? `${xs[i]}-${xs[j]}` : String(xs[i]));
    i = j;
  }
  return out.join(',');
}

/**
 * Runs the study's analysis on the tasks' results and writes its normal report to DIR/report.
 * Refuses (SweepIncomplete) while any task is missing, running or failed.
 */
export async function collectSweep(dir: string, o: { workers: number; onProgress?: (done: number, total: number) => void }): Promise<StudyOutcome> {
  const m = readSweep(dir);
  const status = sweepStatus(dir);
  if (status.done.length < status.tasks) throw new SweepIncomplete(status);
  const study = studyNamed(m.study);
  const work = workDir(dir);
  const results = m.tasks.map((t) => JSON.parse(readFileSync(resultPath(dir, t.index), 'utf8')) as TaskResultFile);
  const fromTasks: JobRunner = async <R>(jobs: Job[]) => {
    const now = jobs.map((j, i) => toTask(j, i, work));
    if (JSON.stringify(m.tasks) !== JSON.stringify(now)) {
      throw new Error(`the study's jobs differ from the plan in ${manifestPath(dir)} (was it made by another spinflow version?): plan the sweep again in a new folder`);
    }
    return results.map((r) => r.result as R);
  };
  if (m.backend !== 'auto') await initBackend(m.backend);
  const t0 = performance.now();
  const outcome = await study.run(m.config, { scale: m.scale, seed: m.seed, workers: o.workers, checkpointDir: work, resume: true, runJobs: fromTasks, onProgress: o.onProgress });
  outcome.report.summary.elapsedSeconds = (performance.now() - t0) / 1000 + results.reduce((a, r) => a + r.seconds, 0);
  outcome.report.summary.seed = m.seed;
  outcome.report.summary.sweep = { tasks: m.tasks.length, taskSeconds: results.map((r) => r.seconds), hosts: [...new Set(results.map((r) => r.host))] };
  await outcome.report.write(reportDir(dir), jsonReplacer);
  return outcome;
}
