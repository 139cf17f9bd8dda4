// The safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian header
// length N, N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {..}}`,
// then the data; offsets are relative to the end of the header.
//
// Reading goes through a file handle, one tensor at a time, so a multi-gigabyte checkpoint never needs
// a second whole-file buffer: the only memory used is the Float32Array each tensor ends up in (F16/BF16
// are converted in bounded chunks). Everything in the header is checked before any data is read, and every
// error names the file and, where there is one, the tensor.
import { closeSync, fstatSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import { UserError } from '../util/errors.ts';

/** Every dtype the format defines, with its size in bytes. */
const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1,
  I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4,
  I64: 8, U64: 8, F64: 8,
};
/** The dtypes we can turn into numbers. Floats become Float32Array, integers Int32Array. */
export type FloatDtype = 'F32' | 'F16' | 'BF16' | 'F64';
export type IntDtype = 'I32' | 'I64';
export type Dtype = FloatDtype | IntDtype;

export interface TensorEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Byte range relative to the start of the data section. */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  file: string;
  fileSize: number;
  /** Absolute file offset where the data section starts (8 + header length). */
  dataStart: number;
  tensors: Map<string, TensorEntry>;
  metadata: Record<string, string>;
}

export type FloatTensor = { dtype: FloatDtype; shape: number[]; data: Float32Array };
export type IntTensor = { dtype: IntDtype; shape: number[]; data: Int32Array };
export type LoadedTensor = FloatTensor | IntTensor;

/** What `writeSafetensors` accepts: F32 or I32 data, or raw bytes of any dtype (used to build test files). */
export type TensorToWrite =
  | { shape: number[]; data: Float32Array | Int32Array }
  | { shape: number[]; dtype: string; bytes: Uint8Array };

// The format's own reference implementation refuses headers above 100 MB; a larger one is corrupt.
const MAX_HEADER_BYTES = 100_000_000;
// readSync takes at most 2 GiB per call; stay well under and keep conversion buffers small.
const CHUNK_BYTES = 1 << 24;

if (endianness() !== 'LE') throw new Error('safetensors.ts assumes a little-endian host');

function bad(file: string, what: string): UserError {
  return new UserError(`${file}: ${what}`);
}

function readExactly(fd: number, buf: Uint8Array, position: number, file: string, what: string): void {
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, Math.min(buf.length - done, CHUNK_BYTES), position + done);
    if (n === 0) throw bad(file, `unexpected end of file while reading ${what} (file is truncated)`);
    done += n;
  }
}

function elementCount(shape: number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Parses and validates the header of an open file. */
function parseHeader(fd: number, file: string): SafetensorsHeader {
  const fileSize = fstatSync(fd).size;
  if (fileSize < 8) throw bad(file, `file is ${fileSize} bytes, too short for a safetensors header (truncated?)`);
  const lenBuf = new Uint8Array(8);
  readExactly(fd, lenBuf, 0, file, 'the header length');
  const headerLen64 = new DataView(lenBuf.buffer).getBigUint64(0, true);
  if (headerLen64 > BigInt(MAX_HEADER_BYTES)) {
    throw bad(file, `header length ${headerLen64} is over the 100 MB limit: not a safetensors file, or corrupt`);
  }
  const headerLen = Number(headerLen64);
  if (8 + headerLen > fileSize) {
    throw bad(file, `header length ${headerLen} runs past the end of the ${fileSize}-byte file (truncated or not safetensors)`);
  }
  const headerBytes = new Uint8Array(headerLen);
  readExactly(fd, headerBytes, 8, file, 'the header');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (e) {
    throw bad(file, `header is not valid JSON (${(e as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw bad(file, 'header is not a JSON object');
  }
  const dataStart = 8 + headerLen;
  const dataSize = fileSize - dataStart;
  const tensors = new Map<string, TensorEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad(file, '__metadata__ is not an object');
      metadata = raw as Record<string, string>;
      continue;
    }
    tensors.set(name, parseEntry(file, name, raw, dataSize));
  }
  // Tensors may come in any order in the header, but their byte ranges must not overlap.
  const byStart = [...tensors.values()].filter((t) => t.end > t.begin).sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < byStart.length; i++) {
    const prev = byStart[i - 1], cur = byStart[i];
    if (cur.begin < prev.end) {
      throw bad(file, `tensor "${cur.name}" bytes [${cur.begin}, ${cur.end}) overlap tensor "${prev.name}" bytes [${prev.begin}, ${prev.end})`);
    }
  }
  return { file, fileSize, dataStart, tensors, metadata };
}

function parseEntry(file: string, name: string, raw: unknown, dataSize: number): TensorEntry {
  const where = `tensor "${name}"`;
  if (raw === null || typeof raw !== 'object') throw bad(file, `${where}: header entry is not an object`);
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) {
    throw bad(file, `${where}: unknown dtype ${JSON.stringify(dtype)} (known: ${Object.keys(DTYPE_BYTES).join(', ')})`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw bad(file, `${where}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw bad(file, `${where}: data_offsets ${JSON.stringify(offsets)} is not [begin, end] with non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw bad(file, `${where}: data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataSize) {
    throw bad(file, `${where}: data_offsets [${begin}, ${end}] run past the end of the ${dataSize}-byte data section (file truncated?)`);
  }
  const want = elementCount(shape) * DTYPE_BYTES[dtype];
  if (want !== end - begin) {
    throw bad(file, `${where}: shape [${shape.join(', ')}] of ${dtype} needs ${want} bytes but data_offsets span ${end - begin}`);
  }
  return { name, dtype, shape: shape.slice(), begin, end };
}

/** Reads and validates only the header (cheap even for huge files). */
export function readSafetensorsHeader(file: string): SafetensorsHeader {
  const fd = openForRead(file);
  try {
    return parseHeader(fd, file);
  } finally {
    closeSync(fd);
  }
}

function openForRead(file: string): number {
  try {
    return openSync(file, 'r');
  } catch (e) {
    throw bad(file, `cannot open (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

// F16 → F32 through a 65536-entry table: one lookup per element, exact for every bit pattern.
let f16Table: Float32Array | null = null;
/** The float32 value of an IEEE half-precision bit pattern (subnormals, ±inf and NaN included). */
export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero and subnormals: frac · 2⁻¹⁴ · 2⁻¹⁰
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
function halfTable(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = f16ToF32(h);
  }
  return f16Table;
}
/** bfloat16 is the top half of a float32, so widening is a shift (NaN payloads are kept). */
export function bf16ToF32(b: number): number {
  const u = new Uint32Array([b << 16]);
  return new Float32Array(u.buffer)[0];
}

/** Reads one tensor of an already-parsed file into a new typed array. */
function readEntry(fd: number, h: SafetensorsHeader, t: TensorEntry): LoadedTensor {
  const n = elementCount(t.shape);
  const at = h.dataStart + t.begin;
  const what = `tensor "${t.name}"`;
  switch (t.dtype) {
    case 'F32': {
      const data = new Float32Array(n);
      readExactly(fd, new Uint8Array(data.buffer), at, h.file, what);
      return { dtype: 'F32', shape: t.shape, data };
    }
    case 'I32': {
      const data = new Int32Array(n);
      readExactly(fd, new Uint8Array(data.buffer), at, h.file, what);
      return { dtype: 'I32', shape: t.shape, data };
    }
    case 'F16':
    case 'BF16': {
      const data = new Float32Array(n);
      const table = t.dtype === 'F16' ? halfTable() : null;
      const out32 = new Uint32Array(data.buffer);
      convertInChunks(fd, h, t, at, 2, (chunk, offset) => {
        const src = new Uint16Array(chunk.buffer, chunk.byteOffset, chunk.length / 2);
        if (table) for (let i = 0; i < src.length; i++) data[offset + i] = table[src[i]];
        else for (let i = 0; i < src.length; i++) out32[offset + i] = src[i] << 16;
      });
      return { dtype: t.dtype, shape: t.shape, data };
    }
    case 'F64': {
      const data = new Float32Array(n);
      convertInChunks(fd, h, t, at, 8, (chunk, offset) => {
        const src = new Float64Array(chunk.buffer, chunk.byteOffset, chunk.length / 8);
        for (let i = 0; i < src.length; i++) data[offset + i] = src[i];
      });
      return { dtype: 'F64', shape: t.shape, data };
    }
    case 'I64': {
      const data = new Int32Array(n);
      convertInChunks(fd, h, t, at, 8, (chunk, offset) => {
        const src = new BigInt64Array(chunk.buffer, chunk.byteOffset, chunk.length / 8);
        for (let i = 0; i < src.length; i++) {
          const v = src[i];
          if (v < -2147483648n || v > 2147483647n) {
            throw bad(h.file, `${what}: I64 value ${v} at index ${offset + i} does not fit in 32 bits`);
          }
          data[offset + i] = Number(v);
        }
      });
      return { dtype: 'I64', shape: t.shape, data };
    }
    default:
      throw bad(h.file, `${what}: dtype ${t.dtype} is valid safetensors but not supported here (F32, F16, BF16, F64, I32, I64 are)`);
  }
}

// Reads a tensor's bytes in chunks (a whole number of elements each) and hands each to `convert`,
// so converting a large F16 tensor needs only one small staging buffer.
function convertInChunks(
  fd: number, h: SafetensorsHeader, t: TensorEntry, at: number, elemBytes: number,
  convert: (chunk: Uint8Array, elemOffset: number) => void,
): void {
  const total = t.end - t.begin;
  const step = Math.min(total, Math.floor(CHUNK_BYTES / elemBytes) * elemBytes) || elemBytes;
  // An 8-byte-aligned staging buffer so typed-array views of any element size are legal.
  const staging = new Uint8Array(new ArrayBuffer(step));
  for (let done = 0; done < total; done += step) {
    const len = Math.min(step, total - done);
    const chunk = staging.subarray(0, len);
    readExactly(fd, chunk, at + done, h.file, `tensor "${t.name}"`);
    convert(chunk, done / elemBytes);
  }
}

/**
 * Reads the tensors of a safetensors file (all of them, or those in `names`).
 * Floats come back as Float32Array, I32/I64 as Int32Array. Throws a UserError naming file and tensor
 * on any inconsistency, including a requested name that is not in the file.
 */
export function readSafetensors(file: string, names?: Iterable<string>): Map<string, LoadedTensor> {
  const fd = openForRead(file);
  try {
    const h = parseHeader(fd, file);
    const wanted = names ? [...names] : [...h.tensors.keys()];
    const out = new Map<string, LoadedTensor>();
    for (const name of wanted) {
      const t = h.tensors.get(name);
      if (!t) throw bad(file, `tensor "${name}" is not in this file`);
      out.set(name, readEntry(fd, h, t));
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/** Narrows a loaded tensor to float data, with an error naming file and tensor otherwise. */
export function asFloat(t: LoadedTensor | undefined, file: string, name: string): FloatTensor {
  if (!t) throw bad(file, `tensor "${name}" is missing`);
  if (!(t.data instanceof Float32Array)) throw bad(file, `tensor "${name}" has dtype ${t.dtype}, expected a float tensor`);
  return t as FloatTensor;
}
/** Narrows a loaded tensor to integer data, with an error naming file and tensor otherwise. */
export function asInt(t: LoadedTensor | undefined, file: string, name: string): IntTensor {
  if (!t) throw bad(file, `tensor "${name}" is missing`);
  if (!(t.data instanceof Int32Array)) throw bad(file, `tensor "${name}" has dtype ${t.dtype}, expected an integer tensor`);
  return t as IntTensor;
}

/**
 * Writes a safetensors file: F32 for Float32Array, I32 for Int32Array, raw bytes as given.
 * Tensors are laid out in the order given. The file is written under a temporary name and renamed into
 * place, so a crash never leaves a half-written file at `file`.
 */
export function writeSafetensors(
  file: string,
  tensors: Iterable<[string, TensorToWrite]>,
  metadata?: Record<string, string>,
): void {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === '__metadata__') throw new Error('"__metadata__" is reserved and cannot name a tensor');
    if (name in header) throw new Error(`tensor "${name}" given twice`);
    let dtype: string;
    let bytes: Uint8Array;
    if ('bytes' in t) {
      dtype = t.dtype;
      bytes = t.bytes;
    } else {
      dtype = t.data instanceof Float32Array ? 'F32' : 'I32';
      bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    }
    const size = DTYPE_BYTES[dtype];
    if (size === undefined) throw new Error(`tensor "${name}": unknown dtype ${dtype}`);
    if (elementCount(t.shape) * size !== bytes.length) {
      throw new Error(`tensor "${name}": shape [${t.shape.join(', ')}] of ${dtype} needs ${elementCount(t.shape) * size} bytes, data has ${bytes.length}`);
    }
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    parts.push(bytes);
    offset += bytes.length;
  }
  // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const jsonBytes = Buffer.from(json, 'utf-8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(jsonBytes.length));

  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  const fd = openSync(tmp, 'w');
  try {
    writeAll(fd, len);
    writeAll(fd, jsonBytes);
    for (const p of parts) writeAll(fd, p);
    fsyncSync(fd); // the data must be on disk before the rename makes it visible
    closeSync(fd);
    renameSync(tmp, file);
  } catch (e) {
    try { closeSync(fd); } catch { /* already closed */ }
    rmSync(tmp, { force: true });
    throw e;
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length;) {
    done += writeSync(fd, bytes, done, Math.min(bytes.length - done, CHUNK_BYTES));
  }
}
