// The allocator: alignment, reuse of freed holes, coalescing, growth, views, and its errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alloc, free, f32, i32, freeBlocks, memoryBytes, RESERVED_BYTES, blockSize, totalAllocatedBytes } from './memory.ts';

test('blocks are 64-byte aligned, past the reserved area, and do not overlap', () => {
  const ptrs = [1, 3, 16, 17, 100, 0].map((n) => [alloc(n), n] as const);
  for (const [p] of ptrs) {
    assert.equal(p % 64, 0);
    assert.ok(p >= RESERVED_BYTES);
  }
  const sorted = [...ptrs].sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i][0] >= sorted[i - 1][0] + sorted[i - 1][1] * 4);
  for (const [p] of ptrs) free(p);
});

test('freed neighbours coalesce and a hole is reused first fit', () => {
  const a = alloc(16), b = alloc(16), c = alloc(16), guard = alloc(16);
  free(a); free(c);
  const holes = freeBlocks().filter(([p]) => p === a || p === c);
  assert.equal(holes.length, 2);
  free(b); // a, b, c now one block
  const merged = freeBlocks().find(([p]) => p === a);
  assert.ok(merged && merged[1] >= 3 * 64, `expected one merged block at ${a}, got ${JSON.stringify(freeBlocks())}`);
  assert.equal(freeBlocks().some(([p]) => p === b || p === c), false);
  const d = alloc(40); // 160 bytes → fits in the merged hole
  assert.equal(d, a);
  free(d); free(guard);
});

test('memory grows for large blocks, views see the new pages, and data survives growth', () => {
  const small = alloc(4);
  i32(small, 4).set([1, 2, 3, 4]);
  const before = memoryBytes();
  const big = alloc(before / 4 + 1000); // more than the whole memory: must grow
  assert.ok(memoryBytes() > before);
  const v = f32(big, before / 4 + 1000);
  v[v.length - 1] = 42;
  assert.equal(f32(big, before / 4 + 1000)[v.length - 1], 42);
  assert.deepEqual(Array.from(i32(small, 4)), [1, 2, 3, 4]);
  free(big); free(small);
});

test('a long alloc/free churn (models and caches coming and going) does not leak', () => {
  const base = totalAllocatedBytes();
  const live: number[] = [];
  let seed = 1;
  for (let i = 0; i < 2000; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    if (live.length && seed % 3 === 0) free(live.splice(seed % live.length, 1)[0]);
    else live.push(alloc(seed % 5000));
  }
  for (const p of live) free(p);
  assert.equal(totalAllocatedBytes(), base);
  // Everything freed above the heap start has merged back into few blocks.
  assert.ok(freeBlocks().length <= 3, JSON.stringify(freeBlocks().slice(0, 5)));
});

test('errors: double free, foreign pointer, bad size, beyond 4 GiB', () => {
  const p = alloc(8);
  assert.equal(blockSize(p), 64);
  free(p);
  assert.throws(() => free(p), /not an allocated block/);
  assert.throws(() => free(12345), /not an allocated block/);
  assert.throws(() => alloc(-1), /non-negative integer/);
  assert.throws(() => alloc(1.5), /non-negative integer/);
  assert.throws(() => alloc(2 ** 30 + 1), /exceed the 4 GiB WebAssembly memory limit/);
});
