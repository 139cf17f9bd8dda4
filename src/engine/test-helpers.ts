// Helpers for the engine's tests: a seeded RNG, tensors in engine memory from JS arrays, and comparison.
import assert from 'node:assert/strict';
import { alloc, f32, i32 } from './memory.ts';

/** Mulberry32: small, seeded, good enough for test data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n uniform values in [-scale, scale), rounded to float32 so references see exactly what the kernel sees. */
export function randn(r: () => number, n: number, scale = 1): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.fround((r() * 2 - 1) * scale);
  return out;
}

export function put(data: ArrayLike<number>): number {
  const p = alloc(Math.max(1, data.length));
  f32(p, data.length).set(data);
  return p;
}

export function putI32(data: ArrayLike<number>): number {
  const p = alloc(Math.max(1, data.length));
  i32(p, data.length).set(data);
  return p;
}

export function get(ptr: number, n: number): Float64Array {
  return Float64Array.from(f32(ptr, n));
}

/** Asserts |got − want| ≤ tol[i] (or a scalar tol) elementwise, naming the first bad index. */
export function close(what: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: number | ArrayLike<number>): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    const t = typeof tol === 'number' ? tol : tol[i];
    if (!(Math.abs(got[i] - want[i]) <= t)) {
      assert.fail(`${what}[${i}]: got ${got[i]}, want ${want[i]} (tolerance ${t})`);
    }
  }
}

/** The largest |x|, for tolerances relative to a tensor's scale. */
export function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/** float32 unit roundoff. */
export const U = 2 ** -24;
