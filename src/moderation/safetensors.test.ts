import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeSafetensors, encodeSafetensors, f16ToF32, f32ToF16 } from './safetensors.ts';

test('half precision conversion', () => {
  for (const [x, bits] of [[0, 0], [1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [1e6, 0x7c00], [5.960464477539063e-8, 1]] as const) {
    assert.equal(f32ToF16(x), bits, String(x));
  }
  for (const x of [0.1, -3.14159, 12.5, 1e-5]) assert.ok(Math.abs(f16ToF32(f32ToF16(x)) - x) <= Math.abs(x) * 1e-3 + 1e-7, String(x));
});

test('safetensors round trip and header validation', () => {
  const w = new Float32Array([1, -0.5, 0.25, 3]);
  const b = new Float32Array([0.1, 0.2]);
  const buf = encodeSafetensors({ w: { dtype: 'F16', shape: [2, 2], data: w }, b: { dtype: 'F32', shape: [2], data: b } }, { k: 'v' });
  assert.equal(Number(buf.readBigUInt64LE(0)) % 8, 0);
  const t = decodeSafetensors(buf, 'x');
  assert.deepEqual(Array.from(t.w.data), [1, -0.5, 0.25, 3]);
  assert.deepEqual(t.w.shape, [2, 2]);
  assert.deepEqual(Array.from(t.b.data), Array.from(b));
  assert.throws(() => decodeSafetensors(buf.subarray(0, 20), 'cut.safetensors'), /cut\.safetensors/);
  assert.throws(() => decodeSafetensors(Buffer.alloc(4), 'tiny'), /too short/);
});
