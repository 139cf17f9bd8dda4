// Inference with a KV cache: prefill prompts with full forward passes (several prompts of similar
// length in one, keeping their keys and values), then decode one token per sequence per step, several sequences as one batch of rows
// (each at its own position, reading its own cache slot).
import { UserError } from '../util/errors.ts';
import { alloc, free, f32, i32, memoryBytes } from './memory.ts';
import * as ops from './ops.ts';
import type { LlamaModel } from './model.ts';
import { KVCache } from './kv-cache.ts';
import { prefillGroups } from './prefill-groups.ts';

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
    return this.prefillMany([slot], [prompt])[0];
  }

  /**
   * Prefills several prompts (prompts[i] into the empty slot slots[i]) and returns each one's logits [V]
   * at its last position (copies). Prompts of similar length share one forward pass, right-padded to the
   * longest (causal attention: padding after a prompt never reaches it), so the weights are read once per
   * group instead of once per prompt; groups are cut where padding would waste more than it saves.
   */
  prefillMany(slots: ArrayLike<number>, prompts: ArrayLike<number>[]): Float32Array[] {
    const cache = this.cache;
    if (slots.length !== prompts.length) throw new Error(`prefill: ${slots.length} slots but ${prompts.length} prompts`);
    const seen = new Set<number>();
    prompts.forEach((p, i) => {
      const slot = slots[i];
      if (p.length < 1) throw new UserError('prompt is empty: at least one token is needed');
      if (p.length > cache.maxT) throw new UserError(`prompt has ${p.length} tokens, more than the ${cache.maxT} this decoder holds`);
      if (!Number.isInteger(slot) || slot < 0 || slot >= cache.slots) throw new Error(`prefill: slot ${slot} is not in 0..${cache.slots - 1}`);
      if (seen.has(slot)) throw new Error(`prefill: slot ${slot} listed twice`);
      seen.add(slot);
      if (cache.lens[slot] !== 0) throw new Error(`prefill: slot ${slot} is not empty`);
      this.checkIds(p);
    });
    const out: Float32Array[] = new Array(prompts.length);
    for (const group of prefillGroups(prompts.map((p) => p.length))) this.prefillGroup(group, slots, prompts, out);
    return out;
  }

  // One forward over the group's prompts as a [B, T] batch, T = the longest; k/v rows and logits per prompt.
  private prefillGroup(group: number[], slots: ArrayLike<number>, prompts: ArrayLike<number>[], out: Float32Array[]): void {
    const m = this.model, c = m.config, cache = this.cache, B = group.length;
    const T = Math.max(...group.map((i) => prompts[i].length));
    const ids = new Int32Array(B * T); // padding: id 0, any valid id does
    group.forEach((i, b) => ids.set(Array.from(prompts[i]), b * T));
    const a = m.forward(ids, B, T, { logits: false });
    const kvd = cache.rowFloats, C = c.hiddenSize, V = c.vocabSize;
    for (let l = 0; l < c.numLayers; l++) {
      // acts k/v are [B, T, KVH, hd]; a slot's first len cache rows take row b's first len positions.
      group.forEach((i, b) => {
        const len = prompts[i].length, from = (b * T) * kvd;
        f32(cache.k(l) + cache.rowOffset(slots[i], 0), len * kvd).set(f32(a.layers[l].k + from * 4, len * kvd));
        f32(cache.v(l) + cache.rowOffset(slots[i], 0), len * kvd).set(f32(a.layers[l].v + from * 4, len * kvd));
      });
    }
    // The last hidden rows, gathered up to 8 at a time: M <= 8 takes the matrix-vector path, whose rows are
    // independent, so each prompt's logits are bit for bit those of a prefill on its own.
    const rowsAtOnce = Math.min(8, cache.slots);
    for (let g0 = 0; g0 < B; g0 += rowsAtOnce) {
      const n = Math.min(rowsAtOnce, B - g0);
      const ln = f32(this.p.ln, n * C);
      for (let r = 0; r < n; r++) {
        const b = g0 + r, i = group[b];
        ln.set(f32(a.lnf + (b * T + prompts[i].length - 1) * C * 4, C), r * C);
      }
      ops.matmulNT(this.p.logits, this.p.ln, m.w.lmHead, n, C, V, false);
      const logits = f32(this.p.logits, n * V);
      for (let r = 0; r < n; r++) out[group[g0 + r]] = logits.slice(r * V, (r + 1) * V);
    }
    for (const i of group) cache.lens[slots[i]] = prompts[i].length;
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
