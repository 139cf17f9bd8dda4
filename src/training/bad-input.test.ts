// Bad input stops each stage with a clear error before any training time is spent (and before any
// output is written): empty datasets, rankings with K < 2, a tokenizer that does not fit the checkpoint.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine, shutdownEngine } from '../engine/ops.ts';
import { LlamaModel } from '../engine/model.ts';
import { makeConfig } from '../engine/config.ts';
import { saveModel } from '../engine/load-model.ts';
import { smallTokenizer } from '../tokenizer/test-tokenizer.ts';
import { saveTokenizer } from '../tokenizer/tokenizer-files.ts';
import { UserError } from '../util/errors.ts';
import { runSft } from './sft.ts';
import { runPretrain } from './pretrain.ts';
import { runReward } from './reward.ts';
import { runDpo } from './dpo.ts';
import { runPpo, DEFAULT_PPO } from './ppo.ts';
import { runPipeline } from './pipeline.ts';

const dir = mkdtempSync(join(tmpdir(), 'parley-bad-input-'));
const tok = join(dir, 'tokenizer'), good = join(dir, 'good'), mismatched = join(dir, 'mismatched');
const empty = join(dir, 'empty.jsonl'), out = join(dir, 'out');

before(async () => {
  await initEngine();
  const tokenizer = smallTokenizer();
  saveTokenizer(tokenizer, tok);
  for (const [d, vocab] of [[good, tokenizer.vocabSize], [mismatched, tokenizer.vocabSize - 100]] as const) {
    const m = LlamaModel.random(makeConfig({ vocab, dim: 16, layers: 1, heads: 2, ffn: 32, ctx: 64, tied: true }), 1);
    saveModel(d, m, { tokenizerPath: join(tok, 'tokenizer.json') });
    m.dispose();
  }
  writeFileSync(empty, '\n');
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await shutdownEngine();
});

const user = (pattern: RegExp) => (e: unknown) => e instanceof UserError && pattern.test(e.message);
const lm = { steps: 1, batch: 1, ctx: 16, lr: 1e-3, warmup: 0, seed: 0, log: () => {} };

test('an empty dataset is refused by every stage, naming the file', () => {
  assert.throws(() => runSft({ ...lm, model: good, data: empty, out }), user(/empty\.jsonl: the SFT dataset is empty/));
  writeFileSync(join(dir, 'empty.txt'), '  \n\n');
  assert.throws(() => runPretrain({ ...lm, data: [join(dir, 'empty.txt')], out, from: { model: good } }), user(/empty\.txt: the text dataset is empty/));
  writeFileSync(join(dir, 'prose.txt'), 'Some prose.\n\nMore prose.\n');
  assert.throws(() => runPretrain({ ...lm, data: [join(dir, 'prose.txt')], chat: [empty], out, from: { model: good } }), user(/empty\.jsonl: the SFT dataset is empty/));
  writeFileSync(join(dir, 'bad-chat.jsonl'), JSON.stringify({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }] }) + '\n' + JSON.stringify({ messages: [{ role: 'narrator', content: 'x' }] }) + '\n');
  assert.throws(() => runPretrain({ ...lm, data: [join(dir, 'prose.txt')], chat: [join(dir, 'bad-chat.jsonl')], out, from: { model: good } }), user(/bad-chat\.jsonl:2: messages\.0\.role/));
  assert.throws(() => runDpo({ ...lm, model: good, data: empty, out, beta: 0.1, microBatch: 1 }), user(/pairs dataset is empty/));
  assert.throws(() => runReward({ model: good, rankings: [empty], out, epochs: 1, batch: 1, lr: 1e-3, ctx: 32, heldout: 0, calibrationSamples: 0, maxTokens: 4, temperature: 1, seed: 0, log: () => {} }), user(/rankings dataset is empty/));
  assert.throws(() => runPpo({ model: good, ref: good, reward: good, prompts: empty, out, settings: DEFAULT_PPO, log: () => {} }), user(/prompts dataset is empty/));
  assert.equal(existsSync(out), false);
});

test('rankings with fewer than two replies are refused with their line number', () => {
  const f = join(dir, 'k1.jsonl');
  const prompt = [{ role: 'user', content: 'hi' }];
  writeFileSync(f, JSON.stringify({ prompt, completions: ['a', 'b'], ranking: [1, 0] }) + '\n' + JSON.stringify({ prompt, completions: ['a'], ranking: [0] }) + '\n');
  const opts = { model: good, rankings: [f], out, epochs: 1, batch: 1, lr: 1e-3, ctx: 32, heldout: 0, calibrationSamples: 0, maxTokens: 4, temperature: 1, seed: 0, log: () => {} };
  assert.throws(() => runReward(opts), user(/k1\.jsonl:2: a ranking needs K >= 2 completions, got 1/));
  writeFileSync(f, JSON.stringify({ prompt, completions: ['a', 'b'], ranking: [0, 0] }) + '\n');
  assert.throws(() => runReward(opts), user(/k1\.jsonl:1: ranking names completion 0 twice/));
  assert.equal(existsSync(out), false);
});

test('a tokenizer whose vocabulary differs from the checkpoint is refused before loading weights', () => {
  const f = join(dir, 'sft.jsonl');
  writeFileSync(f, JSON.stringify({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }] }) + '\n');
  assert.throws(() => runSft({ ...lm, model: mismatched, data: f, out }), user(/has 1200 tokens but the checkpoint .*mismatched has vocab_size 1100: they were not trained together/));
  assert.throws(() => runPpo({ model: good, ref: mismatched, reward: good, prompts: f.replace('sft', 'p'), out, settings: DEFAULT_PPO, log: () => {} }), UserError);
  const p = join(dir, 'prompts.jsonl');
  writeFileSync(p, JSON.stringify({ prompt: [{ role: 'user', content: 'hi' }] }) + '\n');
  assert.throws(() => runPpo({ model: good, ref: mismatched, reward: good, prompts: p, out, settings: DEFAULT_PPO, log: () => {} }), user(/reference .* has vocab_size 1100 but the policy .* has 1200/));
  assert.throws(() => runPpo({ model: good, ref: good, reward: good, prompts: p, out, settings: DEFAULT_PPO, log: () => {} }), user(/has no scalar head: it is not a reward model/));
  assert.equal(existsSync(out), false);
});

test('an unknown preset or a bad iteration count fails before the run directory is made', async () => {
  await assert.rejects(runPipeline({ out, preset: 'huge', iterations: 1, log: () => {} }), user(/unknown preset "huge"/));
  await assert.rejects(runPipeline({ out, preset: 'tiny', iterations: 0, log: () => {} }), user(/--iterations must be/));
  await assert.rejects(runPipeline({ out, preset: 'tiny', iterations: 1, stopAfter: 'nope', log: () => {} }), user(/--stop-after: no step "nope"/));
  assert.equal(existsSync(out), false);
});
