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

/**
 * A config.json with HF's field names, HF LlamaConfig's defaults filled in and unknown fields kept
 * (what checkpoint code reads and writes; `parseHfConfig` makes one).
 */
export interface HfLlamaConfig {
  vocab_size: number;
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  head_dim: number;
  max_position_embeddings: number;
  rms_norm_eps: number;
  rope_theta: number;
  tie_word_embeddings: boolean;
  bos_token_id?: number | null;
  eos_token_id?: number | number[] | null;
  /** Present (as ["LlamaForSequenceClassification"]) on scalar-head models: reward and value models. */
  architectures?: string[];
  [other: string]: unknown;
}

/**
 * Validates an HF Llama `config.json` object as a model the engine can run and maps it to the engine's
 * names, filling HF LlamaConfig's defaults. Features the engine does not implement are refused rather than
 * ignored, because ignoring them would give wrong logits without any sign of it. `source` names the file.
 * This is the only place config.json is validated: `parseHfConfig` and `makeConfig` go through it.
 */
export function parseLlamaConfig(json: unknown, source = 'config.json'): LlamaConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new UserError(`${source}: config is not a JSON object`);
  }
  const raw = json as Record<string, unknown>;
  const where = (field: string) => `${source}: "${field}"`;
  const int = (field: string, fallback?: number): number => {
    const v = raw[field] ?? fallback;
    if (v === undefined) throw new UserError(`${where(field)} is missing`);
    if (!Number.isSafeInteger(v) || (v as number) <= 0) {
      throw new UserError(`${where(field)} must be a positive integer, got ${JSON.stringify(v)}`);
    }
    return v as number;
  };
  const num = (field: string, fallback: number): number => {
    const v = raw[field] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new UserError(`${where(field)} must be a positive number, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  if (raw.model_type !== undefined && raw.model_type !== 'llama') {
    throw new UserError(`${where('model_type')} is ${JSON.stringify(raw.model_type)}; only "llama" checkpoints are supported`);
  }
  const act = raw.hidden_act ?? 'silu';
  if (act !== 'silu') throw new UserError(`${where('hidden_act')} is ${JSON.stringify(act)}; only "silu" (SwiGLU) is supported`);
  for (const f of ['attention_bias', 'mlp_bias']) {
    if (raw[f]) throw new UserError(`${where(f)} is true; biases in attention/MLP are not supported`);
  }
  if (raw.rope_scaling != null) {
    throw new UserError(`${where('rope_scaling')} is ${JSON.stringify(raw.rope_scaling)}; only plain rotary embeddings (rope_scaling null) are supported`);
  }
  if (raw.rope_interleaved === true) {
    throw new UserError(`${where('rope_interleaved')} is true; only HF's rotate_half pairing (i, i + head_dim/2) is supported`);
  }
  const hiddenSize = int('hidden_size');
  const numHeads = int('num_attention_heads');
  const numKvHeads = int('num_key_value_heads', numHeads);
  if (raw.head_dim == null && hiddenSize % numHeads !== 0) {
    throw new UserError(`${source}: hidden_size ${hiddenSize} is not divisible by num_attention_heads ${numHeads}`);
  }
  const headDim = int('head_dim', hiddenSize / numHeads);
  if (numHeads % numKvHeads !== 0) {
    throw new UserError(`${source}: num_attention_heads ${numHeads} is not a multiple of num_key_value_heads ${numKvHeads}`);
  }
  if (headDim % 2 !== 0) throw new UserError(`${source}: head_dim ${headDim} must be even for rotary embeddings`);
  const tie = raw.tie_word_embeddings ?? false;
  if (typeof tie !== 'boolean') throw new UserError(`${where('tie_word_embeddings')} must be true or false`);
  return {
    vocabSize: int('vocab_size'),
    hiddenSize,
    intermediateSize: int('intermediate_size'),
    numLayers: int('num_hidden_layers'),
    numHeads,
    numKvHeads,
    headDim,
    rmsNormEps: num('rms_norm_eps', 1e-6),
    ropeTheta: num('rope_theta', 10000),
    maxPositionEmbeddings: int('max_position_embeddings', 2048),
    tieWordEmbeddings: tie,
  };
}

/** The engine's fields under their HF names: the one HF↔engine mapping (the inverse of parseLlamaConfig). */
function hfFields(c: LlamaConfig) {
  return {
    vocab_size: c.vocabSize,
    hidden_size: c.hiddenSize,
    intermediate_size: c.intermediateSize,
    num_hidden_layers: c.numLayers,
    num_attention_heads: c.numHeads,
    num_key_value_heads: c.numKvHeads,
    head_dim: c.headDim,
    rms_norm_eps: c.rmsNormEps,
    rope_theta: c.ropeTheta,
    max_position_embeddings: c.maxPositionEmbeddings,
    tie_word_embeddings: c.tieWordEmbeddings,
  };
}

/** Validates like parseLlamaConfig but keeps HF's names and every other field of config.json, defaults filled. */
export function parseHfConfig(json: unknown, source = 'config.json'): HfLlamaConfig {
  const c = parseLlamaConfig(json, source);
  return { ...(json as Record<string, unknown>), ...hfFields(c) };
}

/** The HF `config.json` object for a config (LlamaForCausalLM, float32). */
export function toHfConfig(c: LlamaConfig): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    ...hfFields(c),
    hidden_act: 'silu',
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
