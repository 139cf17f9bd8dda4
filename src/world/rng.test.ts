import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from './rng.ts';

test('same seed, same stream; forks are independent of draws elsewhere', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const xs = Array.from({ length: 100 }, () => a.nextU32());
  assert.deepEqual(Array.from({ length: 100 }, () => b.nextU32()), xs);
  assert.notDeepEqual(Array.from({ length: 100 }, () => new Rng(43).nextU32()), xs);
  const c = new Rng(1);
  const f1 = c.fork('x').nextU32();
  c.next();
  c.next();
  assert.equal(c.fork('x').nextU32(), f1);
  assert.notEqual(c.fork('y').nextU32(), f1);
});

test('int, range, pick and shuffle stay in bounds and are roughly uniform', () => {
  const r = new Rng('u');
  const counts = new Array(10).fill(0);
  for (let i = 0; i < 20000; i++) counts[r.int(10)]++;
  for (const c of counts) assert.ok(c > 1800 && c < 2200, String(counts));
  for (let i = 0; i < 1000; i++) {
    const v = r.range(-3, 3);
    assert.ok(v >= -3 && v <= 3 && Number.isInteger(v));
    const x = r.next();
    assert.ok(x >= 0 && x < 1);
  }
  const s = r.shuffle([1, 2, 3, 4, 5]);
  assert.deepEqual([...s].sort(), [1, 2, 3, 4, 5]);
  assert.throws(() => r.pick([]), /empty/);
  assert.throws(() => r.int(0), /n > 0/);
});
