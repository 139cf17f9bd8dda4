// The shape of a Llama-family model, read from (and written to) a Hugging Face `config.json`.
// Only the fields the engine uses are kept; `toHfConfig` writes them back under their HF names so
// that transformers' LlamaForCausalLM loads what we save.
import { UserError } from '../util/errors.ts';

export interface LlamaConfig {
  vocabSize: number;
  hiddenSize: number; // C
  intermediateSize: number; // F, the SwiGLU width
  numLayers: number; // L
  numHeads: number; // H (query heads)
  numKvHeads: number; // KVH (key/value heads; H % KVH == 0)
  headDim: number; // hd (hiddenSize / numHeads unless config.json says otherwise)
  rmsNormEps: number;
  ropeTheta: number;
  maxPositionEmbeddings: number;
  tieWordEmbeddings: boolean;
}

function positiveInt(json: Record<string, unknown>, key: string, source: string, fallback?: number): number {
  const v = json[key] ?? fallback;
  if (v === undefined) throw new UserError(`${source}: missing "${key}"`);
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new UserError(`${source}: "${key}" must be a positive integer, got ${JSON.stringify(v)}`);
  }
  return v;
}

function positiveNumber(json: Record<string, unknown>, key: string, source: string, fallback: number): number {
  const v = json[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new UserError(`${source}: "${key}" must be a positive number, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Validates an HF Llama `config.json` object. `source` names the file in error messages. */
export function parseLlamaConfig(json: unknown, source = 'config.json'): LlamaConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new UserError(`${source}: expected a JSON object`);
  }
  const j = json as Record<string, unknown>;
  const act = j.hidden_act ?? 'silu';
  if (act !== 'silu') throw new UserError(`${source}: hidden_act "${String(act)}" is not supported (only "silu")`);
  const scaling = j.rope_scaling;
  if (scaling !== undefined && scaling !== null) {
    throw new UserError(`${source}: rope_scaling is not supported (got ${JSON.stringify(scaling)})`);
  }
  for (const flag of ['attention_bias', 'mlp_bias']) {
    if (j[flag] === true) throw new UserError(`${source}: ${flag}=true is not supported`);
  }
  const hiddenSize = positiveInt(j, 'hidden_size', source);
  const numHeads = positiveInt(j, 'num_attention_heads', source);
  const numKvHeads = positiveInt(j, 'num_key_value_heads', source, numHeads);
  if (j.head_dim === undefined && hiddenSize % numHeads !== 0) {
    throw new UserError(`${source}: hidden_size ${hiddenSize} is not divisible by num_attention_heads ${numHeads}`);
  }
  const headDim = positiveInt(j, 'head_dim', source, hiddenSize / numHeads);
  if (headDim % 2 !== 0) throw new UserError(`${source}: head_dim ${headDim} must be even (rotary embeddings)`);
  if (numHeads % numKvHeads !== 0) {
    throw new UserError(
      `${source}: num_attention_heads ${numHeads} is not a multiple of num_key_value_heads ${numKvHeads}`,
    );
  }
  const tie = j.tie_word_embeddings ?? false;
  if (typeof tie !== 'boolean') throw new UserError(`${source}: "tie_word_embeddings" must be true or false`);
  return {
    vocabSize: positiveInt(j, 'vocab_size', source),
    hiddenSize,
    intermediateSize: positiveInt(j, 'intermediate_size', source),
    numLayers: positiveInt(j, 'num_hidden_layers', source),
    numHeads,
    numKvHeads,
    headDim,
    rmsNormEps: positiveNumber(j, 'rms_norm_eps', source, 1e-6),
    ropeTheta: positiveNumber(j, 'rope_theta', source, 10000),
    maxPositionEmbeddings: positiveInt(j, 'max_position_embeddings', source, 2048),
    tieWordEmbeddings: tie,
  };
}

/** The HF `config.json` object for a config (LlamaForCausalLM, float32). */
export function toHfConfig(c: LlamaConfig): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: c.vocabSize,
    hidden_size: c.hiddenSize,
    intermediate_size: c.intermediateSize,
    num_hidden_layers: c.numLayers,
    num_attention_heads: c.numHeads,
    num_key_value_heads: c.numKvHeads,
    head_dim: c.headDim,
    hidden_act: 'silu',
    rms_norm_eps: c.rmsNormEps,
    rope_theta: c.ropeTheta,
    max_position_embeddings: c.maxPositionEmbeddings,
    tie_word_embeddings: c.tieWordEmbeddings,
    attention_bias: false,
    mlp_bias: false,
    torch_dtype: 'float32',
  };
}

/** A config for tests and benchmarks from a few numbers (head_dim = hidden / heads). */
export function makeConfig(p: {
  vocab: number; dim: number; layers: number; heads: number; kvHeads?: number; ffn: number;
  ctx?: number; tied?: boolean; theta?: number; eps?: number;
}): LlamaConfig {
  return parseLlamaConfig(
    {
      vocab_size: p.vocab, hidden_size: p.dim, intermediate_size: p.ffn, num_hidden_layers: p.layers,
      num_attention_heads: p.heads, num_key_value_heads: p.kvHeads ?? p.heads,
      max_position_embeddings: p.ctx ?? 2048, tie_word_embeddings: p.tied ?? false,
      rope_theta: p.theta ?? 10000, rms_norm_eps: p.eps ?? 1e-5,
    },
    'model config',
  );
}
