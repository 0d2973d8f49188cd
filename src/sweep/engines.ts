/**
 * Where a sweep's tasks run. Every engine runs the same command per task,
 *   spinflow sweep run-task DIR --index I
 * and then `spinflow sweep collect DIR`:
 *   local   a pool of child processes on this machine (a crash takes down one task, not the pool);
 *   slurm   an sbatch job array (`--array=0-(n-1)%K`, I = SLURM_ARRAY_TASK_ID) and a collect job
 *           that waits for it (`--dependency=afterok:<array>`);
 *   pbs     the same as a PBS/OpenPBS array (`qsub -J`, I = PBS_ARRAY_INDEX).
 * The cluster's scheduler does the scheduling; spinflow only writes and submits the scripts.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import { writeFileAtomicSync } from '../io/checkpoint.js';
import { readSweep, sweepStatus, type SweepManifest } from './sweep.js';

export type Engine = 'local' | 'slurm' | 'pbs';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

/** Runs every unfinished task as a child process, at most `workers` at a time; each one logs to DIR/logs/task-I.log. */
export async function runLocal(dir: string, o: { workers: number; onProgress?: (done: number, total: number) => void }): Promise<{ ran: number[]; failed: number[] }> {
  const m = readSweep(dir);
  const status = sweepStatus(dir);
  const todo = status.missing.concat(status.failed.map((f) => f.index)).sort((a, b) => a - b);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const failed: number[] = [];
  let next = 0, finished = m.tasks.length - todo.length;
  o.onProgress?.(finished, m.tasks.length);
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.workers, todo.length)) }, async () => {
    while (next < todo.length) {
      const index = todo[next++];
      const log = openSync(join(dir, 'logs', `task-${index}.log`), 'a');
      const code = await new Promise<number>((done) => {
        const child = spawn(process.execPath, [CLI, 'sweep', 'run-task', resolve(dir), '--index', String(index)], { stdio: ['ignore', log, log], env: { ...process.env, CI: process.env.CI ?? '1' } });
        child.on('exit', (c, signal) => done(c ?? (signal ? 128 : 1)));
        child.on('error', () => done(1));
      });
      closeSync(log);
      if (code !== 0) failed.push(index);
      o.onProgress?.(++finished, m.tasks.length);
    }
  }));
  return { ran: todo, failed: failed.sort((a, b) => a - b) };
}

export interface SubmitOptions {
  engine: Exclude<Engine, 'local'>;
  partition?: string;
  maxParallel?: number;
  /** Wall-clock limit per task, [D-]HH:MM:SS. */
  time?: string;
  cpusPerTask?: number;
  dryRun?: boolean;
}

export function checkSubmitOptions(o: SubmitOptions): void {
  if (o.partition !== undefined && !/^[A-Za-z0-9_.,@-]+$/.test(o.partition)) throw new InputError(`--partition ${o.partition} is not allowed: letters, digits and _ . , @ - only`);
  if (o.time !== undefined && !/^(\d+-)?\d{1,3}:[0-5]\d:[0-5]\d$/.test(o.time)) throw new InputError(`--time ${o.time} is not allowed: expected HH:MM:SS or D-HH:MM:SS`);
  if (o.maxParallel !== undefined && (!Number.isInteger(o.maxParallel) || o.maxParallel < 1)) throw new InputError(`--max-parallel ${o.maxParallel} is not allowed: expected an integer ≥ 1`);
  if (o.cpusPerTask !== undefined && (!Number.isInteger(o.cpusPerTask) || o.cpusPerTask < 1)) throw new InputError(`--cpus-per-task ${o.cpusPerTask} is not allowed: expected an integer ≥ 1`);
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The two batch scripts of a sweep: the task array and the collect job. */
export function batchScripts(dir: string, m: SweepManifest, o: SubmitOptions): { array: string; collect: string } {
  const abs = resolve(dir);
  const logs = join(abs, 'logs');
  const run = (args: string) => `exec ${quote(process.execPath)} ${quote(CLI)} sweep ${args}\n`;
  const n = m.tasks.length;
  const name = `spinflow-${m.study}`;
  const header = `# spinflow sweep: ${m.study} at ${m.scale} scale, seed ${m.seed}, ${n} tasks (written by spinflow sweep submit)\nset -euo pipefail\nexport CI=1\n`;
  if (o.engine === 'slurm') {
    const common = [o.partition ? `#SBATCH --partition=${o.partition}` : '', o.time ? `#SBATCH --time=${o.time}` : '', `#SBATCH --cpus-per-task=${o.cpusPerTask ?? 1}`].filter(Boolean).join('\n');
    return {
      array: `#!/bin/bash\n#SBATCH --job-name=${name}\n#SBATCH --array=0-${n - 1}${o.maxParallel ? `%${o.maxParallel}` : ''}\n#SBATCH --output=${logs}/task-%a.log\n${common}\n${header}${run(`run-task ${quote(abs)} --index "$SLURM_ARRAY_TASK_ID"`)}`,
      collect: `#!/bin/bash\n#SBATCH --job-name=${name}-collect\n#SBATCH --output=${logs}/collect.log\n${common}\n${header}${run(`collect ${quote(abs)}`)}`,
    };
  }
  const common = [o.partition ? `#PBS -q ${o.partition}` : '', o.time ? `#PBS -l walltime=${o.time}` : '', `#PBS -l select=1:ncpus=${o.cpusPerTask ?? 1}`, '#PBS -j oe'].filter(Boolean).join('\n');
  // PBS refuses a one-element array: a single task runs as a plain job with index 0
  const array = n > 1 ? `#PBS -J 0-${n - 1}${o.maxParallel ? `%${o.maxParallel}` : ''}\n#PBS -o ${logs}/\n` : `#PBS -o ${logs}/task-0.log\n`;
  return {
    array: `#!/bin/bash\n#PBS -N ${name}\n${array}${common}\n${header}${run(`run-task ${quote(abs)} --index "\${PBS_ARRAY_INDEX:-0}"`)}`,
    collect: `#!/bin/bash\n#PBS -N ${name}-collect\n#PBS -o ${logs}/collect.log\n${common}\n${header}${run(`collect ${quote(abs)}`)}`,
  };
}

export interface Submission {
  engine: Exclude<Engine, 'local'>;
  scripts: { array: string; collect: string };
  /** Job ids, unless --dry-run. */
  arrayJob: string | null;
  collectJob: string | null;
}

function submitCommand(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new InputError(`${cmd} is not on PATH: is this a cluster login node? (--dry-run writes the scripts only)`);
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(err.stderr ?? err.message).trim()}`);
  }
}

/** Writes DIR/<engine>/array.* and collect.*, submits them (unless dryRun) and records the job ids in DIR/<engine>/submitted.json. */
export function submitSweep(dir: string, o: SubmitOptions): Submission {
  checkSubmitOptions(o);
  const m = readSweep(dir);
  const scripts = batchScripts(dir, m, o);
  const folder = join(dir, o.engine);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const ext = o.engine === 'slurm' ? 'sbatch' : 'pbs';
  const paths = { array: join(folder, `array.${ext}`), collect: join(folder, `collect.${ext}`) };
  writeFileAtomicSync(paths.array, scripts.array);
  writeFileAtomicSync(paths.collect, scripts.collect);
  if (o.dryRun) return { engine: o.engine, scripts: paths, arrayJob: null, collectJob: null };
  let arrayJob: string, collectJob: string;
  if (o.engine === 'slurm') {
    arrayJob = submitCommand('sbatch', ['--parsable', paths.array]).split(';')[0];
    collectJob = submitCommand('sbatch', ['--parsable', `--dependency=afterok:${arrayJob}`, paths.collect]).split(';')[0];
  } else {
    arrayJob = submitCommand('qsub', [paths.array]);
    collectJob = submitCommand('qsub', ['-W', `depend=afterok:${arrayJob}`, paths.collect]);
  }
  writeFileAtomicSync(join(folder, 'submitted.json'), `${JSON.stringify({ arrayJob, collectJob, submitted: new Date().toISOString() })}\n`);
  return { engine: o.engine, scripts: paths, arrayJob, collectJob };
}

/** Slurm's view of a submitted sweep (`squeue`), when Slurm is there: array task index → state. */
export function slurmQueue(jobIds: string[]): { index: number | null; job: string; state: string }[] | null {
  try {
    const out = execFileSync('squeue', ['-h', '-r', '-j', jobIds.join(','), '-o', '%i|%K|%T'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\n').filter(Boolean).map((line) => {
      const [job, k, state] = line.split('|');
      const index = Number(k);
      return { job, index: Number.isInteger(index) && k !== 'N/A' ? index : null, state };
    });
  } catch {
    return null; // no squeue here, or the jobs have left the queue
  }
}
