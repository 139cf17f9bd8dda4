// A scalar-head model (one number per sequence, read off the last hidden state: reward, value and
// moderation-verifier models) made from a language model's weights.
import type { LlamaConfig } from './config.ts';
import { LlamaModel } from './model.ts';
import { SCORE_BIAS, SCORE_WEIGHT } from './params.ts';
import { Rng } from './sampling.ts';

export const LM_HEAD = 'lm_head.weight';

/**
 * A scalar model reads its score off the last hidden state and has no use for an LM head. The engine
 * allocates lm_head for every untied config, so an untied base would carry its lm_head along: in the
 * optimizer (decayed every step), in the checkpoint (V·C floats) and in PPO's value model, read by no
 * one. The scalar model's config is therefore tied (HF's LlamaForSequenceClassification has no lm_head;
 * the flag only means something to a causal LM), so no lm_head exists. A checkpoint saved before this
 * still loads (its lm_head fills the unused slot) and loses the head when trained again.
 */
export function scalarConfig(c: LlamaConfig): LlamaConfig {
  return c.tieWordEmbeddings ? c : { ...c, tieWordEmbeddings: true };
}

/** A scalar-head model from a language model's weights (the head starts small and random). `label` names it in errors. */
export function withScalarHead(lm: LlamaModel, seed: number, label = 'reward model'): LlamaModel {
  const tensors = lm.toTensors();
  tensors.delete(LM_HEAD);
  const C = lm.config.hiddenSize, rng = new Rng(seed);
  tensors.set(SCORE_WEIGHT, { shape: [1, C], data: Float32Array.from({ length: C }, () => rng.normal() * 0.02) });
  tensors.set(SCORE_BIAS, { shape: [1], data: new Float32Array(1) });
  return LlamaModel.fromTensors(scalarConfig(lm.config), tensors, { scalarHead: true }, label);
}
