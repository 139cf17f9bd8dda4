"""PyTorch baseline for `parley bench train`: the same Llama (llama_reference.py's forward, which matches
HF LlamaForCausalLM), same shape flags, untied embeddings, float32, AdamW, random token batches.

Prints one JSON line: {"tokens_per_s": ..., "peak_rss_mb": ..., ...}. tokens_per_s = batch * ctx * steps
divided by the wall time of those steps (forward, backward, AdamW); one untimed warm-up step first, so
allocator and thread-pool start-up are not counted. peak_rss_mb is the process's maximum resident set.

Run (Debian's python3-torch 1.13; the OPENBLAS_* variables this machine sets must be unset for it):
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/torch/train_bench.py \
        --layers 4 --dim 256 --heads 4 --kv-heads 4 --ffn 672 --ctx 128 --vocab 4096 --batch 16 --steps 10

BLAS: Debian's torch does its matmuls through libblas.so.3, whatever that alternative points at. With only
libblas3 (the netlib reference BLAS, which python3-torch pulls in) matmuls run at ~2-3 GFLOP/s and this
baseline is ~15x slower (~80 tokens/s for the shape above) than with OpenBLAS (`apt-get install
libopenblas0-pthread`, ~60 GFLOP/s on one thread here). The JSON line says which one ran ("blas"); compare
against OpenBLAS only.

Threads (--threads, default 1; see threads.py for how it reaches the BLAS pool): measured on this 2-core
machine on 26 Nov 2026 with OpenBLAS while other work kept the load average at 11-16, 3-step runs of the
shape above taken in turns: 1 thread median ~1500 tokens/s (1200-1740), 2 threads ~1450 (800-1850); the
paired wall-time ratio 1/2 threads was 0.92 (0.77-1.10), i.e. no gain from the second core on a shared
machine, so the default is 1. On an idle machine, check --threads 2 again.
"""
import argparse
import json
import os
import resource
import sys
import time


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
DEFAULT_THREADS = 1  # measured fastest here: see the docstring
if __name__ == "__main__":
    from threads import apply_thread_flag
    apply_thread_flag(DEFAULT_THREADS)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from llama_reference import forward, init_params  # noqa: E402


def model_args(p):
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--dim", type=int, default=256)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--kv-heads", type=int, default=None, help="default: --heads")
    p.add_argument("--ffn", type=int, default=672)
    p.add_argument("--ctx", type=int, default=128)
    p.add_argument("--vocab", type=int, default=4096)
    p.add_argument("--threads", type=int, required=True, help="torch.set_num_threads and the BLAS pool size")
    p.add_argument("--seed", type=int, default=0)


def config_from(a):
    return {
        "vocab_size": a.vocab, "hidden_size": a.dim, "intermediate_size": a.ffn, "num_hidden_layers": a.layers,
        "num_attention_heads": a.heads, "num_key_value_heads": a.kv_heads or a.heads, "rope_theta": 10000.0,
        "rms_norm_eps": 1e-5, "tie_word_embeddings": False,
    }


def blas_in_use():
    """Which BLAS library torch's matmuls go through: Debian's torch links libblas.so.3, which is whatever
    the libblas.so.3 alternative (or LD_LIBRARY_PATH) selects, and that decides its speed by ~20x."""
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "blas" in line and ".so" in line}
    real = sorted({os.path.realpath(x) for x in libs})
    if any("openblas" in x for x in real):
        return "openblas"
    return "reference (netlib libblas3)" if any("/blas/libblas" in x for x in real) else ",".join(real) or "unknown"


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    model_args(p)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--lr", type=float, default=3e-4)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    cfg = config_from(a)
    gen = torch.Generator().manual_seed(a.seed)
    params = {k: v.requires_grad_(True) for k, v in init_params(cfg, gen).items()}
    # No weight decay on norm weights, as the engine does.
    decay = [v for k, v in params.items() if not k.endswith("norm.weight")]
    no_decay = [v for k, v in params.items() if k.endswith("norm.weight")]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.95), eps=1e-8)

    def step():
        tokens = torch.randint(0, a.vocab, (a.batch, a.ctx + 1), generator=gen)
        logits, _ = forward(params, cfg, tokens[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, a.vocab), tokens[:, 1:].reshape(-1))
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss.item()

    step()  # warm-up, not timed
    t0 = time.perf_counter()
    for _ in range(a.steps):
        loss = step()
    dt = time.perf_counter() - t0
    n_params = sum(v.numel() for v in params.values())
    print(json.dumps({
        "tokens_per_s": round(a.batch * a.ctx * a.steps / dt, 1), "peak_rss_mb": round(peak_rss_mb(), 1),
        "step_ms": round(1000 * dt / a.steps, 1), "params": n_params, "threads": a.threads,
        "last_loss": round(loss, 4), "blas": blas_in_use(), "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
