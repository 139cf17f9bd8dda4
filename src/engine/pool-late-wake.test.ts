// A worker must act only on a new call (a changed GEN), never on a mere wake-up. The caller bumps GEN and then
// calls Atomics.notify; if it is preempted in between, the workers run the whole call, count themselves done and
// go back to sleep, and the late notify wakes them with no new call. The pool used to treat that wake-up as a
// call: it ran the old kernel again against whatever the caller was writing for the next call (the rare
// "kernel matmul_nn threw: memory access out of bounds" in wasm-function[12] = rope during training) and
// counted DONE twice, so a later call could return before a worker had finished its chunks. Here the late
// notify is sent by the test once the workers sleep; pool-stress.ts --late-notify delays the pool's own notify
// at training shapes for thousands of calls.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as ops from './ops.ts';
import { alloc, f32, free } from './memory.ts';
import { CTL, CTL_INTS } from './pool-protocol.js';

before(async () => { await ops.initEngine({ threads: 3 }); });
after(() => ops.shutdownEngine());

/** The pool's control block, caught as the pool notifies its workers during `call`. */
function controlBlock(call: () => void): Int32Array {
  const original = Atomics.notify;
  let ctl: Int32Array | undefined;
  Atomics.notify = ((arr: Int32Array, index: number, count?: number): number => {
    if (index === CTL.GEN && arr.length === CTL_INTS) ctl = arr;
    return original(arr, index, count);
  }) as typeof Atomics.notify;
  try {
    call();
  } finally {
    Atomics.notify = original;
  }
  if (!ctl) throw new Error('the call did not notify the workers (not split?)');
  return ctl;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

test('a late Atomics.notify wakes no worker into running the finished call again', () => {
  const workers = ops.poolThreads() - 1;
  const n = 1 << 20; // well over PARALLEL_MIN_WORK, so the call is split
  const x = alloc(n);
  try {
    const ctl = controlBlock(() => ops.fill(x, 2, n));
    assert.equal(Atomics.load(ctl, CTL.DONE), workers);
    // Wait until at least one worker has stopped spinning and sleeps (the notify says how many it woke).
    let woken = 0;
    for (const deadline = Date.now() + 15_000; woken === 0 && Date.now() < deadline;) {
      Atomics.wait(sleeper, 0, 0, 20);
      woken = Atomics.notify(ctl, CTL.GEN);
    }
    assert.ok(woken > 0, 'in 15 s no worker went to sleep after the call (machine too busy?)');
    // A wrongly woken worker runs the call again and counts itself (then notifies DONE); give it a second,
    // since on a loaded machine the woken thread may wait a while for a core.
    Atomics.wait(ctl, CTL.DONE, workers, 1000);
    assert.equal(Atomics.load(ctl, CTL.DONE), workers, `${woken} worker(s) woken with no new call counted the finished call again`);
    assert.ok(f32(x, n).every((e) => e === 2), 'the fill result is wrong');
    // The pool still works.
    ops.fill(x, 3, n);
    assert.ok(f32(x, n).every((e) => e === 3), 'the pool gave a wrong result after the late notify');
  } finally {
    free(x);
  }
});
