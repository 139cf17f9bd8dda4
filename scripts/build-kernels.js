#!/usr/bin/env node
// Compiles the AssemblyScript kernels (src/kernels/index.ts) into build/kernels.wasm.
// Runs on `npm install` (postinstall) and `npm run build:kernels`. The module imports one shared
// WebAssembly.Memory so that every worker thread runs the same code over the same tensors.
import { mkdirSync, existsSync, statSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'src/kernels/index.ts');
const out = join(root, 'build/kernels.wasm');

// Skip when the wasm is newer than every kernel source (keeps `npm test` start-up fast).
const sources = readdirSync(join(root, 'src/kernels')).filter((f) => f.endsWith('.ts')).map((f) => join(root, 'src/kernels', f));
if (process.argv.includes('--if-stale') && existsSync(out)) {
  const built = statSync(out).mtimeMs;
  if (sources.every((s) => statSync(s).mtimeMs <= built)) process.exit(0);
}

mkdirSync(dirname(out), { recursive: true });
const require = createRequire(import.meta.url);
const asc = join(dirname(require.resolve('assemblyscript/package.json')), 'bin/asc.js');
// Write to temporary names and rename: test processes starting in parallel may read the wasm meanwhile.
const tmp = `${out}.${process.pid}.tmp`;
const tmpText = `${out.replace(/\.wasm$/, '.wat')}.${process.pid}.tmp`;
const args = [
  asc, entry,
  '--outFile', tmp,
  '--textFile', tmpText,
  '-O3', '--noAssert',
  '--runtime', 'stub',
  '--importMemory', '--sharedMemory',
  '--initialMemory', '16', '--maximumMemory', '65536',
  '--enable', 'simd,threads',
];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
if (r.status !== 0) {
  rmSync(tmp, { force: true });
  rmSync(tmpText, { force: true });
  console.error('parley: compiling the AssemblyScript kernels failed');
  process.exit(r.status ?? 1);
}
renameSync(tmpText, out.replace(/\.wasm$/, '.wat'));
renameSync(tmp, out);
