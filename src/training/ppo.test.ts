// PPO on a small case: a tiny random policy, a scorer that likes even token ids, a value model made
// from the policy. PPO must raise the score with KL to the reference bounded, and a KL coefficient
// β = 0 must let the policy drift from the reference faster than β > 0.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { initEngine, shutdownEngine } from '../engine/ops.ts';
import { LlamaModel } from '../engine/model.ts';
import { makeConfig } from '../engine/config.ts';
import { smallTokenizer } from '../tokenizer/test-tokenizer.ts';
import { specialIds } from '../tokenizer/special-tokens.ts';
import { ppoTrain, DEFAULT_PPO, type Scorer } from './ppo.ts';
import { withScalarHead } from '../engine/scalar-head.ts';
import { packStream } from './packing.ts';

before(async () => { await initEngine(); });
after(async () => { await shutdownEngine(); });

const tokenizer = smallTokenizer();
const special = specialIds(tokenizer);
const prompts = ['hello there', 'what is a cat', 'tell me about rivers', 'name a colour'].map((c) => [{ role: 'user' as const, content: c }]);

// Share of the sampled tokens with an even id.
const evenShare: Scorer = (items) => items.map(({ rollout: r }) => {
  let n = 0, even = 0;
  for (let i = 0; i < r.ids.length; i++) if (r.actions[i]) { n++; if (r.ids[i] % 2 === 0) even++; }
  return n ? even / n : 0;
});

function run(beta: number, steps: number) {
  const config = makeConfig({ vocab: tokenizer.vocabSize, dim: 32, layers: 1, heads: 2, ffn: 64, ctx: 128 });
  const policy = LlamaModel.random(config, 3);
  const ref = LlamaModel.fromTensors(config, policy.toTensors());
  const value = withScalarHead(policy, 4);
  try {
    return ppoTrain({ policy, ref, value, tokenizer, special }, prompts, evenShare, {
      ...DEFAULT_PPO, steps, prompts: 16, maxTokens: 8, temperature: 1, lr: 2e-2, valueLr: 3e-3, epochs: 4, beta,
      unfinishedPenalty: 0, ctx: 128, microBatch: 16, seed: 1,
    }, { log: () => {} });
  } finally {
    for (const m of [policy, ref, value]) m.dispose();
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('PPO raises the score while the KL to the reference stays bounded; β = 0 drifts further than β > 0', () => {
  const withKl = run(0.05, 24);
  const first = mean(withKl.slice(0, 4).map((l) => l.score)), last = mean(withKl.slice(-6).map((l) => l.score));
  assert.ok(last > first + 0.1, `score should rise: ${first.toFixed(3)} → ${last.toFixed(3)}`);
  const maxKl = Math.max(...withKl.map((l) => l.kl));
  assert.ok(maxKl < 12, `KL per reply should stay bounded, reached ${maxKl.toFixed(3)}`);
  for (const l of withKl) assert.ok(Number.isFinite(l.value_loss) && l.clip_frac >= 0 && l.clip_frac <= 1 && l.entropy > 0);
  const free = run(0, 24);
  const klFree = mean(free.slice(-6).map((l) => l.kl)), klPenalised = mean(withKl.slice(-6).map((l) => l.kl));
  assert.ok(klFree > 2 * klPenalised, `β = 0 should drift further: KL ${klFree.toFixed(3)} vs ${klPenalised.toFixed(3)} with β = 0.05`);
});

test('PPO-ptx mixes the pretraining loss into the policy update', () => {
  const config = makeConfig({ vocab: tokenizer.vocabSize, dim: 32, layers: 1, heads: 2, ffn: 64, ctx: 128 });
  const policy = LlamaModel.random(config, 3);
  const ref = LlamaModel.fromTensors(config, policy.toTensors());
  const value = withScalarHead(policy, 4);
  const ptxRows = packStream(tokenizer.encode('the river runs to the sea and the sea is wide. '.repeat(20)), 16);
  try {
    const logs = ppoTrain({ policy, ref, value, tokenizer, special }, prompts, evenShare, {
      ...DEFAULT_PPO, steps: 2, prompts: 4, maxTokens: 4, ptxCoef: 0.5, ctx: 128, microBatch: 4, seed: 1,
    }, { log: () => {}, ptxRows });
    for (const l of logs) assert.ok(l.ptx_loss > 1 && Number.isFinite(l.policy_loss), `ptx loss ${l.ptx_loss}`);
  } finally {
    for (const m of [policy, ref, value]) m.dispose();
  }
});
