// Is PyTorch usable as a baseline, and is it a fair one? Debian's python3-torch does its matmuls through
// whatever libblas.so.3 points at; with only the reference BLAS (libblas3) it is ~20x slower than with
// OpenBLAS, which would flatter our ratios. So besides `import torch`, this times one float32 matmul on
// one thread and says which BLAS library the process loaded.
import { spawnSync } from 'node:child_process';

export interface TorchStatus {
  ok: boolean;
  python: string;
  /** Why torch is skipped (ok false). */
  skipped?: string;
  /** A reason not to trust the ratios (ok true): a slow BLAS. */
  warning?: string;
  torch_version?: string;
  blas?: string;
  /** torch.matmul float32 GFLOP/s, 512×512×512, one thread. */
  gflops?: number;
}

/** Below this a torch matmul is running on the reference BLAS (~2–3 GFLOP/s; OpenBLAS gives ~60 here). */
export const SLOW_BLAS_GFLOPS = 15;

const PROBE = `
import json, os, time, torch
torch.set_num_threads(1)
a = torch.randn(512, 512); b = torch.randn(512, 512)
torch.matmul(a, b)
t = time.perf_counter(); n = 0
while time.perf_counter() - t < 0.5 or n < 2:
    torch.matmul(a, b); n += 1
gflops = 2 * 512 ** 3 * n / (time.perf_counter() - t) / 1e9
with open("/proc/self/maps") as f:
    libs = sorted({os.path.realpath(l.split()[-1]) for l in f if "blas" in l.lower() and ".so" in l})
blas = "openblas" if any("openblas" in x for x in libs) else ("mkl" if any("mkl" in x for x in libs) else
       ("reference (netlib libblas3)" if any("/blas/libblas" in x for x in libs) else ",".join(libs) or "unknown"))
print(json.dumps({"torch_version": torch.__version__, "blas": blas, "gflops": round(gflops, 1)}))
`;

const INSTALL = 'apt-get install -y python3-torch libopenblas0-pthread (see bench/README.md)';

export function checkTorch(): TorchStatus {
  const python = process.env.PARLEY_TORCH_PYTHON ?? '/usr/bin/python3';
  if (process.env.PARLEY_BENCH_NO_TORCH) return { ok: false, python, skipped: 'PyTorch comparison off (PARLEY_BENCH_NO_TORCH is set)' };
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const r = spawnSync(python, ['-c', PROBE], { encoding: 'utf-8', env, timeout: 120_000 });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : (r.stderr || '').trim().split('\n').pop();
    return { ok: false, python, skipped: `PyTorch comparison skipped: ${python} cannot import torch (${why}); install it with ${INSTALL}` };
  }
  const line = r.stdout.trim().split('\n').pop() ?? '';
  const probe = JSON.parse(line) as { torch_version: string; blas: string; gflops: number };
  const status: TorchStatus = { ok: true, python, ...probe };
  if (probe.gflops < SLOW_BLAS_GFLOPS || !['openblas', 'mkl'].includes(probe.blas)) {
    status.warning = `torch's matmul runs at ${probe.gflops} GFLOP/s on one thread with BLAS "${probe.blas}": ` +
      `an unfair (too slow) baseline, probably the reference BLAS answering (check update-alternatives --display ` +
      `libblas.so.3-x86_64-linux-gnu); install OpenBLAS: ${INSTALL}`;
  }
  return status;
}
