// A result must not depend on the thread count: each op is run split into 1, 2 and 3 shares (3 does not
// divide the sizes evenly) and the outputs compared bit for bit. Sizes exceed the pool's parallel threshold,
// and parallelCallCount() proves the calls really were split.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as ops from './ops.ts';
import { alloc, f32 } from './memory.ts';
import { rng, randn, put, putI32 } from './test-helpers.ts';

before(async () => { await ops.initEngine({ threads: 3 }); });
const r = rng(7);

/** Runs `body` with 1, 2 and 3 shares, each time from the same inputs; returns the outputs' bytes. */
function sameForAllThreadCounts(what: string, body: () => Float32Array[]): void {
  const results: Float32Array[][] = [];
  for (const n of [1, 2, 3]) {
    ops.setActiveThreads(n);
    const before = ops.parallelCallCount();
    results.push(body().map((x) => x.slice()));
    if (n > 1) assert.ok(ops.parallelCallCount() > before, `${what}: the call was not split across threads`);
  }
  for (let i = 1; i < results.length; i++) {
    results[0].forEach((x, j) => {
      const y = results[i][j];
      const at = x.findIndex((v, k) => !Object.is(v, y[k]));
      assert.equal(at, -1, `${what}: output ${j} differs at ${at} between 1 and ${i + 1} threads`);
    });
  }
}

test('matmuls are bit-identical for 1, 2 and 3 threads (incl. M ≤ 8 and odd N)', () => {
  for (const [M, K, N] of [[40, 64, 203], [3, 300, 333], [130, 50, 64], [250, 600, 130], [30, 520, 1100]]) {
    const a = put(randn(r, M * K)), bt = put(randn(r, N * K)), b = put(randn(r, K * N)), at = put(randn(r, K * M));
    const c0 = randn(r, M * N), out = alloc(M * N);
    sameForAllThreadCounts(`matmulNT ${M}x${K}x${N}`, () => { ops.matmulNT(out, a, bt, M, K, N); return [f32(out, M * N)]; });
    sameForAllThreadCounts(`matmulNN ${M}x${K}x${N}`, () => { f32(out, M * N).set(c0); ops.matmulNN(out, a, b, M, K, N, true); return [f32(out, M * N)]; });
    sameForAllThreadCounts(`matmulTN ${M}x${K}x${N}`, () => { f32(out, M * N).set(c0); ops.matmulTN(out, at, b, M, K, N, true); return [f32(out, M * N)]; });
  }
});

test('rmsnormBackward dx and dw are bit-identical for 1, 2 and 3 threads', () => {
  const rows = 301, dim = 262;
  const x = put(randn(r, rows * dim)), w = put(randn(r, dim)), dout = put(randn(r, rows * dim));
  const y = alloc(rows * dim), rstd = alloc(rows), dx = alloc(rows * dim), dw = alloc(dim);
  ops.rmsnormForward(y, rstd, x, w, rows, dim, 1e-6);
  sameForAllThreadCounts('rmsnormBackward', () => {
    f32(dx, rows * dim).fill(0.5); f32(dw, dim).fill(0.25);
    ops.rmsnormBackward(dx, dw, dout, x, w, rstd, rows, dim);
    return [f32(dx, rows * dim), f32(dw, dim)];
  });
});

test('embeddingBackward with repeated ids is bit-identical for 1, 2 and 3 threads', () => {
  const n = 1000, dim = 301, vocab = 50;
  const ids = putI32(Array.from({ length: n }, () => Math.floor(r() * vocab)));
  const dout = put(randn(r, n * dim)), dt = alloc(vocab * dim);
  sameForAllThreadCounts('embeddingBackward', () => {
    f32(dt, vocab * dim).fill(0);
    ops.embeddingBackward(dt, dout, ids, n, dim);
    return [f32(dt, vocab * dim)];
  });
});

test('attentionBackward is bit-identical for 1, 2 and 3 threads', () => {
  const B = 2, T = 40, H = 4, KVH = 2, hd = 16;
  const nq = B * T * H * hd, nkv = B * T * KVH * hd;
  const q = put(randn(r, nq)), k = put(randn(r, nkv)), v = put(randn(r, nkv)), dout = put(randn(r, nq));
  const att = alloc(B * H * T * T), out = alloc(nq), dq = alloc(nq), dk = alloc(nkv), dv = alloc(nkv);
  sameForAllThreadCounts('attentionForward+Backward', () => {
    ops.attentionForward(out, att, q, k, v, B, T, H, KVH, hd);
    ops.attentionBackward(dq, dk, dv, dout, att, q, k, v, B, T, H, KVH, hd);
    return [f32(out, nq), f32(att, B * H * T * T), f32(dq, nq), f32(dk, nkv), f32(dv, nkv)];
  });
});

test('sumSquares is bit-identical for 1, 2 and 3 threads', () => {
  const n = 300_001;
  const x = put(randn(r, n));
  // The float64 result is compared through its bytes.
  sameForAllThreadCounts('sumSquares', () => [new Float32Array(Float64Array.of(ops.sumSquares(x, n)).buffer)]);
});
