// A Llama-family decoder (llm.c style): one allocation for the parameters, one for their gradients,
// one for the activations of a (B, T) batch; the forward and backward passes are sequences of
// layer-level calls into ops.ts over those flat buffers. The heads (LM loss, token log-probs,
// scalar score) live in heads.ts; this file owns the trunk and the lm_head.
//
// Shapes: B sequences of T tokens, BT = B·T rows; C hidden, F intermediate, V vocab,
// H query heads, KVH key/value heads, hd head dim, qd = H·hd, kvd = KVH·hd.
import type { LlamaConfig } from './config.ts';
import { UserError } from '../util/errors.ts';
import { alloc, free, f32, i32 } from './memory.ts';
import * as ops from './ops.ts';
import { paramLayout, layerName, countParams, SCORE_BIAS, type ParamLayout } from './params.ts';
import { ActivationArena, type Acts } from './activations.ts';
import { Rng } from './sampling.ts';

/** Byte pointers of one layer's weights (and, in `grads`, of their gradients). */
export interface LayerWeights {
  ln1: number; q: number; k: number; v: number; o: number; ln2: number; gate: number; up: number; down: number;
}

export interface Weights {
  embed: number;
  layers: LayerWeights[];
  norm: number;
  lmHead: number; // = embed when tied
  scoreW: number; // 0 without a scalar head
  scoreB: number;
}

export interface ModelOptions {
  /** Adds `score.weight` [1, C] and `score.bias` [1]: a reward or value model. */
  scalarHead?: boolean;
}

export class LlamaModel {
  readonly layout: ParamLayout;
  readonly params: number; // byte pointer, layout.total floats
  grads = 0; // allocated by enableGrads()
  readonly w: Weights;
  g: Weights | null = null;
  readonly scalarHead: boolean;
  private arena: ActivationArena;
  private disposed = false;
  /** Incremented by every forward(); heads use it to refuse a backward over someone else's activations. */
  forwardCount = 0;

  constructor(readonly config: LlamaConfig, opts: ModelOptions = {}) {
    this.scalarHead = opts.scalarHead ?? false;
    this.layout = paramLayout(config, this.scalarHead);
    this.params = alloc(this.layout.total);
    ops.fill(this.params, 0, this.layout.total);
    this.w = this.pointers(this.params);
    this.arena = new ActivationArena(config);
  }

  /** Random initialisation (GPT-2 / Llama style): N(0, 0.02), residual projections scaled by 1/√(2L), norms 1. */
  static random(config: LlamaConfig, seed: number, opts: ModelOptions = {}): LlamaModel {
    const m = new LlamaModel(config, opts);
    const rng = new Rng(seed);
    const residualStd = 0.02 / Math.sqrt(2 * config.numLayers);
    for (const p of m.layout.list) {
      const view = m.view(p.name);
      if (p.shape.length === 1) view.fill(p.name === SCORE_BIAS ? 0 : 1);
      else {
        const std = /o_proj|down_proj/.test(p.name) ? residualStd : 0.02;
        for (let i = 0; i < view.length; i++) view[i] = rng.normal() * std;
      }
    }
    return m;
  }

  /**
   * A model from named tensors (a loaded checkpoint). `where` names the source in errors. A tied
   * model ignores a stray lm_head copy; a scalar-head model may lack lm_head (it stays zero) and
   * score.bias (zero).
   */
  static fromTensors(
    config: LlamaConfig, tensors: Map<string, { shape: number[]; data: Float32Array }>, opts: ModelOptions = {}, where = 'checkpoint',
  ): LlamaModel {
    const m = new LlamaModel(config, opts);
    try {
      for (const p of m.layout.list) {
        const t = tensors.get(p.name);
        if (!t) {
          if (p.name === SCORE_BIAS || (m.scalarHead && p.name === 'lm_head.weight')) continue;
          throw new UserError(`${where}: missing tensor "${p.name}"`);
        }
        if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
          throw new UserError(`${where}: tensor "${p.name}" has shape [${t.shape}], expected [${p.shape}]`);
        }
        m.view(p.name).set(t.data);
      }
    } catch (e) {
      m.dispose();
      throw e;
    }
    return m;
  }

  /** Copies of every tensor, by HF name (for saving a checkpoint). */
  toTensors(): Map<string, { shape: number[]; data: Float32Array }> {
    return new Map(this.layout.list.map((p) => [p.name, { shape: p.shape.slice(), data: this.view(p.name).slice() }]));
  }

  get numParams(): number {
    return countParams(this.layout);
  }

  /** A live float32 view of one parameter (re-take after allocations). */
  view(name: string, ofGrads = false): Float32Array {
    const p = this.layout.byName.get(name);
    if (!p) throw new Error(`no parameter "${name}"`);
    const base = ofGrads ? this.grads : this.params;
    if (!base) throw new Error('gradients are not enabled on this model');
    return f32(base + p.offset * 4, p.size);
  }

  enableGrads(): void {
    if (this.grads) return;
    this.grads = alloc(this.layout.total);
    this.g = this.pointers(this.grads);
    this.zeroGrads();
  }

  zeroGrads(): void {
    if (!this.grads) this.enableGrads();
    else ops.fill(this.grads, 0, this.layout.total);
  }

  private pointers(base: number): Weights {
    const c = this.config;
    const at = (name: string) => {
      const p = this.layout.byName.get(name);
      return p ? base + p.offset * 4 : 0;
    };
    const layers: LayerWeights[] = [];
    for (let l = 0; l < c.numLayers; l++) {
      const n = (part: string) => at(layerName(l, part));
      layers.push({
        ln1: n('input_layernorm.weight'), q: n('self_attn.q_proj.weight'), k: n('self_attn.k_proj.weight'),
        v: n('self_attn.v_proj.weight'), o: n('self_attn.o_proj.weight'), ln2: n('post_attention_layernorm.weight'),
        gate: n('mlp.gate_proj.weight'), up: n('mlp.up_proj.weight'), down: n('mlp.down_proj.weight'),
      });
    }
    const embed = at('model.embed_tokens.weight');
    return {
      embed, layers, norm: at('model.norm.weight'),
      lmHead: c.tieWordEmbeddings ? embed : at('lm_head.weight'),
      scoreW: at('score.weight'), scoreB: at('score.bias'),
    };
  }

  /** Checks a batch of token ids: shape B·T and every id inside the vocabulary. */
  checkIds(ids: ArrayLike<number>, B: number, T: number, what = 'token ids'): void {
    if (!Number.isInteger(B) || !Number.isInteger(T) || B < 1 || T < 1) throw new UserError(`batch shape must be positive integers, got B=${B} T=${T}`);
    if (ids.length !== B * T) throw new UserError(`${what}: expected B·T = ${B}·${T} = ${B * T} ids, got ${ids.length}`);
    const V = this.config.vocabSize;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!Number.isInteger(id) || id < 0 || id >= V) {
        throw new UserError(`${what}: id ${id} at position ${i} is outside the vocabulary (size ${V})`);
      }
    }
  }

  /**
   * Forward pass over ids [B, T] (each row one sequence at positions 0..T-1). Saves every
   * activation for backward(). With `logits`, also fills acts.logits [BT, V].
   */
  forward(ids: ArrayLike<number>, B: number, T: number, opts: { logits?: boolean } = {}): Acts {
    this.checkIds(ids, B, T);
    const withLogits = opts.logits ?? true;
    const a = this.arena.get(B, T, withLogits, this.grads !== 0);
    this.forwardCount++;
    const c = this.config, w = this.w;
    const BT = B * T, C = c.hiddenSize, F = c.intermediateSize;
    const hd = c.headDim, H = c.numHeads, KVH = c.numKvHeads, qd = H * hd, kvd = KVH * hd;
    i32(a.ids, BT).set(ids);
    const pos = i32(a.pos, BT);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) pos[b * T + t] = t;

    ops.embeddingForward(a.layers.length ? a.layers[0].x : a.xOut, w.embed, a.ids, BT, C);
    for (let l = 0; l < c.numLayers; l++) {
      const L = a.layers[l], W = w.layers[l];
      const xNext = l + 1 < c.numLayers ? a.layers[l + 1].x : a.xOut;
      // attention block: x → ln1 → q,k,v → rotary → causal GQA attention → o_proj, + x
      ops.rmsnormForward(L.ln1, L.rstd1, L.x, W.ln1, BT, C, c.rmsNormEps);
      ops.matmulNT(L.q, L.ln1, W.q, BT, C, qd, false);
      ops.matmulNT(L.k, L.ln1, W.k, BT, C, kvd, false);
      ops.matmulNT(L.v, L.ln1, W.v, BT, C, kvd, false);
      ops.ropeForward(L.q, a.pos, BT, H, hd, c.ropeTheta);
      ops.ropeForward(L.k, a.pos, BT, KVH, hd, c.ropeTheta);
      ops.attentionForward(L.attOut, L.att, L.q, L.k, L.v, B, T, H, KVH, hd);
      ops.copy(L.mid, L.x, BT * C);
      ops.matmulNT(L.mid, L.attOut, W.o, BT, qd, C, true);
      // MLP block: mid → ln2 → silu(gate)·up → down_proj, + mid
      ops.rmsnormForward(L.ln2, L.rstd2, L.mid, W.ln2, BT, C, c.rmsNormEps);
      ops.matmulNT(L.gate, L.ln2, W.gate, BT, C, F, false);
      ops.matmulNT(L.up, L.ln2, W.up, BT, C, F, false);
      ops.swigluForward(L.h, L.gate, L.up, BT * F);
      ops.copy(xNext, L.mid, BT * C);
      ops.matmulNT(xNext, L.h, W.down, BT, F, C, true);
    }
    ops.rmsnormForward(a.lnf, a.rstdf, a.xOut, w.norm, BT, C, c.rmsNormEps);
    if (withLogits) ops.matmulNT(a.logits, a.lnf, w.lmHead, BT, C, c.vocabSize, false);
    return a;
  }

  /** The activations of the last forward pass. */
  get acts(): Acts {
    if (!this.arena.acts) throw new Error('no forward pass has run');
    return this.arena.acts;
  }

  /** Backward from acts.logits holding dLoss/dlogits [BT, V]: lm_head, then the trunk. */
  backwardFromLogits(): void {
    const a = this.acts, c = this.config, g = this.gradPointers();
    if (!a.dx) throw new Error('the forward pass ran before gradients were enabled; call enableGrads() first');
    const BT = a.B * a.T, C = c.hiddenSize, V = c.vocabSize;
    ops.matmulNN(a.dln, a.logits, this.w.lmHead, BT, V, C, false);
    ops.matmulTN(g.lmHead, a.logits, a.lnf, V, BT, C, true);
    this.backwardFromHidden();
  }

  /** Backward from acts.dln holding dLoss/d(last hidden state) [BT, C] through every layer. */
  backwardFromHidden(): void {
    const a = this.acts, c = this.config, w = this.w, g = this.gradPointers();
    if (!a.dx) throw new Error('the forward pass ran before gradients were enabled; call enableGrads() first');
    const B = a.B, T = a.T, BT = B * T, C = c.hiddenSize, F = c.intermediateSize;
    const hd = c.headDim, H = c.numHeads, KVH = c.numKvHeads, qd = H * hd, kvd = KVH * hd;
    ops.fill(a.dx, 0, BT * C);
    ops.rmsnormBackward(a.dx, g.norm, a.dln, a.xOut, w.norm, a.rstdf, BT, C);
    for (let l = c.numLayers - 1; l >= 0; l--) {
      const L = a.layers[l], W = w.layers[l], G = g.layers[l];
      // MLP block (a.dx = dLoss/d(layer output), which is also dLoss/d(down_proj output))
      ops.matmulNN(a.dh, a.dx, W.down, BT, C, F, false);
      ops.matmulTN(G.down, a.dx, L.h, C, BT, F, true);
      ops.swigluBackward(a.dgate, a.dup, a.dh, L.gate, L.up, BT * F);
      ops.matmulNN(a.dln, a.dgate, W.gate, BT, F, C, false);
      ops.matmulNN(a.dln, a.dup, W.up, BT, F, C, true);
      ops.matmulTN(G.gate, a.dgate, L.ln2, F, BT, C, true);
      ops.matmulTN(G.up, a.dup, L.ln2, F, BT, C, true);
      ops.rmsnormBackward(a.dx, G.ln2, a.dln, L.mid, W.ln2, L.rstd2, BT, C); // a.dx is now dLoss/d(mid)
      // attention block
      ops.matmulNN(a.dAttOut, a.dx, W.o, BT, C, qd, false);
      ops.matmulTN(G.o, a.dx, L.attOut, C, BT, qd, true);
      ops.attentionBackward(a.dq, a.dk, a.dv, a.dAttOut, L.att, L.q, L.k, L.v, B, T, H, KVH, hd);
      ops.ropeBackward(a.dq, a.pos, BT, H, hd, c.ropeTheta);
      ops.ropeBackward(a.dk, a.pos, BT, KVH, hd, c.ropeTheta);
      ops.matmulNN(a.dln, a.dq, W.q, BT, qd, C, false);
      ops.matmulNN(a.dln, a.dk, W.k, BT, kvd, C, true);
      ops.matmulNN(a.dln, a.dv, W.v, BT, kvd, C, true);
      ops.matmulTN(G.q, a.dq, L.ln1, qd, BT, C, true);
      ops.matmulTN(G.k, a.dk, L.ln1, kvd, BT, C, true);
      ops.matmulTN(G.v, a.dv, L.ln1, kvd, BT, C, true);
      ops.rmsnormBackward(a.dx, G.ln1, a.dln, L.x, W.ln1, L.rstd1, BT, C); // a.dx is now dLoss/d(x)
    }
    ops.embeddingBackward(g.embed, a.dx, a.ids, BT, C);
  }

  gradPointers(): Weights {
    if (!this.g) this.enableGrads();
    return this.g!;
  }

  /** Bytes of parameters, gradients and activations held by this model. */
  bytes(): number {
    return this.layout.total * 4 * (this.grads ? 2 : 1) + this.arena.bytes();
  }

  /** Frees the activations (kept parameters and gradients). */
  releaseActivations(): void {
    this.arena.dispose();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.arena.dispose();
    free(this.params);
    if (this.grads) free(this.grads);
    this.grads = 0;
  }
}
