// The control block shared by the pool (pool.ts) and its workers (pool-worker.js): int32 slots, then
// MAX_ARGS float64 arguments. Plain JavaScript so worker threads load it without a TypeScript loader.
export const CTL = {
  GEN: 0, // bumped once per call; workers wait on it
  KERNEL: 1, // kernel id (index among the module's function exports)
  NARGS: 2,
  SHARES: 3, // how many shares this call has; worker i runs share i if i < SHARES
  TOTAL: 4, // the outer range [0, TOTAL)
  GRAIN: 5, // share boundaries are multiples of GRAIN
  DONE: 6, // workers done with this call (all of them count, with a share or not)
  ERROR: 7, // set by a worker whose kernel threw
  STOP: 8, // set to end the workers
  CHUNKS: 9, // the range is cut into this many chunks (fixed boundaries, so the result never depends on who runs which)
  NEXT: 10, // the next chunk to take (threads take chunks until none are left)
};
export const CTL_INTS = 16; // 64 bytes, keeps the args 8-byte aligned
export const MAX_ARGS = 24;

/** Runs chunks of the current call until none are left: `call(start, end)` for each chunk taken. */
export function takeChunks(ctl, call) {
  const chunks = ctl[CTL.CHUNKS], total = ctl[CTL.TOTAL], grain = ctl[CTL.GRAIN];
  for (let c = Atomics.add(ctl, CTL.NEXT, 1); c < chunks; c = Atomics.add(ctl, CTL.NEXT, 1)) {
    const [start, end] = shareRange(c, chunks, total, grain);
    if (end > start) call(start, end);
  }
}

/** Share i of n over [0, total): contiguous, boundaries on multiples of grain, sizes differing by ≤ one grain. */
export function shareRange(i, n, total, grain) {
  const units = Math.ceil(total / grain);
  const lo = Math.floor((i * units) / n) * grain;
  const hi = Math.min(total, Math.floor(((i + 1) * units) / n) * grain);
  return [lo, hi];
}
