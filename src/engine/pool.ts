// The thread pool: `threads` in all, the calling thread counting as one. Every worker instantiates the same
// kernels.wasm on the one shared memory and sleeps in Atomics.wait on a control block. A call writes the kernel
// id and its arguments there, wakes the workers, takes chunks of the range itself like they do, and waits.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { UserError } from '../util/errors.ts';
import { alloc, free, memory } from './memory.ts';
import { CTL, CTL_INTS, MAX_ARGS, takeChunks } from './pool-protocol.js';

/** Per-thread scratch handed to kernels after `end` (attention rows, matmul panels). */
export const SCRATCH_BYTES = 4 << 20;

type Kernel = (...args: number[]) => void;

interface Engine {
  threads: number; // started: the caller + workers
  active: number; // shares a call is split into (≤ threads); tests lower it to compare results
  kernels: Map<string, { id: number; fn: Kernel }>;
  ctl: Int32Array;
  args: Float64Array;
  ctlPtr: number;
  scratch: number;
  workers: Worker[];
  variant: KernelVariant;
}

let engine: Engine | undefined;
let starting: Promise<void> | undefined;

const root = fileURLToPath(new URL('../../', import.meta.url));
/** Two builds of the same kernels: `plain` (f32x4 mul + add) and `relaxed` (relaxed-SIMD fused multiply-add
 *  in the matmul; results may differ from plain, and between machines, in the last bits). */
export type KernelVariant = 'plain' | 'relaxed';
export const KERNEL_FILES: Record<KernelVariant, string> = {
  plain: `${root}build/kernels.wasm`,
  relaxed: `${root}build/kernels-relaxed.wasm`,
};

/** PARLEY_THREADS if set (validated), else os.availableParallelism(). */
export function threadsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.PARLEY_THREADS;
  if (raw === undefined || raw === '') return availableParallelism();
  if (!/^\s*\d+\s*$/.test(raw) || Number(raw) < 1 || Number(raw) > 256) {
    throw new UserError(`PARLEY_THREADS must be a whole number of threads from 1 to 256, got "${raw}"`);
  }
  return Number(raw);
}

/** PARLEY_RELAXED_SIMD: unset or 1 = use the relaxed build when the engine accepts it, 0 = always plain. */
export function relaxedAllowedFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env.PARLEY_RELAXED_SIMD;
  if (raw === undefined || raw === '' || raw === '1') return true;
  if (raw === '0') return false;
  throw new UserError(`PARLEY_RELAXED_SIMD must be 0 (plain SIMD only) or 1 (relaxed SIMD when supported), got "${raw}"`);
}

function isStale(wasm: string): boolean {
  const src = `${root}src/kernels`;
  if (!existsSync(wasm)) return true;
  const built = statSync(wasm).mtimeMs;
  return existsSync(src) && readdirSync(src).some((f) => f.endsWith('.ts') && statSync(`${src}/${f}`).mtimeMs > built);
}

function compileIfStale(): void {
  if (!isStale(KERNEL_FILES.plain) && !isStale(KERNEL_FILES.relaxed)) return;
  const r = spawnSync(process.execPath, [`${root}scripts/build-kernels.js`], { stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(KERNEL_FILES.plain)) {
    throw new Error(`parley: ${KERNEL_FILES.plain} is missing and compiling the kernels failed; run \`npm run build:kernels\``);
  }
}

let relaxedFlagSet = false;
/** Whether this V8 compiles relaxed-SIMD code. Node 20 has it behind a flag; setting the flag at run time
 *  works because modules are compiled after it (the flag is process-wide, and workers get the compiled module). */
export function relaxedSimdSupported(bytes: Uint8Array<ArrayBuffer>): boolean {
  if (WebAssembly.validate(bytes)) return true;
  if (!relaxedFlagSet) {
    relaxedFlagSet = true;
    try { setFlagsFromString('--experimental-wasm-relaxed-simd'); } catch { return false; }
  }
  return WebAssembly.validate(bytes);
}

/** The kernel build to run: relaxed when allowed, built from current sources and accepted by V8, else plain. */
export function chooseKernels(allowRelaxed = relaxedAllowedFromEnv()): { variant: KernelVariant; bytes: Uint8Array<ArrayBuffer> } {
  if (allowRelaxed && !isStale(KERNEL_FILES.relaxed)) {
    const bytes = readFileSync(KERNEL_FILES.relaxed);
    if (relaxedSimdSupported(bytes)) return { variant: 'relaxed', bytes };
  }
  return { variant: 'plain', bytes: readFileSync(KERNEL_FILES.plain) };
}

/** Starts the engine once: compiles/loads the kernels, allocates the control block, starts the workers.
 *  Later calls return at once. `threads` overrides PARLEY_THREADS (tests). */
export function initEngine(opts: { threads?: number } = {}): Promise<void> {
  if (engine) return Promise.resolve();
  starting ??= start(opts.threads ?? threadsFromEnv()).finally(() => { starting = undefined; });
  return starting;
}

async function start(threads: number): Promise<void> {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`initEngine: threads must be a positive integer, got ${threads}`);
  compileIfStale();
  const { variant, bytes } = chooseKernels();
  const module = await WebAssembly.compile(bytes);
  const imports = { env: { memory, abort: kernelAbort } };
  const instance = await WebAssembly.instantiate(module, imports);
  const names = WebAssembly.Module.exports(module).filter((e) => e.kind === 'function').map((e) => e.name);
  const kernels = new Map(names.map((name, id) => [name, { id, fn: instance.exports[name] as Kernel }]));
  const ctlPtr = alloc(CTL_INTS + 2 * MAX_ARGS);
  const ctl = new Int32Array(memory.buffer, ctlPtr, CTL_INTS);
  ctl.fill(0);
  const args = new Float64Array(memory.buffer, ctlPtr + CTL_INTS * 4, MAX_ARGS);
  const scratch = alloc((threads * SCRATCH_BYTES) / 4);
  const workers: Worker[] = [];
  const ready: Promise<void>[] = [];
  for (let index = 1; index < threads; index++) {
    const w = new Worker(new URL('./pool-worker.js', import.meta.url), {
      workerData: { module, memory, ctlPtr, index, names, scratch: scratch + index * SCRATCH_BYTES },
    });
    ready.push(new Promise((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', reject);
    }));
    workers.push(w);
  }
  await Promise.all(ready);
  // Unref'd, so a CLI process exits when its own work is done; they sleep in Atomics.wait meanwhile.
  for (const w of workers) w.unref();
  engine = { threads, active: threads, kernels, ctl, args, ctlPtr, scratch, workers, variant };
}

function kernelAbort(): never {
  throw new Error('parley: a kernel aborted (out-of-range access?)');
}

function need(): Engine {
  if (!engine) throw new Error('parley engine not started: `await initEngine()` before calling ops');
  return engine;
}

/** Threads started (the caller included). */
export function poolThreads(): number {
  return need().threads;
}

/** Which kernel build the engine runs (see KernelVariant). */
export function kernelVariant(): KernelVariant {
  return need().variant;
}

/** Splits later calls into n shares (1 ≤ n ≤ started threads); for tests of thread-count independence. */
export function setActiveThreads(n: number): void {
  const e = need();
  if (!Number.isInteger(n) || n < 1 || n > e.threads) throw new RangeError(`setActiveThreads: n must be 1..${e.threads}, got ${n}`);
  e.active = n;
}

let parallelCalls = 0;
/** Calls that were split across worker threads so far (tests use it to prove a split happened). */
export function parallelCallCount(): number {
  return parallelCalls;
}

/** Chunks per thread of a parallel call: enough to even out a delayed thread, few enough that per-chunk
 *  costs stay small (matmuls use 2: each chunk packs its own copy of the operand the chunks share). */
export const CHUNKS_PER_THREAD = 4;

/** Below this much work (≈ flops) a call runs on the calling thread: waking workers costs ~10–50 µs. */
export const PARALLEL_MIN_WORK = 200_000;

/** Runs kernel `name` over [0, total) split into shares aligned to `grain`. `work` estimates the flops. */
export function run(name: string, args: number[], total: number, grain: number, work: number, chunksPerThread = CHUNKS_PER_THREAD): void {
  const e = need();
  const k = e.kernels.get(name);
  if (!k) throw new Error(`parley: kernel ${name} is not in kernels.wasm (stale build?)`);
  const units = Math.ceil(total / grain);
  const shares = Math.min(e.active, units);
  if (shares <= 1 || work < PARALLEL_MIN_WORK) {
    if (total > 0) k.fn(...args, 0, total, e.scratch);
    return;
  }
  if (args.length > MAX_ARGS) throw new Error(`parley: kernel ${name} has too many arguments`);
  const { ctl } = e;
  parallelCalls++;
  e.args.set(args);
  ctl[CTL.KERNEL] = k.id;
  ctl[CTL.NARGS] = args.length;
  ctl[CTL.SHARES] = shares;
  ctl[CTL.TOTAL] = total;
  ctl[CTL.GRAIN] = grain;
  ctl[CTL.ERROR] = 0;
  // A few chunks per thread, taken first come first served: a thread the OS delays (a busy machine) just
  // takes fewer. Chunk boundaries depend only on the call, so the bits do not depend on who ran what.
  ctl[CTL.CHUNKS] = Math.min(units, shares * chunksPerThread);
  ctl[CTL.NEXT] = 0;
  Atomics.store(ctl, CTL.DONE, 0);
  Atomics.add(ctl, CTL.GEN, 1);
  Atomics.notify(ctl, CTL.GEN);
  let failure: unknown;
  try {
    takeChunks(ctl, (start, end) => k.fn(...args, start, end, e.scratch));
  } catch (err) {
    failure = err;
    Atomics.store(ctl, CTL.NEXT, 1 << 30); // stop handing out chunks
  }
  // Wait for the other shares: spin briefly (they are usually nearly done), then sleep.
  let spins = 0;
  for (let d = Atomics.load(ctl, CTL.DONE); d < e.workers.length; d = Atomics.load(ctl, CTL.DONE)) {
    if (++spins > 2000) Atomics.wait(ctl, CTL.DONE, d, 50);
  }
  if (failure) throw failure;
  if (ctl[CTL.ERROR]) throw new WorkerKernelError(name);
}

/** A kernel threw in a worker thread (the worker printed why on stderr). Nothing else was changed by the call. */
export class WorkerKernelError extends Error {
  constructor(readonly kernel: string) {
    super(`parley: kernel ${kernel} failed in a worker thread (see the worker's message above)`);
    this.name = 'WorkerKernelError';
  }
}

/** Stops the workers (tests; a CLI need not call it since workers are unref'd). */
export async function shutdownEngine(): Promise<void> {
  if (!engine) return;
  const e = engine;
  engine = undefined;
  Atomics.store(e.ctl, CTL.STOP, 1);
  Atomics.add(e.ctl, CTL.GEN, 1);
  Atomics.notify(e.ctl, CTL.GEN);
  await Promise.all(e.workers.map((w) => w.terminate()));
  free(e.ctlPtr);
  free(e.scratch);
}
