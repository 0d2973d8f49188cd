/** Worker-thread entry: runs the chains it is sent and posts back plain-data results. */
import { parentPort } from 'node:worker_threads';
import { runChain, type ChainCheckpoint, type ChainSpec } from './chain.js';
import { timedCheckpoints } from './pool.js';
import { errorReply } from './threads.js';

if (!parentPort) throw new Error('sampling/worker.js must run in a worker thread');
const port = parentPort;
port.on('message', (msg: { id: number; spec: ChainSpec; resume?: ChainCheckpoint; checkpointSeconds?: number }) => {
  try {
    const checkpointing = msg.checkpointSeconds === undefined ? undefined
      : timedCheckpoints(msg.checkpointSeconds, (checkpoint) => port.postMessage({ id: msg.id, checkpoint }), msg.resume);
    const result = runChain(msg.spec, (done) => port.postMessage({ id: msg.id, progress: done }), checkpointing);
    const buffers = [...Object.values(result.series), result.correlationSums, result.correlationCounts, result.final].map((a) => a.buffer);
    port.postMessage({ id: msg.id, result }, [...new Set(buffers)] as ArrayBuffer[]);
  } catch (err) {
    port.postMessage(errorReply(msg.id, err));
  }
});
