// The pool's configuration and the ops' input checks.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { availableParallelism, tmpdir } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ops from './ops.ts';
import { threadsFromEnv, run, PARALLEL_MIN_WORK } from './pool.ts';
import { alloc, f32, memoryBytes } from './memory.ts';
import { putI32 } from './test-helpers.ts';

before(async () => { await ops.initEngine(); await ops.initEngine(); }); // idempotent

test('PARLEY_THREADS: default, override and validation', () => {
  assert.equal(threadsFromEnv({}), availableParallelism());
  assert.equal(threadsFromEnv({ PARLEY_THREADS: '3' }), 3);
  for (const bad of ['0', '-2', 'two', '1.5', '1e3', '999']) {
    assert.throws(() => threadsFromEnv({ PARLEY_THREADS: bad }), (e: Error) => e.name === 'UserError' && /PARLEY_THREADS/.test(e.message), bad);
  }
});

test('the engine starts the configured threads and a script using it exits on its own', () => {
  assert.equal(ops.poolThreads(), threadsFromEnv());
  // Workers are unref'd: the child must finish without calling shutdownEngine.
  const code = `import * as ops from ${JSON.stringify(new URL('./ops.ts', import.meta.url).href)};
    import { alloc, f32 } from ${JSON.stringify(new URL('./memory.ts', import.meta.url).href)};
    await ops.initEngine();
    const a = alloc(256 * 256), o = alloc(256 * 256);
    f32(a, 256 * 256).fill(1);
    ops.matmulNT(o, a, a, 256, 256, 256);
    console.log(ops.poolThreads(), f32(o, 1)[0], ops.parallelCallCount());`;
  const dir = mkdtempSync(join(tmpdir(), 'parley-pool-'));
  writeFileSync(join(dir, 'child.mts'), code);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(dir, 'child.mts')], {
    env: { ...process.env, NODE_TEST_CONTEXT: undefined, PARLEY_THREADS: '2' }, encoding: 'utf8', timeout: 20_000,
  });
  assert.equal(r.status, 0, r.stderr);
  rmSync(dir, { recursive: true });
  assert.equal(r.stdout.trim(), '2 256 1');
});

test('ops reject bad pointers and sizes, naming the op and the argument', () => {
  const a = alloc(64), ids = putI32([0, 1, -3]);
  assert.throws(() => ops.matmulNT(a, a, memoryBytes() - 16, 4, 4, 4), /matmulNT: b .* runs past the end/);
  assert.throws(() => ops.matmulNN(a, a, a, -1, 4, 4), /matmulNN: M must be an integer/);
  assert.throws(() => ops.add(a, 12, a, 4), /add: a must be a 4-byte aligned pointer/);
  assert.throws(() => ops.add(a, a, a + 2, 4), /add: b must be a 4-byte aligned pointer/);
  assert.throws(() => ops.fill(a, 0, 2.5), /fill: n must be an integer/);
  assert.throws(() => ops.embeddingForward(a, a, ids, 3, 4), /embeddingForward: ids\[2\] = -3 is negative/);
  assert.throws(() => ops.crossEntropy(a, 0, a, putI32([7]), 0, 1, 5), /crossEntropy: targets\[0\] = 7 is outside the vocabulary/);
  assert.throws(() => ops.attentionForward(a, a, a, a, a, 1, 1, 3, 2, 4), /attentionForward: H \(3\) must be a multiple of KVH \(2\)/);
  assert.throws(() => ops.ropeForward(a, a, 1, 1, 5, 1e4), /ropeForward: headDim must be even/);
  assert.throws(() => ops.ropeBackward(a, putI32([3, -1]), 2, 1, 4, 1e4), /ropeBackward: pos\[1\] = -1/);
  assert.throws(() => ops.attentionDecode(a, a, a, a, putI32([0]), putI32([0]), 1, 1, 1, 4, 4), /attentionDecode: lens\[0\] = 0/);
  assert.throws(() => ops.adamw(a, a, a, a, 4, NaN, 0.9, 0.99, 1e-8, 0, 1), /adamw: lr must be a finite number/);
});

test('tiny calls stay on the calling thread; large ones are split', () => {
  const n = 4096, x = alloc(n);
  ops.setActiveThreads(ops.poolThreads());
  let before = ops.parallelCallCount();
  ops.fill(x, 1, 64);
  assert.equal(ops.parallelCallCount(), before, 'a 64-element fill woke the workers');
  if (ops.poolThreads() > 1) {
    const M = 64, K = 64, N = 64; // 2·64³ flops > PARALLEL_MIN_WORK
    assert.ok(2 * M * K * N > PARALLEL_MIN_WORK);
    before = ops.parallelCallCount();
    ops.matmulNT(x, x, x, M, K, N);
    assert.equal(ops.parallelCallCount(), before + 1);
  }
});

test('a kernel fault in a worker is reported and the pool keeps working', (t) => {
  if (ops.poolThreads() < 2) { t.skip('needs a worker thread'); return; }
  // Past the end of memory: both shares trap; the caller must throw instead of hanging.
  const top = memoryBytes();
  assert.throws(() => run('fill_f32', [top - 64, 0, 1 << 24], 1 << 24, 16, 1e9), /out of bounds|failed in a worker/);
  const n = 300_000, x = alloc(n);
  ops.fill(x, 2, n);
  assert.equal(f32(x, n)[n - 1], 2);
  assert.equal(ops.sumSquares(x, n), 4 * n);
});

test('shutdownEngine stops the workers and frees their memory; initEngine starts again', async () => {
  const { totalAllocatedBytes } = await import('./memory.ts');
  const threads = ops.poolThreads();
  const before = totalAllocatedBytes();
  await ops.shutdownEngine();
  assert.ok(totalAllocatedBytes() < before, 'control block and scratch were not freed');
  assert.throws(() => ops.fill(alloc(4), 0, 4), /engine not started/);
  await ops.initEngine({ threads });
  assert.equal(ops.poolThreads(), threads);
  const n = 300_000, x = alloc(n);
  ops.fill(x, 3, n);
  assert.equal(ops.sumSquares(x, n), 9 * n);
});
