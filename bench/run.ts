// `npm run bench`: every benchmark of Parley, each run as a child process (its own script), each result
// printed as one JSON line on stdout (progress goes to stderr). Engine benchmarks run beside their
// PyTorch baselines (alternating ours/theirs, so a machine that slows down mid-run slows both) with ratios.
//
//   npm run bench                          # everything (see --list)
//   npm run bench -- --list                # the benchmarks' names and what each measures
//   npm run bench -- --only train,decode   # some of them (bare names work too: npm run bench -- train)
//   npm run bench -- --runs 3              # pairs per training shape (median ratio reported)
//   npm run bench -- --threads 1           # engine and PyTorch on one thread (default: all cores for both)
//   npm run bench -- --torch-steps 10      # timed PyTorch training steps (default 3)
//
// PyTorch is /usr/bin/python3's torch (PARLEY_TORCH_PYTHON for another interpreter, PARLEY_BENCH_NO_TORCH=1
// to skip it); bench/README.md says how to install it and why OpenBLAS matters. A benchmark that fails
// prints {"bench": NAME, "error": ...} and the others still run; the exit code is then 1.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkTorch, type TorchStatus } from './torch-check.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
type Json = Record<string, unknown>;

interface Bench { name: string; what: string; run: () => Promise<void> }

const args = process.argv.slice(2);
const valueFlags = new Set(['--only', '--runs', '--torch-steps', '--threads']);
function flag(name: string, fallback: number): number {
  const at = args.indexOf(name);
  return at >= 0 ? Math.max(1, Math.floor(Number(args[at + 1])) || fallback) : fallback;
}
const runs = flag('--runs', 1);
const torchSteps = flag('--torch-steps', 3);
const threads = args.includes('--threads') ? flag('--threads', 1) : undefined;

function print(line: Json): void {
  process.stdout.write(JSON.stringify(line) + '\n');
}

/** Runs a command to its end; returns the JSON lines of its stdout. Its stderr passes through. */
function runJson(cmd: string, argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<Json[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d).slice(-4000);
      process.stderr.write(d);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) reject(new Error(`${argv.slice(-3).join(' ')} failed (${code ?? signal}): ${err.trim().split('\n').slice(-3).join(' | ')}`));
      else resolve(out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Json));
    });
  });
}

const engineEnv = (): NodeJS.ProcessEnv => (threads ? { ...process.env, PARLEY_THREADS: String(threads) } : process.env);
const script = (file: string, argv: string[] = [], env = engineEnv()) => runJson(process.execPath, ['--import', 'tsx', join(root, file), ...argv], env);
const parley = (sub: string[]) => script('src/cli/main.ts', sub);

let torchStatus: TorchStatus | undefined;
/** PyTorch's state, checked once (and reported once: a skip or a slow-BLAS warning line). */
function torch(): TorchStatus {
  if (!torchStatus) {
    torchStatus = checkTorch();
    if (!torchStatus.ok || torchStatus.warning) print({ bench: 'torch', ...torchStatus });
  }
  return torchStatus;
}

function torchScript(file: string, flags: string[]): Promise<Json[]> {
  const env = { ...process.env };
  // This machine pins OpenBLAS to a conservative core type; unset for benchmarking (see train_bench.py).
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return runJson(torch().python, [join(root, 'bench/torch', file), ...flags, ...(threads ? ['--threads', String(threads)] : [])], env);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const shapes: Array<{ name: string; flags: string[] }> = [
  { name: 'small', flags: ['--layers', '4', '--dim', '256', '--heads', '4', '--kv-heads', '4', '--ffn', '672', '--ctx', '128', '--vocab', '4096', '--batch', '16', '--steps', '10'] },
  { name: 'medium', flags: ['--layers', '6', '--dim', '384', '--heads', '6', '--kv-heads', '6', '--ffn', '1024', '--ctx', '256', '--vocab', '8192', '--batch', '8', '--steps', '10'] },
];

async function trainBench(): Promise<void> {
  const t = torch();
  for (const s of shapes) {
    const ours: number[] = [], theirs: number[] = [], ratios: number[] = [];
    let last: Json = {}, lastTorch: Json = {};
    for (let i = 0; i < runs; i++) {
      last = (await parley(['bench', 'train', ...s.flags])).at(-1)!;
      ours.push(last.tokens_per_s as number);
      if (t.ok) {
        const flags = s.flags.map((f, j) => (s.flags[j - 1] === '--steps' ? String(torchSteps) : f));
        lastTorch = (await torchScript('train_bench.py', flags)).at(-1)!;
        theirs.push(lastTorch.tokens_per_s as number);
        ratios.push(ours[i] / theirs[i]);
      }
    }
    print({
      bench: 'train', shape: s.name, flags: s.flags.join(' '), runs,
      tokens_per_s: median(ours), peak_rss_mb: last.peak_rss_mb, threads: last.threads,
      ...(t.ok ? {
        torch_tokens_per_s: median(theirs), torch_peak_rss_mb: lastTorch.peak_rss_mb, torch_threads: lastTorch.threads,
        torch_blas: lastTorch.blas, torch_steps: torchSteps, ratio: Number(median(ratios).toFixed(3)),
      } : { torch: 'skipped' }),
    });
  }
}

async function decodeBench(): Promise<void> {
  // The small shape's model; a 64-token prompt, then 64 timed steps at batch 1 and at batch 8, beside
  // bench/torch/decode_bench.py doing the same with a KV cache in PyTorch.
  const shape = shapes[0].flags.slice(0, 14).filter((_, i, a) => a[i] !== '--ctx' && a[i - 1] !== '--ctx');
  const ours = await parley(['bench', 'decode', ...shape, '--ctx', '64', '--tokens', '64', '--batch', '1,8']);
  const t = torch();
  const theirs = t.ok ? (await torchScript('decode_bench.py', [...shape, '--ctx', '128', '--prompt', '64', '--tokens', '64', '--batches', '1,8'])).at(-1)! : undefined;
  for (const line of ours) {
    const tps = theirs?.[`tokens_per_s_batch${line.batch}`] as number | undefined;
    print({ ...line, ...(tps ? { torch_tokens_per_s: tps, torch_blas: theirs!.blas, ratio: Number(((line.tokens_per_s as number) / tps).toFixed(3)) } : { torch: 'skipped' }) });
  }
}

async function memoryBench(): Promise<void> {
  // A SmolLM2-135M-shaped model (tied, GQA 9/3): peak resident memory of forward+backward at ctx 256,
  // batch 1 (parameters, gradients and activations; no optimizer state).
  const smol = ['--layers', '30', '--dim', '576', '--heads', '9', '--kv-heads', '3', '--ffn', '1536', '--vocab', '49152', '--tied', '--ctx', '256', '--batch', '1', '--steps', '1', '--no-optimizer'];
  const line = (await parley(['bench', 'train', ...smol])).at(-1)!;
  print({ bench: 'memory', shape: '135M (SmolLM2-135M)', flags: smol.join(' '), params: line.params, peak_rss_mb: line.peak_rss_mb, tokens_per_s: line.tokens_per_s });
}

async function matmulBench(): Promise<void> {
  // bench-matmul.ts runs PyTorch's side itself and prints ratios; without torch, ours alone.
  const lines = torch().ok ? await script('src/engine/bench-matmul.ts') : await parley(['bench', 'matmul']);
  for (const l of lines) print(l.bench ? l : { bench: 'matmul', ...l });
}

const freePort = () => new Promise<number>((resolve, reject) => {
  const s = createServer();
  s.on('error', reject);
  s.listen(0, '127.0.0.1', () => {
    const port = (s.address() as { port: number }).port;
    s.close(() => resolve(port));
  });
});

/** The checkpoint the `http` benchmark serves: PARLEY_MODEL_DIR, else models/default if installed, else none. */
function httpModel(): { dir: string; source: string } | undefined {
  const env = process.env.PARLEY_MODEL_DIR;
  if (env) {
    if (!existsSync(join(env, 'config.json'))) throw new Error(`PARLEY_MODEL_DIR=${env} has no config.json: not a checkpoint directory`);
    return { dir: env, source: 'PARLEY_MODEL_DIR' };
  }
  const shipped = join(root, 'models/default');
  return existsSync(join(shipped, 'config.json')) ? { dir: shipped, source: 'models/default' } : undefined;
}

async function httpBench(): Promise<void> {
  // A server of our own on a free port with a fresh data directory (and an empty runs directory), stopped
  // (by its pid) afterwards. It serves PARLEY_MODEL_DIR when set, else the shipped models/default, else a
  // random-weights model made for the purpose (speed does not depend on the weights), so the streaming
  // lines measure our real serving path; a first line says which.
  const data = mkdtempSync(join(tmpdir(), 'parley-bench-http-'));
  const port = await freePort();
  const chosen = httpModel();
  let modelDir = chosen?.dir;
  if (!modelDir) {
    modelDir = join(data, 'bench-model');
    await script('bench/bench-model.ts', [modelDir]);
  }
  const served = chosen ? `${chosen.source} (${modelDir})` : 'random weights (bench/bench-model.ts)';
  print({ bench: 'http-model', source: chosen?.source ?? 'random', model_dir: chosen ? modelDir : null, served });
  const runsDir = join(data, 'runs');
  mkdirSync(runsDir);
  const env = {
    ...process.env, PARLEY_DATA: data, PORT: String(port), PARLEY_HOST: '127.0.0.1', PARLEY_RATE_LIMIT_PER_MINUTE: '0',
    PARLEY_MODEL_DIR: modelDir, PARLEY_RUNS_DIR: runsDir,
  };
  const server = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'serve', '--port', String(port)], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let serverErr = '';
  server.stderr.on('data', (d: Buffer) => (serverErr = (serverErr + d).slice(-2000)));
  const url = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`the server exited (${server.exitCode}): ${serverErr.trim()}`);
      if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) break;
      if (Date.now() > deadline) throw new Error(`the server did not answer ${url}/health within 120 s`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const argv = ['--url', url, '--served', served, ...(server.pid ? ['--server-pid', String(server.pid)] : [])];
    for (const l of await script('src/server/bench-http.ts', argv, process.env)) print(l);
  } finally {
    if (server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    rmSync(data, { recursive: true, force: true });
  }
}

const passThrough = (file: string, argv: string[] = [], env?: NodeJS.ProcessEnv) => async () => {
  for (const l of await script(file, argv, env)) print(l);
};

async function llamacppBench(): Promise<void> {
  // The shipped model when it is installed (its GGUF export is what users would run in llama.cpp).
  const shipped = join(root, 'models/default');
  const argv = existsSync(join(shipped, 'config.json')) ? ['--model', shipped] : [];
  for (const l of await script('src/providers/bench-vs-llamacpp.ts', argv)) print(l);
}

const benches: Bench[] = [
  { name: 'matmul', what: 'kernel GFLOP/s in the three layouts, beside torch.matmul (src/engine/bench-matmul.ts)', run: matmulBench },
  { name: 'train', what: 'training tokens/s, small and medium shapes, beside PyTorch, with ratios', run: trainBench },
  { name: 'decode', what: 'prefill (one by one vs batched) and KV-cache decode tokens/s at batch 1 and 8, beside PyTorch', run: decodeBench },
  { name: 'memory', what: 'peak RSS of forward+backward on a SmolLM2-135M-shaped model', run: memoryBench },
  { name: 'tokenizer', what: 'BPE training and encoding speed, beside @huggingface/tokenizers (bench/tokenizer.ts)', run: passThrough('bench/tokenizer.ts', [], process.env) },
  { name: 'moderation', what: 'content-filter latency per message size (bench/moderation.ts)', run: passThrough('bench/moderation.ts', [], process.env) },
  { name: 'store', what: 'conversation-list and 1,000-message queries on SQLite, or DATABASE_URL (src/store/bench-store.ts)', run: passThrough('src/store/bench-store.ts', [], process.env) },
  { name: 'http', what: 'HTTP route load (200 rps, p99), streaming TTFT and tokens/s at 1/8/32 concurrent, peak RSS, on a server started for it serving PARLEY_MODEL_DIR, else models/default, else a random-weights model (src/server/bench-http.ts)', run: httpBench },
  { name: 'scheduler', what: 'continuous-batching throughput by concurrency (src/providers/bench-scheduler.ts)', run: passThrough('src/providers/bench-scheduler.ts') },
  { name: 'llamacpp', what: 'our decode vs llama.cpp on the same GGUF export of models/default (else of a random-weights model); a skipped line without node-llama-cpp (src/providers/bench-vs-llamacpp.ts)', run: llamacppBench },
];

function selected(): Bench[] {
  const names: string[] = [];
  args.forEach((a, i) => {
    if (a === '--only') names.push(...(args[i + 1] ?? '').split(',').map((s) => s.trim()).filter(Boolean));
    else if (!a.startsWith('--') && !(i > 0 && valueFlags.has(args[i - 1]))) names.push(a);
  });
  if (args.includes('--only') && names.length === 0) throw new Error('--only: give benchmark names, e.g. --only train,decode (see --list)');
  const unknown = names.filter((n) => !benches.some((b) => b.name === n));
  if (unknown.length) throw new Error(`unknown benchmark ${unknown.map((n) => JSON.stringify(n)).join(', ')}; known: ${benches.map((b) => b.name).join(', ')}`);
  return names.length ? benches.filter((b) => names.includes(b.name)) : benches;
}

async function main(): Promise<number> {
  if (args.includes('--list')) {
    for (const b of benches) print({ bench: b.name, measures: b.what });
    return 0;
  }
  let chosen: Bench[];
  try {
    chosen = selected();
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    return 2;
  }
  let failed = 0;
  for (const b of chosen) {
    process.stderr.write(`--- ${b.name}: ${b.what}\n`);
    try {
      await b.run();
    } catch (e) {
      failed++;
      print({ bench: b.name, error: (e as Error).message });
    }
  }
  return failed ? 1 : 0;
}

process.exitCode = await main();
