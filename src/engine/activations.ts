// The activations of one (B, T) forward pass, saved for the backward pass, plus the backward's
// scratch — all in one allocation (llm.c style). Every field is a byte pointer into the shared
// memory. The allocation is reused for any shape that fits and regrown when a larger one comes.
import type { LlamaConfig } from './config.ts';
import { alloc, free } from './memory.ts';

export interface LayerActs {
  x: number; // [BT, C] residual stream entering the layer
  ln1: number; // [BT, C] input_layernorm output
  rstd1: number; // [BT]
  q: number; // [BT, H*hd] after rotary
  k: number; // [BT, KVH*hd] after rotary
  v: number; // [BT, KVH*hd]
  att: number; // [B, H, T, T] softmax probabilities
  attOut: number; // [BT, H*hd]
  mid: number; // [BT, C] residual after attention
  ln2: number; // [BT, C] post_attention_layernorm output
  rstd2: number; // [BT]
  gate: number; // [BT, F]
  up: number; // [BT, F]
  h: number; // [BT, F] silu(gate) * up
}

export interface Acts {
  B: number;
  T: number;
  ids: number; // i32 [BT]
  pos: number; // i32 [BT]
  targets: number; // i32 [BT]
  rowWeights: number; // [BT]
  rowLoss: number; // [BT]
  rowExtra: number; // [BT] (entropy)
  layers: LayerActs[];
  xOut: number; // [BT, C] residual after the last layer
  lnf: number; // [BT, C] model.norm output (the "last hidden state")
  rstdf: number; // [BT]
  logits: number; // [BT, V] (overwritten in place by dlogits in training)
  // backward scratch
  dx: number; // [BT, C] gradient of the residual stream
  dln: number; // [BT, C] gradient of a norm's output (dlnf at the top)
  dq: number; // [BT, H*hd]
  dk: number; // [BT, KVH*hd]
  dv: number; // [BT, KVH*hd]
  dAttOut: number; // [BT, H*hd]
  dgate: number; // [BT, F]
  dup: number; // [BT, F]
  dh: number; // [BT, F]
}

/** Lays out (and allocates when needed) the activations for shape (B, T). */
export class ActivationArena {
  private base = 0;
  private capacity = 0; // floats
  acts: Acts | null = null;

  constructor(private readonly c: LlamaConfig) {}

  /** The layout for (B, T); `withLogits` adds logits [BT, V], `withBackward` the backward's scratch. */
  get(B: number, T: number, withLogits: boolean, withBackward: boolean): Acts {
    const have = this.acts;
    if (have && have.B === B && have.T === T && (!withLogits || have.logits !== 0) && (!withBackward || have.dx !== 0)) return have;
    const c = this.c;
    const BT = B * T, C = c.hiddenSize, F = c.intermediateSize;
    const qd = c.numHeads * c.headDim, kvd = c.numKvHeads * c.headDim;
    const sizes: Array<[string, number]> = [];
    let total = 0;
    const offsets = new Map<string, number>();
    const take = (name: string, n: number) => {
      offsets.set(name, total);
      sizes.push([name, n]);
      total += Math.ceil(n / 16) * 16;
    };
    for (const n of ['ids', 'pos', 'targets', 'rowWeights', 'rowLoss', 'rowExtra']) take(n, BT);
    for (let l = 0; l < c.numLayers; l++) {
      const p = `L${l}.`;
      take(p + 'x', BT * C); take(p + 'ln1', BT * C); take(p + 'rstd1', BT);
      take(p + 'q', BT * qd); take(p + 'k', BT * kvd); take(p + 'v', BT * kvd);
      take(p + 'att', B * c.numHeads * T * T); take(p + 'attOut', BT * qd);
      take(p + 'mid', BT * C); take(p + 'ln2', BT * C); take(p + 'rstd2', BT);
      take(p + 'gate', BT * F); take(p + 'up', BT * F); take(p + 'h', BT * F);
    }
    take('xOut', BT * C); take('lnf', BT * C); take('rstdf', BT);
    if (withLogits) take('logits', BT * c.vocabSize);
    if (withBackward) {
      take('dx', BT * C); take('dln', BT * C); take('dq', BT * qd); take('dk', BT * kvd); take('dv', BT * kvd);
      take('dAttOut', BT * qd); take('dgate', BT * F); take('dup', BT * F); take('dh', BT * F);
    }
    if (total > this.capacity) {
      if (this.base) free(this.base);
      this.base = 0; // stays 0 if alloc throws, so a later dispose does not double free
      this.base = alloc(total);
      this.capacity = total;
    }
    const at = (name: string) => {
      const o = offsets.get(name);
      return o === undefined ? 0 : this.base + o * 4;
    };
    const layers: LayerActs[] = [];
    for (let l = 0; l < c.numLayers; l++) {
      const p = `L${l}.`;
      layers.push({
        x: at(p + 'x'), ln1: at(p + 'ln1'), rstd1: at(p + 'rstd1'), q: at(p + 'q'), k: at(p + 'k'), v: at(p + 'v'),
        att: at(p + 'att'), attOut: at(p + 'attOut'), mid: at(p + 'mid'), ln2: at(p + 'ln2'), rstd2: at(p + 'rstd2'),
        gate: at(p + 'gate'), up: at(p + 'up'), h: at(p + 'h'),
      });
    }
    this.acts = {
      B, T, ids: at('ids'), pos: at('pos'), targets: at('targets'), rowWeights: at('rowWeights'), rowLoss: at('rowLoss'),
      rowExtra: at('rowExtra'), layers, xOut: at('xOut'), lnf: at('lnf'), rstdf: at('rstdf'), logits: at('logits'),
      dx: at('dx'), dln: at('dln'), dq: at('dq'), dk: at('dk'), dv: at('dv'), dAttOut: at('dAttOut'),
      dgate: at('dgate'), dup: at('dup'), dh: at('dh'),
    };
    return this.acts;
  }

  /** Bytes held. */
  bytes(): number {
    return this.capacity * 4;
  }

  dispose(): void {
    if (this.base) free(this.base);
    this.base = 0;
    this.capacity = 0;
    this.acts = null;
  }
}
