import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { initEngine, shutdownEngine } from '../engine/ops.ts';
import { makeConfig } from '../engine/config.ts';
import { LlamaModel } from '../engine/model.ts';
import { defaultSampler } from '../engine/sampling.ts';
import { Scheduler, type SequenceOptions, type ScheduledToken, type SequenceEnd } from './scheduler.ts';
import { ProviderError } from './types.ts';

// A tiny random-weights model (test only): big enough for the kernels' real paths, GQA, untied.
const config = makeConfig({ vocab: 97, dim: 64, layers: 2, heads: 4, kvHeads: 2, ffn: 96, ctx: 64 });
let model: LlamaModel;
before(async () => {
  await initEngine({ threads: 1 });
  model = LlamaModel.random(config, 5);
  // Larger weights than the init so greedy choices differ from position to position.
  for (const p of model.layout.list) if (p.shape.length === 2) { const v = model.view(p.name); for (let i = 0; i < v.length; i++) v[i] *= 8; }
});
after(async () => {
  model.dispose();
  await shutdownEngine();
});

const greedy = (maxTokens: number, extra: Partial<SequenceOptions> = {}): SequenceOptions => ({
  sampler: { ...defaultSampler, temperature: 0 }, maxTokens, stopIds: [], topLogprobs: 0, ...extra,
});

async function drain(it: AsyncGenerator<ScheduledToken, SequenceEnd>, log?: string[], name?: string) {
  const ids: number[] = [];
  for (;;) {
    const r = await it.next();
    if (r.done) {
      log?.push(`${name} end`);
      return { ids, end: r.value };
    }
    log?.push(`${name} ${ids.length}`);
    ids.push(r.value.id);
  }
}

const prompts = [[5, 17, 3], [9], [60, 61, 62, 63, 64, 65, 66], [1, 2, 1, 2], [40, 30, 20, 10, 0]];
const lengths = [4, 14, 9, 12, 6];

test('concurrent requests generate exactly what each generates alone, joining and leaving the batch between steps', async () => {
  const alone = new Scheduler(model, { batchSize: 1, queueSize: 0, maxContext: 64 });
  const solo: number[][] = [];
  for (const [i, p] of prompts.entries()) solo.push((await drain(alone.generate(p, greedy(lengths[i]), new AbortController().signal))).ids);
  await alone.close();
  assert.ok(new Set(solo.map((s) => s.join())).size > 1, 'different prompts give different replies');

  const batched = new Scheduler(model, { batchSize: 3, queueSize: 8, maxContext: 64 });
  const log: string[] = [];
  const results = await Promise.all(prompts.map((p, i) => drain(batched.generate(p, greedy(lengths[i]), new AbortController().signal), log, `r${i}`)));
  results.forEach((r, i) => {
    assert.deepEqual(r.ids, solo[i], `request ${i}`);
    assert.deepEqual(r.end, { finishReason: 'length', promptTokens: prompts[i].length, completionTokens: lengths[i] });
  });
  assert.equal(batched.stats.maxBatch, 3);
  // r3 waited for a slot and joined while r1 (14 tokens) was still running: continuous batching.
  assert.ok(log.indexOf('r3 0') > log.indexOf('r0 end'), 'r3 starts after r0 leaves');
  assert.ok(log.indexOf('r3 0') < log.indexOf('r1 end'), 'r3 joins while r1 is running');
  await batched.close();
});

test('requests arriving together are prefilled together and generate what each generates alone', async () => {
  // 8 prompts of lengths 5..9: prefillGroups puts several of them in one forward.
  const many = Array.from({ length: 8 }, (_, r) => Array.from({ length: 5 + (r % 5) }, (_, t) => (r * 29 + t * 11 + 3) % 97));
  const lens = many.map((_, r) => 6 + (r % 4) * 3);
  const alone = new Scheduler(model, { batchSize: 1, queueSize: 0, maxContext: 64 });
  const solo: number[][] = [];
  for (const [i, p] of many.entries()) solo.push((await drain(alone.generate(p, greedy(lens[i]), new AbortController().signal))).ids);
  await alone.close();
  assert.ok(new Set(solo.map((s) => s.join())).size > 4, 'different prompts give different replies');
  for (const prefill of ['batched', 'single'] as const) {
    const s = new Scheduler(model, { batchSize: 8, queueSize: 0, maxContext: 64, prefill });
    const got = await Promise.all(many.map((p, i) => drain(s.generate(p, greedy(lens[i]), new AbortController().signal))));
    got.forEach((r, i) => {
      assert.deepEqual(r.ids, solo[i], `${prefill} prefill, request ${i}`);
      assert.deepEqual(r.end, { finishReason: 'length', promptTokens: many[i].length, completionTokens: lens[i] });
    });
    assert.equal(s.stats.maxJoined, 8, 'all eight joined at the first step boundary');
    assert.equal(s.stats.maxBatch, 8);
    await s.close();
  }
});

test('a request cancelled before its batch is prefilled leaves; the others still get their own replies', async () => {
  const alone = new Scheduler(model, { batchSize: 1, queueSize: 0, maxContext: 64 });
  const solo = [];
  for (const p of prompts.slice(0, 4)) solo.push((await drain(alone.generate(p, greedy(7), new AbortController().signal))).ids);
  await alone.close();
  const s = new Scheduler(model, { batchSize: 4, queueSize: 0, maxContext: 64 });
  const acs = prompts.slice(0, 4).map(() => new AbortController());
  const its = prompts.slice(0, 4).map((p, i) => s.generate(p, greedy(7), acs[i].signal));
  acs[1].abort(); // before the loop's first step boundary (generate only queues)
  await assert.rejects(drain(its[1]), (err: unknown) => (err as Error).name === 'AbortError');
  const rest = await Promise.all([0, 2, 3].map((i) => drain(its[i])));
  assert.deepEqual(rest.map((r) => r.ids), [solo[0], solo[2], solo[3]]);
  assert.equal(s.stats.maxJoined, 3);
  await s.close();
});

test('prompts with ids outside the vocabulary are refused at once, not at prefill', async () => {
  const s = new Scheduler(model, { batchSize: 2, queueSize: 0, maxContext: 64 });
  assert.throws(() => s.generate([1, 97], greedy(2), new AbortController().signal), (err: unknown) => {
    assert.ok(err instanceof ProviderError);
    assert.equal(err.status, 400);
    assert.match(err.message, /prompt token 1 is 97, not a token id of this model \(0\.\.96\)/);
    return true;
  });
  assert.throws(() => s.generate([1.5], greedy(2), new AbortController().signal), /prompt token 0 is 1.5/);
  assert.throws(() => new Scheduler(model, { batchSize: 1, queueSize: 0, maxContext: 8, prefill: 'all' as 'single' }), /prefill must be "batched" or "single", got "all"/);
  await s.close();
});

test('seeded sampling is also independent of batch company', async () => {
  const sampled = (i: number): SequenceOptions => ({
    sampler: { ...defaultSampler, temperature: 0.9, topK: 40, repetitionPenalty: 1.1 }, maxTokens: 8, stopIds: [], topLogprobs: 2, seed: 100 + i,
  });
  const alone = new Scheduler(model, { batchSize: 1, queueSize: 0, maxContext: 64 });
  const solo = [];
  for (const [i, p] of prompts.entries()) solo.push(await drain(alone.generate(p, sampled(i), new AbortController().signal)));
  await alone.close();
  const batched = new Scheduler(model, { batchSize: 4, queueSize: 4, maxContext: 64 });
  const together = await Promise.all(prompts.map((p, i) => drain(batched.generate(p, sampled(i), new AbortController().signal))));
  await batched.close();
  assert.deepEqual(together.map((t) => t.ids), solo.map((s) => s.ids));
});

test('stop ids end a sequence without being reported; the context bound ends it with length', async () => {
  const s = new Scheduler(model, { batchSize: 2, queueSize: 0, maxContext: 12 });
  const free = (await drain(s.generate(prompts[0], greedy(6), new AbortController().signal))).ids;
  const stopAt = free[3];
  const firstIndex = free.indexOf(stopAt);
  const stopped = await drain(s.generate(prompts[0], greedy(6, { stopIds: [stopAt] }), new AbortController().signal));
  assert.deepEqual(stopped.ids, free.slice(0, firstIndex));
  assert.equal(stopped.end.finishReason, 'stop');
  // 3 prompt tokens + up to 9 generated fill a 12-token context; the last token needs no cache row.
  const long = await drain(s.generate(prompts[0], greedy(50), new AbortController().signal));
  assert.equal(long.end.finishReason, 'length');
  assert.equal(long.ids.length, 12 - 3 + 1);
  assert.throws(() => s.generate(Array(12).fill(1), greedy(1), new AbortController().signal), (err: unknown) => {
    assert.ok(err instanceof ProviderError);
    assert.equal(err.status, 400);
    assert.match(err.message, /prompt is 12 tokens; this model's context holds 12/);
    return true;
  });
  await s.close();
});

test('aborting a request frees its slot for the next one; so does a consumer that stops reading', async () => {
  const s = new Scheduler(model, { batchSize: 1, queueSize: 2, maxContext: 64 });
  const ac = new AbortController();
  const a = s.generate(prompts[1], greedy(40), ac.signal);
  const b = s.generate(prompts[0], greedy(5), new AbortController().signal);
  const c = s.generate(prompts[2], greedy(5), new AbortController().signal);
  let got = 0;
  await assert.rejects(
    (async () => {
      for await (const _ of a) if (++got === 2) ac.abort();
    })(),
    (err: unknown) => (err as Error).name === 'AbortError',
  );
  assert.equal(got, 2);
  // b gets the slot; stop reading it after one token, and c still completes.
  for await (const _ of b) break;
  const rc = await drain(c);
  assert.equal(rc.ids.length, 5);
  assert.ok(s.stats.steps < 40, 'the aborted request did not keep decoding');
  await s.close();
});

test('the queue bound holds: beyond batch + queue a request is refused as busy, and accepted again later', async () => {
  const s = new Scheduler(model, { batchSize: 1, queueSize: 1, maxContext: 64 });
  const a = s.generate(prompts[0], greedy(6), new AbortController().signal);
  const b = s.generate(prompts[1], greedy(6), new AbortController().signal);
  assert.throws(() => s.generate(prompts[2], greedy(6), new AbortController().signal), (err: unknown) => {
    assert.ok(err instanceof ProviderError);
    assert.equal(err.status, 429);
    assert.equal(err.code, 'server_busy');
    assert.match(err.message, /busy/);
    return true;
  });
  await Promise.all([drain(a), drain(b)]);
  const again = await drain(s.generate(prompts[2], greedy(3), new AbortController().signal));
  assert.equal(again.ids.length, 3);
  await s.close();
});
