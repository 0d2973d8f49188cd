import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulate, type SimulationResult } from '../src/sampling/simulate.js';

/** Everything but the timings. */
function physics(results: SimulationResult[]) {
  return results.map(({ elapsedSeconds: _e, flipsPerNanosecond: _f, ...rest }) => JSON.stringify(rest));
}

for (const algorithm of ['metropolis', 'wolff', 'kawasaki', 'multispin']) {
  test(`${algorithm}: same seed → identical results, whatever the number of workers`, async () => {
    const base = { L: 8, T: [2.0, 2.5], algorithm, sweeps: 300, thermalize: 50, chains: 3, seed: 123 };
    const one = physics(await simulate({ ...base, workers: 1 }));
    const again = physics(await simulate({ ...base, workers: 1 }));
    const two = physics(await simulate({ ...base, workers: 2 }));
    const four = physics(await simulate({ ...base, workers: 4 }));
    assert.deepEqual(again, one);
    assert.deepEqual(two, one);
    assert.deepEqual(four, one);
    const other = physics(await simulate({ ...base, seed: 124, workers: 1 }));
    assert.notDeepEqual(other, one);
  });
}
