/**
 * Runs independent chains, in this thread (workers = 1) or on a pool of worker threads. Results come
 * back in the order of the specs, and each chain draws only from its own stream, so the outcome is
 * the same whatever the number of workers.
 *
 * With `checkpoint`, PATH names the run (its chains' parameters) and PATH.chain-<i> holds chain i:
 * its latest state while running, its result when finished, rewritten atomically at most every
 * `everySeconds`. One file per chain keeps each write to that chain's own size. Running again
 * with the same PATH resumes and ends with the uninterrupted result.
 */
import { availableParallelism } from 'node:os';
import { runChain, type ChainCheckpoint, type ChainCheckpointing, type ChainResult, type ChainSpec } from './chain.js';
import { runOnWorkers } from './threads.js';
import { checkpointTimer, loadCheckpoint, saveCheckpoint } from '../io/checkpoint.js';

export interface PoolOptions {
  workers?: number;
  /** Called with (sweeps done, sweeps total) summed over all chains. */
  onProgress?: (done: number, total: number) => void;
  checkpoint?: { path: string; everySeconds: number };
}

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/** Checkpoints of one chain, taken when `seconds` have passed since the last one. */
export function timedCheckpoints(seconds: number, save: (c: ChainCheckpoint) => void, resume?: ChainCheckpoint): ChainCheckpointing {
  return { resume, due: checkpointTimer(seconds), save };
}

interface PoolState {
  done: (ChainResult | null)[];
  partial: (ChainCheckpoint | null)[];
}

/** What a chain's file holds: its result once finished, else its latest state. */
interface ChainFile {
  done: ChainResult | null;
  partial: ChainCheckpoint | null;
}

const KIND = 'chains';
const CHAIN_KIND = 'chain';

export function chainCheckpointPath(path: string, chain: number): string {
  return `${path}.chain-${chain}`;
}

export async function runChains(specs: ChainSpec[], options: PoolOptions = {}): Promise<ChainResult[]> {
  const ckpt = options.checkpoint;
  const key = JSON.stringify(specs);
  const state: PoolState = { done: specs.map(() => null), partial: specs.map(() => null) };
  if (ckpt) {
    if (loadCheckpoint<number>(ckpt.path, KIND, key) === null) saveCheckpoint(ckpt.path, KIND, key, specs.length);
    specs.forEach((spec, i) => {
      const saved = loadCheckpoint<ChainFile>(chainCheckpointPath(ckpt.path, i), CHAIN_KIND, `${key}#${i}`);
      state.done[i] = saved?.done ?? null;
      state.partial[i] = saved?.partial ?? null;
    });
  }
  const persist = (i: number) => {
    if (ckpt) saveCheckpoint<ChainFile>(chainCheckpointPath(ckpt.path, i), CHAIN_KIND, `${key}#${i}`, { done: state.done[i], partial: state.partial[i] });
  };
  const totals = specs.map((s) => s.thermalize + s.sweeps);
  const total = totals.reduce((a, b) => a + b, 0);
  const progress = specs.map((_, i) => (state.done[i] ? totals[i] : state.partial[i]?.sweepsDone ?? 0));
  const report = (i: number, d: number) => {
    progress[i] = d;
    options.onProgress?.(progress.reduce((a, b) => a + b, 0), total);
  };
  const onCheckpoint = (i: number, c: ChainCheckpoint) => {
    state.partial[i] = c;
    persist(i);
  };
  const onDone = (i: number, r: ChainResult) => {
    state.done[i] = r;
    state.partial[i] = null;
    report(i, totals[i]);
    persist(i);
  };
  const pending = specs.map((_, i) => i).filter((i) => !state.done[i]);
  const workers = Math.max(1, Math.min(options.workers ?? 1, pending.length));

  if (workers === 1) {
    for (const i of pending) {
      const checkpointing = ckpt ? timedCheckpoints(ckpt.everySeconds, (c) => onCheckpoint(i, c), state.partial[i] ?? undefined) : undefined;
      onDone(i, runChain(specs[i], (d) => report(i, d), checkpointing));
    }
    return state.done as ChainResult[];
  }
  await runOnWorkers<ChainResult>(
    new URL('./worker.js', import.meta.url), pending, workers,
    (id) => ({ id, spec: specs[id], resume: state.partial[id] ?? undefined, checkpointSeconds: ckpt?.everySeconds }),
    (id, msg) => {
      if (msg.progress !== undefined) report(id, msg.progress as number);
      else if (msg.checkpoint !== undefined) onCheckpoint(id, msg.checkpoint as ChainCheckpoint);
    },
    onDone,
  );
  return state.done as ChainResult[];
}
