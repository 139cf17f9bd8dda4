// Batched prefill: several prompts in one forward give what each gives alone, and the grouping rule.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { initEngine, shutdownEngine } from './ops.ts';
import { makeConfig } from './config.ts';
import { LlamaModel } from './model.ts';
import { Decoder } from './decode.ts';
import { f32 } from './memory.ts';
import { prefillGroups, MAX_PADDING, MAX_ROWS } from './prefill-groups.ts';

const config = makeConfig({ vocab: 97, dim: 64, layers: 2, heads: 4, kvHeads: 2, ffn: 96, theta: 10000 });
let model: LlamaModel;
before(async () => {
  await initEngine();
  model = LlamaModel.random(config, 5);
  for (const p of model.layout.list) if (p.shape.length === 2) { const v = model.view(p.name); for (let i = 0; i < v.length; i++) v[i] *= 8; }
});
after(async () => {
  model.dispose();
  await shutdownEngine();
});

function maxDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const prompt = (len: number, seed: number) => Array.from({ length: len }, (_, t) => (seed * 31 + t * 7) % 97);

test('prefillMany equals one prefill per prompt: logits, cached keys/values, and the decode steps after', () => {
  const lens = [12, 11, 10, 3, 2, 30, 1, 12];
  const prompts = lens.map(prompt);
  assert.ok(prefillGroups(lens).some((g) => g.length > 1), 'some prompts must actually share a forward');
  const maxT = 40;
  const batched = new Decoder(model, lens.length, maxT), single = new Decoder(model, lens.length, maxT);
  const slotsB = prompts.map(() => batched.cache.acquire()), slotsS = prompts.map(() => single.cache.acquire());
  const got = batched.prefillMany([...slotsB].reverse(), [...prompts].reverse()).reverse();
  const want = prompts.map((p, i) => single.prefill(slotsS[i], p));
  const kvd = batched.cache.rowFloats;
  prompts.forEach((p, i) => {
    // The trunk's matmuls see more rows in a batch (another summation order): float32 rounding, not bits.
    assert.ok(maxDiff(got[i], want[i]) < 1e-3, `prompt ${i} logits`);
    assert.equal(batched.cache.lens[slotsB[i]], p.length);
    for (let l = 0; l < config.numLayers; l++) {
      const kb = f32(batched.cache.k(l) + batched.cache.rowOffset(slotsB[i], 0), p.length * kvd);
      const ks = f32(single.cache.k(l) + single.cache.rowOffset(slotsS[i], 0), p.length * kvd);
      assert.ok(maxDiff(kb, ks) < 1e-3, `prompt ${i} layer ${l} keys`);
      const vb = f32(batched.cache.v(l) + batched.cache.rowOffset(slotsB[i], 0), p.length * kvd);
      const vs = f32(single.cache.v(l) + single.cache.rowOffset(slotsS[i], 0), p.length * kvd);
      assert.ok(maxDiff(vb, vs) < 1e-3, `prompt ${i} layer ${l} values`);
    }
  });
  const next = prompts.map((_, i) => (i * 13) % 97);
  const stepB = batched.step(slotsB, next), stepS = single.step(slotsS, next);
  assert.ok(maxDiff(stepB, stepS) < 1e-3);
  batched.dispose();
  single.dispose();
});

test('prefillMany refuses bad input before touching the cache', () => {
  const dec = new Decoder(model, 3, 8);
  const [a, b] = [dec.cache.acquire(), dec.cache.acquire()];
  assert.throws(() => dec.prefillMany([a, b], [[1, 2], []]), /prompt is empty/);
  assert.throws(() => dec.prefillMany([a, b], [[1, 2], [1, 200]]), /token id 200 at position 1 is outside the vocabulary/);
  assert.throws(() => dec.prefillMany([a, a], [[1], [2]]), /slot \d listed twice/);
  assert.throws(() => dec.prefillMany([a, b], [[1], Array(9).fill(1)]), /9 tokens, more than the 8/);
  assert.throws(() => dec.prefillMany([a], [[1], [2]]), /1 slots but 2 prompts/);
  assert.equal(dec.cache.lens[a], 0);
  dec.prefillMany([a, b], [[1, 2], [3]]);
  assert.throws(() => dec.prefillMany([a], [[1]]), /slot \d is not empty/);
  dec.dispose();
});

test('prefill groups: every prompt once, padding and rows bounded, similar lengths together', () => {
  const lens = [5, 100, 6, 98, 1, 7, 400, 95, 5];
  const groups = prefillGroups(lens);
  assert.deepEqual(groups.flat().sort((x, y) => x - y), lens.map((_, i) => i));
  for (const g of groups) {
    const T = Math.max(...g.map((i) => lens[i])), rows = g.length * T;
    const real = g.reduce((s, i) => s + lens[i], 0);
    if (g.length > 1) {
      assert.ok(rows <= MAX_ROWS, `rows ${rows}`);
      assert.ok(rows - real <= MAX_PADDING * rows, `padding ${rows - real} of ${rows}`);
    }
  }
  assert.ok(groups.some((g) => [1, 3, 7].every((i) => g.includes(i))), '100, 98, 95 share a forward');
  assert.ok(groups.some((g) => g.length === 1 && g[0] === 6), 'the 400-token prompt goes alone');
  assert.ok(groups.some((g) => g.length === 1 && g[0] === 4), '1 does not pad up to 5');
  assert.deepEqual(prefillGroups(Array(300).fill(8)).map((g) => g.length), [128, 128, 44]);
  assert.deepEqual(prefillGroups([]), []);
});
