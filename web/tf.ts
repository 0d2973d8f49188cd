/**
 * TensorFlow.js in the page: webgpu where the browser has a GPU adapter and reads results back
 * synchronously (the models call dataSync), else the WebAssembly backend (SIMD, threads when the
 * page is cross-origin isolated, which `spinflow serve` arranges), else plain JavaScript.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

let ready: Promise<string> | null = null;

async function tryBackend(name: string): Promise<boolean> {
  try {
    if (!(await tf.setBackend(name))) return false;
    const probe = tf.add(tf.tensor1d([1, 2]), 1);
    const ok = (probe.dataSync() as Float32Array)[1] === 3;
    probe.dispose();
    return ok;
  } catch {
    return false;
  }
}

/** Picks and initializes the backend once; resolves to its name. */
export function initPageBackend(): Promise<string> {
  ready ??= (async () => {
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    if (gpu && (await gpu.requestAdapter().catch(() => null))) {
      try {
        await import('@tensorflow/tfjs-backend-webgpu');
        if (await tryBackend('webgpu')) return 'webgpu';
      } catch {
        // no adapter, or no synchronous read-back
      }
    }
    setWasmPaths(new URL('./tfjs-wasm/', location.href).href);
    if (await tryBackend('wasm')) return 'wasm';
    await tryBackend('cpu');
    return 'cpu';
  })();
  return ready;
}
