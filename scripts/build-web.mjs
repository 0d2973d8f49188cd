// Builds the browser page (web/) with Vite into dist/web, then copies beside it the TensorFlow.js
// wasm backend's binaries, which the page fetches from a fixed folder. (The multispin kernel built by
// build-assets.mjs reaches the page as an asset Vite finds through the worker's import.meta.url.)
// Runs after tsc and build-assets (see package.json).
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'dist', 'web');
// The webgpu backend is an optional dependency: where it is not installed the page is built without
// it (web/tf.ts then falls back to wasm), instead of failing the build.
const require = createRequire(import.meta.url);
let webgpu = true;
try {
  require.resolve('@tensorflow/tfjs-backend-webgpu');
} catch {
  webgpu = false;
}
await build({
  root: join(root, 'web'),
  resolve: webgpu ? {} : { alias: { '@tensorflow/tfjs-backend-webgpu': join(root, 'web', 'no-webgpu.ts') } },
  base: './',
  logLevel: process.env.CI ? 'warn' : 'info',
  build: { outDir: out, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4096 },
  worker: { format: 'es' },
});
const tfWasm = join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
await mkdir(join(out, 'tfjs-wasm'), { recursive: true });
for (const f of await readdir(tfWasm)) if (f.endsWith('.wasm')) await copyFile(join(tfWasm, f), join(out, 'tfjs-wasm', f));
