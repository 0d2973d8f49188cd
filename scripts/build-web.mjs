// Builds the browser page (web/) with Vite into dist/web, then copies beside it the TensorFlow.js
// wasm backend's binaries, which the page fetches from a fixed folder. (The multispin kernel built by
// build-assets.mjs reaches the page as an asset Vite finds through the worker's import.meta.url.)
// Runs after tsc and build-assets (see package.json).
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'vite';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'dist', 'web');
await build({
  root: join(root, 'web'),
  base: './',
  logLevel: process.env.CI ? 'warn' : 'info',
  build: { outDir: out, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4096 },
  worker: { format: 'es' },
});
const tfWasm = join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
await mkdir(join(out, 'tfjs-wasm'), { recursive: true });
for (const f of await readdir(tfWasm)) if (f.endsWith('.wasm')) await copyFile(join(tfWasm, f), join(out, 'tfjs-wasm', f));
