// Where each parameter lives inside the model's one flat parameter allocation (and, at the same
// offsets, inside the gradient and optimizer-state allocations). Names are Hugging Face's, so a
// checkpoint maps onto the layout one tensor at a time.
//
// Weight-decayed tensors (matrices) come first and the rest (norm weights, the scalar head's bias)
// after, so the optimizer updates each group with one call over a contiguous range.
import type { LlamaConfig } from './config.ts';

export interface ParamInfo {
  name: string;
  shape: number[];
  size: number; // elements
  offset: number; // in float32 elements from the start of the block (multiple of 16 = 64 bytes)
  decay: boolean;
}

export interface ParamLayout {
  list: ParamInfo[];
  byName: Map<string, ParamInfo>;
  total: number; // elements, including alignment padding
  decayEnd: number; // tensors at offsets < decayEnd are weight-decayed
}

export const SCORE_WEIGHT = 'score.weight'; // [1, hidden]
export const SCORE_BIAS = 'score.bias'; // [1]

const ALIGN = 16; // floats: keeps every tensor 64-byte aligned for the SIMD kernels

export function layerName(l: number, part: string): string {
  return `model.layers.${l}.${part}`;
}

export function paramLayout(c: LlamaConfig, scalarHead: boolean): ParamLayout {
  const C = c.hiddenSize, F = c.intermediateSize;
  const qd = c.numHeads * c.headDim, kvd = c.numKvHeads * c.headDim;
  const decayed: Array<[string, number[]]> = [['model.embed_tokens.weight', [c.vocabSize, C]]];
  const plain: Array<[string, number[]]> = [];
  for (let l = 0; l < c.numLayers; l++) {
    decayed.push(
      [layerName(l, 'self_attn.q_proj.weight'), [qd, C]],
      [layerName(l, 'self_attn.k_proj.weight'), [kvd, C]],
      [layerName(l, 'self_attn.v_proj.weight'), [kvd, C]],
      [layerName(l, 'self_attn.o_proj.weight'), [C, qd]],
      [layerName(l, 'mlp.gate_proj.weight'), [F, C]],
      [layerName(l, 'mlp.up_proj.weight'), [F, C]],
      [layerName(l, 'mlp.down_proj.weight'), [C, F]],
    );
    plain.push([layerName(l, 'input_layernorm.weight'), [C]], [layerName(l, 'post_attention_layernorm.weight'), [C]]);
  }
  if (!c.tieWordEmbeddings) decayed.push(['lm_head.weight', [c.vocabSize, C]]);
  plain.push(['model.norm.weight', [C]]);
  if (scalarHead) {
    decayed.push([SCORE_WEIGHT, [1, C]]);
    plain.push([SCORE_BIAS, [1]]);
  }
  const list: ParamInfo[] = [];
  let offset = 0;
  const place = (entries: Array<[string, number[]]>, decay: boolean) => {
    for (const [name, shape] of entries) {
      const size = shape.reduce((a, b) => a * b, 1);
      list.push({ name, shape, size, offset, decay });
      offset += Math.ceil(size / ALIGN) * ALIGN;
    }
  };
  place(decayed, true);
  const decayEnd = offset;
  place(plain, false);
  return { list, byName: new Map(list.map((p) => [p.name, p])), total: offset, decayEnd };
}

/** Number of real parameters (no padding; a tied lm_head is not counted twice). */
export function countParams(layout: ParamLayout): number {
  return layout.list.reduce((s, p) => s + p.size, 0);
}
