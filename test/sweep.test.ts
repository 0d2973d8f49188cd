import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compactRanges } from '../src/sweep/sweep.js';
import { pointSeed } from '../src/sampling/rng.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const env = { ...process.env, CI: 'true' };
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env });

// A small ae-flow sweep: 2 latent sizes plus the physics-aware model, a few epochs each.
const SETS = ['--set', 'tCuts=2.6', '--set', 'mainHidden=16', '--set', 'epochs=12', '--set', 'flowCount=10', '--set', 'flowSteps=10',
  '--set', 'physicsEnergy=0', '--seed', '5'];
const STUDY = ['ae-flow', '--grid', 'hiddens=8,16', ...SETS];

/** summary.json without wall-clock times (they differ between any two runs). */
function physics(path: string): unknown {
  const strip = (x: unknown): unknown => Array.isArray(x) ? x.map(strip)
    : x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).filter(([k]) => !/seconds/i.test(k) && k !== 'sweep').map(([k, v]) => [k, strip(v)])) : x;
  return strip(JSON.parse(readFileSync(path, 'utf8')));
}

const root = mkdtempSync(join(tmpdir(), 'spinflow-sweep-test-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const plan = (dir: string) => {
  const r = run('sweep', 'plan', ...STUDY, '--out', dir, '--json');
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { tasks: { index: number; label: string; seed: number }[] };
};

test('sweep: plan → local run → collect gives the report reproduce writes; a killed task resumes to the same report', async () => {
  // uninterrupted sweep
  const a = join(root, 'a');
  const m = plan(a);
  assert.deepEqual(m.tasks.map((t) => t.label), ['N_l=8 T_cut=2.6', 'N_l=16 T_cut=2.6', 'N_l=16 T_cut=2.6 physics E=0 M=1']);
  assert.equal(m.tasks[0].seed, pointSeed(5, 'N_l=8 T_cut=2.6'), 'a task seed depends on the study seed and its point only');
  assert.equal(plan(a).tasks.length, 3, 'planning the same sweep again is a no-op');
  const ra = run('sweep', 'run', a, '--workers', '2', '--json');
  assert.equal(ra.status, 0, ra.stderr);
  assert.equal(JSON.parse(ra.stdout).complete, true);
  const again = run('sweep', 'run-task', a, '--index', '1', '--json');
  assert.equal(again.status, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).status, 'already done');

  // the same study through reproduce
  const rep = join(root, 'reproduce');
  const rr = run('reproduce', 'ae-flow', '--set', 'hiddens=8,16', ...SETS, '--out', rep);
  assert.equal(rr.status, 0, rr.stderr);
  assert.deepEqual(physics(join(a, 'report', 'summary.json')), physics(join(rep, 'ae-flow', 'summary.json')));

  // interrupted sweep: task 1 killed (SIGKILL) after it wrote a training checkpoint
  const b = join(root, 'b');
  plan(b);
  const child = spawn(process.execPath, [CLI, 'sweep', 'run-task', b, '--index', '1'], { env: { ...env, SPINFLOW_CHECKPOINT_SECONDS: '0' }, stdio: 'ignore' });
  const ckpt = join(b, 'work', 'models', 'ae-N16-Tcut2.6.safetensors.ckpt');
  const exited = new Promise((done) => child.on('exit', done));
  let killed = false;
  for (let t = 0; t < 3000 && child.exitCode === null; t++) {
    if (existsSync(ckpt)) { child.kill('SIGKILL'); killed = true; break; }
    await new Promise((r) => setTimeout(r, 10));
  }
  await exited;
  assert.ok(killed, 'the task was killed mid-run, after its first checkpoint');
  assert.ok(!existsSync(join(b, 'tasks', '0001', 'result.json')));
  const st = JSON.parse(run('sweep', 'status', b, '--json').stdout) as { missing: number[]; done: number[]; running: number[] };
  assert.deepEqual(st.missing, [0, 1, 2], 'a task whose process died counts as missing, not running');
  const incomplete = run('sweep', 'collect', b);
  assert.equal(incomplete.status, 1);
  assert.match(incomplete.stdout + incomplete.stderr, /0 of 3 tasks done; missing: 0-2/);
  const rb = run('sweep', 'run', b, '--workers', '1', '--json');
  assert.equal(rb.status, 0, rb.stderr);
  assert.deepEqual(physics(join(b, 'report', 'summary.json')), physics(join(a, 'report', 'summary.json')));
  assert.ok(readdirSync(join(b, 'report', 'figures')).some((f) => f.endsWith('.svg')));
});

test('sweep: batch scripts for Slurm and PBS (dry run)', () => {
  const a = join(root, 'scripts');
  plan(a);
  const r = run('sweep', 'submit', a, '--engine', 'slurm', '--max-parallel', '2', '--time', '01:00:00', '--partition', 'short', '--dry-run', '--json');
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout) as { arrayJob: null; scripts: { array: string; collect: string } };
  assert.equal(s.arrayJob, null);
  const array = readFileSync(s.scripts.array, 'utf8');
  assert.match(array, /^#SBATCH --array=0-2%2$/m);
  assert.match(array, /^#SBATCH --partition=short$/m);
  assert.match(array, /^#SBATCH --time=01:00:00$/m);
  assert.match(array, /sweep run-task '.*' --index "\$SLURM_ARRAY_TASK_ID"/);
  assert.match(readFileSync(s.scripts.collect, 'utf8'), /sweep collect '/);
  const p = run('sweep', 'submit', a, '--engine', 'pbs', '--max-parallel', '2', '--dry-run', '--json');
  assert.equal(p.status, 0, p.stderr);
  const pbs = readFileSync((JSON.parse(p.stdout) as { scripts: { array: string } }).scripts.array, 'utf8');
  assert.match(pbs, /^#PBS -J 0-2%2$/m);
  assert.match(pbs, /--index "\$\{PBS_ARRAY_INDEX:-0\}"/);
});

test('sweep: bad input gets a one-line error and exit status 2', () => {
  const dir = join(root, 'bad');
  const cases: [string[], RegExp][] = [
    [['sweep', 'plan', 'mc-exact', '--out', dir], /study mc-exact has no independent trainings to run as tasks: allowed are ae-flow/],
    [['sweep', 'plan', 'ae-flow', '--grid', 'epochs=1,2', '--out', dir], /--grid epochs=1,2 is not allowed: the grid axes of ae-flow are hiddens=v1,v2,…, tCuts=v1,v2,…/],
    [['sweep', 'plan', 'ae-flow'], /--out is missing/],
    [['sweep', 'launch', dir], /sweep launch is unknown: allowed are plan, run, submit, status, run-task, collect/],
    [['sweep', 'status', dir], /is not a sweep folder/],
    [['sweep', 'run-task', join(root, 'scripts'), '--index', '3'], /--index 3 is out of range: the sweep has 3 tasks \(0–2\)/],
    [['sweep', 'submit', join(root, 'scripts'), '--engine', 'slurm', '--time', '90 minutes', '--dry-run'], /--time 90 minutes is not allowed: expected HH:MM:SS or D-HH:MM:SS/],
    [['sweep', 'submit', join(root, 'scripts'), '--engine', 'lsf'], /--engine lsf is not allowed for sweep submit: allowed are slurm, pbs/],
  ];
  for (const [args, message] of cases) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('compactRanges writes job-array ranges', () => {
  assert.equal(compactRanges([0, 1, 2, 5, 7, 8]), '0-2,5,7-8');
  assert.equal(compactRanges([3]), '3');
  assert.equal(compactRanges([]), '');
});

// A real single-node Slurm, started by .ci/slurm-up (CI does; elsewhere: eval "$(.ci/slurm-up)").
const slurm = process.env.SPINFLOW_TEST_SLURM === '1';
test('sweep: a real Slurm runs the job array and the collect job', { skip: slurm ? false : 'no Slurm cluster here: SPINFLOW_TEST_SLURM is not 1 (.ci/run starts one with .ci/slurm-up; it could not, or this is not CI)' }, async () => {
  const dir = join(root, 'slurm');
  plan(dir);
  const r = run('sweep', 'submit', dir, '--engine', 'slurm', '--max-parallel', '2', '--time', '00:10:00', '--json');
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout) as { arrayJob: string; collectJob: string };
  assert.match(s.arrayJob, /^\d+$/);
  // poll squeue (not sbatch --wait) until both jobs have left the queue
  for (let t = 0; t < 600; t++) {
    const q = spawnSync('squeue', ['-h', '-j', `${s.arrayJob},${s.collectJob}`], { encoding: 'utf8' });
    if (q.status === 0 && q.stdout.trim() === '') break;
    await new Promise((done) => setTimeout(done, 500));
  }
  const st = JSON.parse(run('sweep', 'status', dir, '--json').stdout) as { done: number[]; collected: boolean };
  assert.deepEqual(st.done, [0, 1, 2], readFileSync(join(dir, 'logs', 'task-0.log'), 'utf8'));
  assert.ok(st.collected, existsSync(join(dir, 'logs', 'collect.log')) ? readFileSync(join(dir, 'logs', 'collect.log'), 'utf8') : 'no collect log');
  assert.deepEqual(physics(join(dir, 'report', 'summary.json')), physics(join(root, 'a', 'report', 'summary.json')));
});
