// Inference with a KV cache: prefill a prompt with one full forward pass (keeping its keys and
// values), then decode one token per sequence per step, several sequences as one batch of rows
// (each at its own position, reading its own cache slot).
import { UserError } from '../util/errors.ts';
import { alloc, free, f32, i32, memoryBytes } from './memory.ts';
import * as ops from './ops.ts';
import type { LlamaModel } from './model.ts';
import { KVCache } from './kv-cache.ts';

export class Decoder {
  readonly cache: KVCache;
  private buf = 0;
  private p: Record<'x' | 'ln' | 'rstd' | 'q' | 'k' | 'v' | 'attOut' | 'gate' | 'up' | 'h' | 'logits' | 'ids' | 'pos' | 'slots' | 'lens', number>;

  /** `slots` sequences at once, each up to `maxT` tokens (prompt + generated). */
  constructor(readonly model: LlamaModel, slots: number, maxT: number) {
    const c = model.config;
    this.cache = new KVCache(c, slots, maxT);
    const S = slots, C = c.hiddenSize, F = c.intermediateSize, qd = c.numHeads * c.headDim, kvd = c.numKvHeads * c.headDim;
    const sizes = {
      x: S * C, ln: S * C, rstd: S, q: S * qd, k: S * kvd, v: S * kvd, attOut: S * qd, gate: S * F, up: S * F, h: S * F,
      logits: S * c.vocabSize, ids: S, pos: S, slots: S, lens: S,
    };
    let total = 0;
    const offs: Record<string, number> = {};
    for (const [k, n] of Object.entries(sizes)) {
      offs[k] = total;
      total += Math.ceil(n / 16) * 16;
    }
    this.buf = alloc(total);
    this.p = Object.fromEntries(Object.entries(offs).map(([k, o]) => [k, this.buf + o * 4])) as Decoder['p'];
  }

  private checkIds(ids: ArrayLike<number>): void {
    const V = this.model.config.vocabSize;
    for (let i = 0; i < ids.length; i++) {
      if (!Number.isInteger(ids[i]) || ids[i] < 0 || ids[i] >= V) {
        throw new UserError(`token id ${ids[i]} at position ${i} is outside the vocabulary (size ${V})`);
      }
    }
  }

  /**
   * Runs the prompt through the model into an empty slot's cache; returns the logits [V] at its
   * last position (a copy).
   */
  prefill(slot: number, prompt: ArrayLike<number>): Float32Array {
    const m = this.model, c = m.config, cache = this.cache, T = prompt.length;
    if (T < 1) throw new UserError('prompt is empty: at least one token is needed');
    if (T > cache.maxT) throw new UserError(`prompt has ${T} tokens, more than the ${cache.maxT} this decoder holds`);
    if (cache.lens[slot] !== 0) throw new Error(`prefill: slot ${slot} is not empty`);
    const a = m.forward(prompt, 1, T, { logits: false });
    const kvd = cache.rowFloats;
    for (let l = 0; l < c.numLayers; l++) {
      // acts k/v are [T, KVH, hd], the same layout as a slot's first T cache rows.
      f32(cache.k(l) + cache.rowOffset(slot, 0), T * kvd).set(f32(a.layers[l].k, T * kvd));
      f32(cache.v(l) + cache.rowOffset(slot, 0), T * kvd).set(f32(a.layers[l].v, T * kvd));
    }
    cache.lens[slot] = T;
    const C = c.hiddenSize, V = c.vocabSize;
    ops.matmulNT(this.p.logits, a.lnf + (T - 1) * C * 4, m.w.lmHead, 1, C, V, false);
    return f32(this.p.logits, V).slice();
  }

  /**
   * Feeds one token to each listed slot (its next position) and returns the logits [S, V] (a copy),
   * row s for slots[s].
   */
  step(slots: ArrayLike<number>, tokens: ArrayLike<number>): Float32Array {
    const m = this.model, c = m.config, cache = this.cache, w = m.w, P = this.p;
    const S = slots.length;
    if (S < 1 || S > cache.slots) throw new Error(`decode step: ${S} sequences, this decoder holds 1..${cache.slots}`);
    if (tokens.length !== S) throw new Error(`decode step: ${S} slots but ${tokens.length} tokens`);
    this.checkIds(tokens);
    const C = c.hiddenSize, F = c.intermediateSize, V = c.vocabSize, hd = c.headDim, H = c.numHeads, KVH = c.numKvHeads;
    const qd = H * hd, kvd = KVH * hd, eps = c.rmsNormEps;
    const seen = new Set<number>();
    for (let s = 0; s < S; s++) {
      const slot = slots[s];
      if (seen.has(slot)) throw new Error(`decode step: slot ${slot} listed twice`);
      seen.add(slot);
      if (cache.lens[slot] < 1) throw new Error(`decode step: slot ${slot} has no prefilled prompt`);
      if (cache.lens[slot] >= cache.maxT) throw new UserError(`sequence in slot ${slot} reached the decoder's length limit ${cache.maxT}`);
    }
    i32(P.ids, S).set(tokens);
    const pos = i32(P.pos, S), sl = i32(P.slots, S), lens = i32(P.lens, S);
    for (let s = 0; s < S; s++) {
      pos[s] = cache.lens[slots[s]];
      sl[s] = slots[s];
      lens[s] = pos[s] + 1; // the new token's k, v are written before attention reads them
    }
    ops.embeddingForward(P.x, w.embed, P.ids, S, C);
    for (let l = 0; l < c.numLayers; l++) {
      const W = w.layers[l];
      ops.rmsnormForward(P.ln, P.rstd, P.x, W.ln1, S, C, eps);
      ops.matmulNT(P.q, P.ln, W.q, S, C, qd, false);
      ops.matmulNT(P.k, P.ln, W.k, S, C, kvd, false);
      ops.matmulNT(P.v, P.ln, W.v, S, C, kvd, false);
      ops.ropeForward(P.q, P.pos, S, H, hd, c.ropeTheta);
      ops.ropeForward(P.k, P.pos, S, KVH, hd, c.ropeTheta);
      const heap = f32(0, memoryBytes() >> 2);
      const kBase = cache.k(l) >> 2, vBase = cache.v(l) >> 2;
      for (let s = 0; s < S; s++) {
        const dst = cache.rowOffset(slots[s], pos[s]) >> 2;
        heap.copyWithin(kBase + dst, (P.k >> 2) + s * kvd, (P.k >> 2) + (s + 1) * kvd);
        heap.copyWithin(vBase + dst, (P.v >> 2) + s * kvd, (P.v >> 2) + (s + 1) * kvd);
      }
      ops.attentionDecode(P.attOut, P.q, cache.k(l), cache.v(l), P.slots, P.lens, S, H, KVH, hd, cache.maxT);
      ops.matmulNT(P.x, P.attOut, W.o, S, qd, C, true);
      ops.rmsnormForward(P.ln, P.rstd, P.x, W.ln2, S, C, eps);
      ops.matmulNT(P.gate, P.ln, W.gate, S, C, F, false);
      ops.matmulNT(P.up, P.ln, W.up, S, C, F, false);
      ops.swigluForward(P.h, P.gate, P.up, S * F);
      ops.matmulNT(P.x, P.h, W.down, S, F, C, true);
    }
    ops.rmsnormForward(P.ln, P.rstd, P.x, w.norm, S, C, eps);
    ops.matmulNT(P.logits, P.ln, w.lmHead, S, C, V, false);
    for (let s = 0; s < S; s++) cache.lens[slots[s]]++;
    return f32(P.logits, S * V).slice();
  }

  dispose(): void {
    this.cache.dispose();
    if (this.buf) free(this.buf);
    this.buf = 0;
  }
}
