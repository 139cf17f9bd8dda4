import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { initEngine, shutdownEngine } from './ops.ts';
import { makeConfig } from './config.ts';
import { LlamaModel } from './model.ts';
import { Decoder } from './decode.ts';
import { generate, generateStream } from './generate.ts';
import { f32 } from './memory.ts';


// Big enough that the matmul kernels take their real (blocked / SIMD) paths; GQA; untied.
const config = makeConfig({ vocab: 97, dim: 64, layers: 2, heads: 4, kvHeads: 2, ffn: 96, theta: 10000 });
let model: LlamaModel;
before(async () => {
  await initEngine();
  model = LlamaModel.random(config, 3);
  // Bigger weights than the default init so logits differ clearly between positions.
  for (const p of model.layout.list) if (p.shape.length === 2) { const v = model.view(p.name); for (let i = 0; i < v.length; i++) v[i] *= 8; }
});
after(async () => {
  model.dispose();
  await shutdownEngine();
});

function fullLogitsAtEnd(ids: number[]): Float32Array {
  const a = model.forward(ids, 1, ids.length);
  const V = config.vocabSize;
  return f32(a.logits + (ids.length - 1) * V * 4, V).slice();
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test('KV-cache decoding gives the logits of a full forward pass', () => {
  const dec = new Decoder(model, 2, 16);
  const seq = [5, 17, 3, 40, 2];
  const slot = dec.cache.acquire();
  let logits = dec.prefill(slot, seq);
  assert.ok(maxDiff(logits, fullLogitsAtEnd(seq)) < 1e-4);
  for (const next of [8, 90, 8, 1, 33, 60]) {
    seq.push(next);
    logits = dec.step([slot], [next]);
    // Decoding sums in another order than the batched forward (matrix-vector path), so agree to
    // float32 rounding (logits here are O(1)–O(10)), not bit for bit.
    assert.ok(maxDiff(logits, fullLogitsAtEnd(seq)) < 1e-4, `position ${seq.length - 1}`);
  }
  assert.equal(dec.cache.lens[slot], seq.length);
  dec.dispose();
});

test('batched decoding of different-length prompts equals one at a time', () => {
  const prompts = [[5, 17, 3], [9], [60, 61, 62, 63, 64, 65, 66]];
  const opts = { maxTokens: 8, temperature: 0.9, topK: 40, seed: 11 };
  const batched = generate(model, prompts, opts);
  prompts.forEach((p, i) => {
    const single = generate(model, [p], { ...opts, seed: opts.seed + i })[0];
    assert.deepEqual(batched[i].ids, single.ids, `prompt ${i}`);
    batched[i].logprobs.forEach((lp, t) => assert.ok(Math.abs(lp - single.logprobs[t]) < 1e-4));
  });
  // Greedy too, and it is the argmax of a full forward at every step.
  const greedy = generate(model, prompts, { maxTokens: 6, temperature: 0 });
  prompts.forEach((p, i) => {
    const seq = [...p];
    for (const id of greedy[i].ids) {
      const l = fullLogitsAtEnd(seq);
      assert.equal(id, l.indexOf(Math.max(...l)));
      seq.push(id);
    }
  });
});

test('a fixed seed reproduces samples; another seed differs', () => {
  const opts = { maxTokens: 12, temperature: 1.2, topP: 0.95 };
  const a = generate(model, [[1, 2, 3]], { ...opts, seed: 7 })[0].ids;
  assert.deepEqual(generate(model, [[1, 2, 3]], { ...opts, seed: 7 })[0].ids, a);
  assert.notDeepEqual(generate(model, [[1, 2, 3]], { ...opts, seed: 8 })[0].ids, a);
});

test('stop ids end a sequence (not included); length ends the rest', () => {
  const free = generate(model, [[4, 5, 6]], { maxTokens: 10, temperature: 0 })[0];
  assert.equal(free.ids.length, 10);
  assert.equal(free.finishReason, 'length');
  const stopAt = free.ids.findIndex((id) => id === free.ids[3]); // first occurrence of ids[3]
  const stopped = generate(model, [[4, 5, 6]], { maxTokens: 10, temperature: 0, stopIds: [free.ids[3]] })[0];
  assert.deepEqual(stopped.ids, free.ids.slice(0, stopAt));
  assert.equal(stopped.finishReason, 'stop');
  assert.equal(stopped.stopId, free.ids[3]);
});

test('a huge presence penalty forbids repeating any generated token; logprobs are log-probabilities', () => {
  const g = generate(model, [[7]], { maxTokens: 30, temperature: 0, presencePenalty: 1e4, topLogprobs: 3 })[0];
  assert.equal(new Set(g.ids).size, g.ids.length);
  for (const lp of g.logprobs) assert.ok(lp <= 0 && Number.isFinite(lp));
  assert.equal(g.top!.length, g.ids.length);
  for (const alts of g.top!) {
    assert.equal(alts.length, 3);
    assert.ok(alts[0].logprob >= alts[1].logprob && alts[1].logprob >= alts[2].logprob);
  }
});

test('streaming yields the same tokens and honours an abort signal', async () => {
  const events: number[] = [];
  const it = generateStream(model, [[3, 4]], { maxTokens: 5, temperature: 0 });
  let r = await it.next();
  while (!r.done) { events.push(r.value.id); r = await it.next(); }
  assert.deepEqual(events, r.value[0].ids);
  assert.deepEqual(events, generate(model, [[3, 4]], { maxTokens: 5, temperature: 0 })[0].ids);
  const ac = new AbortController();
  ac.abort(new Error('stopped by test'));
  await assert.rejects(generateStream(model, [[3]], { maxTokens: 5 }, ac.signal).next(), /stopped by test/);
});

test('bad generation input gives clear errors', () => {
  assert.throws(() => generate(model, [[1, 97]], { maxTokens: 2 }), /prompt 0: id 97 at position 1 is outside the vocabulary \(size 97\)/);
  assert.throws(() => generate(model, [[]], { maxTokens: 2 }), /prompt 0 is empty/);
  assert.throws(() => generate(model, [[1]], { maxTokens: 2, stopIds: [-1] }), /stop id -1/);
  assert.throws(() => generate(model, [[1]], { maxTokens: 2, topP: 1.5 }), /top-p/);
  assert.throws(() => generate(model, [[1]], { maxTokens: -1 }), /max tokens/);
});
