// `npm run bench`: the engine's benchmarks, each printed as one JSON line, with the PyTorch baseline
// of the same architecture and shape run side by side (alternating ours/theirs, so a machine that
// slows down mid-run slows both) and the ratio.
//
//   npm run bench                   # everything
//   npm run bench -- train decode   # only some (matmul, train, decode, memory)
//   npm run bench -- --runs 3       # pairs per training shape (median ratio reported)
//   npm run bench -- train --threads 1   # both sides on one thread (default: all cores for both)
//   npm run bench -- --torch-steps 10  # timed PyTorch steps (default 3: Debian's torch runs on the
//                                      # reference BLAS, ~25–90 s a step here; a rate needs few steps)
//
// PyTorch is Debian's python3-torch at /usr/bin/python3 (bench/torch/train_bench.py, its fastest
// thread setting, 2 threads on this machine); set PARLEY_TORCH_PYTHON to use another interpreter,
// or PARLEY_BENCH_NO_TORCH=1 to skip it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
function flag(name: string, fallback: number): number {
  const at = args.indexOf(name);
  return at >= 0 ? Math.max(1, Math.floor(Number(args[at + 1])) || fallback) : fallback;
}
const runs = flag('--runs', 1);
const torchSteps = flag('--torch-steps', 3);
const threads = args.includes('--threads') ? flag('--threads', 1) : undefined;
const only = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
const wanted = (name: string) => only.length === 0 || only.includes(name);

const python = process.env.PARLEY_TORCH_PYTHON ?? '/usr/bin/python3';
const torchOk = !process.env.PARLEY_BENCH_NO_TORCH && existsSync(python);

type Json = Record<string, unknown>;

/** Runs a command and returns its last stdout line parsed as JSON (and every JSON line). */
function runJson(cmd: string, argv: string[], env: NodeJS.ProcessEnv = process.env): Json[] {
  const r = spawnSync(cmd, argv, { cwd: root, env, encoding: 'utf-8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status ?? r.signal}):\n${r.stderr.slice(-2000)}`);
  return r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Json);
}

function parley(sub: string[]): Json[] {
  const env = threads ? { ...process.env, PARLEY_THREADS: String(threads) } : process.env;
  return runJson(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...sub], env);
}

function torch(script: string, flags: string[]): Json[] {
  const env = { ...process.env };
  // This machine pins OpenBLAS to a conservative core type; unset for benchmarking, as train_bench.py says.
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return runJson(python, [join(root, 'bench/torch', script), ...flags, ...(threads ? ['--threads', String(threads)] : [])], env);
}

function print(line: Json): void {
  process.stdout.write(JSON.stringify(line) + '\n');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const shapes: Array<{ name: string; flags: string[] }> = [
  { name: 'small', flags: ['--layers', '4', '--dim', '256', '--heads', '4', '--kv-heads', '4', '--ffn', '672', '--ctx', '128', '--vocab', '4096', '--batch', '16', '--steps', '10'] },
  { name: 'medium', flags: ['--layers', '6', '--dim', '384', '--heads', '6', '--kv-heads', '6', '--ffn', '1024', '--ctx', '256', '--vocab', '8192', '--batch', '8', '--steps', '10'] },
];

if (wanted('matmul')) for (const line of parley(['bench', 'matmul'])) print(line);

if (wanted('train')) {
  for (const s of shapes) {
    const ours: number[] = [], theirs: number[] = [], ratios: number[] = [];
    let last: Json = {}, lastTorch: Json = {};
    for (let i = 0; i < runs; i++) {
      last = parley(['bench', 'train', ...s.flags]).at(-1)!;
      ours.push(last.tokens_per_s as number);
      if (torchOk) {
        const flags = s.flags.map((f, j) => (s.flags[j - 1] === '--steps' ? String(torchSteps) : f));
        lastTorch = torch('train_bench.py', flags).at(-1)!;
        theirs.push(lastTorch.tokens_per_s as number);
        ratios.push(ours[i] / theirs[i]);
      }
    }
    print({
      bench: 'train', shape: s.name, flags: s.flags.join(' '), runs,
      tokens_per_s: median(ours), peak_rss_mb: last.peak_rss_mb, threads: last.threads,
      ...(torchOk ? {
        torch_tokens_per_s: median(theirs), torch_peak_rss_mb: lastTorch.peak_rss_mb, torch_threads: lastTorch.threads,
        torch_blas: lastTorch.blas, torch_steps: torchSteps, ratio: Number(median(ratios).toFixed(3)),
      } : {}),
    });
  }
}

if (wanted('decode')) {
  // The small shape's model; a 64-token prompt, then 64 timed greedy steps at batch 1 and at batch 8,
  // beside bench/torch/decode_bench.py doing the same with a KV cache in PyTorch.
  const shape = shapes[0].flags.slice(0, 14).filter((_, i, a) => a[i] !== '--ctx' && a[i - 1] !== '--ctx');
  const ours = parley(['bench', 'decode', ...shape, '--ctx', '64', '--tokens', '64', '--batch', '1,8']);
  const theirs = torchOk ? torch('decode_bench.py', [...shape, '--ctx', '128', '--prompt', '64', '--tokens', '64', '--batches', '1,8']).at(-1)! : undefined;
  for (const line of ours) {
    const t = theirs?.[`tokens_per_s_batch${line.batch}`] as number | undefined;
    print({ ...line, ...(t ? { torch_tokens_per_s: t, torch_blas: theirs!.blas, ratio: Number(((line.tokens_per_s as number) / t).toFixed(3)) } : {}) });
  }
}

if (wanted('memory')) {
  // A SmolLM2-135M-shaped model (tied, GQA 9/3): peak resident memory of forward+backward at ctx 256,
  // batch 1 (parameters, gradients and activations; no optimizer state).
  const smol = ['--layers', '30', '--dim', '576', '--heads', '9', '--kv-heads', '3', '--ffn', '1536', '--vocab', '49152', '--tied', '--ctx', '256', '--batch', '1', '--steps', '1', '--no-optimizer'];
  const line = parley(['bench', 'train', ...smol]).at(-1)!;
  print({ bench: 'memory', shape: '135M (SmolLM2-135M)', flags: smol.join(' '), params: line.params, peak_rss_mb: line.peak_rss_mb, tokens_per_s: line.tokens_per_s });
}
