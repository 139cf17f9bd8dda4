// A worker must act only on a new call (a changed GEN), never on a mere wake-up. The caller bumps GEN and then
// calls Atomics.notify; if it is preempted in between, the workers run the whole call, count themselves done and
// go back to sleep, and the late notify wakes them with no new call. The pool used to treat that wake-up as a
// call: it ran the old kernel again against whatever the caller was writing for the next call (the rare
// "kernel matmul_nn threw: memory access out of bounds" in wasm-function[12] = rope during training) and
// counted DONE twice. Here the preemption is made certain by delaying Atomics.notify in this thread.
// pool-stress.ts runs the same at training shapes for thousands of calls.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as ops from './ops.ts';
import { alloc, f32, free } from './memory.ts';
import { CTL } from './pool-protocol.js';
import { delayGenNotify, lateNotify } from './pool-stress.ts';

before(async () => { await ops.initEngine({ threads: 3 }); });
after(() => ops.shutdownEngine());

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number): void => { Atomics.wait(sleeper, 0, 0, ms); };

test('a late Atomics.notify wakes no worker into running the finished call again', () => {
  const workers = ops.poolThreads() - 1;
  const n = 1 << 20; // well over PARALLEL_MIN_WORK, so the call is split
  const x = alloc(n);
  try {
    // The workers must be asleep when the late notify comes: give them longer each try on a busy machine.
    let exercised = 0;
    for (let delay = 25; delay <= 800 && exercised < 2; delay *= 2) {
      f32(x, n).fill(0);
      const restore = delayGenNotify(1, delay, 1);
      const before = ops.parallelCallCount();
      try {
        ops.fill(x, 2, n);
      } finally {
        restore();
      }
      assert.equal(ops.parallelCallCount(), before + 1, 'the fill was not split across threads');
      if (lateNotify.lastWoken === 0) continue; // a worker was still busy or spinning: not this case
      exercised++;
      sleep(100); // time for a wrongly woken worker to run the call again and count itself
      const ctl = lateNotify.ctl!;
      assert.equal(Atomics.load(ctl, CTL.DONE), workers,
        `${lateNotify.lastWoken} worker(s) woken by the late notify counted the finished call again`);
      const v = f32(x, n);
      assert.ok(v.every((e) => e === 2), 'the fill result is wrong');
      // The pool still works, split or not.
      ops.fill(x, 3, n);
      assert.ok(f32(x, n).every((e) => e === 3));
    }
    assert.ok(exercised > 0, 'the workers never went to sleep before the delayed notify (machine too busy even at 800 ms)');
  } finally {
    free(x);
  }
});
