// The reward model and DPO stages on a toy preference: replies saying "good" beat replies saying
// "bad". Both must learn it (held-out pairwise accuracy / DPO accuracy), and calibration must give
// SFT-sampled replies mean 0 and std 1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine, shutdownEngine } from '../engine/ops.ts';
import { LlamaModel } from '../engine/model.ts';
import { makeConfig } from '../engine/config.ts';
import { loadModel, saveModel } from '../engine/load-model.ts';
import { loadCheckpoint } from '../engine/checkpoint.ts';
import { smallTokenizer } from '../tokenizer/test-tokenizer.ts';
import { saveTokenizer } from '../tokenizer/tokenizer-files.ts';
import { specialIds } from '../tokenizer/special-tokens.ts';
import { runReward, scoreReplies, calibrateHead } from './reward.ts';
import { withScalarHead } from '../engine/scalar-head.ts';
import { runDpo, rankingPairs } from './dpo.ts';

const dir = mkdtempSync(join(tmpdir(), 'parley-stages-'));
const base = join(dir, 'base');
const topics = ['cats', 'rivers', 'maths', 'music', 'trees', 'bread', 'stars', 'boats', 'chess', 'rain', 'snow', 'glass'];
const prompt = (t: string) => [{ role: 'user', content: `tell me about ${t}` }];

before(async () => {
  await initEngine();
  const tok = smallTokenizer();
  saveTokenizer(tok, join(dir, 'tok'));
  const m = LlamaModel.random(makeConfig({ vocab: tok.vocabSize, dim: 32, layers: 1, heads: 2, ffn: 64, ctx: 128, tied: true }), 5);
  saveModel(base, m, { tokenizerPath: join(dir, 'tok', 'tokenizer.json') });
  m.dispose();
  const rankings = topics.map((t, i) => JSON.stringify({
    prompt: prompt(t),
    completions: i % 2 ? [`${t} are bad`, `${t} are good`, `${t} are fine`] : [`${t} are good`, `${t} are fine`, `${t} are bad`],
    ranking: i % 2 ? [1, 2, 0] : [0, 1, 2],
  }));
  writeFileSync(join(dir, 'rankings.jsonl'), rankings.join('\n') + '\n');
  const pairs = topics.map((t) => JSON.stringify({ prompt: prompt(t), chosen: [{ role: 'assistant', content: `${t} are good` }], rejected: `${t} are bad` }));
  writeFileSync(join(dir, 'pairs.jsonl'), pairs.join('\n') + '\n');
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await shutdownEngine();
});

test('reward model learns the rankings (held-out pairwise accuracy) and is calibrated', () => {
  const out = join(dir, 'rm');
  const m = runReward({ model: base, rankings: [join(dir, 'rankings.jsonl')], out, epochs: 12, batch: 4, lr: 3e-3, ctx: 64, heldout: 0.25, calibrationSamples: 8, maxTokens: 6, temperature: 1, seed: 2, log: () => {} });
  assert.equal(m.heldout_rankings, 3);
  assert.ok(m.heldout_accuracy > m.heldout_accuracy_before || m.heldout_accuracy === 1, `held-out accuracy ${m.heldout_accuracy_before} → ${m.heldout_accuracy}`);
  assert.ok(m.heldout_accuracy >= 2 / 3);
  assert.ok(m.gain > 0 && Number.isFinite(m.bias));
  const prov = JSON.parse(readFileSync(join(out, 'parley.json'), 'utf8'));
  assert.equal(prov.stage, 'reward');
  assert.equal(prov.calibration.samples, 8);
  assert.match(readFileSync(join(out, 'config.json'), 'utf8'), /"num_labels": 1/);
});

test('calibration maps the given scores to mean 0 and std 1', () => {
  const tok = smallTokenizer(), special = specialIds(tok);
  const lm = loadModel(base).model;
  const rm = withScalarHead(lm, 1);
  lm.dispose();
  const items = topics.map((t, i) => ({ prompt: prompt(t) as never, reply: `${t} ${'x'.repeat(i)}` }));
  const raw = scoreReplies(rm, tok, special, items, 64);
  calibrateHead(rm, raw);
  const after = scoreReplies(rm, tok, special, items, 64);
  const mean = after.reduce((a, b) => a + b, 0) / after.length;
  const std = Math.sqrt(after.reduce((a, b) => a + (b - mean) ** 2, 0) / after.length);
  assert.ok(Math.abs(mean) < 1e-3 && Math.abs(std - 1) < 1e-3, `mean ${mean} std ${std}`);
  rm.dispose();
});

test('DPO learns to prefer the chosen replies', () => {
  const metricsPath = join(dir, 'dpo-metrics.jsonl');
  const m = runDpo({ model: base, data: join(dir, 'pairs.jsonl'), out: join(dir, 'dpo'), beta: 0.5, steps: 15, batch: 6, microBatch: 6, lr: 3e-3, ctx: 64, seed: 1, metricsPath, log: () => {} });
  const lines = readFileSync(metricsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(Math.abs(lines[0].loss - Math.log(2)) < 1e-3, 'the first step starts at the reference: loss log 2');
  assert.ok(m.loss < 0.5 && m.accuracy === 1, `loss ${m.loss}, accuracy ${m.accuracy}`);
});

test('a reward model keeps no LM head: none from an untied base, and an older checkpoint with one still loads and scores the same', () => {
  const tok = smallTokenizer(), special = specialIds(tok);
  const untied = join(dir, 'untied');
  const lm = LlamaModel.random(makeConfig({ vocab: tok.vocabSize, dim: 32, layers: 1, heads: 2, ffn: 64, ctx: 128, tied: false }), 6);
  saveModel(untied, lm, { tokenizerPath: join(dir, 'tok', 'tokenizer.json') });
  const out = join(dir, 'rm-untied');
  runReward({ model: untied, rankings: [join(dir, 'rankings.jsonl')], out, epochs: 1, batch: 4, lr: 1e-3, ctx: 64, heldout: 0, calibrationSamples: 0, maxTokens: 4, temperature: 1, seed: 2, log: () => {} });
  const saved = loadCheckpoint(out);
  assert.deepEqual(saved.config.architectures, ['LlamaForSequenceClassification']);
  assert.equal(saved.tensors.has('lm_head.weight'), false, 'no lm_head in the reward checkpoint');
  assert.ok(saved.tensors.has('model.embed_tokens.weight') && saved.tensors.has('score.weight'));
  assert.equal(saved.config.tie_word_embeddings, true);

  // The layout saved before: the same weights plus the base's lm_head, untied.
  const old = join(dir, 'rm-old');
  const tensors = new Map(saved.tensors);
  tensors.set('lm_head.weight', lm.toTensors().get('lm_head.weight')!);
  const oldModel = LlamaModel.fromTensors({ ...lm.config }, tensors, { scalarHead: true });
  saveModel(old, oldModel, { tokenizerPath: join(dir, 'tok', 'tokenizer.json') });
  oldModel.dispose();
  lm.dispose();
  assert.ok(loadCheckpoint(old).tensors.has('lm_head.weight'));
  const items = topics.map((t) => ({ prompt: prompt(t) as never, reply: `${t} are good` }));
  const [a, b] = [out, old].map((d) => {
    const m = loadModel(d).model;
    try { return scoreReplies(m, tok, special, items, 64); } finally { m.dispose(); }
  });
  assert.deepEqual(a, b, 'the lm_head never enters a score');
  // Trained again, an old checkpoint loses its head.
  const again = join(dir, 'rm-again');
  runReward({ model: old, rankings: [join(dir, 'rankings.jsonl')], out: again, epochs: 1, batch: 4, lr: 1e-3, ctx: 64, heldout: 0, calibrationSamples: 0, maxTokens: 4, temperature: 1, seed: 2, log: () => {} });
  assert.equal(loadCheckpoint(again).tensors.has('lm_head.weight'), false);
});

test('rankingPairs: every ordered pair of a ranking, best first; unranked and identical replies make none', () => {
  const p = prompt('cats');
  const pairs = rankingPairs([
    { prompt: p as never, completions: ['a', 'b', 'c', 'd'], ranking: [2, 0, 3] }, // 'b' is not ranked
    { prompt: p as never, completions: ['same', 'same', 'other'], ranking: [0, 1, 2] },
  ]);
  assert.deepEqual(pairs.map((x) => `${x.chosen}>${x.rejected}`), ['c>a', 'c>d', 'a>d', 'same>other', 'same>other']);
  assert.equal(pairs[0].prompt, p);
});
