// Stress script for the worker pool's call protocol (pool.ts ↔ pool-worker.js): runs the attention-backward
// sequence of the default training preset (ropeBackward on dq, then matmulNN / matmulTN at [1536 × 128] shapes)
// over and over on 2+ threads and checks every result bit for bit against the first one. A worker that runs a
// stale call, or a caller that returns before a worker is done, shows up as a WorkerKernelError or a mismatch.
//
//   nice -n 19 node --import tsx src/engine/pool-stress.ts [--iters N] [--reps R] [--threads T] [--late-notify P:MS] [--busy B] [--keep-going]
//
// --late-notify P:MS  with probability P, the caller sleeps MS ms between bumping GEN and Atomics.notify — what a
//                     loaded machine does when it preempts the caller there (test-only: wraps Atomics.notify here).
// --busy B            B extra threads spinning in this process, to get real preemption.
// Prints one JSON line: calls made, failures, the call count at the first failure and why; with --late-notify,
// `wokeAfterDone` counts the delayed notifies that woke a worker which had already finished that call.
// Measured 2026-11-26 (2 threads, --late-notify 0.5:2, up to 150 iters = 3,600 parallel calls a run): before the
// fix in pool-worker.js 16 of 21 runs failed, the first failure after 17–3,312 calls (median ~450): traps in rope
// like the training run's, and silently wrong matmul results; after it, 16 runs (57,600 calls) without a failure,
// and 24,000 calls on 3 threads (before: a wrong rope result after 1,272). Without --late-notify (--busy 2):
// no failure in 9,600 calls either way — the natural window is tiny (the training runs hit it about once an hour).
import { Worker } from 'node:worker_threads';
import * as ops from './ops.ts';
import { alloc, f32, i32 } from './memory.ts';
import { WorkerKernelError } from './pool.ts';
import { CTL, CTL_INTS } from './pool-protocol.js';

interface Options { reps: number; iters: number; threads: number; lateP: number; lateMs: number; busy: number; keepGoing: boolean; seed: number }

function parseArgs(argv: string[]): Options {
  const o: Options = { reps: 8, iters: 2000, threads: 2, lateP: 0, lateMs: 0, busy: 0, keepGoing: false, seed: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = argv[i + 1];
    const int = (name: string, min: number): number => {
      if (v === undefined || !/^\d+$/.test(v) || Number(v) < min) throw new Error(`pool-stress: ${name} needs a whole number ≥ ${min}, got ${v}`);
      i++;
      return Number(v);
    };
    if (a === '--iters') o.iters = int(a, 1);
    else if (a === '--reps') o.reps = int(a, 1);
    else if (a === '--threads') o.threads = int(a, 2);
    else if (a === '--busy') o.busy = int(a, 0);
    else if (a === '--seed') o.seed = int(a, 0);
    else if (a === '--keep-going') o.keepGoing = true;
    else if (a === '--late-notify') {
      const m = /^(0|1|0?\.\d+):(\d+(?:\.\d+)?)$/.exec(v ?? '');
      if (!m) throw new Error(`pool-stress: --late-notify needs P:MS (probability 0..1, milliseconds), got ${v}`);
      o.lateP = Number(m[1]); o.lateMs = Number(m[2]); i++;
    } else throw new Error(`pool-stress: unknown argument ${a}`);
  }
  return o;
}

/** Notifies of GEN that were delayed; how many woke a worker although every worker had already counted itself
 *  done with that call (so the wake-up carries no new call: the case the pool must ignore); and the last one's
 *  details. A worker asleep since before GEN was bumped is woken legitimately, so `woken` alone proves nothing. */
export const lateNotify = {
  delayed: 0, wokeAfterDone: 0, workers: 0, lastWoken: 0, lastDoneBefore: 0, ctl: undefined as Int32Array | undefined,
};

/** Makes the caller sleep between bumping a control block's GEN and notifying the workers, with probability p. */
export function delayGenNotify(p: number, ms: number, seed: number): () => void {
  const original = Atomics.notify;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  let s = seed >>> 0 || 1;
  const rand = (): number => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; };
  Atomics.notify = ((arr: Int32Array, index: number, count?: number): number => {
    if (index !== CTL.GEN || arr.length !== CTL_INTS || rand() >= p) return original(arr, index, count);
    Atomics.wait(sleeper, 0, 0, ms);
    const doneBefore = Atomics.load(arr, CTL.DONE);
    const woken = original(arr, index, count);
    lateNotify.delayed++;
    lateNotify.lastWoken = woken;
    lateNotify.lastDoneBefore = doneBefore;
    lateNotify.ctl = arr;
    if (woken > 0 && doneBefore >= lateNotify.workers) lateNotify.wokeAfterDone++;
    return woken;
  }) as typeof Atomics.notify;
  return () => { Atomics.notify = original; };
}

/** The training preset's shapes: micro-batch 8 × ctx 192 rows, dim 128, 4 heads of 32. */
const BT = 8 * 192, C = 128, H = 4, HD = 32;

export interface StressResult { iters: number; calls: number; failures: number; firstFailureCall?: number; firstFailure?: string }

/** Runs the sequence `reps` times back to back, `iters` times, checking the results after each (engine already
 *  started); stops at the first failure unless keepGoing. */
export function stress(iters: number, keepGoing: boolean, reps = 8): StressResult {
  let seed = 12345;
  const rnd = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32 - 0.5; };
  const x0 = Float32Array.from({ length: BT * C }, rnd);
  const a = alloc(BT * C), w = alloc(C * C), x = alloc(BT * C), xs = alloc(BT * C), pos = alloc(BT), out = alloc(BT * C), dw = alloc(C * C);
  f32(a, BT * C).set(Float32Array.from({ length: BT * C }, rnd));
  f32(w, C * C).set(Float32Array.from({ length: C * C }, rnd));
  f32(xs, BT * C).set(x0);
  i32(pos, BT).set(Int32Array.from({ length: BT }, (_, r) => r % 192));
  const step = (): void => {
    ops.copy(x, xs, BT * C);
    ops.ropeBackward(x, pos, BT, H, HD, 10000);
    ops.matmulNN(out, x, w, BT, C, C, false);
    ops.matmulTN(dw, a, x, C, BT, C, false);
  };
  step();
  const ref = [f32(x, BT * C).slice(), f32(out, BT * C).slice(), f32(dw, C * C).slice()];
  const bufs: Array<[string, number, number]> = [['rope', x, BT * C], ['matmulNN', out, BT * C], ['matmulTN', dw, C * C]];
  const res: StressResult = { iters: 0, calls: 0, failures: 0 };
  for (let it = 0; it < iters; it++) {
    let why: string | undefined;
    const before = ops.parallelCallCount();
    try {
      for (let r = 0; r < reps; r++) step();
    } catch (e) {
      if (!(e instanceof WorkerKernelError)) throw e;
      why = e.message;
    }
    res.calls += ops.parallelCallCount() - before;
    res.iters++;
    if (!why) {
      for (let b = 0; b < bufs.length && !why; b++) {
        const [name, ptr, n] = bufs[b];
        const got = new Uint32Array(f32(ptr, n).slice().buffer), want = new Uint32Array(ref[b].buffer);
        const bad = got.findIndex((v, j) => v !== want[j]);
        if (bad >= 0) why = `${name} differs from the first run at element ${bad}`;
      }
    }
    if (why) {
      res.failures++;
      if (res.firstFailureCall === undefined) { res.firstFailureCall = res.calls; res.firstFailure = why; }
      if (!keepGoing) break;
    }
  }
  return res;
}

function startBusy(n: number): Worker[] {
  const code = 'const { workerData } = require("node:worker_threads"); const f = new Int32Array(workerData); while (Atomics.load(f, 0) === 0);';
  const flag = new SharedArrayBuffer(4);
  const ws = Array.from({ length: n }, () => new Worker(code, { eval: true, workerData: flag }));
  for (const w of ws) w.unref();
  return ws;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const o = parseArgs(process.argv.slice(2));
  await ops.initEngine({ threads: o.threads });
  lateNotify.workers = ops.poolThreads() - 1;
  const restore = o.lateP > 0 ? delayGenNotify(o.lateP, o.lateMs, o.seed) : () => {};
  const busy = startBusy(o.busy);
  const t0 = Date.now();
  const r = stress(o.iters, o.keepGoing, o.reps);
  restore();
  await Promise.all(busy.map((w) => w.terminate()));
  console.log(JSON.stringify({ ...r, threads: o.threads, lateNotify: o.lateP ? `${o.lateP}:${o.lateMs}` : 'off', busy: o.busy, ...(o.lateP ? { delayed: lateNotify.delayed, wokeAfterDone: lateNotify.wokeAfterDone } : {}), seconds: (Date.now() - t0) / 1000 }));
  process.exit(r.failures ? 1 : 0);
}
