/**
 * File access for modules that also run in a browser (model weights, the multispin kernel): Node's
 * `fs` is looked up when a file is touched, never imported, so the page's bundle (web/) carries no
 * `node:` import. In a browser these functions throw; there the bytes come from `fetch` instead.
 */
import type * as NodeFs from 'node:fs';

function fs(): typeof NodeFs {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.('node:fs') as typeof NodeFs | undefined;
  if (!mod) throw new Error('reading and writing files needs Node.js ≥ 20.16; in a browser, fetch the bytes and use the *FromBytes functions');
  return mod;
}

/** The whole file as bytes. */
export function readBytes(path: string | URL): Uint8Array {
  return fs().readFileSync(path);
}

/** Index of the last path separator ('/', or '\\' on Windows), −1 if none. */
function lastSeparator(path: string): number {
  return Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
}

/**
 * Writes `data` to `path` atomically (temporary file, fsync, rename), synchronously, so a run
 * killed at any moment leaves either the previous file or the new one.
 */
export function writeFileAtomicSync(path: string, data: Uint8Array | string): void {
  const f = fs();
  const cut = lastSeparator(path);
  const dir = cut < 0 ? '.' : path.slice(0, Math.max(cut, 1));
  f.mkdirSync(dir, { recursive: true });
  const tmp = `${cut < 0 ? '' : path.slice(0, cut + 1)}.${path.slice(cut + 1)}.${process.pid}.tmp`;
  const fd = f.openSync(tmp, 'w');
  try {
    f.writeSync(fd, typeof data === 'string' ? new TextEncoder().encode(data) : data);
    f.fsyncSync(fd);
  } finally {
    f.closeSync(fd);
  }
  try {
    f.renameSync(tmp, path);
  } catch (e) {
    f.rmSync(tmp, { force: true });
    throw e;
  }
}
