// The engine's one shared WebAssembly.Memory and the allocator that hands out its tensors.
// Pointers are byte offsets (JS numbers), 64-byte aligned so SIMD loads never straddle cache lines.
// The allocator lives in JS (kernels allocate nothing): a free list sorted by address, first fit,
// neighbours coalesced on free, so models and KV caches can come and go in a long-running server.

const PAGE = 65536;
const MAX_PAGES = 65536; // 4 GiB: the wasm32 address space
const ALIGN = 64;
/** The first 1 MiB belongs to the AssemblyScript module's static data (see build-kernels.js --initialMemory). */
export const RESERVED_BYTES = 1 << 20;

export const memory = new WebAssembly.Memory({ initial: RESERVED_BYTES / PAGE, maximum: MAX_PAGES, shared: true });

interface Block { ptr: number; size: number }
const freeList: Block[] = []; // sorted by ptr, never two adjacent blocks touching
const used = new Map<number, number>(); // ptr → size in bytes
let heapEnd = RESERVED_BYTES; // everything below is either reserved, in `used`, or in `freeList`
let buffer: ArrayBufferLike = memory.buffer;

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** Allocates room for `nFloats` 32-bit values (float32 or int32); returns the byte offset. Contents are not zeroed. */
export function alloc(nFloats: number): number {
  if (!Number.isInteger(nFloats) || nFloats < 0) throw new RangeError(`alloc: nFloats must be a non-negative integer, got ${nFloats}`);
  const size = Math.max(ALIGN, roundUp(nFloats * 4, ALIGN));
  for (let i = 0; i < freeList.length; i++) {
    const b = freeList[i];
    if (b.size < size) continue;
    const ptr = b.ptr;
    if (b.size === size) freeList.splice(i, 1);
    else { b.ptr += size; b.size -= size; }
    used.set(ptr, size);
    return ptr;
  }
  // No hole fits: extend the heap, reusing a free block that ends at the current top.
  const last = freeList[freeList.length - 1];
  const start = last && last.ptr + last.size === heapEnd ? last.ptr : heapEnd;
  const end = start + size;
  if (end > MAX_PAGES * PAGE) {
    throw new RangeError(
      `alloc: ${(size / 2 ** 20).toFixed(1)} MiB more would exceed the 4 GiB WebAssembly memory limit ` +
      `(${(totalAllocatedBytes() / 2 ** 20).toFixed(1)} MiB in use); use a smaller model, batch or context`,
    );
  }
  ensureBytes(end);
  if (start !== heapEnd) freeList.pop();
  heapEnd = end;
  used.set(start, size);
  return start;
}

function ensureBytes(end: number): void {
  const have = memory.buffer.byteLength;
  if (end <= have) return;
  // Grow geometrically (at least 1/8 more) so a stream of small allocations does not grow page by page.
  const need = Math.ceil((end - have) / PAGE);
  const pages = Math.min(MAX_PAGES - have / PAGE, Math.max(need, Math.ceil(have / PAGE / 8)));
  try {
    memory.grow(pages);
  } catch (e) {
    throw new RangeError(`alloc: could not grow the engine memory to ${((have + pages * PAGE) / 2 ** 20).toFixed(0)} MiB: ${(e as Error).message}`);
  }
  buffer = memory.buffer;
}

/** Returns a block to the allocator. Freeing twice or a pointer not from `alloc` is an error. */
export function free(ptr: number): void {
  const size = used.get(ptr);
  if (size === undefined) throw new RangeError(`free: ${ptr} is not an allocated block (double free?)`);
  used.delete(ptr);
  // Binary search for the insertion point, then merge with the neighbours it touches.
  let lo = 0, hi = freeList.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (freeList[mid].ptr < ptr) lo = mid + 1; else hi = mid; }
  const prev = freeList[lo - 1], next = freeList[lo];
  if (prev && prev.ptr + prev.size === ptr) {
    prev.size += size;
    if (next && prev.ptr + prev.size === next.ptr) { prev.size += next.size; freeList.splice(lo, 1); }
  } else if (next && ptr + size === next.ptr) {
    next.ptr = ptr; next.size += size;
  } else {
    freeList.splice(lo, 0, { ptr, size });
  }
}

/** Bytes handed out and not yet freed (rounded to the 64-byte granule). */
export function totalAllocatedBytes(): number {
  let s = 0;
  for (const v of used.values()) s += v;
  return s;
}

/** The size in bytes of an allocated block, or undefined. */
export function blockSize(ptr: number): number | undefined {
  return used.get(ptr);
}

/** Free blocks, for tests of the allocator: [ptr, size] pairs in address order. */
export function freeBlocks(): Array<[number, number]> {
  return freeList.map((b) => [b.ptr, b.size]);
}

function currentBuffer(): ArrayBufferLike {
  // Another module may grow the memory only through alloc, but re-check cheaply in case.
  if (buffer.byteLength !== memory.buffer.byteLength) buffer = memory.buffer;
  return buffer;
}

/** A float32 view of n elements at ptr. Re-take views after any alloc: growth detaches nothing but they do not see new pages. */
export function f32(ptr: number, n: number): Float32Array {
  return new Float32Array(currentBuffer(), ptr, n);
}

/** An int32 view of n elements at ptr (token ids, positions, slots). */
export function i32(ptr: number, n: number): Int32Array {
  return new Int32Array(currentBuffer(), ptr, n);
}

/** Allocates and fills from a JS array. */
export function allocFrom(data: ArrayLike<number>, kind: 'f32' | 'i32' = 'f32'): number {
  const p = alloc(data.length);
  if (kind === 'f32') f32(p, data.length).set(data);
  else i32(p, data.length).set(data);
  return p;
}

/** The memory's current size in bytes. */
export function memoryBytes(): number {
  return memory.buffer.byteLength;
}
