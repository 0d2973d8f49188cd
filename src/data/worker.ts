/** Worker-thread entry for dataset tasks: runs each task it is sent, writing its own files. */
import { parentPort } from 'node:worker_threads';
import { runTask, type TaskFiles, type TaskSpec } from './task.js';
import { checkpointTimer } from '../io/checkpoint.js';
import { errorReply } from '../sampling/threads.js';

if (!parentPort) throw new Error('data/worker.js must run in a worker thread');
const port = parentPort;
port.on('message', (msg: { id: number; spec: TaskSpec; files: TaskFiles; checkpointSeconds: number }) => {
  try {
    let last = 0;
    const result = runTask(msg.spec, msg.files, checkpointTimer(msg.checkpointSeconds), (saved) => {
      const now = performance.now();
      if (now - last > 200 || saved === msg.spec.perTemperature) {
        last = now;
        port.postMessage({ id: msg.id, progress: saved });
      }
    });
    port.postMessage({ id: msg.id, result });
  } catch (err) {
    port.postMessage(errorReply(msg.id, err));
  }
});
