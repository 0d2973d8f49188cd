/** The report pipeline: plots, the report folder written by `reproduce --out`, study configuration. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { heatmaps, linePlot, niceTicks, spinImages } from '../src/report/plot.js';
import { Report } from '../src/report/report.js';
import { configure } from '../src/studies/study.js';
import { mcExactStudy } from '../src/studies/mc-exact.js';
import { InputError } from '../src/errors.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });

test('tick values are round and cover the range', () => {
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(-2, -0.5, 3), [-2, -1.5, -1, -0.5]);
});

test('plots are well-formed SVG with every series and escaped text', () => {
  const svg = linePlot({ title: 'E < 0 & T', xLabel: 'T', yLabel: 'E/N', series: [{ name: 'a', points: [{ x: 1, y: 2, error: 0.1 }, { x: 2, y: 3 }] }, { name: 'b', style: 'line', dash: true, points: [{ x: 1, y: 1 }, { x: 2, y: 1.5 }] }], vlines: [{ x: 1.5, label: 'T_c' }] });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /E &lt; 0 &amp; T/);
  assert.equal((svg.match(/<circle/g) ?? []).length, 2);
  assert.equal((svg.match(/<path d="M/g) ?? []).length, 2);
  const img = spinImages([{ spins: new Int8Array([1, -1, -1, 1]), L: 2, caption: 'T = 1' }], 5);
  assert.equal((img.match(/h5v5h-5z/g) ?? []).length, 2, 'two up spins drawn');
  const map = heatmaps([{ values: [2, -1, 0, 1], L: 2, caption: 'response' }], 5);
  assert.match(map, /fill="rgb\(255,0,0\)"/, 'the largest value is full red');
  assert.match(map, /fill="rgb\(128,128,255\)"/, '−½ of the largest is half blue');
  assert.match(map, />response</);
});

test('a report folder holds summary, markdown, html, svg, png and csv', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spinflow-report-'));
  try {
    const r = new Report('demo', 'Demo study', { scale: 'quick' });
    r.compare({ quantity: 'E/N', spinflow: { mean: -1.45, error: 0.01 }, exact: -1.453, paper: -1.4 });
    r.figure({ name: 'energy', caption: 'Energy', svg: linePlot({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 's', points: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }] }), data: { columns: ['x', 'y, "quoted"'], rows: [[0, 0], [1, NaN]] } });
    const { png } = await r.write(dir);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    assert.equal(summary.study, 'demo');
    assert.ok(Math.abs(summary.comparisons[0].sigmas - 0.3) < 1e-9);
    assert.match(readFileSync(join(dir, 'report.md'), 'utf8'), /\| E\/N \| -1\.40000 \| -1\.45300 \| -1\.45000 ± 0\.0100000 \| 0\.3 \|/);
    assert.match(readFileSync(join(dir, 'report.html'), 'utf8'), /<img src="figures\/energy.svg"/);
    assert.equal(readFileSync(join(dir, 'data', 'energy.csv'), 'utf8'), 'x,"y, ""quoted"""\n0,0\n1,\n');
    assert.ok(existsSync(join(dir, 'figures', 'energy.svg')));
    if (png) assert.deepEqual([...readFileSync(join(dir, 'figures', 'energy.png')).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('study configuration: defaults per scale, checked overrides', () => {
  assert.deepEqual(configure(mcExactStudy, 'quick'), mcExactStudy.defaults('quick'));
  assert.equal(configure(mcExactStudy, 'paper', ['L=32']).L, 32);
  assert.throws(() => configure(mcExactStudy, 'quick', ['L=2']), (e: Error) => e instanceof InputError && /--set L=2 is not allowed: L must be an integer ≥ 4 and ≤ 1024/.test(e.message));
  assert.throws(() => configure(mcExactStudy, 'quick', ['L=8.5']), /must be an integer/);
  assert.throws(() => configure(mcExactStudy, 'quick', ['beta=1']), /--set beta is unknown for study mc-exact: allowed are L, sweeps, thermalize, chains/);
  assert.throws(() => configure(mcExactStudy, 'quick', ['L']), /is not KEY=VALUE/);
});

test('reproduce --out writes the report folder; bad --set exits 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spinflow-repro-'));
  try {
    const r = cli('reproduce', 'mc-exact', '--out', dir, '--set', 'sweeps=2000', '--set', 'thermalize=200', '--set', 'L=8', '--workers', '2', '--json');
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.studies['mc-exact'].config.L, 8);
    for (const f of ['summary.json', 'report.md', 'report.html', 'figures/energy.svg', 'figures/deviations.svg', 'data/energy.csv']) assert.ok(existsSync(join(dir, 'mc-exact', f)), f);
    // --resume takes the finished chains from DIR/mc-exact/checkpoints: the same numbers again
    const first = JSON.parse(readFileSync(join(dir, 'mc-exact', 'summary.json'), 'utf8')).comparisons;
    const again = cli('reproduce', 'mc-exact', '--out', dir, '--set', 'sweeps=2000', '--set', 'thermalize=200', '--set', 'L=8', '--workers', '1', '--resume', '--json');
    assert.ok(again.status === 0 || again.status === 1, again.stderr);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'mc-exact', 'summary.json'), 'utf8')).comparisons, first);
    const bad = cli('reproduce', 'mc-exact', '--set', 'chains=0');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--set chains=0 is not allowed/);
    const list = JSON.parse(cli('reproduce', '--list', '--json').stdout);
    assert.equal(list[0].name, 'mc-exact');
    assert.ok(list[0].params.L.description);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
