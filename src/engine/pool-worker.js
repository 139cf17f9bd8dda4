// A pool worker: instantiates kernels.wasm on the shared memory, then loops — sleep on the control block's
// generation counter, take chunks of the announced kernel's range until none are left, count itself done. Plain JavaScript so it
// starts without a TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import { writeSync } from 'node:fs';
import { CTL, CTL_INTS, MAX_ARGS, takeChunks } from './pool-protocol.js';

const { module, memory, ctlPtr, index, names, scratch } = workerData;
const instance = new WebAssembly.Instance(module, {
  env: { memory, abort: () => { throw new Error('kernel abort'); } },
});
const fns = names.map((n) => instance.exports[n]);
const ctl = new Int32Array(memory.buffer, ctlPtr, CTL_INTS);
const argv = new Float64Array(memory.buffer, ctlPtr + CTL_INTS * 4, MAX_ARGS);
// Read the generation before saying ready: the first call may bump it the moment the pool hears from us.
let seen = Atomics.load(ctl, CTL.GEN);
parentPort.postMessage('ready');

for (;;) {
  // Calls come in bursts during training: spin a little before sleeping to skip the wake-up latency.
  let spins = 0, gen;
  while ((gen = Atomics.load(ctl, CTL.GEN)) === seen && ++spins < 20000);
  // Only a changed GEN is a new call: waking up is not. A caller preempted between bumping GEN and
  // Atomics.notify wakes us after we have already run that call, counted DONE and gone back to sleep; acting on
  // that wake-up ran the old call's kernel again while the caller was writing the next call's arguments (a
  // rope with a matmul's pointers: "memory access out of bounds"), and counted DONE twice, so a later call could
  // return before this worker had finished its chunks. pool-stress.ts --late-notify reproduces it.
  while (gen === seen) {
    Atomics.wait(ctl, CTL.GEN, seen);
    gen = Atomics.load(ctl, CTL.GEN);
  }
  seen = gen;
  if (Atomics.load(ctl, CTL.STOP)) break;
  // Every worker counts itself done on every call, even with no share: the caller waits for all of them, so
  // none can lag behind and read the next call's arguments while it thinks it is still in this one.
  if (index < ctl[CTL.SHARES]) {
    try {
      const fn = fns[ctl[CTL.KERNEL]];
      const args = Array.from(argv.subarray(0, ctl[CTL.NARGS]));
      takeChunks(ctl, (start, end) => fn(...args, start, end, scratch));
    } catch (err) {
      // Written synchronously: the caller throws as soon as it sees ERROR, and may exit before an async write.
      try { writeSync(2, `parley: worker ${index}: kernel ${names[ctl[CTL.KERNEL]]} threw: ${err && err.stack || err}\n`); } catch { /* stderr closed */ }
      Atomics.store(ctl, CTL.ERROR, 1);
    }
  }
  Atomics.add(ctl, CTL.DONE, 1);
  Atomics.notify(ctl, CTL.DONE);
}
