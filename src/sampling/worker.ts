/** Worker-thread entry: runs the chains it is sent and posts back plain-data results. */
import { parentPort } from 'node:worker_threads';
import { runChain, type ChainSpec } from './chain.js';

if (!parentPort) throw new Error('sampling/worker.js must run in a worker thread');
const port = parentPort;
port.on('message', (msg: { id: number; spec: ChainSpec }) => {
  try {
    const result = runChain(msg.spec, (done) => port.postMessage({ id: msg.id, progress: done }));
    const transfer = [...Object.values(result.series).map((a) => a.buffer), result.correlationSums.buffer, result.correlationCounts.buffer, result.final.buffer];
    port.postMessage({ id: msg.id, result }, transfer as ArrayBuffer[]);
  } catch (err) {
    port.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) });
  }
});
