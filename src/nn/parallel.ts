/**
 * Independent trainings (a sweep over N_l, T_cut, L or seeds) on worker threads. A job names a
 * module and one of its exported functions, which receives the job's plain-data arguments and
 * returns plain data; each worker starts its own TensorFlow.js backend. Jobs draw from their own
 * seeds, so results do not depend on the number of workers.
 */
import { longestFirst, runOnWorkers } from '../sampling/threads.js';
import type { BackendName } from './backend.js';

export interface Job {
  /** URL (file:) of an ES module. */
  module: string;
  /** Name of the exported function to call with `args`. */
  fn: string;
  args: unknown;
  /** What the job is, in the study's terms ("N_l=128 T_cut=2.6"): names a sweep task. */
  label?: string;
  /**
   * Rough relative run time. Jobs start in decreasing order of it (longest first), so the longest
   * training does not start last and leave the other workers idle; results keep the jobs' order.
   */
  cost?: number;
}

export interface JobOptions {
  workers: number;
  backend: BackendName | 'auto';
  /** Called as each job finishes, with (done, total) (for a progress bar). */
  onProgress?: (done: number, total: number) => void;
}

export type JobRunner = <R>(jobs: Job[], options: JobOptions) => Promise<R[]>;

/** Runs the jobs, in this thread when `workers` ≤ 1, else on a pool of worker threads. */
export async function runJobs<R>(jobs: Job[], options: JobOptions): Promise<R[]> {
  const results: R[] = new Array(jobs.length);
  let done = 0;
  if (options.workers <= 1) {
    const { initBackend } = await import('./backend.js');
    await initBackend(options.backend);
    for (const [i, job] of jobs.entries()) {
      const mod = (await import(job.module)) as Record<string, (args: unknown) => R | Promise<R>>;
      results[i] = await mod[job.fn](job.args);
      options.onProgress?.(++done, jobs.length);
    }
    return results;
  }
  await runOnWorkers<R>(
    new URL('./job-worker.js', import.meta.url), longestFirst(jobs.map((_, i) => i), (i) => jobs[i].cost ?? 0), options.workers,
    (id) => ({ id, job: jobs[id], backend: options.backend }),
    () => {},
    (id, result) => {
      results[id] = result;
      options.onProgress?.(++done, jobs.length);
    },
  );
  return results;
}
