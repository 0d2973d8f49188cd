// After tsc: compiles every src/**/*.wat to the matching dist/src/**/*.wasm with wabt (a
// devDependency; the .wasm files ship in the package, so users never need wabt), and marks the
// CLI executable (tsc does not), so `npx spinflow` runs in a fresh clone.
import { readdir, readFile, writeFile, mkdir, chmod } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join, dirname, relative } from 'node:path';
import wabtInit from 'wabt';

const root = fileURLToPath(new URL('..', import.meta.url));
async function* watFiles(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) yield* watFiles(p);
    else if (entry.name.endsWith('.wat')) yield p;
  }
}
const wabt = await wabtInit();
for await (const file of watFiles(join(root, 'src'))) {
  const mod = wabt.parseWat(file, await readFile(file, 'utf8'), { simd: true });
  mod.validate();
  const { buffer } = mod.toBinary({});
  const out = join(root, 'dist', relative(root, file)).replace(/\.wat$/, '.wasm');
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, buffer);
  mod.destroy();
}
await chmod(join(root, 'dist', 'src', 'cli', 'main.js'), 0o755);
