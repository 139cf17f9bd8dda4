// How long a local model's sequences may be: its context length, shortened if the KV cache for a
// full batch would not fit the memory budget (all KV caches live in one WebAssembly memory, 4 GiB at
// most, beside the weights).

export const DEFAULT_KV_CACHE_MB = 1024;

/** Bytes of KV cache per token position per sequence: k and v for every layer, float32. */
export function kvBytesPerPosition(hf: Record<string, unknown>): number {
  const layers = Number(hf.num_hidden_layers);
  const heads = Number(hf.num_attention_heads);
  const kvHeads = Number(hf.num_key_value_heads ?? heads);
  const headDim = Number(hf.head_dim ?? Number(hf.hidden_size) / heads);
  const bytes = 2 * layers * kvHeads * headDim * 4;
  return Number.isFinite(bytes) && bytes > 0 ? bytes : 0;
}

/** The context a local model is served with: min(wanted, what a full batch's KV cache allows). */
export function servedContext(hf: Record<string, unknown>, wanted: number, batchSize: number, budgetMb = DEFAULT_KV_CACHE_MB): number {
  const perPosition = kvBytesPerPosition(hf);
  if (perPosition === 0) return wanted;
  const fits = Math.floor((budgetMb * 2 ** 20) / (perPosition * batchSize));
  return Math.max(1, Math.min(wanted, fits));
}
