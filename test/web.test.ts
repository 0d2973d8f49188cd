/**
 * End to end: the page built by `npm run build`, served by `spinflow serve`, driven in Debian's
 * headless Chromium through playwright-core. Screenshots of each view go to test-artifacts/.
 * Skipped (with the reason) only where no Chromium is installed; .ci/run installs it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../src/serve/server.js';
import { Report } from '../src/report/report.js';
import { linePlot } from '../src/report/plot.js';
import { initBackend } from '../src/nn/backend.js';
import { createAutoencoder, disposeAutoencoder, saveAutoencoder } from '../src/models/ae/autoencoder.js';
import { Rbm } from '../src/models/rbm/rbm.js';
import { Rng } from '../src/sampling/rng.js';

const CHROMIUM = process.env.SPINFLOW_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const SECRET = 'secret-next-to-the-results';
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** A results folder as reproduce writes it: an ae-flow report with a figure and a saved autoencoder, and an RBM. */
async function resultsFixture(): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'spinflow-web-'));
  writeFileSync(join(root, 'secret.txt'), SECRET);
  const dir = join(root, 'results');
  const points = Array.from({ length: 20 }, (_, i) => ({ x: 1 + 0.2 * i, y: -2 + 0.05 * i * i / 4 }));
  const report = new Report('ae-flow', 'Autoencoder NN flow (test fixture)', { scale: 'quick' });
  report.figure({ name: 'flow-energy', caption: 'energy along the flow (fixture)', svg: linePlot({ title: 'E', xLabel: 'step', yLabel: 'E/N', series: [{ name: 'E', points }] }), data: { columns: ['x', 'y'], rows: points.map((p) => [p.x, p.y]) } });
  report.compare({ quantity: 'fixture quantity', spinflow: { mean: 1.5, error: 0.1 }, exact: 1.4, paper: 'about 1.4' });
  await report.write(join(dir, 'ae-flow'));
  await initBackend('cpu');
  const ae = createAutoencoder({ inputs: 64, hidden: 16, activation: 'sigmoid' }, Rng.stream(1, 0));
  saveAutoencoder(join(dir, 'ae-flow', 'checkpoints', 'models', 'ae-N16-Tcut0.02.safetensors'), ae, { tCut: '0.02' });
  disposeAutoencoder(ae);
  await new Report('rbm', 'RBM (test fixture)', { scale: 'quick' }).write(join(dir, 'rbm'));
  mkdirSync(join(dir, 'rbm', 'checkpoints', 'models'), { recursive: true });
  Rbm.random(64, 64, Rng.stream(2, 0)).save(join(dir, 'rbm', 'checkpoints', 'models', 'rbm-ising-L8-T2.5.safetensors'));
  return dir;
}

test('the page in headless Chromium: live Monte Carlo, results, models, and no way out of the results folder', { timeout: 180_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set SPINFLOW_CHROMIUM)`);
    return;
  }
  const { chromium } = await import('playwright-core');
  mkdirSync(ARTIFACTS, { recursive: true });
  const results = await resultsFixture();
  const server = await startServer({ host: '127.0.0.1', port: 0, resultsDir: results });
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  } catch (e) {
    await server.close();
    // in CI (.ci/run installs Debian's Chromium) a browser that does not start is a failure
    if (process.env.CI) throw e;
    t.skip(`Chromium at ${CHROMIUM} does not start: ${(e as Error).message.split('\n')[0]}`);
    return;
  }
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(server.url);
    // browser-side code is passed as strings: this project's TypeScript has no DOM types
    await page.waitForFunction(`document.getElementById('sweeps').textContent === '0' && document.getElementById('energy').textContent !== '–'`);
    assert.equal(await page.evaluate('crossOriginIsolated'), true, 'served cross-origin isolated');

    // the lattice renders, and changes when the chain runs
    const picture = () => page.evaluate(`document.getElementById('lattice').toDataURL()`);
    const sweepsReach = (n: number) => page.waitForFunction(`Number(document.getElementById('sweeps').textContent) >= ${n}`);
    const sweeps = async () => Number(await page.textContent('#sweeps'));
    const before = await picture();
    await page.selectOption('#L', '32');
    await page.fill('#T', '3.5');
    await page.dispatchEvent('#T', 'change');
    await page.click('#reset');
    await page.waitForFunction(`document.getElementById('sweeps').textContent === '0'`);
    await page.click('#step');
    await page.waitForFunction(`document.getElementById('sweeps').textContent === '1'`);
    assert.notEqual(await picture(), before, 'one sweep at T = 3.5 changes the picture');
    assert.equal(await page.evaluate(`document.getElementById('lattice').width`), 32);

    // |M| across T_c: ordered at T = 1.5, disordered at T = 3.5 (Wolff, L = 32)
    const meanAbsM = async () => {
      let s = 0;
      for (let k = 0; k < 8; k++) {
        s += Number(await page.textContent('#absM'));
        await page.waitForTimeout(60);
      }
      return s / 8;
    };
    await page.fill('#T', '1.5');
    await page.dispatchEvent('#T', 'change');
    await page.click('#play');
    let target = (await sweeps()) + 300;
    await sweepsReach(target);
    const ordered = await meanAbsM();
    await page.fill('#T', '3.5');
    await page.dispatchEvent('#T', 'change');
    target = (await sweeps()) + 300;
    await sweepsReach(target);
    const disordered = await meanAbsM();
    await page.click('#pause');
    // exact: |M|/N ≈ 0.986 at T = 1.5; at T = 3.5, ⟨|M|⟩/N ≈ (χT/N)^½·(2/π)^½ ≈ 0.06 for L = 32
    assert.ok(ordered > 0.9, `|M|/N at T = 1.5: ${ordered}`);
    assert.ok(disordered < 0.3, `|M|/N at T = 3.5: ${disordered}`);
    const rate = Number(await page.textContent('#rate'));
    assert.ok(rate > 0, `flips per nanosecond are shown: ${await page.textContent('#rate')} after ${await sweeps()} sweeps`);
    await page.screenshot({ path: join(ARTIFACTS, 'web-live.png') });

    // a results folder: the comparison table, a figure, the NN flow animation
    await page.click('nav button[data-view=results]');
    await page.waitForSelector('#comparison-table');
    assert.match((await page.textContent('#comparison-table')) ?? '', /fixture quantity.*about 1\.4.*1\.5000 ± 0\.10000/s);
    await page.waitForFunction(`(() => { const img = document.querySelector('img[data-figure=flow-energy]'); return img !== null && img.complete && img.naturalWidth > 0; })()`);
    await page.click('#flow-run');
    await page.waitForFunction(`/^step \\d+ of \\d+/.test(document.getElementById('flow-info').textContent)`, undefined, { timeout: 60_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'web-results.png'), fullPage: true });

    // a saved model generates configurations, judged by the harness against Monte Carlo
    await page.click('nav button[data-view=models]');
    await page.waitForFunction(`document.querySelectorAll('#model-select option').length === 2`);
    await page.selectOption('#model-select', 'rbm/checkpoints/models/rbm-ising-L8-T2.5.safetensors');
    assert.equal(await page.inputValue('#model-T'), '2.5', 'T read from the model name');
    await page.fill('#model-n', '100');
    await page.click('#model-generate');
    await page.waitForSelector('#harness-table', { timeout: 60_000 });
    assert.match((await page.textContent('#model-body')) ?? '', /rbm, L = 8, 100 samples/);
    await page.screenshot({ path: join(ARTIFACTS, 'web-models.png'), fullPage: true });

    assert.deepEqual(problems, [], 'no console errors');

    // escapes from the page (each logs its 403/404 to the console): none returns the file next to the
    // results folder. The browser itself resolves ../ and %2e%2e before sending; test/serve.test.ts
    // sends those raw.
    const statuses = (await page.evaluate(`Promise.all(${JSON.stringify(['results/..%2fsecret.txt', 'results/%2fetc%2fpasswd', 'results//etc/hostname', 'results/%5c..%5csecret.txt'])}
      .map(async (p) => { const r = await fetch(p); return [p, r.status, (await r.text()).includes(${JSON.stringify(SECRET)})]; }))`)) as [string, number, boolean][];
    for (const [p, status, leaked] of statuses) {
      assert.ok(status === 403 || status === 404, `${p} → ${status}`);
      assert.equal(leaked, false, p);
    }
  } finally {
    await browser.close();
    await server.close();
  }
});
