"""Thread settings for the PyTorch benchmarks, applied before torch is imported.

An OpenBLAS build (when libblas.so.3 points at one) runs its own thread pool beside torch's OpenMP one,
sized to every core unless told otherwise when the library loads. So --threads must reach it through
the environment before `import torch`, or "--threads 1" would still do its matmuls on two cores, and
"--threads 2" would run four threads on two cores.
"""
import os
import sys


def apply_thread_flag(default):
    """Makes sure sys.argv has --threads (adding `default`) and exports it to the BLAS/OpenMP pools."""
    n = None
    for i, arg in enumerate(sys.argv):
        if arg == "--threads" and i + 1 < len(sys.argv):
            n = sys.argv[i + 1]
        elif arg.startswith("--threads="):
            n = arg.split("=", 1)[1]
    if n is None:
        n = str(default)
        sys.argv += ["--threads", n]
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = n
    # OpenMP threads spin while they wait; on a machine whose cores are shared with other work that
    # spinning took 4-6x the CPU time and made 2 threads ~5x slower than 1 (measured); passive waiting
    # cut the loss to ~1.5x.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
