/** Worker-thread entry for nn/parallel.ts: starts the backend once, then runs each job it is sent. */
import { parentPort } from 'node:worker_threads';
import { initBackend, type BackendName } from './backend.js';
import type { Job } from './parallel.js';
import { errorReply } from '../sampling/threads.js';

if (!parentPort) throw new Error('nn/job-worker.js must run in a worker thread');
const port = parentPort;
port.on('message', async (msg: { id: number; job: Job; backend: BackendName | 'auto' }) => {
  try {
    await initBackend(msg.backend);
    const mod = (await import(msg.job.module)) as Record<string, (args: unknown) => unknown>;
    const fn = mod[msg.job.fn];
    if (typeof fn !== 'function') throw new Error(`${msg.job.module} exports no function ${msg.job.fn}`);
    port.postMessage({ id: msg.id, result: await fn(msg.job.args) });
  } catch (err) {
    port.postMessage(errorReply(msg.id, err));
  }
});
