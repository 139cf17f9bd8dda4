import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, sampleToken, TokenHistory, applyPenalties, topKIds, defaultSampler, validateSampler, logSoftmaxAt } from './sampling.ts';

const opts = (o: Partial<typeof defaultSampler>) => ({ ...defaultSampler, ...o });

test('Rng: same seed, same stream; different seeds differ; uniform mean near 0.5', () => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43);
  const xa = Array.from({ length: 5 }, () => a.nextU32());
  assert.deepEqual(xa, Array.from({ length: 5 }, () => b.nextU32()));
  assert.notDeepEqual(xa, Array.from({ length: 5 }, () => c.nextU32()));
  const r = new Rng(1);
  let s = 0;
  for (let i = 0; i < 20000; i++) s += r.next();
  assert.ok(Math.abs(s / 20000 - 0.5) < 0.01);
});

test('temperature 0 is greedy (after penalties)', () => {
  const logits = new Float32Array([1, 3, 2]);
  assert.equal(sampleToken(logits.slice(), opts({ temperature: 0 }), new TokenHistory([]), new Rng(0)), 1);
  // Repetition penalty 2 turns 3 into 1.5 < 2, so token 2 wins.
  assert.equal(sampleToken(logits.slice(), opts({ temperature: 0, repetitionPenalty: 2 }), new TokenHistory([1]), new Rng(0)), 2);
});

test('penalties follow the specified formulas', () => {
  const h = new TokenHistory([0, 1]);
  h.add(2); h.add(2); h.add(3);
  const l = new Float32Array([2, -2, 1, 1, 5]);
  applyPenalties(l, opts({ repetitionPenalty: 2, frequencyPenalty: 0.5, presencePenalty: 0.25 }), h);
  // rep: 0:2→1, 1:-2→-4, 2:1→0.5, 3:1→0.5 ; freq/presence on output only: 2: -(1+0.25), 3: -(0.5+0.25)
  assert.deepEqual(Array.from(l), [1, -4, 0.5 - 1.25, 0.5 - 0.75, 5]);
});

test('top-k keeps only the k best; top-p keeps the smallest nucleus', () => {
  assert.deepEqual(topKIds(new Float32Array([0.1, 5, 3, 5, -1, 4]), 3), [1, 3, 5]);
  const rng = new Rng(7);
  const logits = new Float32Array([0, 3, 2.9, -1, 1]);
  const seen = new Set<number>();
  for (let i = 0; i < 300; i++) seen.add(sampleToken(logits.slice(), opts({ topK: 2 }), new TokenHistory([]), rng));
  assert.deepEqual([...seen].sort(), [1, 2]);
  // probabilities ~ [.02,.43,.39,.006,.06(+)]: top-p 0.5 keeps {1,2}; top-p 0.3 keeps {1} only.
  const seenP = new Set<number>();
  for (let i = 0; i < 300; i++) seenP.add(sampleToken(logits.slice(), opts({ topP: 0.5 }), new TokenHistory([]), rng));
  assert.deepEqual([...seenP].sort(), [1, 2]);
  for (let i = 0; i < 50; i++) assert.equal(sampleToken(logits.slice(), opts({ topP: 0.3 }), new TokenHistory([]), rng), 1);
});

test('sampling frequencies match the softmax at temperature 1 and sharpen at low temperature', () => {
  const logits = new Float32Array([0, Math.log(3)]); // p = [0.25, 0.75]
  const rng = new Rng(123);
  let ones = 0;
  for (let i = 0; i < 8000; i++) ones += sampleToken(logits.slice(), opts({}), new TokenHistory([]), rng);
  assert.ok(Math.abs(ones / 8000 - 0.75) < 0.02, `freq ${ones / 8000}`);
  ones = 0;
  for (let i = 0; i < 2000; i++) ones += sampleToken(logits.slice(), opts({ temperature: 0.25 }), new TokenHistory([]), rng);
  assert.ok(ones / 2000 > 0.95); // p ∝ 3^4 : 1
});

test('a fixed seed reproduces the samples', () => {
  const logits = new Float32Array(Array.from({ length: 50 }, (_, i) => Math.sin(i)));
  const draw = (seed: number) => {
    const r = new Rng(seed);
    return Array.from({ length: 20 }, () => sampleToken(logits.slice(), opts({ topP: 0.9, topK: 30 }), new TokenHistory([]), r));
  };
  assert.deepEqual(draw(5), draw(5));
  assert.notDeepEqual(draw(5), draw(6));
});

test('logSoftmaxAt and validation', () => {
  assert.ok(Math.abs(logSoftmaxAt(new Float32Array([0, Math.log(3)]), 1) - Math.log(0.75)) < 1e-6);
  assert.throws(() => validateSampler(opts({ topP: 0 })), /top-p must be in \(0, 1\], got 0/);
  assert.throws(() => validateSampler(opts({ temperature: -1 })), /temperature/);
  assert.throws(() => validateSampler(opts({ topK: 1.5 })), /top-k/);
});

test('top-p over a large vocabulary samples exactly within the nucleus of a full sort', () => {
  const V = 20000, rng = new Rng(99);
  const logits = Float32Array.from({ length: V }, () => rng.normal() * 3);
  const order = Array.from({ length: V }, (_, i) => i).sort((a, b) => logits[b] - logits[a] || a - b);
  const max = logits[order[0]];
  const w = order.map((i) => Math.exp(logits[i] - max));
  const total = w.reduce((a, b) => a + b, 0);
  let cum = 0, size = 0;
  while (cum / total < 0.6) cum += w[size++];
  const nucleus = new Set(order.slice(0, size));
  const seen = new Set<number>();
  for (let i = 0; i < 3000; i++) {
    const id = sampleToken(logits.slice(), opts({ topP: 0.6 }), new TokenHistory([]), rng);
    assert.ok(nucleus.has(id), `sampled ${id} outside the nucleus of ${size}`);
    seen.add(id);
  }
  assert.ok(seen.size > size / 2, `${seen.size} of ${size} nucleus tokens seen`);
});
