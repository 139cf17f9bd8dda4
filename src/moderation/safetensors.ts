// Minimal safetensors reader/writer for the classifier's two tensors (F16 weights, F32 bias).
// Format: u64 little-endian header length, JSON header {name: {dtype, shape, data_offsets}}, data.

import { UserError } from '../util/errors.ts';

export interface Tensor {
  dtype: 'F16' | 'F32';
  shape: number[];
  data: Float32Array; // always float32 in memory
}

export function encodeSafetensors(tensors: Record<string, Tensor>, metadata: Record<string, string> = {}): Buffer {
  const header: Record<string, unknown> = { __metadata__: metadata };
  const parts: Buffer[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const bytes = t.dtype === 'F16' ? toF16Bytes(t.data) : Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    parts.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  return Buffer.concat([len, Buffer.from(json), ...parts]);
}

export function decodeSafetensors(buf: Buffer, where: string): Record<string, Tensor> {
  if (buf.length < 8) throw new UserError(`${where}: too short to be a safetensors file`);
  const n = Number(buf.readBigUInt64LE(0));
  if (8 + n > buf.length) throw new UserError(`${where}: header length ${n} runs past the end of the file`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
  } catch {
    throw new UserError(`${where}: header is not valid JSON`);
  }
  const out: Record<string, Tensor> = {};
  const base = 8 + n;
  for (const [name, h] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [a, b] = h.data_offsets;
    const count = h.shape.reduce((x, y) => x * y, 1);
    const width = h.dtype === 'F16' ? 2 : h.dtype === 'F32' ? 4 : 0;
    if (!width) throw new UserError(`${where}: tensor ${name} has dtype ${h.dtype}; only F16 and F32 are read`);
    if (b - a !== count * width || base + b > buf.length) throw new UserError(`${where}: tensor ${name} has a bad size`);
    const bytes = buf.subarray(base + a, base + b);
    const data = h.dtype === 'F16' ? fromF16Bytes(bytes) : new Float32Array(new Uint8Array(bytes).buffer);
    out[name] = { dtype: h.dtype as Tensor['dtype'], shape: h.shape, data };
  }
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE half from float, round to nearest even; overflow goes to infinity. */
export function f32ToF16(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

function toF16Bytes(data: Float32Array): Buffer {
  const out = Buffer.alloc(data.length * 2);
  for (let i = 0; i < data.length; i++) out.writeUInt16LE(f32ToF16(data[i]), i * 2);
  return out;
}

function fromF16Bytes(bytes: Buffer): Float32Array {
  const out = new Float32Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = f16ToF32(bytes.readUInt16LE(i * 2));
  return out;
}
