// Reads GGUF files: the header, metadata and tensor infos (for listing a model without loading it and
// for checking what our exporter wrote), and F32/F16 tensor data as float32.
import { open } from 'node:fs/promises';
import { UserError } from '../util/errors.ts';
import {
  GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GgmlType, GgufValueType, type GgufScalar, type GgufValue,
} from './gguf-format.ts';
import { f16ToF32 } from './half.ts';

export interface GgufTensorInfo {
  name: string;
  dims: number[]; // ggml order: dims[0] varies fastest (for a weight [out,in] this is [in, out])
  type: number; // GgmlType
  offset: number; // bytes from the start of the data section
}

export interface GgufFile {
  version: number;
  metadata: Map<string, GgufValue>;
  tensors: GgufTensorInfo[];
  alignment: number;
  dataOffset: number; // byte offset of the data section in the file
}

class Truncated extends Error {}

class Cursor {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new Truncated();
  }
  u8(): number { this.need(1); return this.buf.readUInt8(this.pos++); }
  i8(): number { this.need(1); return this.buf.readInt8(this.pos++); }
  u16(): number { this.need(2); const v = this.buf.readUInt16LE(this.pos); this.pos += 2; return v; }
  i16(): number { this.need(2); const v = this.buf.readInt16LE(this.pos); this.pos += 2; return v; }
  u32(): number { this.need(4); const v = this.buf.readUInt32LE(this.pos); this.pos += 4; return v; }
  i32(): number { this.need(4); const v = this.buf.readInt32LE(this.pos); this.pos += 4; return v; }
  f32(): number { this.need(4); const v = this.buf.readFloatLE(this.pos); this.pos += 4; return v; }
  f64(): number { this.need(8); const v = this.buf.readDoubleLE(this.pos); this.pos += 8; return v; }
  u64(): bigint { this.need(8); const v = this.buf.readBigUInt64LE(this.pos); this.pos += 8; return v; }
  i64(): bigint { this.need(8); const v = this.buf.readBigInt64LE(this.pos); this.pos += 8; return v; }
  /** A u64 that must fit a JS number (counts, lengths, offsets). */
  size(): number {
    const v = this.u64();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`size ${v} at byte ${this.pos - 8} is too large`);
    return Number(v);
  }
  str(): string {
    const n = this.size();
    this.need(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
}

function readScalar(c: Cursor, type: number): GgufScalar {
  switch (type) {
    case GgufValueType.UINT8: return c.u8();
    case GgufValueType.INT8: return c.i8();
    case GgufValueType.UINT16: return c.u16();
    case GgufValueType.INT16: return c.i16();
    case GgufValueType.UINT32: return c.u32();
    case GgufValueType.INT32: return c.i32();
    case GgufValueType.FLOAT32: return c.f32();
    case GgufValueType.BOOL: return c.u8() !== 0;
    case GgufValueType.STRING: return c.str();
    case GgufValueType.UINT64: return c.u64();
    case GgufValueType.INT64: return c.i64();
    case GgufValueType.FLOAT64: return c.f64();
    default: throw new Error(`unknown metadata value type ${type} at byte ${c.pos - 4}`);
  }
}

function readValue(c: Cursor, type: number): GgufValue {
  if (type !== GgufValueType.ARRAY) return readScalar(c, type);
  const elemType = c.u32();
  const n = c.size();
  if (elemType === GgufValueType.ARRAY) throw new Error('nested metadata arrays are not supported');
  const out: GgufScalar[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = readScalar(c, elemType);
  return out;
}

/**
 * Parses the header of a GGUF file held (at least up to its data section) in `buf`.
 * Returns undefined if `buf` ends before the header does, so callers can read more and retry.
 */
export function parseGgufHeader(buf: Buffer, source = 'GGUF file'): GgufFile | undefined {
  const c = new Cursor(buf);
  try {
    if (buf.length >= 4 && buf.readUInt32LE(0) !== GGUF_MAGIC) throw new Error('not a GGUF file (bad magic)');
    c.u32();
    const version = c.u32();
    if (version < 2 || version > 3) throw new Error(`GGUF version ${version} is not supported (2 or 3)`);
    const nTensors = c.size();
    const nKv = c.size();
    const metadata = new Map<string, GgufValue>();
    for (let i = 0; i < nKv; i++) {
      const key = c.str();
      metadata.set(key, readValue(c, c.u32()));
    }
    const tensors: GgufTensorInfo[] = [];
    for (let i = 0; i < nTensors; i++) {
      const name = c.str();
      const nDims = c.u32();
      if (nDims > 4) throw new Error(`tensor ${name} has ${nDims} dimensions (at most 4)`);
      const dims: number[] = [];
      for (let d = 0; d < nDims; d++) dims.push(c.size());
      tensors.push({ name, dims, type: c.u32(), offset: c.size() });
    }
    const alignRaw = metadata.get('general.alignment');
    const alignment = alignRaw === undefined ? GGUF_DEFAULT_ALIGNMENT : Number(alignRaw);
    if (!Number.isInteger(alignment) || alignment <= 0 || alignment % 8 !== 0) {
      throw new Error(`general.alignment ${String(alignRaw)} must be a positive multiple of 8`);
    }
    const dataOffset = Math.ceil(c.pos / alignment) * alignment;
    for (const t of tensors) {
      if (t.offset % alignment !== 0) throw new Error(`tensor ${t.name} offset ${t.offset} is not ${alignment}-byte aligned`);
    }
    return { version, metadata, tensors, alignment, dataOffset };
  } catch (err) {
    if (err instanceof Truncated) return undefined;
    throw new UserError(`${source}: ${(err as Error).message}`);
  }
}

/** Reads a GGUF file's header from disk, reading more of the file until the header fits. */
export async function readGgufHeaderFile(path: string): Promise<GgufFile> {
  const fh = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new UserError(`cannot open GGUF file ${path}: ${err.code ?? err.message}`);
  });
  try {
    const { size } = await fh.stat();
    for (let want = 1 << 20; ; want *= 4) {
      const n = Math.min(want, size);
      const buf = Buffer.alloc(n);
      await fh.read(buf, 0, n, 0);
      const parsed = parseGgufHeader(buf, path);
      if (parsed) return parsed;
      if (n === size) throw new UserError(`${path}: the file ends inside its GGUF header (truncated?)`);
    }
  } finally {
    await fh.close();
  }
}

export function ggmlTypeSize(type: number): number {
  if (type === GgmlType.F32) return 4;
  if (type === GgmlType.F16) return 2;
  throw new UserError(`ggml tensor type ${type} is not F32 or F16 (quantized tensors are read by llama.cpp only)`);
}

/** The data of one F32 or F16 tensor of a whole GGUF file in `buf`, as float32 (ggml element order). */
export function readGgufTensor(buf: Buffer, file: GgufFile, info: GgufTensorInfo): Float32Array {
  const n = info.dims.reduce((a, b) => a * b, 1);
  const start = file.dataOffset + info.offset;
  const bytes = n * ggmlTypeSize(info.type);
  if (start + bytes > buf.length) throw new UserError(`tensor ${info.name} runs past the end of the file`);
  const out = new Float32Array(n);
  if (info.type === GgmlType.F32) {
    for (let i = 0; i < n; i++) out[i] = buf.readFloatLE(start + 4 * i);
  } else {
    for (let i = 0; i < n; i++) out[i] = f16ToF32(buf.readUInt16LE(start + 2 * i));
  }
  return out;
}

/** A metadata number (u32/u64/f32...) or undefined. */
export function metaNumber(file: GgufFile, key: string): number | undefined {
  const v = file.metadata.get(key);
  return typeof v === 'number' || typeof v === 'bigint' ? Number(v) : undefined;
}
