"""PyTorch baseline for `parley bench decode`: greedy decoding with a KV cache, a random untied float32
Llama of the shape given by the same flags as train_bench.py (llama_reference.py's layers, HF semantics).

For each batch size in --batches: prefill a random prompt of --prompt tokens per sequence, then decode
--tokens new tokens one step at a time (every sequence in the batch advances together), greedy argmax.
Prints one JSON line: {"tokens_per_s_batch1": ..., "tokens_per_s_batch8": ..., "peak_rss_mb": ...}, where
tokens_per_s = batch * new tokens / wall time of the decode steps (prefill excluded, reported apart).
`--check` first verifies on a small float64 model that cached decoding reproduces the full forward's logits.

Run:  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/torch/decode_bench.py
      (defaults: --layers 4 --dim 256 --heads 4 --kv-heads 4 --ffn 672 --ctx 128 --vocab 4096, --batches 1,8)

BLAS: see train_bench.py (compare against OpenBLAS only; the JSON line says which ran). Threads (--threads,
default 1): measured 26 Nov 2026 with OpenBLAS on this shared 2-core machine (load average 11-16), prompt 64,
64 new tokens, 5 runs each taken in turns: batch 1: 1 thread median ~206 tokens/s, 2 threads ~189; batch 8:
~830 vs ~330. Decode steps are too small for a second thread to pay (and eager PyTorch's per-op overhead
dominates at batch 1), so the default is 1.
"""
import argparse
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
DEFAULT_THREADS = 1
if __name__ == "__main__":
    from threads import apply_thread_flag
    apply_thread_flag(DEFAULT_THREADS)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from llama_reference import forward, init_params, repeat_kv, rms_norm, rope_cos_sin, rotate_half  # noqa: E402
from train_bench import blas_in_use, config_from, model_args, peak_rss_mb  # noqa: E402


def new_cache(cfg, batch, max_t, dtype):
    hd = cfg["hidden_size"] // cfg["num_attention_heads"]
    shape = (batch, cfg["num_key_value_heads"], max_t, hd)
    return [(torch.zeros(shape, dtype=dtype), torch.zeros(shape, dtype=dtype)) for _ in range(cfg["num_hidden_layers"])]


def forward_cached(p, cfg, ids, pos0, cache, cos_all, sin_all):
    """ids [B, T] at positions pos0..pos0+T-1; appends their k, v to the cache; returns logits [B, T, V]."""
    b, t = ids.shape
    H, KVH = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = cfg["hidden_size"] // H
    eps, end = cfg["rms_norm_eps"], pos0 + t
    cos, sin = cos_all[pos0:end], sin_all[pos0:end]
    # New query i (position pos0+i) sees cache positions 0..pos0+i.
    mask = torch.arange(end)[None, :] > (pos0 + torch.arange(t))[:, None]       # [T, end]
    x = p["model.embed_tokens.weight"][ids]
    for i, (kc, vc) in enumerate(cache):
        pre = f"model.layers.{i}."
        h = rms_norm(x, p[pre + "input_layernorm.weight"], eps)
        q = (h @ p[pre + "self_attn.q_proj.weight"].T).view(b, t, H, hd).transpose(1, 2)
        k = (h @ p[pre + "self_attn.k_proj.weight"].T).view(b, t, KVH, hd).transpose(1, 2)
        v = (h @ p[pre + "self_attn.v_proj.weight"].T).view(b, t, KVH, hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        kc[:, :, pos0:end] = k * cos + rotate_half(k) * sin
        vc[:, :, pos0:end] = v
        keys, values = repeat_kv(kc[:, :, :end], H // KVH), repeat_kv(vc[:, :, :end], H // KVH)
        scores = ((q @ keys.transpose(-1, -2)) / math.sqrt(hd)).masked_fill(mask, float("-inf"))
        o = (torch.softmax(scores, dim=-1) @ values).transpose(1, 2).reshape(b, t, H * hd)
        x = x + o @ p[pre + "self_attn.o_proj.weight"].T
        h = rms_norm(x, p[pre + "post_attention_layernorm.weight"], eps)
        gate, up = h @ p[pre + "mlp.gate_proj.weight"].T, h @ p[pre + "mlp.up_proj.weight"].T
        x = x + (F.silu(gate) * up) @ p[pre + "mlp.down_proj.weight"].T
    x = rms_norm(x, p["model.norm.weight"], eps)
    return x @ p["lm_head.weight"].T


def greedy(p, cfg, prompt, new_tokens, max_t):
    """Returns (generated ids [B, new_tokens], prefill seconds, decode seconds)."""
    hd = cfg["hidden_size"] // cfg["num_attention_heads"]
    dtype = p["model.embed_tokens.weight"].dtype
    cos, sin = rope_cos_sin(max_t, hd, cfg["rope_theta"], dtype)
    cache = new_cache(cfg, prompt.shape[0], max_t, dtype)
    t0 = time.perf_counter()
    logits = forward_cached(p, cfg, prompt, 0, cache, cos, sin)
    t1 = time.perf_counter()
    out, pos = [], prompt.shape[1]
    nxt = logits[:, -1].argmax(-1, keepdim=True)
    for _ in range(new_tokens):
        out.append(nxt)
        logits = forward_cached(p, cfg, nxt, pos, cache, cos, sin)
        pos += 1
        nxt = logits[:, -1].argmax(-1, keepdim=True)
    t2 = time.perf_counter()
    return torch.cat(out, dim=1), t1 - t0, t2 - t1


def check():
    """Cached decoding must give the full forward's logits, and batched decoding the one-by-one result."""
    cfg = {"vocab_size": 50, "hidden_size": 24, "intermediate_size": 40, "num_hidden_layers": 2,
           "num_attention_heads": 6, "num_key_value_heads": 2, "rope_theta": 10000.0, "rms_norm_eps": 1e-5,
           "tie_word_embeddings": False}
    gen = torch.Generator().manual_seed(7)
    p = {k: v.double() for k, v in init_params(cfg, gen).items()}
    ids = torch.randint(0, 50, (3, 10), generator=gen)
    full, _ = forward(p, cfg, ids)
    cos, sin = rope_cos_sin(16, 4, 10000.0, torch.float64)
    cache = new_cache(cfg, 3, 16, torch.float64)
    parts = [forward_cached(p, cfg, ids[:, :4], 0, cache, cos, sin)]
    parts += [forward_cached(p, cfg, ids[:, j:j + 1], j, cache, cos, sin) for j in range(4, 10)]
    err = (torch.cat(parts, dim=1) - full).abs().max().item()
    assert err < 1e-10, f"cached decode differs from the full forward by {err}"
    batched, _, _ = greedy(p, cfg, ids[:, :4], 5, 16)
    single = torch.cat([greedy(p, cfg, ids[i:i + 1, :4], 5, 16)[0] for i in range(3)])
    assert torch.equal(batched, single), "batched greedy decoding differs from one-by-one"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    model_args(ap)
    ap.add_argument("--batches", "--batch", dest="batches", default="1,8", help="comma-separated batch sizes")
    ap.add_argument("--prompt", type=int, default=16)
    ap.add_argument("--tokens", type=int, default=None, help="new tokens per sequence; default ctx - prompt")
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.check:
        check()
    cfg = config_from(a)
    gen = torch.Generator().manual_seed(a.seed)
    p = init_params(cfg, gen)
    new_tokens = a.tokens if a.tokens is not None else a.ctx - a.prompt
    max_t = a.prompt + new_tokens  # the KV cache holds exactly the prompt and the new tokens
    result = {}
    with torch.inference_mode():
        greedy(p, cfg, torch.randint(0, a.vocab, (1, a.prompt), generator=gen), 4, max_t)  # warm-up
        for bs in (int(s) for s in a.batches.split(",")):
            prompt = torch.randint(0, a.vocab, (bs, a.prompt), generator=gen)
            _, t_prefill, t_decode = greedy(p, cfg, prompt, new_tokens, max_t)
            result[f"tokens_per_s_batch{bs}"] = round(bs * new_tokens / t_decode, 1)
            result[f"prefill_ms_batch{bs}"] = round(1000 * t_prefill, 1)
    result.update({"peak_rss_mb": round(peak_rss_mb(), 1), "threads": a.threads, "new_tokens": new_tokens,
                   "checked": a.check, "blas": blas_in_use(), "torch": torch.__version__})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
