/**
 * `spinflow serve`: the browser page (dist/web, built by `npm run build`) and, read-only, the files
 * of a results folder. Only GET and HEAD are answered. A request path is decoded segment by
 * segment and refused (403) when a segment is `..`, `.`, empty, or hides a separator or NUL after
 * decoding, so `..`, `%2e%2e`, `%2f` and absolute paths never leave the served folder; a path that
 * does resolve is then checked again on the real file system, so a symlink that points out of the
 * folder is refused too; the file is then opened without following a final symlink and must be a
 * regular file. Dot-files are never served. Bound to loopback, the server answers only requests whose
 * Host is a loopback name (no DNS rebinding). Nothing is listed but the result folders and their models
 * (`/api/results`), whose walk stays inside the folder as well.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeSync, constants, createReadStream, fstatSync, lstatSync, openSync, readSync, readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';

export interface ServeOptions {
  host: string;
  port: number;
  /** The built page; defaults to dist/web next to this module's dist/src. */
  appDir?: string;
  /** Folder whose reproduce outputs are shown (read-only); none when absent. */
  resultsDir?: string;
}

export interface RunningServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** dist/src/serve/server.js → dist/web */
export const DEFAULT_APP_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.jsonl': 'application/x-ndjson; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.wasm': 'application/wasm', '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8', '.txt': 'text/plain; charset=utf-8', '.npy': 'application/octet-stream',
  '.safetensors': 'application/octet-stream', '.h5': 'application/octet-stream', '.ico': 'image/x-icon',
};

function contentType(path: string): string {
  const dot = path.lastIndexOf('.');
  return (dot >= 0 && TYPES[path.slice(dot).toLowerCase()]) || 'application/octet-stream';
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * The decoded segments of a URL path (query and fragment removed), or an HttpError 400/403 when a
 * segment cannot be decoded or would step outside the folder it is resolved against.
 */
export function safeSegments(rawPath: string): string[] {
  const path = rawPath.split(/[?#]/, 1)[0];
  if (!path.startsWith('/')) throw new HttpError(400, 'path must start with /');
  const parts = path.slice(1).split('/');
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop(); // a trailing slash
  return parts.map((raw) => {
    let s: string;
    try {
      s = decodeURIComponent(raw);
    } catch {
      throw new HttpError(400, 'malformed percent-encoding');
    }
    if (s === '' || s === '.' || s === '..' || /[/\\\0]/.test(s) || /^[a-zA-Z]:/.test(s)) throw new HttpError(403, 'path escapes the served folder');
    if (s.startsWith('.')) throw new HttpError(403, 'hidden files are not served');
    return s;
  });
}

function inside(realRoot: string, real: string): boolean {
  return real === realRoot || real.startsWith(realRoot + sep);
}

/**
 * Opens a regular file for reading without following a final symlink, and without blocking on a
 * FIFO; null if it is anything else.
 */
function openRegular(path: string): { fd: number; stat: Stats } | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch {
    return null;
  }
  const stat = fstatSync(fd);
  if (!stat.isFile()) {
    closeSync(fd);
    return null;
  }
  return { fd, stat };
}

/**
 * The open file at `segments` under `root`: its real path (symlinks resolved) must lie inside root,
 * and what is opened is that real path, refusing a symlink put there since (a folder is a 404).
 */
function openInside(root: string, segments: string[]): { path: string; fd: number; stat: Stats } {
  const realRoot = realpathSync(root);
  let real: string;
  try {
    real = realpathSync(join(realRoot, ...segments));
  } catch {
    throw new HttpError(404, 'not found');
  }
  if (!inside(realRoot, real)) throw new HttpError(403, 'path escapes the served folder');
  const file = openRegular(real);
  if (!file) throw new HttpError(404, 'not found');
  return { path: real, ...file };
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  // cross-origin isolation: SharedArrayBuffer for the WebAssembly threads of the page's backends
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
};

function sendFile(req: IncomingMessage, res: ServerResponse, file: { path: string; fd: number; stat: Stats }, extra: Record<string, string> = {}): void {
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': contentType(file.path), 'Content-Length': String(file.stat.size), 'Cache-Control': 'no-cache', ...extra });
  if (req.method === 'HEAD') {
    closeSync(file.fd);
    res.end();
    return;
  }
  createReadStream('', { fd: file.fd }).on('error', () => res.destroy()).pipe(res);
}

function sendJson(req: IncomingMessage, res: ServerResponse, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(body.length), 'Cache-Control': 'no-cache' });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** The `__metadata__` of a safetensors file, read from its header only (no weights, at most 4 MiB). */
export function safetensorsMetadata(path: string): Record<string, string> | null {
  const file = openRegular(path);
  if (!file) return null;
  try {
    const head = Buffer.alloc(8);
    if (readSync(file.fd, head, 0, 8, 0) !== 8) return null;
    const n = Number(head.readBigUInt64LE(0));
    if (n <= 0 || n > 4 << 20 || 8 + n > file.stat.size) return null;
    const json = Buffer.alloc(n);
    readSync(file.fd, json, 0, n, 8);
    const header = JSON.parse(json.toString('utf8')) as { __metadata__?: Record<string, string> };
    return header.__metadata__ ?? {};
  } catch {
    return null;
  } finally {
    closeSync(file.fd);
  }
}

export interface ResultEntry {
  /** Folder relative to the results root, '/'-separated. */
  path: string;
  study: string;
  title: string;
  scale: string;
  passed: boolean | null;
  models: { path: string; model: string; metadata: Record<string, string> }[];
}

/**
 * Every folder under `root` (up to `depth` levels) holding a study's summary.json, with the models
 * saved under its checkpoints/models. Symlinks are not followed (folders, summaries and models alike).
 */
export function listResults(root: string, depth = 4): ResultEntry[] {
  const out: ResultEntry[] = [];
  const realFolder = (path: string) => {
    try {
      return lstatSync(path).isDirectory();
    } catch {
      return false;
    }
  };
  const walk = (dir: string, level: number) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((e) => e.isFile() && e.name === 'summary.json')) {
      try {
        const s = JSON.parse(readFileSyncSafe(join(dir, 'summary.json'))) as { study?: string; title?: string; scale?: string; passed?: boolean };
        const rel = relative(root, dir).split(sep).join('/');
        const models: ResultEntry['models'] = [];
        const modelDir = join(dir, 'checkpoints', 'models');
        if (realFolder(join(dir, 'checkpoints')) && realFolder(modelDir)) {
          for (const e of readdirSync(modelDir, { withFileTypes: true })) {
            if (!e.isFile() || !e.name.endsWith('.safetensors')) continue;
            const meta = safetensorsMetadata(join(modelDir, e.name));
            if (meta?.model) models.push({ path: `${rel ? `${rel}/` : ''}checkpoints/models/${e.name}`, model: meta.model, metadata: meta });
          }
        }
        models.sort((a, b) => a.path.localeCompare(b.path));
        out.push({ path: rel, study: s.study ?? '', title: s.title ?? '', scale: s.scale ?? '', passed: s.passed ?? null, models });
      } catch {
        // not a readable summary: skip
      }
    }
    if (level >= depth) return;
    for (const e of entries) if (e.isDirectory() && e.name !== 'checkpoints' && !e.name.startsWith('.')) walk(join(dir, e.name), level + 1);
  };
  walk(root, 0);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** A regular file (not a symlink) of at most 16 MiB as text. */
function readFileSyncSafe(path: string): string {
  const file = openRegular(path);
  if (!file) throw new Error(`${path} is not a regular file`);
  try {
    if (file.stat.size > 16 << 20) throw new Error('too large');
    const buf = Buffer.alloc(file.stat.size);
    readSync(file.fd, buf, 0, file.stat.size, 0);
    return buf.toString('utf8');
  } finally {
    closeSync(file.fd);
  }
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Whether `host` is a loopback address, for which the Host header is checked. */
function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * The request handler. `loopbackOnly`: accept only Host headers naming a loopback host, so that a
 * web page whose own name was re-pointed at 127.0.0.1 (DNS rebinding) cannot read the results.
 */
export function handler(appDir: string, resultsDir: string | undefined, loopbackOnly = true): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    try {
      if (loopbackOnly) {
        const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
        if (!isLoopback(host)) throw new HttpError(421, `Host ${req.headers.host ?? '(none)'} is not this loopback server`);
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { ...SECURITY_HEADERS, Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('405 method not allowed: this server is read-only\n');
        return;
      }
      const segments = safeSegments(req.url ?? '/');
      if (segments[0] === 'api') {
        if (segments.length === 2 && segments[1] === 'results') {
          sendJson(req, res, { results: resultsDir ? listResults(resultsDir) : [], resultsDir: resultsDir !== undefined });
          return;
        }
        throw new HttpError(404, 'not found');
      }
      if (segments[0] === 'results') {
        if (!resultsDir) throw new HttpError(404, 'no results folder is served (spinflow serve --results DIR)');
        // a results file shown on its own (an SVG, report.html) runs no script and reaches nothing
        sendFile(req, res, openInside(resultsDir, segments.slice(1)), { 'Content-Security-Policy': 'sandbox' });
        return;
      }
      sendFile(req, res, openInside(appDir, segments.length === 0 ? ['index.html'] : segments));
    } catch (e) {
      const status = e instanceof HttpError ? e.status : 500;
      const message = e instanceof HttpError ? e.message : 'internal error';
      if (!res.headersSent) {
        res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(req.method === 'HEAD' ? undefined : `${status} ${message}\n`);
      } else {
        res.destroy();
      }
    }
  };
}

/** Checks the options (one-line InputErrors) and starts listening. */
export async function startServer(o: ServeOptions): Promise<RunningServer> {
  const appDir = o.appDir ?? DEFAULT_APP_DIR;
  try {
    if (!statSync(join(appDir, 'index.html')).isFile()) throw new Error();
  } catch {
    throw new InputError(`the page is not built (${join(appDir, 'index.html')} is missing): run npm run build`);
  }
  if (o.resultsDir !== undefined) {
    let ok = false;
    try {
      ok = statSync(o.resultsDir).isDirectory();
    } catch {
      ok = false;
    }
    if (!ok) throw new InputError(`--results ${o.resultsDir} is not a folder: give the folder a spinflow reproduce --out wrote`);
  }
  const server = createServer(handler(appDir, o.resultsDir, isLoopback(o.host)));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') reject(new InputError(`--port ${o.port} is in use on ${o.host}: choose another (0 picks a free one)`));
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') reject(new InputError(`--host ${o.host} is not an address of this machine: use 127.0.0.1 (default), ::1 or 0.0.0.0`));
      else if (e.code === 'EACCES') reject(new InputError(`--port ${o.port} needs privileges: use a port ≥ 1024`));
      else reject(e);
    });
    server.listen(o.port, o.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `http://${host}:${port}/`,
    server,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
