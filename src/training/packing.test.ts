import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { initEngine, shutdownEngine } from '../engine/ops.ts';
import { LlamaModel } from '../engine/model.ts';
import { makeConfig } from '../engine/config.ts';
import { smallTokenizer } from '../tokenizer/test-tokenizer.ts';
import { specialIds } from '../tokenizer/special-tokens.ts';
import { renderConversation } from '../tokenizer/chat.ts';
import { packStream, packDocuments, toBatch } from './packing.ts';
import { renderTraining } from './sft.ts';
import { trainLm } from './lm-loop.ts';

before(async () => { await initEngine(); });
after(async () => { await shutdownEngine(); });

test('a stream packs into overlapping rows of T+1 (each row\'s last token starts the next)', () => {
  const rows = packStream([1, 2, 3, 4, 5, 6, 7, 8], 3);
  assert.deepEqual(rows.map((r) => r.ids), [[1, 2, 3, 4], [4, 5, 6, 7]]);
  const b = toBatch(rows, 3);
  assert.deepEqual(Array.from(b.ids), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(Array.from(b.targets), [2, 3, 4, 5, 6, 7]);
});

test('a stream with per-token weights keeps them in its rows (mixed pretraining masks non-assistant chat tokens)', () => {
  const rows = packStream([1, 2, 3, 4, 5, 6, 7, 8], 3, [1, 1, 0, 0, 1, 1, 0, 1]);
  assert.deepEqual(rows.map((r) => r.weights), [[0, 1, 0, 0], [0, 1, 1, 0]]);
  const b = toBatch(rows, 3);
  assert.deepEqual(Array.from(b.targets), [2, -1, -1, 5, 6, -1]);
});

test('documents pack whole, several per row; padding and masked tokens are ignored targets', () => {
  const rows = packDocuments([
    { ids: [1, 10, 11], mask: [0, 0, 1] },
    { ids: [1, 20], mask: [0, 1] },
    { ids: [1, 30, 31, 32], mask: [0, 1, 1, 1] },
  ], 5, 0);
  assert.deepEqual(rows.map((r) => r.ids), [[1, 10, 11, 1, 20, 0], [1, 30, 31, 32, 0, 0]]);
  const b = toBatch(rows, 5);
  // row 0 predicts 10 (mask 0: ignored), 11, 1 (ignored), 20, pad (ignored)
  assert.deepEqual(Array.from(b.targets).slice(0, 5), [-1, 11, -1, 20, -1]);
});

test('an assistant turn with weight 0 is masked out, the later correction is learned', () => {
  const tok = smallTokenizer();
  const messages = [
    { role: 'user' as const, content: 'capital of France?' },
    { role: 'assistant' as const, content: 'Lyon.', weight: 0 as const },
    { role: 'user' as const, content: 'Are you sure?' },
    { role: 'assistant' as const, content: 'Sorry, it is Paris.' },
  ];
  const r = renderTraining(tok, messages);
  const plain = renderConversation(tok, messages.map(({ weight: _w, ...m }) => m));
  assert.deepEqual(Array.from(r.ids), Array.from(plain.ids));
  const eot = specialIds(tok).endOfTurn;
  const learned = Array.from(r.ids).filter((_, i) => r.mask[i]);
  assert.equal(tok.decode(learned.filter((id) => id !== eot)), 'Sorry, it is Paris.');
  assert.equal(learned.filter((id) => id === eot).length, 1);
});

test('the time budget is checked again mid-run: a machine that slows down still stops near the budget', () => {
  const m = LlamaModel.random(makeConfig({ vocab: 50, dim: 16, layers: 1, heads: 2, ffn: 32, ctx: 16 }), 1);
  const stream = Array.from({ length: 2000 }, (_, i) => (i * 7) % 50);
  // The clock is read at the start, at step 2, once at each check (step 12, then every tenth of the run:
  // 62, ...) and at the end: 0.1 s per step up to step 12 (500 steps fit in 100 s), then 2.18 s per step.
  const times = [0, 0, 1000, 110_000];
  let calls = 0;
  const clock = () => times[Math.min(calls++, times.length - 1)];
  const lines: string[] = [];
  const r = trainLm(m, packStream(stream, 8), { stage: 't', steps: 500, batch: 2, ctx: 8, lr: 1e-2, warmup: 2, seed: 0, maxSeconds: 100, clock, log: (l) => lines.push(l) });
  assert.equal(r.steps, 63);
  assert.equal(lines.filter((l) => /budget: training/.test(l)).length, 1, 'the first check (fast steps) kept all 500 steps');
  m.dispose();
});

test('a slow start does not cap the run: once the machine is faster, the fit grows back to the planned steps', () => {
  const m = LlamaModel.random(makeConfig({ vocab: 50, dim: 16, layers: 1, heads: 2, ffn: 32, ctx: 16 }), 1);
  const stream = Array.from({ length: 2000 }, (_, i) => (i * 7) % 50);
  // 1 s per step up to step 12 (only 80 more fit in 100 s: checks every 10 steps), then 0.1 s per step (all 300 fit).
  const times = [0, 0, 10_000, 11_000, 12_000];
  let calls = 0;
  const clock = () => times[Math.min(calls++, times.length - 1)];
  const lines: string[] = [];
  const r = trainLm(m, packStream(stream, 8), { stage: 't', steps: 300, batch: 2, ctx: 8, lr: 1e-2, warmup: 2, seed: 0, maxSeconds: 100, clock, log: (l) => lines.push(l) });
  assert.equal(r.steps, 300);
  assert.ok(lines.some((l) => /more than the .* budget: training \d+ steps/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /more steps fit in the .* budget: training 300 steps/.test(l)), lines.join('\n'));
  m.dispose();
});

test('a time budget shortens the run and its schedule', () => {
  const m = LlamaModel.random(makeConfig({ vocab: 50, dim: 16, layers: 1, heads: 2, ffn: 32, ctx: 16 }), 1);
  const stream = Array.from({ length: 2000 }, (_, i) => (i * 7) % 50);
  const lines: string[] = [];
  const r = trainLm(m, packStream(stream, 8), { stage: 't', steps: 500, batch: 2, ctx: 8, lr: 1e-2, warmup: 2, seed: 0, maxSeconds: 1e-3, log: (l) => lines.push(l) });
  assert.equal(r.steps, 13);
  assert.ok(lines.some((l) => /more than the .* budget: training 13 steps/.test(l)));
  assert.ok(r.heldoutAfter < r.heldoutBefore);
  m.dispose();
});
