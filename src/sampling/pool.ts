/**
 * Runs independent chains, in this thread (workers = 1) or on a pool of worker threads. Results come
 * back in the order of the specs, and each chain draws only from its own stream, so the outcome is
 * the same whatever the number of workers.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { runChain, type ChainResult, type ChainSpec } from './chain.js';

export interface PoolOptions {
  workers?: number;
  /** Called with (sweeps done, sweeps total) summed over all chains. */
  onProgress?: (done: number, total: number) => void;
}

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

export async function runChains(specs: ChainSpec[], options: PoolOptions = {}): Promise<ChainResult[]> {
  const workers = Math.max(1, Math.min(options.workers ?? 1, specs.length));
  const totals = specs.map((s) => s.thermalize + s.sweeps);
  const total = totals.reduce((a, b) => a + b, 0);
  const done = new Array<number>(specs.length).fill(0);
  const report = (i: number, d: number) => {
    done[i] = d;
    options.onProgress?.(done.reduce((a, b) => a + b, 0), total);
  };
  if (workers === 1) {
    return specs.map((spec, i) => {
      const r = runChain(spec, (d) => report(i, d));
      report(i, totals[i]);
      return r;
    });
  }
  const results = new Array<ChainResult>(specs.length);
  let next = 0;
  const url = new URL('./worker.js', import.meta.url);
  await Promise.all(
    Array.from({ length: workers }, async () => {
      const worker = new Worker(url);
      try {
        while (next < specs.length) {
          const id = next++;
          results[id] = await new Promise<ChainResult>((resolve, reject) => {
            const onMessage = (msg: { id: number; progress?: number; result?: ChainResult; error?: string }) => {
              if (msg.progress !== undefined) return report(id, msg.progress);
              worker.off('message', onMessage);
              worker.off('error', reject);
              if (msg.error !== undefined) reject(new Error(msg.error));
              else {
                report(id, totals[id]);
                resolve(msg.result as ChainResult);
              }
            };
            worker.on('message', onMessage);
            worker.once('error', reject);
            worker.postMessage({ id, spec: specs[id] });
          });
        }
      } finally {
        await worker.terminate();
      }
    }),
  );
  return results;
}
