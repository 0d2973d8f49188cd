/**
 * `spinflow serve`: the results folder is served read-only and nothing outside it can be reached —
 * not by `..`, encoded `%2e%2e` or `%2f`, absolute paths, or symlinks pointing out — and the CLI
 * refuses bad options with one line and exit 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { safeSegments, startServer, listResults, type RunningServer } from '../src/serve/server.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const SECRET = 'secret-outside-the-results-folder';

/** A results folder with one study, a file and a folder outside it, and symlinks pointing out. */
function fixture(): { root: string; results: string; app: string } {
  const root = mkdtempSync(join(tmpdir(), 'spinflow-serve-'));
  const results = join(root, 'results');
  const app = join(root, 'app');
  mkdirSync(join(results, 'study-a', 'figures'), { recursive: true });
  mkdirSync(join(results, 'study-a', 'checkpoints', 'models'), { recursive: true });
  mkdirSync(app);
  writeFileSync(join(app, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(results, 'study-a', 'summary.json'), JSON.stringify({ study: 'mc-exact', title: 'test', scale: 'quick', comparisons: [], figures: [{ name: 'f', caption: 'c' }] }));
  writeFileSync(join(results, 'study-a', 'figures', 'f.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(root, 'secret.txt'), SECRET);
  mkdirSync(join(root, 'outside'));
  writeFileSync(join(root, 'outside', 'summary.json'), JSON.stringify({ study: SECRET }));
  writeFileSync(join(root, 'outside', 'secret.txt'), SECRET);
  symlinkSync(join(root, 'secret.txt'), join(results, 'link-out.txt'));
  symlinkSync(join(root, 'outside'), join(results, 'dir-out'));
  symlinkSync(join(results, 'study-a', 'summary.json'), join(results, 'link-in.json'));
  writeFileSync(join(results, '.env'), SECRET);
  // a study whose checkpoints folder is a symlink to models outside the results folder
  mkdirSync(join(results, 'study-b'));
  writeFileSync(join(results, 'study-b', 'summary.json'), JSON.stringify({ study: 'rbm', title: 'b', scale: 'quick' }));
  mkdirSync(join(root, 'outside', 'models'));
  writeFileSync(join(root, 'outside', 'models', 'x.safetensors'), safetensorsWithMetadata({ model: 'rbm', secret: SECRET }));
  symlinkSync(join(root, 'outside'), join(results, 'study-b', 'checkpoints'));
  return { root, results, app };
}

/** A safetensors file with no tensors, only metadata. */
function safetensorsWithMetadata(metadata: Record<string, string>): Uint8Array {
  const json = Buffer.from(JSON.stringify({ __metadata__: metadata }));
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([head, json]);
}

/** A GET (or other method) with the path sent exactly as written: no client-side normalization. */
function raw(server: RunningServer, path: string, method = 'GET', headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(method === 'POST' || method === 'PUT' ? 'x' : undefined);
  });
}

test('safeSegments decodes segments and refuses every way out of the folder', () => {
  assert.deepEqual(safeSegments('/results/a%20b/c.svg?x=1#y'), ['results', 'a b', 'c.svg']);
  assert.deepEqual(safeSegments('/'), []);
  for (const bad of ['/results/../x', '/results/%2e%2e/x', '/results/%2E%2e/x', '/results/.%2e/x', '/results/..%2fx', '/results/%2fetc%2fpasswd', '/results//etc/passwd', '/results/a%5c..%5cx', '/results/%00', '/results/C:%5cx', '/./x']) {
    assert.throws(() => safeSegments(bad), (e: Error & { status?: number }) => e.status === 403, bad);
  }
  assert.throws(() => safeSegments('/results/%E0%A4%A'), (e: Error & { status?: number }) => e.status === 400);
});

test('serve: results are served read-only and nothing outside the folder is reachable', async () => {
  const { root, results, app } = fixture();
  const server = await startServer({ host: '127.0.0.1', port: 0, appDir: app, resultsDir: results });
  try {
    const ok = await raw(server, '/results/study-a/summary.json');
    assert.equal(ok.status, 200);
    assert.equal(JSON.parse(ok.body).study, 'mc-exact');
    assert.equal(ok.headers['content-security-policy'], 'sandbox');
    assert.equal((await raw(server, '/results/study-a/figures/f.svg')).headers['content-type'], 'image/svg+xml');
    assert.equal((await raw(server, '/results/link-in.json')).status, 200, 'a symlink inside the folder is fine');
    assert.equal((await raw(server, '/')).status, 200);
    for (const path of [
      '/results/../secret.txt', '/results/%2e%2e/secret.txt', '/results/%2E%2E/secret.txt', '/results/..%2fsecret.txt', '/results/study-a/..%2f..%2fsecret.txt',
      `/results/${encodeURIComponent(join(root, 'secret.txt'))}`, `/results/${join(root, 'secret.txt')}`, '/results//etc/passwd', '/results/link-out.txt',
      '/results/dir-out/secret.txt', '/results/dir-out/summary.json', '/../secret.txt', '/%2e%2e/secret.txt', '/results/study-a', '/results/study-a/', '/results/',
      '/results/.env', '/results/%2eenv', '/results/study-b/checkpoints/models/x.safetensors', '/results/C:secret.txt', '/results/%252e%252e/secret.txt',
    ]) {
      const r = await raw(server, path);
      assert.ok(r.status === 403 || r.status === 404, `${path} → ${r.status}`);
      assert.ok(!r.body.includes(SECRET), `${path} leaks the secret`);
    }
    const head = await raw(server, '/results/study-a/summary.json', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal(Number(head.headers['content-length']), readFileSync(join(results, 'study-a', 'summary.json')).length);
    // DNS rebinding: a page served under another name cannot talk to the loopback server
    for (const host of ['evil.example', 'evil.example:80', '127.0.0.1.evil.example']) {
      const r = await raw(server, '/api/results', 'GET', { Host: host });
      assert.equal(r.status, 421, host);
      assert.ok(!r.body.includes('study-a'));
    }
    assert.equal((await raw(server, '/api/results', 'GET', { Host: `localhost:${new URL(server.url).port}` })).status, 200);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const r = await raw(server, '/results/study-a/summary.json', method);
      assert.equal(r.status, 405, method);
    }
    assert.ok(existsSync(join(results, 'study-a', 'summary.json')));
    assert.equal(JSON.parse(readFileSync(join(results, 'study-a', 'summary.json'), 'utf8')).study, 'mc-exact');
    const apiBody = (await raw(server, '/api/results')).body;
    const api = JSON.parse(apiBody) as { results: { path: string; study: string; models: unknown[] }[] };
    assert.deepEqual(api.results.map((e) => e.path), ['study-a', 'study-b'], 'the symlinked folder outside is not listed');
    assert.deepEqual(api.results[1].models, [], 'models behind a symlinked checkpoints folder are not listed');
    assert.ok(!apiBody.includes(SECRET));
    assert.equal((await raw(server, '/api/other')).status, 404);
  } finally {
    await server.close();
  }
  assert.deepEqual(listResults(results).map((e) => e.study), ['mc-exact', 'rbm']);
  // a results folder that is itself one study
  const single = await startServer({ host: '127.0.0.1', port: 0, appDir: app, resultsDir: join(results, 'study-a') });
  try {
    const api = JSON.parse((await raw(single, '/api/results')).body) as { results: { path: string }[] };
    assert.deepEqual(api.results.map((e) => e.path), ['']);
    assert.equal((await raw(single, '/results/summary.json')).status, 200);
  } finally {
    await single.close();
  }
});

test('serve: bad options are one-line errors with exit 2', async () => {
  const { results, app } = fixture();
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'serve', ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 20000 });
  for (const [args, pattern] of [
    [['--port', '70000'], /--port 70000 is not allowed/],
    [['--port', 'abc'], /--port/],
    [['--results', join(results, 'missing')], /--results .*missing is not a folder/],
    [['--host', '203.0.113.7', '--port', '0'], /--host 203\.0\.113\.7 is not an address of this machine/],
  ] as const) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  // a port already in use
  const busy = await startServer({ host: '127.0.0.1', port: 0, appDir: app });
  try {
    const port = new URL(busy.url).port;
    const child = spawn(process.execPath, [CLI, 'serve', '--port', port], { env: { ...process.env, CI: 'true' }, timeout: 20000 });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 2);
    assert.match(stderr, new RegExp(`--port ${port} is in use`));
  } finally {
    await busy.close();
  }
});

test('serve --json prints the URL and serves until SIGTERM', async () => {
  const { results } = fixture();
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--results', results, '--json'], { env: { ...process.env, CI: 'true' }, timeout: 20000 });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    child.on('exit', (c) => reject(new Error(`exited ${c}`)));
  });
  const { url } = JSON.parse(line) as { url: string };
  const r = await fetch(new URL('results/study-a/summary.json', url));
  assert.equal(r.status, 200);
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 0);
});
