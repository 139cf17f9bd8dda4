"""Reference Llama in plain PyTorch, and the parity fixtures the engine's tests compare against.

The model below reproduces Hugging Face `LlamaForCausalLM` (transformers 4.4x) semantics: RMSNorm as
`weight * (x * rsqrt(mean(x^2) + eps))`, `inv_freq = 1 / theta^(arange(0, d, 2) / d)`, cos/sin of
`cat(freqs, freqs)` applied as `q*cos + rotate_half(q)*sin` (rotate_half pairs i with i + d/2), causal
softmax attention scaled by 1/sqrt(head_dim), grouped-query attention by repeating each kv head
H/KVH times (query head h reads kv head h // (H/KVH)), MLP `down(silu(gate(x)) * up(x))`, a final norm,
then lm_head (or the embedding matrix when tie_word_embeddings), and the loss HF computes with
labels = input_ids: mean cross-entropy of logits[:, :-1] against input_ids[:, 1:].
transformers is not installable here, so this is written from those formulas, not imported.

Everything is computed in float64 from the float32 (or BF16/F16-rounded) weights, so the stored values
are the exact answer for those weights to ~1e-15; our float32 engine is the only source of difference.
To tell the parity test how much float32 arithmetic alone moves the answer, the same model is also run
in float32, and the largest differences are stored in the reference file's metadata (see below).

Regenerate (not run in CI; needs Debian's python3-torch, nothing else):
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/torch/llama_reference.py
It rewrites src/engine/fixtures/<name>/ for every fixture below, deterministically (fixed seeds).

FIXTURE FORMAT (src/engine/fixtures/<name>/):
  config.json             HF LlamaConfig.
  model.safetensors       HF tensor names; F32, except llama-tied-bf16 (BF16) and llama-tied-f16 (F16).
  reference.safetensors   B = 2 sequences of T = 12 tokens, V = vocab_size, D = hidden_size:
    input_ids        I64 [B, T]     the tokens fed to the model (positions 0..T-1)
    targets          I64 [B, T]     input_ids shifted left: targets[b, t] = input_ids[b, t+1];
                                    the last column is -100 (ignored, as in HF)
    logits           F32 [B, T, V]
    hidden           F32 [B, T, D]  the final-norm output (what lm_head or a scalar head reads)
    loss             F32 []         mean cross-entropy over the B*(T-1) non-ignored targets
    token_loss       F32 [B, T]     per-position cross-entropy -log p(targets[b,t]); 0 where ignored
    target_logprobs  F32 [B, T]     per-position log p(targets[b,t]) (= -token_loss); 0 where ignored
    loss_weights     F32 [B, T]     an SFT-style 0/1 mask (prompt positions 0, ignored last column 0)
    masked_loss      F32 []         sum(loss_weights * token_loss) / sum(loss_weights)
    grad.<param>     F32            d loss / d param for every parameter (HF name), after backward of `loss`;
                                    with tied embeddings there is no lm_head, and grad of the embedding holds
                                    both uses
  reference metadata (strings, in "__metadata__"): the float32-vs-float64 differences of this same model,
    fp32_logits_max_abs, fp32_loss_abs, fp32_grad_max_rel (max over params of max|g32-g64| / max|g64|),
    a floor for what a float32 implementation can be expected to match. These depend on the BLAS torch
    runs on (its float32 summation order): regenerating with another BLAS changes only this metadata,
    not one bit of the tensors (checked: netlib reference BLAS vs OpenBLAS).
"""
import json
import math
import os
import struct
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "..", "src", "engine", "fixtures"))
B, T = 2, 12
IGNORE = -100

FIXTURES = [
    # untied multi-head attention; head_dim 12, ffn 100 (not a multiple of 8), odd vocab
    dict(name="llama-untied", seed=1, vocab_size=101, hidden_size=48, intermediate_size=100,
         num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=4, rope_theta=10000.0,
         rms_norm_eps=1e-5, tie_word_embeddings=False),
    # tied embeddings, rope_theta 500000 (Llama 3's), head_dim 16
    dict(name="llama-tied", seed=2, vocab_size=96, hidden_size=32, intermediate_size=76,
         num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=2, rope_theta=500000.0,
         rms_norm_eps=1e-6, tie_word_embeddings=True),
    # grouped-query attention: 6 query heads share 2 kv heads (groups of 3), head_dim 8
    dict(name="llama-gqa", seed=3, vocab_size=100, hidden_size=48, intermediate_size=124,
         num_hidden_layers=2, num_attention_heads=6, num_key_value_heads=2, rope_theta=50000.0,
         rms_norm_eps=1e-5, tie_word_embeddings=False),
]
# The tied model again, with its weights stored in half precisions; references use the rounded weights.
HALF_COPIES = [("llama-tied", "llama-tied-bf16", torch.bfloat16), ("llama-tied", "llama-tied-f16", torch.float16)]

DTYPE_NAMES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64",
               torch.int32: "I32", torch.float64: "F64"}


# ---------------------------------------------------------------- safetensors, by hand
def save_safetensors(path, tensors, metadata=None):
    """8-byte little-endian header length, JSON header padded with spaces to 8 bytes, then the data."""
    assert sys.byteorder == "little"
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        raw = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().tobytes()
        header[name] = {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    js = json.dumps(header, separators=(",", ":")).encode()
    js += b" " * ((8 - (8 + len(js)) % 8) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(js)))
        f.write(js)
        for raw in blobs:
            f.write(raw)
    os.replace(path + ".tmp", path)


def load_safetensors(path):
    """Reads back what save_safetensors wrote (used to check the files)."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    header.pop("__metadata__", None)
    back = {"F32": torch.float32, "F16": torch.float16, "I64": torch.int64, "I32": torch.int32}
    out = {}
    for name, e in header.items():
        a, b = e["data_offsets"]
        buf = bytearray(data[a:b])
        if e["dtype"] == "BF16":
            t = torch.frombuffer(buf, dtype=torch.int16).view(torch.bfloat16)
        else:
            t = torch.frombuffer(buf, dtype=back[e["dtype"]])
        out[name] = t.reshape(e["shape"])
    return out


# ---------------------------------------------------------------- the model
def rms_norm(x, weight, eps):
    # HF LlamaRMSNorm: statistics in at least float32, then scale by the weight.
    xf = x if x.dtype in (torch.float32, torch.float64) else x.float()
    xf = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)
    return weight * xf.to(x.dtype)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope_cos_sin(seq_len, head_dim, theta, dtype):
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
    freqs = torch.outer(torch.arange(seq_len, dtype=torch.float64), inv_freq)   # [T, hd/2]
    emb = torch.cat((freqs, freqs), dim=-1)                                      # [T, hd]
    return emb.cos().to(dtype), emb.sin().to(dtype)


def repeat_kv(x, n_rep):
    # [B, KVH, T, hd] -> [B, KVH*n_rep, T, hd]; head h gets kv head h // n_rep (HF's repeat_kv)
    b, kvh, t, hd = x.shape
    return x[:, :, None].expand(b, kvh, n_rep, t, hd).reshape(b, kvh * n_rep, t, hd)


def forward(p, cfg, ids):
    """ids [B, T] -> (logits [B, T, V], final hidden [B, T, D])."""
    b, t = ids.shape
    H, KVH = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = cfg["hidden_size"] // H
    eps = cfg["rms_norm_eps"]
    emb = p["model.embed_tokens.weight"]
    x = emb[ids]                                                                  # [B, T, D]
    cos, sin = rope_cos_sin(t, hd, cfg["rope_theta"], x.dtype)
    causal = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
    for i in range(cfg["num_hidden_layers"]):
        pre = f"model.layers.{i}."
        h = rms_norm(x, p[pre + "input_layernorm.weight"], eps)
        q = (h @ p[pre + "self_attn.q_proj.weight"].T).view(b, t, H, hd).transpose(1, 2)     # [B, H, T, hd]
        k = (h @ p[pre + "self_attn.k_proj.weight"].T).view(b, t, KVH, hd).transpose(1, 2)   # [B, KVH, T, hd]
        v = (h @ p[pre + "self_attn.v_proj.weight"].T).view(b, t, KVH, hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k, v = repeat_kv(k, H // KVH), repeat_kv(v, H // KVH)
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(hd)                       # [B, H, T, T]
        scores = scores.masked_fill(causal, float("-inf"))
        att = torch.softmax(scores, dim=-1)
        o = (att @ v).transpose(1, 2).reshape(b, t, H * hd)                      # [B, T, D]
        x = x + o @ p[pre + "self_attn.o_proj.weight"].T
        h = rms_norm(x, p[pre + "post_attention_layernorm.weight"], eps)
        gate = h @ p[pre + "mlp.gate_proj.weight"].T
        up = h @ p[pre + "mlp.up_proj.weight"].T
        x = x + (F.silu(gate) * up) @ p[pre + "mlp.down_proj.weight"].T
    hidden = rms_norm(x, p["model.norm.weight"], eps)
    head = emb if cfg["tie_word_embeddings"] else p["lm_head.weight"]
    return hidden @ head.T, hidden


def param_shapes(cfg):
    V, D, Fd = cfg["vocab_size"], cfg["hidden_size"], cfg["intermediate_size"]
    hd = D // cfg["num_attention_heads"]
    kv = cfg["num_key_value_heads"] * hd
    shapes = {"model.embed_tokens.weight": (V, D)}
    for i in range(cfg["num_hidden_layers"]):
        pre = f"model.layers.{i}."
        shapes.update({
            pre + "input_layernorm.weight": (D,),
            pre + "self_attn.q_proj.weight": (D, D),
            pre + "self_attn.k_proj.weight": (kv, D),
            pre + "self_attn.v_proj.weight": (kv, D),
            pre + "self_attn.o_proj.weight": (D, D),
            pre + "post_attention_layernorm.weight": (D,),
            pre + "mlp.gate_proj.weight": (Fd, D),
            pre + "mlp.up_proj.weight": (Fd, D),
            pre + "mlp.down_proj.weight": (D, Fd),
        })
    shapes["model.norm.weight"] = (D,)
    if not cfg["tie_word_embeddings"]:
        shapes["lm_head.weight"] = (V, D)
    return shapes


def init_params(cfg, gen):
    """Random weights scaled so activations and logits are O(1): a test of real attention and softmax
    patterns, not of near-uniform outputs (HF's 0.02 init would make every logit nearly 0)."""
    p = {}
    for name, shape in param_shapes(cfg).items():
        if name.endswith("norm.weight"):
            w = 1.0 + 0.2 * torch.randn(shape, generator=gen)
        elif name == "model.embed_tokens.weight":
            # 0.25 keeps tied-embedding logits (hidden · E rows of norm ~0.25·√D) near unit scale
            w = 0.25 * torch.randn(shape, generator=gen)
        else:
            w = torch.randn(shape, generator=gen) / math.sqrt(shape[1])
        p[name] = w.float()
    return p


def run(p32, cfg, ids, targets, weights, dtype):
    """Forward and backward in `dtype`; returns outputs and grads as float64."""
    p = {k: v.to(dtype).clone().requires_grad_(True) for k, v in p32.items()}
    logits, hidden = forward(p, cfg, ids)
    flat = logits.reshape(-1, logits.shape[-1])
    token_loss = F.cross_entropy(flat, targets.reshape(-1), ignore_index=IGNORE, reduction="none").view(B, T)
    loss = F.cross_entropy(flat, targets.reshape(-1), ignore_index=IGNORE)   # mean over non-ignored
    loss.backward()
    with torch.no_grad():
        masked = (weights.to(dtype) * token_loss).sum() / weights.sum()
    out = {"logits": logits, "hidden": hidden, "loss": loss, "token_loss": token_loss, "masked_loss": masked}
    out = {k: v.detach().double() for k, v in out.items()}
    grads = {k: v.grad.double() for k, v in p.items()}
    return out, grads


def hf_config(spec):
    cfg = {k: v for k, v in spec.items() if k not in ("name", "seed")}
    return {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_act": "silu",
        "max_position_embeddings": 64, "initializer_range": 0.02, "attention_bias": False,
        "attention_dropout": 0.0, "mlp_bias": False, "rope_scaling": None, "pretraining_tp": 1,
        "bos_token_id": 1, "eos_token_id": 2, "use_cache": True, "torch_dtype": "float32", **cfg,
    }


def make_inputs(cfg, gen):
    V = cfg["vocab_size"]
    ids = torch.randint(0, V, (B, T), generator=gen)
    ids[1, 3], ids[1, 7] = 0, V - 1            # the first and last rows of the embedding are used
    targets = torch.full((B, T), IGNORE, dtype=torch.int64)
    targets[:, :-1] = ids[:, 1:]
    weights = torch.zeros(B, T)
    weights[0, 4:T - 1] = 1.0                  # "prompt" of 4 tokens, then the answer
    weights[1, 7:T - 1] = 1.0
    return ids, targets, weights


def write_fixture(name, cfg, params, store_dtype, ids, targets, weights):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    cfg = dict(cfg, torch_dtype={torch.float32: "float32", torch.bfloat16: "bfloat16",
                                 torch.float16: "float16"}[store_dtype])
    stored = {k: v.to(store_dtype) for k, v in params.items()}
    weights32 = {k: v.float() for k, v in stored.items()}     # the values the file really holds
    ref, grads = run(weights32, cfg, ids, targets, weights, torch.float64)
    f32, g32 = run(weights32, cfg, ids, targets, weights, torch.float32)
    grad_rel = max(((g32[k] - grads[k]).abs().max() / grads[k].abs().max()).item() for k in grads)
    logp = torch.where(targets == IGNORE, torch.zeros(()), -ref["token_loss"])
    tensors = {
        "input_ids": ids, "targets": targets,
        "logits": ref["logits"].float(), "hidden": ref["hidden"].float(), "loss": ref["loss"].float(),
        "token_loss": ref["token_loss"].float(), "target_logprobs": logp.float(),
        "loss_weights": weights.float(), "masked_loss": ref["masked_loss"].float(),
    }
    tensors.update({"grad." + k: v.float() for k, v in grads.items()})
    meta = {
        "fp32_logits_max_abs": f"{(f32['logits'] - ref['logits']).abs().max().item():.3e}",
        "fp32_loss_abs": f"{(f32['loss'] - ref['loss']).abs().item():.3e}",
        "fp32_grad_max_rel": f"{grad_rel:.3e}",
    }
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    save_safetensors(os.path.join(d, "model.safetensors"), stored, {"format": "pt"})
    save_safetensors(os.path.join(d, "reference.safetensors"), tensors, meta)
    # The files must read back to exactly what was computed from.
    back = load_safetensors(os.path.join(d, "model.safetensors"))
    assert all(torch.equal(back[k].float(), weights32[k]) for k in weights32), name
    back = load_safetensors(os.path.join(d, "reference.safetensors"))
    assert torch.equal(back["logits"], tensors["logits"]) and torch.equal(back["input_ids"], ids), name
    print(f"{name}: loss {ref['loss'].item():.6f}  masked {ref['masked_loss'].item():.6f}  {meta}")


def main():
    torch.manual_seed(0)
    made = {}
    for spec in FIXTURES:
        gen = torch.Generator().manual_seed(spec["seed"])
        cfg = hf_config(spec)
        params = init_params(cfg, gen)
        ids, targets, weights = make_inputs(cfg, gen)
        made[spec["name"]] = (cfg, params, ids, targets, weights)
        write_fixture(spec["name"], cfg, params, torch.float32, ids, targets, weights)
    for src, name, dtype in HALF_COPIES:
        cfg, params, ids, targets, weights = made[src]
        write_fixture(name, cfg, params, dtype, ids, targets, weights)
    total = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(OUT) for f in fs)
    print(f"fixtures in {OUT}: {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
