// The two kernel builds: plain SIMD (kernels.wasm) and relaxed SIMD with fused multiply-adds (kernels-relaxed.wasm).
// Both are instantiated here on the engine's shared memory and compared with each other and with float64.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as ops from './ops.ts';
import { chooseKernels, kernelVariant, relaxedAllowedFromEnv, relaxedSimdSupported, KERNEL_FILES, SCRATCH_BYTES } from './pool.ts';
import { alloc, f32, free, memory } from './memory.ts';

type Kernel = (...args: number[]) => void;
let plain: Record<string, Kernel>, relaxed: Record<string, Kernel>;

before(async () => {
  await ops.initEngine(); // builds both files if stale
  // Sets V8's relaxed-SIMD flag if needed (initEngine leaves it alone under PARLEY_RELAXED_SIMD=0).
  assert.ok(relaxedSimdSupported(readFileSync(KERNEL_FILES.relaxed)), 'this Node does not compile relaxed SIMD');
  const load = (file: string) => new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file)),
    { env: { memory, abort: () => { throw new Error('kernel abort'); } } }).exports as Record<string, Kernel>;
  plain = load(KERNEL_FILES.plain);
  relaxed = load(KERNEL_FILES.relaxed);
});

test('PARLEY_RELAXED_SIMD: default on, 0 forces plain, anything else is refused', () => {
  assert.equal(relaxedAllowedFromEnv({}), true);
  assert.equal(relaxedAllowedFromEnv({ PARLEY_RELAXED_SIMD: '1' }), true);
  assert.equal(relaxedAllowedFromEnv({ PARLEY_RELAXED_SIMD: '0' }), false);
  for (const bad of ['yes', 'false', '2', ' 0']) {
    assert.throws(() => relaxedAllowedFromEnv({ PARLEY_RELAXED_SIMD: bad }), (e: Error) => e.name === 'UserError' && /PARLEY_RELAXED_SIMD/.test(e.message), bad);
  }
});

test('the relaxed build is chosen on this Node (relaxed SIMD behind a flag since V8 11), plain when disallowed', () => {
  assert.ok(existsSync(KERNEL_FILES.relaxed));
  assert.equal(chooseKernels(false).variant, 'plain');
  assert.equal(chooseKernels(true).variant, 'relaxed');
  assert.equal(kernelVariant(), relaxedAllowedFromEnv() ? 'relaxed' : 'plain');
});

/** out[M,N] = A·Bᵀ through one build's matmul_nt on one thread; returns a copy. */
function nt(k: Record<string, Kernel>, a: number, b: number, M: number, K: number, N: number): Float32Array {
  const out = alloc(M * N), scratch = alloc(SCRATCH_BYTES / 4);
  k.matmul_nt(out, a, b, M, K, N, 0, 0, 0, N, scratch);
  const r = f32(out, M * N).slice();
  free(out); free(scratch);
  return r;
}

test('the relaxed build fuses the multiply-add (on a CPU with FMA), the plain one rounds the product first', (t) => {
  const flags = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  if (!/^flags\s*:.*\bfma\b/m.test(flags)) { t.skip('no x86 FMA flag in /proc/cpuinfo'); return; }
  // Each row sums −(1+2⁻¹¹)·1 + (1+2⁻¹²)²: the exact product 1 + 2⁻¹¹ + 2⁻²⁴ rounds to 1 + 2⁻¹¹ (plain → 0);
  // fused, the 2⁻²⁴ survives. M = 9 rows so the call takes the blocked gemm path, not the M ≤ 8 matrix-vector one.
  const M = 9, K = 2, N = 8, a = alloc(M * K), b = alloc(N * K);
  for (let i = 0; i < M; i++) f32(a, M * K).set([-(1 + 2 ** -11), 1 + 2 ** -12], i * K);
  for (let j = 0; j < N; j++) f32(b, N * K).set([1, 1 + 2 ** -12], j * K);
  assert.deepEqual([...new Set(nt(plain, a, b, M, K, N))], [0]);
  assert.deepEqual([...new Set(nt(relaxed, a, b, M, K, N))], [2 ** -24]);
  free(a); free(b);
});

test('plain and relaxed matmuls agree with float64 within float32 accumulation error, edges included', () => {
  // 37×300×45: K crosses a KC = 256 block, M is neither a multiple of 5 nor of 6, N not of 8.
  const M = 37, K = 300, N = 45, a = alloc(M * K), b = alloc(N * K);
  const av = f32(a, M * K), bv = f32(b, N * K);
  for (let i = 0; i < M * K; i++) av[i] = Math.sin(i * 0.618);
  for (let i = 0; i < N * K; i++) bv[i] = Math.cos(i * 0.377);
  const p = nt(plain, a, b, M, K, N), r = nt(relaxed, a, b, M, K, N);
  const A = f32(a, M * K), B = f32(b, N * K);
  let differ = 0;
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let exact = 0, mag = 0;
      for (let k = 0; k < K; k++) { exact += A[m * K + k] * B[n * K + k]; mag += Math.abs(A[m * K + k] * B[n * K + k]); }
      // Sequential float32 sums: error ≤ K·2⁻²⁴·Σ|products| (plain rounds each product too; fused does not).
      const tol = K * 2 ** -24 * mag;
      assert.ok(Math.abs(p[m * N + n] - exact) <= tol, `plain [${m},${n}] ${p[m * N + n]} vs ${exact}`);
      assert.ok(Math.abs(r[m * N + n] - exact) <= tol, `relaxed [${m},${n}] ${r[m * N + n]} vs ${exact}`);
      if (p[m * N + n] !== r[m * N + n]) differ++;
    }
  }
  assert.ok(differ > 0, 'the two builds gave identical bits: is the relaxed build really fusing?');
  free(a); free(b);
});
