// The local provider on the real engine. Two test models, both made here and never served:
// - a "bigram machine": zero attention/MLP weights, one-hot embeddings and an lm_head that maps each
//   token to a chosen successor, so greedy decoding spells out a script (here, a calculator call);
// - a small random-weights checkpoint saved to disk and loaded through the registry.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine, shutdownEngine } from '../engine/ops.ts';
import { makeConfig } from '../engine/config.ts';
import { LlamaModel } from '../engine/model.ts';
import { saveModel } from '../engine/load-model.ts';
import { trainTokenizer } from '../tokenizer/train.ts';
import { saveTokenizer } from '../tokenizer/tokenizer-files.ts';
import { SPECIAL, SPECIAL_TOKENS } from '../tokenizer/special-tokens.ts';
import { renderForCompletion } from '../tokenizer/chat.ts';
import type { Tokenizer } from '../tokenizer/tokenizer.ts';
import { LocalProvider, MAX_TOOL_ROUNDS } from './local.ts';
import { ModelRegistry } from './registry.ts';
import { ProviderError, type ChatMessage, type GenerationEvent, type SamplingOptions } from './types.ts';

const base: SamplingOptions = {
  maxTokens: 40, temperature: 0, topP: 1, topK: 0, presencePenalty: 0, frequencyPenalty: 0,
  repetitionPenalty: 1, stop: [], logprobs: false, topLogprobs: 0,
};
const CALL = 'calculator\n{"expression":"2+3"}';
const ANSWER = 'It is 5.';
let tokenizer: Tokenizer;

before(async () => {
  await initEngine({ threads: 1 });
  tokenizer = trainTokenizer([Array(20).fill(`${CALL} ${ANSWER} What is 2+3? the cat sat on the mat.`).join('\n')], {
    vocabSize: SPECIAL_TOKENS.length + 256 + 60,
    specialTokens: SPECIAL_TOKENS,
  });
});
after(() => shutdownEngine());

async function collect(it: AsyncIterable<GenerationEvent>): Promise<GenerationEvent[]> {
  const out: GenerationEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}
const textOf = (events: GenerationEvent[]) => events.map((e) => (e.type === 'delta' ? e.text : '')).join('');

/** next[token] = [[successor, weight]...]: greedy decoding follows the heaviest successor. */
function bigramModel(next: Map<number, [number, number][]>): LlamaModel {
  const D = Math.ceil(tokenizer.vocabSize / 4) * 4; // one-hot embeddings need dim ≥ vocab
  const m = new LlamaModel(makeConfig({ vocab: D, dim: D, layers: 1, heads: 2, ffn: 8, ctx: 256 }));
  const embed = m.view('model.embed_tokens.weight');
  for (let i = 0; i < D; i++) embed[i * D + i] = 1;
  for (const n of ['model.layers.0.input_layernorm.weight', 'model.layers.0.post_attention_layernorm.weight', 'model.norm.weight']) m.view(n).fill(1);
  const head = m.view('lm_head.weight');
  for (const [cur, succ] of next) for (const [to, w] of succ) head[to * D + cur] = w;
  return m;
}

function toolScript(): { model: LlamaModel; callIds: number[]; answerIds: number[] } {
  const id = (t: string) => tokenizer.tokenToId(t)!;
  const callIds = [id(SPECIAL.toolCall), ...tokenizer.encode(CALL)];
  const answerIds = tokenizer.encode(ANSWER);
  const all = [id(SPECIAL.assistant), ...callIds, ...answerIds];
  assert.equal(new Set(all).size, all.length, 'the script needs distinct tokens (test setup)');
  const next = new Map<number, [number, number][]>();
  // After <|assistant|>: the tool call (1.0) unless penalised for repeating, else the answer (0.7).
  next.set(id(SPECIAL.assistant), [[callIds[0], 1], [answerIds[0], 0.7]]);
  for (const chain of [callIds, answerIds]) {
    chain.forEach((t, i) => next.set(t, [[chain[i + 1] ?? id(SPECIAL.endOfTurn), 1]]));
  }
  return { model: bigramModel(next), callIds, answerIds };
}

const question: ChatMessage[] = [{ role: 'user', content: 'What is 2+3?' }];

test('a calculator call is evaluated, fed back as a tool message, and the model goes on to answer', async () => {
  const { model, callIds, answerIds } = toolScript();
  const p = new LocalProvider({ id: 'bigram', model, tokenizer });
  const events = await collect(p.chat(question, { ...base, repetitionPenalty: 2 }, new AbortController().signal));
  const calls = events.filter((e) => e.type === 'tool_call');
  assert.equal(calls.length, 1);
  const call = (calls[0] as Extract<GenerationEvent, { type: 'tool_call' }>).call;
  assert.match(call.id, /^call_/);
  assert.deepEqual(call.function, { name: 'calculator', arguments: '{"expression":"2+3"}' });
  // The provider ran the call itself: the event says so and carries the result it fed back.
  assert.deepEqual((calls[0] as Extract<GenerationEvent, { type: 'tool_call' }>).executed, { result: '5' });
  assert.equal(textOf(events), ANSWER);
  // The second prompt holds the call and its result "5": usage counts it, not our own output twice.
  const round2 = renderForCompletion(tokenizer, [
    ...question,
    { role: 'assistant', content: '', tool_calls: [call] },
    { role: 'tool', content: '5', tool_call_id: call.id },
  ]);
  assert.deepEqual(events.at(-1), {
    type: 'done', finishReason: 'stop',
    usage: { promptTokens: round2.length - callIds.length, completionTokens: callIds.length + answerIds.length },
  });
  await p.close();
});

test('continueFinalMessage goes on with a trailing assistant reply instead of starting a new one', async () => {
  const { model } = toolScript();
  const p = new LocalProvider({ id: 'bigram', model, tokenizer });
  const partial: ChatMessage[] = [...question, { role: 'assistant', content: 'It is' }];
  const signal = new AbortController().signal;
  const continued = await collect(p.chat(partial, { ...base, continueFinalMessage: true }, signal));
  assert.equal(textOf(continued), ' 5.');
  assert.equal(continued.filter((e) => e.type === 'tool_call').length, 0);
  // Without the flag the partial reply is a closed turn and the model starts a new one (its tool call).
  const fresh = await collect(p.chat(partial, base, signal));
  assert.equal(fresh.filter((e) => e.type === 'tool_call').length > 0, true);
  await assert.rejects(collect(p.chat(question, { ...base, continueFinalMessage: true }, signal)), /assistant message last/);
  await p.close();
});

test('a model that keeps calling tools is cut off after MAX_TOOL_ROUNDS', async () => {
  const { model } = toolScript();
  const p = new LocalProvider({ id: 'bigram', model, tokenizer });
  const events = await collect(p.chat(question, { ...base, maxTokens: 500 }, new AbortController().signal));
  assert.equal(events.filter((e) => e.type === 'tool_call').length, MAX_TOOL_ROUNDS);
  assert.equal(textOf(events), '');
  assert.equal(events.at(-1)!.type, 'done');
  await p.close();
});

test('stop strings cut the reply, even across tokens, and logprobs describe the shown tokens', async () => {
  const { model, answerIds } = toolScript();
  const p = new LocalProvider({ id: 'bigram', model, tokenizer });
  const cut = await collect(p.chat(question, { ...base, repetitionPenalty: 2, stop: ['is 5'] }, new AbortController().signal));
  assert.equal(textOf(cut), 'It ');
  assert.equal(cut.at(-1)!.type === 'done' && cut.at(-1)!.type === 'done' ? (cut.at(-1) as { finishReason: string }).finishReason : '', 'stop');
  const withLp = await collect(p.chat(question, { ...base, repetitionPenalty: 2, logprobs: true, topLogprobs: 2 }, new AbortController().signal));
  const lps = withLp.flatMap((e) => (e.type === 'delta' ? e.logprobs ?? [] : []));
  assert.equal(lps.length, answerIds.length);
  assert.equal(lps.map((l) => l.token).join(''), ANSWER);
  // The first answer token won only through the repetition penalty; log-probs are the model's own.
  assert.ok(lps[0].logprob < -1);
  assert.equal(lps[0].top[0].token, SPECIAL.toolCall, 'the likelier token was the tool call');
  for (const l of lps.slice(1)) {
    assert.ok(l.logprob < 0 && l.logprob > -1e-3, `the scripted token is the likely one (${l.logprob})`);
    assert.equal(l.top.length, 2);
    assert.equal(l.top[0].token, l.token);
  }
  await p.close();
});

test('a random-weights checkpoint loads through the registry; concurrent chats equal solo ones; busy and abort behave', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'parley-local-')), 'tiny');
  const m = LlamaModel.random(makeConfig({ vocab: tokenizer.vocabSize, dim: 64, layers: 2, heads: 4, kvHeads: 2, ffn: 96, ctx: 128 }), 9);
  for (const q of m.layout.list) if (q.shape.length === 2) { const v = m.view(q.name); for (let i = 0; i < v.length; i++) v[i] *= 8; }
  saveModel(dir, m);
  m.dispose();
  saveTokenizer(tokenizer, dir);
  const reg = await ModelRegistry.fromEnvironment({ PARLEY_MODEL_DIR: dir, PARLEY_BATCH_SIZE: '2', PARLEY_QUEUE_SIZE: '1' }, '/');
  assert.deepEqual(reg.list(), [{ id: 'parley-tiny', ownedBy: 'parley', contextLength: 128, backend: 'local' }]);
  const p = (await reg.get('parley-tiny')) as LocalProvider;
  assert.ok(p instanceof LocalProvider);

  const convos: ChatMessage[][] = ['hello', 'the cat sat', 'What is 2+3?'].map((c) => [{ role: 'user', content: c }]);
  const opts = { ...base, maxTokens: 12 };
  const solo: string[] = [];
  for (const c of convos) solo.push(textOf(await collect(p.chat(c, opts, new AbortController().signal))));
  const together = await Promise.all(convos.map((c) => collect(p.chat(c, opts, new AbortController().signal))));
  assert.deepEqual(together.map(textOf), solo);
  assert.equal(p.stats.maxBatch, 2);

  await reg.close();
});

test('beyond batch + queue a request is refused as busy; aborts free their slots; completions count tokens', async () => {
  // Every token leads to "a", so replies never end before max_tokens.
  const a = tokenizer.encode('a')[0];
  const next = new Map<number, [number, number][]>();
  for (let t = 0; t < tokenizer.vocabSize; t++) next.set(t, [[a, 1]]);
  const p = new LocalProvider({ id: 'loop', model: bigramModel(next), tokenizer, batchSize: 1, queueSize: 2 }); // one runs, two wait
  const acs = [0, 1, 2].map(() => new AbortController());
  const its = acs.map((ac) => p.chat(question, { ...base, maxTokens: 200 }, ac.signal)[Symbol.asyncIterator]());
  const first = its.map((it) => it.next());
  await assert.rejects(p.chat(question, base, new AbortController().signal)[Symbol.asyncIterator]().next(), (err: unknown) => {
    assert.ok(err instanceof ProviderError);
    assert.equal(err.status, 429);
    assert.equal(err.code, 'server_busy');
    return true;
  });
  assert.deepEqual(await first[0], { done: false, value: { type: 'delta', text: 'a' } });
  const isAbort = (err: unknown) => (err as Error).name === 'AbortError';
  for (const ac of acs) ac.abort();
  // The running request stops at its next read; the two waiting ones fail their pending read.
  await Promise.all([assert.rejects(its[0].next(), isAbort), assert.rejects(first[1], isAbort), assert.rejects(first[2], isAbort)]);
  const raw = await collect(p.complete('the cat', { ...base, maxTokens: 5 }, new AbortController().signal));
  assert.equal(textOf(raw), 'aaaaa');
  assert.deepEqual(raw.at(-1), { type: 'done', finishReason: 'length', usage: { promptTokens: tokenizer.encode('the cat').length, completionTokens: 5 } });
  assert.equal(p.stats.running, 0);
  await p.close();
});
