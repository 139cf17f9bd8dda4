// Writes GGUF version 3 files: typed metadata, tensor infos, then aligned F32/F16 tensor data.
// The header is built in memory (it holds the vocabulary: a few MB at most); tensor data is streamed
// to the file one tensor at a time.
import { closeSync, openSync, writeSync } from 'node:fs';
import {
  GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_VERSION, GgmlType, GgufValueType, type GgufScalar,
} from './gguf-format.ts';
import { f32ToF16 } from './half.ts';

export interface GgufMetadataEntry {
  key: string;
  type: GgufValueType; // for arrays, the element type (with `array: true`)
  value: GgufScalar | GgufScalar[];
  array?: boolean;
}

export interface GgufTensorToWrite {
  name: string;
  dims: number[]; // ggml order: dims[0] varies fastest
  type: GgmlType.F32 | GgmlType.F16;
  data: Float32Array; // converted to `type` on write
}

class ByteSink {
  private parts: Buffer[] = [];
  length = 0;
  push(b: Buffer): void {
    this.parts.push(b);
    this.length += b.length;
  }
  u32(v: number): void { const b = Buffer.alloc(4); b.writeUInt32LE(v); this.push(b); }
  u64(v: number | bigint): void { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); this.push(b); }
  str(s: string): void {
    const bytes = Buffer.from(s, 'utf8');
    this.u64(bytes.length);
    this.push(bytes);
  }
  concat(): Buffer {
    return Buffer.concat(this.parts, this.length);
  }
}

function writeScalar(sink: ByteSink, type: GgufValueType, v: GgufScalar, key: string): void {
  const b8 = Buffer.alloc(8);
  const bad = () => new Error(`metadata ${key}: ${JSON.stringify(String(v))} is not a valid ${GgufValueType[type]}`);
  switch (type) {
    case GgufValueType.STRING:
      if (typeof v !== 'string') throw bad();
      sink.str(v);
      return;
    case GgufValueType.BOOL:
      if (typeof v !== 'boolean') throw bad();
      sink.push(Buffer.from([v ? 1 : 0]));
      return;
    case GgufValueType.UINT8: b8.writeUInt8(Number(v)); sink.push(b8.subarray(0, 1)); return;
    case GgufValueType.INT8: b8.writeInt8(Number(v)); sink.push(b8.subarray(0, 1)); return;
    case GgufValueType.UINT16: b8.writeUInt16LE(Number(v)); sink.push(b8.subarray(0, 2)); return;
    case GgufValueType.INT16: b8.writeInt16LE(Number(v)); sink.push(b8.subarray(0, 2)); return;
    case GgufValueType.UINT32: b8.writeUInt32LE(Number(v)); sink.push(b8.subarray(0, 4)); return;
    case GgufValueType.INT32: b8.writeInt32LE(Number(v)); sink.push(b8.subarray(0, 4)); return;
    case GgufValueType.FLOAT32: b8.writeFloatLE(Number(v)); sink.push(b8.subarray(0, 4)); return;
    case GgufValueType.UINT64: b8.writeBigUInt64LE(BigInt(v as number | bigint)); sink.push(b8); return;
    case GgufValueType.INT64: b8.writeBigInt64LE(BigInt(v as number | bigint)); sink.push(b8); return;
    case GgufValueType.FLOAT64: b8.writeDoubleLE(Number(v)); sink.push(b8); return;
    default: throw new Error(`metadata ${key}: unsupported type ${type}`);
  }
}

/** Bytes of one tensor in its file type (little-endian, as GGUF requires). */
function tensorBytes(t: GgufTensorToWrite): Buffer {
  if (t.type === GgmlType.F32) {
    const out = Buffer.alloc(t.data.length * 4);
    for (let i = 0; i < t.data.length; i++) out.writeFloatLE(t.data[i], 4 * i);
    return out;
  }
  const out = Buffer.alloc(t.data.length * 2);
  for (let i = 0; i < t.data.length; i++) out.writeUInt16LE(f32ToF16(t.data[i]), 2 * i);
  return out;
}

/** Writes a complete GGUF file. Returns its size in bytes. */
export function writeGguf(
  path: string,
  metadata: GgufMetadataEntry[],
  tensors: GgufTensorToWrite[],
  alignment = GGUF_DEFAULT_ALIGNMENT,
): number {
  const align = (n: number) => Math.ceil(n / alignment) * alignment;
  const header = new ByteSink();
  header.u32(GGUF_MAGIC);
  header.u32(GGUF_VERSION);
  header.u64(tensors.length);
  header.u64(metadata.length);
  for (const m of metadata) {
    header.str(m.key);
    if (m.array) {
      const list = m.value as GgufScalar[];
      header.u32(GgufValueType.ARRAY);
      header.u32(m.type);
      header.u64(list.length);
      for (const v of list) writeScalar(header, m.type, v, m.key);
    } else {
      header.u32(m.type);
      writeScalar(header, m.type, m.value as GgufScalar, m.key);
    }
  }
  let offset = 0;
  const offsets: number[] = [];
  for (const t of tensors) {
    const n = t.dims.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`tensor ${t.name}: dims [${t.dims}] hold ${n} values, data has ${t.data.length}`);
    header.str(t.name);
    header.u32(t.dims.length);
    for (const d of t.dims) header.u64(d);
    header.u32(t.type);
    header.u64(offset);
    offsets.push(offset);
    offset = align(offset + n * (t.type === GgmlType.F32 ? 4 : 2));
  }
  const head = header.concat();
  const fd = openSync(path, 'w');
  try {
    let pos = 0;
    const write = (b: Buffer) => {
      writeSync(fd, b, 0, b.length, pos);
      pos += b.length;
    };
    write(head);
    write(Buffer.alloc(align(pos) - pos));
    const dataStart = pos;
    for (const [i, t] of tensors.entries()) {
      write(Buffer.alloc(dataStart + offsets[i] - pos)); // padding after the previous tensor
      write(tensorBytes(t));
    }
    write(Buffer.alloc(align(pos - dataStart) + dataStart - pos));
    return pos;
  } finally {
    closeSync(fd);
  }
}
