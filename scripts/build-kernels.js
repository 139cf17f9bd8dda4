#!/usr/bin/env node
// Compiles the AssemblyScript kernels (src/kernels/index.ts) twice: build/kernels.wasm with plain SIMD and
// build/kernels-relaxed.wasm with relaxed SIMD (fused multiply-add in the matmul; the pool picks it when V8
// accepts it). Runs on `npm install` (postinstall) and `npm run build:kernels`. The modules import one shared
// WebAssembly.Memory so that every worker thread runs the same code over the same tensors.
import { mkdirSync, existsSync, statSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'src/kernels/index.ts');
const outputs = [
  { out: join(root, 'build/kernels.wasm'), features: 'simd,threads' },
  { out: join(root, 'build/kernels-relaxed.wasm'), features: 'simd,threads,relaxed-simd' },
];

// Skip when every wasm is newer than every kernel source (keeps `npm test` start-up fast).
const sources = readdirSync(join(root, 'src/kernels')).filter((f) => f.endsWith('.ts')).map((f) => join(root, 'src/kernels', f));
const fresh = (out) => existsSync(out) && sources.every((s) => statSync(s).mtimeMs <= statSync(out).mtimeMs);
if (process.argv.includes('--if-stale') && outputs.every(({ out }) => fresh(out))) process.exit(0);

const require = createRequire(import.meta.url);
const asc = join(dirname(require.resolve('assemblyscript/package.json')), 'bin/asc.js');
for (const { out, features } of outputs) {
  mkdirSync(dirname(out), { recursive: true });
  // Write to temporary names and rename: test processes starting in parallel may read the wasm meanwhile.
  const tmp = `${out}.${process.pid}.tmp`;
  const text = out.replace(/\.wasm$/, '.wat');
  const tmpText = `${text}.${process.pid}.tmp`;
  const args = [
    asc, entry,
    '--outFile', tmp,
    '--textFile', tmpText,
    '-O3', '--noAssert',
    '--runtime', 'stub',
    '--importMemory', '--sharedMemory',
    '--initialMemory', '16', '--maximumMemory', '65536',
    '--enable', features,
  ];
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    rmSync(tmp, { force: true });
    rmSync(tmpText, { force: true });
    console.error(`parley: compiling the AssemblyScript kernels (${features}) failed`);
    process.exit(r.status ?? 1);
  }
  renameSync(tmpText, text);
  renameSync(tmp, out);
}
