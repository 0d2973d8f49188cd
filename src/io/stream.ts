/** Reading large files in bounded memory: chunked streaming and SHA-256. */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

/** Streams a file's bytes through `sink` in 16 MiB chunks (the chunk buffer is reused). */
export function streamFile(path: string, sink: (chunk: Uint8Array) => void): void {
  const fd = openSync(path, 'r');
  try {
    const buf = new Uint8Array(16 << 20);
    for (;;) {
      const got = readSync(fd, buf, 0, buf.length, null);
      if (got === 0) break;
      sink(buf.subarray(0, got));
    }
  } finally {
    closeSync(fd);
  }
}

export function sha256File(path: string): string {
  const h = createHash('sha256');
  streamFile(path, (c) => h.update(c));
  return h.digest('hex');
}
