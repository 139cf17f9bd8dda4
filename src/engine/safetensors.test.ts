import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bf16ToF32, f16ToF32, readSafetensors, readSafetensorsHeader, writeSafetensors, asFloat, asInt,
} from './safetensors.ts';

const dir = mkdtempSync(join(tmpdir(), 'parley-st-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const tmp = (name = 'x.safetensors') => join(dir, `${n++}-${name}`);

/** A file with exactly this header object and `dataBytes` bytes of data (for malformed-input cases). */
function rawFile(header: unknown, dataBytes: number, headerText?: string): string {
  const file = tmp();
  const json = Buffer.from(headerText ?? JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(file, Buffer.concat([len, json, Buffer.alloc(dataBytes)]));
  return file;
}

function u16bytes(bits: number[]): Uint8Array {
  return new Uint8Array(new Uint16Array(bits).buffer);
}

test('F32 and I32 round trip with metadata, scalar and empty tensors', () => {
  const file = tmp();
  const a = Float32Array.from({ length: 6 }, (_, i) => i * 0.5 - 1.25);
  const ids = Int32Array.from([5, -1, 2147483647]);
  writeSafetensors(file, [
    ['a', { shape: [2, 3], data: a }],
    ['scalar', { shape: [], data: Float32Array.of(3.5) }],
    ['empty', { shape: [0, 4], data: new Float32Array(0) }],
    ['ids', { shape: [3], data: ids }],
  ], { format: 'pt' });
  // The data section starts 8-byte aligned, as other readers expect.
  assert.equal(readSafetensorsHeader(file).dataStart % 8, 0);
  assert.deepEqual(readSafetensorsHeader(file).metadata, { format: 'pt' });
  const t = readSafetensors(file);
  assert.deepEqual([...t.keys()], ['a', 'scalar', 'empty', 'ids']);
  assert.deepEqual(asFloat(t.get('a'), file, 'a'), { dtype: 'F32', shape: [2, 3], data: a });
  assert.deepEqual(asFloat(t.get('scalar'), file, 'scalar').data, Float32Array.of(3.5));
  assert.deepEqual(asFloat(t.get('empty'), file, 'empty').shape, [0, 4]);
  assert.deepEqual(asInt(t.get('ids'), file, 'ids').data, ids);
  assert.throws(() => asInt(t.get('a'), file, 'a'), /"a" has dtype F32, expected an integer/);
  // Selecting names reads only those.
  assert.deepEqual([...readSafetensors(file, ['ids']).keys()], ['ids']);
  // No temporary file is left beside the output.
  assert.ok(!readdirSync(dir).some((f) => f.includes('.tmp-')));
});

test('F16 bit patterns convert exactly: normals, subnormals, zeros, infinities, NaN', () => {
  const cases: [number, number][] = [
    [0x0000, 0], [0x8000, -0], [0x3c00, 1], [0xc000, -2], [0x3555, 0.333251953125],
    [0x7bff, 65504], // largest finite
    [0x0400, 2 ** -14], // smallest normal
    [0x0001, 2 ** -24], // smallest subnormal
    [0x03ff, 1023 * 2 ** -24], // largest subnormal
    [0x8001, -(2 ** -24)],
    [0x7c00, Infinity], [0xfc00, -Infinity], [0x7e00, NaN], [0x7c01, NaN], [0xfe00, NaN],
  ];
  const file = tmp();
  writeSafetensors(file, [['h', { shape: [cases.length], dtype: 'F16', bytes: u16bytes(cases.map((c) => c[0])) }]]);
  const got = asFloat(readSafetensors(file).get('h'), file, 'h').data;
  cases.forEach(([bits, want], i) => {
    assert.ok(Object.is(got[i], want), `F16 0x${bits.toString(16)}: got ${got[i]}, want ${want}`);
    assert.ok(Object.is(Math.fround(f16ToF32(bits)), want));
  });
});

test('BF16 bit patterns convert exactly: normals, subnormals, zeros, infinities, NaN', () => {
  const cases: [number, number][] = [
    [0x0000, 0], [0x8000, -0], [0x3f80, 1], [0xc040, -3], [0x4049, 3.140625], [0x3eab, 0.333984375],
    [0x7f7f, 3.3895313892515355e38], // largest finite
    [0x0080, 2 ** -126], // smallest normal
    [0x0001, 2 ** -133], // smallest subnormal
    [0x007f, 127 * 2 ** -133], // largest subnormal
    [0x7f80, Infinity], [0xff80, -Infinity], [0x7fc0, NaN], [0xffc1, NaN],
  ];
  const file = tmp();
  writeSafetensors(file, [['b', { shape: [2, 7], dtype: 'BF16', bytes: u16bytes(cases.map((c) => c[0])) }]]);
  const t = asFloat(readSafetensors(file).get('b'), file, 'b');
  assert.deepEqual(t.shape, [2, 7]);
  cases.forEach(([bits, want], i) => {
    assert.ok(Object.is(t.data[i], want), `BF16 0x${bits.toString(16)}: got ${t.data[i]}, want ${want}`);
    assert.ok(Object.is(bf16ToF32(bits), want));
  });
});

test('a half-precision tensor larger than one conversion chunk converts across chunk boundaries', () => {
  const count = 9_000_000; // 18 MB of F16: crosses the 16 MiB staging chunk
  const bits = new Uint16Array(count);
  for (let i = 0; i < count; i++) bits[i] = (i * 7919) & 0x7bff;
  const file = tmp();
  writeSafetensors(file, [
    ['h', { shape: [count], dtype: 'F16', bytes: new Uint8Array(bits.buffer) }],
    ['b', { shape: [count], dtype: 'BF16', bytes: new Uint8Array(bits.buffer) }],
  ]);
  const t = readSafetensors(file);
  const h = asFloat(t.get('h'), file, 'h').data, b = asFloat(t.get('b'), file, 'b').data;
  const probes = [0, 1, 8_388_607, 8_388_608, 8_388_609, count - 1];
  for (let i = 3; i < count; i += 4099) probes.push(i);
  for (const i of probes) {
    assert.equal(h[i], Math.fround(f16ToF32(bits[i])), `F16 element ${i}`);
    assert.equal(b[i], bf16ToF32(bits[i]), `BF16 element ${i}`);
  }
});

test('I64 and F64 are narrowed; an I64 that does not fit in 32 bits is refused by name', () => {
  const file = tmp();
  const ids = BigInt64Array.of(0n, -100n, 2147483647n, -2147483648n);
  writeSafetensors(file, [
    ['ids', { shape: [4], dtype: 'I64', bytes: new Uint8Array(ids.buffer) }],
    ['d', { shape: [2], dtype: 'F64', bytes: new Uint8Array(Float64Array.of(0.1, -1e300).buffer) }],
  ]);
  const t = readSafetensors(file);
  assert.deepEqual(asInt(t.get('ids'), file, 'ids').data, Int32Array.of(0, -100, 2147483647, -2147483648));
  assert.deepEqual(asFloat(t.get('d'), file, 'd').data, Float32Array.of(0.1, -Infinity));
  const big = tmp();
  writeSafetensors(big, [['ids', { shape: [2], dtype: 'I64', bytes: new Uint8Array(BigInt64Array.of(1n, 1n << 40n).buffer) }]]);
  assert.throws(() => readSafetensors(big), (e: Error) => e.message.includes(big) && /"ids".*does not fit/.test(e.message));
});

test('every malformed file gives an error naming the file (and the tensor)', () => {
  const expectError = (file: string, pattern: RegExp, tensor?: string) => {
    assert.throws(() => readSafetensors(file), (e: Error) => {
      assert.equal(e.name, 'UserError');
      assert.ok(e.message.includes(file), `message names the file: ${e.message}`);
      if (tensor) assert.ok(e.message.includes(`"${tensor}"`), `message names the tensor: ${e.message}`);
      assert.match(e.message, pattern);
      return true;
    });
  };
  const short = tmp();
  writeFileSync(short, Buffer.from([1, 2, 3]));
  expectError(short, /too short/);

  const lenOnly = tmp();
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(1000n);
  writeFileSync(lenOnly, Buffer.concat([len, Buffer.from('{}')]));
  expectError(lenOnly, /header length 1000 runs past the end/);

  const huge = tmp();
  len.writeBigUInt64LE(1n << 60n);
  writeFileSync(huge, len);
  expectError(huge, /over the 100 MB limit/);

  expectError(rawFile(null, 0, '{"a": {"dtype": "F32",'), /not valid JSON/);
  expectError(rawFile(null, 0, '\xff\xfe'), /not valid JSON/);
  expectError(rawFile([1, 2], 0), /not a JSON object/);

  const entry = (dtype: string, shape: unknown, offsets: unknown) => ({ dtype, shape, data_offsets: offsets });
  expectError(rawFile({ w: entry('F17', [2], [0, 8]) }, 8), /unknown dtype "F17"/, 'w');
  expectError(rawFile({ w: entry('F32', [2, -1], [0, 8]) }, 8), /shape .* not a list of non-negative/, 'w');
  expectError(rawFile({ w: entry('F32', [2], [0]) }, 8), /data_offsets .* not \[begin, end\]/, 'w');
  expectError(rawFile({ w: entry('F32', [2], [8, 0]) }, 8), /end before they begin/, 'w');
  expectError(rawFile({ w: entry('F32', [2], [0, 8]), v: entry('F32', [4], [8, 24]) }, 16), /run past the end of the 16-byte data/, 'v');
  expectError(rawFile({ w: entry('F32', [3], [0, 8]) }, 8), /needs 12 bytes but data_offsets span 8/, 'w');
  expectError(rawFile({ w: entry('F16', [2, 2], [0, 12]) }, 12), /needs 8 bytes but data_offsets span 12/, 'w');
  expectError(rawFile({ a: entry('F32', [4], [0, 16]), b: entry('F32', [2], [8, 16]) }, 16), /overlap tensor "a"/, 'b');
  expectError(rawFile({ __metadata__: [1] }, 0), /__metadata__ is not an object/);

  // A valid file cut short: the header still promises the last tensor's bytes.
  const cut = tmp();
  writeSafetensors(cut, [['first', { shape: [4], data: new Float32Array(4) }], ['last', { shape: [4], data: new Float32Array(4) }]]);
  truncateSync(cut, readFileSync(cut).length - 3);
  expectError(cut, /run past the end .* truncated/, 'last');

  const ok = tmp();
  writeSafetensors(ok, [['w', { shape: [1], data: new Float32Array(1) }]]);
  assert.throws(() => readSafetensors(ok, ['nope']), /"nope" is not in this file/);
  const u8 = rawFile({ m: entry('U8', [4], [0, 4]) }, 4);
  expectError(u8, /dtype U8 is valid safetensors but not supported/, 'm');
  assert.throws(() => readSafetensors(join(dir, 'absent.safetensors')), /absent\.safetensors: cannot open \(ENOENT\)/);
});

test('the writer refuses inconsistent input instead of writing a bad file', () => {
  const file = tmp();
  assert.throws(() => writeSafetensors(file, [['w', { shape: [3], data: new Float32Array(2) }]]), /"w": shape \[3\] of F32 needs 12 bytes, data has 8/);
  assert.throws(() => writeSafetensors(file, [['w', { shape: [1], data: new Float32Array(1) }], ['w', { shape: [1], data: new Float32Array(1) }]]), /"w" given twice/);
  assert.throws(() => writeSafetensors(file, [['w', { shape: [1], dtype: 'Q4', bytes: new Uint8Array(1) }]]), /unknown dtype Q4/);
  assert.ok(!readdirSync(dir).some((f) => f.startsWith(`${n - 1}-`)), 'nothing written');
});
