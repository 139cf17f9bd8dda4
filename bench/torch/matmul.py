#!/usr/bin/env python3
"""PyTorch reference for `parley bench matmul`: float32 matmul GFLOP/s in the engine's three layouts.

Run with Debian's python3-torch, without the OpenBLAS overrides of this environment:
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/torch/matmul.py --threads 1,2
Prints one JSON line per (layout, threads), like src/engine/bench-matmul.ts:
    {"bench": "matmul", "impl": "torch", "layout": "NT", "M": 512, "K": 512, "N": 2048, "threads": 1, "gflops": ..., "gbps": ..., "ms": ...}
Layouts: NT = a[M,K]·b[N,K]ᵀ, NN = a[M,K]·b[K,N], TN = a[K,M]ᵀ·b[K,N]; out[M,N] is preallocated (out=).

torch.matmul goes through the BLAS torch was linked with (Debian's: whatever libblas.so.3 points to, which on a
machine without OpenBLAS is the slow reference BLAS). So the NT layout is also measured as "torch-mkldnn": a
bias-free nn.Linear converted with torch.utils.mkldnn, i.e. oneDNN's inner product, torch's fastest CPU path here.
"""
import argparse
import ctypes
import json
import time

import torch


def blas_set_threads(n):
    """torch.set_num_threads does not reach an OpenBLAS built with pthreads: set its count directly.
    Returns the library path it was set in, or None when no OpenBLAS is loaded (reference BLAS: 1 thread)."""
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "blas" in line and line.split()[-1].startswith("/")}
    for lib in sorted(libs):
        try:
            ctypes.CDLL(lib).openblas_set_num_threads(n)
            return lib
        except (OSError, AttributeError):
            continue
    return None


def best_seconds(call, min_seconds):
    call()  # warm-up
    t = time.perf_counter()
    call()
    once = max(time.perf_counter() - t, 1e-7)
    per_batch = max(1, int(0.02 / once) + 1)
    best, spent, batch = float("inf"), 0.0, 0
    while batch < 5 or spent < min_seconds:
        t = time.perf_counter()
        for _ in range(per_batch):
            call()
        s = time.perf_counter() - t
        spent += s
        best = min(best, s / per_batch)
        batch += 1
    return best


def mkldnn_nt(M, K, N, min_seconds):
    from torch.utils import mkldnn
    lin = torch.nn.Linear(K, N, bias=False).eval()  # weight [N, K]: out = x · Wᵀ, the NT layout
    fast = mkldnn.to_mkldnn(lin)
    x = (torch.rand(M, K) * 2 - 1).to_mkldnn()
    with torch.no_grad():
        return best_seconds(lambda: fast(x), min_seconds)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--m", type=int, default=512)
    p.add_argument("--k", type=int, default=512)
    p.add_argument("--n", type=int, default=2048)
    p.add_argument("--threads", default="1,2")
    p.add_argument("--layouts", default="NT,NN,TN")
    p.add_argument("--min-seconds", type=float, default=0.5)
    a = p.parse_args()
    M, K, N = a.m, a.k, a.n
    g = torch.Generator().manual_seed(0)
    A = torch.rand(M, K, generator=g) * 2 - 1
    At = A.t().contiguous()  # stored [K, M] for TN
    Bt = torch.rand(N, K, generator=g) * 2 - 1  # stored [N, K] for NT
    B = Bt.t().contiguous()  # stored [K, N]
    out = torch.empty(M, N)
    calls = {
        "NT": lambda: torch.matmul(A, Bt.t(), out=out),
        "NN": lambda: torch.matmul(A, B, out=out),
        "TN": lambda: torch.matmul(At.t(), B, out=out),
    }
    runs = [("torch", layout) for layout in a.layouts.split(",")]
    if "NT" in a.layouts.split(",") and torch.backends.mkldnn.is_available():
        runs.append(("torch-mkldnn", "NT"))
    for impl, layout in runs:
        for threads in [int(t) for t in a.threads.split(",")]:
            torch.set_num_threads(threads)
            blas = blas_set_threads(threads)
            if impl == "torch-mkldnn":
                s = mkldnn_nt(M, K, N, a.min_seconds)
            else:
                with torch.no_grad():
                    s = best_seconds(calls[layout], a.min_seconds)
            print(json.dumps({
                "bench": "matmul", "impl": impl, "torch": torch.__version__, "layout": layout,
                "M": M, "K": K, "N": N, "threads": threads, "blas": blas or "no OpenBLAS loaded",
                "gflops": round(2 * M * K * N / s / 1e9, 1),
                "gbps": round((M * K + K * N + M * N) * 4 / s / 1e9, 1),
                "ms": round(s * 1000, 3),
            }), flush=True)


if __name__ == "__main__":
    main()
