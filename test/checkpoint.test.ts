/**
 * Checkpoint and resume: a run killed (SIGKILL) mid-chain and started again with the same
 * checkpoint file ends with exactly the result of an uninterrupted run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { deserialize } from 'node:v8';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCheckpoint } from '../src/io/checkpoint.js';
import type { ChainCheckpoint, ChainResult } from '../src/sampling/chain.js';
import { chainCheckpointPath } from '../src/sampling/pool.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const env = { ...process.env, CI: 'true' };

function physics(stdout: string): string {
  const out = JSON.parse(stdout);
  const runs = out.results ?? [out];
  return JSON.stringify(runs.map(({ elapsedSeconds: _e, flipsPerNanosecond: _f, ...r }: Record<string, unknown>) => r));
}

/** Waits for the first chain file (a chain's state saved mid-run), then kills the run. */
async function killWhenCheckpointed(args: string[], file: string): Promise<void> {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const started = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 20));
    if (existsSync(file) || Date.now() - started > 20000) break;
  }
  child.kill('SIGKILL');
  await exited;
}

const cases: { name: string; args: string[] }[] = [
  { name: 'metropolis, 1 worker', args: ['--L', '24', '--T', '2.0,2.6', '--algorithm', 'metropolis', '--sweeps', '30000', '--chains', '2', '--workers', '1'] },
  { name: 'exchange (site lists), 2 workers', args: ['--L', '16', '--T', '2.2', '--algorithm', 'exchange', '--magnetization', '0.25', '--sweeps', '40000', '--chains', '3', '--workers', '2'] },
  { name: 'wolff (calibration), 2 workers', args: ['--L', '32', '--T', '2.269', '--algorithm', 'wolff', '--sweeps', '20000', '--thermalize', '2000', '--chains', '2', '--workers', '2'] },
  { name: 'multispin (SIMD kernel state)', args: ['--L', '256', '--T', '2.4', '--algorithm', 'multispin', '--sweeps', '1500', '--measure-every', '5', '--chains', '1'] },
];

for (const c of cases) {
  test(`a killed run resumes to the uninterrupted result: ${c.name}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spinflow-ckpt-'));
    try {
      const file = join(dir, 'run.ckpt');
      const args = ['simulate', ...c.args, '--seed', '77', '--json'];
      const full = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8' });
      assert.equal(full.status, 0, full.stderr);
      const withCkpt = [...args, '--checkpoint', file, '--checkpoint-every', '0.05'];
      const firstChain = chainCheckpointPath(file, 0);
      await killWhenCheckpointed(withCkpt, firstChain);
      assert.ok(existsSync(firstChain), 'no checkpoint was written before the kill');
      // The checkpoint holds a chain stopped part-way: the resume really continues mid-chain.
      const saved = deserialize(readFileSync(firstChain)) as { state: { done: ChainResult | null; partial: ChainCheckpoint | null } };
      const p = saved.state.partial;
      assert.ok(p !== null && saved.state.done === null, 'the checkpoint holds no chain in progress');
      assert.ok(p.sweepsDone > 0 && p.sweepsDone < p.spec.thermalize + p.spec.sweeps);
      const resumed = spawnSync(process.execPath, [CLI, ...withCkpt], { env, encoding: 'utf8' });
      assert.equal(resumed.status, 0, resumed.stderr);
      assert.equal(physics(resumed.stdout), physics(full.stdout));
      // Running again with the finished checkpoint gives the same result at once.
      const again = spawnSync(process.execPath, [CLI, ...withCkpt], { env, encoding: 'utf8' });
      assert.equal(physics(again.stdout), physics(full.stdout));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a checkpoint of another run, or a damaged one, is refused with one line and exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spinflow-ckpt-'));
  try {
    const file = join(dir, 'run.ckpt');
    const base = ['simulate', '--L', '8', '--T', '2.5', '--sweeps', '200', '--checkpoint', file, '--json'];
    assert.equal(spawnSync(process.execPath, [CLI, ...base], { env }).status, 0);
    assert.equal(loadCheckpoint(join(dir, 'absent.ckpt'), 'chains', '[]'), null);
    const other = spawnSync(process.execPath, [CLI, ...base.map((a) => (a === '2.5' ? '2.6' : a))], { env, encoding: 'utf8' });
    assert.equal(other.status, 2);
    assert.match(other.stderr.trim(), /^spinflow: error: checkpoint .* belongs to a different chains run/);
    writeFileSync(file, 'not a checkpoint');
    const damaged = spawnSync(process.execPath, [CLI, ...base], { env, encoding: 'utf8' });
    assert.equal(damaged.status, 2);
    assert.match(damaged.stderr.trim(), /^spinflow: error: checkpoint .* is not readable/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
