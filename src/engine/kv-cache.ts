// Keys and values of earlier positions, so decoding a token costs one row of work instead of a
// whole forward pass. One allocation: for each layer, k then v, each [slots, maxT, KVH, hd]
// (keys after rotary). A slot holds one sequence; `lens[slot]` positions of it are filled.
import { UserError } from '../util/errors.ts';
import { alloc, free } from './memory.ts';
import type { LlamaConfig } from './config.ts';

export class KVCache {
  private base: number;
  readonly lens: Int32Array; // [slots] positions filled
  private free: number[]; // slots not in use
  readonly rowFloats: number; // KVH·hd: one position of one layer's k (or v)

  constructor(readonly config: LlamaConfig, readonly slots: number, readonly maxT: number) {
    if (!Number.isInteger(slots) || slots < 1) throw new UserError(`KV cache slots must be a positive integer, got ${slots}`);
    if (!Number.isInteger(maxT) || maxT < 1) throw new UserError(`KV cache length must be a positive integer, got ${maxT}`);
    this.rowFloats = config.numKvHeads * config.headDim;
    this.base = alloc(2 * config.numLayers * slots * maxT * this.rowFloats);
    this.lens = new Int32Array(slots);
    this.free = Array.from({ length: slots }, (_, i) => slots - 1 - i);
  }

  private layerFloats(): number {
    return this.slots * this.maxT * this.rowFloats;
  }

  /** Byte pointer of layer l's key cache [slots, maxT, KVH, hd]. */
  k(l: number): number {
    return this.base + 2 * l * this.layerFloats() * 4;
  }

  /** Byte pointer of layer l's value cache [slots, maxT, KVH, hd]. */
  v(l: number): number {
    return this.base + (2 * l + 1) * this.layerFloats() * 4;
  }

  /** Byte offset, inside a layer's k or v cache, of (slot, position). */
  rowOffset(slot: number, pos: number): number {
    return (slot * this.maxT + pos) * this.rowFloats * 4;
  }

  /** Takes a free slot (its length reset to 0). */
  acquire(): number {
    const s = this.free.pop();
    if (s === undefined) throw new Error(`KV cache: all ${this.slots} slots are in use`);
    this.lens[s] = 0;
    return s;
  }

  release(slot: number): void {
    if (this.free.includes(slot)) throw new Error(`KV cache: slot ${slot} released twice`);
    this.lens[slot] = 0;
    this.free.push(slot);
  }

  get freeSlots(): number {
    return this.free.length;
  }

  bytes(): number {
    return 2 * this.config.numLayers * this.layerFloats() * 4;
  }

  dispose(): void {
    if (this.base) free(this.base);
    this.base = 0;
  }
}
