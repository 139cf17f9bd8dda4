// Matrix-multiply throughput of the kernels: warm up, then the best of several timed repetitions.
// benchMatmul needs `await initEngine()` first (with at least as many threads as asked for). Run as a script,
// `npx tsx src/engine/bench-matmul.ts [M K N]`, it also runs bench/torch/matmul.py and prints the ratios.
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { alloc, f32, free } from './memory.ts';
import { matmulNN, matmulNT, matmulTN, poolThreads, setActiveThreads } from './ops.ts';
import { kernelVariant, type KernelVariant } from './pool.ts';

export type Layout = 'NT' | 'NN' | 'TN';

export interface MatmulBenchResult {
  layout: Layout;
  M: number; K: number; N: number;
  threads: number;
  kernels: KernelVariant; // plain or relaxed SIMD (PARLEY_RELAXED_SIMD=0 forces plain)
  gflops: number; // 2·M·K·N per call
  gbps: number; // bytes of a, b and out touched once per call — the figure of merit for M = 1 (decoding)
  ms: number; // best time of one call
}

export interface MatmulBenchOptions {
  M: number; K: number; N: number;
  threads?: number | number[]; // default: 1 and every started thread
  layout?: Layout | Layout[]; // default: all three
  minSeconds?: number; // time spent per measurement (default 0.5 s)
}

/** Measures each (layout, threads) pair; returns one result per pair. */
export function benchMatmul(opts: MatmulBenchOptions): MatmulBenchResult[] {
  const { M, K, N } = opts;
  const all = poolThreads();
  const threads = opts.threads === undefined ? [...new Set([1, all])] : [opts.threads].flat();
  const layouts = opts.layout === undefined ? (['NT', 'NN', 'TN'] as Layout[]) : [opts.layout].flat();
  for (const t of threads) {
    if (!Number.isInteger(t) || t < 1 || t > all) throw new RangeError(`benchMatmul: threads must be 1..${all} (the engine's pool), got ${t}`);
  }
  const a = alloc(M * K), b = alloc(K * N), out = alloc(M * N);
  try {
    // Values in [-1, 1): denormals or zeros would flatter or slow the kernels unrealistically.
    for (const [p, n] of [[a, M * K], [b, K * N]]) {
      const v = f32(p, n);
      for (let i = 0; i < n; i++) v[i] = Math.sin(i * 0.618);
    }
    const results: MatmulBenchResult[] = [];
    for (const layout of layouts) {
      const f = layout === 'NT' ? matmulNT : layout === 'NN' ? matmulNN : matmulTN;
      for (const t of threads) {
        setActiveThreads(t);
        const call = () => f(out, a, b, M, K, N, false);
        const best = timeBest(call, opts.minSeconds ?? 0.5);
        results.push({
          layout, M, K, N, threads: t, kernels: kernelVariant(),
          gflops: round((2 * M * K * N) / best / 1e9),
          gbps: round(((M * K + K * N + M * N) * 4) / best / 1e9),
          ms: round(best * 1000, 3),
        });
      }
    }
    return results;
  } finally {
    setActiveThreads(all);
    free(a); free(b); free(out);
  }
}

/** The single figure: GFLOP/s of one layout at one thread count. */
export function matmulGflops(opts: { M: number; K: number; N: number; threads: number; layout: Layout }): number {
  return benchMatmul(opts)[0].gflops;
}

/** Best seconds per call: a warm-up, then batches of calls until `minSeconds` have passed (at least 5 batches). */
function timeBest(call: () => void, minSeconds: number): number {
  let t = performance.now();
  call();
  const once = (performance.now() - t) / 1000;
  const perBatch = Math.max(1, Math.ceil(0.02 / Math.max(once, 1e-7)));
  let best = Infinity, spent = 0;
  for (let batch = 0; batch < 5 || spent < minSeconds; batch++) {
    t = performance.now();
    for (let i = 0; i < perBatch; i++) call();
    const s = (performance.now() - t) / 1000;
    spent += s;
    best = Math.min(best, s / perBatch);
    if (batch > 1000) break;
  }
  return best;
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

// ---- side by side with PyTorch: `npx tsx src/engine/bench-matmul.ts [M K N]` --------------------------------

interface TorchLine { impl: string; layout: Layout; threads: number; gflops: number; gbps: number }

/** Runs bench/torch/matmul.py on the same shape; returns its lines (empty, with a note, if torch is missing). */
function torchMatmul(M: number, K: number, N: number, threads: number[], layouts: Layout[]): TorchLine[] {
  const script = fileURLToPath(new URL('../../bench/torch/matmul.py', import.meta.url));
  const env = { ...process.env };
  // The machine's OpenBLAS overrides slow torch down; unset them for this command only (see bench/torch/matmul.py).
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const r = spawnSync('/usr/bin/python3', [script, '--m', String(M), '--k', String(K), '--n', String(N),
    '--threads', threads.join(','), '--layouts', layouts.join(',')], { env, encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(`torch comparison skipped: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}\n`);
    return [];
  }
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as TorchLine);
}

async function main(): Promise<void> {
  const { initEngine } = await import('./ops.ts');
  await initEngine();
  const [M, K, N] = process.argv.length >= 5 ? process.argv.slice(2, 5).map(Number) : [512, 512, 2048];
  const threads = [...new Set([1, poolThreads()])];
  const shapes: Array<{ M: number; K: number; N: number; layouts: Layout[] }> = [
    { M, K, N, layouts: ['NT', 'NN', 'TN'] },
    { M: 1, K: 2048, N: 2048, layouts: ['NT'] }, // decoding: one token through a 2048×2048 weight
  ];
  for (const s of shapes) {
    const ours = benchMatmul({ M: s.M, K: s.K, N: s.N, threads, layout: s.layouts });
    const theirs = torchMatmul(s.M, s.K, s.N, threads, s.layouts);
    for (const o of ours) {
      process.stdout.write(JSON.stringify({ bench: 'matmul', impl: 'parley', ...o }) + '\n');
      for (const t of theirs.filter((t) => t.layout === o.layout && t.threads === o.threads)) {
        process.stdout.write(JSON.stringify({ bench: 'matmul', ...t, M: s.M, K: s.K, N: s.N,
          ratio_parley_over_torch: Math.round((o.gflops / t.gflops) * 100) / 100 }) + '\n');
      }
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
