// The GGUF container format (version 3) shared by our reader and writer: value type codes, tensor
// type codes and the llama.cpp tensor names for the Llama architecture.
// Layout: "GGUF" u32 version, u64 tensor count, u64 metadata count, metadata key/values, tensor infos,
// padding to `general.alignment` (default 32), then tensor data, each tensor at an aligned offset.
// All integers little-endian; strings are u64 length + UTF-8 bytes.

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;

export enum GgufValueType {
  UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6, BOOL = 7,
  STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12,
}

/** ggml tensor types we read and write (quantized types are llama.cpp's business). */
export enum GgmlType {
  F32 = 0,
  F16 = 1,
}

/** `general.file_type`: the dominant tensor type of the file. */
export enum GgufFileType {
  ALL_F32 = 0,
  MOSTLY_F16 = 1,
}

/** llama.cpp's tokenizer token types (`tokenizer.ggml.token_type`). */
export enum GgufTokenType {
  NORMAL = 1,
  UNKNOWN = 2,
  CONTROL = 3,
  USER_DEFINED = 4,
  UNUSED = 5,
  BYTE = 6,
}

export type GgufScalar = number | bigint | boolean | string;
export type GgufValue = GgufScalar | GgufScalar[];

/** HF tensor name → llama.cpp GGUF tensor name (Llama architecture), or undefined if not a Llama tensor. */
export function ggufTensorName(hfName: string): string | undefined {
  const fixed: Record<string, string> = {
    'model.embed_tokens.weight': 'token_embd.weight',
    'model.norm.weight': 'output_norm.weight',
    'lm_head.weight': 'output.weight',
  };
  if (fixed[hfName]) return fixed[hfName];
  const m = /^model\.layers\.(\d+)\.(.+)\.weight$/.exec(hfName);
  if (!m) return undefined;
  const parts: Record<string, string> = {
    'self_attn.q_proj': 'attn_q',
    'self_attn.k_proj': 'attn_k',
    'self_attn.v_proj': 'attn_v',
    'self_attn.o_proj': 'attn_output',
    'mlp.gate_proj': 'ffn_gate',
    'mlp.up_proj': 'ffn_up',
    'mlp.down_proj': 'ffn_down',
    input_layernorm: 'attn_norm',
    post_attention_layernorm: 'ffn_norm',
  };
  const part = parts[m[2]];
  return part ? `blk.${m[1]}.${part}.weight` : undefined;
}
