// The bench runner's own logic: the list, the filter, failures that do not stop the others, and the torch check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkTorch } from './torch-check.ts';

const run = join(dirname(fileURLToPath(import.meta.url)), 'run.ts');
function bench(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', run, ...args], { encoding: 'utf-8', env: { ...process.env, ...env } });
  return { code: r.status, lines: r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>), err: r.stderr };
}

test('--list names every benchmark, one JSON line each', () => {
  const r = bench(['--list']);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.lines.map((l) => l.bench),
    ['matmul', 'train', 'decode', 'memory', 'tokenizer', 'moderation', 'store', 'http', 'scheduler', 'llamacpp']);
  for (const l of r.lines) assert.equal(typeof l.measures, 'string');
});

test('unknown or missing names are refused before anything runs', () => {
  const r = bench(['--only', 'train,nope']);
  assert.equal(r.code, 2);
  assert.deepEqual(r.lines, []);
  assert.match(r.err, /unknown benchmark "nope"; known: matmul, train/);
  assert.match(bench(['--only']).err, /--only: give benchmark names/);
});

test('--only runs just the named benchmark as a child process (llama.cpp: its skipped line without node-llama-cpp)', () => {
  const r = bench(['--only', 'llamacpp'], { PARLEY_THREADS: '1' });
  assert.equal(r.code, 0, r.err);
  assert.equal(r.lines.length >= 1, true);
  assert.ok(r.lines.every((l) => String(l.bench).includes('llama')), JSON.stringify(r.lines));
});

test('a benchmark that fails prints an error line, the others still run, and the exit code is 1', () => {
  const r = bench(['--only', 'store,llamacpp'], { DATABASE_URL: 'postgres://127.0.0.1:1/nothing', PARLEY_THREADS: '1' });
  assert.equal(r.code, 1);
  const store = r.lines.find((l) => l.bench === 'store');
  assert.match(String(store?.error), /bench-store\.ts failed/);
  assert.ok(r.lines.some((l) => l.bench === 'decode-vs-llama.cpp'), JSON.stringify(r.lines));
});

test('without an importable torch the comparison is skipped with the install command', () => {
  const prev = process.env.PARLEY_TORCH_PYTHON;
  process.env.PARLEY_TORCH_PYTHON = '/nonexistent/python3';
  try {
    const t = checkTorch();
    assert.equal(t.ok, false);
    assert.match(t.skipped!, /cannot import torch .*apt-get install -y python3-torch libopenblas0-pthread/);
  } finally {
    if (prev === undefined) delete process.env.PARLEY_TORCH_PYTHON;
    else process.env.PARLEY_TORCH_PYTHON = prev;
  }
});
