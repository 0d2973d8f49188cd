/**
 * A pool of worker threads that hands out jobs in order. The protocol: the pool posts
 * `message(id)`; the worker answers with any number of interim messages (progress, checkpoints),
 * then `{ id, result }` or `{ id, error }`. Jobs never share state, so results do not depend on
 * which thread ran them.
 */
import { Worker } from 'node:worker_threads';
import { InputError } from '../errors.js';

export interface WorkerReply<R> {
  id: number;
  result?: R;
  error?: string;
  /** The error was an InputError (bad input, exit 2): it is rethrown as one. */
  inputError?: boolean;
  [interim: string]: unknown;
}

/** The reply a worker posts for a job that threw: an InputError stays one on the other side. */
export function errorReply(id: number, err: unknown): WorkerReply<never> {
  return { id, error: err instanceof Error ? err.message : String(err), inputError: err instanceof InputError };
}

/**
 * `ids` by decreasing cost, ties in their given order: handing the longest jobs out first keeps a
 * long one from starting last while the other threads sit idle. Each cost is computed once.
 */
export function longestFirst(ids: readonly number[], cost: (id: number) => number): number[] {
  const c = new Map(ids.map((id) => [id, cost(id)]));
  return ids.map((id, k) => ({ id, k })).sort((a, b) => c.get(b.id)! - c.get(a.id)! || a.k - b.k).map((x) => x.id);
}

export async function runOnWorkers<R>(
  url: URL,
  ids: number[],
  threads: number,
  message: (id: number) => unknown,
  onInterim: (id: number, reply: WorkerReply<R>) => void,
  onResult: (id: number, result: R) => void,
): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.max(1, Math.min(threads, ids.length)) }, async () => {
    const worker = new Worker(url);
    try {
      while (next < ids.length) {
        const id = ids[next++];
        const result = await new Promise<R>((resolve, reject) => {
          const onMessage = (reply: WorkerReply<R>) => {
            if (!('result' in reply) && reply.error === undefined) return onInterim(id, reply);
            worker.off('message', onMessage);
            worker.off('error', reject);
            if (reply.error !== undefined) reject(reply.inputError ? new InputError(reply.error) : new Error(reply.error));
            else resolve(reply.result as R);
          };
          worker.on('message', onMessage);
          worker.once('error', reject);
          worker.postMessage(message(id));
        });
        onResult(id, result);
      }
    } finally {
      await worker.terminate();
    }
  }));
}
