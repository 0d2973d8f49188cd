/**
 * The one place that chooses and starts the TensorFlow.js backend.
 *
 *   wasm        XNNPACK through WebAssembly SIMD: the CPU default
 *   cpu         plain JavaScript kernels: slow, always there
 *   webgpu      GPUs, through the optional npm package `webgpu` (Dawn) in Node, natively in browsers
 *   tensorflow  @tensorflow/tfjs-node when the user has it (it cannot install from npm alone)
 *
 * Starting a backend also registers spinflow's gradients (nn/gradients.ts) and, on wasm, replaces
 * the kernels that tfjs-wasm runs slowly on the shapes a training step uses (nn/wasm-kernels.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { isMainThread, Worker as NodeWorker, type WorkerOptions } from 'node:worker_threads';
import { registerGradients } from './gradients.js';
import { installWasmKernels } from './wasm-kernels.js';
import { InputError } from '../errors.js';

export const BACKENDS = ['wasm', 'cpu', 'webgpu', 'tensorflow'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface BackendInfo {
  name: BackendName;
  /** How the backend was chosen or what it runs on, for reports. */
  detail: string;
}

let current: BackendInfo | null = null;

async function load(name: BackendName): Promise<string> {
  switch (name) {
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      return 'JavaScript kernels';
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const threads = wasmThreads();
      if (threads > 1) {
        const restore = enableWasmThreads(wasm, threads);
        // the pool's workers are unref'd: hold the event loop open until they have started
        const hold = setInterval(() => {}, 1000);
        try {
          if (await tf.setBackend('wasm')) return 'WebAssembly SIMD (XNNPACK)';
        } catch {
          // fall through to one thread
        } finally {
          clearInterval(hold);
          restore();
        }
        tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
        wasm.setThreadsCount(1);
      }
      return 'WebAssembly SIMD (XNNPACK)';
    }
    case 'webgpu': {
      const g = globalThis as unknown as { navigator?: { gpu?: unknown } };
      if (!g.navigator?.gpu) {
        let dawn: { create: (flags: string[]) => unknown; globals: Record<string, unknown> };
        try {
          dawn = (await import('webgpu' as string)) as typeof dawn;
        } catch {
          throw new InputError('--backend webgpu needs the optional package `webgpu` (npm install webgpu), or a browser with WebGPU');
        }
        Object.assign(globalThis, dawn.globals);
        Object.defineProperty(globalThis, 'navigator', { value: { ...(g.navigator ?? {}), gpu: dawn.create([]) }, configurable: true });
      }
      await import('@tensorflow/tfjs-backend-webgpu');
      return 'WebGPU';
    }
    case 'tensorflow':
      try {
        await import('@tensorflow/tfjs-node' as string);
      } catch {
        throw new InputError('--backend tensorflow needs @tensorflow/tfjs-node, which is not installed (its install downloads libtensorflow)');
      }
      return 'libtensorflow (tfjs-node)';
  }
}

/**
 * Starts `requested` (or, with 'auto', the fastest that works: webgpu when a GPU answers, else
 * wasm, else cpu) and returns what runs. Asking for a backend that cannot start is an InputError.
 */
export async function initBackend(requested: BackendName | 'auto' = 'auto'): Promise<BackendInfo> {
  if (requested !== 'auto' && !(BACKENDS as readonly string[]).includes(requested)) {
    throw new InputError(`--backend ${requested} is unknown: allowed are auto, ${BACKENDS.join(', ')}`);
  }
  if (current && (requested === 'auto' || requested === current.name)) return current;
  registerGradients();
  const candidates: BackendName[] = requested === 'auto' ? ['webgpu', 'wasm', 'cpu'] : [requested];
  let lastError = '';
  for (const name of candidates) {
    try {
      const detail = await load(name);
      if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') failed`);
      await tf.ready();
      let text = detail;
      if (name === 'wasm') {
        installWasmKernels();
        const { getThreadsCount } = await import('@tensorflow/tfjs-backend-wasm');
        text = `${detail}, ${getThreadsCount()} thread(s)`;
      }
      current = { name, detail: requested === 'auto' ? `${text} (auto)` : text };
      return current;
    } catch (e) {
      lastError = (e as Error).message;
      if (requested !== 'auto') throw e instanceof InputError ? e : new InputError(`--backend ${name} could not start: ${lastError}`);
    }
  }
  throw new Error(`no TensorFlow.js backend could start (last error: ${lastError})`);
}

export function backendInfo(): BackendInfo | null {
  return current;
}

/**
 * XNNPACK threads for wasm: SPINFLOW_WASM_THREADS, else one per core on the main thread and one in
 * a worker thread (parallel sweeps already use every core, one job per thread).
 */
function wasmThreads(): number {
  const asked = Number(process.env.SPINFLOW_WASM_THREADS);
  if (Number.isInteger(asked) && asked >= 1) return asked;
  return isMainThread ? Math.min(4, availableParallelism()) : 1;
}

/**
 * The threaded SIMD build of tfjs-wasm in Node 20 (tfjs 4.22 turns it off there, issue #3830).
 * Its Emscripten runtime starts pthreads as `new Worker(blob:…)`, which Node refuses, and sends them
 * the main script as a Blob: here `Worker` is pinned to a worker_threads subclass that runs the
 * pthread script from its source (eval) and hands over the threaded factory's file path instead.
 * XNNPACK caps its pool at half of os.cpus(), so the CPU list is doubled while the backend starts.
 * This relies on tfjs internals, so the version is pinned and the tests exercise it; if anything
 * fails, the backend starts single-threaded.
 */
function enableWasmThreads(wasm: typeof import('@tensorflow/tfjs-backend-wasm'), threads: number): () => void {
  const require = createRequire(import.meta.url);
  const out = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  const factory = join(out, 'tfjs-backend-wasm-threaded-simd.js');
  const source = (require(join(out, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string }).wasmWorkerContents.replace(/\n/g, '\\n');
  class PthreadWorker extends NodeWorker {
    constructor(url: string | URL, options?: WorkerOptions) {
      const blob = typeof url === 'string' && url.startsWith('blob:');
      super(blob ? source : url, blob ? { ...options, eval: true } : options);
      // the pthread pool (XNNPACK's threads never end) must not keep a finished process alive;
      // Emscripten ref()s a worker whenever it runs a pthread, so ref() does nothing here
      super.unref();
    }
    override ref(): void {}
    override postMessage(message: unknown, transfer?: readonly import('node:worker_threads').TransferListItem[]): void {
      const m = message as { cmd?: string; urlOrBlob?: unknown };
      super.postMessage(m?.cmd === 'load' && typeof m.urlOrBlob !== 'string' ? { ...m, urlOrBlob: factory } : message, transfer);
    }
  }
  Object.defineProperty(globalThis, 'Worker', { get: () => PthreadWorker, set: () => {}, configurable: true });
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  const os = require('node:os') as typeof import('node:os');
  const cpus = os.cpus;
  os.cpus = () => Array.from({ length: 2 * threads }, (_, i) => cpus()[i % cpus().length]);
  return () => {
    os.cpus = cpus;
  };
}
