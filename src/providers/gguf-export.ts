// Our checkpoints (HF layout) → a GGUF file that llama.cpp and Ollama run: llama architecture
// metadata, every weight under llama.cpp's tensor names (F32, or F16 for matrices), and the byte-level
// BPE tokenizer as llama.cpp's "gpt2" tokenizer model with the chat template.
import { basename } from 'node:path';
import { UserError } from '../util/errors.ts';
import { loadCheckpoint, expectedTensors, hasScalarHead } from '../engine/checkpoint.ts';
import { parseHfConfig, type HfLlamaConfig as LlamaConfig } from '../engine/config.ts';
import { loadTokenizer, type TokenizerConfig } from '../tokenizer/tokenizer-files.ts';
import { PARLEY_CHAT_TEMPLATE } from '../tokenizer/chat-template.ts';
import { LLAMA3_PATTERN, GPT2_PATTERN, type PreTokenizeStep } from '../tokenizer/pretokenize.ts';
import { SPECIAL } from '../tokenizer/special-tokens.ts';
import type { Tokenizer } from '../tokenizer/tokenizer.ts';
import { GgmlType, GgufFileType, GgufTokenType, GgufValueType, ggufTensorName } from './gguf-format.ts';
import { writeGguf, type GgufMetadataEntry, type GgufTensorToWrite } from './gguf-writer.ts';

export type GgufDtype = 'f32' | 'f16';

export interface GgufExportOptions {
  modelDir: string;
  out: string;
  dtype?: GgufDtype; // default f16: half the size, what llama.cpp's converter writes by default
  pre?: string; // llama.cpp pre-tokenizer name, when ours cannot be recognised
  name?: string; // general.name
}

export interface GgufExportSummary {
  out: string;
  bytes: number;
  tensors: number;
  vocabSize: number;
  pre: string;
  dtype: GgufDtype;
}

/**
 * HF stores q/k rows per head as [first halves | second halves] for `rotate_half`; llama.cpp's rope
 * rotates adjacent pairs (2i, 2i+1). Row h·hd + 2i + j of the result is row h·hd + j·hd/2 + i of `w`,
 * as llama.cpp's convert_hf_to_gguf permutes. w: [nHead·hd, cols] row-major.
 */
export function permuteForGgmlRope(w: Float32Array, nHead: number, cols: number): Float32Array {
  const rows = w.length / cols;
  const hd = rows / nHead;
  if (!Number.isInteger(hd) || hd % 2 !== 0) throw new Error(`cannot split ${rows} rows into ${nHead} heads of even size`);
  const out = new Float32Array(w.length);
  const half = hd / 2;
  for (let h = 0; h < nHead; h++) {
    for (let i = 0; i < half; i++) {
      for (let j = 0; j < 2; j++) {
        const src = (h * hd + j * half + i) * cols;
        const dst = (h * hd + 2 * i + j) * cols;
        out.set(w.subarray(src, src + cols), dst);
      }
    }
  }
  return out;
}

/** The llama.cpp pre-tokenizer (`tokenizer.ggml.pre`) that splits text as these HF steps do. */
export function llamaCppPreTokenizer(steps: PreTokenizeStep[]): string | undefined {
  const [a, b] = steps;
  if (steps.length === 2 && a.kind === 'split' && a.pattern === LLAMA3_PATTERN && b.kind === 'bytelevel' && !b.useRegex && !b.addPrefixSpace) return 'llama-bpe';
  if (steps.length === 1 && a.kind === 'bytelevel' && a.useRegex && !a.addPrefixSpace) return 'gpt-2';
  if (steps.length === 2 && a.kind === 'split' && a.pattern === GPT2_PATTERN && b.kind === 'bytelevel' && !b.useRegex && !b.addPrefixSpace) return 'gpt-2';
  return undefined;
}

function tokenName(v: TokenizerConfig[keyof TokenizerConfig]): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return undefined;
}

/** tokenizer.ggml.* and tokenizer.chat_template metadata for a byte-level BPE tokenizer. */
export function tokenizerMetadata(
  tokenizer: Tokenizer,
  config: TokenizerConfig,
  modelConfig: LlamaConfig,
  pre: string | undefined,
  source: string,
): { entries: GgufMetadataEntry[]; pre: string } {
  const V = modelConfig.vocab_size;
  if (tokenizer.vocabSize > V) {
    throw new UserError(`${source}: the tokenizer has ${tokenizer.vocabSize} tokens but the model's vocab_size is ${V}`);
  }
  const chosenPre = pre ?? llamaCppPreTokenizer(tokenizer.spec.preTokenizer);
  if (!chosenPre) {
    throw new UserError(
      `${source}: llama.cpp has no known pre-tokenizer matching this tokenizer's ${JSON.stringify(tokenizer.spec.preTokenizer)}; ` +
        'pass --pre NAME (a tokenizer.ggml.pre value such as llama-bpe or gpt-2) if you know the equivalent',
    );
  }
  const added = new Map(tokenizer.spec.added.map((a) => [a.id, a]));
  const tokens: string[] = [];
  const types: number[] = [];
  for (let id = 0; id < V; id++) {
    const t = id < tokenizer.vocabSize ? tokenizer.spec.tokens[id] : undefined;
    // Embedding rows beyond the tokenizer (vocab padded for speed) get placeholder tokens, as llama.cpp's converter does.
    tokens.push(t ?? `[PAD${id}]`);
    const a = added.get(id);
    types.push(t === undefined ? GgufTokenType.UNUSED : a ? (a.special ? GgufTokenType.CONTROL : GgufTokenType.USER_DEFINED) : GgufTokenType.NORMAL);
  }
  const merges = tokenizer.spec.merges.map(([a, b]) => `${tokenizer.spec.tokens[a]} ${tokenizer.spec.tokens[b]}`);
  const idOf = (name: string | undefined) => (name === undefined ? undefined : tokenizer.tokenToId(name));
  const cfgId = (v: unknown) => (Array.isArray(v) ? v[0] : v) as number | undefined;
  const parley = tokenizer.tokenToId(SPECIAL.endOfTurn) !== undefined && tokenizer.tokenToId(SPECIAL.begin) !== undefined;
  const bos = idOf(tokenName(config.bos_token)) ?? (parley ? idOf(SPECIAL.begin) : cfgId(modelConfig.bos_token_id));
  const eos = idOf(tokenName(config.eos_token)) ?? (parley ? idOf(SPECIAL.endOfTurn) : cfgId(modelConfig.eos_token_id));
  const pad = idOf(tokenName(config.pad_token)) ?? (parley ? idOf(SPECIAL.pad) : undefined);
  const template = typeof config.chat_template === 'string' ? config.chat_template : parley ? PARLEY_CHAT_TEMPLATE : undefined;
  // Templates that spell {{ bos_token }} add BOS themselves; adding it again would double it.
  const addBos = typeof config.add_bos_token === 'boolean' ? config.add_bos_token : !(template?.includes('bos_token') ?? false) && bos !== undefined;

  const entries: GgufMetadataEntry[] = [
    { key: 'tokenizer.ggml.model', type: GgufValueType.STRING, value: 'gpt2' },
    { key: 'tokenizer.ggml.pre', type: GgufValueType.STRING, value: chosenPre },
    { key: 'tokenizer.ggml.tokens', type: GgufValueType.STRING, value: tokens, array: true },
    { key: 'tokenizer.ggml.token_type', type: GgufValueType.INT32, value: types, array: true },
    { key: 'tokenizer.ggml.merges', type: GgufValueType.STRING, value: merges, array: true },
  ];
  const id = (key: string, v: number | undefined) => {
    if (v !== undefined && Number.isInteger(v) && v >= 0 && v < V) entries.push({ key, type: GgufValueType.UINT32, value: v });
  };
  id('tokenizer.ggml.bos_token_id', bos);
  id('tokenizer.ggml.eos_token_id', eos);
  if (parley) id('tokenizer.ggml.eot_token_id', idOf(SPECIAL.endOfTurn));
  id('tokenizer.ggml.padding_token_id', pad);
  entries.push({ key: 'tokenizer.ggml.add_bos_token', type: GgufValueType.BOOL, value: addBos });
  entries.push({ key: 'tokenizer.ggml.add_eos_token', type: GgufValueType.BOOL, value: false });
  if (template) entries.push({ key: 'tokenizer.chat_template', type: GgufValueType.STRING, value: template });
  return { entries, pre: chosenPre };
}

/** Model hyper-parameters under llama.cpp's `llama.*` keys. */
export function llamaMetadata(c: LlamaConfig, name: string, dtype: GgufDtype): GgufMetadataEntry[] {
  const u32 = (key: string, value: number): GgufMetadataEntry => ({ key, type: GgufValueType.UINT32, value });
  const f32 = (key: string, value: number): GgufMetadataEntry => ({ key, type: GgufValueType.FLOAT32, value });
  return [
    { key: 'general.architecture', type: GgufValueType.STRING, value: 'llama' },
    { key: 'general.name', type: GgufValueType.STRING, value: name },
    u32('general.file_type', dtype === 'f16' ? GgufFileType.MOSTLY_F16 : GgufFileType.ALL_F32),
    u32('llama.vocab_size', c.vocab_size),
    u32('llama.context_length', c.max_position_embeddings),
    u32('llama.embedding_length', c.hidden_size),
    u32('llama.block_count', c.num_hidden_layers),
    u32('llama.feed_forward_length', c.intermediate_size),
    u32('llama.attention.head_count', c.num_attention_heads),
    u32('llama.attention.head_count_kv', c.num_key_value_heads),
    u32('llama.attention.key_length', c.head_dim),
    u32('llama.attention.value_length', c.head_dim),
    u32('llama.rope.dimension_count', c.head_dim),
    f32('llama.rope.freq_base', c.rope_theta),
    f32('llama.attention.layer_norm_rms_epsilon', c.rms_norm_eps),
  ];
}

/** Writes `modelDir` as a GGUF file. */
export function exportGguf(o: GgufExportOptions): GgufExportSummary {
  const dtype = o.dtype ?? 'f16';
  if (dtype !== 'f16' && dtype !== 'f32') throw new UserError(`--dtype must be f16 or f32, got ${JSON.stringify(dtype)}`);
  const ckpt = loadCheckpoint(o.modelDir);
  const config = parseHfConfig(ckpt.config, `${o.modelDir}/config.json`);
  if (hasScalarHead(config)) throw new UserError(`${o.modelDir} is a reward/value model (scalar head): llama.cpp runs language models only`);
  const { tokenizer, config: tokConfig } = loadTokenizer(o.modelDir);
  const name = o.name ?? (typeof ckpt.parley?.name === 'string' ? ckpt.parley.name : basename(o.modelDir.replace(/\/+$/, '')));
  const tok = tokenizerMetadata(tokenizer, tokConfig, config, o.pre, o.modelDir);

  const tensors: GgufTensorToWrite[] = [];
  for (const e of expectedTensors(config)) {
    const t = ckpt.tensors.get(e.name);
    if (!t) continue; // an optional tensor (tied lm_head): llama.cpp then uses token_embd for output
    const gname = ggufTensorName(e.name);
    if (!gname) throw new UserError(`${o.modelDir}: tensor ${e.name} has no llama.cpp name`);
    let data = t.data;
    if (e.name.endsWith('self_attn.q_proj.weight')) data = permuteForGgmlRope(data, config.num_attention_heads, config.hidden_size);
    if (e.name.endsWith('self_attn.k_proj.weight')) data = permuteForGgmlRope(data, config.num_key_value_heads, config.hidden_size);
    // Norm weights stay F32, as llama.cpp expects of 1-D tensors.
    const type = dtype === 'f16' && t.shape.length === 2 ? GgmlType.F16 : GgmlType.F32;
    tensors.push({ name: gname, dims: [...t.shape].reverse(), type, data });
  }
  const bytes = writeGguf(o.out, [...llamaMetadata(config, name, dtype), ...tok.entries], tensors);
  return { out: o.out, bytes, tensors: tensors.length, vocabSize: config.vocab_size, pre: tok.pre, dtype };
}
